//! `tamga publish --registry` (issue 17): the gate looks up files that
//! arrive without a label, and every publication is recorded like a label,
//! so a stripped copy of the published file leads back to it; a failed
//! registration fails the file with nothing written.

use std::path::Path;

use serde_json::Value;

use crate::{
    recovery::{ffmpeg, manifest_id, verify_with},
    util::{assert_ok, refuse_registry_writes, text, Sandbox},
};

/// The distributor's keys.
pub fn publisher_keys(sb: &Sandbox) -> std::path::PathBuf {
    sb.keys_for("publisher-keys", "Qazaq Broadcast JSC")
}

/// `tamga publish --json …`: the document.
pub fn publish_json(sb: &Sandbox, input: &Path, out: &Path, extra: &[&str]) -> Value {
    let o = sb.publish(&publisher_keys(sb), &[input], out, extra);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "publish JSON: {e}\nstdout: {}\nstderr: {}",
            text(&o.stdout),
            text(&o.stderr)
        )
    })
}

/// A JPEG re-encode, as a messenger strips a label.
pub fn strip(from: &Path, to: &Path) {
    ffmpeg(&[
        "-i",
        from.to_str().unwrap(),
        "-q:v",
        "5",
        to.to_str().unwrap(),
    ]);
}

#[test]
fn publications_are_recorded_and_a_stripped_copy_leads_back_to_them() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    // Labelled without the registry: what it holds comes from publishing.
    let labelled = sb.path("labelled.jpg");
    assert_ok(&sb.label(&sb.copy_sample("sample.jpg"), &labelled, &["--notice"]));
    let out = sb.path("out/published.jpg");
    let doc = publish_json(&sb, &labelled, &out, &["--registry", &url]);
    let f = &doc["files"][0];
    assert_eq!(f["published"], true, "{doc:#}");
    let id = f["registered"]["manifest"].as_str().unwrap_or_default();
    assert_eq!(id, manifest_id(&sb, &out), "{doc:#}");
    assert_eq!(f["registered"]["registry"], url.as_str(), "{doc:#}");

    let stripped = sb.path("stripped.jpg");
    strip(&out, &stripped);
    let entry = &verify_with(&sb, &url, &[&stripped])[0];
    let r = &entry["recovered"];
    assert_eq!(r["manifest"], id, "{entry:#}");
    // The producer's AI disclosure shows through the publisher's parent.
    assert_eq!(r["disclosure"]["ai"], "generated", "{entry:#}");

    // Plain text says where it was recorded.
    let o = sb.run(&[
        "publish",
        "--trust",
        sb.anchor().to_str().unwrap(),
        "--keys",
        publisher_keys(&sb).to_str().unwrap(),
        "--registry",
        &url,
        "-o",
        sb.path("out2/published.jpg").to_str().unwrap(),
        labelled.to_str().unwrap(),
    ]);
    assert_ok(&o);
    let said = text(&o.stdout);
    let published = sb.path("out2/published.jpg");
    assert!(
        said.contains(&format!(
            "registered {} in {url}",
            manifest_id(&sb, &published)
        )),
        "{said}"
    );
}

#[test]
fn the_publish_gate_recovers_a_stripped_label_from_the_registry() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let labelled = sb.path("labelled.jpg");
    assert_ok(&sb.label(
        &sb.copy_sample("sample.jpg"),
        &labelled,
        &["--registry", &url],
    ));
    let stripped = sb.path("stripped.jpg");
    strip(&labelled, &stripped);
    // Without the registry the gate sees no AI evidence and publishes.
    let doc = publish_json(&sb, &stripped, &sb.path("blind/out.jpg"), &[]);
    assert_eq!(doc["files"][0]["verdict"], "publish", "{doc:#}");
    // With it, the label stripped in transit is found: not published as
    // content with no AI evidence.
    let out = sb.path("seen/out.jpg");
    let doc = publish_json(&sb, &stripped, &out, &["--registry", &url]);
    let f = &doc["files"][0];
    assert_eq!(f["verdict"], "fix", "{doc:#}");
    assert_eq!(f["kind"], "needs-fix", "{doc:#}");
    assert!(
        f["error"]
            .as_str()
            .unwrap_or_default()
            .contains("stripped in transit"),
        "{doc:#}"
    );
    assert!(!out.exists());
}

#[test]
fn a_failed_registration_fails_the_publication_and_writes_nothing() {
    let sb = Sandbox::new();
    let db = sb.path("refusing.sqlite");
    let url = format!("sqlite:{}", db.display());
    let labelled = sb.path("labelled.jpg");
    assert_ok(&sb.label(
        &sb.copy_sample("sample.jpg"),
        &labelled,
        &["--notice", "--registry", &url],
    ));
    // The registry opens, then refuses every record (a full disk, a
    // revoked grant).
    refuse_registry_writes(&db);
    let out = sb.path("out/published.jpg");
    let doc = publish_json(&sb, &labelled, &out, &["--registry", &url]);
    let f = &doc["files"][0];
    assert_eq!(f["published"], false, "{doc:#}");
    assert_eq!(f["kind"], "registry", "{doc:#}");
    let error = f["error"].as_str().unwrap_or_default();
    assert!(error.contains("disk quota exceeded"), "{doc:#}");
    assert!(error.contains("nothing was written"), "{doc:#}");
    assert!(!out.exists(), "a file was written");
}
