//! EXIF (a TIFF structure of IFDs): the fields that can identify a person,
//! found and removed in place.
//!
//! Removal never moves a byte outside the EXIF block: an entry is taken
//! out of its IFD (the entries after it move up, the count drops, the
//! freed slot is zeroed) and its out-of-line value is zeroed. The GPS IFD
//! goes whole: its pointer is removed from IFD0 and every entry and value
//! in it is zeroed. Maker notes, where cameras keep serial numbers in
//! vendor formats, go whole with the device fields.

use super::{PersonalField, PersonalKind, Place};
use crate::tiff::Order;

const TAG_EXIF_IFD: u16 = 0x8769;
const TAG_GPS_IFD: u16 = 0x8825;
const TAG_MAKER_NOTE: u16 = 0x927C;

/// The personal tags outside the GPS IFD: (tag, name, kind).
const TAGS: &[(u16, &str, PersonalKind)] = &[
    (0x013B, "Artist", PersonalKind::Identity),
    (0x9C9D, "XPAuthor", PersonalKind::Identity),
    (0xA430, "CameraOwnerName", PersonalKind::Identity),
    (0xA431, "BodySerialNumber", PersonalKind::Device),
    (0xA435, "LensSerialNumber", PersonalKind::Device),
    (0xC62F, "CameraSerialNumber", PersonalKind::Device),
    (TAG_MAKER_NOTE, "MakerNote", PersonalKind::Device),
];

/// GPS tags worth naming in a report; others are listed by number.
const GPS_NAMES: &[(u16, &str)] = &[
    (0, "GPSVersionID"),
    (1, "GPSLatitudeRef"),
    (2, "GPSLatitude"),
    (3, "GPSLongitudeRef"),
    (4, "GPSLongitude"),
    (6, "GPSAltitude"),
    (7, "GPSTimeStamp"),
    (29, "GPSDateStamp"),
];

/// An IFD entry: where it is, and what it holds.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Offset of the 12-byte entry in the TIFF block.
    at: usize,
    tag: u16,
    kind: u16,
    count: u32,
    /// The value's bytes: inline in the entry, or where its offset points.
    value: (usize, usize),
}

