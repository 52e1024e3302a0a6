//! The same suite over every embeddable format: label → trusted, tamper →
//! invalid with the format's hash-mismatch code, no anchor → valid-untrusted,
//! unsigned → unlabelled, relabel → the first manifest kept as parent.

use std::path::Path;

use serde_json::Value;

use crate::util::{assert_ok, codes, Sandbox};

/// Where to flip a byte so the media content changes but the container stays parseable.
#[derive(Clone, Copy)]
enum Tamper {
    /// Flip a byte halfway into the largest stretch not holding the manifest.
    AwayFromManifest,
    /// Flip a byte in the payload of the first box/chunk with this 4-byte name.
    Inside(&'static [u8; 4]),
    /// GIF: change a colour of the global colour table.
    GifPalette,
    /// Text formats: change a word.
    Replace(&'static str, &'static str),
}

struct Case {
    file: &'static str,
    tamper: Tamper,
    mismatch: &'static str,
}

const CASES: &[Case] = &[
    Case {
        file: "sample.jpg",
        tamper: Tamper::AwayFromManifest,
        mismatch: "assertion.dataHash.mismatch",
    },
    Case {
        file: "sample.png",
        tamper: Tamper::Inside(b"IDAT"),
        mismatch: "assertion.dataHash.mismatch",
    },
    Case {
        file: "sample.webp",
        tamper: Tamper::Inside(b"VP8 "),
        mismatch: "assertion.dataHash.mismatch",
    },
    Case {
        file: "sample.gif",
        tamper: Tamper::GifPalette,
        mismatch: "assertion.dataHash.mismatch",
    },
    Case {
        file: "sample.tif",
        tamper: Tamper::AwayFromManifest,
        mismatch: "assertion.dataHash.mismatch",
    },
    Case {
        file: "sample.avif",
        tamper: Tamper::Inside(b"mdat"),
        mismatch: "assertion.bmffHash.mismatch",
    },
    Case {
        file: "sample.heic",
        tamper: Tamper::Inside(b"mdat"),
        mismatch: "assertion.bmffHash.mismatch",
    },
    Case {
        file: "sample.jxl",
        tamper: Tamper::Inside(b"jxlc"),
        mismatch: "assertion.dataHash.mismatch",
    },
    Case {
        file: "sample.svg",
        tamper: Tamper::Replace("tamga</text>", "tamgb</text>"),
        mismatch: "assertion.dataHash.mismatch",
    },
    Case {
        file: "sample.wav",
        tamper: Tamper::Inside(b"data"),
        mismatch: "assertion.dataHash.mismatch",
    },
    Case {
        file: "sample.mp3",
        tamper: Tamper::AwayFromManifest,
        mismatch: "assertion.dataHash.mismatch",
    },
    Case {
        file: "sample.flac",
        tamper: Tamper::AwayFromManifest,
        mismatch: "assertion.dataHash.mismatch",
    },
    Case {
        file: "sample.m4a",
        tamper: Tamper::Inside(b"mdat"),
        mismatch: "assertion.bmffHash.mismatch",
    },
];

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Changes one byte of media content in `path`; returns the offset.
fn tamper(path: &Path, how: Tamper) -> usize {
    let mut b = std::fs::read(path).unwrap();
    let pos = match how {
        Tamper::Replace(from, to) => {
            let s = String::from_utf8(b.clone()).unwrap();
            assert!(s.contains(from), "{from} not in {}", path.display());
            std::fs::write(path, s.replacen(from, to, 1)).unwrap();
            return 0;
        }
        Tamper::GifPalette => 13 + 4,
        Tamper::Inside(name) => {
            let at =
                find(&b, name).unwrap_or_else(|| panic!("no {:?} in {}", name, path.display()));
            let size = u32::from_be_bytes(b[at - 4..at].try_into().unwrap()) as usize;
            let le = u32::from_le_bytes(b[at + 4..at + 8].try_into().unwrap()) as usize;
            // BMFF/PNG sizes are big-endian before the name; RIFF sizes little-endian after it.
            let payload = if name == b"data" || name == b"VP8 " {
                le
            } else {
                size.saturating_sub(8).max(16)
            };
            at + 8 + payload.min(b.len() - at - 9) / 2
        }
        Tamper::AwayFromManifest => {
            let start = find(&b, b"jumb")
                .expect("manifest present")
                .saturating_sub(8);
            let end = (rfind(&b, b"c2pa.signature").unwrap() + 16_000).min(b.len());
            let mut pos = if start > b.len() - end {
                start / 2
            } else {
                end + (b.len() - end) / 2
            };
            // Keep JPEG/MPEG sync intact: never create or destroy an 0xFF byte.
            while b[pos] == 0xFF || b[pos] == 0xFE || b[pos - 1] == 0xFF {
                pos += 1;
            }
            pos
        }
    };
    b[pos] ^= 0x01;
    std::fs::write(path, &b).unwrap();
    pos
}

#[test]
fn every_format_labels_verifies_and_detects_tampering() {
    let sb = Sandbox::new();
    let mut problems = Vec::new();
    for case in CASES {
        let input = sb.copy_sample(case.file);
        let output = sb.path(&format!("labelled-{}", case.file));
        let out = sb.label(&input, &output, &[]);
        if !out.status.success() {
            problems.push(format!(
                "{}: label failed: {}",
                case.file,
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        assert_eq!(
            std::fs::read(&input).unwrap(),
            std::fs::read(crate::util::sample(case.file)).unwrap(),
            "input changed"
        );

        let (entry, code) = sb.verify(&output, true);
        if entry["verdict"] != "trusted" || code != 0 {
            problems.push(format!(
                "{}: expected trusted, got {} ({:?})",
                case.file,
                entry["verdict"],
                codes(&entry)
            ));
            continue;
        }
        assert_eq!(entry["disclosure"]["ai"], "generated", "{}", case.file);
        assert_eq!(
            entry["disclosure"]["digitalSourceType"],
            "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
        );
        assert_eq!(entry["disclosure"]["generator"]["name"], "Test Model");
        assert_eq!(entry["disclosure"]["generator"]["version"], "2.1");
        assert_eq!(entry["disclosure"]["organisation"], "Tamga Test Newsroom");
        assert!(entry["disclosure"]["notice"]["kk"]
            .as_str()
            .unwrap()
            .contains("Жасанды интеллект"));

        let (entry, code) = sb.verify(&output, false);
        if entry["verdict"] != "valid-untrusted" || code != 0 {
            problems.push(format!(
                "{}: without anchor expected valid-untrusted, got {}",
                case.file, entry["verdict"]
            ));
        }
        assert!(
            codes(&entry).contains(&"signingCredential.untrusted".to_string()),
            "{}",
            case.file
        );

        let (entry, _) = sb.verify(&input, true);
        if entry["verdict"] != "unlabelled" {
            problems.push(format!(
                "{}: unsigned sample should be unlabelled, got {}",
                case.file, entry["verdict"]
            ));
        }

        // Relabel the labelled file: the first manifest must survive as the parent.
        let again = sb.path(&format!("relabelled-{}", case.file));
        assert_ok(&sb.label(&output, &again, &[]));
        let (entry, _) = sb.verify(&again, true);
        if entry["verdict"] != "trusted" || entry["manifests"] != 2 {
            problems.push(format!(
                "{}: relabel gave {} with {} manifests",
                case.file, entry["verdict"], entry["manifests"]
            ));
        }
        let inspect = sb.run(&["inspect", "--json", again.to_str().unwrap()]);
        let doc: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
        let store = &doc["manifest_store"];
        let active = store["active_manifest"].as_str().unwrap();
        let parent = &store["manifests"][active]["ingredients"][0];
        if parent["relationship"] != "parentOf" || parent["active_manifest"].is_null() {
            problems.push(format!(
                "{}: relabel lost the parent manifest: {parent}",
                case.file
            ));
        }

        let at = tamper(&output, case.tamper);
        let (entry, code) = sb.verify(&output, true);
        let got = codes(&entry);
        if entry["verdict"] != "invalid" || code != 1 || !got.iter().any(|c| c == case.mismatch) {
            problems.push(format!(
                "{}: after flipping byte {at} expected invalid with {}, got {} {:?} (exit {code})",
                case.file, case.mismatch, entry["verdict"], got
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn unembeddable_formats_get_a_sidecar_that_verify_finds() {
    let sb = Sandbox::new();
    for file in ["sample.bmp", "sample.ogg", "sample.aac"] {
        let input = sb.copy_sample(file);
        let output = sb.path(&format!("out-{file}"));
        let out = sb.label(&input, &output, &[]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--sidecar") && err.contains(file), "{err}");
        assert!(!output.exists(), "{file}: a failed label left an output");

        assert_ok(&sb.label(&input, &output, &["--sidecar"]));
        let sidecar = sb.path(&format!("out-{file}.c2pa"));
        assert!(sidecar.exists());
        assert_eq!(
            std::fs::read(&output).unwrap(),
            std::fs::read(&input).unwrap()
        );
        let (entry, _) = sb.verify(&output, true);
        assert_eq!(entry["verdict"], "trusted", "{file}: {entry}");
        assert_eq!(entry["manifest_source"], "sidecar");

        let mut b = std::fs::read(&output).unwrap();
        let mid = b.len() / 2;
        b[mid] ^= 0x01;
        std::fs::write(&output, b).unwrap();
        let (entry, _) = sb.verify(&output, true);
        assert_eq!(entry["verdict"], "invalid", "{file}");
        assert!(codes(&entry).contains(&"assertion.dataHash.mismatch".to_string()));
    }
}

#[test]
fn content_decides_the_format_and_a_mismatch_is_reported() {
    let sb = Sandbox::new();
    let disguised = sb.path("photo.png");
    std::fs::copy(crate::util::sample("sample.jpg"), &disguised).unwrap();
    let output = sb.path("labelled.png");
    let out = sb.label(&disguised, &output, &[]);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("the extension says png but the content is jpeg"));
    let (entry, _) = sb.verify(&output, true);
    assert_eq!(entry["verdict"], "trusted");
    assert_eq!(entry["format"], "jpeg");
    assert!(entry["warnings"][0]
        .as_str()
        .unwrap()
        .contains("extension says png"));
}

#[test]
fn image_labels_carry_a_small_jpeg_thumbnail_unless_turned_off() {
    let sb = Sandbox::new();
    for (file, thumb) in [
        ("sample.png", "256"),
        ("sample.jpg", "256"),
        ("sample.gif", "0"),
    ] {
        let out = sb.path(&format!("t-{file}"));
        assert_ok(&sb.label(&sb.copy_sample(file), &out, &["--thumbnail", thumb]));
        let inspect = sb.run(&["inspect", "--json", out.to_str().unwrap()]);
        let doc: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
        let store = &doc["manifest_store"];
        let m = &store["manifests"][store["active_manifest"].as_str().unwrap()];
        if thumb == "0" {
            assert!(m["thumbnail"].is_null(), "{file}: {m}");
        } else {
            assert_eq!(m["thumbnail"]["format"], "image/jpeg", "{file}: {m}");
        }
    }
}

/// WAV labels are verified in constant memory (c2pa checks the store, tamga
/// streams the data hash). Damage anywhere must still be caught, by the right check.
#[test]
fn wav_streaming_verification_catches_damage_to_the_manifest_and_the_audio() {
    let sb = Sandbox::new();
    let out = sb.path("v.wav");
    assert_ok(&sb.label(&sb.copy_sample("sample.wav"), &out, &[]));
    let good = std::fs::read(&out).unwrap();
    let sig = rfind(&good, b"c2pa.signature").unwrap();

    // A byte of the COSE signature structure.
    let mut b = good.clone();
    b[sig + 600] ^= 0x01;
    std::fs::write(&out, &b).unwrap();
    let (entry, code) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert_eq!(code, 1);
    assert!(
        !codes(&entry)
            .iter()
            .any(|c| c == "assertion.dataHash.mismatch"),
        "{entry}"
    );

    // A byte of an assertion (tamga's disclosure): its hashed URI fails.
    let mut b = good.clone();
    let at = find(&b, b"Test Model").unwrap();
    b[at] ^= 0x01;
    std::fs::write(&out, &b).unwrap();
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert!(
        codes(&entry).iter().any(|c| c.starts_with("assertion.")),
        "{entry}"
    );

    // A byte after the manifest chunk (appended data) is not excluded.
    let mut b = good.clone();
    b.extend_from_slice(b"JUNK\x04\0\0\0abcd");
    std::fs::write(&out, &b).unwrap();
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert!(codes(&entry).contains(&"assertion.dataHash.mismatch".to_string()));

    std::fs::write(&out, &good).unwrap();
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "trusted");
}

/// A label damaged anywhere is reported as tampered (`invalid`, with a C2PA
/// failure code), not as an unreadable file: c2pa refuses to parse some
/// damage (a broken COSE structure, claim CBOR or certificate) instead of
/// validating it, and a distributor must still see "tampered".
#[test]
fn a_byte_flipped_anywhere_in_the_label_is_invalid_not_an_error() {
    let sb = Sandbox::new();
    let flips = sb.path("flips");
    std::fs::create_dir(&flips).unwrap();
    for (sample_name, ext) in [("sample.wav", "wav"), ("sample.jpg", "jpg")] {
        let labelled = sb.path(&format!("l.{ext}"));
        assert_ok(&sb.label(&sb.copy_sample(sample_name), &labelled, &[]));
        let good = std::fs::read(&labelled).unwrap();
        // The manifest store: the WAV's C2PA chunk body, or the JPEG's
        // APP11 segments without their markers and lengths (flipping those
        // damages the JPEG itself, a different error).
        let mut spans = Vec::new();
        if ext == "wav" {
            let at = rfind(&good, b"C2PA").unwrap();
            let len = u32::from_le_bytes(good[at + 4..at + 8].try_into().unwrap()) as usize;
            spans.push(at + 8..at + 8 + len);
        } else {
            let mut at = find(&good, &[0xFF, 0xEB]).unwrap();
            while good[at..].starts_with(&[0xFF, 0xEB]) {
                let len = usize::from(u16::from_be_bytes([good[at + 2], good[at + 3]]));
                spans.push(at + 4..at + 2 + len);
                at += 2 + len;
            }
        }
        for pos in spans.into_iter().flatten().step_by(11) {
            let mut b = good.clone();
            b[pos] ^= 0x55;
            std::fs::write(flips.join(format!("{ext}-{pos}.{ext}")), b).unwrap();
        }
    }
    let anchor = sb.anchor();
    let out = sb.run(&[
        "verify",
        "--json",
        flips.to_str().unwrap(),
        "--trust",
        anchor.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = doc["files"].as_array().unwrap();
    assert!(files.len() > 500, "{}", files.len());
    let mut invalid = 0;
    for f in files {
        let path = f["path"].as_str().unwrap();
        assert_ne!(f["verdict"], "error", "{path}: {f}");
        if f["verdict"] == "invalid" {
            invalid += 1;
            assert!(!codes(f).is_empty(), "{path}: invalid with no code: {f}");
        }
    }
    // The rest: box headers c2pa does not sign (still trusted, as in
    // c2patool) or a destroyed chunk id (no label found at all).
    assert!(
        invalid * 100 >= files.len() * 95,
        "{invalid} of {}",
        files.len()
    );
}
