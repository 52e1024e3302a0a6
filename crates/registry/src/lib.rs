//! A registry of signed labels: it stores each manifest store with its soft
//! bindings (fingerprints, watermarks) and its hard-binding hash, and finds
//! it again when a file arrives without its label — by exact hash, by exact
//! binding value, or by the nearest 64-bit fingerprint.
//!
//! Two back ends share one schema and one numbered list of migrations:
//! SQLite (`sqlite:PATH`, `sqlite::memory:`; embedded, the default) and
//! PostgreSQL (`postgres://…`, `postgresql://…`; shared by several servers).
//! Opening a registry brings its schema up to date; a schema newer than the
//! binary is refused ([`RegistryError::NewerSchema`]). Nearest lookups use
//! multi-index hashing over four 16-bit bands ([`bands`] explains why it is
//! exact up to [`MAX_DISTANCE`]). The crate knows nothing of C2PA beyond
//! keeping the manifest store's bytes.
//!
//! ```
//! # fn main() -> Result<(), tamga_registry::RegistryError> {
//! use tamga_registry::{Binding, MatchedBy, NewRecord, Registry};
//!
//! let mut registry = Registry::open("sqlite::memory:")?;
//! let code: u64 = 0x5a5a_0f0f_3c3c_9999;
//! registry.record(&NewRecord {
//!     manifest_id: "urn:c2pa:3fad1ead-8ed5-44d0-873b-ea5f58adea82".into(),
//!     store: b"jumbf manifest store".to_vec(),
//!     media_type: "image/jpeg".into(),
//!     hard_hash: Some(vec![7; 32]),
//!     bindings: vec![Binding::new("io.iscc.v0", "image", code.to_be_bytes().to_vec())],
//!     signer: Some("Example Newsroom".into()),
//!     ai: Some("trainedAlgorithmicMedia".into()),
//!     created: std::time::SystemTime::UNIX_EPOCH,
//! })?;
//!
//! // The same picture after a re-encode: three bits of its code changed.
//! let found = registry.nearest("io.iscc.v0", "image", code ^ 0b1011, 12, 10)?;
//! assert_eq!(found[0].distance, 3);
//! assert_eq!(found[0].manifest_id, "urn:c2pa:3fad1ead-8ed5-44d0-873b-ea5f58adea82");
//!
//! let exact = registry.by_hash(&[7; 32])?;
//! assert_eq!(exact[0].by, MatchedBy::HardHash);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Tests may unwrap: a panic there is a test failure with a backtrace.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod bands;
mod error;
mod migrations;
mod pg;
mod sqlite;
#[cfg(feature = "test-support")]
pub mod test_support;
mod url;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

pub use bands::MAX_DISTANCE;
pub use error::{redact, BackendError, RegistryError};
pub use migrations::SCHEMA_VERSION;

/// A soft binding of a manifest: a fingerprint or watermark value under the
/// algorithm that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The C2PA soft-binding algorithm, e.g. `io.iscc.v0`.
    pub alg: String,
    /// What the value describes: `image`, `audio`, `text`, `data`,
    /// `instance` or `watermark`. [`Registry::nearest`] searches one kind.
    pub kind: String,
    /// The value. An 8-byte value is a 64-bit code (big-endian) and is
    /// indexed for nearest lookups; any other length only for exact ones.
    pub value: Vec<u8>,
}

impl Binding {
    /// A binding from its parts.
    pub fn new(alg: impl Into<String>, kind: impl Into<String>, value: Vec<u8>) -> Self {
        Self {
            alg: alg.into(),
            kind: kind.into(),
            value,
        }
    }

    /// The 64-bit code this binding's value holds, if it is 8 bytes long.
    pub fn code(&self) -> Option<u64> {
        <[u8; 8]>::try_from(self.value.as_slice())
            .ok()
            .map(u64::from_be_bytes)
    }
}

