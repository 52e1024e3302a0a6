//! What the video tests share: clips made with ffmpeg (test pattern with
//! noise, so encoders spend real bits, and a tone), ffprobe's view of a
//! file, decoded frames, and labelling with a notice checked in tamga and
//! c2pa-python.

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::util::{assert_ok, text, Sandbox};

pub use crate::util::ffmpeg;

/// ffprobe's JSON for `path`.
pub fn probe(path: &Path) -> Value {
    let o = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
        ])
        .arg("-show_chapters")
        .arg(path)
        .output()
        .expect("ffprobe comes with ffmpeg");
    assert!(o.status.success(), "{}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// A clip of `seconds` at `size` in `codec`, one key frame a second,
/// with a tone; `extra` goes before the output name.
pub fn clip(out: &Path, size: &str, seconds: u32, codec: &[&str], extra: &[&str]) {
    let video = format!("testsrc2=size={size}:rate=25:duration={seconds},noise=alls=12:allf=t");
    let audio = format!("sine=frequency=440:duration={seconds}");
    let mut args = vec!["-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", &audio];
    args.extend_from_slice(codec);
    args.extend(["-g", "25", "-c:a", "aac", "-b:a", "64k"]);
    args.extend_from_slice(extra);
    args.push(out.to_str().unwrap());
    ffmpeg(&args);
}

/// The frame shown at `t` seconds, as a player shows it (rotated), in RGB.
pub fn frame(path: &Path, t: f64) -> (u32, u32, Vec<u8>) {
    let info = probe(path);
    let v = info["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == "video")
        .unwrap();
    let (mut w, mut h) = (
        v["width"].as_u64().unwrap() as u32,
        v["height"].as_u64().unwrap() as u32,
    );
    let turned = v["side_data_list"]
        .as_array()
        .and_then(|l| l.iter().find_map(|d| d["rotation"].as_i64()))
        .is_some_and(|r| r.rem_euclid(180) == 90);
    if turned {
        (w, h) = (h, w);
    }
    let o = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-ss",
            &t.to_string(),
            "-i",
        ])
        .arg(path)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(o.stdout.len(), (w * h * 3) as usize, "{}", path.display());
    (w, h, o.stdout)
}

/// Mean absolute difference of two frames inside the top-right corner the
/// badge's box always covers (its margin is 2 % of the shorter side).
pub fn corner_difference(a: &(u32, u32, Vec<u8>), b: &(u32, u32, Vec<u8>)) -> f64 {
    assert_eq!((a.0, a.1), (b.0, b.1));
    let (w, h) = (a.0, a.1);
    let m = (w.min(h) as f64 * 0.02).ceil() as u32;
    let (mut sum, mut n) = (0u64, 0u64);
    for y in m + 3..m + 15 {
        for x in w - m - 30..w - m - 4 {
            for c in 0..3 {
                let i = ((y * w + x) * 3 + c) as usize;
                sum += u64::from(a.2[i].abs_diff(b.2[i]));
                n += 1;
            }
        }
    }
    sum as f64 / n as f64
}

/// The audio packets' checksum: equal when the audio was copied untouched.
pub fn audio_md5(path: &Path) -> String {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-i"])
        .arg(path)
        .args(["-map", "0:a", "-c", "copy", "-f", "md5", "-"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

pub fn video_bit_rate(info: &Value) -> f64 {
    info["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == "video")
        .unwrap()["bit_rate"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Each video frame's checksum, in presentation order.
pub fn frame_md5s(path: &Path) -> Vec<String> {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-i"])
        .arg(path)
        .args(["-map", "0:v", "-f", "framemd5", "-"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next().map(|s| s.trim().to_string()))
        .collect()
}

/// Labels `input` with a notice (`extra` flags), checks the verdict in
/// tamga and c2pa-python and the notice record; returns the output.
pub fn label_with_notice(
    sb: &Sandbox,
    input: &Path,
    extra: &[&str],
) -> (std::path::PathBuf, Value) {
    let (out, notice, _) = label_with_notice_said(sb, input, extra);
    (out, notice)
}

/// [`label_with_notice`], and what the label said on stderr.
pub fn label_with_notice_said(
    sb: &Sandbox,
    input: &Path,
    extra: &[&str],
) -> (std::path::PathBuf, Value, String) {
    let name = input.file_name().unwrap().to_str().unwrap();
    let out = sb.path(&format!("noticed-{}-{name}", extra.join("")));
    let mut args = vec!["--notice"];
    args.extend_from_slice(extra);
    let o = sb.label(input, &out, &args);
    assert_ok(&o);
    assert!(
        text(&o.stderr).contains("re-encoded by ffmpeg"),
        "{}",
        text(&o.stderr)
    );
    let (entry, code) = sb.verify(&out, true);
    assert_eq!(
        (entry["verdict"].as_str(), code),
        (Some("trusted"), 0),
        "{entry}"
    );
    let notice = entry["disclosure"]["perceivableNotice"].clone();
    assert_eq!(notice["style"], "badge", "{notice}");
    let mime = if name.ends_with(".mov") {
        "video/quicktime"
    } else {
        "video/mp4"
    };
    let theirs = sb.c2pa_read(&out, mime);
    assert_eq!(
        theirs["validation_state"], "Trusted",
        "c2pa-python: {theirs}"
    );
    (out, notice, text(&o.stderr))
}
