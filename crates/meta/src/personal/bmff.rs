//! Where an ISO BMFF file keeps what can identify a person:
//!
//! - XMP in a top-level `uuid` box (exiftool, Adobe);
//! - HEIF items (HEIC, AVIF): the `Exif` item a phone writes with the GPS
//!   position, and an XMP item (`mime`, `application/rdf+xml`);
//! - QuickTime tags in `moov`: `udta` boxes (`©xyz`, the position Android
//!   and cameras write; 3GPP `loci` and `auth`; `©ART`, `©aut`…), the
//!   iTunes-style list `udta/meta/ilst`, and Apple's `moov/meta` with its
//!   `keys` (`com.apple.quicktime.location.ISO6709`, `…author`).
//!
//! Only box headers are read on the way; the bodies read are metadata,
//! each bounded by [`MAX_SPOT`].

use std::io::{Read, Seek, SeekFrom};

use super::in_place::{exif_after_offset, Holds, Spot, MAX_SPOT};
use super::PersonalKind::{self, Gps, Identity};
use crate::boxes::{body, top_level, within, BoxAt, XMP_UUID};
use crate::iloc::{find_child, locations};

/// QuickTime and 3GPP user-data boxes that name a place or a person.
fn udta_kind(kind: &[u8; 4]) -> Option<PersonalKind> {
    match kind {
        b"\xa9xyz" | b"loci" => Some(Gps),
        b"\xa9ART" | b"\xa9aut" | b"\xa9wrt" | b"\xa9com" | b"aART" | b"auth" | b"perf" => {
            Some(Identity)
        }
        _ => None,
    }
}

/// `mdta` keys that name a place or a person: Apple's, and the plain
/// ones ffmpeg writes with `-movflags use_metadata_tags` and when it
/// carries tags over (`artist`, `location`, `location-eng`).
fn key_kind(key: &str) -> Option<PersonalKind> {
    let key = key.strip_prefix("com.apple.quicktime.").unwrap_or(key);
    let base = key.split_once('-').map_or(key, |(k, _)| k);
    match base {
        "location.ISO6709" | "location.name" | "location" => Some(Gps),
        "author" | "artist" | "album_artist" | "composer" | "displayname" | "performer" => {
            Some(Identity)
        }
        _ => None,
    }
}

/// A box's type as text ("©xyz").
fn name(kind: &[u8; 4]) -> String {
    kind.iter()
        .map(|&b| if b == 0xa9 { '©' } else { char::from(b) })
        .collect()
}

/// The spots of an ISO BMFF file (see the module's text).
pub(crate) fn spots<R: Read + Seek>(src: &mut R) -> Vec<Spot> {
    let Ok(boxes) = top_level(src) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for b in &boxes {
        match &b.kind {
            b"uuid" if is_xmp(src, b) => out.push(Spot {
                at: b.body + 16,
                len: b.end - b.body - 16,
                holds: Holds::Xmp,
            }),
            b"meta" => out.extend(items(src, b)),
            b"moov" => out.extend(moov(src, b)),
            _ => {}
        }
    }
    out
}

fn is_xmp<R: Read + Seek>(src: &mut R, b: &BoxAt) -> bool {
    let mut id = [0u8; 16];
    b.end - b.body >= 16
        && src.seek(SeekFrom::Start(b.body)).is_ok()
        && src.read_exact(&mut id).is_ok()
        && id == XMP_UUID
}

/// The children of a box whose body starts `skip` bytes in (4 for a full
/// box's version and flags).
fn children<R: Read + Seek>(src: &mut R, b: &BoxAt, skip: u64) -> Vec<BoxAt> {
    within(src, b.body + skip, b.end).unwrap_or_default()
}

/// A `meta` box's children: ISO's is a full box, Apple's QuickTime one is
/// not (its first child, `hdlr`, starts right away).
fn meta_children<R: Read + Seek>(src: &mut R, b: &BoxAt) -> Vec<BoxAt> {
    let mut head = [0u8; 8];
    let apple = src.seek(SeekFrom::Start(b.body)).is_ok()
        && src.read_exact(&mut head).is_ok()
        && &head[4..8] == b"hdlr";
    children(src, b, if apple { 0 } else { 4 })
}

