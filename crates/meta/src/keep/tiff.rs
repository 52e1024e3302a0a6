//! TIFF: the tags of the first IFD that are not the image (descriptions,
//! dates, XMP, IPTC, Photoshop, ICC), and the EXIF and GPS IFDs.
//!
//! Like the XMP writer, nothing in the edited file moves: the carried
//! values and a new IFD0 (the edited file's entries plus the carried ones)
//! are appended, and the header is pointed at it.

use crate::{
    tiff::{ifd0, tag, Order},
    Container, MetaError,
};

/// Tags that describe the image data or its layout, never carried: the
/// edited file's encoder wrote its own.
const IMAGE_TAGS: [u16; 40] = [
    254, 255, 256, 257, 258, 259, 262, 263, 264, 265, 266, 273, 277, 278, 279, 280, 281, 284, 290,
    291, 292, 293, 317, 320, 322, 323, 324, 325, 330, 338, 339, 340, 341, 347, 512, 513, 514, 529,
    530, 532,
];
const ORIENTATION: u16 = 274;
const EXIF_IFD: u16 = 34665;
const GPS_IFD: u16 = 34853;
const INTEROP_IFD: u16 = 40965;
/// Most entries read from one sub-IFD: a bound against crafted counts.
const MAX_ENTRIES: usize = 4096;

/// Bytes per value of a TIFF type, and the size of each part to swap when
/// the byte order changes; None for unknown types.
fn type_size(typ: u16) -> Option<(usize, usize)> {
    Some(match typ {
        1 | 2 | 6 | 7 => (1, 1),
        3 | 8 => (2, 2),
        4 | 9 | 11 | 13 => (4, 4),
        5 | 10 => (8, 4),
        12 => (8, 8),
        _ => return None,
    })
}

/// A value to write.
enum Value {
    /// The 4 value bytes of an edited-file entry, kept as they were.
    Raw([u8; 4]),
    /// Value bytes in the output's byte order.
    Data(Vec<u8>),
    /// A sub-IFD (EXIF, GPS, interoperability).
    Ifd(Vec<Entry>),
}

struct Entry {
    tag: u16,
    typ: u16,
    count: u32,
    value: Value,
}

/// Reads one entry of `src` with its value, in `to` byte order; sub-IFDs
/// behind the pointer tags are read whole. None for an unknown type or a
/// value past the end.
fn read_entry(src: &[u8], from: Order, to: Order, e: &[u8; 12], depth: u8) -> Option<Entry> {
    let t = tag(from, e);
    let typ = from.u16(e, 2)?;
    let count = from.u32(e, 4)?;
    if matches!(t, EXIF_IFD | GPS_IFD | INTEROP_IFD) {
        let at = from.u32(e, 8)? as usize;
        let entries = read_ifd(src, from, to, at, depth + 1)?;
        return Some(Entry {
            tag: t,
            typ,
            count: 1,
            value: Value::Ifd(entries),
        });
    }
    let (size, part) = type_size(typ)?;
    let len = size.checked_mul(count as usize)?;
    let mut bytes = if len <= 4 {
        e.get(8..8 + len)?.to_vec()
    } else {
        let at = from.u32(e, 8)? as usize;
        src.get(at..at.checked_add(len)?)?.to_vec()
    };
    if from.0 != to.0 && part > 1 {
        for chunk in bytes.chunks_exact_mut(part) {
            chunk.reverse();
        }
    }
    Some(Entry {
        tag: t,
        typ,
        count,
        value: Value::Data(bytes),
    })
}

fn read_ifd(src: &[u8], from: Order, to: Order, at: usize, depth: u8) -> Option<Vec<Entry>> {
    if depth > 2 {
        return None;
    }
    let n = usize::from(from.u16(src, at)?).min(MAX_ENTRIES);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let e: &[u8; 12] = src
            .get(at + 2 + 12 * i..at + 14 + 12 * i)?
            .try_into()
            .ok()?;
        if let Some(entry) = read_entry(src, from, to, e, depth) {
            out.push(entry);
        }
    }
    Some(out)
}

