//! Issue 15 §2: a data hash whose exclusion covers more than the manifest
//! store leaves those bytes unprotected. tamga says `invalid` with
//! `assertion.dataHash.mismatch`, as c2pa-rs 0.91+ (c2pa-python) does.
//!
//! The files are signed here with c2pa's data-hash API, which takes the
//! exclusions from the caller, the way a camera vendor's signer did: the
//! exclusion starts at byte 0 and also covers the EXIF segment (JPEG), the
//! header and a text chunk (PNG), or the audio itself (WAV).

use std::io::Cursor;

use c2pa::{assertions::DataHash, Builder, HashRange};

use crate::{
    interop::py_read,
    util::{assert_ok, codes, sample, Sandbox},
};

pub const MISMATCH: &str = "assertion.dataHash.mismatch";

/// A file built around a placeholder: its bytes, where the placeholder sits,
/// and the one exclusion to sign with.
pub struct Layout {
    pub bytes: Vec<u8>,
    pub at: usize,
    pub exclusion: (u64, u64),
}

/// A camera vendor's manifest and the sandbox's signer.
fn builder_and_signer(sb: &Sandbox) -> (Builder, Box<dyn c2pa::Signer>) {
    let signer = sb.c2pa_signer();
    let builder = Builder::from_context(c2pa::Context::new())
        .with_definition(crate::util::created_by(
            Some("camera capture"),
            "wide-exclusion-camera",
            "digitalCapture",
        ))
        .unwrap();
    (builder, signer)
}

/// Signs `layout` with the sandbox keys: the placeholder at `layout.at` is
/// replaced by the signed store, whose data hash has the layout's exclusion.
pub fn sign_with_exclusion(
    sb: &Sandbox,
    mime: &str,
    build: impl FnOnce(&[u8]) -> Layout,
) -> Vec<u8> {
    sign_with_exclusion_as(sb, mime, |s| s.to_vec(), build)
}

/// [`sign_with_exclusion`] for a format that embeds the store encoded
/// (SVG's base64): `layout.at` is where `encode(placeholder)` sits.
pub fn sign_with_exclusion_as(
    sb: &Sandbox,
    mime: &str,
    encode: fn(&[u8]) -> Vec<u8>,
    build: impl FnOnce(&[u8]) -> Layout,
) -> Vec<u8> {
    let (mut builder, signer) = builder_and_signer(sb);
    let placeholder = builder
        .data_hashed_placeholder(signer.reserve_size(), mime)
        .unwrap();
    let mut layout = build(&placeholder);
    let mut dh = DataHash::new("jumbf manifest", "sha256");
    dh.add_exclusion(HashRange::new(layout.exclusion.0, layout.exclusion.1));
    dh.gen_hash_from_stream(&mut Cursor::new(&layout.bytes))
        .unwrap();
    let signed = builder
        .sign_data_hashed_embeddable(signer.as_ref(), &dh, mime)
        .unwrap();
    assert_eq!(
        signed.len(),
        placeholder.len(),
        "signed store must fit its place"
    );
    let signed = encode(&signed);
    layout.bytes[layout.at..layout.at + signed.len()].copy_from_slice(&signed);
    layout.bytes
}

/// A JPEG with an EXIF segment, then the store; the exclusion runs from
/// byte 0 to the end of the store, as the measured camera files' did.
fn wide_jpeg(sb: &Sandbox) -> (Vec<u8>, usize) {
    let src = std::fs::read(sample("sample.jpg")).unwrap();
    let exif_at = 2;
    let mut exif = vec![0xFF, 0xE1, 0, 0];
    exif.extend(b"Exif\0\0GPS 43.2389 N 76.8897 E 2026:12:06 12:00:00");
    let len = (exif.len() - 2) as u16;
    exif[2..4].copy_from_slice(&len.to_be_bytes());
    let bytes = sign_with_exclusion(sb, "image/jpeg", |ph| {
        let mut b = src[..2].to_vec();
        b.extend(&exif);
        let at = b.len();
        b.extend(ph);
        b.extend(&src[2..]);
        Layout {
            bytes: b,
            at,
            exclusion: (0, (at + ph.len()) as u64),
        }
    });
    (bytes, exif_at + 4 + 6)
}

/// A PNG with a `tEXt` chunk before the store; the exclusion covers the
/// signature, IHDR and that chunk too.
fn wide_png(sb: &Sandbox) -> (Vec<u8>, usize) {
    let src = std::fs::read(sample("sample.png")).unwrap();
    let ihdr_end = 8 + 12 + 13;
    let mut text = Vec::new();
    let body = b"Comment\0shot at 12:00";
    text.extend((body.len() as u32).to_be_bytes());
    text.extend(b"tEXt");
    text.extend(body);
    text.extend([0, 0, 0, 0]); // the CRC is not checked by C2PA readers
    let text_at = ihdr_end + 8 + 8;
    let bytes = sign_with_exclusion(sb, "image/png", |ph| {
        let mut b = src[..ihdr_end].to_vec();
        b.extend(&text);
        let at = b.len();
        b.extend(ph);
        b.extend(&src[ihdr_end..]);
        Layout {
            bytes: b,
            at,
            exclusion: (0, (at + ph.len()) as u64),
        }
    });
    (bytes, text_at)
}

