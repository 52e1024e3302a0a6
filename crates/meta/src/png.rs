//! PNG: XMP in an uncompressed iTXt chunk `XML:com.adobe.xmp`, the AIGC
//! label in a tEXt chunk `AIGC`, both before the image data.

use img_parts::{png::Png, png::PngChunk, Bytes};

use std::io::{Read, Seek};

use crate::{stream::Walk, xmp, AigcPlace, Container, Found, MetaError};

const XMP_KEYWORD: &[u8] = b"XML:com.adobe.xmp";

/// An iTXt chunk's text: keyword\0, compression flag, method, language\0,
/// translated keyword\0, text. Only uncompressed text is read. (The chunk
/// type is not checked: any chunk laid out so is taken, as it always was.)
fn itxt(c: &[u8], keyword: &[u8]) -> Option<String> {
    let rest = c.strip_prefix(keyword)?.strip_prefix(b"\0")?;
    let (&compressed, rest) = rest.split_first()?;
    if compressed != 0 {
        return None;
    }
    let rest = rest.get(1..)?;
    let lang_end = rest.iter().position(|&b| b == 0)?;
    let rest = rest.get(lang_end + 1..)?;
    let tk_end = rest.iter().position(|&b| b == 0)?;
    Some(String::from_utf8_lossy(rest.get(tk_end + 1..)?).into_owned())
}

fn text(kind: [u8; 4], c: &[u8], keyword: &[u8]) -> Option<String> {
    match &kind {
        b"tEXt" => {
            let rest = c.strip_prefix(keyword)?.strip_prefix(b"\0")?;
            // tEXt is Latin-1; AIGC values are ASCII.
            Some(rest.iter().map(|&b| char::from(b)).collect())
        }
        b"iTXt" => itxt(c, keyword),
        _ => None,
    }
}

/// A chunk's XMP packet, when it is the uncompressed iTXt that holds one.
pub(crate) fn xmp_packet(chunk: &PngChunk) -> Option<String> {
    (&chunk.kind() == b"iTXt")
        .then(|| itxt(chunk.contents(), XMP_KEYWORD))
        .flatten()
}

/// The iTXt chunk holding `packet`, uncompressed.
pub(crate) fn xmp_chunk(packet: &str) -> PngChunk {
    let mut body = XMP_KEYWORD.to_vec();
    body.extend_from_slice(b"\0\0\0\0\0");
    body.extend_from_slice(packet.as_bytes());
    PngChunk::new(*b"iTXt", Bytes::from(body))
}

fn is_keyword(chunk: &PngChunk, keyword: &[u8]) -> bool {
    text(chunk.kind(), chunk.contents(), keyword).is_some()
}

pub(crate) fn write(
    input: &[u8],
    props: &[xmp::Prop],
    aigc: Option<&str>,
) -> Result<Vec<u8>, MetaError> {
    let mut png = Png::from_bytes(Bytes::copy_from_slice(input))
        .map_err(|e| MetaError::parse(Container::Png, e))?;
    let chunks = png.chunks_mut();
    let old_xmp = chunks.iter().find_map(|c| itxt(c.contents(), XMP_KEYWORD));
    let mut new = Vec::new();
    if !props.is_empty() {
        let packet = match old_xmp {
            Some(old) => xmp::merge(&old, props)?,
            None => xmp::packet(props),
        };
        chunks.retain(|c| !is_keyword(c, XMP_KEYWORD));
        new.push(xmp_chunk(&packet));
    }
    if let Some(aigc) = aigc {
        chunks.retain(|c| !is_keyword(c, b"AIGC"));
        let mut body = b"AIGC\0".to_vec();
        body.extend_from_slice(aigc.as_bytes());
        new.push(PngChunk::new(*b"tEXt", Bytes::from(body)));
    }
    // Before the first IDAT, where readers that stop at the image data see them.
    let at = chunks
        .iter()
        .position(|c| &c.kind() == b"IDAT")
        .ok_or(MetaError::Missing {
            container: Container::Png,
            what: "IDAT chunk",
        })?;
    chunks.splice(at..at, new);
    let mut out = Vec::with_capacity(input.len() + 1024);
    png.encoder().write_to(&mut out).map_err(MetaError::Io)?;
    Ok(out)
}

/// Reads the XMP and AIGC text chunks. Everything else is streamed
/// through a CRC check and dropped: img-parts' `Png::from_bytes` (which the
/// writer uses) refuses a PNG with any bad chunk CRC, truncated chunk or bad
/// signature, so a damaged file gives no metadata, and so it must here.
pub(crate) fn read<R: Read + Seek>(src: &mut R, found: &mut Found) {
    for (kind, contents) in text_chunks(src).unwrap_or_default() {
        if let Some(packet) = itxt(&contents, XMP_KEYWORD) {
            found.add_xmp(&packet);
        } else if let Some(value) = text(kind, &contents, b"AIGC") {
            found.add_aigc(AigcPlace::PngText, value);
        }
    }
}

/// The chunks [`read`] may take something from, in file order: text chunks
/// and any chunk starting with the XMP keyword; None when img-parts would
/// refuse the file.
fn text_chunks<R: Read + Seek>(src: &mut R) -> Option<Vec<([u8; 4], Vec<u8>)>> {
    const SIGNATURE: [u8; 8] = *b"\x89PNG\r\n\x1a\n";
    // Large reads: every byte passes through the CRC.
    let mut w = Walk::new(src, 64 * 1024)?;
    if w.array::<8>()? != SIGNATURE {
        return None;
    }
    let mut out = Vec::new();
    while w.left() > 0 {
        let size = u64::from(u32::from_be_bytes(w.array()?));
        let kind: [u8; 4] = w.array()?;
        if size > w.left() {
            return None;
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(&kind);
        // Enough of the start to know whether `read` could want it.
        let mut head = w.take(size.min(XMP_KEYWORD.len() as u64 + 1))?;
        crc.update(&head);
        let rest = size - head.len() as u64;
        let wanted = matches!(&kind, b"tEXt" | b"iTXt")
            || (head.strip_prefix(XMP_KEYWORD) == Some(b"\0".as_slice()));
        if wanted {
            let tail = w.take(rest)?;
            crc.update(&tail);
            head.extend_from_slice(&tail);
        } else {
            w.stream(rest, |b| crc.update(b))?;
        }
        if w.array::<4>()? != crc.finalize().to_be_bytes() {
            return None;
        }
        if wanted {
            out.push((kind, head));
        }
        // Anything after IEND is ignored, as img-parts (and most readers) do.
        if &kind == b"IEND" {
            break;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{agree, for_each_variant};

    /// The reader this replaced: img-parts over the whole file in memory.
    fn with_img_parts(input: &[u8]) -> Found {
        let mut found = Found::default();
        let Ok(png) = Png::from_bytes(Bytes::copy_from_slice(input)) else {
            return found;
        };
        for chunk in png.chunks() {
            if let Some(packet) = itxt(chunk.contents(), XMP_KEYWORD) {
                found.add_xmp(&packet);
            } else if let Some(value) = text(chunk.kind(), chunk.contents(), b"AIGC") {
                found.add_aigc(AigcPlace::PngText, value);
            }
        }
        found
    }

    #[test]
    fn streaming_finds_what_img_parts_finds() {
        for_each_variant("sample.png", crate::Container::Png, |input| {
            agree(input, with_img_parts(input), |src, found| read(src, found));
        });
    }
}
