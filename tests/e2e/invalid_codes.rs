//! An invalid verdict explains itself (issue 15 §4): a published file whose
//! producer's label was altered inside it is invalid because of the
//! ingredient's hashed URI, and `verify` and `check` say so, not only that
//! the signer is unknown. c2pa-python agrees.

use std::{path::PathBuf, process::Command};

use serde_json::Value;

use crate::util::{assert_ok, python, root, sample, text, Sandbox};

/// A labelled JPEG published by a second signer, with one byte of the
/// producer's (ingredient's) actions assertion changed.
fn altered_ingredient(sb: &Sandbox) -> PathBuf {
    let produced = sb.path("produced.jpg");
    assert_ok(&sb.label(&sample("sample.jpg"), &produced, &["--notice"]));
    let publisher = sb.path("publisher");
    assert_ok(&sb.run(&[
        "keys",
        "init",
        "--org",
        "Publisher",
        "--dir",
        publisher.to_str().unwrap(),
    ]));
    let out = sb.path("published.jpg");
    let anchor = sb.anchor();
    assert_ok(&sb.run(&[
        "publish",
        "--policy",
        "kz",
        "--trust",
        anchor.to_str().unwrap(),
        "--keys",
        publisher.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        produced.to_str().unwrap(),
    ]));
    let mut bytes = std::fs::read(&out).unwrap();
    // The producer's manifest comes first in the store: its actions say
    // trainedAlgorithmicMedia; the publisher's repeat nothing of it before.
    let needle = b"trainedAlgorithmicMedia";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the producer's source type");
    bytes[at] = b'T';
    let altered = sb.path("altered.jpg");
    std::fs::write(&altered, bytes).unwrap();
    altered
}

#[test]
fn an_altered_ingredient_is_named_by_its_code_in_verify_and_check() {
    let sb = Sandbox::new();
    let altered = altered_ingredient(&sb);
    let anchor = sb.anchor();

    // Without a trust list the untrusted code is there too, but it is not
    // the explanation.
    let o = sb.run(&["verify", altered.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    let codes = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("codes: "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(codes.contains("assertion.hashedURI.mismatch"), "{codes}");
    assert!(!codes.contains("signingCredential.untrusted"), "{codes}");
    let reason = out.lines().nth(1).unwrap_or_default();
    assert!(reason.contains("earlier label"), "{reason}");
    assert!(!reason.contains("trust list"), "{reason}");
    assert!(!reason.contains("C2PA check failed"), "{reason}");

    let (entry, _) = sb.verify(&altered, true);
    assert_eq!(entry["verdict"], "invalid");
    let hashed = entry["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "assertion.hashedURI.mismatch")
        .unwrap_or_else(|| panic!("{entry:#}"));
    assert_eq!(hashed["ingredient"], true);
    assert!(
        hashed["explanation"]
            .as_str()
            .unwrap()
            .starts_with("in an earlier label in the history:"),
        "{hashed}"
    );

    for trust in [false, true] {
        let mut args = vec!["check", "--policy", "kz", "--json"];
        if trust {
            args.extend(["--trust", anchor.to_str().unwrap()]);
        }
        args.push(altered.to_str().unwrap());
        let doc: Value = serde_json::from_slice(&sb.run(&args).stdout).unwrap();
        let f = &doc["files"][0];
        assert_eq!(f["verdict"], "reject");
        let intact = f["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "intact")
            .unwrap_or_else(|| panic!("{f:#}"));
        let message = intact["message"].as_str().unwrap();
        assert!(
            message.contains("assertion.hashedURI.mismatch"),
            "trust {trust}: {message}"
        );
    }

    // The reference SDK: invalid, for the same reason in the ingredient.
    let o = Command::new(python())
        .arg("-c")
        .arg(
            "import c2pa,json,sys\n\
             ctx=c2pa.Context.from_dict({'verify':{'verify_trust':False,'remote_manifest_fetch':False}})\n\
             r=c2pa.Reader('image/jpeg',open(sys.argv[1],'rb'),context=ctx)\n\
             res=r.get_validation_results() or {}\n\
             codes=[s['code'] for d in res.get('ingredientDeltas',[]) for s in d['validationDeltas'].get('failure',[])]\n\
             print(json.dumps({'state':r.get_validation_state(),'codes':codes}))",
        )
        .arg(&altered)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let py: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(py["state"], "Invalid", "{py}");
    assert!(
        py["codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "assertion.hashedURI.mismatch"),
        "{py}"
    );
}