/// A WAV whose `C2PA` chunk follows the audio, with one exclusion over the
/// audio and the chunk: every sample could be replaced undetected.
fn wide_wav(sb: &Sandbox) -> (Vec<u8>, usize) {
    let src = std::fs::read(sample("sample.wav")).unwrap();
    let audio_at = 12 + 8 + 16 + 8 + 100; // inside the data chunk
                                          // c2pa 0.90 composes no RIFF chunk: sign the bare store
                                          // (application/c2pa) and wrap it here.
    let bytes = sign_with_exclusion(sb, "application/c2pa", |ph| {
        let mut b = src.clone();
        if b.len() % 2 == 1 {
            b.push(0);
        }
        let chunk_at = b.len();
        b.extend(b"C2PA");
        b.extend((ph.len() as u32).to_le_bytes());
        let at = b.len();
        b.extend(ph);
        if ph.len() % 2 == 1 {
            b.push(0);
        }
        let riff = (b.len() - 8) as u32;
        b[4..8].copy_from_slice(&riff.to_le_bytes());
        Layout {
            bytes: b,
            at,
            exclusion: (12, (chunk_at + 8 + ph.len() - 12) as u64),
        }
    });
    (bytes, audio_at)
}

/// A GIF with the store right after the global colour table; the
/// exclusion covers the header and the palette too.
fn wide_gif(sb: &Sandbox) -> (Vec<u8>, usize) {
    let src = std::fs::read(sample("sample.gif")).unwrap();
    let packed = src[10];
    let table = if packed & 0x80 != 0 {
        3 << ((packed & 7) + 1)
    } else {
        0
    };
    let after_table = 13 + table;
    let bytes = sign_with_exclusion(sb, "image/gif", |ph| {
        let mut b = src[..after_table].to_vec();
        let at = b.len();
        b.extend(ph);
        b.extend(&src[after_table..]);
        Layout {
            bytes: b,
            at,
            exclusion: (0, (at + ph.len()) as u64),
        }
    });
    // A palette entry: every pixel of that colour changes undetected.
    (bytes, 13 + 1)
}

/// ID3v2.4's 28-bit "syncsafe" integers.
fn syncsafe(n: usize) -> [u8; 4] {
    [
        (n >> 21) as u8 & 0x7F,
        (n >> 14) as u8 & 0x7F,
        (n >> 7) as u8 & 0x7F,
        n as u8 & 0x7F,
    ]
}

fn id3_frame(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut f = id.to_vec();
    f.extend(syncsafe(body.len()));
    f.extend([0, 0]);
    f.extend(body);
    f
}

/// An MP3 with an ID3v2.4 tag holding a title frame, then the store's GEOB
/// frame; the exclusion runs from byte 0 (the tag header and the title) to
/// the end of the store.
fn wide_mp3(sb: &Sandbox) -> (Vec<u8>, usize) {
    let audio = std::fs::read(sample("sample.mp3")).unwrap();
    assert_eq!(
        &audio[..2],
        [0xFF, 0xF3],
        "the sample starts with audio, no tag"
    );
    let title = id3_frame(b"TIT2", b"\x03Field recording, 12:00");
    // c2pa 0.90 composes no ID3 frame: sign the bare store and wrap it here.
    let bytes = sign_with_exclusion(sb, "application/c2pa", |ph| {
        let mut geob = vec![0u8];
        geob.extend(b"application/c2pa\0c2pa\0c2pa manifest store\0");
        let data_in_geob = geob.len();
        geob.extend(ph);
        let frames = [title.clone(), id3_frame(b"GEOB", &geob)].concat();
        let mut b = b"ID3\x04\x00\x00".to_vec();
        b.extend(syncsafe(frames.len()));
        let at = b.len() + title.len() + 10 + data_in_geob;
        b.extend(frames);
        b.extend(&audio);
        Layout {
            bytes: b,
            at,
            exclusion: (0, (at + ph.len()) as u64),
        }
    });
    (bytes, 10 + 10 + 3)
}

#[test]
fn an_exclusion_wider_than_the_store_is_invalid_and_c2pa_python_agrees() {
    let sb = Sandbox::new();
    type Build = fn(&Sandbox) -> (Vec<u8>, usize);
    let cases: [(&str, &str, Build); 5] = [
        ("wide.jpg", "image/jpeg", wide_jpeg),
        ("wide.png", "image/png", wide_png),
        ("wide.wav", "audio/wav", wide_wav),
        ("wide.gif", "image/gif", wide_gif),
        ("wide.mp3", "audio/mpeg", wide_mp3),
    ];
    for (name, mime, build) in cases {
        let (bytes, inside) = build(&sb);
        assert_wide_is_invalid(&sb, name, mime, &bytes, inside);
    }
}

