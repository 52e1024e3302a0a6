//! `tamga publish` (issue 5): the distributor's manifest on files that
//! passed the gate. The chain "made by X with AI → published by Y" must
//! verify trusted only with both signers' anchors, in tamga and in the
//! reference SDK, and still report the producer's AI disclosure; rejected
//! files are never published, inputs are never changed, and `--fix` adds
//! the missing notice.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::{Command, Output},
};

use serde_json::Value;

use crate::{
    interop::py_read,
    util::{assert_ok, sample, text, Sandbox},
};

const PUBLISHER: &str = "Qazaq Broadcast JSC";

/// The distributor's own keys, beside the producer's (`sb.keys()`).
fn publisher_keys(sb: &Sandbox) -> PathBuf {
    sb.keys_for("publisher-keys", PUBLISHER)
}

/// One PEM bundle with both anchors, and each alone.
fn anchors(sb: &Sandbox) -> (PathBuf, PathBuf, PathBuf) {
    let keys = publisher_keys(sb);
    (
        sb.anchors_with(&keys),
        sb.anchor(),
        keys.join("trust-anchor.pem"),
    )
}

/// `tamga publish --json` with the producer's anchor and the publisher's keys.
fn publish(sb: &Sandbox, inputs: &[&Path], out: &Path, extra: &[&str]) -> (Value, Output) {
    let o = sb.publish(&publisher_keys(sb), inputs, out, extra);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "publish JSON: {e}\nstdout: {}\nstderr: {}",
            text(&o.stdout),
            text(&o.stderr)
        )
    });
    assert_eq!(doc["schema"], "tamga.publish/1");
    (doc, o)
}

/// `tamga verify --json FILE --trust ANCHORS`: the file's entry.
fn verify(sb: &Sandbox, file: &Path, anchors: &Path) -> Value {
    sb.verify_trusting(file, anchors).0
}

/// `tamga check --json` verdicts by file name.
fn check(sb: &Sandbox, dir: &Path, policy: &str, anchors: &Path) -> BTreeMap<String, String> {
    let o = sb.run(&[
        "check",
        "--json",
        "--policy",
        policy,
        "--trust",
        anchors.to_str().unwrap(),
        dir.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("check JSON: {e}: {}", text(&o.stderr)));
    by_name(&doc, "verdict")
}

/// `field` of each entry in `doc["files"]`, by file name.
fn by_name(doc: &Value, field: &str) -> BTreeMap<String, String> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = f["path"].as_str().unwrap().rsplit('/').next().unwrap();
            let value = match &f[field] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (name.to_string(), value)
        })
        .collect()
}

