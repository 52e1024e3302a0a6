//! ISO BMFF item locations (`meta`/`iloc`, HEIF and AVIF) written the way
//! c2pa can move them.
//!
//! c2pa 0.90 inserts its manifest box before `meta` and shifts every item
//! location by the box's size, but an item whose `base_offset` field is 0
//! and whose extents carry absolute offsets is shifted twice: once through
//! the base (0 + shift) and once through each extent. exiftool writes EXIF
//! and XMP items that way, so labelling such a HEIC left its EXIF and XMP
//! pointing past their data. The same locations written as a base offset
//! with extents relative to it (ISO/IEC 14496-12, 8.11.3) mean exactly the
//! same bytes and are shifted once. The rewrite is in place: no size
//! changes, nothing moves.

use std::io::{Read, Seek, SeekFrom, Write};

use crate::{
    boxes::{body, top_level},
    Container, MetaError,
};

/// Most items read from one `iloc`: a bound against crafted counts.
const MAX_ITEMS: u32 = 65_536;

/// A cursor over the `meta` box body that reads big-endian fields.
struct Fields<'a> {
    b: &'a [u8],
    at: usize,
}

impl Fields<'_> {
    fn take(&mut self, n: usize) -> Result<u64, MetaError> {
        let bytes = self.b.get(self.at..self.at + n).ok_or_else(|| {
            MetaError::invalid(Container::Bmff, "the iloc box ends inside a field")
        })?;
        self.at += n;
        Ok(bytes.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b)))
    }
}

/// An in-place edit: write `value` in `size` bytes at `at` (relative to
/// the `meta` body).
struct Patch {
    at: usize,
    size: usize,
    value: u64,
}

/// The child box `kind` inside a `meta` body: where its body starts and
/// ends.
pub(crate) fn find_child(meta: &[u8], kind: &[u8; 4]) -> Option<(usize, usize)> {
    let mut at = 4; // `meta` is a full box: version and flags first.
    while at + 8 <= meta.len() {
        let size = u32::from_be_bytes(meta.get(at..at + 4)?.try_into().ok()?) as usize;
        let this = meta.get(at + 4..at + 8)?;
        let (body, end) = match size {
            0 => (at + 8, meta.len()),
            1 => {
                let large = u64::from_be_bytes(meta.get(at + 8..at + 16)?.try_into().ok()?);
                (at + 16, at.checked_add(usize::try_from(large).ok()?)?)
            }
            n => (at + 8, at.checked_add(n)?),
        };
        if end > meta.len() || end < body {
            return None;
        }
        if this == kind {
            return Some((body, end));
        }
        at = end;
    }
    None
}

/// One item's location, as `iloc` gives it.
pub(crate) struct Location {
    pub(crate) id: u32,
    /// 0: file offsets; 1: `idat`; 2: another item.
    pub(crate) method: u64,
    pub(crate) data_ref: u64,
    pub(crate) base: u64,
    /// Where the base offset field is in the `meta` body, and its size.
    base_field: (usize, usize),
    /// Each extent: where its offset field is, the offset, the length.
    pub(crate) extents: Vec<(usize, u64, u64)>,
    offset_size: usize,
}

/// Every item location in the `iloc` box at `iloc` of a `meta` body.
pub(crate) fn locations(meta: &[u8], iloc: (usize, usize)) -> Result<Vec<Location>, MetaError> {
    let mut f = Fields {
        b: meta.get(..iloc.1).unwrap_or_default(),
        at: iloc.0,
    };
    let version = f.take(1)?;
    f.take(3)?;
    let sizes = f.take(1)?;
    let (offset_size, length_size) = ((sizes >> 4) as usize, (sizes & 0xF) as usize);
    let sizes = f.take(1)?;
    let base_size = (sizes >> 4) as usize;
    let index_size = if version >= 1 {
        (sizes & 0xF) as usize
    } else {
        0
    };
    let count = f.take(if version < 2 { 2 } else { 4 })?;
    if version > 2 {
        return Err(MetaError::Unsupported {
            container: Container::Bmff,
            what: "an iloc box version above 2",
        });
    }
    if count > u64::from(MAX_ITEMS) {
        return Err(MetaError::TooMany {
            what: "items in the iloc box",
            count,
            limit: MAX_ITEMS.into(),
        });
    }
    // ISO/IEC 14496-12 allows 0, 4 and 8 bytes for every field size.
    if [offset_size, length_size, base_size, index_size]
        .iter()
        .any(|s| ![0, 4, 8].contains(s))
    {
        return Err(MetaError::invalid(
            Container::Bmff,
            "an iloc field size other than 0, 4 or 8 bytes",
        ));
    }
    let mut out = Vec::new();
    for _ in 0..count {
        let id = f.take(if version < 2 { 2 } else { 4 })? as u32;
        let method = if version >= 1 { f.take(2)? & 0xF } else { 0 };
        let data_ref = f.take(2)?;
        let base_field = (f.at, base_size);
        let base = f.take(base_size)?;
        let count = f.take(2)?;
        let mut extents = Vec::new();
        for _ in 0..count {
            f.take(index_size)?;
            let at = f.at;
            let offset = f.take(offset_size)?;
            extents.push((at, offset, f.take(length_size)?));
        }
        out.push(Location {
            id,
            method,
            data_ref,
            base,
            base_field,
            extents,
            offset_size,
        });
    }
    Ok(out)
}

