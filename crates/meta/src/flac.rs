//! FLAC: the AIGC label as a Vorbis comment. FLAC has no XMP block, so the
//! IPTC fields live only in the C2PA manifest for FLAC.

use std::io::{BufReader, Read, Seek, SeekFrom};

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

/// Reads the AIGC Vorbis comments from the metadata blocks, stepping over
/// the ID3v2 tag in front (c2pa's manifest in a labelled FLAC) and never reading the audio.
pub(crate) fn read<R: Read + Seek>(src: &mut R, found: &mut Found) {
    let start = crate::mp3::tag_span(src).unwrap_or(0);
    if src.seek(SeekFrom::Start(start)).is_err() {
        return;
    }
    let mut blocks = BufReader::with_capacity(16 * 1024, src);
    let mut magic = [0u8; 4];
    if blocks.read_exact(&mut magic).is_err() || &magic != b"fLaC" {
        return;
    }
    // metaflac reads the magic itself, and then the blocks up to the last.
    let Ok(tag) = Tag::read_from(&mut Read::chain(&magic[..], blocks)) else {
        return;
    };
    add(&tag, found);
}

fn add(tag: &Tag, found: &mut Found) {
    let values: Vec<String> = tag
        .get_vorbis("AIGC")
        .map(|v| v.map(str::to_owned).collect())
        .unwrap_or_default();
    for v in values {
        found.add_aigc(AigcPlace::VorbisComment, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{agree, for_each_variant};

    /// The reader this replaced, over the whole file in memory.
    fn in_memory(input: &[u8]) -> Found {
        let mut found = Found::default();
        if let Ok((tag, _, _)) = parse(input) {
            add(&tag, &mut found);
        }
        found
    }

    #[test]
    fn streaming_finds_what_the_whole_file_gives() {
        use std::panic::{catch_unwind, AssertUnwindSafe};
        // metaflac 0.2 indexes block bodies without bounds checks, so some
        // damaged files make it panic, in memory or streamed alike (tamga's
        // verifier runs this reader under its watchdog, which catches that).
        // Where one panics the other must too; elsewhere they must agree.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let mut panics = 0;
        for_each_variant(
            "sample.flac",
            crate::Container::Flac,
            |input| match catch_unwind(|| in_memory(input)) {
                Ok(expected) => agree(input, expected, |src, found| read(src, found)),
                Err(_) => {
                    panics += 1;
                    let streamed = catch_unwind(AssertUnwindSafe(|| {
                        read(&mut std::io::Cursor::new(input), &mut Found::default())
                    }));
                    assert!(streamed.is_err(), "{}-byte input", input.len());
                }
            },
        );
        std::panic::set_hook(hook);
        eprintln!("{panics} damaged inputs panic metaflac");
    }
}
