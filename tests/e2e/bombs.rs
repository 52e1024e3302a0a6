//! Decompression bombs on the notice path (issue 14): files of a few
//! kilobytes whose headers claim billions of pixels, thousands of frames
//! or weeks of audio. `tamga label --notice` refuses each with a one-line
//! message naming the limit and the value, writes nothing and exits 1;
//! `tamga serve` answers 422 and keeps serving. Every bomb is made here,
//! from the samples, in memory.

use std::path::Path;

use crate::{
    serve_http::{multipart, post, Server, TOKEN},
    util::{sample, text, Sandbox},
};

/// CRC-32 (ISO-HDLC), for the PNG chunk patched.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// sample.png with an IHDR claiming `w` × `h`.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = std::fs::read(sample("sample.png")).unwrap();
    assert_eq!(&b[12..16], b"IHDR");
    b[16..20].copy_from_slice(&w.to_be_bytes());
    b[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&b[12..29]);
    b[29..33].copy_from_slice(&crc.to_be_bytes());
    b
}

/// sample.jpg with a SOF0 claiming `w` × `h`.
fn jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut b = std::fs::read(sample("sample.jpg")).unwrap();
    let sof = b.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
    b[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    b[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    b
}

/// A GIF with a `w` × `h` logical screen and `frames` frames of one
/// black pixel in the top-left corner.
fn gif(w: u16, h: u16, frames: usize) -> Vec<u8> {
    let mut b = b"GIF89a".to_vec();
    b.extend_from_slice(&w.to_le_bytes());
    b.extend_from_slice(&h.to_le_bytes());
    // A global palette of two colours: black, white.
    b.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF]);
    for _ in 0..frames {
        // Graphic control (10 ms), descriptor 1×1 at 0,0, LZW data of one
        // index 0 (clear, 0, end at 3 bits: 0x44 0x01).
        b.extend_from_slice(&[0x21, 0xF9, 4, 0, 1, 0, 0, 0]);
        b.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
        b.extend_from_slice(&[2, 2, 0x44, 0x01, 0]);
    }
    b.push(0x3B);
    b
}

/// sample.flac with STREAMINFO claiming `samples` samples.
fn flac(samples: u64) -> Vec<u8> {
    let mut b = std::fs::read(sample("sample.flac")).unwrap();
    // fLaC, the block header, then 10 bytes before the 36-bit total.
    let at = 4 + 4 + 13;
    b[at] = (b[at] & 0xF0) | ((samples >> 32) as u8 & 0x0F);
    b[at + 1..at + 5].copy_from_slice(&(samples as u32).to_be_bytes());
    b
}

/// sample.mp3 with its Info tag claiming `frames` MPEG frames.
fn mp3(frames: u32) -> Vec<u8> {
    let mut b = std::fs::read(sample("sample.mp3")).unwrap();
    let info = b.windows(4).position(|m| m == b"Info").unwrap();
    assert_eq!(b[info + 7] & 1, 1, "the Info tag has a frame count");
    b[info + 8..info + 12].copy_from_slice(&frames.to_be_bytes());
    b
}

/// The bombs: name, bytes, and the limit and value the message must name
/// (`None`: any value past the default).
fn bombs() -> Vec<(&'static str, Vec<u8>, &'static str, Option<u64>)> {
    vec![
        (
            "huge.png",
            png(60_000, 60_000),
            "pixels-per-frame",
            Some(60_000 * 60_000),
        ),
        (
            "huge.jpg",
            jpeg(65_500, 65_500),
            "pixels-per-frame",
            Some(65_500 * 65_500),
        ),
        (
            "screen.gif",
            gif(65_535, 65_535, 1),
            "pixels-per-frame",
            Some(65_535 * 65_535),
        ),
        ("frames.gif", gif(64, 64, 10_001), "frames", Some(10_001)),
        // 2^36 - 1 samples at 22.05 kHz: 36 days, in whole seconds up.
        (
            "weeks.flac",
            flac((1 << 36) - 1),
            "audio-seconds",
            Some(((1u64 << 36) - 1).div_ceil(22_050)),
        ),
        // 2^31 MPEG frames: decades.
        ("years.mp3", mp3(1 << 31), "audio-seconds", None),
    ]
}

