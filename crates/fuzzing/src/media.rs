//! Format sniffing, the structural guard, the container walkers tamga owns
//! and the SVG root parser behind the SVG badge.

use std::io::Cursor;

use tamga_label::fuzzing as label;
use tamga_media::{
    guard::{self, Limits},
    Container, MediaFormat,
};
use tamga_meta::{riff, Id3v2Header};
use tamga_notice::fuzzing as notice;

use crate::{split, Trickle};

/// `MediaFormat::sniff`: never panics, and a format decided by a fixed
/// magic number at the start stays decided when the file goes on.
pub fn sniff(data: &[u8]) {
    let Some(found) = MediaFormat::sniff(data) else {
        return;
    };
    let fixed = matches!(
        found.container(),
        Container::Jpeg
            | Container::Png
            | Container::Gif
            | Container::Riff
            | Container::Tiff
            | Container::Jxl
            | Container::Flac
            | Container::Ogg
            | Container::Matroska
    );
    if fixed {
        let mut longer = data.to_vec();
        longer.extend_from_slice(&[0; 32]);
        assert_eq!(MediaFormat::sniff(&longer), Some(found));
    }
}

/// The structural guard, for the format the bytes sniff as (or the one the
/// first byte picks when they sniff as none): never panics, and walking the
/// file one byte per read gives the same verdict as reading it whole.
pub fn guard(data: &[u8]) {
    let Some((pick, body)) = split(data) else {
        return;
    };
    let all = MediaFormat::ALL;
    let format = MediaFormat::sniff(body).unwrap_or(all[usize::from(pick) % all.len()]);
    let len = body.len() as u64;
    let limits = Limits {
        max_elements: 10_000,
        max_depth: 32,
    };
    // The same verdict, said the same way, however the bytes arrive.
    let whole =
        guard::check(&mut Cursor::new(body), len, format, limits).map_err(|e| e.to_string());
    let trickled =
        guard::check(&mut Trickle::new(body), len, format, limits).map_err(|e| e.to_string());
    assert_eq!(whole, trickled, "{format}");
}

/// The walkers over RIFF chunks, ID3v2 headers, a WAV's C2PA chunk, an
/// MP3's C2PA store and the FLAC metadata blocks a notice keeps: never panic, stay inside the file,
/// and give the same answer one byte at a time as all at once.
pub fn walkers(data: &[u8]) {
    let len = data.len() as u64;

    let whole = riff::chunks(&mut Cursor::new(data)).map(|c| format!("{c:?}"));
    let trickled = riff::chunks(&mut Trickle::new(data)).map(|c| format!("{c:?}"));
    assert_eq!(whole.ok(), trickled.ok(), "riff::chunks");

    if let Some(h) = Id3v2Header::parse(data) {
        assert!(h.tag_len() >= 10);
        assert_eq!(Id3v2Header::parse(&data[..10]), Some(h));
    }

    let whole = label::wav_c2pa_chunk(&mut Cursor::new(data)).ok();
    let trickled = label::wav_c2pa_chunk(&mut Trickle::new(data)).ok();
    assert_eq!(whole, trickled, "wav C2PA chunk");
    if let Some(Some((at, size))) = whole {
        assert!(at.checked_add(size).is_some_and(|end| end <= len));
    }

    let whole = label::mp3_c2pa_store(&mut Cursor::new(data)).ok();
    let trickled = label::mp3_c2pa_store(&mut Trickle::new(data)).ok();
    assert_eq!(whole, trickled, "MP3 C2PA store");
    if let Some(Some((at, size))) = whole {
        assert!(at.checked_add(size).is_some_and(|end| end <= len));
    }

    // The errors compared by what they say: a reader's I/O error is not
    // comparable, and the two must fail alike.
    let whole = notice::flac_kept_blocks(&mut Cursor::new(data)).map_err(|e| e.to_string());
    let trickled = notice::flac_kept_blocks(&mut Trickle::new(data)).map_err(|e| e.to_string());
    assert_eq!(whole, trickled, "FLAC metadata blocks");
    if let Ok(blocks) = whole {
        let kept: usize = blocks.iter().map(|(_, body)| body.len() + 4).sum();
        assert!(kept as u64 <= len, "kept more than the file holds");
    }
}

/// The SVG root parser and the badge inserter: a root found lies inside the
/// file; a badged file is well-formed with the same root, and keeps every
/// byte before the root's closing tag and after it.
pub fn svg(data: &[u8]) {
    let root = match notice::svg_root(data) {
        Ok(root) => root,
        Err(_) => {
            // The inserter parses the same way, so it must refuse too.
            assert!(notice::svg_badge(data).is_err());
            return;
        }
    };
    let (start, end) = root.close;
    assert!(start <= end && end <= data.len(), "{root:?}");
    if let Some(vb) = root.view_box {
        assert!(vb.iter().all(|v| v.is_finite()), "{vb:?}");
    }
    let Ok(out) = notice::svg_badge(data) else {
        return;
    };
    let again = notice::svg_root(&out).unwrap_or_else(|e| panic!("badged SVG: {e}"));
    assert_eq!(again.name, root.name);
    assert!(
        out.starts_with(&data[..start]),
        "bytes before the badge changed"
    );
    assert!(out.ends_with(&data[end..]), "bytes after the root changed");
}
