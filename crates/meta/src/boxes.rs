//! ISO BMFF (MP4, M4A, AVIF, HEIC) and JPEG XL containers: XMP in a box.
//!
//! BMFF gets a top-level `uuid` box with the XMP UUID (XMP part 3, 1.2.7),
//! written where the old one was when it fits, else appended at the end:
//! nothing else moves, so every absolute offset (`stco`, `iloc`) stays
//! valid. JPEG XL gets an `xml ` box (ISO 18181-2);
//! a bare codestream is first put in the container format, which is what
//! every JPEG XL reader accepts and what can carry metadata at all.

use std::io::{Read, Seek, SeekFrom, Write};

use crate::{xmp, Container, Found, MetaError, Role};

/// `BE7ACFCB-97A9-42E8-9C71-999491E3AFAC`, the XMP box UUID.
pub(crate) const XMP_UUID: [u8; 16] = [
    0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC,
];
pub(crate) const JXL_SIGNATURE: [u8; 12] = [
    0, 0, 0, 0x0C, b'J', b'X', b'L', b' ', 0x0D, 0x0A, 0x87, 0x0A,
];
pub(crate) const JXL_CODESTREAM: [u8; 2] = [0xFF, 0x0A];

/// A top-level box: type, where its header and body start, where it ends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BoxAt {
    pub(crate) kind: [u8; 4],
    pub(crate) start: u64,
    pub(crate) body: u64,
    pub(crate) end: u64,
    /// Whether its size field is 0: "to the end of the file".
    pub(crate) to_end: bool,
}

pub(crate) fn top_level<R: Read + Seek>(src: &mut R) -> Result<Vec<BoxAt>, MetaError> {
    let len = src.seek(SeekFrom::End(0))?;
    within(src, 0, len)
}

/// The boxes from `start` to `len` (a file's top level, or a box's body).
pub(crate) fn within<R: Read + Seek>(
    src: &mut R,
    start: u64,
    len: u64,
) -> Result<Vec<BoxAt>, MetaError> {
    let mut out = Vec::new();
    let mut at = start;
    while at + 8 <= len {
        src.seek(SeekFrom::Start(at))?;
        let mut h = [0u8; 8];
        src.read_exact(&mut h)?;
        let kind = [h[4], h[5], h[6], h[7]];
        let size_field = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        let (size, header) = match size_field {
            0 => (len - at, 8),
            1 => {
                let mut large = [0u8; 8];
                src.read_exact(&mut large)?;
                (u64::from_be_bytes(large), 16)
            }
            n => (u64::from(n), 8),
        };
        // A 64-bit size can be anything: `at + size` must not wrap, or the
        // walk would go on from a bogus offset.
        // JPEG XL's container is made of the same boxes: its errors say
        // ISO BMFF too, the structure that is broken.
        let name = || format!("box {:?}", String::from_utf8_lossy(&kind));
        if size < header {
            return Err(MetaError::invalid(
                Container::Bmff,
                format!("{} at {at} is smaller than its header", name()),
            ));
        }
        if at.checked_add(size).is_none_or(|end| end > len) {
            return Err(MetaError::truncated(Container::Bmff, name(), at));
        }
        out.push(BoxAt {
            kind,
            start: at,
            body: at + header,
            end: at + size,
            to_end: size_field == 0,
        });
        at += size;
    }
    Ok(out)
}

pub(crate) fn body<R: Read + Seek>(src: &mut R, b: &BoxAt) -> std::io::Result<Vec<u8>> {
    src.seek(SeekFrom::Start(b.body))?;
    let mut out = Vec::new();
    src.take(b.end - b.body).read_to_end(&mut out)?;
    Ok(out)
}

fn is_xmp_uuid<R: Read + Seek>(src: &mut R, b: &BoxAt) -> bool {
    if &b.kind != b"uuid" || b.end - b.body < 16 {
        return false;
    }
    let mut id = [0u8; 16];
    src.seek(SeekFrom::Start(b.body)).is_ok() && src.read_exact(&mut id).is_ok() && id == XMP_UUID
}

pub(crate) fn put_box<W: Write>(
    out: &mut W,
    kind: &[u8; 4],
    parts: &[&[u8]],
) -> Result<(), MetaError> {
    let len: usize = 8 + parts.iter().map(|p| p.len()).sum::<usize>();
    let size = u32::try_from(len)
        .map_err(|_| MetaError::too_large("the XMP box", len as u64, u32::MAX.into()))?;
    out.write_all(&size.to_be_bytes())?;
    out.write_all(kind)?;
    for p in parts {
        out.write_all(p)?;
    }
    Ok(())
}

/// Copies every top-level box but the ones `drop` marks, then appends an
/// XMP box built from the first dropped one's packet.
fn rewrite<R: Read + Seek, W: Write>(
    src: &mut R,
    out: &mut W,
    boxes: &[BoxAt],
    drop: &[bool],
    old_packet: Option<Vec<u8>>,
    props: &[xmp::Prop],
    new_box: impl Fn(&mut W, &[u8]) -> Result<(), MetaError>,
) -> Result<(), MetaError> {
    for (b, _) in boxes.iter().zip(drop).filter(|(_, d)| !**d) {
        copy_box(src, out, b, true)?;
    }
    let packet = match old_packet {
        Some(old) => xmp::merge(&String::from_utf8_lossy(&old), props)?,
        None => xmp::packet(props),
    };
    new_box(out, packet.as_bytes())
}