/// A label to record.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// The active manifest's label (`urn:c2pa:…`), the record's key.
    pub manifest_id: String,
    /// The JUMBF manifest store, as embedded in the file.
    pub store: Vec<u8>,
    /// The media type of the file the store was made for.
    pub media_type: String,
    /// The SHA-256 of the file as signed, for exact lookups.
    pub hard_hash: Option<Vec<u8>>,
    /// The soft bindings.
    pub bindings: Vec<Binding>,
    /// Who signed it, for reports.
    pub signer: Option<String>,
    /// The AI disclosure (a C2PA digital source type), for reports.
    pub ai: Option<String>,
    /// When it was signed.
    pub created: SystemTime,
}

/// What [`Registry::record`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The manifest was new and is now stored.
    New,
    /// A manifest with this id was already stored; nothing changed.
    Existing,
}

/// How a match was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchedBy {
    /// The file's hash equals the manifest's hard-binding hash.
    HardHash,
    /// A binding of the manifest matched (exactly or within a distance).
    Binding {
        /// The binding's algorithm.
        alg: String,
        /// The binding's kind.
        kind: String,
    },
}

/// A manifest found by a lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The manifest's id; [`Registry::manifest`] returns it.
    pub manifest_id: String,
    /// How it was found.
    pub by: MatchedBy,
    /// Hamming distance between the query and the stored code (0 for exact
    /// matches).
    pub distance: u32,
}

/// A stored manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredManifest {
    /// The active manifest's label.
    pub id: String,
    /// The JUMBF manifest store.
    pub store: Vec<u8>,
    /// The media type of the file it was made for.
    pub media_type: String,
    /// The SHA-256 of the file as signed.
    pub hard_hash: Option<Vec<u8>>,
    /// Who signed it.
    pub signer: Option<String>,
    /// The AI disclosure.
    pub ai: Option<String>,
    /// When it was signed (millisecond precision).
    pub created: SystemTime,
}

/// An open registry. One connection: share it behind a lock, or open one
/// per worker (SQLite's WAL and PostgreSQL both allow concurrent writers).
pub struct Registry {
    backend: Backend,
    url: String,
}

enum Backend {
    Sqlite(sqlite::Db),
    Postgres(pg::Db),
}

/// Dispatches one call to the back end.
macro_rules! dispatch {
    ($self:ident, $db:ident => $call:expr) => {
        match &mut $self.backend {
            Backend::Sqlite($db) => $call,
            Backend::Postgres($db) => $call,
        }
    };
}

impl Registry {
    /// Opens (creating if need be) the registry at `url` and brings its
    /// schema up to date: `sqlite:PATH`, `sqlite::memory:`, or a PostgreSQL
    /// URL (`postgres://user:password@host:port/db`, a unix socket with
    /// `?host=/run/postgresql`).
    pub fn open(url: &str) -> Result<Self, RegistryError> {
        let backend = match url::parse(url)? {
            url::Target::Sqlite(path) => Backend::Sqlite(sqlite::Db::open(path)?),
            url::Target::Postgres(config) => {
                Backend::Postgres(pg::Db::open(&config, &redact(url))?)
            }
        };
        Ok(Self {
            backend,
            url: redact(url),
        })
    }

    /// Where tamga keeps its registry by default:
    /// `$XDG_DATA_HOME/tamga/registry.sqlite` (`~/.local/share/tamga/…` on
    /// Linux, the platform's data folder elsewhere); `None` when the system
    /// has no home folder.
    pub fn default_sqlite_path() -> Option<PathBuf> {
        dirs::data_dir().map(|d| d.join("tamga").join("registry.sqlite"))
    }

    /// The URL this registry was opened with, password redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema version of the database (after migrations ran).
    pub fn schema_version(&mut self) -> Result<i64, RegistryError> {
        dispatch!(self, db => db.schema_version())
    }

    /// Records a label. Recording the same manifest id again changes
    /// nothing and returns [`Recorded::Existing`], also when two writers
    /// race: the first commit wins.
    pub fn record(&mut self, record: &NewRecord) -> Result<Recorded, RegistryError> {
        check_record(record)?;
        dispatch!(self, db => db.record(record))
    }

    /// Records many labels in one transaction (imports, benchmarks); returns
    /// how many were new. Same rules as [`record`](Self::record).
    pub fn record_many(&mut self, records: &[NewRecord]) -> Result<u64, RegistryError> {
        records.iter().try_for_each(check_record)?;
        dispatch!(self, db => db.record_many(records))
    }

