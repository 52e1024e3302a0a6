//! JPEG: XMP in an APP1 segment after the `http://ns.adobe.com/xap/1.0/`
//! signature (XMP part 3, 1.1.3). Extended XMP is left alone.

use img_parts::{jpeg::Jpeg, jpeg::JpegSegment, Bytes};

use std::io::{Read, Seek};

use crate::{stream::Walk, xmp, Container, Found, MetaError};

const APP1: u8 = 0xE1;
const SIGNATURE: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
/// An APP1 segment holds 65,533 bytes after its length.
const MAX_PACKET: usize = 65_533 - SIGNATURE.len();

fn xmp_of(segment: &JpegSegment) -> Option<&[u8]> {
    (segment.marker() == APP1)
        .then(|| segment.contents().strip_prefix(SIGNATURE))
        .flatten()
}

/// A segment's XMP packet, as text.
pub(crate) fn xmp_packet(segment: &JpegSegment) -> Option<String> {
    xmp_of(segment).map(|p| String::from_utf8_lossy(p).into_owned())
}

/// An APP1 segment holding `packet`.
pub(crate) fn xmp_segment(packet: &str) -> JpegSegment {
    let mut contents = SIGNATURE.to_vec();
    contents.extend_from_slice(packet.as_bytes());
    JpegSegment::new_with_contents(APP1, Bytes::from(contents))
}

pub(crate) fn write(input: &[u8], props: &[xmp::Prop]) -> Result<Vec<u8>, MetaError> {
    if props.is_empty() {
        return Ok(input.to_vec());
    }
    let mut jpeg = Jpeg::from_bytes(Bytes::copy_from_slice(input))
        .map_err(|e| MetaError::parse(Container::Jpeg, e))?;
    let segments = jpeg.segments_mut();
    let existing = segments.iter().position(|s| xmp_of(s).is_some());
    let packet = match existing.and_then(|i| xmp_of(&segments[i])) {
        Some(old) => xmp::merge(&String::from_utf8_lossy(old), props)?,
        None => xmp::packet(props),
    };
    if packet.len() > MAX_PACKET {
        return Err(MetaError::too_large(
            "the XMP packet in one JPEG APP1 segment",
            packet.len() as u64,
            MAX_PACKET as u64,
        ));
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

/// Reads the XMP packets from the segments before the image data, seeking
/// past every other segment: the pixels are never read.
///
/// The walk is img-parts' `Jpeg::from_bytes` (which the writer uses) step
/// for step, so it finds exactly what that would: fill bytes between
/// segments skipped, markers without a length skipped, and nothing at all
/// from a file img-parts would refuse (truncated before the scan, or a scan
/// with no data after its header).
pub(crate) fn read<R: Read + Seek>(src: &mut R, found: &mut Found) {
    let (packets, exif) = metadata_segments(src).unwrap_or_default();
    let packets: Vec<String> = packets
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    for packet in &packets {
        found.add_xmp(packet);
    }
    // The personal fields from the same segments: the file is not read
    // again for them.
    found.personal = crate::personal::from_parts(exif.as_deref(), &packets);
}

/// The EXIF APP1 segment's signature.
const EXIF_SIGNATURE: &[u8] = b"Exif\0\0";

/// The XMP packets and the (first) EXIF block of a JPEG.
type Segments = (Vec<Vec<u8>>, Option<Vec<u8>>);

/// The XMP packets and the (first) EXIF block of the segments before the
/// image data.
fn metadata_segments<R: Read + Seek>(src: &mut R) -> Option<Segments> {
    const SOI: u8 = 0xD8;
    const EOI: u8 = 0xD9;
    const SOS: u8 = 0xDA;
    // Segments before the scan are small (64 KB at most each).
    let mut w = Walk::new(src, 16 * 1024)?;
    if w.array::<2>()? != [0xFF, SOI] {
        return None;
    }
    let mut packets = Vec::new();
    let mut exif = None;
    loop {
        if w.u8()? != 0xFF {
            continue;
        }
        let marker = loop {
            match w.u8()? {
                0xFF => continue,
                m => break m,
            }
        };
        if marker == EOI {
            return Some((packets, exif));
        }
        // img-parts' `has_length`: SOF0..SOF15, SOS..EXP, APP0..APP15,
        // JPG0..JPG13, COM. Others carry no data, like fill bytes.
        if !matches!(marker, 0xC0..=0xCF | 0xDA..=0xDF | 0xE0..=0xEF | 0xF0..=0xFE) {
            continue;
        }
        let size = u64::from(u16::from_be_bytes(w.array()?).checked_sub(2)?);
        if marker == APP1 {
            let contents = w.take(size)?;
            if let Some(packet) = contents.strip_prefix(SIGNATURE) {
                packets.push(packet.to_vec());
            } else if let (Some(tiff), None) = (contents.strip_prefix(EXIF_SIGNATURE), &exif) {
                exif = Some(tiff.to_vec());
            }
        } else {
            w.skip(size)?;
        }
        // The scan's entropy data runs to the end: img-parts stops here, or
        // (with no data after the header) reads on and fails.
        if marker == SOS && w.left() > 0 {
            return Some((packets, exif));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{agree, for_each_variant};

    /// The reader this replaced: img-parts over the whole file in memory.
    fn with_img_parts(input: &[u8]) -> Found {
        let mut found = Found::default();
        if let Ok(jpeg) = Jpeg::from_bytes(Bytes::copy_from_slice(input)) {
            for packet in jpeg.segments().iter().filter_map(xmp_of) {
                found.add_xmp(&String::from_utf8_lossy(packet));
            }
        }
        found
    }

    #[test]
    fn streaming_finds_what_img_parts_finds() {
        for_each_variant("sample.jpg", crate::Container::Jpeg, |input| {
            agree(input, with_img_parts(input), |src, found| read(src, found));
        });
    }
}
