//! Issue 15 §3: labels tamga cannot fully read are verdicts, not I/O
//! errors — a claim signed with an algorithm C2PA does not allow, and a
//! pre-release (pre-1.0) claim — and §3's exit codes: a missing input is
//! an I/O error, 2, in every command.

use std::process::Command;

use crate::{
    interop::py_read,
    util::{codes, python, root, text, Sandbox},
};

/// A tamga-labelled JPEG, patched by `patch`.
fn patched(sb: &Sandbox, name: &str, patch: impl FnOnce(&mut Vec<u8>)) -> std::path::PathBuf {
    let out = sb.path(&format!("l-{name}"));
    crate::util::assert_ok(&sb.label_plain(&sb.copy_sample("sample.jpg"), &out));
    let mut bytes = std::fs::read(&out).unwrap();
    patch(&mut bytes);
    let file = sb.path(name);
    std::fs::write(&file, bytes).unwrap();
    file
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> usize {
    from + hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{needle:?} not found"))
}

#[test]
fn an_unsupported_signing_algorithm_is_invalid_with_its_code() {
    let sb = Sandbox::new();
    // The COSE_Sign1 (tag 18, four items, a protected header of 2 bytes of
    // length) has alg -8 (EdDSA, CBOR 0x27); -16 (0x2f) is a hash
    // algorithm, not one C2PA signs with. The header's length is unchanged.
    let file = patched(&sb, "alg.jpg", |b| {
        let cose = find(b, &[0xd2, 0x84, 0x59], 0);
        let alg = find(b, &[0x01, 0x27], cose);
        b[alg + 1] = 0x2f;
    });
    let (entry, code) = sb.verify(&file, true);
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert_eq!(code, 1);
    assert_eq!(codes(&entry)[0], "algorithm.unsupported");
    assert_eq!(
        entry["reason"],
        "the label is signed with an algorithm C2PA does not allow, so its signature cannot be checked"
    );
    let py = py_read(&file, "image/jpeg", Some(&sb.anchor()), None);
    assert_eq!(py["validation_state"], "Invalid", "{py}");
    assert!(
        py["failures"].to_string().contains("algorithm.unsupported"),
        "{py}"
    );
}

#[test]
fn a_prerelease_claim_is_invalid_with_its_code() {
    let sb = Sandbox::new();
    // A pre-1.0 claim is JSON: the claim box's content box says `json`
    // instead of `cbor`.
    let file = patched(&sb, "pre.jpg", |b| {
        let claim = find(b, b"c2pa.claim", 0);
        let cbor = find(b, b"cbor", claim);
        b[cbor..cbor + 4].copy_from_slice(b"json");
    });
    let (entry, code) = sb.verify(&file, true);
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert_eq!(code, 1);
    assert_eq!(codes(&entry), ["com.adobe.prerelease"]);
    assert!(entry["reason"]
        .as_str()
        .unwrap()
        .starts_with("the label was made by a pre-release C2PA tool"));
    // c2pa-python (c2pa-rs 0.91) refuses to read it at all, with the same
    // cause; there is no validation state to compare.
    let out = Command::new(python())
        .arg(root().join("tests/interop/c2pa_read.py"))
        .arg(&file)
        .arg("image/jpeg")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("prerelease content detected"));
}

#[test]
fn a_missing_input_is_exit_2_in_every_command() {
    let sb = Sandbox::new();
    let keys = sb.keys();
    let keys = keys.to_str().unwrap();
    let missing = sb.path("missing.jpg");
    let missing = missing.to_str().unwrap();
    let present = sb.copy_sample("sample.png");
    let present = present.to_str().unwrap();
    let out_dir = sb.path("out");
    let out_dir = out_dir.to_str().unwrap();
    let runs: [(&str, Vec<&str>); 6] = [
        (
            "label",
            vec![
                "label",
                missing,
                "--ai",
                "generated",
                "--keys",
                keys,
                "-o",
                out_dir,
            ],
        ),
        // A batch where the other file is fine still says 2.
        (
            "label batch",
            vec![
                "label",
                present,
                missing,
                "--ai",
                "generated",
                "--keys",
                keys,
                "-o",
                out_dir,
            ],
        ),
        ("verify", vec!["verify", missing]),
        ("inspect", vec!["inspect", missing]),
        ("check", vec!["check", "--policy", "kz", missing]),
        (
            "publish",
            vec![
                "publish", "--policy", "kz", "--keys", keys, "-o", out_dir, missing,
            ],
        ),
    ];
    for (what, args) in runs {
        let out = sb.run(&args);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("missing.jpg") || text(&out.stderr).contains("missing.jpg"),
            "{what} names the file"
        );
    }
    // An unreadable file's content is still a failed file, 1, not 2.
    let bad = sb.path("bad.jpg");
    std::fs::write(&bad, b"\xFF\xD8\xFF\xE0 not a real jpeg").unwrap();
    let out = sb.run(&["check", "--policy", "kz", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
}
