//! The notice on video (issue 20): the badge burnt into the opening
//! frames by ffmpeg, everything else carried over, the label trusted by
//! tamga and c2pa-python.

use std::path::Path;

use serde_json::Value;

use crate::util::{text, Sandbox};
use crate::video_util::{
    audio_md5, clip, corner_difference, ffmpeg, frame, frame_md5s, label_with_notice,
    label_with_notice_said, probe, video_bit_rate,
};

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
    // A moov that declares 100 hours (mvhd's duration patched): refused by
    // the limit before ffmpeg starts, not decoded for hours.
    let long = sb.path("long.mp4");
    let mut patched = bytes.clone();
    let mvhd = patched.windows(4).position(|w| w == b"mvhd").unwrap();
    assert_eq!(patched[mvhd + 4], 0, "a version 0 mvhd");
    let scale = u32::from_be_bytes(patched[mvhd + 16..mvhd + 20].try_into().unwrap());
    patched[mvhd + 20..mvhd + 24].copy_from_slice(&(scale * 360_000).to_be_bytes());
    std::fs::write(&long, &patched).unwrap();
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
        long.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("voice.mp4") && err.contains("no video track"),
        "{err}"
    );
    assert!(err.contains("truncated.mp4"), "{err}");
    assert!(
        err.contains("long.mp4") && err.contains("limit is 86400"),
        "{err}"
    );
    assert!(out.join("good.mp4").is_file(), "the batch went on: {err}");
    assert!(!out.join("voice.mp4").exists() && !out.join("truncated.mp4").exists());
    // Without ffprobe (or ffmpeg): one line naming the file and what to
    // install or set, and nothing written.
    let again = sb.path("again.mp4");
    let o = sb
        .cmd()
        .env("TAMGA_FFPROBE", sb.path("no-such-ffprobe"))
        .args([
            "label",
            "--ai",
            "generated",
            "--keys",
            keys.to_str().unwrap(),
            "--notice",
        ])
        .args(["-o", again.to_str().unwrap(), good.to_str().unwrap()])
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("good.mp4") && err.contains("install ffprobe or set TAMGA_FFPROBE"),
        "{err}"
    );
    assert!(!again.exists());
}

/// An ffmpeg that never finishes (a crafted video can do that) is killed
/// when the file's time budget runs out: the file is one error entry, the
/// batch goes on, and no ffmpeg is left running after tamga exits.
#[test]
fn an_ffmpeg_that_hangs_is_killed_at_the_files_deadline() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let pids = sb.path("pids");
    let hang = sb.path("hanging-ffmpeg");
    std::fs::write(
        &hang,
        format!(
            "#!/bin/sh\necho $$ >> '{}'\nexec sleep 300\n",
            pids.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&hang, std::fs::Permissions::from_mode(0o755)).unwrap();
    let batch = sb.path("batch");
    std::fs::create_dir(&batch).unwrap();
    clip(
        &batch.join("a.mp4"),
        "320x240",
        2,
        &["-c:v", "libx264", "-b:v", "300k"],
        &[],
    );
    std::fs::copy(crate::util::sample("sample.png"), batch.join("b.png")).unwrap();
    let keys = sb.keys();
    let out = sb.path("out");
    let o = sb
        .cmd()
        .env("TAMGA_FFMPEG", &hang)
        .args([
            "label",
            batch.to_str().unwrap(),
            "--ai",
            "generated",
            "--notice",
        ])
        .args(["--timeout", "2", "--keys", keys.to_str().unwrap()])
        .args(["-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    let said = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(out.join("b.png").exists(), "the batch went on: {said}");
    assert!(!out.join("a.mp4").exists(), "{said}");
    assert!(said.contains("a.mp4") && said.contains("budget"), "{said}");
    for pid in std::fs::read_to_string(&pids).unwrap().lines() {
        // Gone, or killed and not yet reaped by init (a zombie).
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let state = status
            .lines()
            .find(|l| l.starts_with("State:"))
            .unwrap_or("gone");
        assert!(
            state == "gone" || state.contains("zombie"),
            "ffmpeg (pid {pid}) outlived tamga: {state}"
        );
    }
}

/// A clip joined from others (ffmpeg's concat demuxer, as editors and
/// pipelines make them) has timestamps that do not start at zero; the head
/// is still cut at the key frame by frame count and the rest copied, with
/// not one frame lost or repeated.
#[test]
fn a_joined_clip_keeps_every_frame_and_its_tail_is_copied() {
    let sb = Sandbox::new();
    let piece = sb.path("piece.mp4");
    clip(
        &piece,
        "320x240",
        3,
        &["-c:v", "libx264", "-b:v", "300k", "-bf", "2"],
        &[],
    );
    let list = sb.path("list.txt");
    let line = format!("file '{}'\n", piece.display());
    std::fs::write(&list, line.repeat(3)).unwrap();
    let src = sb.path("joined.mp4");
    ffmpeg(&[
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        list.to_str().unwrap(),
        "-c",
        "copy",
        src.to_str().unwrap(),
    ]);
    let start: f64 = probe(&src)["streams"][0]["start_time"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(start > 0.0, "the joined clip's video starts at {start}");
    let (out, _, said) = label_with_notice_said(&sb, &src, &[]);
    assert!(said.contains("the rest copied unchanged"), "{said}");
    let (before, after) = (frame_md5s(&src), frame_md5s(&out));
    assert_eq!(before.len(), after.len(), "no frame lost or repeated");
    assert_eq!(before.last(), after.last(), "the tail is copied");
}
