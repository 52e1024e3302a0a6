//! tamga's codes against independent implementations, on real files:
//! the Image-Code against the ISCC project's own Python SDK (iscc-sdk,
//! Pillow), and Chromaprint's features against `fpcalc`, the tool the
//! ISCC reference takes them from.
// Tests panic on what they do not expect, with the value in the message.
#![allow(clippy::unwrap_used)]

mod common;

use std::{collections::HashMap, path::PathBuf, process::Command};

use common::{ffmpeg, make_audio, make_image, path, python_with, root, tool};
use tamga_fingerprint::{hamming, DecodeLimits};

const ISCC_SDK: &str = "pip install iscc-sdk==0.9.7 into the venv TAMGA_PYTHON names";
const FPCALC: &str = "apt-get install libchromaprint-tools";

/// Images to compare: generated scenes as PNG and JPEG, some framed by a
/// uniform border (the trimming), some half transparent (the white fill),
/// and the repository's samples in every format `image` decodes here.
fn images(dir: &std::path::Path, ffmpeg_bin: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for i in 0..18 {
        let ext = ["png", "jpg"][i % 2];
        let out = dir.join(format!("scene{i}.{ext}"));
        make_image(ffmpeg_bin, i, &out);
        files.push(out);
    }
    for (i, vf) in [
        "pad=iw+40:ih+24:17:9:color=white",
        "pad=iw+64:ih:0:0:color=0x204060",
        "format=rgba,colorchannelmixer=aa=0.5",
        "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(X,W/3),0,255)'",
        "format=gray",
        "format=ya8,geq=lum='lum(X,Y)':a='128+X/4'",
    ]
    .iter()
    .enumerate()
    {
        let src = common::image_source(i + 40);
        let out = dir.join(format!("edit{i}.png"));
        ffmpeg(
            ffmpeg_bin,
            &[
                "-f",
                "lavfi",
                "-i",
                &src,
                "-vf",
                vf,
                "-frames:v",
                "1",
                path(&out),
            ],
        );
        files.push(out);
    }
    for ext in ["jpg", "png", "gif", "webp", "tif", "bmp"] {
        files.push(root().join(format!("samples/sample.{ext}")));
    }
    files
}

/// Photos large enough for the reduced-scale JPEG decode
/// (`SCALED_JPEG_FROM`), one framed by a border, and EXIF-rotated copies
/// of a large and a small JPEG (exiftool writes the tag).
fn large_and_rotated(dir: &std::path::Path, ffmpeg_bin: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for (i, src) in [
        "testsrc2=s=4000x3000:d=1:r=1,noise=alls=8:allf=t:all_seed=1",
        "mandelbrot=s=2400x1800:end_pts=1:r=1",
        // ffmpeg's gradients source is not reproducible (a different picture
        // each run, seed or not), and a test's input must be.
        "testsrc2=s=1600x1200:d=1:r=1,hue=s=0.5,noise=alls=10:allf=t:all_seed=2,pad=iw+200:ih+120:90:50:color=white",
        "cellauto=s=600x400:rule=110:random_seed=9,scale=3000:2000:flags=bicubic,gblur=sigma=3",
    ]
    .iter()
    .enumerate()
    {
        let out = dir.join(format!("large{i}.jpg"));
        ffmpeg(
            ffmpeg_bin,
            &["-f", "lavfi", "-i", src, "-frames:v", "1", "-q:v", "3", path(&out)],
        );
        files.push(out);
    }
    let Some(exiftool) = tool("exiftool", "apt-get install libimage-exiftool-perl") else {
        return files;
    };
    for (i, source) in [files[1].clone(), dir.join("scene1.jpg")]
        .iter()
        .enumerate()
    {
        for orientation in ["6", "3", "8"] {
            let out = dir.join(format!("rotated{i}-{orientation}.jpg"));
            let status = Command::new(&exiftool)
                .args(["-q", "-n", &format!("-Orientation={orientation}"), "-o"])
                .arg(&out)
                .arg(source)
                .status()
                .unwrap();
            assert!(status.success(), "exiftool");
            files.push(out);
        }
    }
    files
}

