//! Both directions with the independent reference SDK, c2pa-python (PyPI):
//! tamga's labels read as Trusted there; its labels verify here.

use std::process::Command;

use serde_json::Value;

use crate::util::{assert_ok, python, root, text, Sandbox};

/// What the reference SDK (c2pa-python) says of `file`.
pub fn py_read(
    file: &std::path::Path,
    mime: &str,
    anchor: Option<&std::path::Path>,
    sidecar: Option<&std::path::Path>,
) -> Value {
    let mut c = Command::new(python());
    c.arg(root().join("tests/interop/c2pa_read.py"))
        .arg(file)
        .arg(mime);
    c.arg(anchor.map(|a| a.as_os_str().to_owned()).unwrap_or_default());
    if let Some(s) = sidecar {
        c.arg(s);
    }
    let out = c.output().expect("python");
    assert!(
        out.status.success(),
        "c2pa-python read {}: {}",
        file.display(),
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json from c2pa_read.py")
}

/// `src` signed to `dest` by the reference SDK with the sandbox's keys,
/// through `tests/interop/SCRIPT` (SRC DEST MIME CHAIN KEY ALG).
pub fn py_sign(
    sb: &Sandbox,
    script: &str,
    src: &std::path::Path,
    dest: &std::path::Path,
    mime: &str,
) {
    let keys = sb.keys();
    let out = Command::new(python())
        .arg(root().join("tests/interop").join(script))
        .arg(src)
        .arg(dest)
        .arg(mime)
        .arg(keys.join("signing-chain.pem"))
        .arg(keys.join("signing.key"))
        .arg("ed25519")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "c2pa-python sign: {}",
        text(&out.stderr)
    );
}

const FORMATS: &[(&str, &str)] = &[
    ("sample.jpg", "image/jpeg"),
    ("sample.png", "image/png"),
    ("sample.webp", "image/webp"),
    ("sample.gif", "image/gif"),
    ("sample.tif", "image/tiff"),
    ("sample.avif", "image/avif"),
    ("sample.heic", "image/heic"),
    ("sample.jxl", "image/jxl"),
    ("sample.svg", "image/svg+xml"),
    ("sample.wav", "audio/wav"),
    ("sample.mp3", "audio/mpeg"),
    ("sample.flac", "audio/flac"),
    ("sample.m4a", "audio/mp4"),
];

