//! The notice on video (issue 20): the badge burnt into the opening
//! frames by ffmpeg, everything else carried over, the label trusted by
//! tamga and c2pa-python. Clips are made here with ffmpeg: test pattern
//! with noise (so encoders spend real bits) and a tone.

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::util::{assert_ok, text, Sandbox};

/// ffmpeg with `args`, which must succeed.
fn ffmpeg(args: &[&str]) {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed by .ci/run");
    assert!(o.status.success(), "ffmpeg {args:?}: {}", text(&o.stderr));
}

/// ffprobe's JSON for `path`.
fn probe(path: &Path) -> Value {
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
fn clip(out: &Path, size: &str, seconds: u32, codec: &[&str], extra: &[&str]) {
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
fn frame(path: &Path, t: f64) -> (u32, u32, Vec<u8>) {
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
fn corner_difference(a: &(u32, u32, Vec<u8>), b: &(u32, u32, Vec<u8>)) -> f64 {
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
fn audio_md5(path: &Path) -> String {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-i"])
        .arg(path)
        .args(["-map", "0:a", "-c", "copy", "-f", "md5", "-"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

fn video_bit_rate(info: &Value) -> f64 {
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
fn frame_md5s(path: &Path) -> Vec<String> {
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
fn label_with_notice(sb: &Sandbox, input: &Path, extra: &[&str]) -> (std::path::PathBuf, Value) {
    let (out, notice, _) = label_with_notice_said(sb, input, extra);
    (out, notice)
}

/// [`label_with_notice`], and what the label said on stderr.
fn label_with_notice_said(
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

#[test]
fn an_h264_clip_gets_the_badge_for_its_opening_two_seconds_only() {
    let sb = Sandbox::new();
    let src = sb.path("clip.mp4");
    clip(
        &src,
        "640x360",
        5,
        &["-c:v", "libx264", "-b:v", "900k"],
        &[],
    );
    let (out, notice, said) = label_with_notice_said(&sb, &src, &[]);
    assert_eq!(notice["position"], "top-right", "{notice}");
    assert_eq!(notice["spanSeconds"].as_f64(), Some(2.0), "{notice}");
    assert_eq!(notice["wholeVideo"], false, "{notice}");
    assert!(notice["sizeShare"].as_f64().unwrap() >= 0.05, "{notice}");
    // At 1 s the corner is the badge's dark box; at 4.5 s the frame is the
    // source's, up to the re-encode.
    let at_1 = corner_difference(&frame(&src, 1.0), &frame(&out, 1.0));
    let at_end = corner_difference(&frame(&src, 4.5), &frame(&out, 4.5));
    assert!(
        at_1 > 40.0 && at_end < 15.0,
        "corner difference at 1 s {at_1}, at 4.5 s {at_end}"
    );
    assert_eq!(
        audio_md5(&src),
        audio_md5(&out),
        "the audio is copied untouched"
    );
    let (a, b) = (video_bit_rate(&probe(&src)), video_bit_rate(&probe(&out)));
    assert!((b / a - 1.0).abs() <= 0.2, "bitrate {a} -> {b}");
    // One key frame a second: the frames from the first key frame after
    // 2 s (the 3rd second) on are copied, bit for bit when decoded.
    assert!(said.contains("the rest copied unchanged"), "{said}");
    let (before, after) = (frame_md5s(&src), frame_md5s(&out));
    assert_eq!(before.len(), after.len());
    let same = before
        .iter()
        .zip(&after)
        .rev()
        .take_while(|(a, b)| a == b)
        .count();
    let changed = before.len() - same;
    assert!(
        (50..=75).contains(&changed),
        "{changed} frames re-encoded of {}",
        before.len()
    );
    assert!(
        before[..50].iter().zip(&after).all(|(a, b)| a != b),
        "the badge is on every frame of the span"
    );
}

#[test]
fn a_whole_span_badges_every_frame_in_the_corner_asked_for() {
    let sb = Sandbox::new();
    let src = sb.path("deepfake.mp4");
    clip(
        &src,
        "480x270",
        3,
        &["-c:v", "libx264", "-b:v", "600k"],
        &[],
    );
    let (out, notice) = label_with_notice(
        &sb,
        &src,
        &["--notice-span", "whole", "--notice-position", "top-right"],
    );
    assert_eq!(notice["wholeVideo"], true, "{notice}");
    let (before, after) = (frame_md5s(&src), frame_md5s(&out));
    assert!(
        before.iter().zip(&after).all(|(a, b)| a != b),
        "every frame re-encoded with the badge"
    );
    let at_end = corner_difference(&frame(&src, 2.8), &frame(&out, 2.8));
    assert!(
        at_end > 40.0,
        "the last frames carry the badge too: {at_end}"
    );
}

#[test]
fn a_rotated_phone_clip_keeps_its_rotation_and_shows_the_badge_upright() {
    let sb = Sandbox::new();
    let plain = sb.path("plain.mp4");
    clip(
        &plain,
        "640x360",
        3,
        &["-c:v", "libx264", "-b:v", "800k"],
        &[],
    );
    let src = sb.path("phone.mov");
    ffmpeg(&[
        "-i",
        plain.to_str().unwrap(),
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=90",
        src.to_str().unwrap(),
    ]);
    let (out, _) = label_with_notice(&sb, &src, &[]);
    let rotation = |p: &Path| {
        probe(p)["streams"][0]["side_data_list"]
            .as_array()
            .and_then(|l| l.iter().find_map(|d| d["rotation"].as_i64()))
    };
    assert_eq!(rotation(&out), rotation(&src));
    assert!(rotation(&src).is_some());
    // As a player shows it (portrait), the top-right corner is the box.
    let (s, o) = (frame(&src, 1.0), frame(&out, 1.0));
    assert!(s.1 > s.0, "displayed portrait");
    let d = corner_difference(&s, &o);
    assert!(d > 40.0, "badge in the displayed top-right corner: {d}");
}

#[test]
fn subtitles_chapters_and_tags_survive_the_notice() {
    let sb = Sandbox::new();
    let srt = sb.path("subs.srt");
    std::fs::write(
        &srt,
        "1\n00:00:00,500 --> 00:00:02,000\nSalem\n\n2\n00:00:02,500 --> 00:00:03,500\nHello\n",
    )
    .unwrap();
    let meta = sb.path("chapters.txt");
    std::fs::write(
        &meta,
        ";FFMETADATA1\ntitle=Evening news\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=2000\ntitle=One\n\
         [CHAPTER]\nTIMEBASE=1/1000\nSTART=2000\nEND=4000\ntitle=Two\n",
    )
    .unwrap();
    let plain = sb.path("plain.mp4");
    clip(
        &plain,
        "320x240",
        4,
        &["-c:v", "libx264", "-b:v", "400k"],
        &[],
    );
    let src = sb.path("news.mp4");
    ffmpeg(&[
        "-i",
        plain.to_str().unwrap(),
        "-i",
        srt.to_str().unwrap(),
        "-i",
        meta.to_str().unwrap(),
        "-map",
        "0",
        "-map",
        "1",
        "-map_metadata",
        "2",
        "-map_chapters",
        "2",
        "-c",
        "copy",
        "-c:s",
        "mov_text",
        src.to_str().unwrap(),
    ]);
    let (out, _) = label_with_notice(&sb, &src, &[]);
    let (before, after) = (probe(&src), probe(&out));
    let kinds = |v: &Value| -> Vec<String> {
        v["streams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["codec_type"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(&after), kinds(&before));
    assert!(kinds(&after).contains(&"subtitle".to_string()));
    assert_eq!(after["chapters"].as_array().unwrap().len(), 2, "{after}");
    assert_eq!(after["format"]["tags"]["title"], "Evening news");
}

#[test]
fn hevc_vp9_and_av1_clips_keep_their_codec() {
    let sb = Sandbox::new();
    for (name, codec) in [
        (
            "hevc.mp4",
            &[
                "-c:v",
                "libx265",
                "-b:v",
                "500k",
                "-tag:v",
                "hvc1",
                "-x265-params",
                "log-level=error:open-gop=0",
            ][..],
        ),
        (
            // x265's default: a key frame's leading pictures belong to the
            // GOP before, so the tail cannot start there cleanly.
            "hevc-open-gop.mp4",
            &[
                "-c:v",
                "libx265",
                "-b:v",
                "500k",
                "-x265-params",
                "log-level=error",
            ][..],
        ),
        (
            "vp9.mp4",
            &[
                "-c:v",
                "libvpx-vp9",
                "-b:v",
                "500k",
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
            ][..],
        ),
        (
            "av1.mp4",
            &[
                "-c:v",
                "libaom-av1",
                "-b:v",
                "300k",
                "-cpu-used",
                "8",
                "-row-mt",
                "1",
            ][..],
        ),
    ] {
        let src = sb.path(name);
        clip(&src, "320x180", 3, codec, &[]);
        let (out, _, said) = label_with_notice_said(&sb, &src, &[]);
        // A closed-GOP HEVC's tail is copied as H.264's is; an open GOP,
        // VP9 and AV1 are re-encoded whole, and the frames still add up.
        let copied = said.contains("the rest copied unchanged");
        assert_eq!(copied, name == "hevc.mp4", "{name}: {said}");
        assert_eq!(frame_md5s(&out).len(), frame_md5s(&src).len(), "{name}");
        let codec_of = |p: &Path| probe(p)["streams"][0]["codec_name"].clone();
        assert_eq!(codec_of(&out), codec_of(&src), "{name}");
        let d = corner_difference(&frame(&src, 1.0), &frame(&out, 1.0));
        assert!(d > 40.0, "{name}: {d}");
    }
}

#[test]
fn a_file_without_video_or_a_damaged_one_fails_clearly_and_the_batch_goes_on() {
    let sb = Sandbox::new();
    let audio_only = sb.path("voice.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=duration=2",
        "-c:a",
        "aac",
        "-f",
        "mp4",
        audio_only.to_str().unwrap(),
    ]);
    let good = sb.path("good.mp4");
    clip(
        &good,
        "320x240",
        3,
        &["-c:v", "libx264", "-b:v", "300k"],
        &[],
    );
    let truncated = sb.path("truncated.mp4");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let out = sb.path("out");
    std::fs::create_dir(&out).unwrap();
    let keys = sb.keys();
    let o = sb.run(&[
        "label",
        "--ai",
        "generated",
        "--keys",
        keys.to_str().unwrap(),
        "--notice",
        "-o",
        out.to_str().unwrap(),
        audio_only.to_str().unwrap(),
        truncated.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("voice.mp4") && err.contains("no video track"),
        "{err}"
    );
    assert!(err.contains("truncated.mp4"), "{err}");
    assert!(out.join("good.mp4").is_file(), "the batch went on: {err}");
    assert!(!out.join("voice.mp4").exists() && !out.join("truncated.mp4").exists());
}

#[test]
fn one_changed_video_byte_makes_the_label_invalid_with_the_bmff_hash_code() {
    let sb = Sandbox::new();
    let src = sb.path("clip.mp4");
    clip(
        &src,
        "320x240",
        3,
        &["-c:v", "libx264", "-b:v", "300k"],
        &[],
    );
    let plain = sb.path("plain.mp4");
    assert_ok(&sb.label(&src, &plain, &[]));
    let (noticed, _) = label_with_notice(&sb, &src, &[]);
    for labelled in [plain, noticed] {
        let mut bytes = std::fs::read(&labelled).unwrap();
        // A byte well inside the media data: sample bytes, not a header.
        let mdat = bytes.windows(4).position(|w| w == b"mdat").unwrap();
        let at = mdat + 4 + (bytes.len() - mdat) / 3;
        bytes[at] ^= 0x40;
        let tampered = sb.path("tampered.mp4");
        std::fs::write(&tampered, &bytes).unwrap();
        let (entry, code) = sb.verify(&tampered, true);
        assert_eq!(entry["verdict"], "invalid", "{entry}");
        assert_eq!(code, 1, "{entry}");
        assert!(
            crate::util::codes(&entry).contains(&"assertion.bmffHash.mismatch".to_string()),
            "{entry}"
        );
    }
}

/// The first audio track decoded by ffmpeg to mono 16 kHz samples.
fn audio_samples(path: &Path) -> Vec<f32> {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-i"])
        .arg(path)
        .args([
            "-map", "0:a:0", "-ac", "1", "-ar", "16000", "-f", "f32le", "-",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    o.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// The strength of `hz` in `samples` (16 kHz), by the Goertzel filter.
fn strength(samples: &[f32], hz: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * hz / 16000.0;
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s = f64::from(x) + 2.0 * w.cos() * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    (s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2).sqrt() / samples.len() as f64
}

#[test]
fn a_tone_or_a_voice_goes_into_the_soundtrack_and_the_pictures_are_copied() {
    let sb = Sandbox::new();
    let src = sb.path("clip.mp4");
    clip(
        &src,
        "320x240",
        6,
        &["-c:v", "libx264", "-b:v", "300k"],
        &[],
    );
    let o = sb.label(
        &src,
        &sb.path("tone.mp4"),
        &["--notice-style", "tone", "--notice-position", "both"],
    );
    assert_ok(&o);
    let tone = sb.path("tone.mp4");
    let (entry, _) = sb.verify(&tone, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
    let notice = &entry["disclosure"]["perceivableNotice"];
    assert_eq!(
        (notice["style"].as_str(), notice["position"].as_str()),
        (Some("tone"), Some("both"))
    );
    assert_eq!(
        sb.c2pa_read(&tone, "video/mp4")["validation_state"],
        "Trusted"
    );
    // GB 45438's 1 kHz "AI" at the start and the end, over the turned-down
    // 440 Hz soundtrack; the middle is the soundtrack as it was.
    let (before, after) = (audio_samples(&src), audio_samples(&tone));
    let second =
        |a: &[f32], s: f64| a[(s * 16000.0) as usize..((s + 0.5) * 16000.0) as usize].to_vec();
    for at in [0.1, 5.2] {
        let (b, a) = (second(&before, at), second(&after, at));
        assert!(
            strength(&a, 1000.0) > 10.0 * strength(&b, 1000.0),
            "1 kHz at {at} s"
        );
        assert!(
            strength(&a, 440.0) < 0.5 * strength(&b, 440.0),
            "soundtrack ducked at {at} s"
        );
    }
    let (b, a) = (second(&before, 3.0), second(&after, 3.0));
    assert!(
        (strength(&a, 440.0) / strength(&b, 440.0) - 1.0).abs() < 0.1,
        "middle untouched"
    );
    assert_eq!(
        frame_md5s(&src),
        frame_md5s(&tone),
        "the pictures are copied"
    );

    // The spoken notice, at the start by default.
    let voice = sb.path("voice.mp4");
    assert_ok(&sb.label(&src, &voice, &["--notice-style", "voice"]));
    let (entry, _) = sb.verify(&voice, true);
    assert_eq!(
        entry["disclosure"]["perceivableNotice"]["position"], "start",
        "{entry}"
    );
    let spoken = audio_samples(&voice);
    let (b, a) = (second(&before, 0.5), second(&spoken, 0.5));
    assert!(
        strength(&a, 440.0) < 0.5 * strength(&b, 440.0),
        "soundtrack ducked under the voice"
    );
    assert_eq!(frame_md5s(&src), frame_md5s(&voice));
}

#[test]
fn the_label_carries_a_frame_as_thumbnail_and_the_report_shows_a_poster() {
    let sb = Sandbox::new();
    let dir = sb.path("batch");
    std::fs::create_dir(&dir).unwrap();
    let src = sb.path("clip.mp4");
    clip(
        &src,
        "640x360",
        3,
        &["-c:v", "libx264", "-b:v", "500k"],
        &[],
    );
    let (noticed, _) = label_with_notice(&sb, &src, &[]);
    std::fs::copy(&noticed, dir.join("noticed.mp4")).unwrap();
    // The thumbnail is a frame of what was signed: the badge is in it.
    let inspect = sb.run(&["inspect", "--json", noticed.to_str().unwrap()]);
    assert_ok(&inspect);
    let store = text(&inspect.stdout);
    assert!(
        store.contains("c2pa.thumbnail.claim"),
        "no claim thumbnail: {store}"
    );
    let theirs = sb.c2pa_read(&noticed, "video/mp4");
    assert_eq!(theirs["validation_state"], "Trusted");
    let html = sb.path("report.html");
    let anchor = sb.anchor();
    let o = sb.run(&[
        "check",
        dir.to_str().unwrap(),
        "--policy",
        "kz",
        "--trust",
        anchor.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert!(o.status.code().is_some(), "{}", text(&o.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("noticed.mp4"), "the video is listed");
    assert!(
        page.contains("data:image/jpeg;base64,"),
        "a poster frame is shown"
    );
}
