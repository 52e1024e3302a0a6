//! FLAC: the AIGC label as a Vorbis comment. FLAC has no XMP block, so the
//! IPTC fields live only in the C2PA manifest for FLAC.

use metaflac::Tag;

use crate::{AigcPlace, Found, MetaError};

/// The tag, where `fLaC` starts (after the ID3v2 tag c2pa puts in front
/// of a labelled FLAC), and where the audio frames start.
fn parse(input: &[u8]) -> Result<(Tag, usize, usize), MetaError> {
    let start = crate::mp3::tag_len(input);
    if !input[start..].starts_with(b"fLaC") {
        return Err(MetaError::container("not a FLAC file"));
    }
    let mut cursor = std::io::Cursor::new(&input[start..]);
    let tag = Tag::read_from(&mut cursor)
        .map_err(|e| MetaError::container(format!("FLAC metadata: {e}")))?;
    let audio = start + usize::try_from(cursor.position()).unwrap_or(input.len());
    Ok((tag, start, audio))
}

pub(crate) fn write(input: &[u8], aigc: Option<&str>) -> Result<Vec<u8>, MetaError> {
    let Some(aigc) = aigc else {
        return Ok(input.to_vec());
    };
    let (mut tag, start, audio) = parse(input)?;
    tag.remove_vorbis("AIGC");
    tag.set_vorbis("AIGC", vec![aigc]);
    let mut out = Vec::with_capacity(input.len() + 1024);
    out.extend_from_slice(&input[..start]);
    tag.write_to(&mut out)
        .map_err(|e| MetaError::container(format!("FLAC metadata: {e}")))?;
    out.extend_from_slice(&input[audio..]);
    Ok(out)
}

pub(crate) fn read(input: &[u8], found: &mut Found) {
    let Ok((tag, _, _)) = parse(input) else {
        return;
    };
    let values: Vec<String> = tag
        .get_vorbis("AIGC")
        .map(|v| v.map(str::to_owned).collect())
        .unwrap_or_default();
    for v in values {
        found.add_aigc(AigcPlace::VorbisComment, v);
    }
}
