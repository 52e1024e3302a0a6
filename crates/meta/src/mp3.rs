//! MP3: XMP in an ID3v2 `PRIV` frame owned by `XMP` (where exiftool and
//! Adobe tools put it), the AIGC label in `TXXX:AIGC`. Other frames are
//! kept; the audio after the tag is copied unchanged.

use id3::{
    frame::{Content, ExtendedText, Private},
    Frame, Tag, TagLike, Version,
};

use std::io::{Read, Seek, SeekFrom, Write};

use crate::{xmp, AigcPlace, Container, Found, MetaError};

/// An ID3v2 tag header (ID3v2.4 §3.1): the 10 bytes `ID3`, version,
/// flags and a synchsafe body size. Parsed in one place for everyone who
/// needs to step over a tag: tamga's structural guard, format sniffing
/// (c2pa puts a FLAC's manifest in an ID3v2 tag before `fLaC`) and the MP3
/// and FLAC metadata readers here, so they all agree on where it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id3v2Header {
    /// The major version (3 for ID3v2.3, 4 for ID3v2.4).
    pub major: u8,
    /// The body size from the header, each byte's top bit ignored.
    pub body_len: u64,
    /// Whether a 10-byte footer follows the body (flag 0x10).
    pub footer: bool,
    /// Whether the size is properly synchsafe (no byte with its top bit
    /// set). Lenient readers ignore a bad one; validators refuse it.
    pub size_is_synchsafe: bool,
}

impl Id3v2Header {
    /// The header at the start of `head`, or None when `head` does not
    /// start with a whole ID3v2 header.
    pub fn parse(head: &[u8]) -> Option<Self> {
        let h = head.get(..10).filter(|h| h.starts_with(b"ID3"))?;
        let size = &h[6..10];
        Some(Self {
            major: h[3],
            body_len: size
                .iter()
                .fold(0u64, |acc, &b| (acc << 7) | u64::from(b & 0x7F)),
            footer: h[5] & 0x10 != 0,
            size_is_synchsafe: size.iter().all(|b| b & 0x80 == 0),
        })
    }

    /// The whole tag's length: header, body and footer.
    pub fn tag_len(&self) -> u64 {
        10 + self.body_len + if self.footer { 10 } else { 0 }
    }
}

/// The length of the ID3v2 tag at the start of `input` (header, body and
/// footer, capped at the input), or 0 when there is none.
pub(crate) fn tag_len(input: &[u8]) -> usize {
    Id3v2Header::parse(input).map_or(0, |h| {
        usize::try_from(h.tag_len()).map_or(input.len(), |n| n.min(input.len()))
    })
}

fn read_tag(input: &[u8]) -> Result<Option<Tag>, MetaError> {
    let len = tag_len(input);
    if len == 0 {
        return Ok(None);
    }
    // Only the tag's own bytes: a frame whose size runs past the tag must
    // not be filled from the audio (and the streamed writer, which reads
    // only the tag, must see the same frames).
    Tag::read_from2(std::io::Cursor::new(&input[..len]))
        .map(Some)
        .map_err(|e| MetaError::parse(Container::Mp3, e))
}

fn is_xmp(frame: &Frame) -> bool {
    matches!(frame.content(), Content::Private(p) if p.owner_identifier == "XMP")
}

fn is_aigc(frame: &Frame) -> bool {
    matches!(frame.content(), Content::ExtendedText(t) if t.description.eq_ignore_ascii_case("AIGC"))
}

