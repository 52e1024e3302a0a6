//! `of_file` over every sample format: which formats get which content
//! code, that a labelled text is fingerprinted as its reader sees it, and
//! that bad files are error values.

// Tests panic on what they do not expect, with the value in the message.
#![allow(clippy::unwrap_used)]

mod common;

use tamga_fingerprint::{of_file, ContentKind, DecodeLimits, FingerprintError};
use tamga_media::MediaFormat;

#[test]
fn every_sample_gets_the_codes_its_format_has() {
    let samples = common::root().join("samples");
    let limits = DecodeLimits::default();
    for (file, format, kind) in [
        ("sample.jpg", MediaFormat::Jpeg, Some(ContentKind::Image)),
        ("sample.png", MediaFormat::Png, Some(ContentKind::Image)),
        ("sample.gif", MediaFormat::Gif, Some(ContentKind::Image)),
        ("sample.webp", MediaFormat::Webp, Some(ContentKind::Image)),
        ("sample.tif", MediaFormat::Tiff, Some(ContentKind::Image)),
        ("sample.bmp", MediaFormat::Bmp, Some(ContentKind::Image)),
        ("sample.wav", MediaFormat::Wav, Some(ContentKind::Audio)),
        ("sample.mp3", MediaFormat::Mp3, Some(ContentKind::Audio)),
        ("sample.flac", MediaFormat::Flac, Some(ContentKind::Audio)),
        ("sample.m4a", MediaFormat::M4a, Some(ContentKind::Audio)),
        ("sample.aac", MediaFormat::Aac, Some(ContentKind::Audio)),
        ("text/en.md", MediaFormat::Markdown, Some(ContentKind::Text)),
        // Decoded by other crates of tamga; the caller uses `image_code`.
        ("sample.heic", MediaFormat::Heic, None),
        ("sample.avif", MediaFormat::Avif, None),
        ("sample.jxl", MediaFormat::Jxl, None),
        ("sample.svg", MediaFormat::Svg, None),
        ("sample.ogg", MediaFormat::Ogg, None),
    ] {
        let f = of_file(&samples.join(file), format, &limits)
            .unwrap_or_else(|e| panic!("{file}: {e:?}"));
        assert_eq!(f.content.as_ref().map(|c| c.kind), kind, "{file}");
        assert!(f.iscc.starts_with("ISCC:K"), "{file}: {}", f.iscc);
        let bytes = std::fs::read(samples.join(file)).unwrap();
        let codes = tamga_fingerprint::data_codes(&bytes[..]).unwrap();
        assert_eq!((f.data, f.instance), (codes.data, codes.instance), "{file}");
    }
    // The same picture in six formats: one Image-Code, up to decoder
    // rounding (the samples are one image, saved six ways).
    let jpg = of_file(&samples.join("sample.png"), MediaFormat::Png, &limits).unwrap();
    let bmp = of_file(&samples.join("sample.bmp"), MediaFormat::Bmp, &limits).unwrap();
    assert_eq!(jpg.content, bmp.content);
}

#[test]
fn a_labelled_text_is_fingerprinted_without_its_wrapper() {
    let dir = tempfile::tempdir().unwrap();
    let visible = std::fs::read_to_string(common::root().join("samples/text/ru.txt")).unwrap();
    let path = dir.path().join("labelled.txt");
    let labelled = format!(
        "{visible}{}",
        tamga_text::encode(b"a manifest store").unwrap()
    );
    std::fs::write(&path, labelled).unwrap();
    let f = of_file(&path, MediaFormat::Text, &DecodeLimits::default()).unwrap();
    assert_eq!(f.content, Some(tamga_fingerprint::text(&visible)));
}

#[test]
fn bad_files_are_error_values_by_cause() {
    let dir = tempfile::tempdir().unwrap();
    let limits = DecodeLimits::default();
    let jpeg = std::fs::read(common::root().join("samples/sample.jpg")).unwrap();
    let cut = dir.path().join("cut.jpg");
    // Cut inside the headers: no frame to decode. (A JPEG cut in its
    // scan decodes, grey where data is missing, as viewers show it.)
    std::fs::write(&cut, &jpeg[..200]).unwrap();
    let junk = dir.path().join("junk.mp3");
    std::fs::write(&junk, b"ID3\x03\0\0\0\0\0\x10not an mp3 at all").unwrap();
    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&latin1, b"caf\xe9").unwrap();
    for (path, format) in [
        (&cut, MediaFormat::Jpeg),
        (&junk, MediaFormat::Mp3),
        (&latin1, MediaFormat::Text),
    ] {
        let e = of_file(path, format, &limits).unwrap_err();
        assert!(e.is_bad_input(), "{}: {e:?}", path.display());
    }
    let e = of_file(&dir.path().join("absent.png"), MediaFormat::Png, &limits).unwrap_err();
    assert!(matches!(e, FingerprintError::Io { .. }), "{e:?}");
    assert!(!e.is_bad_input());
    let mut tight = limits;
    tight.max_pixels = 100;
    let e = of_file(
        &common::root().join("samples/sample.png"),
        MediaFormat::Png,
        &tight,
    )
    .unwrap_err();
    assert!(matches!(e, FingerprintError::LimitExceeded(_)), "{e:?}");
}