#[test]
fn image_codes_match_the_iscc_sdk() {
    let (Some(ffmpeg_bin), Some(python)) = (
        tool("ffmpeg", "apt-get install ffmpeg"),
        python_with("iscc_sdk", ISCC_SDK),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = images(dir.path(), &ffmpeg_bin);
    let small = files.len();
    files.extend(large_and_rotated(dir.path(), &ffmpeg_bin));
    let script = "import sys, iscc_sdk as idk\n\
        for f in sys.argv[1:]:\n    \
            print(f + '\\t' + idk.code_image(f, extract_meta=False, create_thumb=False).iscc)\n";
    let out = Command::new(&python)
        .arg("-c")
        .arg(script)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference: HashMap<String, String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    let mut report = Vec::new();
    let (mut worst, mut worst_large) = (0, 0);
    for (n, f) in files.iter().enumerate() {
        let file = std::io::BufReader::new(std::fs::File::open(f).unwrap());
        let ours = tamga_fingerprint::image(file, &DecodeLimits::default()).unwrap();
        let theirs = &reference[path(f)];
        let d = hamming(ours.bits, body(theirs));
        if n < small || f.to_string_lossy().contains("rotated1") {
            worst = worst.max(d);
        } else {
            worst_large = worst_large.max(d);
        }
        report.push(format!("{d:2} {} {} {}", ours.iscc, theirs, f.display()));
    }
    let report = report.join("\n");
    eprintln!("{report}");
    let exact = report
        .lines()
        .take(small)
        .filter(|l| l.starts_with(" 0"))
        .count();
    // Same pixels, same arithmetic: equal codes. Decoders may differ by a
    // rounding step (JPEG's IDCT and upsampling: zune-jpeg vs libjpeg),
    // which can flip a coefficient that sits on its block's median.
    assert!(worst <= 2, "a code differs by {worst} bits:\n{report}");
    assert!(
        exact * 10 >= small * 8,
        "only {exact} of {small} codes equal:\n{report}"
    );
    // Large JPEGs are decoded from the DCT at reduced scale (for speed):
    // close to the reference's full decode, well within a match.
    assert!(
        worst_large <= tamga_fingerprint::IMAGE_MATCH_DISTANCE / 2,
        "a large JPEG's code differs by {worst_large} bits:\n{report}"
    );
}

/// The 64-bit body of an ISCC unit string.
fn body(iscc: &str) -> u64 {
    let (_, _, _, _, digest) = iscc_lib::iscc_decode(iscc).unwrap();
    u64::from_be_bytes(digest[..8].try_into().unwrap())
}

#[test]
fn chromaprint_features_match_fpcalc() {
    let (Some(ffmpeg_bin), Some(fpcalc)) = (
        tool("ffmpeg", "apt-get install ffmpeg"),
        tool("fpcalc", FPCALC),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut report = Vec::new();
    for i in 0..8 {
        let wav = dir.path().join(format!("clip{i}.wav"));
        make_audio(&ffmpeg_bin, i, 20, &wav);
        // Every container and codec tamga fingerprints, not only WAV.
        let file = match i % 4 {
            0 => wav,
            1 => transcode(&ffmpeg_bin, &wav, "mp3", &["-b:a", "192k"]),
            2 => transcode(&ffmpeg_bin, &wav, "flac", &["-ar", "48000"]),
            _ => transcode(&ffmpeg_bin, &wav, "m4a", &["-c:a", "aac", "-ac", "1"]),
        };
        let ext = file.extension().unwrap().to_str().unwrap().to_string();
        let out = Command::new(&fpcalc)
            .args(["-raw", "-signed", "-json", "-length", "0"])
            .arg(&file)
            .output()
            .unwrap();
        // fpcalc 1.5.1 with FFmpeg 5 reports the end of the file as a
        // decoding error (and exits 1) after printing the whole result.
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("fpcalc: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        let theirs: Vec<i32> = json["fingerprint"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap() as i32)
            .collect();
        let source = Box::new(std::fs::File::open(&file).unwrap());
        let ours = tamga_fingerprint::chromaprint(source, &ext, &DecodeLimits::default()).unwrap();
        let n = ours.len().min(theirs.len());
        let differing: u32 = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a ^ b).count_ones())
            .sum();
        let ber = f64::from(differing) / (n as f64 * 32.0);
        let codes = hamming(
            tamga_fingerprint::audio_code(&ours).unwrap().bits,
            tamga_fingerprint::audio_code(&theirs).unwrap().bits,
        );
        report.push((ext, ours.len(), theirs.len(), ber, codes));
    }
    eprintln!("ext, ours, fpcalc's, bit error rate, Audio-Code distance\n{report:#?}");
    for (ext, a, b, ber, codes) in &report {
        // Chromaprint resamples to 11025 Hz; fpcalc with its own
        // resampler, rusty-chromaprint with rubato, and the decoders are
        // different (ffmpeg vs symphonia): a few bits of the features
        // differ, a frame or two at the end may be missing.
        assert!(a.abs_diff(*b) <= 3, "{ext}: {a} vs {b} features");
        assert!(*ber < 0.10, "{ext}: bit error rate {ber}");
        assert!(
            *codes <= tamga_fingerprint::AUDIO_MATCH_DISTANCE,
            "{ext}: the Audio-Codes are {codes} bits apart"
        );
    }
}

fn transcode(
    ffmpeg_bin: &std::path::Path,
    wav: &std::path::Path,
    ext: &str,
    args: &[&str],
) -> PathBuf {
    let out = wav.with_extension(ext);
    let mut all = vec!["-i", path(wav)];
    all.extend_from_slice(args);
    all.push(path(&out));
    ffmpeg(ffmpeg_bin, &all);
    out
}
