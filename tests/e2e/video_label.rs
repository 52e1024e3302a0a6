//! A labelled video (issue 20): tampering shows, and the label carries a
//! frame as its thumbnail that check's HTML report shows.

use crate::util::{assert_ok, text, Sandbox};
use crate::video_util::{clip, corner_difference, frame, label_with_notice};

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

#[test]
fn webm_and_matroska_take_a_sidecar_and_the_notice() {
    let sb = Sandbox::new();
    let webm = sb.path("clip.webm");
    clip(
        &webm,
        "320x240",
        3,
        &[
            "-c:v",
            "libvpx-vp9",
            "-b:v",
            "400k",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
        ],
        &["-c:a", "libopus"],
    );
    let mkv = sb.path("clip.mkv");
    clip(
        &mkv,
        "320x240",
        3,
        &["-c:v", "libx264", "-b:v", "400k"],
        &[],
    );
    for src in [webm, mkv] {
        let name = src.file_name().unwrap().to_str().unwrap().to_string();
        // c2pa 0.90 cannot embed into Matroska: said, with the way out.
        let out = sb.path(&format!("labelled-{name}"));
        let o = sb.label(&src, &out, &[]);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(text(&o.stderr).contains("--sidecar"), "{}", text(&o.stderr));
        let o = sb.label(&src, &out, &["--sidecar", "--notice"]);
        assert_ok(&o);
        let sidecar = sb.path(&format!("labelled-{name}.c2pa"));
        assert!(sidecar.is_file(), "{name}: no sidecar");
        let (entry, code) = sb.verify(&out, true);
        assert_eq!(
            (entry["verdict"].as_str(), code),
            (Some("trusted"), 0),
            "{entry}"
        );
        assert_eq!(entry["disclosure"]["perceivableNotice"]["style"], "badge");
        let d = corner_difference(&frame(&src, 1.0), &frame(&out, 1.0));
        assert!(d > 40.0, "{name}: badge at 1 s: {d}");
        // One changed byte of the video breaks the sidecar's hash.
        let mut bytes = std::fs::read(&out).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x20;
        std::fs::write(&out, &bytes).unwrap();
        let (entry, _) = sb.verify(&out, true);
        assert_eq!(entry["verdict"], "invalid", "{entry}");
    }
}

#[test]
fn publish_fix_adds_the_badge_to_a_video_and_stamps_it() {
    let sb = Sandbox::new();
    let inbox = sb.path("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let src = sb.path("clip.mp4");
    clip(
        &src,
        "480x270",
        4,
        &["-c:v", "libx264", "-b:v", "500k"],
        &[],
    );
    assert_ok(&sb.label(&src, &inbox.join("clip.mp4"), &[]));
    let publisher = sb.keys_for("publisher-keys", "Evening News");
    let anchors = sb.anchors_with(&publisher);
    let out = sb.path("out");
    let o = sb.run(&[
        "publish",
        "--json",
        "--trust",
        anchors.to_str().unwrap(),
        "--keys",
        publisher.to_str().unwrap(),
        "--policy",
        "kz",
        "--fix",
        "-o",
        out.to_str().unwrap(),
        inbox.to_str().unwrap(),
    ]);
    assert_ok(&o);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entry = &doc["files"][0];
    assert_eq!(entry["published"], true, "{doc:#}");
    assert_eq!(entry["notice"]["style"], "badge", "{doc:#}");
    let published = out.join("clip.mp4");
    let (v, code) = sb.verify_trusting(&published, &anchors);
    assert_eq!((v["verdict"].as_str(), code), (Some("trusted"), 0), "{v}");
    let d = corner_difference(&frame(&src, 1.0), &frame(&published, 1.0));
    assert!(d > 40.0, "the published video carries the badge: {d}");
}

#[test]
fn a_fragmented_mp4_is_labelled_and_trusted_by_tamga_and_c2pa_python() {
    let sb = Sandbox::new();
    let src = sb.path("plain.mp4");
    clip(
        &src,
        "320x240",
        4,
        &["-c:v", "libx264", "-b:v", "300k"],
        &[],
    );
    // Fragmented as live streams and DASH write it: moof boxes, an empty moov.
    let frag = sb.path("fragmented.mp4");
    crate::video_util::ffmpeg(&[
        "-i",
        src.to_str().unwrap(),
        "-c",
        "copy",
        "-movflags",
        "frag_keyframe+empty_moov",
        frag.to_str().unwrap(),
    ]);
    assert!(std::fs::read(&frag)
        .unwrap()
        .windows(4)
        .any(|w| w == b"moof"));
    let out = sb.path("labelled.mp4");
    assert_ok(&sb.label(&frag, &out, &[]));
    let (entry, code) = sb.verify(&out, true);
    assert_eq!(
        (entry["verdict"].as_str(), code),
        (Some("trusted"), 0),
        "{entry}"
    );
    let theirs = sb.c2pa_read(&out, "video/mp4");
    assert_eq!(theirs["validation_state"], "Trusted", "{theirs}");
    // With the notice it stays fragmented.
    let (noticed, _) = label_with_notice(&sb, &frag, &[]);
    let bytes = std::fs::read(&noticed).unwrap();
    assert!(
        bytes.windows(4).any(|w| w == b"moof"),
        "the noticed copy is fragmented"
    );
}

/// An AI edit of a video (no label yet) goes through the streaming
/// signer too: the file becomes the parent ingredient with a `c2pa.opened`
/// action, as c2pa's own `Builder::sign` makes it, and c2pa-python trusts it.
#[test]
fn an_edited_video_and_m4a_record_their_parent_and_are_trusted_by_c2pa_python() {
    let sb = Sandbox::new();
    let src = sb.path("clip.mp4");
    clip(
        &src,
        "320x240",
        2,
        &["-c:v", "libx264", "-b:v", "300k"],
        &[],
    );
    for (input, mime) in [
        (src, "video/mp4"),
        (sb.copy_sample("sample.m4a"), "audio/mp4"),
    ] {
        let out = sb.path(&format!(
            "edited-{}",
            input.file_name().unwrap().to_str().unwrap()
        ));
        assert_ok(&sb.label_ai(&input, &out, "edited"));
        let (entry, code) = sb.verify(&out, true);
        assert_eq!(
            (entry["verdict"].as_str(), code),
            (Some("trusted"), 0),
            "{entry}"
        );
        assert_eq!(entry["disclosure"]["ai"], "edited", "{entry}");
        let theirs = sb.c2pa_read(&out, mime);
        assert_eq!(theirs["validation_state"], "Trusted", "{theirs}");
        let o = sb.run(&["inspect", "--json", out.to_str().unwrap()]);
        assert_ok(&o);
        let store = text(&o.stdout);
        assert!(store.contains("\"parentOf\""), "{store}");
        assert!(store.contains("c2pa.opened"), "{store}");
    }
}
