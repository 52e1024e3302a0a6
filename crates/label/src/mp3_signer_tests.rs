//! The ID3v2 tag tamga writes around an MP3's C2PA store, checked by
//! walking its bytes as ID3v2.4 lays them out (not through the `id3` crate
//! that wrote them), and read back by c2pa.

use std::ops::Range;

use id3::{
    frame::{Content, EncapsulatedObject, ExtendedText},
    Frame, Tag, TagLike, Version,
};

use super::*;

fn synchsafe(b: &[u8]) -> usize {
    b.iter().fold(0, |n, &x| (n << 7) | usize::from(x & 0x7f))
}

/// Skips a string field of encoding `enc` starting at `p`, terminator
/// included: one zero byte in Latin-1 and UTF-8, two aligned in UTF-16.
fn skip_string(c: &[u8], p: usize, enc: u8) -> usize {
    if enc == 0 || enc == 3 {
        p + c[p..].iter().position(|&b| b == 0).unwrap() + 1
    } else {
        let mut q = p;
        while c[q..q + 2] != [0, 0] {
            q += 2;
        }
        q + 2
    }
}

/// Every GEOB frame of an ID3v2.4 tag: its MIME type and where its data
/// (the field after MIME type, file name and description, up to the end of
/// the frame) is in the tag.
fn geob_frames(tag: &[u8]) -> Vec<(String, Range<usize>)> {
    assert_eq!(&tag[..5], b"ID3\x04\x00", "an ID3v2.4 tag, flags 0");
    let end = 10 + synchsafe(&tag[6..10]);
    assert_eq!(end, tag.len(), "the tag's size is its length");
    let mut found = Vec::new();
    let mut at = 10;
    while at + 10 <= end && tag[at] != 0 {
        let size = synchsafe(&tag[at + 4..at + 8]);
        assert_eq!(&tag[at + 8..at + 10], [0, 0], "no frame flags");
        let body = at + 10;
        if &tag[at..at + 4] == b"GEOB" {
            let c = &tag[body..body + size];
            let enc = c[0];
            let mime_end = 1 + c[1..].iter().position(|&b| b == 0).unwrap();
            let mime = String::from_utf8(c[1..mime_end].to_vec()).unwrap();
            let file_name_end = skip_string(c, mime_end + 1, enc);
            let data = skip_string(c, file_name_end, enc);
            found.push((mime, body + data..body + size));
        }
        at = body + size;
    }
    found
}

