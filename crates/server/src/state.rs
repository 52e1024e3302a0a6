//! What every request shares, built once at startup: the verifier and the
//! gates (trust settings parsed once), the labelling key, the token
//! digests, the upload and work slots, the private upload folder, the
//! metrics.

use std::{collections::BTreeMap, sync::Arc};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tamga_gate::{Declarations, Gate, Policy};
use tamga_keys::SigningIdentity;
use tamga_label::{SharedRegistry, TrustConfig, Verifier, VerifyOptions};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{
    config::{KeySource, ServerConfig},
    error::ApiError,
    folder::UploadRoot,
    metrics::Metrics,
    upload::MEMORY_BYTES_PER_REQUEST,
};

/// The shared state.
pub struct AppState {
    /// The resolved configuration.
    pub config: ServerConfig,
    /// Verifies uploads.
    pub verifier: Verifier,
    /// The gate per preset (`kz`, `eu`, `cn`).
    pub gates: BTreeMap<&'static str, Gate>,
    /// The key `/v1/label` signs with.
    pub identity: Option<SigningIdentity>,
    /// The time-stamp authority's token size, measured by the first label
    /// and reused by every later one: without it each request's signer
    /// would probe the authority before asking it for the real token.
    pub token_sizes: tamga_keys::TokenSizes,
    /// SHA-256 of each bearer token: compared in constant time, and the
    /// tokens themselves are not kept.
    token_digests: Vec<[u8; 32]>,
    /// Work slots (`max_concurrent`): taken once an upload is received,
    /// held until its work ends.
    slots: Arc<Semaphore>,
    /// Upload slots (`max_uploads`): held while a body is received, so a
    /// client still sending (however slowly) holds no work slot.
    upload_slots: Arc<Semaphore>,
    /// Bytes of uploads that may be held in memory across all requests
    /// (`max_concurrent` × 4 MB, as when only working requests could
    /// upload); past it, uploads go to disk.
    memory: Arc<Semaphore>,
    /// The threads that verify and label (`workers` of them). Requests
    /// wait for one asynchronously; the slots bound how many wait.
    pool: rayon::ThreadPool,
    /// Private (0700) folder for uploads; each request gets its own
    /// subfolder, removed when the request ends.
    pub uploads: UploadRoot,
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// What `GET /v1/trust` answers.
    pub trust_document: Value,
    /// The label registry, if configured: `/v1/label` records every label
    /// in it, `/v1/verify` looks unlabelled uploads up in it, and the
    /// soft-binding API answers from it. One connection behind a lock,
    /// shared by all three: a lookup or a registration is one short
    /// transaction, and SQLite allows one writer anyway; PostgreSQL
    /// deployments scale by running more `tamga serve` processes against
    /// one database.
    ///
    /// Every call on it runs on a worker thread ([`AppState::run`]), never
    /// on an async one: the synchronous PostgreSQL client drives a tokio
    /// runtime of its own, which tokio refuses to start inside another.
    pub registry: Option<SharedRegistry>,
}

use crate::start_error::StartError;

