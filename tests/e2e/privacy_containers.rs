//! Personal data outside JPEG, PNG, WebP and TIFF (issue 21): a phone-like
//! HEIC, AVIF and JPEG XL (EXIF GPS, serial number, artist; XMP creator,
//! all written by exiftool), a GIF's XMP, an MP4's QuickTime tags (ffmpeg's
//! `loci` and keyed list, exiftool's Apple location and XMP box before the
//! media) and a WAV's `INFO` artist are listed where they sit, and
//! `publish --redact personal` takes them out: exiftool and ffprobe find
//! none, the pixels, frames and samples decode as before, and tamga and
//! c2pa-python trust the chain.

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::privacy::{audio_md5, has, items, personal_tags};
use crate::util::{assert_ok, text, Sandbox};

fn exiftool(args: &[&str], file: &Path) {
    let o = Command::new("exiftool")
        .args(["-q", "-overwrite_original"])
        .args(args)
        .arg(file)
        .output()
        .expect("exiftool (apt-get install libimage-exiftool-perl)");
    assert!(o.status.success(), "exiftool {args:?}: {}", text(&o.stderr));
}

const CAMERA: &[&str] = &[
    "-GPSLatitude=43.2383",
    "-GPSLatitudeRef=N",
    "-GPSLongitude=76.9456",
    "-GPSLongitudeRef=E",
    "-Artist=Aigerim Sadykova",
    "-SerialNumber=SN-4471",
    "-XMP-dc:Creator=Aigerim Sadykova",
];

/// Labels `file` with a notice (the kz policy publishes nothing without
/// one), publishes it with `--redact personal`; the published file.
fn label_and_publish(sb: &Sandbox, file: &Path, fields: u64) -> std::path::PathBuf {
    let name = file.file_name().unwrap().to_str().unwrap();
    let labelled = sb.path(&format!("labelled-{name}"));
    assert_ok(&sb.label(file, &labelled, &["--notice"]));
    let out = sb.path(&format!("published-{name}"));
    let o = sb.publish(&sb.keys(), &[&labelled], &out, &["--redact", "personal"]);
    assert_ok(&o);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["files"][0]["redacted"]["fileFields"], fields,
        "{name}: {doc}"
    );
    let (entry, code) = sb.verify(&out, true);
    assert_eq!(
        (entry["verdict"].as_str(), code),
        (Some("trusted"), 0),
        "{name}: {entry}"
    );
    assert!(entry.get("privacy").is_none(), "{name}: {entry}");
    out
}

fn pixels(file: &Path) -> image::RgbaImage {
    image::open(file).unwrap().to_rgba8()
}

/// `djxl` (libjxl-tools, beside cjxl) decodes a JPEG XL to PNG.
fn jxl_pixels(sb: &Sandbox, file: &Path) -> image::RgbaImage {
    let png = sb.path(&format!(
        "{}.png",
        file.file_name().unwrap().to_str().unwrap()
    ));
    let o = Command::new("djxl")
        .arg(file)
        .arg(&png)
        .output()
        .expect("djxl (apt-get install libjxl-tools)");
    assert!(o.status.success(), "djxl: {}", text(&o.stderr));
    pixels(&png)
}

#[test]
fn heif_jpeg_xl_and_gif_metadata_is_listed_and_redacted_in_place() {
    let sb = Sandbox::new();
    for (sample, expected) in [
        ("sample.heic", 8),
        ("sample.avif", 8),
        ("sample.jxl", 8),
        ("sample.gif", 2),
    ] {
        let file = sb.copy_sample(sample);
        if sample.ends_with(".gif") {
            exiftool(
                &[
                    "-XMP:GPSLatitude=43.2383 N",
                    "-XMP-dc:Creator=Aigerim Sadykova",
                ],
                &file,
            );
        } else {
            exiftool(CAMERA, &file);
        }
        let found = items(&sb, &file);
        assert_eq!(found.len(), expected, "{sample}: {found:#?}");
        assert!(
            has(&found, "identity", "XMP", "dc:creator"),
            "{sample}: {found:#?}"
        );
        if !sample.ends_with(".gif") {
            assert!(
                has(&found, "gps", "EXIF", "GPSLatitude"),
                "{sample}: {found:#?}"
            );
            assert!(
                has(&found, "device", "EXIF", "BodySerialNumber"),
                "{sample}"
            );
            assert!(has(&found, "identity", "EXIF", "Artist"), "{sample}");
        }
        let out = label_and_publish(&sb, &file, expected as u64);
        assert!(
            personal_tags(&out).is_empty(),
            "{sample}: {:?}",
            personal_tags(&out)
        );
        let labelled = sb.path(&format!("labelled-{sample}"));
        match sample {
            "sample.gif" => assert!(pixels(&labelled) == pixels(&out), "the pixels changed"),
            "sample.jxl" => assert!(
                jxl_pixels(&sb, &labelled) == jxl_pixels(&sb, &out),
                "the pixels changed"
            ),
            // No HEIF decoder is at hand: their image items are not in the
            // edited ranges (unit-tested byte for byte in tamga-meta).
            _ => {}
        }
    }
    // c2pa-python (another implementation) trusts the redacted JPEG XL.
    let out = sb.path("published-sample.jxl");
    let theirs = crate::interop::py_read(&out, "image/jxl", Some(&sb.anchor()), None);
    assert_eq!(theirs["validation_state"], "Trusted", "{theirs}");
}

