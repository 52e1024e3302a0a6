//! GIF: XMP in the `XMP DataXMP` application extension (XMP part 3,
//! 1.1.2): the packet is stored raw and followed by a 258-byte "magic
//! trailer" that makes it parse as valid sub-blocks to GIF readers.

use crate::{xmp, Container, Found, MetaError, Role};

const APP_ID: &[u8] = b"XMP DataXMP";

fn magic_trailer() -> Vec<u8> {
    let mut t = vec![0x01];
    t.extend((0..=0xFFu8).rev());
    t.push(0x00);
    t
}

/// A block of the GIF stream after the header: its byte range, and for the
/// XMP extension the packet's range.
pub(crate) struct Block {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) xmp: Option<(usize, usize)>,
}

fn cut(what: &'static str, at: usize) -> MetaError {
    MetaError::truncated(Container::Gif, what, at as u64)
}

/// Skips data sub-blocks from `at`; returns the offset after the terminator.
fn skip_sub_blocks(b: &[u8], mut at: usize) -> Result<usize, MetaError> {
    let start = at;
    loop {
        let len = usize::from(*b.get(at).ok_or_else(|| cut("data sub-blocks", start))?);
        at += 1 + len;
        if len == 0 {
            return Ok(at);
        }
    }
}

/// The offset of the first block (after header, screen descriptor and
/// global colour table) and the blocks up to the trailer.
pub(crate) fn blocks(b: &[u8]) -> Result<(usize, Vec<Block>), MetaError> {
    if !(b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a")) || b.len() < 13 {
        return Err(MetaError::NotContainer {
            container: Container::Gif,
            role: Role::Input,
        });
    }
    let mut at = 13;
    if b[10] & 0x80 != 0 {
        at += 3 << ((b[10] & 7) + 1);
    }
    let first = at;
    let mut out = Vec::new();
    loop {
        let start = at;
        match b.get(at) {
            Some(0x21) => {
                let label = *b.get(at + 1).ok_or_else(|| cut("extension", at))?;
                let id = b.get(at + 3..at + 3 + APP_ID.len());
                if label == 0xFF && b.get(at + 2) == Some(&11) && id == Some(APP_ID) {
                    let data = at + 3 + APP_ID.len();
                    let trailer = magic_trailer();
                    let rel = b[data..]
                        .windows(3)
                        .position(|w| w == &trailer[..3])
                        .ok_or_else(|| {
                            MetaError::invalid(
                                Container::Gif,
                                format!("the XMP extension at {at} has no trailer"),
                            )
                        })?;
                    let end = data + rel + trailer.len();
                    if end > b.len() {
                        return Err(cut("XMP extension", start));
                    }
                    out.push(Block {
                        start,
                        end,
                        xmp: Some((data, data + rel)),
                    });
                    at = end;
                    continue;
                }
                at = skip_sub_blocks(b, at + 2)?;
            }
            Some(0x2C) => {
                let flags = *b.get(at + 9).ok_or_else(|| cut("image descriptor", at))?;
                at += 10;
                if flags & 0x80 != 0 {
                    at += 3 << ((flags & 7) + 1);
                }
                at = skip_sub_blocks(b, at + 1)?;
            }
            Some(0x3B) => return Ok((first, out)),
            Some(other) => {
                return Err(MetaError::invalid(
                    Container::Gif,
                    format!("unknown block 0x{other:02X} at {at}"),
                ))
            }
            None => {
                return Err(MetaError::Missing {
                    container: Container::Gif,
                    what: "trailer",
                })
            }
        }
        out.push(Block {
            start,
            end: at,
            xmp: None,
        });
    }
}

pub(crate) fn write(input: &[u8], props: &[xmp::Prop]) -> Result<Vec<u8>, MetaError> {
    if props.is_empty() {
        return Ok(input.to_vec());
    }
    let (first, blocks) = blocks(input)?;
    let old: Vec<&Block> = blocks.iter().filter(|b| b.xmp.is_some()).collect();
    let packet = match old.first().and_then(|b| b.xmp) {
        Some((s, e)) => xmp::merge(&String::from_utf8_lossy(&input[s..e]), props)?,
        None => xmp::packet(props),
    };
    let mut out = Vec::with_capacity(input.len() + packet.len() + 300);
    out.extend_from_slice(&input[..first]);
    // Right after the colour table, before any frame: where readers look.
    out.extend_from_slice(&[0x21, 0xFF, 11]);
    out.extend_from_slice(APP_ID);
    out.extend_from_slice(packet.as_bytes());
    out.extend_from_slice(&magic_trailer());
    let mut at = first;
    for b in old {
        out.extend_from_slice(&input[at..b.start]);
        at = b.end;
    }
    out.extend_from_slice(&input[at..]);
    Ok(out)
}

pub(crate) fn read(input: &[u8], found: &mut Found) {
    if let Ok((_, blocks)) = blocks(input) {
        for (s, e) in blocks.iter().filter_map(|b| b.xmp) {
            found.add_xmp(&String::from_utf8_lossy(&input[s..e]));
        }
    }
}