/// The edits that turn absolute extent offsets into base + relative ones.
fn patches(meta: &[u8], iloc: (usize, usize)) -> Result<Vec<Patch>, MetaError> {
    let mut out = Vec::new();
    for l in locations(meta, iloc)? {
        let movable = l.method == 0 && l.data_ref == 0 && l.base == 0 && l.base_field.1 > 0;
        let Some(new_base) = l.extents.iter().map(|(_, o, _)| *o).min() else {
            continue;
        };
        if movable && l.offset_size > 0 && new_base > 0 {
            out.push(Patch {
                at: l.base_field.0,
                size: l.base_field.1,
                value: new_base,
            });
            out.extend(l.extents.into_iter().map(|(at, o, _)| Patch {
                at,
                size: l.offset_size,
                value: o - new_base,
            }));
        }
    }
    Ok(out)
}

/// Copies `src` to `out` with its item locations rewritten as a base
/// offset plus relative extents wherever c2pa would shift them twice.
/// Returns false, writing nothing, when no location needs it.
pub fn rebase_item_locations<R: Read + Seek, W: Write + Seek>(
    src: &mut R,
    out: &mut W,
) -> Result<bool, MetaError> {
    let boxes = top_level(src)?;
    let Some(meta) = boxes.iter().find(|b| &b.kind == b"meta") else {
        return Ok(false);
    };
    // `meta` holds item properties and locations, not media: small.
    if meta.end - meta.body > 64 << 20 {
        return Err(MetaError::too_large(
            "the meta box",
            meta.end - meta.body,
            64 << 20,
        ));
    }
    let body_bytes = body(src, meta)?;
    let Some(iloc) = find_child(&body_bytes, b"iloc") else {
        return Ok(false);
    };
    let patches = patches(&body_bytes, iloc)?;
    if patches.is_empty() {
        return Ok(false);
    }
    src.seek(SeekFrom::Start(0))?;
    std::io::copy(src, out)?;
    for p in patches {
        out.seek(SeekFrom::Start(meta.body + p.at as u64))?;
        let bytes = p.value.to_be_bytes();
        out.write_all(&bytes[8 - p.size..])?;
    }
    out.seek(SeekFrom::Start(0))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A HEIF-like file: ftyp, meta with an iloc (version 0, 4-byte
    /// offsets, lengths and bases) holding one item at absolute offset
    /// `at` with base 0, as exiftool writes EXIF items.
    fn file(base: u32, extent: u32) -> Vec<u8> {
        let mut iloc = vec![0, 0, 0, 0, 0x44, 0x40, 0, 1, 0, 7, 0, 0];
        iloc.extend(base.to_be_bytes());
        iloc.extend([0, 1]);
        iloc.extend(extent.to_be_bytes());
        iloc.extend(10u32.to_be_bytes());
        let mut meta = vec![0, 0, 0, 0];
        meta.extend(((iloc.len() + 8) as u32).to_be_bytes());
        meta.extend(b"iloc");
        meta.extend(iloc);
        let mut f = Vec::new();
        f.extend(16u32.to_be_bytes());
        f.extend(b"ftypheic");
        f.extend([0, 0, 0, 0]);
        f.extend(((meta.len() + 8) as u32).to_be_bytes());
        f.extend(b"meta");
        f.extend(meta);
        f.extend(18u32.to_be_bytes());
        f.extend(b"mdat0123456789");
        f
    }

    #[test]
    fn an_absolute_extent_becomes_base_plus_zero() {
        let input = file(0, 80);
        let mut out = std::io::Cursor::new(Vec::new());
        let changed = rebase_item_locations(&mut std::io::Cursor::new(&input), &mut out).unwrap();
        assert!(changed);
        assert_eq!(out.into_inner(), file(80, 0));
    }

    #[test]
    fn a_based_location_is_left_alone() {
        let input = file(80, 0);
        let mut out = std::io::Cursor::new(Vec::new());
        let changed = rebase_item_locations(&mut std::io::Cursor::new(&input), &mut out).unwrap();
        assert!(!changed);
        assert!(out.into_inner().is_empty());
    }
}