/// Whether a tag of the original's IFD0 is carried: not the image, and an
/// orientation only when it says "upright", which is how the edited pixels
/// are stored.
fn carried(e: &Entry, order: Order) -> bool {
    if IMAGE_TAGS.contains(&e.tag) {
        return false;
    }
    if e.tag == ORIENTATION {
        return matches!(&e.value, Value::Data(d) if order.u16(d, 0) == Some(1));
    }
    true
}

pub(super) fn carry(original: &[u8], edited: &[u8]) -> Result<Vec<u8>, MetaError> {
    // BigTIFF's 8-byte offsets and entries are another layout: refuse it
    // by name rather than drop its tags.
    if matches!(original.get(2..4), Some([43, 0] | [0, 43])) {
        return Err(MetaError::Unsupported {
            container: Container::Tiff,
            what: "carrying the tags of a BigTIFF file over",
        });
    }
    let old = ifd0(original)?;
    let new = ifd0(edited)?;
    let to = new.order;
    let old_at =
        old.order
            .u32(original, 4)
            .ok_or(MetaError::truncated(Container::Tiff, "header", 0))? as usize;
    let present: Vec<u16> = new.entries.iter().map(|e| tag(to, e)).collect();
    let mut entries: Vec<Entry> = read_ifd(original, old.order, to, old_at, 0)
        .ok_or_else(|| {
            MetaError::truncated(Container::Tiff, "IFD0 of the original file", old_at as u64)
        })?
        .into_iter()
        .filter(|e| carried(e, to) && !present.contains(&e.tag))
        .collect();
    if entries.is_empty() {
        return Ok(edited.to_vec());
    }
    for e in &new.entries {
        let value: [u8; 4] = e[8..12]
            .try_into()
            .map_err(|_| MetaError::invalid(Container::Tiff, "an IFD0 entry"))?;
        entries.push(Entry {
            tag: tag(to, e),
            typ: to.u16(e, 2).unwrap_or(0),
            count: to.u32(e, 4).unwrap_or(0),
            value: Value::Raw(value),
        });
    }
    let mut out = edited.to_vec();
    let at = write_ifd(&mut out, to, entries, new.next)?;
    out[4..8].copy_from_slice(&to.put32(at));
    Ok(out)
}

/// Appends an IFD holding `entries` (sorted by tag, as TIFF requires) and
/// their values to `out`; returns its offset.
fn write_ifd(
    out: &mut Vec<u8>,
    order: Order,
    mut entries: Vec<Entry>,
    next: u32,
) -> Result<u32, MetaError> {
    entries.sort_by_key(|e| e.tag);
    if out.len() % 2 == 1 {
        out.push(0);
    }
    let at = out.len();
    let count = u16::try_from(entries.len()).map_err(|_| MetaError::TooMany {
        what: "tags in one IFD",
        count: entries.len() as u64,
        limit: u16::MAX.into(),
    })?;
    out.resize(at + 2 + 12 * entries.len() + 4, 0);
    let mut records = Vec::with_capacity(12 * entries.len());
    for e in entries {
        let value: [u8; 4] = match e.value {
            Value::Raw(v) => v,
            Value::Data(d) if d.len() <= 4 => {
                let mut v = [0u8; 4];
                v[..d.len()].copy_from_slice(&d);
                v
            }
            Value::Data(d) => {
                if out.len() % 2 == 1 {
                    out.push(0);
                }
                let offset = offset(out.len())?;
                out.extend_from_slice(&d);
                order.put32(offset)
            }
            Value::Ifd(sub) => order.put32(write_ifd(out, order, sub, 0)?),
        };
        records.extend_from_slice(&order.put16(e.tag));
        records.extend_from_slice(&order.put16(e.typ));
        records.extend_from_slice(&order.put32(e.count));
        records.extend_from_slice(&value);
    }
    out[at..at + 2].copy_from_slice(&order.put16(count));
    out[at + 2..at + 2 + records.len()].copy_from_slice(&records);
    let end = at + 2 + records.len();
    out[end..end + 4].copy_from_slice(&order.put32(next));
    offset(at)
}

fn offset(at: usize) -> Result<u32, MetaError> {
    u32::try_from(at).map_err(|_| MetaError::too_large("the TIFF", at as u64, u32::MAX.into()))
}
