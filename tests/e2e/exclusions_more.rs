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
