//! Ogg Vorbis and Ogg Opus: the comment header (RFC 3533 pages; Vorbis I
//! §5, RFC 7845 §5.2), which carries the AIGC label (GB 45438's Vorbis
//! comment placement) and the names of artists and performers.
//!
//! Only the header pages are rewritten. Both codecs start the first audio
//! packet on a fresh page, so the comment header is re-laced into pages of
//! its own and every audio page is copied as it was; when the number of
//! header pages changes, the following pages of the stream get their
//! sequence numbers and CRCs redone, in one streamed pass. Streams other
//! than one Vorbis or Opus stream (Ogg FLAC, Speex, multiplexed video) are
//! left alone: reading finds nothing, writing refuses.

use std::io::{Read, Seek, SeekFrom, Write};

use crate::vorbis_comment::{aigc_value, aigc_values, comments, encode, people_in, person_key};
use crate::{AigcPlace, Container, Found, MetaError};

/// The header packets read at most: no encoder writes more.
const MAX_HEADERS: usize = 16 << 20;
/// RFC 3533: the page header's fixed part.
const PAGE_HEADER: usize = 27;

/// The codecs whose comment header tamga edits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Codec {
    Vorbis,
    Opus,
}

impl Codec {
    fn of(first_packet: &[u8]) -> Option<Self> {
        if first_packet.starts_with(b"\x01vorbis") {
            Some(Self::Vorbis)
        } else if first_packet.starts_with(b"OpusHead") {
            Some(Self::Opus)
        } else {
            None
        }
    }

    /// How many header packets the codec has.
    fn headers(self) -> usize {
        match self {
            Self::Vorbis => 3,
            Self::Opus => 2,
        }
    }

    /// The comment header's magic, before its comment list.
    fn comment_magic(self) -> &'static [u8] {
        match self {
            Self::Vorbis => b"\x03vorbis",
            Self::Opus => b"OpusTags",
        }
    }
}

/// One page: its header fields and body.
struct Page {
    flags: u8,
    granule: u64,
    serial: u32,
    seq: u32,
    lacing: Vec<u8>,
    body: Vec<u8>,
}

impl Page {
    /// Reads the page at the reader's position; None at the end of the
    /// file or where no page is.
    fn read<R: Read>(src: &mut R) -> std::io::Result<Option<Self>> {
        let mut h = [0u8; PAGE_HEADER];
        match src.read_exact(&mut h) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        if &h[..4] != b"OggS" || h[4] != 0 {
            return Ok(None);
        }
        let mut lacing = vec![0u8; usize::from(h[26])];
        src.read_exact(&mut lacing)?;
        let mut body = vec![0u8; lacing.iter().map(|&l| usize::from(l)).sum()];
        src.read_exact(&mut body)?;
        let u32_at = |at: usize| u32::from_le_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]]);
        let mut granule = [0u8; 8];
        granule.copy_from_slice(&h[6..14]);
        Ok(Some(Self {
            flags: h[5],
            granule: u64::from_le_bytes(granule),
            serial: u32_at(14),
            seq: u32_at(18),
            lacing,
            body,
        }))
    }

    fn len(&self) -> u64 {
        (PAGE_HEADER + self.lacing.len() + self.body.len()) as u64
    }

    /// The page's bytes, its CRC computed.
    fn bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(self.len() as usize);
        b.extend_from_slice(b"OggS\0");
        b.push(self.flags);
        b.extend_from_slice(&self.granule.to_le_bytes());
        b.extend_from_slice(&self.serial.to_le_bytes());
        b.extend_from_slice(&self.seq.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.push(self.lacing.len() as u8);
        b.extend_from_slice(&self.lacing);
        b.extend_from_slice(&self.body);
        let crc = crc(&b);
        b[22..26].copy_from_slice(&crc.to_le_bytes());
        b
    }
}

/// Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0,
/// no final XOR (RFC 3533 §6).
fn crc(data: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The header packets of a file's one Vorbis or Opus stream.
struct Headers {
    codec: Codec,
    serial: u32,
    packets: Vec<Vec<u8>>,
    /// Where the second page starts (the first holds the ID header alone).
    second_page: u64,
    /// Where the first audio page starts.
    audio: u64,
    /// How many pages the headers after the first take.
    pages: u32,
}

fn headers<R: Read + Seek>(src: &mut R) -> Option<Headers> {
    src.seek(SeekFrom::Start(0)).ok()?;
    let first = Page::read(src).ok()??;
    // The ID header alone on a beginning-of-stream page.
    if first.flags & 0x02 == 0 || first.lacing.last().is_none_or(|&l| l == 255) {
        return None;
    }
    if first.lacing[..first.lacing.len() - 1]
        .iter()
        .any(|&l| l < 255)
    {
        return None;
    }
    let codec = Codec::of(&first.body)?;
    let second_page = first.len();
    let mut packets = vec![first.body];
    let mut partial = Vec::new();
    let mut read = 0usize;
    let mut pos = second_page;
    let mut pages = 0u32;
    while packets.len() < codec.headers() {
        let page = Page::read(src).ok()??;
        pos += page.len();
        pages += 1;
        read += page.body.len();
        if page.serial != first.serial || read > MAX_HEADERS {
            return None;
        }
        let mut at = 0;
        for (i, &l) in page.lacing.iter().enumerate() {
            partial.extend_from_slice(&page.body[at..at + usize::from(l)]);
            at += usize::from(l);
            if l < 255 {
                packets.push(std::mem::take(&mut partial));
                // The last header ends its page: audio starts on the next.
                if packets.len() == codec.headers() && i + 1 != page.lacing.len() {
                    return None;
                }
            }
        }
    }
    packets[1]
        .starts_with(codec.comment_magic())
        .then_some(Headers {
            codec,
            serial: first.serial,
            packets,
            second_page,
            audio: pos,
            pages,
        })
}

/// The comment header's list as owned comments, and the vendor string and
/// what follows the list (Vorbis's framing bit, Opus's extra data).
type Split = (Vec<u8>, Vec<Vec<u8>>, Vec<u8>);

fn split(h: &Headers) -> Option<Split> {
    let body = h.packets[1].get(h.codec.comment_magic().len()..)?;
    let (vendor, list) = comments(body)?;
    let used = crate::vorbis_comment::list_len(body)?;
    Some((
        vendor.to_vec(),
        list.into_iter().map(<[u8]>::to_vec).collect(),
        body.get(used..)?.to_vec(),
    ))
}

pub(crate) fn read<R: Read + Seek>(src: &mut R, found: &mut Found) {
    let Some(h) = headers(src) else { return };
    let body = &h.packets[1][h.codec.comment_magic().len()..];
    for v in aigc_values(body) {
        found.add_aigc(AigcPlace::VorbisComment, v);
    }
    found.personal = crate::personal::in_vorbis(people_in(body));
}

/// Copies `src` to `out` with its comments as `edit` leaves them; what
/// `edit` returns (0 from a redaction: nothing is written).
fn edit_to<R: Read + Seek, W: Write>(
    src: &mut R,
    out: &mut W,
    edit: impl FnOnce(&mut Vec<Vec<u8>>) -> usize,
    always: bool,
) -> Result<usize, MetaError> {
    let unsupported = || MetaError::Unsupported {
        container: Container::Ogg,
        what: "an Ogg file other than one Vorbis or Opus stream",
    };
    let h = headers(src).ok_or_else(unsupported)?;
    let (vendor, mut list, tail) = split(&h).ok_or_else(|| {
        MetaError::invalid(
            Container::Ogg,
            "a length in the comment header runs past it",
        )
    })?;
    let n = edit(&mut list);
    if n == 0 && !always {
        return Ok(0);
    }
    let mut comment = h.codec.comment_magic().to_vec();
    comment.extend(encode(&vendor, &list));
    comment.extend(tail);
    let mut packets = vec![comment];
    packets.extend(h.packets[2..].iter().cloned());
    let pages = lace(&packets, h.serial);
    // The first page (the ID header) as it was.
    src.seek(SeekFrom::Start(0))?;
    std::io::copy(&mut (&mut *src).take(h.second_page), out)?;
    for p in &pages {
        out.write_all(&p.bytes())?;
    }
    src.seek(SeekFrom::Start(h.audio))?;
    let shift = i64::from(pages.len() as u32) - i64::from(h.pages);
    if shift == 0 {
        std::io::copy(src, out)?;
        return Ok(n);
    }
    // The stream's later pages are renumbered (and their CRCs redone).
    let mut rest = std::io::BufReader::new(src);
    while let Some(mut page) = Page::read(&mut rest)? {
        if page.serial == h.serial {
            page.seq = (i64::from(page.seq) + shift) as u32;
        }
        out.write_all(&page.bytes())?;
    }
    // Anything after the last page (junk a muxer left) is kept.
    std::io::copy(&mut rest, out)?;
    Ok(n)
}

/// `packets` laced into pages numbered from 1: a packet is 255-byte
/// segments and a shorter last one (0 bytes after a multiple of 255), at
/// most 255 segments a page; a page on which no packet ends has granule
/// position -1, and one that starts inside a packet says so (RFC 3533 §6).
fn lace(packets: &[Vec<u8>], serial: u32) -> Vec<Page> {
    // Every segment: its bytes and whether a packet ends with it.
    let mut segments: Vec<(&[u8], bool)> = Vec::new();
    for p in packets {
        let chunks: Vec<&[u8]> = p.chunks(255).collect();
        for c in &chunks {
            segments.push((c, false));
        }
        match segments.last_mut() {
            Some((c, ends)) if c.len() < 255 && !chunks.is_empty() => *ends = true,
            _ => segments.push((&[], true)),
        }
    }
    let mut pages = Vec::new();
    let mut continued = false;
    for (n, chunk) in segments.chunks(255).enumerate() {
        let ends = chunk.iter().any(|(_, e)| *e);
        pages.push(Page {
            flags: if continued { 0x01 } else { 0 },
            granule: if ends { 0 } else { u64::MAX },
            serial,
            seq: n as u32 + 1,
            lacing: chunk.iter().map(|(c, _)| c.len() as u8).collect(),
            body: chunk.iter().flat_map(|(c, _)| c.iter().copied()).collect(),
        });
        continued = chunk.last().is_some_and(|(_, e)| !e);
    }
    pages
}

/// Writes the AIGC comment, replacing earlier ones.
pub(crate) fn write_to<R: Read + Seek, W: Write>(
    src: &mut R,
    out: &mut W,
    aigc: Option<&str>,
) -> Result<(), MetaError> {
    let Some(aigc) = aigc else {
        src.seek(SeekFrom::Start(0))?;
        std::io::copy(src, out)?;
        return Ok(());
    };
    let ours = format!("AIGC={aigc}").into_bytes();
    edit_to(
        src,
        out,
        |list| {
            list.retain(|c| aigc_value(c).is_none());
            list.push(ours);
            1
        },
        true,
    )?;
    Ok(())
}

/// Copies `src` without the comments that name a person; how many went
/// (0: nothing written).
pub(crate) fn without_people<R: Read + Seek, W: Write>(
    src: &mut R,
    out: &mut W,
) -> Result<usize, MetaError> {
    if headers(src).is_none() {
        return Ok(0);
    }
    edit_to(
        src,
        out,
        |list| {
            let before = list.len();
            list.retain(|c| person_key(c).is_none());
            before - list.len()
        },
        false,
    )
}

#[cfg(test)]
#[path = "ogg_tests.rs"]
mod tests;