#[test]
fn tamga_labels_are_trusted_by_c2pa_python() {
    let sb = Sandbox::new();
    let anchor = sb.anchor();
    let mut problems = Vec::new();
    for (file, mime) in FORMATS {
        let out = sb.path(&format!("t-{file}"));
        assert_ok(&sb.label(&sb.copy_sample(file), &out, &[]));
        let r = py_read(&out, mime, Some(&anchor), None);
        if r["validation_state"] != "Trusted" {
            problems.push(format!(
                "{file}: c2pa-python says {} {}",
                r["validation_state"], r["failures"]
            ));
        }
        let dsts = r["digital_source_types"].to_string();
        if !dsts.contains("trainedAlgorithmicMedia") {
            problems.push(format!("{file}: c2pa-python sees source types {dsts}"));
        }
        // And without our anchor it must not be trusted there either.
        let r = py_read(&out, mime, None, None);
        if r["validation_state"] == "Trusted" {
            problems.push(format!("{file}: trusted without an anchor"));
        }
    }
    // A sidecar manifest validates there too.
    let bmp = sb.path("t-sample.bmp");
    assert_ok(&sb.label(&sb.copy_sample("sample.bmp"), &bmp, &["--sidecar"]));
    let r = py_read(
        &bmp,
        "image/bmp",
        Some(&anchor),
        Some(&sb.path("t-sample.bmp.c2pa")),
    );
    if r["validation_state"] != "Trusted" {
        problems.push(format!(
            "bmp sidecar: c2pa-python says {} {}",
            r["validation_state"], r["failures"]
        ));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn files_signed_by_c2pa_python_verify_in_tamga_with_their_disclosure() {
    let sb = Sandbox::new();
    for (file, mime) in [
        ("sample.jpg", "image/jpeg"),
        ("sample.wav", "audio/wav"),
        ("sample.png", "image/png"),
    ] {
        let signed = sb.path(&format!("py-{file}"));
        py_sign(
            &sb,
            "c2pa_sign.py",
            &crate::util::sample(file),
            &signed,
            mime,
        );
        let (entry, code) = sb.verify(&signed, true);
        assert_eq!(entry["verdict"], "trusted", "{file}: {entry}");
        assert_eq!(code, 0);
        assert_eq!(entry["disclosure"]["ai"], "generated");
        assert_eq!(
            entry["disclosure"]["generator"]["name"],
            "Other Vendor Diffusion"
        );
        assert_eq!(entry["disclosure"]["generator"]["version"], "5.0");
        assert_eq!(entry["disclosure"]["tamgaAssertion"], false);
        assert!(entry["claim_generator"]
            .as_str()
            .unwrap()
            .contains("interop-python-generator"));

        // Relabelling another tool's file keeps its manifest as the parent.
        let relabelled = sb.path(&format!("re-{file}"));
        assert_ok(&sb.label(&signed, &relabelled, &[]));
        let (entry, _) = sb.verify(&relabelled, true);
        assert_eq!(entry["verdict"], "trusted");
        assert_eq!(entry["manifests"], 2);
    }
}

/// MP4 and M4A from another tool go through tamga's streaming BMFF hash
/// (bmff_hash.rs) rather than c2pa's: trusted when intact, invalid with
/// the BMFF code when one media byte changed. A fragmented MP4 is among
/// them, and one with its `moov` after `mdat`.
#[test]
fn mp4_and_m4a_signed_by_c2pa_python_verify_here_and_tampering_shows() {
    use crate::video_util::clip;
    let sb = Sandbox::new();
    let codec = ["-c:v", "libx264", "-b:v", "300k"];
    let plain = sb.path("plain.mp4");
    clip(&plain, "320x240", 2, &codec, &[]);
    let front = sb.path("front.mp4");
    clip(&front, "320x240", 2, &codec, &["-movflags", "+faststart"]);
    let fragmented = sb.path("fragmented.mp4");
    clip(
        &fragmented,
        "320x240",
        2,
        &codec,
        &["-movflags", "frag_keyframe+empty_moov"],
    );
    let inputs = [
        (plain, "video/mp4"),
        (front, "video/mp4"),
        (fragmented, "video/mp4"),
        (crate::util::sample("sample.m4a"), "audio/mp4"),
    ];
    for (input, mime) in inputs {
        let name = input.file_name().unwrap().to_str().unwrap().to_string();
        let signed = sb.path(&format!("py-{name}"));
        py_sign(&sb, "c2pa_sign.py", &input, &signed, mime);
        let (entry, code) = sb.verify(&signed, true);
        assert_eq!(entry["verdict"], "trusted", "{name}: {entry}");
        assert_eq!(code, 0);
        assert_eq!(entry["disclosure"]["ai"], "generated", "{name}");

        // One byte of the media data, a third of the way into the last mdat.
        let mut bytes = std::fs::read(&signed).unwrap();
        let mdat = bytes.windows(4).rposition(|w| w == b"mdat").unwrap();
        let at = mdat + 4 + (bytes.len() - mdat - 4) / 3;
        bytes[at] ^= 0x10;
        let tampered = sb.path(&format!("tampered-{name}"));
        std::fs::write(&tampered, &bytes).unwrap();
        let (entry, _) = sb.verify(&tampered, true);
        assert_eq!(entry["verdict"], "invalid", "{name}: {entry}");
        assert!(
            crate::util::codes(&entry).contains(&"assertion.bmffHash.mismatch".to_string()),
            "{name}: {entry}"
        );
    }
}
