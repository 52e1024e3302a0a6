//! Labelling WAV files in constant memory.
//!
//! c2pa 0.90 embeds into RIFF by rebuilding the file in memory and hashes
//! each range through one buffer as large as the range (up to 256 MB), so
//! labelling a 134 MB WAV peaks near 270 MB. A WAV's manifest is just one
//! more top-level RIFF chunk, so tamga appends it itself and leaves
//! everything C2PA to c2pa ([`crate::placeholder_sign`]); the binding's
//! single exclusion is the chunk, header included, exactly as c2pa's own
//! RIFF handler computes it. tamga only copies bytes and streams the SHA-256.

use std::{
    fs::File,
    io::{BufReader, Read, Seek, SeekFrom, Write},
    path::Path,
};

use c2pa::{Builder, Signer};
use sha2::{Digest, Sha256};

use crate::{
    data_hash::{Binding, HashCheck, Hasher},
    placeholder_sign::{self, Placed},
    LabelError,
};

const BLOCK: usize = 1 << 20;

/// Appends a signed C2PA chunk to the WAV `source`, writing `out`.
/// `source` must not already hold a C2PA chunk.
pub(crate) fn label(
    builder: &mut Builder,
    signer: &dyn Signer,
    path: &Path,
    source: &mut File,
    out: &mut File,
) -> Result<(), LabelError> {
    placeholder_sign::sign(builder, signer, path, out, |placeholder, out| {
        append_chunk(path, source, placeholder, out)
    })
}

/// Copies `source` to `out` with a C2PA chunk holding `placeholder` after
/// it, and hashes the result around the chunk.
fn append_chunk(
    path: &Path,
    source: &mut File,
    placeholder: &[u8],
    out: &mut File,
) -> Result<Placed, LabelError> {
    let io = |e: std::io::Error| LabelError::io(path, e);
    let jumbf_len = placeholder.len() as u64;

    source.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut body_len =
        std::io::copy(&mut BufReader::with_capacity(BLOCK, &mut *source), out).map_err(io)?;
    if body_len % 2 == 1 {
        // RIFF chunks start on even offsets.
        out.write_all(&[0]).map_err(io)?;
        body_len += 1;
    }
    let chunk_offset = body_len;
    let chunk_len = 8 + jumbf_len;
    out.write_all(b"C2PA").map_err(io)?;
    out.write_all(
        &u32::try_from(jumbf_len)
            .map_err(|_| too_big(path))?
            .to_le_bytes(),
    )
    .map_err(io)?;
    out.write_all(placeholder).map_err(io)?;
    if jumbf_len % 2 == 1 {
        out.write_all(&[0]).map_err(io)?;
    }
    let total = out.stream_position().map_err(io)?;
    let riff_size = u32::try_from(total - 8).map_err(|_| too_big(path))?;
    out.seek(SeekFrom::Start(4)).map_err(io)?;
    out.write_all(&riff_size.to_le_bytes()).map_err(io)?;

    let exclusion = (chunk_offset, chunk_len);
    Ok(Placed {
        store_at: chunk_offset + 8,
        exclusion,
        sha256: digest_excluding::<Sha256>(out, total, exclusion).map_err(io)?,
    })
}

fn too_big(path: &Path) -> LabelError {
    LabelError::C2pa {
        path: path.into(),
        message: "a WAV file cannot grow past 4 GiB".into(),
    }
}

/// Where a WAV's top-level C2PA chunk is: (offset of its header, length
/// with header); `None` when there is none or it runs past the end.
pub(crate) fn find_chunk<R: Read + Seek>(f: &mut R) -> std::io::Result<Option<(u64, u64)>> {
    let len = f.seek(SeekFrom::End(0))?;
    Ok(crate::riff::chunks(f)?
        .into_iter()
        .find(|c| &c.id == b"C2PA")
        .filter(|c| !c.overruns(len))
        .map(|c| (c.header(), 8 + c.size)))
}

/// Checks the store's single `c2pa.hash.data` assertion against the file,
/// streaming. `None` when the binding is not one tamga recomputes (several
/// hard bindings, unknown algorithm, exclusions other than the C2PA chunk):
/// the caller falls back to c2pa.
pub(crate) fn check_data_hash<R: Read + Seek>(
    detailed: &serde_json::Value,
    active: &str,
    f: &mut R,
    chunk: (u64, u64),
) -> std::io::Result<Option<HashCheck>> {
    let Some(binding) = Binding::of_active(detailed, active) else {
        return Ok(None);
    };
    // Exactly the C2PA chunk is excluded; anything else is c2pa's business.
    if binding.exclusions != [chunk] {
        return Ok(None);
    }
    let len = f.seek(SeekFrom::End(0))?;
    let mut hasher = Hasher::new(binding.alg);
    let mut buf = block_for(len);
    for_each_block_excluding(f, len, chunk, &mut buf, |b| hasher.update(b))?;
    Ok(Some(if hasher.finalize() == binding.hash {
        HashCheck::Match
    } else {
        HashCheck::Mismatch
    }))
}

/// A read buffer for a file of `len` bytes: a block, or less for a small
/// file (a batch of small WAVs need not zero 1 MiB each).
fn block_for(len: u64) -> Vec<u8> {
    vec![0u8; usize::try_from(len).map_or(BLOCK, |n| n.clamp(1, BLOCK))]
}

fn digest_excluding<D: Digest>(
    f: &mut File,
    len: u64,
    skip: (u64, u64),
) -> std::io::Result<Vec<u8>> {
    let mut hasher = D::new();
    let mut buf = block_for(len);
    for_each_block_excluding(f, len, skip, &mut buf, |b| hasher.update(b))?;
    Ok(hasher.finalize().to_vec())
}

/// Feeds every byte of `f` outside `skip` to `sink`, a block at a time.
fn for_each_block_excluding<R: Read + Seek>(
    f: &mut R,
    len: u64,
    (skip_at, skip_len): (u64, u64),
    buf: &mut [u8],
    mut sink: impl FnMut(&[u8]),
) -> std::io::Result<()> {
    for (start, end) in [(0, skip_at), (skip_at + skip_len, len)] {
        f.seek(SeekFrom::Start(start))?;
        let mut left = end.saturating_sub(start);
        while left > 0 {
            let n = (left as usize).min(buf.len());
            f.read_exact(&mut buf[..n])?;
            sink(&buf[..n]);
            left -= n as u64;
        }
    }
    Ok(())
}