    /// Manifests whose hard-binding hash, or whose `instance` binding, is
    /// exactly `hash`.
    pub fn by_hash(&mut self, hash: &[u8]) -> Result<Vec<Match>, RegistryError> {
        dispatch!(self, db => db.by_hash(hash))
    }

    /// Manifests with a binding of algorithm `alg` whose value is exactly
    /// `value` (the soft-binding API's `byBinding`).
    pub fn by_binding(&mut self, alg: &str, value: &[u8]) -> Result<Vec<Match>, RegistryError> {
        dispatch!(self, db => db.by_binding(alg, value))
    }

    /// Up to `limit` manifests with an `alg`/`kind` binding whose 64-bit
    /// code is within `max_distance` bits of `code`, nearest first (ties by
    /// id). Exact: every stored code within the distance is found.
    pub fn nearest(
        &mut self,
        alg: &str,
        kind: &str,
        code: u64,
        max_distance: u32,
        limit: usize,
    ) -> Result<Vec<Match>, RegistryError> {
        if max_distance > MAX_DISTANCE {
            return Err(RegistryError::Invalid {
                reason: format!(
                    "distance {max_distance} is beyond the {MAX_DISTANCE} bits nearest lookups support"
                ),
            });
        }
        let mut found = dispatch!(self, db => db.nearest(alg, kind, code, max_distance))?;
        // A manifest with several matching bindings counts once, nearest.
        found.sort_by(|a, b| (a.distance, &a.manifest_id).cmp(&(b.distance, &b.manifest_id)));
        let mut seen = std::collections::HashSet::new();
        found.retain(|m| seen.insert(m.manifest_id.clone()));
        found.truncate(limit);
        Ok(found)
    }

    /// The values of manifest `manifest_id`'s `alg`/`kind` bindings, in
    /// the order they were recorded: what confirms a nearest match on more
    /// than its 64-bit code (a 256-bit Audio-Code, say).
    pub fn bindings_of(
        &mut self,
        manifest_id: &str,
        alg: &str,
        kind: &str,
    ) -> Result<Vec<Vec<u8>>, RegistryError> {
        dispatch!(self, db => db.bindings_of(manifest_id, alg, kind))
    }

    /// The stored manifest with this id.
    pub fn manifest(&mut self, id: &str) -> Result<Option<StoredManifest>, RegistryError> {
        dispatch!(self, db => db.manifest(id))
    }

    /// Refreshes the query planner's statistics after a bulk import
    /// ([`record_many`](Self::record_many)); PostgreSQL also vacuums, so the
    /// band probes can be answered from the indexes alone.
    pub fn analyze(&mut self) -> Result<(), RegistryError> {
        dispatch!(self, db => db.analyze())
    }

    /// How many manifests are stored.
    pub fn count(&mut self) -> Result<u64, RegistryError> {
        dispatch!(self, db => db.count())
    }
}

fn check_record(record: &NewRecord) -> Result<(), RegistryError> {
    if record.manifest_id.is_empty() {
        return Err(RegistryError::Invalid {
            reason: "a record needs a manifest id".into(),
        });
    }
    Ok(())
}

/// A binding as stored: its code and bands when it has a 64-bit value.
pub(crate) struct BindingRow {
    pub(crate) code: Option<i64>,
    pub(crate) bands: [Option<i32>; bands::BANDS],
}

impl BindingRow {
    pub(crate) fn new(binding: &Binding) -> Self {
        let code = binding.code();
        Self {
            // Stored as the signed integer with the same bits: both
            // databases' 64-bit integers are signed.
            code: code.map(|c| c as i64),
            bands: code.map_or([None; bands::BANDS], |c| bands::bands(c).map(Some)),
        }
    }
}

/// Milliseconds since the Unix epoch, negative before it.
pub(crate) fn to_ms(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

pub(crate) fn from_ms(ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        SystemTime::UNIX_EPOCH + d
    } else {
        SystemTime::UNIX_EPOCH - d
    }
}

/// The distance of a stored code to the query, if within `max`.
pub(crate) fn within(stored: i64, query: u64, max: u32) -> Option<u32> {
    let d = (stored as u64 ^ query).count_ones();
    (d <= max).then_some(d)
}
