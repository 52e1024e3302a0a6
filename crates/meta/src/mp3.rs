//! MP3: XMP in an ID3v2 `PRIV` frame owned by `XMP` (where exiftool and
//! Adobe tools put it), the AIGC label in `TXXX:AIGC`. Other frames are
//! kept; the audio after the tag is copied unchanged.

use id3::{
    frame::{Content, ExtendedText, Private},
    Frame, Tag, TagLike, Version,
};

use crate::{xmp, AigcPlace, Found, MetaError};

/// The length of the ID3v2 tag at the start of `input` (header, body and
/// footer), or 0 when there is none.
pub(crate) fn tag_len(input: &[u8]) -> usize {
    match input.get(..10) {
        Some(h) if h.starts_with(b"ID3") => {
            let size = h[6..10]
                .iter()
                .fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7F));
            let footer = if h[5] & 0x10 != 0 { 10 } else { 0 };
            (10 + size + footer).min(input.len())
        }
        _ => 0,
    }
}

fn read_tag(input: &[u8]) -> Result<Option<Tag>, MetaError> {
    if tag_len(input) == 0 {
        return Ok(None);
    }
    Tag::read_from2(std::io::Cursor::new(input))
        .map(Some)
        .map_err(|e| MetaError::container(format!("ID3v2 tag: {e}")))
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
            Some(old) => xmp::merge(&old, props).map_err(MetaError::Xmp)?,
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
        .map_err(|e| MetaError::container(format!("ID3v2 tag: {e}")))?;
    out.extend_from_slice(&input[tag_len(input)..]);
    Ok(out)
}

pub(crate) fn read(input: &[u8], found: &mut Found) {
    let Ok(Some(tag)) = read_tag(input) else {
        return;
    };
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