/// The TIFF block's byte order and its entries, per IFD.
struct Ifds {
    order: Order,
    /// (where the IFD starts, its entries), IFD0 first; Exif and GPS IFDs
    /// are marked by `which`.
    ifds: Vec<(usize, Which, Vec<Entry>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Ifd0,
    Exif,
    Gps,
}

fn type_size(kind: u16) -> usize {
    match kind {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 => 4,
        5 | 10 | 12 => 8,
        _ => 0,
    }
}

fn parse(tiff: &[u8]) -> Option<Ifds> {
    let order = match tiff.get(..4)? {
        [b'I', b'I', 42, 0] => Order(true),
        [b'M', b'M', 0, 42] => Order(false),
        _ => return None,
    };
    let first = order.u32(tiff, 4)? as usize;
    let mut out = Ifds {
        order,
        ifds: Vec::new(),
    };
    let mut queue = vec![(first, Which::Ifd0)];
    while let Some((at, which)) = queue.pop() {
        // An IFD visited twice is a loop in a crafted file.
        if out.ifds.len() >= 8 || out.ifds.iter().any(|(a, _, _)| *a == at) {
            continue;
        }
        let n = usize::from(order.u16(tiff, at)?);
        let mut entries = Vec::with_capacity(n.min(512));
        for i in 0..n {
            let e = at + 2 + 12 * i;
            let tag = order.u16(tiff, e)?;
            let kind = order.u16(tiff, e + 2)?;
            let count = order.u32(tiff, e + 4)?;
            let len = type_size(kind).checked_mul(count as usize)?;
            let value = if len <= 4 {
                (e + 8, len)
            } else {
                let off = order.u32(tiff, e + 8)? as usize;
                match off.checked_add(len) {
                    Some(end) if end <= tiff.len() => (off, len),
                    // A value past the block: the entry is kept (counts
                    // must stay right), its value taken as empty.
                    _ => (e + 8, 0),
                }
            };
            let entry = Entry {
                at: e,
                tag,
                kind,
                count,
                value,
            };
            match (which, tag) {
                (Which::Ifd0, TAG_EXIF_IFD) => {
                    queue.push((order.u32(tiff, e + 8)? as usize, Which::Exif))
                }
                (Which::Ifd0, TAG_GPS_IFD) => {
                    queue.push((order.u32(tiff, e + 8)? as usize, Which::Gps))
                }
                _ => {}
            }
            entries.push(entry);
        }
        out.ifds.push((at, which, entries));
    }
    Some(out)
}

/// A value as text for a report: ASCII up to its NUL, UTF-16 for the XP
/// tags, rationals as decimals, else the byte count.
fn show(tiff: &[u8], order: Order, e: &Entry) -> String {
    let bytes = &tiff[e.value.0..e.value.0 + e.value.1];
    match (e.kind, e.tag) {
        (2, _) => String::from_utf8_lossy(bytes.split(|b| *b == 0).next().unwrap_or_default())
            .trim()
            .to_string(),
        (1, 0x9C9D) => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|u| *u != 0)
                .collect();
            String::from_utf16_lossy(&units)
        }
        (5, _) => (0..e.count as usize)
            .filter_map(|i| {
                let n = order.u32(bytes, 8 * i)?;
                let d = order.u32(bytes, 8 * i + 4)?;
                Some(if d == 0 {
                    "0".to_string()
                } else {
                    format!("{}", (f64::from(n) / f64::from(d) * 1e4).round() / 1e4)
                })
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => format!("{} bytes", bytes.len()),
    }
}

/// The personal fields in a TIFF-structured EXIF block.
pub(crate) fn fields(tiff: &[u8]) -> Vec<PersonalField> {
    let Some(ifds) = parse(tiff) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (_, which, entries) in &ifds.ifds {
        for e in entries {
            let named = match which {
                Which::Gps => Some((
                    GPS_NAMES
                        .iter()
                        .find(|(t, _)| *t == e.tag)
                        .map_or_else(|| format!("GPS tag {}", e.tag), |(_, n)| n.to_string()),
                    PersonalKind::Gps,
                )),
                _ => TAGS
                    .iter()
                    .find(|(t, _, _)| *t == e.tag)
                    .map(|(_, n, k)| (n.to_string(), *k)),
            };
            if let Some((field, kind)) = named {
                found.push(PersonalField {
                    kind,
                    place: Place::Exif,
                    field,
                    value: show(tiff, ifds.order, e),
                });
            }
        }
    }
    found
}

/// Removes the fields of `kinds` from the EXIF block in place; how many
/// were removed. Nothing outside the block changes size or place.
pub(crate) fn redact(tiff: &mut [u8], kinds: &[PersonalKind]) -> usize {
    let Some(ifds) = parse(tiff) else {
        return 0;
    };
    let order = ifds.order;
    let mut removed = 0;
    for (ifd_at, which, entries) in ifds.ifds.iter().rev() {
        let gps = *which == Which::Gps;
        if gps {
            if !kinds.contains(&PersonalKind::Gps) {
                continue;
            }
            // Every value and entry of the GPS IFD zeroed, its count too.
            for e in entries {
                if e.value.0 != e.at + 8 {
                    tiff[e.value.0..e.value.0 + e.value.1].fill(0);
                }
                tiff[e.at..e.at + 12].fill(0);
            }
            removed += entries.len();
            tiff[*ifd_at..*ifd_at + 2].fill(0);
            continue;
        }
        // The entries to take out of this IFD, last first so earlier
        // offsets stay right while later ones move.
        let doomed: Vec<&Entry> = entries
            .iter()
            .filter(|e| {
                (e.tag == TAG_GPS_IFD
                    && *which == Which::Ifd0
                    && kinds.contains(&PersonalKind::Gps))
                    || TAGS
                        .iter()
                        .any(|(t, _, k)| *t == e.tag && kinds.contains(k))
            })
            .collect();
        let mut count = entries.len();
        for e in doomed.iter().rev() {
            if e.value.0 != e.at + 8 {
                tiff[e.value.0..e.value.0 + e.value.1].fill(0);
            }
            // The entries after it and the next-IFD offset move up a slot.
            let end = ifd_at + 2 + 12 * count + 4;
            if end <= tiff.len() {
                tiff.copy_within(e.at + 12..end, e.at);
                tiff[end - 12..end].fill(0);
            }
            count -= 1;
            // The GPS IFD's pointer is not a field of its own: its entries
            // were counted.
            if e.tag != TAG_GPS_IFD {
                removed += 1;
            }
        }
        if !doomed.is_empty() {
            tiff[*ifd_at..*ifd_at + 2].copy_from_slice(&order.put16(count as u16));
        }
    }
    removed
}

#[cfg(test)]
#[path = "exif_tests.rs"]
pub(crate) mod tests;
