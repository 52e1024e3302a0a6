//! GIF: application extensions (XMP, ICC, private ones) and comments.

use crate::{gif::blocks, MetaError};

const EXTENSION: u8 = 0x21;
const APPLICATION: u8 = 0xFF;
const COMMENT: u8 = 0xFE;

/// An extension block's kind: the application identifier (with its
/// authentication code), or "comment"; None for frames, graphic controls
/// and plain text, which are the image.
fn kind(bytes: &[u8], start: usize) -> Option<Vec<u8>> {
    if bytes.get(start) != Some(&EXTENSION) {
        return None;
    }
    match bytes.get(start + 1) {
        Some(&APPLICATION) => bytes.get(start + 3..start + 14).map(<[u8]>::to_vec),
        Some(&COMMENT) => Some(b"comment".to_vec()),
        _ => None,
    }
}

pub(super) fn carry(original: &[u8], edited: &[u8]) -> Result<Vec<u8>, MetaError> {
    let (_, old) = blocks(original)?;
    let (first, new) = blocks(edited)?;
    let present: Vec<Vec<u8>> = new.iter().filter_map(|b| kind(edited, b.start)).collect();
    let carried: Vec<(usize, usize)> = old
        .iter()
        .filter(|b| kind(original, b.start).is_some_and(|k| !present.contains(&k)))
        .map(|b| (b.start, b.end))
        .collect();
    if carried.is_empty() {
        return Ok(edited.to_vec());
    }
    // After the edited file's own leading extensions (the loop count goes
    // first), before the first frame.
    let at = new
        .iter()
        .take_while(|b| kind(edited, b.start).is_some())
        .last()
        .map_or(first, |b| b.end);
    let mut out = Vec::with_capacity(edited.len() + original.len() / 8);
    out.extend_from_slice(&edited[..at]);
    for (s, e) in carried {
        out.extend_from_slice(&original[s..e]);
    }
    out.extend_from_slice(&edited[at..]);
    Ok(out)
}
