//! JPEG: XMP in an APP1 segment after the `http://ns.adobe.com/xap/1.0/`
//! signature (XMP part 3, 1.1.3). Extended XMP is left alone.

use img_parts::{jpeg::Jpeg, jpeg::JpegSegment, Bytes};

use crate::{xmp, Found, MetaError};

const APP1: u8 = 0xE1;
const SIGNATURE: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
/// An APP1 segment holds 65,533 bytes after its length.
const MAX_PACKET: usize = 65_533 - SIGNATURE.len();

fn xmp_of(segment: &JpegSegment) -> Option<&[u8]> {
    (segment.marker() == APP1)
        .then(|| segment.contents().strip_prefix(SIGNATURE))
        .flatten()
}

pub(crate) fn write(input: &[u8], props: &[xmp::Prop]) -> Result<Vec<u8>, MetaError> {
    if props.is_empty() {
        return Ok(input.to_vec());
    }
    let mut jpeg = Jpeg::from_bytes(Bytes::copy_from_slice(input))
        .map_err(|e| MetaError::container(format!("JPEG structure: {e}")))?;
    let segments = jpeg.segments_mut();
    let existing = segments.iter().position(|s| xmp_of(s).is_some());
    let packet = match existing.and_then(|i| xmp_of(&segments[i])) {
        Some(old) => xmp::merge(&String::from_utf8_lossy(old), props).map_err(MetaError::Xmp)?,
        None => xmp::packet(props),
    };
    if packet.len() > MAX_PACKET {
        return Err(MetaError::Value(format!(
            "the XMP packet ({} bytes) does not fit one JPEG APP1 segment",
            packet.len()
        )));
    }
    let mut contents = SIGNATURE.to_vec();
    contents.extend_from_slice(packet.as_bytes());
    let segment = JpegSegment::new_with_contents(APP1, Bytes::from(contents));
    match existing {
        Some(i) => segments[i] = segment,
        None => {
            // After JFIF/EXIF (APP0/APP1 at the front), where readers look first.
            let at = segments
                .iter()
                .take_while(|s| matches!(s.marker(), 0xE0 | APP1))
                .count();
            segments.insert(at, segment);
        }
    }
    let mut out = Vec::with_capacity(input.len() + 1024);
    jpeg.encoder().write_to(&mut out).map_err(MetaError::Io)?;
    Ok(out)
}

pub(crate) fn read(input: &[u8], found: &mut Found) {
    if let Ok(jpeg) = Jpeg::from_bytes(Bytes::copy_from_slice(input)) {
        for packet in jpeg.segments().iter().filter_map(xmp_of) {
            found.add_xmp(&String::from_utf8_lossy(packet));
        }
    }
}