/// A store-like payload no tag field could contain by accident.
fn store() -> Vec<u8> {
    (0..5000u32).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn geob(mime: &str, description: &str, data: &[u8]) -> Frame {
    Frame::with_content(
        "GEOB",
        Content::EncapsulatedObject(EncapsulatedObject {
            mime_type: mime.into(),
            filename: "f".into(),
            description: description.into(),
            data: data.to_vec(),
        }),
    )
}

/// An ID3v2.3 tag as a music tagger leaves it, with an old C2PA store and
/// an unrelated GEOB frame.
fn old_tag() -> Vec<u8> {
    let mut tag = Tag::new();
    tag.set_title("Қазақ әні");
    tag.set_artist("Tamga Test");
    tag.add_frame(ExtendedText {
        description: "CATALOGUE".into(),
        value: "TMG-0042".into(),
    });
    tag.add_frame(geob(GEOB_MIME_OLD, "old store", b"stale manifest"));
    tag.add_frame(geob("application/octet-stream", "lyrics sync", b"\x01\x02"));
    let mut bytes = Vec::new();
    tag.write_to(&mut bytes, Version::Id3v23).unwrap();
    bytes
}

#[test]
fn the_exclusion_is_exactly_the_c2pa_geob_frames_data() {
    let store = store();
    for old in [None, Some(old_tag())] {
        let tagged = tag_with_store(old.as_deref(), &store).unwrap();
        let geobs = geob_frames(&tagged.bytes);
        let c2pa: Vec<_> = geobs.iter().filter(|(m, _)| m == GEOB_MIME).collect();
        assert_eq!(c2pa.len(), 1, "one store: {geobs:?}");
        assert_eq!(c2pa[0].1, tagged.store, "the exclusion is the frame's data");
        assert_eq!(&tagged.bytes[tagged.store.clone()], &store[..]);
        assert!(
            geobs.iter().all(|(m, _)| m != GEOB_MIME_OLD),
            "an earlier store is dropped"
        );
    }
}

#[test]
fn every_other_frame_is_kept() {
    let tagged = tag_with_store(Some(&old_tag()), &store()).unwrap();
    let tag = Tag::read_from2(Cursor::new(&tagged.bytes)).unwrap();
    assert_eq!(tag.version(), Version::Id3v24, "as c2pa writes it");
    assert_eq!(tag.title(), Some("Қазақ әні"));
    assert_eq!(tag.artist(), Some("Tamga Test"));
    assert!(tag
        .extended_texts()
        .any(|t| t.description == "CATALOGUE" && t.value == "TMG-0042"));
    let objects: Vec<_> = tag.encapsulated_objects().collect();
    assert!(objects
        .iter()
        .any(|o| o.description == "lyrics sync" && o.data == b"\x01\x02"));
    let store = objects.iter().find(|o| o.mime_type == GEOB_MIME).unwrap();
    assert_eq!(
        (store.filename.as_str(), store.description.as_str()),
        (GEOB_FILE_NAME, GEOB_DESCRIPTION)
    );
}

#[test]
fn c2pa_reads_the_store_from_the_tag() {
    let store = store();
    let mut file = tag_with_store(Some(&old_tag()), &store).unwrap().bytes;
    // An MPEG-1 Layer III frame header and some of its body.
    file.extend_from_slice(&[0xff, 0xfb, 0x90, 0x64]);
    file.extend_from_slice(&[0; 413]);
    let read = c2pa::jumbf_io::load_jumbf_from_stream("audio/mpeg", &mut Cursor::new(file));
    assert_eq!(read.unwrap(), store);
}

#[test]
fn an_unreadable_tag_is_an_error_not_a_loss_of_its_frames() {
    // A frame whose size runs past the tag.
    let bad = b"ID3\x03\x00\x00\x00\x00\x00\x14TIT2\x00\x00\x7f\x00\x00\x00\x00abcdefghij";
    let e = tag_with_store(Some(bad), &store()).unwrap_err();
    assert!(matches!(e, Id3TagError::Unreadable(_)), "{e:?}");
    assert!(e.to_string().starts_with("its ID3v2 tag: "), "{e}");
}

#[test]
fn the_verifier_finds_the_store_where_the_labeller_put_it() {
    let store = store();
    let tagged = tag_with_store(Some(&old_tag()), &store).unwrap();
    let mut file = tagged.bytes.clone();
    file.extend_from_slice(&[0xff, 0xfb, 0x90, 0x64]);
    let span = find_store(&mut Cursor::new(&file)).unwrap();
    let expected = (tagged.store.start as u64, tagged.store.len() as u64);
    assert_eq!(span, Some(expected));

    // Two stores: c2pa refuses the file, and so tamga leaves it to c2pa.
    let mut tag = Tag::read_from2(Cursor::new(&tagged.bytes)).unwrap();
    tag.add_frame(geob(GEOB_MIME, "second", b"another store"));
    let mut two = Vec::new();
    tag.write_to(&mut two, Version::Id3v24).unwrap();
    assert_eq!(find_store(&mut Cursor::new(&two)).unwrap(), None);
    // No tag.
    assert_eq!(
        find_store(&mut Cursor::new(&[
            0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0
        ]))
        .unwrap(),
        None
    );
    let mut plain = Vec::new();
    let mut tag = Tag::new();
    tag.set_title("no store");
    tag.write_to(&mut plain, Version::Id3v23).unwrap();
    assert_eq!(find_store(&mut Cursor::new(&plain)).unwrap(), None);
    // A store under the older MIME type is one c2pa reads too.
    let old = old_tag();
    let (at, len) = find_store(&mut Cursor::new(&old)).unwrap().unwrap();
    assert_eq!(&old[at as usize..(at + len) as usize], b"stale manifest");
}