/// `tamga label --notice` on `input` refuses it for `limit` at `value`
/// (`None`: some value): exit 1, one line naming both, no panic, no output.
fn assert_refused(sb: &Sandbox, input: &Path, extra: &[&str], limit: &str, value: Option<u64>) {
    let out = sb.path(&format!(
        "out-{}",
        input.file_name().unwrap().to_string_lossy()
    ));
    let mut args = vec!["--notice"];
    args.extend_from_slice(extra);
    let run = sb.label(input, &out, &args);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{}: {err}", input.display());
    assert!(!err.contains("panick"), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(limit)).collect();
    assert_eq!(lines.len(), 1, "one line names the {limit} limit: {err}");
    let needs = lines[0]
        .split("this file needs ")
        .nth(1)
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok());
    match value {
        Some(v) => assert_eq!(needs, Some(v), "{}", lines[0]),
        None => assert!(needs.is_some(), "{}", lines[0]),
    }
    assert!(!out.exists(), "nothing written for {}", input.display());
}

#[test]
fn every_bomb_is_refused_by_name_with_nothing_written() {
    let sb = Sandbox::new();
    for (name, bytes, limit, value) in bombs() {
        let input = sb.path(name);
        std::fs::write(&input, &bytes).unwrap();
        assert_refused(&sb, &input, &[], limit, value);
    }
}

#[test]
fn the_limit_flags_and_config_work_both_ways() {
    let sb = Sandbox::new();
    let keys = sb.keys();
    let png = sb.copy_sample("sample.png");
    // 400 × 300: exactly at the limit passes, one pixel under fails.
    let at = sb.path("at.png");
    let run = sb.label(&png, &at, &["--notice", "--max-pixels", "120000"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let (v, _) = sb.verify(&at, true);
    assert_eq!(v["verdict"], "trusted", "{v:#}");
    assert_refused(
        &sb,
        &png,
        &["--max-pixels", "119999"],
        "pixels-per-frame",
        Some(120_000),
    );

    // The config file's [limits] table, and the flag over it.
    let config = sb.path("tamga.toml");
    std::fs::write(
        &config,
        format!(
            "[keys]\ndir = \"{}\"\n[limits]\nmax_pixels = 119999\n",
            keys.display()
        ),
    )
    .unwrap();
    let c = config.to_str().unwrap();
    assert_refused(
        &sb,
        &png,
        &["--config", c],
        "pixels-per-frame",
        Some(120_000),
    );
    let over = sb.path("over.png");
    let run = sb.label(
        &png,
        &over,
        &["--notice", "--config", c, "--max-pixels", "120000"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));

    // Frames: three frames pass at 3, fail at 2.
    let gif3 = sb.path("three.gif");
    std::fs::write(&gif3, gif(64, 64, 3)).unwrap();
    let run = sb.label(&gif3, &sb.path("g.gif"), &["--notice", "--max-frames", "3"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_refused(&sb, &gif3, &["--max-frames", "2"], "frames", Some(3));

    // Audio: the 3.64 s FLAC passes at 4 s and fails at 3, the MP3 too.
    for name in ["sample.flac", "sample.mp3", "sample.wav"] {
        let input = sb.copy_sample(name);
        let ok = sb.path(&format!("ok-{name}"));
        let run = sb.label(&input, &ok, &["--notice", "--max-audio-seconds", "4"]);
        assert_eq!(run.status.code(), Some(0), "{name}: {}", text(&run.stderr));
        assert_refused(
            &sb,
            &input,
            &["--max-audio-seconds", "3"],
            "audio-seconds",
            Some(4),
        );
    }
}

#[test]
fn the_server_answers_422_to_every_bomb_and_keeps_serving() {
    let sb = Sandbox::new();
    let server = Server::start(&sb, "");
    let a = &server.addr;
    let auth = format!("\r\nAuthorization: Bearer {TOKEN}");
    let png = std::fs::read(sample("sample.png")).unwrap();
    for (name, bytes, limit, value) in bombs() {
        let (ct, body) = multipart(&[
            ("ai", None, b"generated"),
            ("notice", None, b"true"),
            ("file", Some(name), &bytes),
        ]);
        let r = post(a, "/v1/label", &ct, &body, &auth);
        assert_eq!(r.status, 422, "{name}: {}", text(&r.body));
        let j = r.json();
        assert_eq!(j["kind"], "limit-exceeded", "{name}: {j}");
        let message = j["error"].as_str().unwrap();
        assert!(message.contains(limit), "{name}: {message}");
        if let Some(v) = value {
            assert!(message.contains(&format!("needs {v}")), "{name}: {message}");
        }
        // The next ordinary request is served: the process is alive.
        let (ct, body) = multipart(&[
            ("ai", None, b"generated"),
            ("notice", None, b"true"),
            ("file", Some("poster.png"), &png),
        ]);
        let r = post(a, "/v1/label", &ct, &body, &auth);
        assert_eq!(r.status, 200, "after {name}: {}", text(&r.body));
    }
}