fn tag(b: &BoxAt, kind: PersonalKind, field: String) -> Spot {
    Spot {
        at: b.start,
        len: b.end - b.start,
        holds: Holds::Tag(kind, field),
    }
}

/// The tags in `moov`'s user data and metadata.
fn moov<R: Read + Seek>(src: &mut R, moov: &BoxAt) -> Vec<Spot> {
    let mut out = Vec::new();
    for b in children(src, moov, 0) {
        match &b.kind {
            b"udta" => {
                for t in children(src, &b, 0) {
                    if let Some(kind) = udta_kind(&t.kind) {
                        out.push(tag(&t, kind, name(&t.kind)));
                    } else if &t.kind == b"meta" {
                        out.extend(meta_tags(src, &t));
                    }
                }
            }
            b"meta" => out.extend(meta_tags(src, &b)),
            _ => {}
        }
    }
    out
}

/// The tags of a `meta` box's list: iTunes-style (typed by name), or
/// Apple's keyed one (typed by key index; ffmpeg writes it in `udta`,
/// iPhones in `moov`).
fn meta_tags<R: Read + Seek>(src: &mut R, meta: &BoxAt) -> Vec<Spot> {
    let keys = meta_children(src, meta)
        .iter()
        .find(|p| &p.kind == b"keys")
        .map(|k| keys(src, k))
        .unwrap_or_default();
    ilst(src, meta, &keys)
}

/// Apple's `keys` box: the key names, in order (the `ilst` children are
/// typed by their 1-based index).
fn keys<R: Read + Seek>(src: &mut R, b: &BoxAt) -> Vec<String> {
    if b.end - b.body > MAX_SPOT {
        return Vec::new();
    }
    let Ok(data) = body(src, b) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut at = 8; // version, flags, entry count
    while let Some(size) = data
        .get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_be_bytes)
    {
        let size = size as usize;
        // Each entry: size, namespace (`mdta`), the key.
        let Some(key) = data.get(at + 8..at.saturating_add(size)) else {
            break;
        };
        if size < 8 {
            break;
        }
        out.push(String::from_utf8_lossy(key).into_owned());
        at += size;
    }
    out
}

/// The tags in the `ilst` of `meta`, named by their type or, with `keys`,
/// by the key their index gives.
fn ilst<R: Read + Seek>(src: &mut R, meta: &BoxAt, keys: &[String]) -> Vec<Spot> {
    let mut out = Vec::new();
    let parts = meta_children(src, meta);
    let Some(list) = parts.iter().find(|p| &p.kind == b"ilst") else {
        return out;
    };
    for item in children(src, list, 0) {
        let by_key = (!keys.is_empty())
            .then(|| u32::from_be_bytes(item.kind) as usize)
            .and_then(|i| keys.get(i.checked_sub(1)?));
        let found = match by_key {
            Some(key) => key_kind(key).map(|k| (k, key.clone())),
            None => udta_kind(&item.kind).map(|k| (k, name(&item.kind))),
        };
        if let Some((kind, field)) = found {
            out.push(tag(&item, kind, field));
        }
    }
    out
}

/// A HEIF file's `Exif` and XMP items stored in the file (construction
/// method 0) in one extent.
fn items<R: Read + Seek>(src: &mut R, meta: &BoxAt) -> Vec<Spot> {
    if meta.end - meta.body > MAX_SPOT {
        return Vec::new();
    }
    let Ok(data) = body(src, meta) else {
        return Vec::new();
    };
    let (Some(iinf), Some(iloc)) = (find_child(&data, b"iinf"), find_child(&data, b"iloc")) else {
        return Vec::new();
    };
    let kinds = item_kinds(&data[iinf.0..iinf.1]);
    let Ok(locations) = locations(&data, iloc) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for l in locations {
        let Some(holds) = kinds.iter().find(|(id, _)| *id == l.id).map(|(_, h)| h) else {
            continue;
        };
        let [(_, offset, len)] = l.extents[..] else {
            continue;
        };
        let Some(start) = l.base.checked_add(offset) else {
            continue;
        };
        if l.method != 0 || l.data_ref != 0 || len == 0 {
            continue;
        }
        let Some(end) = start.checked_add(len) else {
            continue;
        };
        match holds {
            Holds::Exif => out.extend(exif_after_offset(src, start, end)),
            _ => out.push(Spot {
                at: start,
                len,
                holds: Holds::Xmp,
            }),
        }
    }
    out
}