/// Writes the XMP into an ISO BMFF file without moving a byte of media:
/// `stco`/`co64` chunk offsets and `iloc` item locations are absolute, and
/// an XMP box other tools put before `mdat` (exiftool, Adobe) cannot be
/// taken out without breaking them. So the merged packet replaces the old
/// one in place when it fits (padded with spaces, as XMP's own padding);
/// otherwise the old box becomes a `free` box of the same size, zeroed,
/// and the new one is appended at the end.
pub(crate) fn write_bmff<R: Read + Seek, W: Write + Seek>(
    src: &mut R,
    out: &mut W,
    props: &[xmp::Prop],
) -> Result<(), MetaError> {
    if props.is_empty() {
        src.seek(SeekFrom::Start(0))?;
        std::io::copy(src, out)?;
        return Ok(());
    }
    let boxes = top_level(src)?;
    let xmp_boxes: Vec<bool> = boxes.iter().map(|b| is_xmp_uuid(src, b)).collect();
    let first = boxes
        .iter()
        .zip(&xmp_boxes)
        .find(|(_, x)| **x)
        .map(|(b, _)| *b);
    let packet = match first {
        Some(b) => {
            let old = String::from_utf8_lossy(&body(src, &b)?.split_off(16)).into_owned();
            xmp::without_padding(&xmp::merge(&old, props)?)
        }
        None => xmp::packet(props),
    };
    let fits = first.filter(|b| packet.len() as u64 <= b.end - b.body - 16);
    for (b, is_xmp) in boxes.iter().zip(&xmp_boxes) {
        if !is_xmp {
            copy_box(
                src,
                out,
                b,
                fits.is_none() && b.end == boxes[boxes.len() - 1].end,
            )?;
            continue;
        }
        // The box's own header (size, type), kept as it was.
        let header = (b.body - b.start) as usize;
        src.seek(SeekFrom::Start(b.start))?;
        let mut head = vec![0u8; header];
        src.read_exact(&mut head)?;
        let body_len = b.end - b.body;
        if fits.is_some_and(|f| f.start == b.start) {
            out.write_all(&head)?;
            out.write_all(&XMP_UUID)?;
            out.write_all(packet.as_bytes())?;
            write_filler(out, body_len - 16 - packet.len() as u64, b' ')?;
        } else {
            head[4..8].copy_from_slice(b"free");
            out.write_all(&head)?;
            write_filler(out, body_len, 0)?;
        }
    }
    if fits.is_none() {
        put_box(out, b"uuid", &[&XMP_UUID, packet.as_bytes()])?;
    }
    Ok(())
}

/// Copies one box; `last_before_append` gives a box "to the end of the
/// file" its real size, since another is appended after it.
fn copy_box<R: Read + Seek, W: Write>(
    src: &mut R,
    out: &mut W,
    b: &BoxAt,
    last_before_append: bool,
) -> Result<(), MetaError> {
    let mut from = b.start;
    if b.to_end && last_before_append {
        // In the same 4 bytes, so that no offset after it moves.
        let size = u32::try_from(b.end - b.start).map_err(|_| {
            MetaError::too_large(
                format!(
                    "box {:?} at {}, running to the end of the file (no box can be \
                     appended after it unless its size fits 4 bytes),",
                    String::from_utf8_lossy(&b.kind),
                    b.start
                ),
                b.end - b.start,
                u32::MAX.into(),
            )
        })?;
        out.write_all(&size.to_be_bytes())?;
        from += 4;
    }
    src.seek(SeekFrom::Start(from))?;
    std::io::copy(&mut (&mut *src).take(b.end - from), out)?;
    Ok(())
}

fn write_filler<W: Write>(out: &mut W, mut n: u64, byte: u8) -> Result<(), MetaError> {
    let block = [byte; 8192];
    while n > 0 {
        let k = n.min(block.len() as u64) as usize;
        out.write_all(&block[..k])?;
        n -= k as u64;
    }
    Ok(())
}

pub(crate) fn read_bmff<R: Read + Seek>(src: &mut R, found: &mut Found) {
    let Ok(boxes) = top_level(src) else { return };
    for b in &boxes {
        if is_xmp_uuid(src, b) && b.end - b.body < 16 << 20 {
            if let Ok(mut data) = body(src, b) {
                found.add_xmp(&String::from_utf8_lossy(&data.split_off(16)));
            }
        }
    }
}

