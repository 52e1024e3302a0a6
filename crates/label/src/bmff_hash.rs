//! tamga's own streaming check of a `c2pa.hash.bmff` hard binding.
//!
//! c2pa 0.90 hashes an MP4 through buffers of up to 256 MB, two at a time,
//! and frees each on a short-lived thread; under mimalloc the freed
//! buffers are not returned until that heap is collected, so verifying a
//! 2 GB MP4 peaked at 2 GB. As for WAV, MP3 and text, c2pa validates the
//! manifest store against a stand-in and tamga recomputes the one check
//! that needs the asset, here in 1 MiB blocks.
//!
//! Only the common shape is recomputed: every exclusion names a top-level
//! box (`/uuid`, `/ftyp`, `/free`…), optionally with a length or data to
//! match, and the file is a clean run of top-level boxes. That is what
//! c2pa, c2patool and the Adobe tools write. Anything else (nested xpaths,
//! subsets, version or flag matches, Merkle trees, a remote hash, trailing
//! bytes, a truncated box) returns `None` and c2pa checks the file itself.
//!
//! The hash is c2pa's (`bmff_to_jumbf_exclusions` + `hash_stream_by_alg`):
//! the bytes of every top-level box no exclusion matches, in file order;
//! from version 2 on each such box is preceded by its offset as a
//! big-endian u64, so moving a box breaks the hash.

use std::io::{Read, Seek, SeekFrom};

use c2pa::assertions::ExclusionsMap;

use crate::data_hash::{Alg, HashCheck, Hasher};

const BLOCK: usize = 1 << 20;
/// The longest data match tamga reads from a box (c2pa's own default is
/// the 16-byte C2PA UUID); a longer one is c2pa's business.
const MAX_DATA_MATCH: usize = 1024;

/// A top-level box an exclusion removes from the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopExclusion {
    /// The box type, as c2pa names it (the four bytes read as UTF-8).
    kind: String,
    /// Only a box of exactly this size, header included.
    length: Option<u64>,
    /// Only a box holding these bytes at these offsets from its start.
    data: Vec<(u64, Vec<u8>)>,
}

/// The active manifest's BMFF hard binding, when tamga can recompute it.
#[derive(Debug, Clone)]
pub(crate) struct BmffBinding {
    pub(crate) alg: Alg,
    pub(crate) hash: Vec<u8>,
    /// Version 2 and later hash each box's offset before its bytes.
    pub(crate) with_offsets: bool,
    pub(crate) exclusions: Vec<TopExclusion>,
}

impl BmffBinding {
    /// The single `c2pa.hash.bmff*` assertion of manifest `active` in
    /// c2pa's detailed JSON, if it has the shape tamga recomputes.
    pub(crate) fn of_active(detailed: &serde_json::Value, active: &str) -> Option<Self> {
        use base64::Engine as _;
        let b64 = |v: &serde_json::Value| {
            base64::engine::general_purpose::STANDARD
                .decode(v.as_str()?)
                .ok()
        };
        let store = detailed
            .get("manifests")?
            .get(active)?
            .get("assertion_store")?
            .as_object()?;
        let mut hard = store.iter().filter(|(k, _)| k.starts_with("c2pa.hash."));
        let (label, bh) = hard.next()?;
        if hard.next().is_some() || !label.starts_with("c2pa.hash.bmff") {
            return None;
        }
        // A Merkle tree, a remote hash or no file hash: c2pa's business.
        if ["merkle", "url"]
            .iter()
            .any(|k| bh.get(k).is_some_and(|v| !v.is_null()))
        {
            return None;
        }
        let alg = Alg::parse(bh.get("alg").and_then(|a| a.as_str()).unwrap_or("sha256"))?;
        let hash = b64(bh.get("hash")?)?;
        let mut exclusions = Vec::new();
        for ex in bh.get("exclusions")?.as_array()? {
            let ex = ex.as_object()?;
            if ex
                .keys()
                .any(|k| !matches!(k.as_str(), "xpath" | "length" | "data"))
            {
                return None;
            }
            let mut data = Vec::new();
            for d in ex
                .get("data")
                .and_then(|d| d.as_array())
                .into_iter()
                .flatten()
            {
                data.push((d.get("offset")?.as_u64()?, b64(d.get("value")?)?));
            }
            let length = match ex.get("length") {
                Some(l) => Some(l.as_u64()?),
                None => None,
            };
            exclusions.push(TopExclusion::new(ex.get("xpath")?.as_str()?, length, data)?);
        }
        Some(Self {
            alg,
            hash,
            with_offsets: version_of(label) > 1,
            exclusions,
        })
    }