#[test]
fn published_files_carry_both_manifests_and_verify_trusted_only_with_both_anchors() {
    let sb = Sandbox::new();
    let inbox = sb.path("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    // The producer labels with the notice: the gate says publish.
    let files = ["photo.jpg", "voice.wav", "story.md"];
    for (name, src) in files.iter().zip(["sample.jpg", "sample.wav", "text/kk.md"]) {
        assert_ok(&sb.label(&sample(src), &inbox.join(name), &["--notice"]));
    }
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|n| std::fs::read(inbox.join(n)).unwrap())
        .collect();
    let out = sb.path("out");
    let (doc, o) = publish(&sb, &[&inbox], &out, &["--policy", "kz"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(doc["publisher"], PUBLISHER);
    assert_eq!(doc["summary"]["published"], 3);
    for (name, original) in files.iter().zip(&before) {
        assert_eq!(
            &std::fs::read(inbox.join(name)).unwrap(),
            original,
            "{name}: the input changed"
        );
    }

    let (both, producer, publisher) = anchors(&sb);
    for name in files {
        let published = out.join(name);
        let v = verify(&sb, &published, &both);
        assert_eq!(v["verdict"], "trusted", "{name}: {v:#}");
        assert_eq!(v["published_by"], PUBLISHER, "{name}");
        let history = v["history"].as_array().unwrap();
        assert_eq!(history.len(), 2, "{name}: {v:#}");
        // Newest first: the publisher, then the producer.
        assert_eq!(history[0]["signer"]["organisation"], PUBLISHER);
        let actions0: Vec<&str> = history[0]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(actions0, ["c2pa.opened", "c2pa.published"], "{name}");
        assert!(history[0].get("digital_source_type").is_none());
        assert_eq!(
            history[1]["signer"]["organisation"], "Tamga Test Newsroom",
            "{name}"
        );
        assert!(history[1]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "c2pa.created"));
        assert!(history.iter().all(|l| l["trusted"] == true), "{name}");
        // The producer's disclosure shows through the publisher's manifest.
        assert_eq!(v["disclosure"]["ai"], "generated", "{name}: {v:#}");
        assert_eq!(v["disclosure"]["generator"]["name"], "Test Model");
        assert!(v["disclosure"]["perceivableNotice"].is_object(), "{name}");

        // Either anchor alone is not enough.
        let only_publisher = verify(&sb, &published, &publisher);
        assert_eq!(only_publisher["verdict"], "valid-untrusted", "{name}");
        assert!(
            only_publisher["reason"]
                .as_str()
                .unwrap()
                .contains("Tamga Test Newsroom"),
            "{only_publisher:#}"
        );
        assert_eq!(
            verify(&sb, &published, &producer)["verdict"],
            "valid-untrusted",
            "{name}"
        );
    }

    // The reference SDK agrees on the binary formats (it has no text
    // handler: see c2pa_read.py).
    for (name, mime) in [("photo.jpg", "image/jpeg"), ("voice.wav", "audio/wav")] {
        let r = py_read(&out.join(name), mime, Some(&both), None);
        assert_eq!(r["validation_state"], "Trusted", "{name}: {r}");
        assert_eq!(r["manifests"], 2, "{name}: {r}");
    }

    // And the gate lets the published files through with both anchors.
    let verdicts = check(&sb, &out, "kz", &both);
    assert_eq!(verdicts.len(), 3, "{verdicts:?}");
    assert!(verdicts.values().all(|v| v == "publish"), "{verdicts:?}");
}

#[test]
fn rejected_files_are_never_published_and_fix_adds_the_missing_notice() {
    let sb = Sandbox::new();
    let inbox = sb.path("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    // AI content without the notice: `fix`.
    assert_ok(&sb.label(&sample("sample.png"), &inbox.join("plain.png"), &[]));
    assert_ok(&sb.label(&sample("text/en.md"), &inbox.join("answer.md"), &[]));
    // Tampered after labelling: `reject`.
    let tampered = inbox.join("tampered.jpg");
    assert_ok(&sb.label(&sample("sample.jpg"), &tampered, &["--notice"]));
    crate::util::tamper_jpeg_image_data(&tampered);
    let plain_before = std::fs::read(inbox.join("plain.png")).unwrap();

    // Without --fix nothing the gate did not pass is published.
    let out = sb.path("out");
    let (doc, o) = publish(&sb, &[&inbox], &out, &["--policy", "eu"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let kinds = by_name(&doc, "kind");
    assert_eq!(kinds["plain.png"], "needs-fix", "{doc:#}");
    assert_eq!(kinds["answer.md"], "needs-fix");
    assert_eq!(kinds["tampered.jpg"], "rejected");
    // The CLI, not the gate, names the flag that would publish them.
    let errors = by_name(&doc, "error");
    assert!(
        errors["plain.png"].ends_with("(give --fix to add the notice)"),
        "{doc:#}"
    );
    assert!(!errors["tampered.jpg"].contains("--fix"), "{doc:#}");
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
        "nothing may be written"
    );

    // With --fix the notice goes in, then the stamp; the tampered file stays out.
    let (doc, o) = publish(&sb, &[&inbox], &out, &["--policy", "eu", "--fix"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let published = by_name(&doc, "published");
    assert_eq!(published["plain.png"], "true", "{doc:#}");
    assert_eq!(published["answer.md"], "true");
    assert_eq!(published["tampered.jpg"], "false");
    assert!(!out.join("tampered.jpg").exists());
    assert_eq!(
        std::fs::read(inbox.join("plain.png")).unwrap(),
        plain_before
    );
    let png = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("plain.png"))
        .unwrap();
    // The eu policy's notice language.
    assert_eq!(
        png["notice"]["languages"],
        serde_json::json!(["en"]),
        "{png:#}"
    );

    let (both, _, _) = anchors(&sb);
    let v = verify(&sb, &out.join("plain.png"), &both);
    assert_eq!(v["verdict"], "trusted", "{v:#}");
    let actions: Vec<&str> = v["history"][0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(actions, ["c2pa.opened", "c2pa.edited", "c2pa.published"]);
    assert_eq!(
        v["disclosure"]["perceivableNotice"]["style"], "badge",
        "{v:#}"
    );
    // The badge changed the pixels: the published image is not the received one.
    let decode = |p: &Path| image::open(p).unwrap().to_rgba8();
    assert_ne!(
        decode(&out.join("plain.png")),
        decode(&inbox.join("plain.png"))
    );
    let md = std::fs::read_to_string(out.join("answer.md")).unwrap();
    assert!(md.contains("AI-generated"), "{md}");

    let verdicts = check(&sb, &out, "eu", &both);
    assert_eq!(verdicts["plain.png"], "publish", "{verdicts:?}");
    assert_eq!(verdicts["answer.md"], "publish", "{verdicts:?}");
}

#[test]
fn the_cn_policy_hands_the_aigc_label_on_with_the_publishers_fields() {
    let sb = Sandbox::new();
    let inbox = sb.path("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let received = inbox.join("poster.png");
    assert_ok(&sb.label(
        &sample("sample.png"),
        &received,
        &["--profile", "cn", "--notice", "--aigc-id", "MAKER-7"],
    ));
    // One file into an existing folder (`-o` naming a file works too).
    let out = sb.path("out");
    std::fs::create_dir_all(&out).unwrap();
    let (doc, o) = publish(
        &sb,
        &[&received],
        &out,
        &["--policy", "cn", "--aigc-propagate-id", "PUB-42"],
    );
    assert_eq!(o.status.code(), Some(0), "{}\n{doc:#}", text(&o.stderr));
    assert_eq!(doc["files"][0]["propagateId"], "PUB-42");
    let published = out.join("poster.png");

    // An independent reader sees one AIGC label with both parties' fields.
    let x = Command::new("exiftool")
        .args(["-j", "-PNG:AIGC"])
        .arg(&published)
        .output()
        .unwrap();
    assert!(x.status.success(), "{}", text(&x.stderr));
    let tags: Value = serde_json::from_slice(&x.stdout).unwrap();
    let raw = tags[0]["AIGC"].as_str().unwrap();
    let aigc: Value = serde_json::from_str(raw).unwrap();
    assert_eq!(
        aigc["AIGC"]["ContentProducer"], "Tamga_Test_Newsroom",
        "{raw}"
    );
    assert_eq!(aigc["AIGC"]["ProduceID"], "MAKER-7");
    assert_eq!(aigc["AIGC"]["ContentPropagator"], "Qazaq_Broadcast_JSC");
    assert_eq!(aigc["AIGC"]["PropagateID"], "PUB-42");
    assert_ne!(aigc["AIGC"]["ReservedCode2"], aigc["AIGC"]["ReservedCode1"]);

    let (both, _, _) = anchors(&sb);
    let v = verify(&sb, &published, &both);
    assert_eq!(v["verdict"], "trusted", "{v:#}");
    let label = &v["platform_metadata"]["aigc"][0];
    assert_eq!(label["signature"], "valid", "{v:#}");
    assert_eq!(label["propagationSignature"], "valid", "{v:#}");
    // The IPTC source type in XMP survived the rewrite.
    assert_eq!(
        v["platform_metadata"]["digitalSourceTypes"][0],
        "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    );
    assert_eq!(check(&sb, &out, "cn", &both)["poster.png"], "publish");
}
