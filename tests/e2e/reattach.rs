//! `tamga publish --reattach` (issue 17): a file whose AI label was
//! stripped in transit is published with the distributor's manifest and
//! the label the registry holds as its parent ingredient, so the chain
//! "made by X with AI → published by Y" is whole again — in tamga and in
//! the reference SDK (c2pa-python), through SQLite and PostgreSQL.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::Value;

use crate::{
    publish_registry::{publish_json, publisher_keys, strip},
    recovery::{ffmpeg, manifest_id},
    util::{assert_ok, python, root, text, Sandbox},
};

const PRODUCER: &str = "Tamga Test Newsroom";
const PUBLISHER: &str = "Qazaq Broadcast JSC";
const GENERATED: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

/// A labelled photo (in the registry at `url`), stripped by a re-encode;
/// the label's id.
fn stripped_photo(sb: &Sandbox, url: &str) -> (PathBuf, String) {
    let labelled = sb.path("labelled.jpg");
    assert_ok(&sb.label(
        &sb.copy_sample("sample.jpg"),
        &labelled,
        &["--registry", url],
    ));
    let id = manifest_id(sb, &labelled);
    let stripped = sb.path("inbox/stripped.jpg");
    std::fs::create_dir_all(stripped.parent().unwrap()).unwrap();
    strip(&labelled, &stripped);
    (stripped, id)
}

#[test]
fn a_stripped_label_is_reattached_as_the_parent_through_sqlite() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    reattach_and_read(&sb, &url);
}

#[test]
fn a_stripped_label_is_reattached_as_the_parent_through_postgresql() {
    let Some(pg) = tamga_registry::test_support::TestPostgres::start_or_skip(
        "e2e reattach through PostgreSQL",
    ) else {
        return;
    };
    let sb = Sandbox::new();
    reattach_and_read(&sb, &pg.url());
}

/// Strips a labelled photo, publishes it with and without `--reattach`
/// through the registry at `url`, and reads the result in tamga, the gate
/// and c2pa-python.
fn reattach_and_read(sb: &Sandbox, url: &str) {
    let (stripped, id) = stripped_photo(sb, url);
    let out = sb.path("out/published.jpg");

    // Without --reattach: needs fixing, and the advice names the flag.
    let doc = publish_json(sb, &stripped, &out, &["--registry", url, "--fix"]);
    let f = &doc["files"][0];
    assert_eq!(f["kind"], "needs-fix", "{doc:#}");
    let error = f["error"].as_str().unwrap_or_default();
    assert!(error.contains("--reattach"), "{error}");
    assert!(!out.exists());

    let doc = publish_json(
        sb,
        &stripped,
        &out,
        &["--reattach", "--registry", url, "--fix"],
    );
    let f = &doc["files"][0];
    assert_eq!(f["published"], true, "{doc:#}");
    assert_eq!(f["reattached"], id.as_str(), "{doc:#}");
    // The notice kz wants on AI content was added with the label.
    assert!(f["notice"].is_object(), "{doc:#}");
    let published_id = manifest_id(sb, &out);
    assert_eq!(
        f["registered"]["manifest"],
        published_id.as_str(),
        "{doc:#}"
    );

    // tamga: the publisher's manifest, the producer's as its parent.
    let both = sb.anchors_with(&publisher_keys(sb));
    let (v, _) = sb.verify_trusting(&out, &both);
    assert_ne!(v["verdict"], "invalid", "{v:#}");
    assert_eq!(v["published_by"], PUBLISHER, "{v:#}");
    let history = v["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{v:#}");
    assert_eq!(history[1]["manifest"], id.as_str(), "{v:#}");
    assert_eq!(history[1]["signer"]["organisation"], PRODUCER, "{v:#}");
    assert_eq!(history[1]["digital_source_type"], GENERATED, "{v:#}");
    assert_eq!(v["disclosure"]["ai"], "generated", "{v:#}");
    assert_eq!(v["disclosure"]["generator"]["name"], "Test Model", "{v:#}");

    // The gate sees the AI evidence through the parent: not "no AI
    // evidence", and with the notice added, publishable.
    let o = sb.run(&[
        "check",
        "--json",
        "--policy",
        "kz",
        "--trust",
        both.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    let check: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("check JSON: {e}: {}", text(&o.stderr)));
    let c = &check["files"][0];
    assert!(!c["ai"]["certainty"].is_null(), "no AI evidence: {c:#}");
    assert_eq!(c["verdict"], "publish", "{c:#}");

    // c2pa-python, the reference SDK: the ingredient carries the
    // producer's manifest, honestly recorded: signed and trusted, its hard
    // binding not matching the re-encoded file it was attached to.
    let read = Command::new(python())
        .arg(root().join("tests/interop/c2pa_ingredient.py"))
        .arg(&out)
        .arg("image/jpeg")
        .arg(&both)
        .output()
        .unwrap();
    assert!(read.status.success(), "{}", text(&read.stderr));
    let r: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_ne!(r["validation_state"], "Invalid", "{r:#}");
    assert_eq!(r["relationship"], "parentOf", "{r:#}");
    assert_eq!(r["ingredient_manifest"], id.as_str(), "{r:#}");
    assert_eq!(r["ingredient_digital_source_types"][0], GENERATED, "{r:#}");
    assert_eq!(r["ingredient_signer"], PRODUCER, "{r:#}");
    let failures: Vec<&str> = r["ingredient_failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(failures, ["assertion.dataHash.mismatch"], "{r:#}");
    let successes = r["ingredient_successes"].to_string();
    assert!(successes.contains("claimSignature.validated"), "{r:#}");
}

#[test]
fn reattach_leaves_files_without_a_recovered_label_as_they_were() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    // A label kept in transit: published with its own parent, nothing
    // re-attached.
    let labelled = sb.path("inbox/labelled.jpg");
    std::fs::create_dir_all(labelled.parent().unwrap()).unwrap();
    assert_ok(&sb.label(&sb.copy_sample("sample.jpg"), &labelled, &["--notice"]));
    let out = sb.path("out/labelled.jpg");
    let doc = publish_json(&sb, &labelled, &out, &["--reattach", "--registry", &url]);
    let f = &doc["files"][0];
    assert_eq!(f["published"], true, "{doc:#}");
    assert!(f.get("reattached").is_none(), "{doc:#}");
    let (v, _) = sb.verify(&out, true);
    assert_eq!(
        v["history"][1]["manifest"],
        manifest_id(&sb, &labelled).as_str(),
        "{v:#}"
    );

    // Content nobody labelled: nothing to find, published as before.
    let pattern = sb.path("inbox/pattern.png");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x240",
        "-frames:v",
        "1",
        pattern.to_str().unwrap(),
    ]);
    let out = sb.path("out/pattern.png");
    let doc = publish_json(&sb, &pattern, &out, &["--reattach", "--registry", &url]);
    let f = &doc["files"][0];
    assert_eq!(f["verdict"], "publish", "{doc:#}");
    assert_eq!(f["published"], true, "{doc:#}");
    assert!(f.get("reattached").is_none(), "{doc:#}");
}

#[test]
fn reattach_without_a_registry_is_a_usage_error() {
    let sb = Sandbox::new();
    let photo = sb.copy_sample("sample.jpg");
    let out = sb.path("out.jpg");
    let o = sb.publish(&publisher_keys(&sb), &[&photo], &out, &["--reattach"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("--registry"),
        "{}",
        text(&o.stderr)
    );
    assert!(!Path::new(&out).exists());
}