pub(crate) fn write(
    input: &[u8],
    props: &[xmp::Prop],
    aigc: Option<&str>,
) -> Result<Vec<u8>, MetaError> {
    if props.is_empty() && aigc.is_none() {
        return Ok(input.to_vec());
    }
    let old = read_tag(input)?;
    let version = old.as_ref().map_or(Version::Id3v24, Tag::version);
    let mut tag = old.unwrap_or_default();
    if !props.is_empty() {
        let old_packet = tag
            .frames()
            .find(|f| is_xmp(f))
            .and_then(|f| match f.content() {
                Content::Private(p) => Some(String::from_utf8_lossy(&p.private_data).into_owned()),
                _ => None,
            });
        let packet = match old_packet {
            Some(old) => xmp::merge(&old, props)?,
            None => xmp::packet(props),
        };
        tag.remove("PRIV");
        let keep: Vec<Frame> = read_tag(input)?
            .map(|t| {
                t.frames()
                    .filter(|f| f.id() == "PRIV" && !is_xmp(f))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        for f in keep {
            tag.add_frame(f);
        }
        tag.add_frame(Private {
            owner_identifier: "XMP".into(),
            private_data: packet.into_bytes(),
        });
    }
    if let Some(aigc) = aigc {
        let others: Vec<Frame> = tag
            .frames()
            .filter(|f| f.id() == "TXXX" && !is_aigc(f))
            .cloned()
            .collect();
        tag.remove("TXXX");
        for f in others {
            tag.add_frame(f);
        }
        tag.add_frame(ExtendedText {
            description: "AIGC".into(),
            value: aigc.into(),
        });
    }
    let mut out = Vec::with_capacity(input.len() + 2048);
    tag.write_to(&mut out, version)
        .map_err(|e| MetaError::parse(Container::Mp3, e))?;
    out.extend_from_slice(&input[tag_len(input)..]);
    Ok(out)
}

/// [`write`] for a file on disk: only the ID3v2 tag is read and rewritten;
/// the audio after it is copied through, never held whole (a 3-hour MP3 is
/// 170 MB).
pub(crate) fn write_to<R: Read + Seek, W: Write>(
    src: &mut R,
    out: &mut W,
    props: &[xmp::Prop],
    aigc: Option<&str>,
) -> Result<(), MetaError> {
    let span = tag_span(src).unwrap_or(0);
    src.seek(SeekFrom::Start(0))?;
    let mut tag = Vec::new();
    src.take(span).read_to_end(&mut tag)?;
    // The tag alone is a whole input to `write`: it gives the new tag and
    // nothing after it.
    out.write_all(&write(&tag, props, aigc)?)?;
    src.seek(SeekFrom::Start(span))?;
    std::io::copy(src, out)?;
    Ok(())
}

/// `src` with its ID3v2 tag rewritten by `edit` (given the tag, it says
/// how many fields it took out), the audio copied through; the count.
pub(crate) fn edit_tag_to<R: Read + Seek, W: Write>(
    src: &mut R,
    out: &mut W,
    edit: &dyn Fn(&mut Tag) -> usize,
) -> Result<usize, MetaError> {
    let span = tag_span(src).unwrap_or(0);
    src.seek(SeekFrom::Start(0))?;
    let mut bytes = Vec::new();
    src.by_ref().take(span).read_to_end(&mut bytes)?;
    let n = match read_tag(&bytes)? {
        Some(mut tag) => {
            let n = edit(&mut tag);
            if n > 0 {
                tag.write_to(&mut *out, tag.version())
                    .map_err(|e| MetaError::parse(Container::Mp3, e))?;
            } else {
                out.write_all(&bytes)?;
            }
            n
        }
        None => {
            out.write_all(&bytes)?;
            0
        }
    };
    src.seek(SeekFrom::Start(span))?;
    std::io::copy(src, out)?;
    Ok(n)
}

/// Reads XMP and AIGC from the ID3v2 tag at the start; only the tag's bytes
/// are read, never the audio after it.
pub(crate) fn read<R: Read + Seek>(src: &mut R, found: &mut Found) {
    if let Some(tag) = tag_bytes(src) {
        read_in(&tag, found);
    }
}

/// The length of the ID3v2 tag at the start of `src`, capped at the end of
/// the file (as [`tag_len`] caps it at the input), or None when there is
/// none. Leaves `src` just after the 10-byte header.
pub(crate) fn tag_span<R: Read + Seek>(src: &mut R) -> Option<u64> {
    let len = src.seek(SeekFrom::End(0)).ok()?;
    src.seek(SeekFrom::Start(0)).ok()?;
    let mut head = [0u8; 10];
    src.read_exact(&mut head).ok()?;
    Some(Id3v2Header::parse(&head)?.tag_len().min(len))
}

/// The ID3v2 tag at the start of `src` (capped at the end of the file), or
/// None when there is none.
fn tag_bytes<R: Read + Seek>(src: &mut R) -> Option<Vec<u8>> {
    let n = tag_span(src)?;
    let mut tag = Vec::new();
    src.seek(SeekFrom::Start(0)).ok()?;
    src.take(n).read_to_end(&mut tag).ok()?;
    Some(tag)
}

/// Reads XMP and AIGC from an ID3v2 tag in memory.
fn read_in(input: &[u8], found: &mut Found) {
    let Ok(Some(tag)) = read_tag(input) else {
        return;
    };
    found.personal = crate::personal::in_id3(&tag);
    for f in tag.frames() {
        match f.content() {
            Content::Private(p) if p.owner_identifier == "XMP" => {
                found.add_xmp(&String::from_utf8_lossy(&p.private_data));
            }
            Content::ExtendedText(t) if t.description.eq_ignore_ascii_case("AIGC") => {
                found.add_aigc(AigcPlace::Id3Txxx, t.value.clone());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id3v2_header_sizes_are_synchsafe() {
        // Body size 0x01 0x7F = (1 << 7) | 0x7F = 255 bytes.
        let h = Id3v2Header::parse(b"ID3\x04\0\0\0\0\x01\x7Fmore").unwrap();
        assert_eq!((h.major, h.body_len, h.footer), (4, 255, false));
        assert!(h.size_is_synchsafe);
        assert_eq!(h.tag_len(), 265);
    }

    #[test]
    fn id3v2_footer_and_bad_sizes() {
        let h = Id3v2Header::parse(b"ID3\x04\0\x10\0\0\0\x0A").unwrap();
        assert_eq!(h.tag_len(), 10 + 10 + 10);
        // A top bit set is ignored for the length but reported.
        let h = Id3v2Header::parse(b"ID3\x03\0\0\0\0\0\x8A").unwrap();
        assert_eq!(h.body_len, 10);
        assert!(!h.size_is_synchsafe);
    }

    #[test]
    fn no_or_short_id3v2_header() {
        assert_eq!(Id3v2Header::parse(b"ID3\x04\0\0\0\0\0"), None);
        assert_eq!(Id3v2Header::parse(b"RIFF\0\0\0\0\0\0\0\0"), None);
        assert_eq!(tag_len(b""), 0);
        // A tag claiming more than the input is capped at the input.
        assert_eq!(tag_len(b"ID3\x04\0\0\0\0\x7F\x7Fshort"), 15);
    }

    #[test]
    fn streamed_writing_gives_the_bytes_writing_in_memory_gives() {
        use crate::testing::{for_each_variant, labels};
        let labels = labels();
        for_each_variant("sample.mp3", crate::Container::Mp3, |input| {
            let whole = crate::write(crate::Container::Mp3, input, &labels);
            let mut out = Vec::new();
            let streamed = crate::write_to(
                crate::Container::Mp3,
                &mut std::io::Cursor::new(input),
                &mut std::io::Cursor::new(&mut out),
                &labels,
            )
            .map(|()| out);
            match (whole, streamed) {
                (Ok(a), Ok(b)) => assert!(a == b, "{}-byte input", input.len()),
                (Err(_), Err(_)) => {}
                (a, b) => panic!(
                    "{}-byte input: in memory {:?}, streamed {:?}",
                    input.len(),
                    a.err(),
                    b.err()
                ),
            }
        });
    }

    #[test]
    fn reading_the_tag_alone_finds_what_the_whole_file_gives() {
        use crate::testing::{agree, for_each_variant};
        for_each_variant("sample.mp3", crate::Container::Mp3, |input| {
            let mut expected = Found::default();
            read_in(input, &mut expected);
            agree(input, expected, |src, found| read(src, found));
        });
    }
}
