//! A spoken or tone notice in a video's sound (issue 20): mixed over the
//! soundtrack, pictures copied.

use std::{path::Path, process::Command};

use crate::util::{assert_ok, text, Sandbox};
use crate::video_util::{clip, frame_md5s};

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
