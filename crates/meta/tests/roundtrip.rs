//! Every container: write the labels into the bundled sample, read them
//! back, write again (no duplicates), and check the rest of the file.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use tamga_meta::{read, write, Aigc, AigcLabel, AigcPlace, Container, Labels};

const DST: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

fn sample(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn labels() -> Labels {
    let mut aigc = Aigc::first_write(AigcLabel::Is, "Tamga_Demo", "3f2a9c").unwrap();
    aigc.set_reserved_code1("c2ln".into()).unwrap();
    Labels {
        digital_source_type: Some(DST.into()),
        ai_system: Some("Imagen <4> & co".into()),
        ai_system_version: Some("4.0".into()),
        aigc: Some(aigc),
    }
}

const ALL: [(&str, Container); 12] = [
    ("sample.jpg", Container::Jpeg),
    ("sample.png", Container::Png),
    ("sample.webp", Container::Webp),
    ("sample.gif", Container::Gif),
    ("sample.tif", Container::Tiff),
    ("sample.svg", Container::Svg),
    ("sample.avif", Container::Bmff),
    ("sample.heic", Container::Bmff),
    ("sample.m4a", Container::Bmff),
    ("sample.jxl", Container::Jxl),
    ("sample.wav", Container::Wav),
    ("sample.mp3", Container::Mp3),
];

#[test]
fn every_container_round_trips_exactly_one_copy() {
    let mut all = ALL.to_vec();
    all.push(("sample.flac", Container::Flac));
    all.push(("text/en.md", Container::Markdown));
    for (name, container) in all {
        let input = sample(name);
        assert!(
            read(container, &input).aigc.is_empty(),
            "{name} starts unlabelled"
        );
        let once = write(container, &input, &labels()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let twice = write(container, &once, &labels()).unwrap();
        for bytes in [&once, &twice] {
            let found = read(container, bytes);
            if container.carries_xmp() {
                assert_eq!(found.iptc.digital_source_types, [DST], "{name}");
                assert_eq!(
                    found.iptc.ai_system.as_deref(),
                    Some("Imagen <4> & co"),
                    "{name}"
                );
                assert_eq!(
                    found.iptc.ai_system_version.as_deref(),
                    Some("4.0"),
                    "{name}"
                );
            }
            assert_eq!(found.aigc.len(), 1, "{name}: exactly one AIGC label");
            assert_eq!(found.aigc[0].place, container.aigc_place(), "{name}");
            assert_eq!(
                found.aigc[0].parsed.as_ref().unwrap(),
                labels().aigc.as_ref().unwrap()
            );
        }
        // TIFF appends a new IFD0 and leaves the old one as dead bytes
        // (c2pa's TIFF writer drops them when it signs).
        if container != Container::Tiff {
            assert_eq!(
                once.len(),
                twice.len(),
                "{name}: writing twice adds nothing"
            );
        }
    }
}

#[test]
fn nothing_to_write_leaves_the_file_alone() {
    for (name, container) in ALL {
        let input = sample(name);
        assert_eq!(
            write(container, &input, &Labels::default()).unwrap(),
            input,
            "{name}"
        );
    }
}

#[test]
fn an_existing_packet_keeps_its_other_properties() {
    // A JPEG whose XMP already has a title and an old digital source type
    // in attribute form (as some editors write it).
    let old = format!(
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:ext=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\" ext:DigitalSourceType=\"{}digitalCapture\">\
         <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Harbour</rdf:li></rdf:Alt></dc:title>\
         </rdf:Description></rdf:RDF></x:xmpmeta>",
        tamga_meta::xmp::NS_IPTC_EXT.replace("std/Iptc4xmpExt/2008-02-29/", "") + "newscodes/digitalsourcetype/"
    );
    let merged = tamga_meta::xmp::merge(
        &old,
        &[tamga_meta::xmp::Prop::new(
            tamga_meta::xmp::Property::DigitalSourceType,
            DST.into(),
        )],
    )
    .unwrap();
    assert!(merged.contains("<rdf:li xml:lang=\"x-default\">Harbour</rdf:li>"));
    assert!(!merged.contains("digitalCapture"), "{merged}");
    assert_eq!(
        tamga_meta::xmp::read(&merged).iptc.digital_source_types,
        [DST]
    );
}

#[test]
fn a_bare_jxl_codestream_is_boxed() {
    let input = sample("sample.jxl");
    let out = write(Container::Jxl, &input, &labels()).unwrap();
    assert!(out.starts_with(&[0, 0, 0, 0x0C, b'J', b'X', b'L', b' ']));
    assert!(out
        .windows(input.len().min(64))
        .any(|w| w == &input[..input.len().min(64)]));
}

#[test]
fn markdown_front_matter_keeps_its_keys_and_gains_one_aigc() {
    let text = "---\ntitle: Жаңалық\nAIGC: 'old'\n---\n# Body\n";
    let out =
        String::from_utf8(write(Container::Markdown, text.as_bytes(), &labels()).unwrap()).unwrap();
    assert!(
        out.starts_with("---\ntitle: Жаңалық\nAIGC: '{\"AIGC\":"),
        "{out}"
    );
    assert!(out.ends_with("---\n# Body\n"));
    assert_eq!(out.matches("AIGC:").count(), 1);
    let found = read(Container::Markdown, out.as_bytes());
    assert_eq!(found.aigc[0].place, AigcPlace::FrontMatter);
}

#[test]
fn damaged_containers_give_errors_not_panics() {
    for (name, container) in ALL {
        let input = sample(name);
        for cut in [0, 7, 13, input.len() / 3, input.len() - 1] {
            let _ = write(container, &input[..cut], &labels());
            let _ = read(container, &input[..cut]);
        }
    }
}