    /// Hashes `f` and compares; `None` when the file is not a clean run of
    /// top-level boxes (c2pa then checks it).
    pub(crate) fn check<R: Read + Seek>(&self, f: &mut R) -> std::io::Result<Option<HashCheck>> {
        Ok(
            hash_file(f, &self.exclusions, self.with_offsets, self.alg)?.map(|h| {
                if h == self.hash {
                    HashCheck::Match
                } else {
                    HashCheck::Mismatch
                }
            }),
        )
    }
}

impl TopExclusion {
    /// `None` unless `xpath` names a top-level box and the data matches
    /// are small.
    fn new(xpath: &str, length: Option<u64>, data: Vec<(u64, Vec<u8>)>) -> Option<Self> {
        let kind = xpath.strip_prefix('/')?;
        if kind.is_empty()
            || kind.contains('/')
            || data.iter().any(|(_, v)| v.len() > MAX_DATA_MATCH)
        {
            return None;
        }
        Some(Self {
            kind: kind.to_string(),
            length,
            data,
        })
    }

    /// c2pa's own exclusion maps (as a builder's placeholder carries
    /// them), if all have the shape tamga recomputes.
    pub(crate) fn from_maps(maps: &[ExclusionsMap]) -> Option<Vec<Self>> {
        maps.iter()
            .map(|m| {
                if m.subset.is_some()
                    || m.version.is_some()
                    || m.flags.is_some()
                    || m.exact.is_some()
                {
                    return None;
                }
                let data = m
                    .data
                    .iter()
                    .flatten()
                    .map(|d| (d.offset, d.value.clone()))
                    .collect();
                Self::new(&m.xpath, m.length, data)
            })
            .collect()
    }
}

/// The assertion version in a label such as `c2pa.hash.bmff.v3`; 1 when
/// the label has none.
pub(crate) fn version_of(label: &str) -> usize {
    label
        .rsplit_once(".v")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

/// A top-level box: where it starts, its size with header, its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TopBox {
    pub(crate) at: u64,
    pub(crate) size: u64,
    pub(crate) kind: [u8; 4],
    /// 8, or 16 with a 64-bit size.
    pub(crate) header: u64,
}

/// The top-level box at `at` in a file of `len` bytes; `None` when the
/// bytes there are not a whole box (trailing bytes, a size smaller than
/// its header, a box running past the end).
pub(crate) fn box_at<R: Read + Seek>(
    f: &mut R,
    at: u64,
    len: u64,
) -> std::io::Result<Option<TopBox>> {
    if len.saturating_sub(at) < 8 {
        return Ok(None);
    }
    let mut head = [0u8; 16];
    f.seek(SeekFrom::Start(at))?;
    f.read_exact(&mut head[..8])?;
    let kind = [head[4], head[5], head[6], head[7]];
    let mut header = 8;
    let size = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
        0 => len - at,
        1 => {
            if len - at < 16 {
                return Ok(None);
            }
            f.read_exact(&mut head[8..16])?;
            let large = u64::from_be_bytes([
                head[8], head[9], head[10], head[11], head[12], head[13], head[14], head[15],
            ]);
            if large < 16 {
                return Ok(None);
            }
            header = 16;
            large
        }
        n if n < 8 => return Ok(None),
        n => u64::from(n),
    };
    if size > len - at {
        return Ok(None);
    }
    Ok(Some(TopBox {
        at,
        size,
        kind,
        header,
    }))
}

/// The C2PA `uuid` box's type, after the box header.
pub(crate) const C2PA_UUID: [u8; 16] = [
    216, 254, 195, 214, 27, 14, 72, 60, 146, 151, 88, 40, 135, 126, 196, 129,
];

