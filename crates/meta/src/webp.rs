//! WebP: XMP in the `XMP ` chunk of the extended format. img-parts sets the
//! VP8X flag (and converts a simple WebP to the extended format) itself.

use img_parts::{riff::RiffChunk, riff::RiffContent, webp::WebP, Bytes};

use crate::{xmp, Container, Found, MetaError};

const XMP: [u8; 4] = *b"XMP ";

fn data(chunk: &RiffChunk) -> Option<&Bytes> {
    chunk.content().data()
}

pub(crate) fn write(input: &[u8], props: &[xmp::Prop]) -> Result<Vec<u8>, MetaError> {
    if props.is_empty() {
        return Ok(input.to_vec());
    }
    let mut webp = WebP::from_bytes(Bytes::copy_from_slice(input))
        .map_err(|e| MetaError::parse(Container::Webp, e))?;
    let packet = match webp.chunk_by_id(XMP).and_then(data) {
        Some(old) => xmp::merge(&String::from_utf8_lossy(old), props)?,
        None => xmp::packet(props),
    };
    webp.remove_chunks_by_id(XMP);
    // XMP comes last in an extended WebP (after the image and EXIF).
    webp.chunks_mut().push(RiffChunk::new(
        XMP,
        RiffContent::Data(Bytes::from(packet.into_bytes())),
    ));
    let mut out = Vec::with_capacity(input.len() + 1024);
    webp.encoder().write_to(&mut out).map_err(MetaError::Io)?;
    Ok(out)
}

/// The XMP packets of a parsed WebP.
pub(crate) fn xmp_packets(webp: &WebP) -> Vec<String> {
    webp.chunks_by_id(XMP)
        .filter_map(data)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

/// Replaces each XMP packet for which `edit` gives a new one; the count
/// `edit` reports, summed.
pub(crate) fn edit_xmp(webp: &mut WebP, edit: &dyn Fn(&str) -> Option<(String, usize)>) -> usize {
    let mut changed = 0;
    for c in webp.chunks_mut() {
        if c.id() != XMP {
            continue;
        }
        let Some(old) = data(c) else {
            continue;
        };
        if let Some((new, n)) = edit(&String::from_utf8_lossy(old)) {
            *c = RiffChunk::new(XMP, RiffContent::Data(Bytes::from(new.into_bytes())));
            changed += n;
        }
    }
    changed
}

pub(crate) fn read(input: &[u8], found: &mut Found) {
    if let Ok(webp) = WebP::from_bytes(Bytes::copy_from_slice(input)) {
        for packet in webp.chunks_by_id(XMP).filter_map(data) {
            found.add_xmp(&String::from_utf8_lossy(packet));
        }
    }
}
