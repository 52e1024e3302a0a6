//! Labelling WAV files in constant memory.
//!
//! c2pa 0.90 embeds into RIFF by rebuilding the file in memory and hashes
//! each range through one buffer as large as the range (up to 256 MB), so
//! labelling a 134 MB WAV peaks near 270 MB. A WAV's manifest is just one
//! more top-level RIFF chunk, so tamga appends it itself and uses c2pa's
//! data-hash embeddable API for everything C2PA: the placeholder manifest,
//! the `c2pa.hash.data` hard binding (whose single exclusion is the chunk,
//! header included, exactly as c2pa's own RIFF handler computes it), the
//! claim and its signature. tamga only copies bytes and streams the SHA-256.

use std::{
    fs::File,
    io::{BufReader, Read, Seek, SeekFrom, Write},
    path::Path,
};

use c2pa::{assertions::DataHash, Builder, HashRange, Signer};
use sha2::{Digest, Sha256};

use crate::LabelError;

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
    let c2pa_err = |e: c2pa::Error| LabelError::c2pa(path, &e);
    let io = |e: std::io::Error| LabelError::io(path, e);

    let placeholder = builder
        .data_hashed_placeholder(signer.reserve_size(), "application/c2pa")
        .map_err(c2pa_err)?;
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
    out.write_all(&placeholder).map_err(io)?;
    if jumbf_len % 2 == 1 {
        out.write_all(&[0]).map_err(io)?;
    }
    let total = out.stream_position().map_err(io)?;
    let riff_size = u32::try_from(total - 8).map_err(|_| too_big(path))?;
    out.seek(SeekFrom::Start(4)).map_err(io)?;
    out.write_all(&riff_size.to_le_bytes()).map_err(io)?;

    let hash = digest_excluding::<Sha256>(out, total, (chunk_offset, chunk_len)).map_err(io)?;
    let mut dh = DataHash::new("jumbf manifest", "sha256");
    dh.add_exclusion(HashRange::new(chunk_offset, chunk_len));
    dh.set_hash(hash);
    let signed = builder
        .sign_data_hashed_embeddable(signer, &dh, "application/c2pa")
        .map_err(c2pa_err)?;
    if signed.len() as u64 > jumbf_len {
        return Err(LabelError::C2pa {
            path: path.into(),
            message: "the signed manifest outgrew its placeholder".into(),
        });
    }
    // The JUMBF box carries its own length; zeros after it (still inside the
    // excluded chunk) are ignored by readers, as in c2pa's own placeholder flow.
    out.seek(SeekFrom::Start(chunk_offset + 8)).map_err(io)?;
    out.write_all(&signed).map_err(io)?;
    out.write_all(&vec![0; placeholder.len() - signed.len()])
        .map_err(io)?;
    Ok(())
}

fn too_big(path: &Path) -> LabelError {
    LabelError::C2pa {
        path: path.into(),
        message: "a WAV file cannot grow past 4 GiB".into(),
    }
}

/// Where a WAV's top-level C2PA chunk is: (offset of its header, length with header).
pub(crate) fn find_chunk(f: &mut File) -> std::io::Result<Option<(u64, u64)>> {
    let len = f.metadata()?.len();
    let mut off = 12u64;
    let mut hdr = [0u8; 8];
    while off + 8 <= len {
        f.seek(SeekFrom::Start(off))?;
        f.read_exact(&mut hdr)?;
        let size = u64::from(u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]));
        if &hdr[0..4] == b"C2PA" {
            return Ok((off + 8 + size <= len).then_some((off, 8 + size)));
        }
        off += 8 + size + (size & 1);
    }
    Ok(None)
}

/// The outcome of tamga's own check of a `c2pa.hash.data` hard binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HashCheck {
    /// The hash over the non-excluded bytes matches the assertion.
    Match,
    /// It does not.
    Mismatch,
    /// The assertion cannot be checked this way (unknown algorithm, bad
    /// exclusions, not exactly one data hash): fall back to c2pa.
    Unsupported,
}

/// Checks the store's single `c2pa.hash.data` assertion against the file,
/// streaming: the same check c2pa makes (hash of every byte outside the
/// exclusions, with the assertion's algorithm), plus the rule that the
/// exclusions cover the C2PA chunk and nothing else of substance.
pub(crate) fn check_data_hash(
    detailed: &serde_json::Value,
    active: &str,
    f: &mut File,
    chunk: (u64, u64),
) -> std::io::Result<HashCheck> {
    use base64::Engine as _;
    let Some(store) = detailed.pointer(&format!(
        "/manifests/{}/assertion_store",
        json_pointer_escape(active)
    )) else {
        return Ok(HashCheck::Unsupported);
    };
    let Some(store) = store.as_object() else {
        return Ok(HashCheck::Unsupported);
    };
    let hashes: Vec<&serde_json::Value> = store
        .iter()
        .filter(|(k, _)| k.starts_with("c2pa.hash."))
        .map(|(_, v)| v)
        .collect();
    let [dh] = hashes.as_slice() else {
        return Ok(HashCheck::Unsupported);
    };
    let Some(expected) = dh
        .get("hash")
        .and_then(|h| h.as_str())
        .and_then(|h| base64::engine::general_purpose::STANDARD.decode(h).ok())
    else {
        return Ok(HashCheck::Unsupported);
    };
    let alg = dh.get("alg").and_then(|a| a.as_str()).unwrap_or("sha256");
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    for ex in dh
        .get("exclusions")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
    {
        let (Some(s), Some(l)) = (
            ex.get("start").and_then(|v| v.as_u64()),
            ex.get("length").and_then(|v| v.as_u64()),
        ) else {
            return Ok(HashCheck::Unsupported);
        };
        ranges.push((s, l));
    }
    // Exactly the C2PA chunk is excluded; anything else is c2pa's business.
    if ranges != [chunk] {
        return Ok(HashCheck::Unsupported);
    }
    let len = f.metadata()?.len();
    let got = match alg {
        "sha256" => digest_excluding::<Sha256>(f, len, chunk)?,
        "sha384" => digest_excluding::<sha2::Sha384>(f, len, chunk)?,
        "sha512" => digest_excluding::<sha2::Sha512>(f, len, chunk)?,
        _ => return Ok(HashCheck::Unsupported),
    };
    Ok(if got == expected {
        HashCheck::Match
    } else {
        HashCheck::Mismatch
    })
}

fn json_pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn digest_excluding<D: Digest>(
    f: &mut File,
    len: u64,
    (skip_at, skip_len): (u64, u64),
) -> std::io::Result<Vec<u8>> {
    let mut hasher = D::new();
    let mut buf = vec![0u8; BLOCK];
    for (start, end) in [(0, skip_at), (skip_at + skip_len, len)] {
        f.seek(SeekFrom::Start(start))?;
        let mut left = end.saturating_sub(start);
        while left > 0 {
            let n = (left as usize).min(BLOCK);
            f.read_exact(&mut buf[..n])?;
            hasher.update(&buf[..n]);
            left -= n as u64;
        }
    }
    Ok(hasher.finalize().to_vec())
}
