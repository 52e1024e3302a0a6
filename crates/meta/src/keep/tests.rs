#![allow(clippy::unwrap_used)]

use super::carry_over;
use crate::{read, testing::sample, write, Container, Labels};

const DST: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

fn labels() -> Labels {
    Labels {
        digital_source_type: Some(DST.into()),
        ..Labels::default()
    }
}

/// Each container with XMP: the sample stands for the re-encoded file
/// (no XMP), the sample with XMP written for the original.
const CASES: [(&str, Container); 9] = [
    ("sample.jpg", Container::Jpeg),
    ("sample.png", Container::Png),
    ("sample.webp", Container::Webp),
    ("sample.gif", Container::Gif),
    ("sample.tif", Container::Tiff),
    ("sample.jxl", Container::Jxl),
    ("sample.avif", Container::Bmff),
    ("sample.heic", Container::Bmff),
    ("sample.m4a", Container::Bmff),
];

#[test]
fn xmp_the_re_encoding_lost_is_carried_over_once() {
    for (name, container) in CASES {
        let edited = sample(name);
        assert!(
            read(container, &edited).is_empty(),
            "{name}: sample has XMP"
        );
        let original = write(container, &edited, &labels()).unwrap();
        let kept = carry_over(container, &original, &edited).unwrap();
        assert_eq!(
            read(container, &kept).iptc.digital_source_types,
            [DST],
            "{name}"
        );
        // The carried file is a valid container: writing into it works,
        // and carrying again adds nothing.
        write(container, &kept, &labels()).unwrap();
        let again = carry_over(container, &original, &kept).unwrap();
        assert!(again == kept, "{name}: carried twice");
    }
}

#[test]
fn a_block_the_edited_file_has_is_not_replaced() {
    for (name, container) in CASES {
        let plain = sample(name);
        let original = write(container, &plain, &labels()).unwrap();
        let mut other = labels();
        other.digital_source_type = Some("http://example.com/edited".into());
        let edited = write(container, &plain, &other).unwrap();
        let kept = carry_over(container, &original, &edited).unwrap();
        assert!(kept == edited, "{name}");
    }
}

#[test]
fn png_text_and_jpeg_comments_are_carried_and_image_chunks_are_not() {
    let png = sample("sample.png");
    let mut p = img_parts::png::Png::from_bytes(png.clone().into()).unwrap();
    let at = p.chunks().len() - 1;
    for (kind, body) in [
        (*b"tEXt", &b"Comment\0hello"[..]),
        (*b"tRNS", &b"\0\0"[..]),
        (*b"prVt", &b"private"[..]),
    ] {
        p.chunks_mut().insert(
            at,
            img_parts::png::PngChunk::new(kind, img_parts::Bytes::copy_from_slice(body)),
        );
    }
    let mut original = Vec::new();
    p.encoder().write_to(&mut original).unwrap();
    let kept = carry_over(Container::Png, &original, &png).unwrap();
    let kept = img_parts::png::Png::from_bytes(kept.into()).unwrap();
    let kinds: Vec<[u8; 4]> = kept.chunks().iter().map(|c| c.kind()).collect();
    assert!(
        kinds.contains(b"tEXt") && kinds.contains(b"prVt"),
        "{kinds:?}"
    );
    assert!(!kinds.contains(b"tRNS"), "{kinds:?}");
    let idat = kinds.iter().position(|k| k == b"IDAT").unwrap();
    assert!(kinds.iter().position(|k| k == b"tEXt").unwrap() < idat);

    let jpg = sample("sample.jpg");
    let mut j = img_parts::jpeg::Jpeg::from_bytes(jpg.clone().into()).unwrap();
    j.segments_mut().insert(
        0,
        img_parts::jpeg::JpegSegment::new_with_contents(0xFE, b"a comment"[..].into()),
    );
    let mut original = Vec::new();
    j.encoder().write_to(&mut original).unwrap();
    let kept = carry_over(Container::Jpeg, &original, &jpg).unwrap();
    let kept = img_parts::jpeg::Jpeg::from_bytes(kept.into()).unwrap();
    assert!(kept
        .segments()
        .iter()
        .any(|s| s.marker() == 0xFE && &s.contents()[..] == b"a comment"));
}
