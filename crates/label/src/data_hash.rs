//! tamga's own check of a `c2pa.hash.data` hard binding.
//!
//! Where tamga places the manifest itself (WAV streaming, text wrappers),
//! c2pa validates the store against an empty stand-in asset and tamga
//! recomputes the one check that needs the asset: the hash of every byte
//! outside the exclusions, with the assertion's algorithm — the same check
//! c2pa makes, without c2pa's whole-range buffers.

use sha2::{Digest, Sha256, Sha384, Sha512};

/// The outcome of checking a data hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HashCheck {
    /// The hash over the non-excluded bytes matches the assertion.
    Match,
    /// It does not.
    Mismatch,
    /// The exclusions do not cover where the manifest actually is
    /// (`assertion.dataHash.malformed` for text).
    Misplaced,
}

/// The active manifest's hard binding, as c2pa's detailed JSON shows it.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    pub(crate) alg: Alg,
    pub(crate) hash: Vec<u8>,
    /// (start, length) pairs, in bytes.
    pub(crate) exclusions: Vec<(u64, u64)>,
}

/// The hash algorithms C2PA allows for data hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alg {
    Sha256,
    Sha384,
    Sha512,
}

impl Binding {
    /// The single `c2pa.hash.*` assertion of manifest `active`, if it is a
    /// data hash tamga can recompute. `None` for several hard bindings, an
    /// unknown algorithm or an unreadable assertion: c2pa's business then.
    pub(crate) fn of_active(detailed: &serde_json::Value, active: &str) -> Option<Self> {
        use base64::Engine as _;
        let store = detailed
            .pointer(&format!(
                "/manifests/{}/assertion_store",
                json_pointer_escape(active)
            ))?
            .as_object()?;
        let mut hard = store.iter().filter(|(k, _)| k.starts_with("c2pa.hash."));
        let (label, dh) = hard.next()?;
        if hard.next().is_some() || !label.starts_with("c2pa.hash.data") {
            return None;
        }
        let hash = base64::engine::general_purpose::STANDARD
            .decode(dh.get("hash")?.as_str()?)
            .ok()?;
        let alg = Alg::parse(dh.get("alg").and_then(|a| a.as_str()).unwrap_or("sha256"))?;
        let mut exclusions = Vec::new();
        for ex in dh
            .get("exclusions")
            .and_then(|e| e.as_array())
            .into_iter()
            .flatten()
        {
            exclusions.push((ex.get("start")?.as_u64()?, ex.get("length")?.as_u64()?));
        }
        Some(Self {
            alg,
            hash,
            exclusions,
        })
    }

    /// Whether `parts`, hashed in order, give the asserted hash.
    pub(crate) fn matches<'a>(&self, parts: impl IntoIterator<Item = &'a [u8]>) -> bool {
        let mut h = Hasher::new(self.alg);
        for p in parts {
            h.update(p);
        }
        h.finalize() == self.hash
    }
}

impl Alg {
    /// The algorithm C2PA names `name`, if it is one of the allowed ones.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }
}

/// One of the allowed digests, chosen at run time.
pub(crate) enum Hasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    pub(crate) fn new(alg: Alg) -> Self {
        match alg {
            Alg::Sha256 => Self::Sha256(Sha256::new()),
            Alg::Sha384 => Self::Sha384(Sha384::new()),
            Alg::Sha512 => Self::Sha512(Sha512::new()),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    pub(crate) fn finalize(self) -> Vec<u8> {
        match self {
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// The digest of everything `r` yields, read a block at a time (c2pa's
/// `hash_stream_by_alg` reads through buffers of up to 256 MB).
pub(crate) fn hash_reader<R: std::io::Read>(alg: Alg, r: &mut R) -> std::io::Result<Vec<u8>> {
    let mut h = Hasher::new(alg);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(h.finalize()),
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn json_pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
