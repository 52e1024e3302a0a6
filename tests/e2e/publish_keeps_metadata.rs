//! Publishing keeps what it received (issue 15, section 5): after `tamga
//! publish`, with or without `--fix`, every metadata block of the input is
//! still there, in every format, read by an independent reader (exiftool):
//! the tags before are a subset of the tags after, with equal values, except
//! the few a notice legitimately changes. The inputs are the samples made
//! richer first: IPTC digital source type, Photoshop and IPTC-IIM data, GPS,
//! EXIF, a custom XMP namespace and comments (exiftool), audio tags (ffmpeg).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::Value;

use crate::util::{assert_ok, sample, text, Sandbox};

const DST: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

/// How a sample is made richer before labelling.
#[derive(Clone, Copy)]
enum Rich {
    /// exiftool writes XMP (four namespaces), IPTC-IIM, EXIF with GPS and
    /// a comment, wherever the format has room for them.
    Exiftool,
    /// ffmpeg writes the format's own audio tags (ID3, Vorbis comments,
    /// RIFF INFO, M4A ilst).
    Ffmpeg,
    /// No writer for the format: the sample as it is.
    AsIs,
}

const CASES: [(&str, Rich); 14] = [
    ("sample.jpg", Rich::Exiftool),
    ("sample.png", Rich::Exiftool),
    ("sample.webp", Rich::Exiftool),
    ("sample.gif", Rich::Exiftool),
    ("sample.tif", Rich::Exiftool),
    ("sample.jxl", Rich::Exiftool),
    ("sample.heic", Rich::Exiftool),
    ("sample.avif", Rich::Exiftool),
    ("sample.svg", Rich::AsIs),
    ("sample.m4a", Rich::Ffmpeg),
    ("sample.mp3", Rich::Ffmpeg),
    ("sample.flac", Rich::Ffmpeg),
    ("sample.wav", Rich::Ffmpeg),
    ("text/en.md", Rich::AsIs),
];

/// An exiftool config declaring a namespace no library knows, so the test
/// shows that unknown XMP survives, not only the well-known schemas.
const EXIFTOOL_CONFIG: &str = r#"
%Image::ExifTool::UserDefined = (
    'Image::ExifTool::XMP::Main' => {
        tamgatest => { SubDirectory => { TagTable => 'Image::ExifTool::UserDefined::tamgatest' } },
    },
);
%Image::ExifTool::UserDefined::tamgatest = (
    GROUPS => { 0 => 'XMP', 1 => 'XMP-tamgatest', 2 => 'Image' },
    NAMESPACE => { 'tamgatest' => 'http://example.com/ns/tamga-test/1.0/' },
    WRITABLE => 'string',
    Note => { },
);
1;
"#;

fn config(sb: &Sandbox) -> PathBuf {
    let path = sb.path("exiftool.config");
    if !path.exists() {
        std::fs::write(&path, EXIFTOOL_CONFIG).unwrap();
    }
    path
}

fn exiftool(sb: &Sandbox) -> Command {
    let mut c = Command::new("exiftool");
    c.arg("-config").arg(config(sb));
    c
}

/// The sample `name` made richer, in the sandbox.
fn enriched(sb: &Sandbox, name: &str, rich: Rich) -> PathBuf {
    let file_name = name.rsplit('/').next().unwrap();
    let out = sb.path(&format!("rich-{file_name}"));
    match rich {
        Rich::AsIs => {
            std::fs::copy(sample(name), &out).unwrap();
        }
        Rich::Ffmpeg => {
            let o = Command::new("ffmpeg")
                .args(["-v", "error", "-y", "-i"])
                .arg(sample(name))
                .args(["-map", "0", "-c", "copy"])
                .args(["-metadata", "title=A title"])
                .args(["-metadata", "artist=An artist"])
                .args(["-metadata", "album=An album"])
                .args(["-metadata", "comment=a comment"])
                .arg(&out)
                .output()
                .expect("ffmpeg runs (Debian: ffmpeg, installed by .ci/run)");
            assert!(o.status.success(), "ffmpeg: {}", text(&o.stderr));
        }
        Rich::Exiftool => {
            std::fs::copy(sample(name), &out).unwrap();
            // `-m`: a tag a format has no room for is a minor warning, and
            // every other tag is still written.
            let o = exiftool(sb)
                .args(["-m", "-q", "-overwrite_original"])
                .arg(format!("-XMP-iptcExt:DigitalSourceType={DST}"))
                .args([
                    "-XMP-dc:Title=A title",
                    "-XMP-photoshop:Credit=Photoshop credit",
                    "-XMP-tamgatest:Note=a property in a custom namespace",
                    "-IPTC:Keywords=kw1",
                    "-IPTC:By-line=Someone",
                    "-EXIF:Artist=Arty",
                    "-GPSLatitude=43.2",
                    "-GPSLatitudeRef=N",
                    "-GPSLongitude=76.9",
                    "-GPSLongitudeRef=E",
                    "-Comment=a comment",
                ])
                .arg(&out)
                .output()
                .expect("exiftool runs (Debian: libimage-exiftool-perl, installed by .ci/run)");
            assert!(
                o.status.success(),
                "exiftool on {name}: {}",
                text(&o.stderr)
            );
            let tags = tags(sb, &out);
            assert_eq!(
                tags.get("XMP-tamgatest:Note").and_then(Value::as_str),
                Some("a property in a custom namespace"),
                "{name}: the richer input was not made"
            );
        }
    }
    out
}

/// exiftool's view of a file: every tag, by family-1 group.
fn tags(sb: &Sandbox, file: &Path) -> BTreeMap<String, Value> {
    let out = exiftool(sb)
        .args(["-j", "-G1", "-a", "-u"])
        .arg(file)
        .output()
        .expect("exiftool runs");
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("exiftool JSON for {}: {e}", file.display()));
    doc[0]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Tags that may differ after any publication: where and how big the
