//! Issue 15 §2 for the rest of the data-hash formats: WebP, TIFF, SVG, FLAC
//! and JPEG XL. Each store is placed by c2pa's own writer for the format
//! (`save_jumbf_to_memory`), so the framing is exactly what c2pa writes;
//! only the data hash's exclusion is wider than the store, as a careless
//! signer's would be.

use crate::{
    exclusions::{assert_wide_is_invalid, sign_with_exclusion_as, Layout},
    util::{sample, Sandbox},
};

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn base64_of(store: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .encode(store)
        .into_bytes()
}

/// Where c2pa's writer put a store in a file and how long it is there: the
/// store's own bytes for most formats, its base64 text for SVG.
fn placed(bytes: &[u8], store: &[u8], svg: bool) -> (usize, usize) {
    let needle = if svg {
        base64_of(store)
    } else {
        store.to_vec()
    };
    let at = find(bytes, &needle).expect("c2pa's writer placed the store");
    (at, needle.len())
}

/// Signs `sample_name` with its store embedded by c2pa's writer for `mime`
/// and the data-hash exclusion `wide(bytes, at, len)` returns, given the
/// file c2pa wrote and where its store (or, for SVG, the store's base64
/// text) sits.
fn wide_by_writer(
    sb: &Sandbox,
    sample_name: &str,
    mime: &str,
    wide: impl FnOnce(&[u8], usize, usize) -> (u64, u64),
) -> Vec<u8> {
    let src = std::fs::read(sample(sample_name)).unwrap();
    let svg = mime == "image/svg+xml";
    let encode: fn(&[u8]) -> Vec<u8> = if svg { base64_of } else { |s| s.to_vec() };
    // The bare store: c2pa's writer for `mime` adds the framing.
    sign_with_exclusion_as(sb, "application/c2pa", encode, |ph| {
        let bytes = c2pa::jumbf_io::save_jumbf_to_memory(mime, &src, ph).unwrap();
        let (at, len) = placed(&bytes, ph, svg);
        let exclusion = wide(&bytes, at, len);
        Layout {
            bytes,
            at,
            exclusion,
        }
    })
}

/// WebP: c2pa appends the `C2PA` chunk; the exclusion runs from the first
/// chunk (the VP8 image data) to the end of the store.
fn wide_webp(sb: &Sandbox) -> (Vec<u8>, usize) {
    let b = wide_by_writer(sb, "sample.webp", "image/webp", |_, at, len| {
        (12, (at + len - 12) as u64)
    });
    (b, 12 + 8 + 100)
}

/// TIFF: c2pa puts the store after the image strips; the exclusion covers
/// the strips (compressed pixels) as well.
fn wide_tiff(sb: &Sandbox) -> (Vec<u8>, usize) {
    let b = wide_by_writer(sb, "sample.tif", "image/tiff", |_, at, len| {
        (8, (at + len - 8) as u64)
    });
    (b, 100)
}

/// SVG: the exclusion starts at the store's base64 text but runs on over
/// the drawing's `<title>`.
fn wide_svg(sb: &Sandbox) -> (Vec<u8>, usize) {
    let mut title = 0;
    let b = wide_by_writer(sb, "sample.svg", "image/svg+xml", |b, at, _| {
        title = find(b, b"<title>").unwrap() + 7;
        let end = find(b, b"</title>").unwrap() + 8;
        assert!(at < title, "c2pa puts the store before the title");
        (at as u64, (end - at) as u64)
    });
    (b, title)
}

/// FLAC: c2pa 0.90 puts the store in an ID3v2 GEOB frame before `fLaC`;
/// the exclusion runs on over the STREAMINFO block, whose last 16 bytes
/// are the audio's MD5.
fn wide_flac(sb: &Sandbox) -> (Vec<u8>, usize) {
    let mut md5_end = 0;
    let b = wide_by_writer(sb, "sample.flac", "audio/flac", |b, at, len| {
        let flac = at + len + find(&b[at + len..], b"fLaC").unwrap();
        // marker, metadata block header, 34-byte STREAMINFO
        md5_end = flac + 4 + 4 + 34;
        (at as u64, (md5_end - at) as u64)
    });
    (b, md5_end - 1)
}

/// JPEG XL: c2pa puts the `jumb` box after `ftyp`; the exclusion runs on
/// into the `jxlc` box, the codestream itself.
fn wide_jxl(sb: &Sandbox) -> (Vec<u8>, usize) {
    let mut inside = 0;
    let b = wide_by_writer(sb, "sample.jxl", "image/jxl", |b, at, len| {
        assert_eq!(&b[at + len + 4..at + len + 8], b"jxlc");
        inside = at + len + 8 + 40;
        (at as u64, (len + 8 + 64) as u64)
    });
    (b, inside)
}

