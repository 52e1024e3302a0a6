//! Personal data in provenance (issue 21): what a camera-like file carries
//! in its EXIF and XMP (written by exiftool) and in a manifest another tool
//! signed (c2pa-python: `stds.exif` with GPS and a serial number, a prompt
//! in a vendor assertion and in the action's parameters, an ingredient's
//! thumbnail) is listed with where it sits; `check` warns with the policy's
//! clause; `publish --redact` takes it out, the chain still valid.

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::util::{assert_ok, root, text, Sandbox};

/// A JPEG as a phone camera leaves it: GPS, serial numbers, the owner's
/// name in EXIF and XMP.
pub fn camera_jpeg(sb: &Sandbox, name: &str) -> std::path::PathBuf {
    let out = sb.copy_sample("sample.jpg");
    let cam = sb.path(name);
    std::fs::rename(&out, &cam).unwrap();
    let o = Command::new("exiftool")
        .args(["-q", "-overwrite_original"])
        .args(["-GPSLatitude=43.24", "-GPSLatitudeRef=N"])
        .args(["-GPSLongitude=76.95", "-GPSLongitudeRef=E"])
        .args(["-EXIF:SerialNumber=SN-12345", "-LensSerialNumber=LS-678"])
        .args(["-Artist=Aigerim Sadykova", "-OwnerName=Aigerim Sadykova"])
        .args([
            "-XMP-dc:Creator=Aigerim Sadykova",
            "-XMP-aux:SerialNumber=SN-12345",
        ])
        .arg(&cam)
        .output()
        .expect("exiftool (apt-get install libimage-exiftool-perl)");
    assert!(o.status.success(), "{}", text(&o.stderr));
    cam
}

/// `src` signed by c2pa-python with personal data in its manifest.
pub fn signed_with_personal_manifest(sb: &Sandbox, src: &Path, dest: &Path) {
    crate::interop::py_sign(sb, "c2pa_sign_personal.py", src, dest, "image/jpeg");
}

pub fn items(sb: &Sandbox, file: &Path) -> Vec<Value> {
    let o = sb.run(&["inspect", "--privacy", "--json", file.to_str().unwrap()]);
    assert_ok(&o);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["schema"], "tamga.privacy/1");
    doc["files"][0]["items"].as_array().unwrap().clone()
}

pub fn has(items: &[Value], kind: &str, place: &str, field: &str) -> bool {
    items
        .iter()
        .any(|i| i["kind"] == kind && i["where"] == place && i["field"] == field)
}

