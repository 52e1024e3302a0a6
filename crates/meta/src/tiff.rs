//! TIFF: XMP in tag 700 of the first IFD (XMP part 3, 1.1.6).
//!
//! The file is not rewritten: the packet and a copy of IFD0 with tag 700
//! set are appended, and the header is pointed at the new IFD. Every other
//! offset in the file stays valid because nothing moves. Classic TIFF only;
//! BigTIFF gets a clear error.

use crate::{xmp, Container, Found, MetaError, Role};

const TAG_XMP: u16 = 700;
/// TIFF type 1, BYTE: what XMP part 3 prescribes for tag 700.
const TYPE_BYTE: u16 = 1;

#[derive(Clone, Copy)]
pub(crate) struct Order(pub(crate) bool); // true = little-endian

impl Order {
    pub(crate) fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let x: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if self.0 {
            u16::from_le_bytes(x)
        } else {
            u16::from_be_bytes(x)
        })
    }
    pub(crate) fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let x: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.0 {
            u32::from_le_bytes(x)
        } else {
            u32::from_be_bytes(x)
        })
    }
    pub(crate) fn put16(self, v: u16) -> [u8; 2] {
        if self.0 {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }
    pub(crate) fn put32(self, v: u32) -> [u8; 4] {
        if self.0 {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }
}

pub(crate) struct Ifd0 {
    pub(crate) order: Order,
    /// The raw 12-byte entries.
    pub(crate) entries: Vec<[u8; 12]>,
    pub(crate) next: u32,
}

fn cut(what: &'static str, at: usize) -> MetaError {
    MetaError::truncated(Container::Tiff, what, at as u64)
}

fn over_4_gib(what: &'static str, size: usize) -> MetaError {
    MetaError::too_large(what, size as u64, u32::MAX.into())
}

pub(crate) fn ifd0(b: &[u8]) -> Result<Ifd0, MetaError> {
    let order = match b.get(..2) {
        Some(b"II") => Order(true),
        Some(b"MM") => Order(false),
        _ => {
            return Err(MetaError::NotContainer {
                container: Container::Tiff,
                role: Role::Input,
            })
        }
    };
    match order.u16(b, 2) {
        Some(42) => {}
        Some(43) => {
            return Err(MetaError::Unsupported {
                container: Container::Tiff,
                what: "XMP in BigTIFF files",
            })
        }
        _ => return Err(MetaError::invalid(Container::Tiff, "bad magic number")),
    }
    let at = order.u32(b, 4).ok_or_else(|| cut("header", 0))? as usize;
    let count = usize::from(order.u16(b, at).ok_or_else(|| cut("IFD0", at))?);
    let mut entries = Vec::with_capacity(count + 1);
    for i in 0..count {
        let e = at + 2 + 12 * i;
        let raw = b.get(e..e + 12).ok_or_else(|| cut("IFD0 entry", e))?;
        entries.push(raw.try_into().map_err(|_| cut("IFD0 entry", e))?);
    }
    let next = order
        .u32(b, at + 2 + 12 * count)
        .ok_or_else(|| cut("IFD0", at))?;
    Ok(Ifd0 {
        order,
        entries,
        next,
    })
}

pub(crate) fn tag(order: Order, e: &[u8; 12]) -> u16 {
    order.u16(e, 0).unwrap_or(0)
}

/// The bytes of tag 700, if IFD0 has it.
fn xmp_value<'a>(b: &'a [u8], ifd: &'a Ifd0) -> Option<&'a [u8]> {
    let e = ifd.entries.iter().find(|e| tag(ifd.order, e) == TAG_XMP)?;
    let count = ifd.order.u32(e, 4)? as usize;
    if count <= 4 {
        return e.get(8..8 + count);
    }
    let off = ifd.order.u32(e, 8)? as usize;
    b.get(off..off.checked_add(count)?)
}

pub(crate) fn write(input: &[u8], props: &[xmp::Prop]) -> Result<Vec<u8>, MetaError> {
    if props.is_empty() {
        return Ok(input.to_vec());
    }
    let mut ifd = ifd0(input)?;
    let o = ifd.order;
    let packet = match xmp_value(input, &ifd) {
        Some(old) => xmp::merge(&String::from_utf8_lossy(old), props)?,
        None => xmp::packet(props),
    };
    let mut out = input.to_vec();
    if out.len() % 2 == 1 {
        out.push(0); // TIFF offsets are word-aligned
    }
    let packet_at = u32::try_from(out.len()).map_err(|_| over_4_gib("the TIFF", out.len()))?;
    let packet_len =
        u32::try_from(packet.len()).map_err(|_| over_4_gib("the XMP packet", packet.len()))?;
    out.extend_from_slice(packet.as_bytes());
    if out.len() % 2 == 1 {
        out.push(0);
    }
    let mut entry = [0u8; 12];
    entry[0..2].copy_from_slice(&o.put16(TAG_XMP));
    entry[2..4].copy_from_slice(&o.put16(TYPE_BYTE));
    entry[4..8].copy_from_slice(&o.put32(packet_len));
    entry[8..12].copy_from_slice(&o.put32(packet_at));
    ifd.entries.retain(|e| tag(o, e) != TAG_XMP);
    ifd.entries.push(entry);
    // Entries must be sorted by tag.
    ifd.entries.sort_by_key(|e| tag(o, e));
    let ifd_at = u32::try_from(out.len()).map_err(|_| over_4_gib("the TIFF", out.len()))?;
    let count = u16::try_from(ifd.entries.len()).map_err(|_| MetaError::TooMany {
        what: "IFD0 entries",
        count: ifd.entries.len() as u64,
        limit: u16::MAX.into(),
    })?;
    out.extend_from_slice(&o.put16(count));
    for e in &ifd.entries {
        out.extend_from_slice(e);
    }
    out.extend_from_slice(&o.put32(ifd.next));
    out[4..8].copy_from_slice(&o.put32(ifd_at));
    Ok(out)
}

/// Tag 700's packet, as text.
pub(crate) fn xmp_packet(input: &[u8]) -> Option<String> {
    let ifd = ifd0(input).ok()?;
    xmp_value(input, &ifd).map(|p| String::from_utf8_lossy(p).into_owned())
}

/// Replaces tag 700's packet in place with what `edit` gives, padded with
/// spaces to the same length (whitespace after the packet's XML is
/// allowed); the count `edit` reports, or 0 when the new packet is longer.
pub(crate) fn edit_xmp_in_place(
    b: &mut [u8],
    edit: &dyn Fn(&str) -> Option<(String, usize)>,
) -> usize {
    let Ok(ifd) = ifd0(b) else {
        return 0;
    };
    let Some(e) = ifd.entries.iter().find(|e| tag(ifd.order, e) == TAG_XMP) else {
        return 0;
    };
    let (Some(count), Some(off)) = (ifd.order.u32(e, 4), ifd.order.u32(e, 8)) else {
        return 0;
    };
    let (count, off) = (count as usize, off as usize);
    if count <= 4 || off.saturating_add(count) > b.len() {
        return 0;
    }
    let old = String::from_utf8_lossy(&b[off..off + count]).into_owned();
    match edit(&old) {
        Some((new, n)) if new.len() <= count => {
            b[off..off + new.len()].copy_from_slice(new.as_bytes());
            b[off + new.len()..off + count].fill(b' ');
            n
        }
        _ => 0,
    }
}

pub(crate) fn read(input: &[u8], found: &mut Found) {
    if let Ok(ifd) = ifd0(input) {
        if let Some(packet) = xmp_value(input, &ifd) {
            found.add_xmp(&String::from_utf8_lossy(packet));
        }
    }
}
