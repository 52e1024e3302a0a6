//! Personal data edited where it lies, for the containers whose metadata
//! tamga does not rebuild: ISO BMFF (MP4, M4A, MOV, HEIC, AVIF), WAV,
//! JPEG XL, GIF and SVG.
//!
//! Each edit keeps the length of the bytes it changes: an XMP packet is
//! padded with spaces (whitespace after its XML is allowed, the way XMP's
//! own padding works), an EXIF value is zeroed and its entry dropped inside
//! the same block, a QuickTime tag box becomes a `free` box of the same
//! size with its body zeroed. So no chunk offset, item location or RIFF
//! size moves, and a long video is copied through, not rebuilt.

use std::io::{Read, Seek, SeekFrom, Write};

use super::{exif, xmp_fields, PersonalField, PersonalKind, Place};
use crate::{Container, MetaError};

/// The largest metadata range read: more is no camera's metadata.
pub(crate) const MAX_SPOT: u64 = 16 << 20;

/// A byte range of a file holding metadata, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spot {
    pub(crate) at: u64,
    pub(crate) len: u64,
    pub(crate) holds: Holds,
}

/// What a [`Spot`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Holds {
    /// An XMP packet.
    Xmp,
    /// An EXIF block (a TIFF structure).
    Exif,
    /// A whole QuickTime tag box that names a person or a place: what it
    /// reveals and its name.
    Tag(PersonalKind, String),
    /// A text value (RIFF `INFO`), zeroed to remove it: what it reveals and
    /// its name.
    Text(PersonalKind, String),
}

/// The metadata ranges of `src` that can hold personal data.
fn spots<R: Read + Seek>(container: Container, src: &mut R) -> Vec<Spot> {
    let mut found = match container {
        Container::Bmff => super::bmff::spots(src),
        Container::Wav => wav_spots(src),
        Container::Jxl => jxl_spots(src),
        Container::Gif | Container::Svg => whole_file_spots(container, src),
        _ => Vec::new(),
    };
    found.retain(|s| s.len <= MAX_SPOT && s.len > 0);
    found.sort_by_key(|s| s.at);
    // Overlapping ranges come only from a crafted file: keep the first.
    let mut end = 0;
    found.retain(|s| {
        let keep = s.at >= end;
        if keep {
            end = s.at + s.len;
        }
        keep
    });
    found
}

/// WAV: the `_PMX` chunk's body, and the people named in `LIST`/`INFO`.
fn wav_spots<R: Read + Seek>(src: &mut R) -> Vec<Spot> {
    let Ok(chunks) = crate::riff::chunks(src) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in &chunks {
        match &c.id {
            b"_PMX" => out.push(Spot {
                at: c.body,
                len: c.size,
                holds: Holds::Xmp,
            }),
            b"LIST" if c.size <= MAX_SPOT => out.extend(riff_info(src, c)),
            _ => {}
        }
    }
    out
}

/// The values of a `LIST`/`INFO` chunk that name people: artist, engineer,
/// technician, commissioner.
fn riff_info<R: Read + Seek>(src: &mut R, c: &crate::riff::Chunk) -> Vec<Spot> {
    let mut body = Vec::new();
    if src.seek(SeekFrom::Start(c.body)).is_err()
        || src.by_ref().take(c.size).read_to_end(&mut body).is_err()
        || !body.starts_with(b"INFO")
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut at = 4usize;
    while let Some(h) = body.get(at..at + 8) {
        let id = [h[0], h[1], h[2], h[3]];
        let size = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize;
        if at + 8 + size > body.len() {
            break;
        }
        if matches!(&id, b"IART" | b"IENG" | b"ITCH" | b"ICMS") && size > 0 {
            out.push(Spot {
                at: c.body + (at + 8) as u64,
                len: size as u64,
                holds: Holds::Text(
                    PersonalKind::Identity,
                    String::from_utf8_lossy(&id).into_owned(),
                ),
            });
        }
        at += 8 + size + (size & 1);
    }
    out
}

/// JPEG XL: the `xml ` boxes, and the `Exif` boxes (a 4-byte offset to
/// the TIFF header first, ISO/IEC 18181-2).
fn jxl_spots<R: Read + Seek>(src: &mut R) -> Vec<Spot> {
    let mut signature = [0u8; crate::boxes::JXL_SIGNATURE.len()];
    if src.seek(SeekFrom::Start(0)).is_err()
        || src.read_exact(&mut signature).is_err()
        || signature != crate::boxes::JXL_SIGNATURE
    {
        return Vec::new();
    }
    let Ok(boxes) = crate::boxes::top_level(src) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for b in boxes {
        match &b.kind {
            b"xml " => out.push(Spot {
                at: b.body,
                len: b.end - b.body,
                holds: Holds::Xmp,
            }),
            b"Exif" => {
                if let Some(s) = exif_after_offset(src, b.body, b.end) {
                    out.push(s);
                }
            }
            _ => {}
        }
    }
    out
}

/// An EXIF payload that starts with a 4-byte big-endian offset to its TIFF
/// header (JPEG XL's `Exif` box, HEIF's `Exif` item).
pub(crate) fn exif_after_offset<R: Read + Seek>(src: &mut R, start: u64, end: u64) -> Option<Spot> {
    let mut skip = [0u8; 4];
    src.seek(SeekFrom::Start(start)).ok()?;
    src.read_exact(&mut skip).ok()?;
    let at = start
        .checked_add(4)?
        .checked_add(u64::from(u32::from_be_bytes(skip)))?;
    (at < end).then(|| Spot {
        at,
        len: end - at,
        holds: Holds::Exif,
    })
}

