//! What the fingerprint tests share: finding the independent tools, and
//! making real-looking images and recordings with ffmpeg.
//!
//! A missing tool skips a test with a message on a developer's machine; in
//! CI (`CI=true`) it fails the test, so a broken install is never mistaken
//! for a pass. `.ci/run` installs every tool named here.
#![allow(dead_code)] // Each test binary uses part of this module.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// Whether this run is CI, where nothing may be skipped.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports a missing tool: a failure in CI, a skip elsewhere.
pub(crate) fn missing(what: &str, install: &str) -> Option<PathBuf> {
    assert!(
        !in_ci(),
        "{what} is missing; .ci/run installs it ({install})"
    );
    eprintln!("SKIPPED: {what} is missing ({install}); CI=true makes this a failure");
    None
}

/// `name` on PATH, or `None` (after [`missing`]) when it is not installed.
pub(crate) fn tool(name: &str, install: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    found.or_else(|| missing(&format!("`{name}`"), install))
}

/// The workspace root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A Python that can `import module`: `$TAMGA_PYTHON` or the `.venv` that
/// `.ci/run` makes.
pub(crate) fn python_with(module: &str, install: &str) -> Option<PathBuf> {
    let python = std::env::var_os("TAMGA_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(python)
    } else {
        missing(
            &format!("Python module `{module}` (in {})", python.display()),
            install,
        )
    }
}

