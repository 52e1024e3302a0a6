//! The gate must not reward stripping a label (issue 15 §6): under `kz` and
//! `eu`, an intact label from an unknown signer that claims no AI is no AI
//! evidence, so the file is published with a note, exactly as the same file
//! with its label stripped is; one that claims AI is still rejected.

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::util::{python, root, sample, text, Sandbox};

/// Signs `src` to `dest` with c2pa-python as a camera or editor would, with
/// keys the distributor does not trust; `source_type` is an IPTC term, or
/// `-` for a plain edit that states none.
fn sign_as_camera(sb: &Sandbox, src: &Path, dest: &Path, source_type: &str) {
    let keys = sb.path("stranger");
    if !keys.join("signing.key").exists() {
        let o = sb.run(&[
            "keys",
            "init",
            "--org",
            "Stranger Camera Co",
            "--dir",
            keys.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let o = Command::new(python())
        .arg(root().join("tests/interop/c2pa_sign_capture.py"))
        .arg(src)
        .arg(dest)
        .arg("image/jpeg")
        .arg(keys.join("signing-chain.pem"))
        .arg(keys.join("signing.key"))
        .arg(source_type)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
}

/// The JPEG without its APP11 segments (where C2PA stores the manifest):
/// what a platform that strips labels hands on.
fn strip_c2pa(jpeg: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF && jpeg[i + 1] != 0xDA {
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if jpeg[i + 1] != 0xEB {
            out.extend_from_slice(&jpeg[i..i + 2 + len]);
        }
        i += 2 + len;
    }
    out.extend_from_slice(&jpeg[i..]);
    out
}

/// `tamga check --json` of one file under `policy`, trusting only the
/// sandbox's own anchor: the verdict and the file's entry.
fn check(sb: &Sandbox, policy: &str, file: &Path) -> (String, Value) {
    let anchor = sb.anchor();
    let o = sb.run(&[
        "check",
        "--policy",
        policy,
        "--trust",
        anchor.to_str().unwrap(),
        "--json",
        file.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&o.stdout), text(&o.stderr)));
    let entry = doc["files"][0].clone();
    (entry["verdict"].as_str().unwrap().to_string(), entry)
}

fn trust_reason(entry: &Value) -> Option<Value> {
    entry["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "trust")
        .cloned()
}

#[test]
fn an_unknown_signers_label_that_claims_no_ai_is_published_with_a_note() {
    let sb = Sandbox::new();
    let capture = sb.path("capture.jpg");
    sign_as_camera(&sb, &sample("sample.jpg"), &capture, "digitalCapture");
    let edit = sb.path("edit.jpg");
    sign_as_camera(&sb, &sample("sample.jpg"), &edit, "-");
    for policy in ["kz", "eu"] {
        for file in [&capture, &edit] {
            let (verdict, entry) = check(&sb, policy, file);
            assert_eq!(verdict, "publish", "{policy} {}: {entry:#}", file.display());
            assert_eq!(entry["verification"]["verdict"], "valid-untrusted");
            let note = trust_reason(&entry).expect("a note that the signer is unknown");
            assert_eq!(note["verdict"], "publish");
            let message = note["message"].as_str().unwrap();
            assert!(
                message.contains("Stranger Camera Co") && message.contains("not on the trust list"),
                "{message}"
            );
            assert!(!note["clause"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn an_unknown_signers_label_that_claims_ai_is_still_rejected() {
    let sb = Sandbox::new();
    let ai = sb.path("ai.jpg");
    sign_as_camera(&sb, &sample("sample.jpg"), &ai, "trainedAlgorithmicMedia");
    for policy in ["kz", "eu"] {
        let (verdict, entry) = check(&sb, policy, &ai);
        assert_eq!(verdict, "reject", "{policy}: {entry:#}");
        let reason = trust_reason(&entry).expect("the trust rule rejects it");
        assert_eq!(reason["verdict"], "reject");
        assert_eq!(entry["ai"]["certainty"], "is");
    }
}

#[test]
fn stripping_an_unknown_signers_label_does_not_change_the_verdict() {
    let sb = Sandbox::new();
    let capture = sb.path("capture.jpg");
    sign_as_camera(&sb, &sample("sample.jpg"), &capture, "digitalCapture");
    let stripped = sb.path("stripped.jpg");
    std::fs::write(&stripped, strip_c2pa(&std::fs::read(&capture).unwrap())).unwrap();
    for policy in ["kz", "eu"] {
        let (labelled, _) = check(&sb, policy, &capture);
        let (bare, entry) = check(&sb, policy, &stripped);
        assert_eq!(entry["verification"]["verdict"], "unlabelled", "{entry:#}");
        assert_eq!(labelled, bare, "{policy}");
    }
}

#[test]
fn a_camera_capture_with_a_cawg_identity_from_an_unknown_signer_is_published() {
    let sb = Sandbox::new();
    let (capture, person_anchor) = crate::cawg::capture_with_identity(&sb);
    for policy in ["kz", "eu"] {
        // The distributor trusts the photographer's CA, not the camera's.
        let o = sb.run(&[
            "check",
            "--policy",
            policy,
            "--trust",
            person_anchor.to_str().unwrap(),
            "--json",
            capture.to_str().unwrap(),
        ]);
        let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
        let entry = &doc["files"][0];
        assert_eq!(entry["verdict"], "publish", "{policy}: {entry:#}");
        assert_eq!(entry["verification"]["verdict"], "valid-untrusted");
        assert_eq!(entry["verification"]["identities"][0]["status"], "trusted");
        assert_eq!(trust_reason(entry).unwrap()["verdict"], "publish");
    }
}