/// GIF and SVG (read whole anyway): the XMP packet's range.
fn whole_file_spots<R: Read + Seek>(container: Container, src: &mut R) -> Vec<Spot> {
    // Images past this size are not looked at (as for EXIF in PNG).
    const MAX: u64 = 64 << 20;
    let mut input = Vec::new();
    if src.seek(SeekFrom::Start(0)).is_err()
        || src.by_ref().take(MAX + 1).read_to_end(&mut input).is_err()
        || input.len() as u64 > MAX
    {
        return Vec::new();
    }
    let ranges: Vec<(usize, usize)> = match container {
        Container::Gif => crate::gif::blocks(&input)
            .map(|(_, blocks)| blocks.iter().filter_map(|b| b.xmp).collect())
            .unwrap_or_default(),
        _ => crate::svg::xmp_range(&input).into_iter().collect(),
    };
    ranges
        .into_iter()
        .map(|(s, e)| Spot {
            at: s as u64,
            len: (e - s) as u64,
            holds: Holds::Xmp,
        })
        .collect()
}

fn read_spot<R: Read + Seek>(src: &mut R, s: &Spot) -> std::io::Result<Vec<u8>> {
    src.seek(SeekFrom::Start(s.at))?;
    let mut b = Vec::new();
    src.take(s.len).read_to_end(&mut b)?;
    Ok(b)
}

/// The personal fields of `src`'s metadata ranges.
pub(crate) fn find<R: Read + Seek>(container: Container, src: &mut R) -> Vec<PersonalField> {
    let mut found = Vec::new();
    for s in spots(container, src) {
        let Ok(bytes) = read_spot(src, &s) else {
            continue;
        };
        match s.holds {
            Holds::Xmp => found.extend(xmp_fields::fields(&String::from_utf8_lossy(&bytes))),
            Holds::Exif => found.extend(exif::fields(&bytes)),
            Holds::Tag(kind, field) => found.push(PersonalField {
                kind,
                place: Place::QuickTime,
                field,
                value: super::bmff::tag_value(&bytes),
            }),
            Holds::Text(kind, field) => {
                let value = String::from_utf8_lossy(&bytes);
                let value = value.trim_matches(|c: char| c == '\0' || c.is_whitespace());
                if !value.is_empty() {
                    found.push(PersonalField {
                        kind,
                        place: Place::RiffInfo,
                        field,
                        value: value.to_string(),
                    });
                }
            }
        }
    }
    found
}

/// The bytes of `s` without the fields of `kinds`, the same length, and
/// how many went; `None` when nothing changes.
fn edited(s: &Spot, mut bytes: Vec<u8>, kinds: &[PersonalKind]) -> Option<(Vec<u8>, usize)> {
    match &s.holds {
        Holds::Xmp => {
            let (text, n) = xmp_fields::without(&String::from_utf8_lossy(&bytes), kinds)?;
            // A packet that grew (it cannot, only elements go) is left.
            (text.len() <= bytes.len()).then(|| {
                let mut out = text.into_bytes();
                out.resize(bytes.len(), b' ');
                (out, n)
            })
        }
        Holds::Exif => {
            let n = exif::redact(&mut bytes, kinds);
            (n > 0).then_some((bytes, n))
        }
        Holds::Tag(kind, _) if kinds.contains(kind) => {
            // The box keeps its size field; its type becomes `free` and
            // everything after the header is zeroed.
            let header = super::bmff::tag_header_len(&bytes);
            bytes[4..8].copy_from_slice(b"free");
            bytes[header..].fill(0);
            Some((bytes, 1))
        }
        Holds::Text(kind, _) if kinds.contains(kind) && bytes.iter().any(|&b| b != 0) => {
            bytes.fill(0);
            Some((bytes, 1))
        }
        Holds::Tag(..) | Holds::Text(..) => None,
    }
}

/// Copies `src` to `out` without the personal fields of `kinds` in its
/// metadata ranges; how many went. Everything else is copied byte for
/// byte, and nothing moves. When nothing is to go, nothing is written (a
/// long video is not copied for nothing).
pub(crate) fn redact_to<R: Read + Seek, W: Write>(
    container: Container,
    src: &mut R,
    out: &mut W,
    kinds: &[PersonalKind],
) -> Result<usize, MetaError> {
    let mut edits = Vec::new();
    for s in spots(container, src) {
        let bytes = read_spot(src, &s)?;
        if bytes.len() as u64 != s.len {
            continue; // cut short: the file ends inside it
        }
        if let Some((new, n)) = edited(&s, bytes, kinds) {
            edits.push((s, new, n));
        }
    }
    if edits.is_empty() {
        return Ok(0);
    }
    let mut at = 0u64;
    src.seek(SeekFrom::Start(0))?;
    for (s, new, _) in &edits {
        std::io::copy(&mut (&mut *src).take(s.at - at), out)?;
        out.write_all(new)?;
        at = s.at + s.len;
        src.seek(SeekFrom::Start(at))?;
    }
    std::io::copy(src, out)?;
    Ok(edits.iter().map(|(_, _, n)| n).sum())
}

#[cfg(test)]
#[path = "in_place_tests.rs"]
mod tests;
