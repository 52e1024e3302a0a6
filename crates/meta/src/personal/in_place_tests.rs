//! WAV, JPEG XL, GIF and SVG with personal XMP (and a WAV's `INFO` names,
//! a JPEG XL's `Exif` box): found, and removed without a byte of the media
//! or any length changing.

use std::io::Cursor;

use super::super::{find, redact, PersonalKind, Place};
use crate::{testing::sample, Container};

const ALL: [PersonalKind; 3] = [
    PersonalKind::Gps,
    PersonalKind::Device,
    PersonalKind::Identity,
];

const XMP: &str = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" exif:GPSLatitude="43,14.5N" aux:SerialNumber="SN-4471" xmp:CreatorTool="Camera 2"><dc:creator><rdf:Seq><rdf:li>Aigerim Bekova</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;

fn names(container: Container, f: &[u8]) -> Vec<(Place, String)> {
    find(container, f)
        .into_iter()
        .map(|p| (p.place, p.field))
        .collect()
}

fn xmp_names() -> Vec<(Place, String)> {
    ["exif:GPSLatitude", "aux:SerialNumber", "dc:creator"]
        .map(|n| (Place::Xmp, n.to_string()))
        .to_vec()
}

/// Found, all removed, the length kept, the rest of the XMP kept, and
/// nothing left to find.
fn check(container: Container, f: &[u8], expected: Vec<(Place, String)>) -> Vec<u8> {
    assert_eq!(names(container, f), expected, "{container}");
    let (out, n) = redact(container, f, &ALL).unwrap();
    assert_eq!(n, expected.len(), "{container}");
    assert_eq!(out.len(), f.len(), "{container}: the length changed");
    assert!(names(container, &out).is_empty(), "{container}");
    if expected.iter().any(|(p, _)| *p == Place::Xmp) {
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains(r#"xmp:CreatorTool="Camera 2""#),
            "{container}"
        );
        assert!(
            !text.contains("Aigerim") && !text.contains("SN-4471"),
            "{container}"
        );
    }
    let (again, n) = redact(container, &out, &ALL).unwrap();
    assert_eq!(
        (again, n),
        (out.clone(), 0),
        "{container}: a second pass changes nothing"
    );
    out
}

fn chunk(id: &[u8], body: &[u8]) -> Vec<u8> {
    let mut c = id.to_vec();
    c.extend_from_slice(&(body.len() as u32).to_le_bytes());
    c.extend_from_slice(body);
    if body.len() % 2 == 1 {
        c.push(0);
    }
    c
}

#[test]
fn a_wavs_xmp_and_info_names() {
    let plain = sample("sample.wav");
    let mut info = b"INFO".to_vec();
    info.extend(chunk(b"IART", b"Aigerim Bekova\0"));
    info.extend(chunk(b"ISFT", b"Lavf61\0"));
    let mut f = plain.clone();
    f.extend(chunk(b"LIST", &info));
    f.extend(chunk(b"_PMX", XMP.as_bytes()));
    let size = (f.len() - 8) as u32;
    f[4..8].copy_from_slice(&size.to_le_bytes());
    let mut expected = vec![(Place::RiffInfo, "IART".to_string())];
    expected.extend(xmp_names());
    let out = check(Container::Wav, &f, expected);
    assert!(out[8..plain.len()] == plain[8..], "the audio is untouched");
    assert!(
        out.windows(6).any(|w| w == b"Lavf61"),
        "the software tag stays"
    );
}

#[test]
fn a_jpeg_xls_xml_and_exif_boxes() {
    let plain = sample("sample.jxl");
    let mut f = crate::write(Container::Jxl, &plain, &crate::testing::labels()).unwrap();
    let bx = |kind: &[u8], body: &[u8]| {
        let mut b = ((8 + body.len()) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    };
    // Drop the tamga packet's box: ours has no personal fields; add both.
    let tiff = super::super::exif::tests::camera_exif(true);
    let mut exif = 0u32.to_be_bytes().to_vec();
    exif.extend_from_slice(&tiff);
    f.extend(bx(b"Exif", &exif));
    f.extend(bx(b"xml ", XMP.as_bytes()));
    let found = names(Container::Jxl, &f);
    assert!(
        found.contains(&(Place::Exif, "GPSLatitude".into())),
        "{found:?}"
    );
    assert!(found.contains(&(Place::Exif, "Artist".into())), "{found:?}");
    let exif_fields = found.iter().filter(|(p, _)| *p == Place::Exif).count();
    let mut expected: Vec<_> = found[..exif_fields].to_vec();
    expected.extend(xmp_names());
    check(Container::Jxl, &f, expected);
}

#[test]
fn a_gifs_xmp_extension() {
    let with_ours = crate::write(
        Container::Gif,
        &sample("sample.gif"),
        &crate::testing::labels(),
    )
    .unwrap();
    // Swap tamga's packet for a camera's: GIF stores it raw before the
    // magic trailer, with no length to fix.
    let at = |what: &[u8]| {
        with_ours
            .windows(what.len())
            .position(|w| w == what)
            .unwrap()
    };
    let (s, e) = (at(b"<?xpacket begin"), at(b"<?xpacket end=\"w\"?>") + 19);
    let mut f = with_ours[..s].to_vec();
    f.extend_from_slice(XMP.as_bytes());
    f.extend_from_slice(&with_ours[e..]);
    let out = check(Container::Gif, &f, xmp_names());
    // Still a GIF the crate's own walk reads to its trailer.
    assert!(crate::gif::blocks(&out).is_ok());
}

#[test]
fn an_svgs_metadata() {
    let svg = String::from_utf8(sample("sample.svg")).unwrap();
    let root_end = svg
        .find("<svg")
        .map(|i| i + svg[i..].find('>').unwrap() + 1)
        .unwrap();
    let packet = XMP.trim_start_matches(|c| c != '>').trim_start_matches('>');
    let packet = &packet[..packet.find("<?xpacket end").unwrap()];
    let f = format!(
        "{}<metadata>{packet}</metadata>{}",
        &svg[..root_end],
        &svg[root_end..]
    );
    let out = check(Container::Svg, f.as_bytes(), xmp_names());
    assert!(std::str::from_utf8(&out)
        .unwrap()
        .ends_with(&svg[root_end..]));
}

#[test]
fn cut_and_damaged_files_never_panic() {
    for (container, name) in [
        (Container::Wav, "sample.wav"),
        (Container::Jxl, "sample.jxl"),
        (Container::Gif, "sample.gif"),
        (Container::Svg, "sample.svg"),
    ] {
        crate::testing::for_each_variant(name, container, |b| {
            let _ = find(container, b);
            let _ = redact(container, b, &ALL);
            let mut out = Vec::new();
            let _ = super::redact_to(container, &mut Cursor::new(b), &mut out, &ALL);
        });
    }
}
