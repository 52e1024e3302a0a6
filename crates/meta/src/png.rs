//! PNG: XMP in an uncompressed iTXt chunk `XML:com.adobe.xmp`, the AIGC
//! label in a tEXt chunk `AIGC`, both before the image data.

use img_parts::{png::Png, png::PngChunk, Bytes};

use crate::{xmp, AigcPlace, Found, MetaError};

const XMP_KEYWORD: &[u8] = b"XML:com.adobe.xmp";

/// An iTXt chunk's text: keyword\0, compression flag, method, language\0,
/// translated keyword\0, text. Only uncompressed text is read.
fn itxt(chunk: &PngChunk, keyword: &[u8]) -> Option<String> {
    let c = chunk.contents();
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

fn text(chunk: &PngChunk, keyword: &[u8]) -> Option<String> {
    match &chunk.kind() {
        b"tEXt" => {
            let rest = chunk
                .contents()
                .strip_prefix(keyword)?
                .strip_prefix(b"\0")?;
            // tEXt is Latin-1; AIGC values are ASCII.
            Some(rest.iter().map(|&b| char::from(b)).collect())
        }
        b"iTXt" => itxt(chunk, keyword),
        _ => None,
    }
}

fn is_keyword(chunk: &PngChunk, keyword: &[u8]) -> bool {
    text(chunk, keyword).is_some()
}

pub(crate) fn write(
    input: &[u8],
    props: &[xmp::Prop],
    aigc: Option<&str>,
) -> Result<Vec<u8>, MetaError> {
    let mut png = Png::from_bytes(Bytes::copy_from_slice(input))
        .map_err(|e| MetaError::container(format!("PNG structure: {e}")))?;
    let chunks = png.chunks_mut();
    let old_xmp = chunks.iter().find_map(|c| itxt(c, XMP_KEYWORD));
    let mut new = Vec::new();
    if !props.is_empty() {
        let packet = match old_xmp {
            Some(old) => xmp::merge(&old, props).map_err(MetaError::Xmp)?,
            None => xmp::packet(props),
        };
        chunks.retain(|c| !is_keyword(c, XMP_KEYWORD));
        let mut body = XMP_KEYWORD.to_vec();
        body.extend_from_slice(b"\0\0\0\0\0");
        body.extend_from_slice(packet.as_bytes());
        new.push(PngChunk::new(*b"iTXt", Bytes::from(body)));
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
        .ok_or_else(|| MetaError::container("the PNG has no IDAT chunk"))?;
    chunks.splice(at..at, new);
    let mut out = Vec::with_capacity(input.len() + 1024);
    png.encoder().write_to(&mut out).map_err(MetaError::Io)?;
    Ok(out)
}

pub(crate) fn read(input: &[u8], found: &mut Found) {
    let Ok(png) = Png::from_bytes(Bytes::copy_from_slice(input)) else {
        return;
    };
    for chunk in png.chunks() {
        if let Some(packet) = itxt(chunk, XMP_KEYWORD) {
            found.add_xmp(&packet);
        } else if let Some(value) = text(chunk, b"AIGC") {
            found.add_aigc(AigcPlace::PngText, value);
        }
    }
}
