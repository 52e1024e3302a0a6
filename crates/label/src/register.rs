//! Recording a label in a registry, so a copy stripped of its label can be
//! traced back to it (see `docs/registry.md`).
//!
//! The rule: registration happens after the labelled file is written to
//! its temporary file and before that file is renamed into place. If it
//! fails, the temporary file is dropped and labelling fails with
//! [`LabelError::Registry`]: a label that should be in the registry and is
//! not would be unrecoverable without anyone knowing.

use std::{
    fmt,
    io::{Cursor, Read, Seek, SeekFrom},
    path::Path,
    sync::{Arc, Mutex},
    time::SystemTime,
};

use c2pa::{Context, Reader};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tamga_fingerprint::ContentCode;
use tamga_registry::{Binding, NewRecord, Registry, RegistryError};

use crate::{soft_binding::ISCC_ALG, AiInvolvement, LabelError, MediaFormat};

/// A registry shared by the labelling threads of one process. One
/// connection behind a lock: a registration is one short transaction,
/// next to the seconds signing takes.
#[derive(Clone)]
pub struct SharedRegistry {
    inner: Arc<Mutex<Registry>>,
    url: String,
}

impl SharedRegistry {
    /// Shares an open registry.
    pub fn new(registry: Registry) -> Self {
        Self {
            url: registry.url().to_string(),
            inner: Arc::new(Mutex::new(registry)),
        }
    }

    /// Opens the registry at `url` (see [`Registry::open`]).
    pub fn open(url: &str) -> Result<Self, RegistryError> {
        Registry::open(url).map(Self::new)
    }

    /// The URL, password redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs `f` on the registry. A lock poisoned by a panicking thread is
    /// taken anyway: the registry's own transactions keep it consistent.
    pub fn with<R>(&self, f: impl FnOnce(&mut Registry) -> R) -> R {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

impl fmt::Debug for SharedRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedRegistry")
            .field("url", &self.url)
            .finish()
    }
}

/// A label recorded in a registry: what a caller reports so the user can
/// find it there again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Registered {
    /// The recorded manifest's label (`urn:c2pa:…`), the registry's key.
    pub manifest: String,
    /// The registry's URL, password redacted.
    pub registry: String,
}

/// What one registration records besides the written file.
pub(crate) struct Registration<'a> {
    pub(crate) registry: &'a SharedRegistry,
    pub(crate) context: &'a Arc<Context>,
    /// The file as the user knows it, for errors.
    pub(crate) path: &'a Path,
    pub(crate) format: MediaFormat,
    pub(crate) content: Option<&'a ContentCode>,
    /// The invisible watermark's payload bytes, when the content has one.
    pub(crate) watermark: Option<(&'static str, Vec<u8>)>,
    /// What the content is, as far as AI goes; `None` when nobody said
    /// (a distributor publishing a file with no AI disclosure).
    pub(crate) ai: Option<AiInvolvement>,
}

impl Registration<'_> {
    /// Records the label whose store is `store`, for the file whose bytes
    /// (as written) `written` holds; returns what was recorded.
    pub(crate) fn record(
        &self,
        store: Vec<u8>,
        written: &mut (impl Read + Seek),
    ) -> Result<Registered, LabelError> {
        let path = self.path;
        let io = |e| LabelError::io(path, e);
        written.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut tee = HashingReader {
            inner: written,
            sha: Sha256::new(),
        };
        let codes = tamga_fingerprint::data_codes(&mut tee).map_err(io)?;
        let sha256 = tee.sha.finalize().to_vec();
        // The store read as a repository would read it: this gives the
        // manifest id and the signer exactly as recovery will see them.
        let reader = Reader::from_shared_context(self.context)
            .with_manifest_data_and_stream(
                &store,
                crate::text_sign::STORE_FORMAT,
                Cursor::new(Vec::new()),
            )
            .map_err(|e| LabelError::c2pa(path, &e))?;
        let manifest_id = reader
            .active_label()
            .ok_or_else(|| LabelError::C2pa {
                path: path.into(),
                message: "the signed store has no active manifest".into(),
            })?
            .to_string();
        let signer = reader
            .active_manifest()
            .and_then(|m| m.signature_info())
            .and_then(|s| s.issuer.clone().or_else(|| s.common_name.clone()));
        let mut bindings = Vec::with_capacity(4);
        if let Some(code) = self.content {
            bindings.extend(crate::content_match::bindings(code));
        }
        bindings.push(Binding::new(
            ISCC_ALG,
            "data",
            codes.data.to_be_bytes().to_vec(),
        ));
        bindings.push(Binding::new(ISCC_ALG, "instance", codes.instance.to_vec()));
        if let Some((alg, payload)) = &self.watermark {
            bindings.push(Binding::new(
                *alg,
                crate::watermark::WATERMARK_KIND,
                payload.clone(),
            ));
        }
        let record = NewRecord {
            manifest_id,
            store,
            media_type: self.format.mime().to_string(),
            hard_hash: Some(sha256),
            bindings,
            signer,
            ai: self.ai.map(AiInvolvement::iptc_uri),
            created: SystemTime::now(),
        };
        self.registry
            .with(|r| r.record(&record))
            .map_err(|source| LabelError::Registry {
                path: path.into(),
                source: Box::new(source),
            })?;
        Ok(Registered {
            manifest: record.manifest_id,
            registry: self.registry.url().to_string(),
        })
    }
}

impl Registration<'_> {
    /// Records a text label from its wrapper (the store inside it), for
    /// the text whose bytes `written` holds.
    pub(crate) fn record_text(
        &self,
        wrapper: &str,
        written: &mut (impl Read + Seek),
    ) -> Result<Registered, LabelError> {
        let store = tamga_text::scan(wrapper.as_bytes())
            .single()
            .ok()
            .flatten()
            .map(|w| w.manifest)
            .ok_or_else(|| LabelError::C2pa {
                path: self.path.into(),
                message: "the label just made cannot be read back".into(),
            })?;
        self.record(store, written)
    }
}

/// Hashes what passes through, so the file is read once for the Data-,
/// Instance-Code and SHA-256.
struct HashingReader<'a, R> {
    inner: &'a mut R,
    sha: Sha256,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}