#[test]
fn personal_data_in_metadata_and_manifests_is_listed_where_it_sits() {
    let sb = Sandbox::new();
    let cam = camera_jpeg(&sb, "camera.jpg");
    let signed = sb.path("signed.jpg");
    signed_with_personal_manifest(&sb, &cam, &signed);
    let found = items(&sb, &signed);
    for (kind, place, field) in [
        ("gps", "EXIF", "GPSLatitude"),
        ("gps", "EXIF", "GPSLongitude"),
        ("device", "EXIF", "BodySerialNumber"),
        ("device", "EXIF", "LensSerialNumber"),
        ("identity", "EXIF", "Artist"),
        ("identity", "EXIF", "CameraOwnerName"),
        ("identity", "XMP", "dc:creator"),
        ("device", "XMP", "aux:SerialNumber"),
        ("gps", "manifest", "exif:GPSLatitude"),
        ("device", "manifest", "exifEX:BodySerialNumber"),
        ("prompts", "manifest", "com.example.generation"),
        (
            "prompts",
            "manifest",
            "actions[0].parameters.com.example.prompt",
        ),
        ("ingredient-thumbnails", "manifest", "thumbnail"),
    ] {
        assert!(
            has(&found, kind, place, field),
            "no {kind} {place} {field}: {found:#?}"
        );
    }
    let lat = found.iter().find(|i| i["field"] == "GPSLatitude").unwrap();
    assert_eq!(lat["value"], "43 14 24");
    let stds = found
        .iter()
        .find(|i| i["field"] == "exif:GPSLatitude")
        .unwrap();
    assert_eq!(stds["assertion"], "stds.exif");
    assert!(stds["manifest"].as_str().unwrap().starts_with("urn:c2pa:"));
    // The prompt in the actions is part of the AI disclosure.
    let in_actions = found
        .iter()
        .find(|i| i["field"] == "actions[0].parameters.com.example.prompt")
        .unwrap();
    assert_eq!(in_actions["redactable"], false);
    assert!(found
        .iter()
        .filter(|i| i["where"] != "manifest")
        .all(|i| i["redactable"] == true));
    // The same list is verify's `privacy` section.
    let (entry, _) = sb.verify(&signed, true);
    assert_eq!(
        entry["privacy"].as_array().unwrap().len(),
        found.len(),
        "{entry}"
    );
    // A clean file lists nothing; one missing file is one error, the
    // others are still listed.
    let clean = sb.copy_sample("sample.png");
    let o = sb.run(&[
        "inspect",
        "--privacy",
        signed.to_str().unwrap(),
        "missing.jpg",
        clean.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let said = text(&o.stdout);
    assert!(
        said.contains("signed.jpg: ") && said.contains("item(s)"),
        "{said}"
    );
    assert!(said.contains("missing.jpg"), "{said}");
    assert!(
        said.contains("nothing found that identifies a person"),
        "{said}"
    );
}

#[test]
fn check_warns_with_the_policys_clause_and_a_policy_can_ask_for_a_fix() {
    let sb = Sandbox::new();
    let cam = camera_jpeg(&sb, "camera.jpg");
    let labelled = sb.path("labelled.jpg");
    assert_ok(&sb.label(&cam, &labelled, &["--notice"]));
    let anchor = sb.anchor();
    let o = sb.run(&[
        "check",
        "--policy",
        "kz",
        "--trust",
        anchor.to_str().unwrap(),
        labelled.to_str().unwrap(),
    ]);
    let said = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "published with a note: {said}");
    assert!(
        said.contains("privacy: the file carries data that can identify a person"),
        "{said}"
    );
    assert!(said.contains("Personal Data Law"), "{said}");
    assert!(said.contains("tamga inspect --privacy"), "{said}");
    // A policy that wants personal data redacted first.
    let kz = std::fs::read_to_string(root().join("crates/gate/policies/kz.toml")).unwrap();
    let strict = sb.path("strict.toml");
    std::fs::write(
        &strict,
        kz.replace("[privacy]\n", "[privacy]\n# stricter\n")
            .replace(
                "verdict = \"publish\"\nclause = \"Personal",
                "verdict = \"fix\"\nclause = \"Personal",
            ),
    )
    .unwrap();
    let o = sb.run(&[
        "check",
        "--json",
        "--policy",
        strict.to_str().unwrap(),
        "--trust",
        anchor.to_str().unwrap(),
        labelled.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &doc["files"][0];
    assert_eq!(f["verdict"], "fix", "{f}");
    assert!(f["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == "privacy"));
}

/// exiftool's view of `file`, every group.
pub fn exiftool_tags(file: &Path) -> String {
    let o = Command::new("exiftool")
        .args(["-a", "-G1", "-s"])
        .arg(file)
        .output()
        .unwrap();
    text(&o.stdout)
}

/// The personal tags exiftool still finds.
pub fn personal_tags(file: &Path) -> Vec<String> {
    exiftool_tags(file)
        .lines()
        .filter(|l| {
            let tag = l.split(':').next().unwrap_or_default().to_ascii_lowercase();
            ["gps", "serial", "artist", "owner", "creator"]
                .iter()
                .any(|w| tag.contains(w))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn publish_redacts_the_files_metadata_without_touching_pixels() {
    let sb = Sandbox::new();
    let cam = camera_jpeg(&sb, "camera.jpg");
    assert!(personal_tags(&cam).len() >= 8, "{}", exiftool_tags(&cam));
    let labelled = sb.path("labelled.jpg");
    assert_ok(&sb.label(&cam, &labelled, &["--notice"]));
    let keys = sb.keys();
    let out = sb.path("published.jpg");
    // The policy makes redaction the default (no --redact given).
    let kz = std::fs::read_to_string(root().join("crates/gate/policies/kz.toml")).unwrap();
    let policy = sb.path("redacting.toml");
    std::fs::write(
        &policy,
        kz.replace("[privacy]\n", "[privacy]\nredact = [\"personal\"]\n"),
    )
    .unwrap();
    let o = sb.publish(
        &keys,
        &[&labelled],
        &out,
        &["--policy", policy.to_str().unwrap()],
    );
    assert_ok(&o);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let redacted = &doc["files"][0]["redacted"];
    assert!(redacted["fileFields"].as_u64().unwrap() >= 8, "{doc}");
    assert!(personal_tags(&out).is_empty(), "{:?}", personal_tags(&out));
    // Other metadata stays: the image's size tags, the XMP source type.
    let tags = exiftool_tags(&out);
    assert!(tags.contains("DigitalSourceType"), "{tags}");
    // The pixels are the labelled file's, decoded bit for bit.
    let a = image::open(&labelled).unwrap().to_rgb8();
    let b = image::open(&out).unwrap().to_rgb8();
    assert!(a == b, "the pixels changed");
    let (entry, code) = sb.verify(&out, true);
    assert_eq!(
        (entry["verdict"].as_str(), code),
        (Some("trusted"), 0),
        "{entry}"
    );
    assert!(entry.get("privacy").is_none(), "{entry}");
    let actions = entry["history"][0]["actions"].to_string();
    assert!(actions.contains("c2pa.edited.metadata"), "{actions}");
}

#[test]
fn publish_redacts_assertions_of_another_tools_manifest_the_c2pa_way() {
    let sb = Sandbox::new();
    let cam = camera_jpeg(&sb, "camera.jpg");
    let signed = sb.path("signed.jpg");
    signed_with_personal_manifest(&sb, &cam, &signed);
    let keys = sb.keys();
    // The prompt inside c2pa.actions is part of the AI disclosure: asking
    // for every kind is refused, and nothing is written.
    let refused = sb.path("refused.jpg");
    let o = sb.publish(
        &keys,
        &[&signed],
        &refused,
        &["--fix", "--redact", "personal"],
    );
    assert_eq!(o.status.code(), Some(1));
    let said = text(&o.stdout) + &text(&o.stderr);
    assert!(said.contains("AI disclosure"), "{said}");
    assert!(!refused.exists());

    let out = sb.path("published.jpg");
    let o = sb.publish(
        &keys,
        &[&signed],
        &out,
        &[
            "--fix",
            "--redact",
            "gps,device,identity,ingredient-thumbnails",
        ],
    );
    assert_ok(&o);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let uris = doc["files"][0]["redacted"]["assertions"].to_string();
    assert!(uris.contains("/c2pa.assertions/stds.exif"), "{doc}");
    assert!(
        uris.contains("/c2pa.assertions/c2pa.thumbnail.ingredient"),
        "{doc}"
    );
    assert!(personal_tags(&out).is_empty(), "{:?}", personal_tags(&out));
    // tamga and c2pa-python validate the chain; the redaction shows.
    let (entry, code) = sb.verify(&out, true);
    assert_eq!(
        (entry["verdict"].as_str(), code),
        (Some("trusted"), 0),
        "{entry}"
    );
    assert_eq!(entry["manifests"], 2, "{entry}");
    assert!(entry["history"][0]["actions"]
        .to_string()
        .contains("c2pa.redacted"));
    // The AI disclosure is still reported, from the producer's manifest.
    assert_eq!(entry["disclosure"]["ai"], "generated", "{entry}");
    let left: Vec<String> = entry["privacy"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| format!("{} {}", i["kind"], i["field"]))
        .collect();
    assert!(
        left.iter().all(|l| l.contains("prompts")),
        "only the prompts were left: {left:?}"
    );
    let theirs = crate::interop::py_read(&out, "image/jpeg", Some(&sb.anchor()), None);
    assert_eq!(theirs["validation_state"], "Trusted", "{theirs}");
    assert!(
        theirs["actions"].to_string().contains("c2pa.redacted"),
        "{theirs}"
    );
}

#[test]
fn a_recording_is_published_with_redaction_asked_and_nothing_to_take_out() {
    let sb = Sandbox::new();
    let labelled = sb.path("labelled.wav");
    assert_ok(&sb.label(&sb.copy_sample("sample.wav"), &labelled, &["--notice"]));
    let out = sb.path("published.wav");
    let o = sb.publish(&sb.keys(), &[&labelled], &out, &["--redact", "personal"]);
    assert_ok(&o);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["files"][0]["redacted"]["fileFields"], 0, "{doc}");
    let (entry, code) = sb.verify(&out, true);
    assert_eq!(
        (entry["verdict"].as_str(), code),
        (Some("trusted"), 0),
        "{entry}"
    );
}

/// The decoded audio's MD5 (ffmpeg), to show samples were not touched.
pub fn audio_md5(file: &Path) -> String {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-map", "0:a", "-f", "md5", "-"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

#[test]
fn audio_names_in_id3_and_vorbis_comments_are_listed_and_redacted_with_the_audio_untouched() {
    let sb = Sandbox::new();
    for (sample, mime, place, fields) in [
        ("sample.mp3", "audio/mpeg", "ID3", ["TPE1", "TCOM"]),
        (
            "sample.flac",
            "audio/flac",
            "Vorbis comment",
            ["ARTIST", "COMPOSER"],
        ),
    ] {
        let tagged = sb.path(&format!("tagged-{sample}"));
        let mut args = vec![
            "-i".to_string(),
            crate::util::sample(sample).to_str().unwrap().to_string(),
            "-c".into(),
            "copy".into(),
        ];
        if sample.ends_with(".mp3") {
            args.extend(["-id3v2_version".into(), "4".into()]);
        }
        args.extend([
            "-metadata".into(),
            "artist=Aigerim Sadykova".into(),
            "-metadata".into(),
            "composer=Aigerim Sadykova".into(),
            tagged.to_str().unwrap().to_string(),
        ]);
        crate::util::ffmpeg(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let labelled = sb.path(&format!("labelled-{sample}"));
        assert_ok(&sb.label(&tagged, &labelled, &["--notice"]));
        let found = items(&sb, &labelled);
        for field in fields {
            assert!(
                has(&found, "identity", place, field),
                "{sample}: {found:#?}"
            );
        }
        let out = sb.path(&format!("published-{sample}"));
        let o = sb.publish(&sb.keys(), &[&labelled], &out, &["--redact", "identity"]);
        assert_ok(&o);
        let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            doc["files"][0]["redacted"]["fileFields"], 2,
            "{sample}: {doc}"
        );
        let tags = exiftool_tags(&out);
        assert!(!tags.contains("Aigerim"), "{sample}: {tags}");
        assert_eq!(
            audio_md5(&labelled),
            audio_md5(&out),
            "{sample}: the audio changed"
        );
        let (entry, code) = sb.verify(&out, true);
        assert_eq!(
            (entry["verdict"].as_str(), code),
            (Some("trusted"), 0),
            "{entry}"
        );
        let theirs = crate::interop::py_read(&out, mime, Some(&sb.anchor()), None);
        assert_eq!(theirs["validation_state"], "Trusted", "{sample}: {theirs}");
    }
}