/// Writes `bytes` as `name`: tamga must call it invalid with
/// `assertion.dataHash.mismatch` and its reason, and c2pa-python must agree.
/// Then flips the byte at `inside`, one the exclusion wrongly covers: c2pa
/// 0.90's hash still matches (the byte really is unprotected) and tamga
/// still flags the file.
pub fn assert_wide_is_invalid(sb: &Sandbox, name: &str, mime: &str, bytes: &[u8], inside: usize) {
    let anchor = sb.anchor();
    let file = sb.path(name);
    std::fs::write(&file, bytes).unwrap();
    let (entry, code) = sb.verify(&file, true);
    assert_eq!(entry["verdict"], "invalid", "{name}: {entry}");
    assert_eq!(code, 1, "{name}");
    assert_eq!(codes(&entry)[0], MISMATCH, "{name}: {entry}");
    let reason = entry["reason"].as_str().unwrap();
    assert!(
        reason.contains("skips bytes outside the label itself (bytes ")
            && reason.contains("could be changed undetected"),
        "{name}: {reason}"
    );
    let py = py_read(&file, mime, Some(&anchor), None);
    assert_eq!(py["validation_state"], "Invalid", "{name}: {py}");
    assert!(py.to_string().contains(MISMATCH), "{name}: {py}");

    let mut edited = bytes.to_vec();
    edited[inside] ^= 0x55;
    let edited_file = sb.path(&format!("edited-{name}"));
    std::fs::write(&edited_file, &edited).unwrap();
    let (entry, code) = sb.verify(&edited_file, true);
    assert_eq!(entry["verdict"], "invalid", "edited {name}: {entry}");
    assert_eq!(code, 1);
    assert_eq!(codes(&entry)[0], MISMATCH);
    assert_eq!(entry["reason"], reason, "edited {name}");
    let py = py_read(&edited_file, mime, Some(&anchor), None);
    assert_eq!(py["data_hash_match"], true, "edited {name}: {py}");
}

#[test]
fn the_gate_rejects_a_file_with_a_too_wide_exclusion() {
    let sb = Sandbox::new();
    let (bytes, _) = wide_jpeg(&sb);
    let file = sb.path("wide.jpg");
    std::fs::write(&file, bytes).unwrap();
    let anchor = sb.anchor();
    for policy in ["kz", "eu", "cn"] {
        let out = sb.run(&[
            "check",
            "--json",
            "--policy",
            policy,
            "--trust",
            anchor.to_str().unwrap(),
            file.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{policy}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["files"][0]["verdict"], "reject", "{policy}: {doc}");
    }
}

#[test]
fn tamga_labels_and_exact_exclusions_are_unaffected() {
    let sb = Sandbox::new();
    for name in [
        "sample.jpg",
        "sample.png",
        "sample.wav",
        "sample.gif",
        "sample.webp",
        "sample.tif",
        "sample.svg",
        "sample.mp3",
        "sample.flac",
        "sample.jxl",
    ] {
        let out = sb.path(&format!("l-{name}"));
        assert_ok(&sb.label_plain(&sb.copy_sample(name), &out));
        let (entry, code) = sb.verify(&out, true);
        assert_eq!(entry["verdict"], "trusted", "{name}: {entry}");
        assert_eq!(code, 0);
    }
    // The data-hash API with the exact exclusion is fine too.
    let src = std::fs::read(sample("sample.jpg")).unwrap();
    let bytes = sign_with_exclusion(&sb, "image/jpeg", |ph| {
        let mut b = src[..2].to_vec();
        b.extend(ph);
        b.extend(&src[2..]);
        Layout {
            bytes: b,
            at: 2,
            exclusion: (2, ph.len() as u64),
        }
    });
    let file = sb.path("exact.jpg");
    std::fs::write(&file, bytes).unwrap();
    let (entry, code) = sb.verify(&file, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
    assert_eq!(code, 0);
}

#[test]
fn a_sidecar_whose_hash_skips_part_of_the_file_is_invalid() {
    let sb = Sandbox::new();
    let src = std::fs::read(sample("sample.jpg")).unwrap();
    // The store lives beside the file, so the file holds nothing to
    // exclude; this one skips the file's first 600 bytes.
    let (mut builder, signer) = builder_and_signer(&sb);
    builder
        .data_hashed_placeholder(signer.reserve_size(), "application/c2pa")
        .unwrap();
    let mut dh = DataHash::new("jumbf manifest", "sha256");
    dh.add_exclusion(HashRange::new(0, 600));
    dh.gen_hash_from_stream(&mut Cursor::new(&src)).unwrap();
    let store = builder
        .sign_data_hashed_embeddable(signer.as_ref(), &dh, "application/c2pa")
        .unwrap();
    let file = sb.path("side.jpg");
    let sidecar = sb.path("side.jpg.c2pa");
    std::fs::write(&file, &src).unwrap();
    std::fs::write(&sidecar, &store).unwrap();
    let (entry, code) = sb.verify(&file, true);
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert_eq!(code, 1);
    assert_eq!(codes(&entry)[0], MISMATCH);
    assert!(
        entry["reason"].as_str().unwrap().contains("(bytes 0–599)"),
        "{entry}"
    );
    let py = py_read(&file, "image/jpeg", Some(&sb.anchor()), Some(&sidecar));
    assert_eq!(py["validation_state"], "Invalid", "{py}");
}
