//! WAV: XMP in a `_PMX` chunk (XMP part 3, 1.1.8), the AIGC label in an
//! `AIGC` chunk. Streamed: every other chunk is copied in blocks, so long
//! recordings need no more memory than short ones.

use std::io::{Read, Seek, SeekFrom, Write};

use crate::{riff, xmp, AigcPlace, Container, Found, MetaError, Role};

const XMP: [u8; 4] = *b"_PMX";
const AIGC: [u8; 4] = *b"AIGC";

fn read_body<R: Read + Seek>(src: &mut R, c: &riff::Chunk) -> std::io::Result<Vec<u8>> {
    src.seek(SeekFrom::Start(c.body))?;
    let mut body = Vec::new();
    src.take(c.size).read_to_end(&mut body)?;
    Ok(body)
}

fn put_chunk<W: Write>(out: &mut W, id: [u8; 4], body: &[u8]) -> Result<u64, MetaError> {
    let size = u32::try_from(body.len()).map_err(|_| {
        MetaError::too_large("a metadata chunk", body.len() as u64, u32::MAX.into())
    })?;
    out.write_all(&id)?;
    out.write_all(&size.to_le_bytes())?;
    out.write_all(body)?;
    if body.len() % 2 == 1 {
        out.write_all(&[0])?;
    }
    Ok(8 + u64::from(size) + u64::from(size & 1))
}

pub(crate) fn write<R: Read + Seek, W: Write + Seek>(
    src: &mut R,
    out: &mut W,
    props: &[xmp::Prop],
    aigc: Option<&str>,
) -> Result<(), MetaError> {
    let mut header = [0u8; 12];
    src.seek(SeekFrom::Start(0))?;
    src.read_exact(&mut header)?;
    if &header[..4] != b"RIFF" || &header[8..] != b"WAVE" {
        return Err(MetaError::NotContainer {
            container: Container::Wav,
            role: Role::Input,
        });
    }
    let len = src.seek(SeekFrom::End(0))?;
    let chunks = riff::chunks(src)?;
    if let Some(c) = chunks.iter().find(|c| c.overruns(len)) {
        return Err(MetaError::truncated(
            Container::Wav,
            format!("the {} chunk", String::from_utf8_lossy(&c.id)),
            c.header(),
        ));
    }
    let old_xmp = match chunks.iter().find(|c| c.id == XMP) {
        Some(c) if !props.is_empty() => Some(read_body(src, c)?),
        _ => None,
    };
    let replaced = |id: [u8; 4]| (id == XMP && !props.is_empty()) || (id == AIGC && aigc.is_some());
    out.write_all(&header)?;
    let mut written = 4u64; // "WAVE"
    for c in chunks.iter().filter(|c| !replaced(c.id)) {
        src.seek(SeekFrom::Start(c.header()))?;
        let n = 8 + c.size + (c.size & 1);
        let copied = std::io::copy(&mut (&mut *src).take(n), out)?;
        if copied < n {
            // An odd-sized last chunk without its pad byte.
            out.write_all(&vec![0; usize::try_from(n - copied).unwrap_or(0)])?;
        }
        written += n;
    }
    if !props.is_empty() {
        let packet = match old_xmp {
            Some(old) => xmp::merge(&String::from_utf8_lossy(&old), props)?,
            None => xmp::packet(props),
        };
        written += put_chunk(out, XMP, packet.as_bytes())?;
    }
    if let Some(aigc) = aigc {
        written += put_chunk(out, AIGC, aigc.as_bytes())?;
    }
    let riff_size = u32::try_from(written)
        .map_err(|_| MetaError::too_large("the WAV", written, u32::MAX.into()))?;
    out.seek(SeekFrom::Start(4))?;
    out.write_all(&riff_size.to_le_bytes())?;
    out.seek(SeekFrom::End(0))?;
    Ok(())
}

pub(crate) fn read<R: Read + Seek>(src: &mut R, found: &mut Found) {
    let Ok(chunks) = riff::chunks(src) else {
        return;
    };
    let ours = |c: &&riff::Chunk| matches!(c.id, XMP | AIGC) && c.size < 16 << 20;
    for c in chunks.iter().filter(ours) {
        let Ok(body) = read_body(src, c) else {
            continue;
        };
        let text = String::from_utf8_lossy(&body);
        let text = text.trim_end_matches('\0');
        match c.id {
            XMP => found.add_xmp(text),
            AIGC => found.add_aigc(AigcPlace::RiffChunk, text.to_owned()),
            _ => {}
        }
    }
}
