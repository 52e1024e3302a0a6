//! Text labels (C2PA 2.4 Annex A.8) end to end: real texts in five scripts,
//! the breakages texts suffer in practice, pipes, and both directions with
//! the independent implementations c2pa-text and c2pa-python.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::Value;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::util::{assert_ok, codes, piped, python, root, sample, text, Sandbox};

/// Kazakh (all of ә ғ қ ң ө ұ ү һ і), Russian, English, Chinese, emoji.
const TEXTS: &[&str] = &["kk.md", "ru.txt", "en.md", "zh.txt", "emoji.txt"];

/// The size budget for a wrapper with the default Ed25519 key.
const WRAPPER_BUDGET: usize = 16 * 1024;

fn original(name: &str) -> Vec<u8> {
    std::fs::read(sample(&format!("text/{name}"))).unwrap()
}

/// Labels sample `name` into the sandbox; returns (path, labelled bytes).
fn label_sample(sb: &Sandbox, name: &str) -> (PathBuf, Vec<u8>) {
    let out = sb.path(&format!("labelled-{name}"));
    assert_ok(&sb.label(&sample(&format!("text/{name}")), &out, &[]));
    let bytes = std::fs::read(&out).unwrap();
    (out, bytes)
}

fn write(sb: &Sandbox, name: &str, bytes: &[u8]) -> PathBuf {
    let p = sb.path(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Verifies and returns (verdict, codes, reason).
fn verdict(sb: &Sandbox, file: &Path) -> (String, Vec<String>, String) {
    let (entry, _) = sb.verify(file, true);
    (
        entry["verdict"].as_str().unwrap_or("?").to_string(),
        codes(&entry),
        entry["reason"].as_str().unwrap_or("").to_string(),
    )
}

fn assert_broken(sb: &Sandbox, what: &str, file: &Path, code: &str, words: &str) {
    let (v, c, reason) = verdict(sb, file);
    assert_eq!(v, "invalid", "{what}: {reason}");
    assert_eq!(c.first().map(String::as_str), Some(code), "{what}: {c:?}");
    assert!(
        reason.contains(words),
        "{what}: reason {reason:?} lacks {words:?}"
    );
}

#[test]
fn texts_in_five_scripts_label_as_trusted_within_the_size_budget() {
    let sb = Sandbox::new();
    for name in TEXTS {
        let before = original(name);
        let (out, after) = label_sample(&sb, name);
        // The visible text is untouched (the samples are NFC already).
        assert!(after.starts_with(&before), "{name}: text changed");
        let wrapper = after.len() - before.len();
        assert!(
            wrapper <= WRAPPER_BUDGET,
            "{name}: wrapper is {wrapper} bytes, over {WRAPPER_BUDGET}"
        );
        let found = tamga_text::find(&after).unwrap().expect("a wrapper");
        assert_eq!(found.range, before.len()..after.len(), "{name}");

        let (entry, code) = sb.verify(&out, true);
        assert_eq!(entry["verdict"], "trusted", "{name}: {entry}");
        assert_eq!(code, 0);
        let format = if name.ends_with(".md") {
            "markdown"
        } else {
            "text"
        };
        assert_eq!(entry["format"], format, "{name}");
        assert_eq!(entry["disclosure"]["ai"], "generated", "{name}");
        // Without the anchor, the same label is valid but not trusted.
        let (entry, _) = sb.verify(&out, false);
        assert_eq!(entry["verdict"], "valid-untrusted", "{name}");
    }
}

#[test]
fn each_common_breakage_gets_its_code_and_plain_explanation() {
    let sb = Sandbox::new();
    for name in TEXTS {
        let (_, labelled) = label_sample(&sb, name);
        let w = tamga_text::find(&labelled).unwrap().unwrap().range;
        let (body, wrapper) = labelled.split_at(w.start);
        let body_str = std::str::from_utf8(body).unwrap();

        // One character changed, same length: the hash no longer matches.
        let mut edited = labelled.clone();
        let i = edited.iter().position(u8::is_ascii_alphanumeric).unwrap();
        edited[i] = if edited[i] == b'x' { b'y' } else { b'x' };
        let f = write(&sb, &format!("edited-{name}"), &edited);
        assert_broken(&sb, name, &f, "assertion.dataHash.mismatch", "edited");

        // Windows line endings.
        let crlf = [body_str.replace('\n', "\r\n").as_bytes(), wrapper].concat();
        let f = write(&sb, &format!("crlf-{name}"), &crlf);
        assert_broken(
            &sb,
            name,
            &f,
            "assertion.dataHash.malformed",
            "line endings",
        );

        // A byte-order mark in front.
        let bom = ["\u{feff}".as_bytes(), &labelled].concat();
        let f = write(&sb, &format!("bom-{name}"), &bom);
        assert_broken(
            &sb,
            name,
            &f,
            "assertion.dataHash.malformed",
            "byte-order mark",
        );

        // An editor's newline after the label.
        let nl = [labelled.as_slice(), b"\n"].concat();
        let f = write(&sb, &format!("nl-{name}"), &nl);
        assert_broken(&sb, name, &f, "assertion.dataHash.mismatch", "line break");

        // NFD: only texts with decomposable letters change (Cyrillic й, ё…).
        let nfd: String = body_str.nfd().collect();
        if nfd != body_str {
            let f = write(
                &sb,
                &format!("nfd-{name}"),
                &[nfd.as_bytes(), wrapper].concat(),
            );
            assert_broken(
                &sb,
                name,
                &f,
                "assertion.dataHash.malformed",
                "normalization",
            );
        }

        // Half of the text: with the label (copied with it, or the rest
        // deleted) it is a fragment; without the label there is nothing to
        // trust. Never trusted either way.
        let half = body_str.floor_char_boundary(body.len() / 2);
        let f = write(
            &sb,
            &format!("first-half-{name}"),
            &[&body[..half], wrapper].concat(),
        );
        assert_broken(&sb, name, &f, "assertion.dataHash.malformed", "only part");
        let f = write(
            &sb,
            &format!("second-half-{name}"),
            &[&body[half..], wrapper].concat(),
        );
        assert_broken(&sb, name, &f, "assertion.dataHash.malformed", "only part");
        let f = write(&sb, &format!("bare-half-{name}"), &body[..half]);
        let (v, _, _) = verdict(&sb, &f);
        assert_eq!(v, "unlabelled", "{name}");
    }
}

#[test]
fn damaged_and_doubled_wrappers_report_the_text_codes() {
    let sb = Sandbox::new();
    let (_, labelled) = label_sample(&sb, "kk.md");
    let w = tamga_text::find(&labelled).unwrap().unwrap().range;

    // Cut in the middle of the manifest (even mid-character, as a
    // truncated download would): the copy lost the label's end.
    let cut = &labelled[..w.start + w.len() / 2 + 1];
    let f = write(&sb, "cut.md", cut);
    assert_broken(&sb, "cut", &f, "manifest.text.corruptedWrapper", "cut off");
    let (entry, code) = sb.verify(&f, true);
    assert_eq!(code, 1, "{entry}");

    // Version byte (the ninth selector after U+FEFF: U+FE01) set to 2.
    let mut bad = labelled.clone();
    let version_at = w.start + 3 + 7 * 4 + 3;
    assert_eq!(&bad[version_at..version_at + 3], "\u{fe01}".as_bytes());
    bad[version_at..version_at + 3].copy_from_slice("\u{fe02}".as_bytes());
    let f = write(&sb, "version.md", &bad);
    assert_broken(
        &sb,
        "version",
        &f,
        "manifest.text.corruptedWrapper",
        "version",
    );

    // Two labelled texts pasted together.
    let (_, other) = label_sample(&sb, "ru.txt");
    let f = write(&sb, "two.md", &[labelled.as_slice(), &other].concat());
    assert_broken(&sb, "two", &f, "manifest.text.multipleWrappers", "2 labels");
}

#[test]
fn relabelling_a_text_keeps_the_previous_label_as_parent() {
    let sb = Sandbox::new();
    let (first, _) = label_sample(&sb, "en.md");
    let second = sb.path("second.md");
    assert_ok(&sb.label_ai(&first, &second, "edited"));
    let (entry, _) = sb.verify(&second, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
    assert_eq!(entry["manifests"], 2);
    assert_eq!(entry["disclosure"]["ai"], "edited");
    // Only one wrapper: the old one was replaced, not stacked.
    let bytes = std::fs::read(&second).unwrap();
    assert!(tamga_text::find(&bytes).unwrap().is_some());
    assert!(bytes.starts_with(&original("en.md")));
}

#[test]
fn non_nfc_input_is_normalized_before_signing() {
    let sb = Sandbox::new();
    let nfd: String = std::str::from_utf8(&original("ru.txt"))
        .unwrap()
        .nfd()
        .collect();
    let input = write(&sb, "nfd.txt", nfd.as_bytes());
    let out = sb.path("nfd-labelled.txt");
    let o = sb.label(&input, &out, &[]);
    assert_ok(&o);
    assert!(text(&o.stderr).contains("NFC"), "{}", text(&o.stderr));
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "trusted");
    assert!(std::fs::read(&out)
        .unwrap()
        .starts_with(&original("ru.txt")));
}

fn run_with_stdin(sb: &Sandbox, args: &[&str], stdin: &[u8]) -> std::process::Output {
    piped(sb.cmd().args(args), stdin)
}

#[test]
fn text_goes_through_a_pipe() {
    let sb = Sandbox::new();
    let keys = sb.keys();
    let anchor = sb.anchor();
    let zh = original("zh.txt");
    let label = [
        "label",
        "-",
        "--format",
        "text",
        "--ai",
        "generated",
        "--keys",
        keys.to_str().unwrap(),
    ];
    let out = run_with_stdin(&sb, &label, &zh);
    assert_ok(&out);
    assert!(
        out.stdout.starts_with(&zh),
        "stdout must carry only the text"
    );
    assert!(tamga_text::find(&out.stdout).unwrap().is_some());

    let verify = ["verify", "-", "--json", "--trust", anchor.to_str().unwrap()];
    let v = run_with_stdin(&sb, &verify, &out.stdout);
    assert_ok(&v);
    let doc: Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(doc["files"][0]["verdict"], "trusted", "{doc}");
    assert_eq!(doc["files"][0]["path"], "<stdin>");

    // Not UTF-8 (CP1251 Cyrillic): a clear error, exit 1, nothing on stdout.
    let cp1251 = b"\xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0\n";
    let bad = run_with_stdin(&sb, &label, cp1251);
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    assert!(
        text(&bad.stderr).contains("not UTF-8"),
        "{}",
        text(&bad.stderr)
    );

    // `-` must stand alone.
    let mixed = sb.run(&["verify", "-", "x.txt"]);
    assert_eq!(mixed.status.code(), Some(2));
}

#[test]
fn other_extensions_need_format_text_and_non_utf8_files_fail_clearly() {
    let sb = Sandbox::new();
    let html = write(&sb, "answer.html", &original("en.md"));
    let out = sb.path("answer-labelled.html");
    let o = sb.label(&html, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("--format text"),
        "{}",
        text(&o.stdout)
    );

    assert_ok(&sb.label(&html, &out, &["--format", "text"]));
    let anchor = sb.anchor();
    let v = sb.run(&[
        "verify",
        "--json",
        "--format",
        "text",
        out.to_str().unwrap(),
        "--trust",
        anchor.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(doc["files"][0]["verdict"], "trusted", "{doc}");

    let latin1 = write(&sb, "latin1.txt", b"caf\xe9 au lait\n");
    let o = sb.label(&latin1, &sb.path("l.txt"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let msg = text(&o.stdout);
    assert!(
        msg.contains("latin1.txt") && msg.contains("not UTF-8") && msg.contains("offset 3"),
        "{msg}"
    );
    assert!(!sb.path("l.txt").exists());
}

// ---- interoperability with c2pa-text and c2pa-python ----

fn py(script: &str, args: &[&Path]) -> Value {
    let out = Command::new(python())
        .arg(root().join("tests/interop").join(script))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{script}: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn c2pa_text_decodes_tamga_wrappers_to_the_exact_store() {
    let sb = Sandbox::new();
    for name in TEXTS {
        let (out, bytes) = label_sample(&sb, name);
        let ours = tamga_text::find(&bytes).unwrap().unwrap();
        let r = py("c2pa_text_find.py", &[&out]);
        assert_eq!(r["found"], true, "{name}: {r}");
        assert_eq!(r["start"], ours.range.start, "{name}");
        assert_eq!(r["length"], ours.range.len(), "{name}");
        assert_eq!(r["valid"], true, "{name}: {r}");
        let sha = format!("{:x}", Sha256::digest(&ours.manifest));
        assert_eq!(r["manifest_sha256"], sha.as_str(), "{name}");
        assert_eq!(r["manifest_len"], ours.manifest.len(), "{name}");
    }
}

#[test]
fn tamga_finds_wrappers_that_c2pa_text_encodes() {
    let sb = Sandbox::new();
    let (out, _) = label_sample(&sb, "kk.md");
    let store = sb.path("store.c2pa");
    py("c2pa_text_find.py", &[&out, &store]);
    let body = sample("text/kk.md");

    // Padded to the same planned size: c2pa-text's own padding bytes, and
    // the exclusion still matches, so the label is trusted.
    let padded = sb.path("padded.md");
    let pad = PathBuf::from("--pad");
    py("c2pa_text_embed.py", &[&body, &store, &padded, &pad]);
    let (v, c, reason) = verdict(&sb, &padded);
    assert_eq!(v, "trusted", "{c:?} {reason}");

    // Unpadded: found, but shorter than the signed exclusion.
    let unpadded = sb.path("unpadded.md");
    py("c2pa_text_embed.py", &[&body, &store, &unpadded]);
    let (v, c, _) = verdict(&sb, &unpadded);
    assert_eq!(v, "invalid");
    assert_eq!(
        c.first().map(String::as_str),
        Some("assertion.dataHash.malformed")
    );
}

#[test]
fn texts_signed_by_c2pa_python_and_wrapped_by_c2pa_text_verify_in_tamga() {
    let sb = Sandbox::new();
    let keys = sb.keys();
    let out = sb.path("other-vendor.txt");
    let r = Command::new(python())
        .arg(root().join("tests/interop/c2pa_text_sign.py"))
        .arg(sample("text/ru.txt"))
        .arg(&out)
        .arg(keys.join("signing-chain.pem"))
        .arg(keys.join("signing.key"))
        .arg("ed25519")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", text(&r.stderr));
    let (v, c, reason) = verdict(&sb, &out);
    assert_eq!(v, "trusted", "{c:?} {reason}");

    let mut edited = std::fs::read(&out).unwrap();
    let i = edited.iter().position(u8::is_ascii_digit).unwrap();
    edited[i] = if edited[i] == b'1' { b'2' } else { b'1' };
    let f = write(&sb, "other-vendor-edited.txt", &edited);
    assert_broken(&sb, "edited", &f, "assertion.dataHash.mismatch", "edited");
}

#[test]
fn the_store_inside_a_tamga_text_validates_in_c2pa_python() {
    let sb = Sandbox::new();
    let anchor = sb.anchor();
    for name in ["kk.md", "zh.txt"] {
        let (out, bytes) = label_sample(&sb, name);
        let mime = if name.ends_with(".md") {
            "text/markdown"
        } else {
            "text/plain"
        };
        let read = |file: &Path| -> Value {
            let o = Command::new(python())
                .arg(root().join("tests/interop/c2pa_read.py"))
                .arg(file)
                .arg(mime)
                .arg(&anchor)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", text(&o.stderr));
            serde_json::from_slice(&o.stdout).unwrap()
        };
        let r = read(&out);
        // c2pa-rs 0.91 has no text handler, so it cannot see the wrapper in
        // the stream and adds one "exclusion does not match the manifest
        // location" failure; everything else must pass.
        let successes: Vec<&str> = r["successes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for needed in [
            "claimSignature.validated",
            "signingCredential.trusted",
            "assertion.dataHash.match",
        ] {
            assert!(successes.contains(&needed), "{name}: no {needed}: {r}");
        }
        assert_eq!(
            r["failures"],
            serde_json::json!(["assertion.dataHash.mismatch"]),
            "{r}"
        );
        let why = r["failure_explanations"][0].as_str().unwrap_or("");
        assert!(why.contains("exclusion"), "{name}: {why}");
        assert_eq!(
            r["digital_source_types"][0],
            "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
        );

        // And the same reader sees an edit.
        let mut edited = bytes.clone();
        let i = edited.iter().position(u8::is_ascii_alphanumeric).unwrap();
        edited[i] = if edited[i] == b'x' { b'y' } else { b'x' };
        let f = write(&sb, &format!("py-edited-{name}"), &edited);
        let r = read(&f);
        assert_eq!(r["data_hash_match"], false, "{name}: {r}");
    }
}