#[test]
fn an_exclusion_wider_than_the_store_is_invalid_in_every_data_hash_format() {
    let sb = Sandbox::new();
    type Build = fn(&Sandbox) -> (Vec<u8>, usize);
    let cases: [(&str, &str, Build); 5] = [
        ("wide.webp", "image/webp", wide_webp),
        ("wide.tif", "image/tiff", wide_tiff),
        ("wide.svg", "image/svg+xml", wide_svg),
        ("wide.flac", "audio/flac", wide_flac),
        ("wide.jxl", "image/jxl", wide_jxl),
    ];
    for (name, mime, build) in cases {
        let (bytes, inside) = build(&sb);
        assert_wide_is_invalid(&sb, name, mime, &bytes, inside);
    }
}

/// Every assertion label of the active manifest, hard bindings included
/// (the reader's summary leaves those out).
fn stored_labels(reader: &c2pa::Reader) -> Vec<String> {
    let detailed: serde_json::Value = serde_json::from_str(&reader.detailed_json()).unwrap();
    let active = reader.active_label().unwrap().replace('/', "~1");
    detailed
        .pointer(&format!("/manifests/{active}/assertion_store"))
        .and_then(|s| s.as_object())
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default()
}

/// Where the check does not apply: BMFF files (AVIF, HEIC, M4A) bind with
/// `c2pa.hash.bmff`, whose exclusions name boxes by path, and a box hash
/// (`c2pa.hash.boxes`, here a JPEG XL signed with c2pa's `prefer_box_hash`)
/// hashes each box by name and has no exclusions. tamga validates both as
/// c2pa 0.90 does, adds no exclusion check (docs/json-schema.md says so),
/// and reads their honest labels as trusted.
#[test]
fn bmff_and_box_hashes_are_left_to_c2pa() {
    let sb = Sandbox::new();
    for name in ["sample.avif", "sample.heic", "sample.m4a"] {
        let out = sb.path(&format!("l-{name}"));
        crate::util::assert_ok(&sb.label_plain(&sb.copy_sample(name), &out));
        let (entry, code) = sb.verify(&out, true);
        assert_eq!(entry["verdict"], "trusted", "{name}: {entry}");
        assert_eq!(code, 0);
        let reader = c2pa::Reader::from_context(c2pa::Context::new())
            .with_stream(
                &format!("image/{}", &name[7..]).replace("image/m4a", "audio/mp4"),
                std::fs::File::open(&out).unwrap(),
            )
            .unwrap();
        let labels = stored_labels(&reader);
        assert!(
            labels.iter().any(|l| l.starts_with("c2pa.hash.bmff"))
                && !labels.iter().any(|l| l.starts_with("c2pa.hash.data")),
            "{name}: {labels:?}"
        );
    }

    let signer = sb.c2pa_signer();
    let context = c2pa::Context::new()
        .with_settings(r#"{"builder": {"prefer_box_hash": true}}"#)
        .unwrap();
    let mut builder = c2pa::Builder::from_context(context)
        .with_definition(crate::util::created_by(
            None,
            "box-hash-camera",
            "digitalCapture",
        ))
        .unwrap();
    // c2pa's box-hash workflow: hash the boxes, sign, embed the store.
    let src = std::fs::read(sample("sample.jxl")).unwrap();
    builder
        .update_hash_from_stream("image/jxl", &mut std::io::Cursor::new(&src))
        .unwrap();
    let store = builder
        .sign_box_hashed_embeddable(signer.as_ref(), "image/jxl")
        .unwrap();
    let out = c2pa::jumbf_io::save_jumbf_to_memory("image/jxl", &src, &store).unwrap();
    let file = sb.path("boxes.jxl");
    std::fs::write(&file, &out).unwrap();
    let reader = c2pa::Reader::from_context(c2pa::Context::new())
        .with_stream("image/jxl", std::io::Cursor::new(&out))
        .unwrap();
    let labels = stored_labels(&reader);
    assert!(
        labels.iter().any(|l| l.starts_with("c2pa.hash.boxes"))
            && !labels.iter().any(|l| l.starts_with("c2pa.hash.data")),
        "{labels:?}"
    );
    let (entry, code) = sb.verify(&file, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
    assert_eq!(code, 0);
    // c2pa's box hash covers the codestream: an edited one is invalid.
    let mut edited = out.clone();
    edited[find(&out, b"jxlc").unwrap() + 40] ^= 0x55;
    let edited_file = sb.path("edited-boxes.jxl");
    std::fs::write(&edited_file, &edited).unwrap();
    let (entry, code) = sb.verify(&edited_file, true);
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert_eq!(code, 1);
}
