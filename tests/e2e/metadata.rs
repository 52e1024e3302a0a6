//! Platform metadata (issue 4): the IPTC digital source type and AI system
//! in XMP, and the GB 45438 AIGC label, written before signing so the
//! files still verify, and read back by an independent reader (exiftool).

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::util::{assert_ok, sample, text, Sandbox};

const DST: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

/// Every format that carries the metadata, and whether it carries XMP
/// (FLAC has no XMP; Markdown keeps only the AIGC front matter).
const FORMATS: [(&str, bool); 14] = [
    ("sample.jpg", true),
    ("sample.png", true),
    ("sample.webp", true),
    ("sample.gif", true),
    ("sample.tif", true),
    ("sample.svg", true),
    ("sample.avif", true),
    ("sample.heic", true),
    ("sample.m4a", true),
    ("sample.jxl", true),
    ("sample.wav", true),
    ("sample.mp3", true),
    ("sample.flac", false),
    ("text/en.md", false),
];

/// exiftool's view of a file: every tag, unknown ones included, by group.
fn exiftool(file: &Path) -> Value {
    let mut doc = exiftool_json(file);
    // exiftool shows long unknown values (the RIFF AIGC chunk) as
    // "(Binary data …)": fetch those raw.
    let binary: Vec<String> = doc
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| {
            k.contains("AIGC") && v.as_str().is_some_and(|s| s.contains("Binary data"))
        })
        .map(|(k, _)| k.clone())
        .collect();
    for key in binary {
        let raw = Command::new("exiftool")
            .args(["-b", "-u", &format!("-{key}")])
            .arg(file)
            .output()
            .unwrap();
        doc[&key] = Value::String(text(&raw.stdout));
    }
    doc
}

fn exiftool_json(file: &Path) -> Value {
    let out = Command::new("exiftool")
        .args(["-j", "-a", "-G1", "-u", "-struct"])
        .arg(file)
        .output()
        .expect("exiftool runs (Debian: libimage-exiftool-perl, installed by .ci/run)");
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("exiftool JSON for {}: {e}", file.display()));
    doc[0].clone()
}

/// The values of tags whose name (after the group) ends with `suffix`,
/// outside the C2PA manifest (which exiftool decodes too, as CBOR).
fn tags_ending(doc: &Value, suffix: &str) -> Vec<String> {
    doc.as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !k.starts_with("CBOR:") && !k.starts_with("Jpeg2000:"))
        .filter(|(k, _)| k.rsplit(':').next().is_some_and(|n| n.ends_with(suffix)))
        .map(|(_, v)| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect()
}

fn name_of(sample_name: &str) -> &str {
    sample_name.rsplit('/').next().unwrap()
}

#[test]
fn exiftool_reads_the_source_type_and_one_aigc_label_from_every_format_and_they_verify() {
    let sb = Sandbox::new();
    for (name, xmp) in FORMATS {
        let out = sb.path(&format!("cn-{}", name_of(name)));
        assert_ok(&sb.label(
            &sample(name),
            &out,
            &["--profile", "cn", "--aigc-producer", "Newsroom-7"],
        ));
        let tags = exiftool(&out);
        if xmp {
            assert_eq!(
                tags_ending(&tags, "DigitalSourceType"),
                [DST],
                "{name}: {tags}"
            );
            assert_eq!(tags_ending(&tags, "AISystemUsed"), ["Test Model"], "{name}");
            assert_eq!(tags_ending(&tags, "AISystemVersionUsed"), ["2.1"], "{name}");
        }
        let aigc: Vec<String> = if name.ends_with(".md") {
            let s = std::fs::read_to_string(&out).unwrap();
            s.lines()
                .filter(|l| l.starts_with("AIGC:"))
                .map(str::to_owned)
                .collect()
        } else {
            tags_ending(&tags, "Aigc")
                .into_iter()
                .chain(tags_ending(&tags, "AIGC"))
                .chain(
                    tags_ending(&tags, "UserDefinedText")
                        .into_iter()
                        .filter(|v| v.contains("AIGC")),
                )
                .collect()
        };
        assert_eq!(aigc.len(), 1, "{name}: exactly one AIGC label: {aigc:?}");
        for want in [
            r#""Label":"1""#,
            r#""ContentProducer":"Newsroom-7""#,
            r#""ReservedCode1":""#,
        ] {
            assert!(aigc[0].contains(want), "{name}: {want} in {}", aigc[0]);
        }

        let (entry, code) = sb.verify(&out, true);
        assert_eq!(
            (entry["verdict"].as_str(), code),
            (Some("trusted"), 0),
            "{name}: {entry}"
        );
        let meta = &entry["platform_metadata"];
        assert_eq!(
            meta["aigc"].as_array().map(Vec::len),
            Some(1),
            "{name}: {meta}"
        );
        assert_eq!(meta["aigc"][0]["signature"], "valid", "{name}: {meta}");
        assert_eq!(
            meta["aigc"][0]["label"]["ContentProducer"], "Newsroom-7",
            "{name}"
        );
        if xmp {
            assert_eq!(meta["digitalSourceTypes"][0], DST, "{name}: {meta}");
        }
    }
}