/// ffprobe's view of a file's tags (format and streams).
fn ffprobe_tags(file: &Path) -> String {
    let o = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format_tags:stream_tags"])
        .arg(file)
        .output()
        .expect("ffprobe");
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

/// The decoded frames' MD5 (ffmpeg's framemd5 without the header lines).
fn frames_md5(file: &Path) -> String {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-map", "0:v", "-f", "md5", "-"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

#[test]
fn a_videos_quicktime_tags_and_a_recordings_info_names_are_redacted_in_place() {
    let sb = Sandbox::new();
    let clip = sb.path("phone.mp4");
    crate::util::ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x240:rate=25",
        "-t",
        "1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-metadata",
        "location=+43.2383+076.9456/",
        "-metadata",
        "artist=Aigerim Sadykova",
        "-movflags",
        "+faststart",
        clip.to_str().unwrap(),
    ]);
    // exiftool adds Apple's keyed location and an XMP box before `mdat`.
    exiftool(
        &[
            "-Keys:GPSCoordinates=43.2383 N, 76.9456 E",
            "-XMP-dc:Creator=Aigerim Sadykova",
        ],
        &clip,
    );
    let found = items(&sb, &clip);
    assert!(has(&found, "gps", "QuickTime", "loci"), "{found:#?}");
    assert!(has(&found, "identity", "QuickTime", "©ART"), "{found:#?}");
    assert!(
        has(
            &found,
            "gps",
            "QuickTime",
            "com.apple.quicktime.location.ISO6709"
        ),
        "{found:#?}"
    );
    assert!(has(&found, "identity", "XMP", "dc:creator"), "{found:#?}");
    let value = found.iter().find(|i| i["field"] == "loci").unwrap();
    assert_eq!(value["value"], "43.2383,76.9456", "{value}");

    // Labelled without a notice the video keeps every tag and decodes (the
    // XMP box before the media is not moved out from under the chunk
    // offsets).
    let plain = sb.path("plain.mp4");
    assert_ok(&sb.label_plain(&clip, &plain));
    assert_eq!(
        frames_md5(&plain),
        frames_md5(&clip),
        "labelling broke the video"
    );
    assert_eq!(items(&sb, &plain).len(), found.len());

    // With the notice (re-encoded; ffmpeg carries the tags over as a keyed
    // list), then published with --redact personal.
    let labelled = sb.path("labelled-phone.mp4");
    assert_ok(&sb.label(&clip, &labelled, &["--notice"]));
    let carried = items(&sb, &labelled).len() as u64;
    assert!(carried >= 4, "{:#?}", items(&sb, &labelled));
    // The XMP box (exiftool's creator) is carried over the re-encoding.
    assert!(
        has(&items(&sb, &labelled), "identity", "XMP", "dc:creator"),
        "{:#?}",
        items(&sb, &labelled)
    );
    let out = sb.path("published-phone.mp4");
    let o = sb.publish(&sb.keys(), &[&labelled], &out, &["--redact", "personal"]);
    assert_ok(&o);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["files"][0]["redacted"]["fileFields"], carried, "{doc}");
    let tags = ffprobe_tags(&out);
    assert!(
        !tags.contains("Aigerim") && !tags.contains("+43.2383"),
        "{tags}"
    );
    assert!(personal_tags(&out).is_empty(), "{:?}", personal_tags(&out));
    assert_eq!(
        frames_md5(&out),
        frames_md5(&labelled),
        "the frames changed"
    );
    let (entry, code) = sb.verify(&out, true);
    assert_eq!(
        (entry["verdict"].as_str(), code),
        (Some("trusted"), 0),
        "{entry}"
    );

    // A recording's LIST/INFO artist.
    let wav = sb.path("interview.wav");
    crate::util::ffmpeg(&[
        "-i",
        crate::util::sample("sample.wav").to_str().unwrap(),
        "-c",
        "copy",
        "-metadata",
        "artist=Aigerim Sadykova",
        wav.to_str().unwrap(),
    ]);
    assert!(has(&items(&sb, &wav), "identity", "RIFF INFO", "IART"));
    let out = label_and_publish(&sb, &wav, 1);
    assert!(
        !ffprobe_tags(&out).contains("Aigerim"),
        "{}",
        ffprobe_tags(&out)
    );
    assert_eq!(
        audio_md5(&out),
        audio_md5(&sb.path("labelled-interview.wav"))
    );
    let theirs = crate::interop::py_read(&out, "audio/wav", Some(&sb.anchor()), None);
    assert_eq!(theirs["validation_state"], "Trusted", "{theirs}");
}

#[test]
fn an_oggs_comment_header_names_are_listed_for_vorbis_and_opus() {
    let sb = Sandbox::new();
    let vorbis = sb.path("talk.ogg");
    crate::util::ffmpeg(&[
        "-i",
        crate::util::sample("sample.ogg").to_str().unwrap(),
        "-c",
        "copy",
        "-metadata",
        "artist=Aigerim Sadykova",
        "-metadata",
        "title=Talk",
        vorbis.to_str().unwrap(),
    ]);
    let opus = sb.path("talk.opus");
    crate::util::ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:d=1",
        "-c:a",
        "libopus",
        "-metadata",
        "performer=Aigerim Sadykova",
        opus.to_str().unwrap(),
    ]);
    for (file, field) in [(&vorbis, "ARTIST"), (&opus, "PERFORMER")] {
        let found = items(&sb, file);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            has(&found, "identity", "Vorbis comment", field),
            "{found:#?}"
        );
        assert_eq!(found[0]["value"], "Aigerim Sadykova");
        // Labelled (a sidecar: C2PA embeds nothing in Ogg), the verify
        // report lists it too.
        let labelled = sb.path(&format!(
            "labelled-{}",
            file.file_name().unwrap().to_str().unwrap()
        ));
        assert_ok(&sb.label(file, &labelled, &["--sidecar"]));
        let (entry, _) = sb.verify(&labelled, true);
        let privacy = entry["privacy"].to_string();
        assert!(privacy.contains(field), "{entry}");
    }
}