/// Runs ffmpeg quietly; panics with its message if it fails.
pub(crate) fn ffmpeg(ffmpeg: &Path, args: &[&str]) {
    let out = Command::new(ffmpeg)
        .args(["-nostdin", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `i`-th of a family of varied, real-looking lavfi image sources,
/// each different for each `i`. Like photos, each has structure at low
/// frequencies (what the Image-Code sees): regions of a test pattern,
/// fractals, cellular automata and games of life grown from a small grid
/// and blurred, multi-colour gradients, smooth random colour fields.
/// (Raw per-pixel noise has no such structure — its code is noise too —
/// and a seeded Sierpiński carpet is the same picture for every seed.)
pub(crate) fn image_source(i: usize) -> String {
    let seed = i * 7919 + 13;
    let w = 320 + (seed % 7) * 64;
    let h = 240 + (seed % 5) * 48;
    let colour = |k: usize| {
        (seed.wrapping_mul(2_654_435_761).wrapping_add(k * 40_503) >> (k % 5)) & 0xff_ffff
    };
    match i % 6 {
        // Regions of a large test pattern: each crop is another picture.
        0 => format!(
            "testsrc2=s=2048x1536:d=1:r=1,crop={w}:{h}:{}:{},hue=h={}",
            (seed * 31) % (2048 - w),
            (seed * 17) % (1536 - h),
            seed % 360
        ),
        1 => format!(
            "mandelbrot=s={w}x{h}:start_x={}:start_y={}:start_scale={}:end_pts=1:r=1",
            -1.5 + (seed % 97) as f64 / 60.0,
            -0.8 + (seed % 89) as f64 / 60.0,
            0.05 + (seed % 13) as f64 / 10.0
        ),
        2 => format!(
            "cellauto=s={}x{}:rule={}:random_seed={seed}:random_fill_ratio=0.5,scale={w}:{h}:flags=bicubic,gblur=sigma=2,hue=h={}",
            w / 8,
            h / 8,
            [18, 22, 26, 30, 45, 54, 60, 73, 90, 105, 110, 122, 126, 150][seed % 14],
            seed % 360
        ),
        3 => format!(
            "gradients=s={w}x{h}:nb_colors={}:c0=0x{:06x}:c1=0x{:06x}:c2=0x{:06x}:c3=0x{:06x}:c4=0x{:06x}:type={}:x0={}:y0={}:x1={}:y1={}:seed={seed},noise=alls=8:allf=t:all_seed={seed}",
            3 + seed % 3,
            colour(0),
            colour(1),
            colour(2),
            colour(3),
            colour(4),
            ["linear", "radial", "circular", "spiral"][seed % 4],
            seed % w,
            (seed / 3) % h,
            (seed * 3) % w,
            (seed * 5) % h
        ),
        4 => format!(
            "life=s={}x{}:seed={seed}:ratio=0.3:mold=10:death_color=#{:06x}:life_color=#{:06x},scale={w}:{h}:flags=bicubic,gblur=sigma=1.5",
            w / 6,
            h / 6,
            colour(5),
            colour(6)
        ),
        _ => format!(
            "color=c=gray:s={}x{},noise=alls=100:all_seed={seed},format=rgb24,scale={w}:{h}:flags=bicubic",
            4 + seed % 28,
            3 + seed % 21
        ),
    }
}

/// Writes the `i`-th image source to `out` (its extension picks the format).
pub(crate) fn make_image(ffmpeg_bin: &Path, i: usize, out: &Path) {
    let src = image_source(i);
    ffmpeg(
        ffmpeg_bin,
        &["-f", "lavfi", "-i", &src, "-frames:v", "1", path(out)],
    );
}

/// The `i`-th of a family of varied recordings, `seconds` long: tone
/// sequences, noise shaped differently, a chirp.
pub(crate) fn audio_source(i: usize, seconds: u32) -> String {
    let seed = i * 104_729 + 7;
    let f1 = 110 + seed % 800;
    let f2 = 200 + (seed / 7) % 1500;
    match i % 5 {
        0 => format!(
            "aevalsrc=sin({f1}*2*PI*t*(1+0.5*sin(2*PI*t*{}/10)))*0.5+sin({f2}*2*PI*t)*0.2*lt(mod(t\\,{}/4)\\,0.5):s=44100:d={seconds}",
            1 + seed % 9,
            2 + seed % 5
        ),
        1 => format!(
            "anoisesrc=c={}:seed={seed}:d={seconds}:a=0.4,bandpass=f={f1}:w={},volume='0.5+0.5*sin(2*PI*t*{})':eval=frame",
            ["pink", "white", "brown", "blue", "violet", "velvet"][seed % 6],
            50 + seed % 400,
            (seed % 7) as f64 / 3.0 + 0.2
        ),
        2 => format!(
            "sine=f={f1}:d={seconds}:beep_factor={},aecho=0.8:0.8:{}:0.4",
            1 + seed % 6,
            20 + seed % 500
        ),
        3 => format!(
            "aevalsrc=sin(2*PI*t*({f1}+{}*t))*0.4+0.2*random({seed})*sin(2*PI*{f2}*t):s=44100:d={seconds}",
            10 + seed % 90
        ),
        // A melody with a fifth above it: the note (of two octaves) changes
        // every 1/{tempo} s, picked by the seed; the closest to music.
        _ => {
            let note = format!("pow(2\\,mod(floor(t*{})*{}+{}\\,24)/12)", 2 + seed % 5, 5 + seed % 19, seed % 11);
            format!(
                "aevalsrc=0.5*sin(2*PI*t*{}*{note})+0.25*sin(2*PI*t*{}*{note}):s=44100:d={seconds}",
                110 + seed % 110,
                (110 + seed % 110) * 3 / 2
            )
        }
    }
}

/// Writes the `i`-th recording (`seconds` long, stereo 44.1 kHz WAV) to `out`.
pub(crate) fn make_audio(ffmpeg_bin: &Path, i: usize, seconds: u32, out: &Path) {
    let src = audio_source(i, seconds);
    ffmpeg(
        ffmpeg_bin,
        &[
            "-f",
            "lavfi",
            "-i",
            &src,
            "-ac",
            "2",
            "-ar",
            "44100",
            path(out),
        ],
    );
}

/// A path as a command-line argument (the temp folders are UTF-8).
pub(crate) fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}