#[test]
fn without_a_profile_xmp_is_written_and_aigc_is_not_and_no_xmp_turns_xmp_off() {
    let sb = Sandbox::new();
    let plain = sb.path("plain.png");
    assert_ok(&sb.label(&sample("sample.png"), &plain, &[]));
    let tags = exiftool(&plain);
    assert_eq!(tags_ending(&tags, "DigitalSourceType"), [DST]);
    assert!(tags_ending(&tags, "AIGC").is_empty(), "{tags}");

    let bare = sb.path("bare.png");
    assert_ok(&sb.label(&sample("sample.png"), &bare, &["--no-xmp"]));
    assert!(tags_ending(&exiftool(&bare), "DigitalSourceType").is_empty());
    let (entry, _) = sb.verify(&bare, true);
    assert_eq!(entry["verdict"], "trusted");
    assert!(entry.get("platform_metadata").is_none(), "{entry}");
}

#[test]
fn existing_xmp_is_kept_and_relabelling_leaves_one_copy() {
    let sb = Sandbox::new();
    let input = sb.copy_sample("sample.jpg");
    let st = Command::new("exiftool")
        .args(["-q", "-overwrite_original", "-XMP-dc:Title=Harbour at dawn"])
        .arg(&input)
        .status()
        .unwrap();
    assert!(st.success());
    let once = sb.path("once.jpg");
    let twice = sb.path("twice.jpg");
    assert_ok(&sb.label(&input, &once, &["--aigc"]));
    assert_ok(&sb.label(&once, &twice, &["--aigc", "--aigc-id", "second-edition"]));
    let tags = exiftool(&twice);
    assert_eq!(tags_ending(&tags, "Title"), ["Harbour at dawn"], "{tags}");
    assert_eq!(tags_ending(&tags, "DigitalSourceType"), [DST]);
    let aigc = tags_ending(&tags, "Aigc");
    assert_eq!(aigc.len(), 1, "{aigc:?}");
    assert!(aigc[0].contains(r#""ProduceID":"second-edition""#));
    let (entry, _) = sb.verify(&twice, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
    assert_eq!(
        entry["manifests"], 2,
        "the first label is kept as the parent"
    );
}

#[test]
fn a_forged_aigc_label_fails_its_signature_and_breaks_the_c2pa_binding() {
    let sb = Sandbox::new();
    let out = sb.path("forged.md");
    assert_ok(&sb.label(
        &sample("text/en.md"),
        &out,
        &["--aigc", "--aigc-id", "AAAA"],
    ));
    let labelled = std::fs::read_to_string(&out).unwrap();
    // Same length, another ProduceID: a label lifted onto other content.
    let forged = labelled.replacen(r#""ProduceID":"AAAA""#, r#""ProduceID":"BBBB""#, 1);
    assert_ne!(forged, labelled);
    std::fs::write(&out, forged).unwrap();
    let (entry, code) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert_ne!(code, 0);
    assert_eq!(
        entry["platform_metadata"]["aigc"][0]["signature"], "invalid",
        "{entry}"
    );
    let warnings = entry["warnings"].to_string();
    assert!(
        warnings.contains("ReservedCode1 does not verify"),
        "{warnings}"
    );
}

#[test]
fn a_producer_gb_45438_forbids_is_a_clear_error() {
    let sb = Sandbox::new();
    let out = sb.path("bad.png");
    let run = sb.label(
        &sample("sample.png"),
        &out,
        &["--aigc", "--aigc-producer", "Tamga Demo"],
    );
    assert!(!run.status.success());
    let err = text(&run.stderr);
    assert!(err.contains("printable ASCII without spaces"), "{err}");
    assert!(!out.exists(), "nothing is written on failure");
}

#[test]
fn asking_for_aigc_where_it_cannot_go_says_so() {
    let sb = Sandbox::new();
    for (input, extra, want) in [
        ("text/ru.txt", vec![], "text has no metadata field"),
        (
            "sample.png",
            vec!["--sidecar"],
            "with --sidecar the media file is left unchanged",
        ),
    ] {
        let out = sb.path(&format!("w-{}", name_of(input)));
        let mut args = vec!["--aigc", "--json"];
        args.extend(extra);
        let run = sb.label(&sample(input), &out, &args);
        assert_ok(&run);
        let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
        let warnings = doc["labelled"][0]["warnings"].to_string();
        assert!(warnings.contains(want), "{input}: {warnings}");
    }
}
