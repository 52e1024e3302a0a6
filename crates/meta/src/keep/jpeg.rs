//! JPEG: APPn and COM segments.

use img_parts::{
    jpeg::{Jpeg, JpegSegment},
    Bytes,
};

use crate::{Container, MetaError, Role};

const APP0: u8 = 0xE0;
const APP2: u8 = 0xE2;
/// C2PA's JUMBF segments: the new manifest replaces them.
const APP11: u8 = 0xEB;
/// Adobe's colour transform flag describes the old encoding.
const APP14: u8 = 0xEE;
const APP15: u8 = 0xEF;
const COM: u8 = 0xFE;

/// A segment's kind: its marker and the identifier its contents open with
/// (`Exif`, `http://ns.adobe.com/xap/1.0/`, `Photoshop 3.0`, `ICC_PROFILE`,
/// …), or None for segments never carried over.
fn kind(s: &JpegSegment) -> Option<(u8, Vec<u8>)> {
    let marker = s.marker();
    if marker == COM {
        return Some((COM, Vec::new()));
    }
    if !(APP0..=APP15).contains(&marker) || marker == APP11 || marker == APP14 {
        return None;
    }
    let contents = s.contents();
    let head = contents.get(..40).unwrap_or(contents);
    let id = match head.iter().position(|&b| b == 0) {
        Some(n) => head[..n].to_vec(),
        None => head.get(..5).unwrap_or(head).to_vec(),
    };
    let about_old_encoding = match marker {
        // JFIF and its thumbnail extension: the encoder writes its own.
        APP0 => id == b"JFIF" || id == b"JFXX",
        // The multi-picture index holds offsets into the old file.
        APP2 => id == b"MPF",
        _ => false,
    };
    (!about_old_encoding).then_some((marker, id))
}

fn parse(bytes: &[u8], role: Role) -> Result<Jpeg, MetaError> {
    Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|e| MetaError::Parse {
        container: Container::Jpeg,
        role,
        source: e.into(),
    })
}

pub(super) fn carry(original: &[u8], edited: &[u8]) -> Result<Vec<u8>, MetaError> {
    let old = parse(original, Role::Original)?;
    let mut new = parse(edited, Role::Edited)?;
    let carried: Vec<JpegSegment> = super::missing(old.segments(), new.segments(), kind)
        .into_iter()
        .cloned()
        .collect();
    if carried.is_empty() {
        return Ok(edited.to_vec());
    }
    // After the encoder's own header segments (JFIF, EXIF, ICC), before
    // the tables: metadata readers stop looking at the first table.
    let segments = new.segments_mut();
    let at = segments
        .iter()
        .take_while(|s| (APP0..=APP15).contains(&s.marker()) || s.marker() == COM)
        .count();
    segments.splice(at..at, carried);
    let mut out = Vec::with_capacity(edited.len() + original.len() / 8);
    new.encoder().write_to(&mut out).map_err(MetaError::Io)?;
    Ok(out)
}