/// file is, where its media data starts (the manifest before it grew, or
/// c2pa laid the TIFF out anew),
/// values exiftool derives from others (compared at their source), the
/// C2PA manifest store wherever exiftool shows it (the new manifest
/// replaces it and keeps it as its parent). tamga's own XMP properties
/// are compared too: the producer's digital source type must outlive the
/// publication (no policy here hands an AIGC label on).
fn always_changes(tag: &str) -> bool {
    let (group, name) = tag.split_once(':').unwrap_or(("", tag));
    matches!(
        group,
        "SourceFile" | "System" | "Composite" | "CBOR" | "JUMBF" | "Jpeg2000" | "SVG-c2pa"
    ) || tag == "SourceFile"
        || matches!(
            name,
            "MediaData"
                | "MediaDataOffset"
                | "StripOffsets"
                | "TileOffsets"
                | "ID3Size"
                // C2PA's store: a RIFF chunk, TIFF tag 0xCD41, an ID3 GEOB
                // frame, a BMFF `uuid` box exiftool does not name.
                | "Unknown_C2PA"
                | "Exif_0xcd41"
                | "ID3_GEOB"
                | "UUID-Unknown"
        )
}

/// Tags that describe the encoding: they change when the notice re-encodes
/// the media (its compression, sample layout, stream length and the
/// encoder's own header) or adds its words to a text, never what a
/// producer wrote about the content.
fn encoding(tag: &str) -> bool {
    let (group, name) = tag.split_once(':').unwrap_or(("", tag));
    matches!(group, "JFIF" | "MPEG" | "FLAC" | "Track1")
        || matches!(
            name,
            "YCbCrSubSampling"
                | "EncodingProcess"
                | "Compression"
                | "FillOrder"
                | "RowsPerStrip"
                | "StripByteCounts"
                | "PlanarConfiguration"
                | "Predictor"
                | "VP8Version"
                | "HorizontalScale"
                | "VerticalScale"
                | "MediaDataSize"
                | "Duration"
                | "HandlerDescription"
                | "CompatibleBrands"
                | "LineCount"
                | "WordCount"
        )
}

/// What `after` lost or changed of `before`, and the exiftool warnings and
/// errors it has that `before` had not.
fn differences(
    before: &BTreeMap<String, Value>,
    after: &BTreeMap<String, Value>,
    re_encoded: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for (tag, value) in before {
        if always_changes(tag) || (re_encoded && encoding(tag)) {
            continue;
        }
        if tag.starts_with("ExifTool:") {
            continue;
        }
        match after.get(tag) {
            None => out.push(format!("lost {tag} = {value}")),
            Some(v) if v != value => out.push(format!("changed {tag}: {value} -> {v}")),
            Some(_) => {}
        }
    }
    for (tag, value) in after {
        let problem = tag.ends_with(":Warning") || tag.ends_with(":Error");
        if problem && before.get(tag) != Some(value) {
            out.push(format!("new exiftool {tag}: {value}"));
        }
    }
    out
}

const PUBLISHER: &str = "Keepmeta Broadcast";

/// The publisher's keys, and one PEM bundle with both anchors.
fn publisher(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let keys = sb.keys_for("publisher-keys", PUBLISHER);
    let both = sb.anchors_with(&keys);
    (keys, both)
}

/// Labels each richer sample (with the notice or without), publishes it
/// (with `--fix` or without) and checks what the published file kept.
fn publishes_keeping_metadata(labelled_with_notice: bool) {
    let sb = Sandbox::new();
    let (keys, both) = publisher(&sb);
    let mut problems = Vec::new();
    for (name, rich) in CASES {
        let input = enriched(&sb, name, rich);
        let file_name = name.rsplit('/').next().unwrap();
        let labelled = sb.path(&format!("labelled-{file_name}"));
        let extra: &[&str] = if labelled_with_notice {
            &["--notice"]
        } else {
            &[]
        };
        assert_ok(&sb.label(&input, &labelled, extra));
        if !matches!(rich, Rich::AsIs) {
            // Labelling embeds a manifest the same way publishing does, and
            // re-encodes for a notice the same way `--fix` does: it must
            // keep as much. (Its exiftool warnings are not compared:
            // exiftool warns "Invalid ID3 frame size" on the ID3 tag every
            // MP3 and FLAC label has; publishing must add none.)
            let before = tags(&sb, &input);
            let after = tags(&sb, &labelled);
            for p in differences(&before, &after, labelled_with_notice) {
                if !p.starts_with("new exiftool") {
                    problems.push(format!("{name}: label {p}"));
                }
            }
        }
        let published = sb.path(&format!("published-{file_name}"));
        let fix: &[&str] = if labelled_with_notice {
            &[]
        } else {
            &["--fix"]
        };
        let o = sb.publish(&keys, &[&labelled], &published, fix);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o.stderr));
        let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
        let noticed = doc["files"][0]["notice"].is_object();
        assert_eq!(noticed, !labelled_with_notice, "{name}: {doc:#}");

        for p in differences(&tags(&sb, &labelled), &tags(&sb, &published), noticed) {
            problems.push(format!("{name}: publish {p}"));
        }
        let (entry, code) = sb.verify_trusting(&published, &both);
        if entry["verdict"] != "trusted" || code != 0 {
            problems.push(format!("{name}: published file does not verify: {entry}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn publishing_a_file_with_its_notice_keeps_every_metadata_block() {
    publishes_keeping_metadata(true);
}

#[test]
fn publishing_with_fix_keeps_every_metadata_block_but_the_encoding() {
    publishes_keeping_metadata(false);
}