/// Where the manifest store is in a BMFF file: (offset, length) of the
/// JUMBF inside the file's one C2PA box, whose purpose is `manifest`.
/// `None` when there is no such box, more than one C2PA box (an update
/// manifest, Merkle boxes) or the file is not a clean run of boxes.
pub(crate) fn manifest_store<R: Read + Seek>(f: &mut R) -> std::io::Result<Option<(u64, u64)>> {
    // uuid + version/flags + "manifest\0" + the 8-byte Merkle offset.
    const AFTER_HEADER: u64 = 16 + 4 + 9 + 8;
    let len = f.seek(SeekFrom::End(0))?;
    let mut store = None;
    let mut at = 0;
    while at < len {
        let Some(b) = box_at(f, at, len)? else {
            return Ok(None);
        };
        at += b.size;
        if &b.kind != b"uuid" || b.size < b.header + 16 {
            continue;
        }
        let mut head = [0u8; 16 + 4 + 9];
        let n = usize::try_from(b.size - b.header).map_or(head.len(), |n| n.min(head.len()));
        f.seek(SeekFrom::Start(b.at + b.header))?;
        f.read_exact(&mut head[..n])?;
        if head[..16] != C2PA_UUID {
            continue;
        }
        if store.is_some() || &head[20..] != b"manifest\0" || b.size < b.header + AFTER_HEADER {
            return Ok(None);
        }
        let jumbf_at = b.at + b.header + AFTER_HEADER;
        store = Some((jumbf_at, b.at + b.size - jumbf_at));
    }
    Ok(store)
}

/// Whether `exclusion` removes box `b` from the hash (c2pa's rules for a
/// top-level xpath: same type, the length if given, every data match).
fn excludes<R: Read + Seek>(
    f: &mut R,
    len: u64,
    b: &TopBox,
    exclusion: &TopExclusion,
) -> std::io::Result<Option<bool>> {
    if String::from_utf8_lossy(&b.kind) != exclusion.kind {
        return Ok(Some(false));
    }
    if exclusion.length.is_some_and(|l| l != b.size) {
        return Ok(Some(false));
    }
    let mut found = Vec::new();
    for (offset, value) in &exclusion.data {
        let Some(start) = b.at.checked_add(*offset) else {
            return Ok(None);
        };
        if start.saturating_add(value.len() as u64) > len {
            // c2pa fails reading past the end: let it say so.
            return Ok(None);
        }
        found.resize(value.len(), 0);
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut found)?;
        if &found != value {
            return Ok(Some(false));
        }
    }
    Ok(Some(true))
}

/// The BMFF hash of `f`: every top-level box no exclusion matches, in
/// order, each preceded by its offset when `with_offsets`. `None` when the
/// file is not a clean run of top-level boxes.
pub(crate) fn hash_file<R: Read + Seek>(
    f: &mut R,
    exclusions: &[TopExclusion],
    with_offsets: bool,
    alg: Alg,
) -> std::io::Result<Option<Vec<u8>>> {
    let len = f.seek(SeekFrom::End(0))?;
    let mut hasher = Hasher::new(alg);
    let mut buf = vec![0u8; usize::try_from(len).map_or(BLOCK, |n| n.clamp(1, BLOCK))];
    let mut at = 0;
    while at < len {
        let Some(b) = box_at(f, at, len)? else {
            return Ok(None);
        };
        let mut excluded = false;
        for ex in exclusions {
            match excludes(f, len, &b, ex)? {
                None => return Ok(None),
                Some(true) => excluded = true,
                Some(false) => {}
            }
        }
        if !excluded {
            if with_offsets {
                hasher.update(&b.at.to_be_bytes());
            }
            f.seek(SeekFrom::Start(b.at))?;
            let mut left = b.size;
            while left > 0 {
                let n = usize::try_from(left).map_or(buf.len(), |l| l.min(buf.len()));
                f.read_exact(&mut buf[..n])?;
                hasher.update(&buf[..n]);
                left -= n as u64;
            }
        }
        at += b.size;
    }
    Ok(Some(hasher.finalize()))
}

#[cfg(test)]
#[path = "bmff_hash_tests.rs"]
mod tests;