pub(crate) fn write_jxl(input: &[u8], props: &[xmp::Prop]) -> Result<Vec<u8>, MetaError> {
    if props.is_empty() {
        return Ok(input.to_vec());
    }
    let mut out = Vec::with_capacity(input.len() + 1024);
    if input.starts_with(&JXL_CODESTREAM) {
        out.extend_from_slice(&JXL_SIGNATURE);
        put_box(&mut out, b"ftyp", &[b"jxl ", &[0, 0, 0, 0], b"jxl "])?;
        put_box(&mut out, b"jxlc", &[input])?;
        put_box(&mut out, b"xml ", &[xmp::packet(props).as_bytes()])?;
        return Ok(out);
    }
    if !input.starts_with(&JXL_SIGNATURE) {
        return Err(MetaError::NotContainer {
            container: Container::Jxl,
            role: Role::Input,
        });
    }
    let mut src = std::io::Cursor::new(input);
    let boxes = top_level(&mut src)?;
    let drop: Vec<bool> = boxes.iter().map(|b| &b.kind == b"xml ").collect();
    let old = match boxes.iter().find(|b| &b.kind == b"xml ") {
        Some(b) => Some(body(&mut src, b)?),
        None => None,
    };
    rewrite(
        &mut src,
        &mut out,
        &boxes,
        &drop,
        old,
        props,
        |out, packet| put_box(out, b"xml ", &[packet]),
    )?;
    Ok(out)
}

/// Reads the `xml ` boxes of a JPEG XL file, seeking from box header to box
/// header; the codestream is never read. A bare codestream has no boxes.
pub(crate) fn read_jxl<R: Read + Seek>(src: &mut R, found: &mut Found) {
    let mut signature = [0u8; JXL_SIGNATURE.len()];
    if src.seek(SeekFrom::Start(0)).is_err()
        || src.read_exact(&mut signature).is_err()
        || signature != JXL_SIGNATURE
    {
        return;
    }
    let Ok(boxes) = top_level(src) else {
        return;
    };
    for b in boxes.iter().filter(|b| &b.kind == b"xml ") {
        if let Ok(data) = body(src, b) {
            found.add_xmp(&String::from_utf8_lossy(&data));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{agree, for_each_variant};

    /// The reader this replaced, over the whole file in memory.
    fn in_memory(input: &[u8]) -> Found {
        let mut found = Found::default();
        if !input.starts_with(&JXL_SIGNATURE) {
            return found;
        }
        let mut src = std::io::Cursor::new(input);
        let Ok(boxes) = top_level(&mut src) else {
            return found;
        };
        for b in boxes.iter().filter(|b| &b.kind == b"xml ") {
            if let Ok(data) = body(&mut src, b) {
                found.add_xmp(&String::from_utf8_lossy(&data));
            }
        }
        found
    }

    #[test]
    fn streaming_finds_what_the_whole_file_gives() {
        for_each_variant("sample.jxl", crate::Container::Jxl, |input| {
            agree(input, in_memory(input), |src, found| read_jxl(src, found));
        });
    }

    fn bx(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let mut b = ((8 + body.len()) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    /// An MP4 as exiftool leaves it: its XMP box before `mdat`.
    fn with_xmp_before_mdat(packet: &str) -> Vec<u8> {
        let mut f = bx(b"ftyp", b"isom\0\0\0\0isom");
        f.extend(bx(b"moov", &[0; 40]));
        f.extend(bx(b"uuid", &[&XMP_UUID[..], packet.as_bytes()].concat()));
        f.extend(bx(b"mdat", &[0x5a; 300]));
        f
    }

    fn written(input: &[u8]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let labels = crate::testing::labels();
        write_bmff(
            &mut std::io::Cursor::new(input),
            &mut out,
            &labels.xmp_props(crate::Container::Bmff),
        )
        .unwrap();
        out.into_inner()
    }

    /// Where `mdat`'s body is: what every chunk offset points into.
    fn mdat_at(f: &[u8]) -> usize {
        f.windows(4).position(|w| w == b"mdat").unwrap() + 4
    }

    #[test]
    fn an_xmp_box_before_the_media_is_never_moved() {
        let small = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="video/mp4"/></rdf:RDF></x:xmpmeta>"#;
        // Too small for the merged packet: it becomes `free`, a new box
        // goes at the end.
        let f = with_xmp_before_mdat(small);
        let out = written(&f);
        assert_eq!(mdat_at(&out), mdat_at(&f));
        assert!(out[mdat_at(&f)..mdat_at(&f) + 300] == [0x5a; 300]);
        let found = crate::read(crate::Container::Bmff, &out);
        assert_eq!(found.iptc.digital_source_types.len(), 1, "{found:?}");
        assert!(String::from_utf8_lossy(&out).contains("dc:format"));
        // With room (a padded packet): written in place, nothing appended.
        let padded = format!("{small}{}", " ".repeat(4000));
        let f = with_xmp_before_mdat(&padded);
        let out = written(&f);
        assert_eq!(out.len(), f.len());
        assert_eq!(mdat_at(&out), mdat_at(&f));
        let found = crate::read(crate::Container::Bmff, &out);
        assert_eq!(found.iptc.digital_source_types.len(), 1, "{found:?}");
        // Written again: still one copy.
        let again = written(&written(&with_xmp_before_mdat(small)));
        let found = crate::read(crate::Container::Bmff, &again);
        assert_eq!(found.iptc.digital_source_types.len(), 1, "{found:?}");
    }
}