impl AppState {
    /// Builds the state; fails on unreadable trust lists or keys.
    pub fn new(config: ServerConfig) -> Result<Self, StartError> {
        let trust = TrustConfig::from_files(config.anchors.as_deref(), config.allowed.as_deref())
            .map_err(|e| StartError::Trust(Box::new(e)))?;
        let registry = match &config.registry {
            None => None,
            Some(url) => Some(
                off_runtime(|| SharedRegistry::open(url))
                    .map_err(|e| StartError::Registry(Box::new(e)))?,
            ),
        };
        let mut options = VerifyOptions::default();
        options.trust = trust.clone();
        // An upload with no label is looked up in the registry, by
        // `/v1/verify` and by every gate, as `tamga verify --registry` does.
        options.registry = registry.clone();
        if config.remote == crate::config::RemoteMode::Fetch {
            options.remote = Some(crate::remote_fetch::manifest_fetcher());
        }
        let verifier =
            Verifier::new(options.clone()).map_err(|e| StartError::Verifier(Box::new(e)))?;
        let mut gates = BTreeMap::new();
        for name in ["kz", "eu", "cn"] {
            let policy = Policy::load(name).map_err(|source| StartError::Policy {
                name,
                source: Box::new(source),
            })?;
            let gate =
                Gate::new(policy, options.clone(), Declarations::default()).map_err(|source| {
                    StartError::Gate {
                        name,
                        source: Box::new(source),
                    }
                })?;
            gates.insert(name, gate);
        }
        let identity = match &config.keys {
            None => None,
            Some(KeySource::Dir(d)) => Some(
                SigningIdentity::from_dir(d, None).map_err(|e| StartError::Keys(Box::new(e)))?,
            ),
            Some(KeySource::Files { cert, key }) => Some(
                SigningIdentity::load(cert, key, None)
                    .map_err(|e| StartError::Keys(Box::new(e)))?,
            ),
        };
        let token_digests = config.tokens.iter().map(|t| digest(t)).collect();
        let uploads = UploadRoot::create_in(&std::env::temp_dir()).map_err(StartError::Uploads)?;
        let stale = uploads.remove_stale_siblings();
        if stale > 0 {
            tracing::info!(
                stale,
                "removed upload folders left by servers that were killed"
            );
        }
        let trust_document = json!({
            "anchors": describe(trust.anchors_pem.as_deref()),
            "allowed": describe(trust.allowed_pem.as_deref()),
        });
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.workers)
            .thread_name(|i| format!("tamga-verify-{i}"))
            .build()
            .map_err(StartError::Workers)?;
        Ok(Self {
            slots: Arc::new(Semaphore::new(config.max_concurrent)),
            upload_slots: Arc::new(Semaphore::new(config.max_uploads)),
            memory: Arc::new(Semaphore::new(memory_budget(config.max_concurrent))),
            pool,
            config,
            verifier,
            gates,
            identity,
            token_sizes: tamga_keys::TokenSizes::new(),
            token_digests,
            uploads,
            metrics: Arc::new(Metrics::new()),
            trust_document,
            registry,
        })
    }

    /// A slot for CPU-heavy work, or 429 at once: clients retry, the
    /// server never queues more than it can hold. Taken once the upload is
    /// received, so only requests ready to work compete for it.
    pub fn slot(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.slots.clone().try_acquire_owned().map_err(|_| {
            self.metrics.busy();
            ApiError::busy()
        })
    }

    /// A slot to receive an upload in, or 429 at once. Before it, a
    /// request is refused at once if every work slot is taken: its upload
    /// would most likely be refused once received.
    pub fn upload_slot(&self) -> Result<UploadSlot, ApiError> {
        let busy = || {
            self.metrics.busy();
            ApiError::busy()
        };
        if self.slots.available_permits() == 0 {
            return Err(busy());
        }
        let permit = self
            .upload_slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| busy())?;
        self.metrics.uploads(1);
        Ok(UploadSlot {
            _permit: permit,
            metrics: self.metrics.clone(),
        })
    }

    /// The server-wide budget of upload bytes held in memory.
    pub(crate) fn memory_pool(&self) -> Arc<Semaphore> {
        self.memory.clone()
    }

    /// Runs CPU-heavy `work` on a worker thread and waits for it without
    /// holding an async thread. A panic in `work` is a 500 for this request
    /// only; a file that stalls the parsers is cut off by the library's
    /// own watchdog (per-file deadline), so a worker is never lost to it.
    ///
    /// `slot` is held until the work ends, not just the request: a client
    /// that hangs up does not free room for more work than the slots allow.
    pub async fn run<T: Send + 'static>(
        &self,
        slot: OwnedSemaphorePermit,
        work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            drop(slot);
            let _ = tx.send(out);
        });
        match rx.await {
            Ok(Ok(result)) => result,
            Ok(Err(_panic)) => Err(ApiError::internal("the worker failed on this request")),
            Err(_) => Err(ApiError::internal("the worker went away")),
        }
    }

    /// Whether labelling is configured (a key and at least one token).
    pub fn labelling_enabled(&self) -> bool {
        self.identity.is_some() && !self.token_digests.is_empty()
    }

    /// Whether `token` is one of the configured tokens. Every configured
    /// digest is compared, in constant time, so timing says nothing about
    /// which token or how much of it matched.
    pub fn token_ok(&self, token: &str) -> bool {
        let d = digest(token);
        let mut ok = subtle::Choice::from(0);
        for t in &self.token_digests {
            ok |= t.ct_eq(&d);
        }
        ok.into()
    }
}

/// Runs `f` on a plain thread and waits for it when called from inside a
/// tokio runtime (a sync PostgreSQL call there panics); at once otherwise.
pub(crate) fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// Held while a request's body is received.
pub struct UploadSlot {
    _permit: OwnedSemaphorePermit,
    metrics: Arc<Metrics>,
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        self.metrics.uploads(-1);
    }
}

/// `max_concurrent` × 4 MB, within what a semaphore counts.
fn memory_budget(max_concurrent: usize) -> usize {
    let per = usize::try_from(MEMORY_BYTES_PER_REQUEST).unwrap_or(usize::MAX);
    max_concurrent
        .saturating_mul(per)
        .min(Semaphore::MAX_PERMITS)
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Each certificate of a PEM bundle, for auditors.
fn describe(pem: Option<&str>) -> Value {
    Value::Array(
        tamga_keys::describe_certificates(pem.unwrap_or_default())
            .into_iter()
            .map(|c| serde_json::to_value(c).unwrap_or(Value::Null))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_exactly_and_only_configured_ones() {
        let c = ServerConfig {
            tokens: vec!["0123456789abcdef-cms".into(), "fedcba9876543210-web".into()],
            ..ServerConfig::default()
        };
        let s = AppState::new(c).unwrap();
        assert!(s.token_ok("0123456789abcdef-cms"));
        assert!(s.token_ok("fedcba9876543210-web"));
        assert!(!s.token_ok("0123456789abcdef-cm"));
        assert!(!s.token_ok("0123456789abcdef-cms "));
        assert!(!s.token_ok(""));
        // No key configured: labelling stays off even with tokens.
        assert!(!s.labelling_enabled());
    }

    #[test]
    fn a_start_failure_says_its_cause() {
        let dir = std::env::temp_dir().join(format!("tamga-start-{}", std::process::id()));
        let missing = dir.join("no-such-anchors.pem");
        let c = ServerConfig {
            anchors: Some(missing.clone()),
            ..ServerConfig::default()
        };
        let e = AppState::new(c)
            .err()
            .expect("a missing trust list stops the start");
        assert!(matches!(e, StartError::Trust(_)), "{e:?}");
        assert_eq!(e.kind(), "trust");
        assert!(e.to_string().contains("no-such-anchors.pem"), "{e}");

        let c = ServerConfig {
            keys: Some(crate::config::KeySource::Dir(dir.join("no-keys"))),
            ..ServerConfig::default()
        };
        let e = AppState::new(c)
            .err()
            .expect("a missing key folder stops the start");
        assert!(matches!(e, StartError::Keys(_)), "{e:?}");
        assert_eq!(e.kind(), "keys");
    }
}