/// The ids of the `Exif` and XMP items in an `iinf` body.
fn item_kinds(iinf: &[u8]) -> Vec<(u32, Holds)> {
    let mut out = Vec::new();
    let Some(&version) = iinf.first() else {
        return out;
    };
    let mut at = if version == 0 { 6 } else { 8 };
    while let Some(size) = iinf
        .get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_be_bytes)
    {
        let size = size as usize;
        let Some(infe) = iinf.get(at..at.saturating_add(size)) else {
            break;
        };
        if size < 8 {
            break;
        }
        if let Some(item) = infe_kind(infe) {
            out.push(item);
        }
        at += size;
    }
    out
}

/// One `infe` box (versions 2 and 3): its item id, if it is EXIF or XMP.
fn infe_kind(infe: &[u8]) -> Option<(u32, Holds)> {
    if infe.get(4..8)? != b"infe" {
        return None;
    }
    let version = *infe.get(8)?;
    let (id, rest) = match version {
        2 => (
            u32::from(u16::from_be_bytes(infe.get(12..14)?.try_into().ok()?)),
            16,
        ),
        3 => (u32::from_be_bytes(infe.get(12..16)?.try_into().ok()?), 18),
        _ => return None,
    };
    let item_type = infe.get(rest..rest + 4)?;
    match item_type {
        b"Exif" => Some((id, Holds::Exif)),
        b"mime" => {
            // The item name, then the content type, both NUL-terminated.
            let strings = infe.get(rest + 4..)?;
            let mut parts = strings.split(|&b| b == 0);
            parts.next();
            (parts.next()? == b"application/rdf+xml").then_some((id, Holds::Xmp))
        }
        _ => None,
    }
}

/// The header length of a tag box: 16 with a 64-bit size, else 8.
pub(crate) fn tag_header_len(b: &[u8]) -> usize {
    if b.get(..4) == Some(&[0, 0, 0, 1]) {
        16.min(b.len())
    } else {
        8.min(b.len())
    }
}

/// A tag box's value as text: the `data` box's payload (iTunes and Apple
/// lists), else the body after QuickTime's length and language fields;
/// 3GPP boxes' binary fields show as the text they contain.
pub(crate) fn tag_value(b: &[u8]) -> String {
    let body = b.get(tag_header_len(b)..).unwrap_or_default();
    if b.get(4..8) == Some(b"loci") {
        if let Some(place) = loci(body) {
            return place;
        }
    }
    let text = match body.get(4..8) {
        Some(b"data") => body.get(16..).unwrap_or_default(),
        _ => body.get(4..).unwrap_or_default(),
    };
    String::from_utf8_lossy(text)
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// A 3GPP `loci` box's body (TS 26.244 8.4.3) as "name latitude,
/// longitude": version and flags, language, a NUL-terminated name, the
/// role, then 16.16 fixed-point longitude, latitude and altitude.
fn loci(body: &[u8]) -> Option<String> {
    let rest = body.get(6..)?;
    let name_end = rest.iter().position(|&c| c == 0)?;
    let name = String::from_utf8_lossy(&rest[..name_end]);
    let fixed = |at: usize| -> Option<f64> {
        let b = rest.get(name_end + 2 + at..name_end + 6 + at)?;
        Some(f64::from(i32::from_be_bytes(b.try_into().ok()?)) / 65536.0)
    };
    let (lon, lat) = (fixed(0)?, fixed(4)?);
    Some(format!("{name} {lat:.4},{lon:.4}").trim().to_string())
}

#[cfg(test)]
#[path = "bmff_tests.rs"]
mod tests;
