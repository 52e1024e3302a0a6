//! The sample Ogg Vorbis: the AIGC comment written and read back, names
//! removed; every page's CRC and sequence number checked after each edit,
//! with headers short enough to keep their page count and long enough to
//! change it (so the audio pages are renumbered).

use std::io::Cursor;

use super::*;
use crate::personal::PersonalKind;
use crate::testing::{for_each_variant, sample};

/// Every page of `f`: (serial, sequence number, body bytes), each CRC
/// checked.
fn pages(f: &[u8]) -> Vec<(u32, u32, Vec<u8>)> {
    let mut src = Cursor::new(f);
    let mut out = Vec::new();
    let mut at = 0usize;
    while let Some(p) = Page::read(&mut src).unwrap() {
        let len = p.len() as usize;
        let mut zeroed = f[at..at + len].to_vec();
        zeroed[22..26].fill(0);
        assert_eq!(
            crc(&zeroed).to_le_bytes(),
            f[at + 22..at + 26],
            "page {} has a bad CRC",
            p.seq
        );
        out.push((p.serial, p.seq, p.body));
        at += len;
    }
    assert_eq!(at, f.len(), "bytes after the last page");
    out
}

/// Sequence numbers run 0, 1, 2… and the audio pages' bodies are the
/// sample's.
fn sound(f: &[u8], original: &[u8]) {
    let (now, then) = (pages(f), pages(original));
    for (i, (_, seq, _)) in now.iter().enumerate() {
        assert_eq!(*seq as usize, i);
    }
    let audio = |p: &[(u32, u32, Vec<u8>)]| {
        let h = headers(&mut Cursor::new(original)).unwrap().pages as usize + 1;
        let n = p.len();
        p[n - (then.len() - h)..]
            .iter()
            .map(|(_, _, b)| b.clone())
            .collect::<Vec<_>>()
    };
    assert!(audio(&now) == audio(&then), "the audio pages changed");
}

fn with_comments(extra: &[&str]) -> Vec<u8> {
    let plain = sample("sample.ogg");
    let mut out = Vec::new();
    let extra: Vec<Vec<u8>> = extra.iter().map(|c| c.as_bytes().to_vec()).collect();
    edit_to(
        &mut Cursor::new(&plain),
        &mut out,
        |list| {
            list.extend(extra);
            1
        },
        true,
    )
    .unwrap();
    out
}

#[test]
fn the_aigc_comment_is_written_once_and_read_back() {
    let plain = sample("sample.ogg");
    assert!(crate::read(Container::Ogg, &plain).aigc.is_empty());
    let labels = crate::testing::labels();
    let once = crate::write(Container::Ogg, &plain, &labels).unwrap();
    let twice = crate::write(Container::Ogg, &once, &labels).unwrap();
    let found = crate::read(Container::Ogg, &twice);
    assert_eq!(found.aigc.len(), 1, "{found:?}");
    assert_eq!(found.aigc[0].place, AigcPlace::VorbisComment);
    assert!(found.aigc[0].parsed.is_ok());
    sound(&twice, &plain);
}

#[test]
fn names_are_found_and_removed_and_other_comments_kept() {
    let plain = sample("sample.ogg");
    let f = with_comments(&[
        "ARTIST=Aigerim Bekova",
        "TITLE=Interview",
        "Performer=A. B.",
    ]);
    let found = crate::personal::find(Container::Ogg, &f);
    let keys: Vec<&str> = found.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(keys, ["ARTIST", "PERFORMER"]);
    let (out, n) = crate::personal::redact(Container::Ogg, &f, &[PersonalKind::Identity]).unwrap();
    assert_eq!(n, 2);
    assert!(crate::personal::find(Container::Ogg, &out).is_empty());
    assert!(out.windows(15).any(|w| w == b"TITLE=Interview"));
    sound(&out, &plain);
    // GPS asked only: an Ogg has none; nothing changes.
    let (same, n) = crate::personal::redact(Container::Ogg, &f, &[PersonalKind::Gps]).unwrap();
    assert_eq!((n, same == f), (0, true));
}

#[test]
fn a_comment_header_growing_and_shrinking_by_pages_renumbers_the_audio() {
    let plain = sample("sample.ogg");
    // 200 KB of names: the header takes several more pages.
    let long = format!("ARTIST={}", "Aigerim Bekova ".repeat(14_000));
    let f = with_comments(&[&long]);
    assert!(pages(&f).len() > pages(&plain).len() + 2);
    sound(&f, &plain);
    let (out, n) = crate::personal::redact(Container::Ogg, &f, &[PersonalKind::Identity]).unwrap();
    assert_eq!(n, 1);
    assert_eq!(pages(&out).len(), pages(&plain).len());
    sound(&out, &plain);
}

#[test]
fn lacing_marks_continued_pages_and_packets_of_255_bytes() {
    for sizes in [
        vec![0],
        vec![255],
        vec![510, 3],
        vec![255 * 255],
        vec![255 * 255 + 1, 7],
    ] {
        let packets: Vec<Vec<u8>> = sizes.iter().map(|&n| vec![7u8; n]).collect();
        let pages = lace(&packets, 9);
        // Reassembled, the packets come back.
        let mut back = Vec::new();
        let mut partial = Vec::new();
        for p in &pages {
            // "Continued" exactly when the previous page ended mid-packet.
            assert_eq!(p.flags & 1 == 1, !partial.is_empty(), "{sizes:?}");
            let ends = p.lacing.iter().any(|&l| l < 255);
            assert_eq!(p.granule == u64::MAX, !ends, "{sizes:?}");
            let mut at = 0;
            for &l in &p.lacing {
                partial.extend_from_slice(&p.body[at..at + usize::from(l)]);
                at += usize::from(l);
                if l < 255 {
                    back.push(std::mem::take(&mut partial));
                }
            }
            assert!(p.lacing.len() <= 255);
        }
        assert_eq!(back, packets, "{sizes:?}");
    }
}

#[test]
fn damaged_oggs_never_panic() {
    for_each_variant("sample.ogg", Container::Ogg, |b| {
        let _ = crate::read(Container::Ogg, b);
        let _ = crate::personal::find(Container::Ogg, b);
        let _ = crate::personal::redact(Container::Ogg, b, &[PersonalKind::Identity]);
        let _ = crate::write(Container::Ogg, b, &crate::testing::labels());
    });
}
