//! What every request shares, built once at startup: the verifier and the
//! gates (trust settings parsed once), the labelling key, the token
//! digests, the concurrency slots, the private upload folder, the metrics.

use std::{collections::BTreeMap, sync::Arc};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tamga_gate::{Declarations, Gate, Policy};
use tamga_keys::SigningIdentity;
use tamga_label::{TrustConfig, Verifier, VerifyOptions};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{
    config::{KeySource, ServerConfig},
    error::ApiError,
    metrics::Metrics,
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
    /// SHA-256 of each bearer token: compared in constant time, and the
    /// tokens themselves are not kept.
    token_digests: Vec<[u8; 32]>,
    slots: Arc<Semaphore>,
    /// The threads that verify and label (`workers` of them). Requests
    /// wait for one asynchronously; the slots bound how many wait.
    pool: rayon::ThreadPool,
    /// Private (0700) folder for uploads; each request gets its own
    /// subfolder, removed when the request ends.
    pub uploads: tempfile::TempDir,
    /// The metrics.
    pub metrics: Metrics,
    /// What `GET /v1/trust` answers.
    pub trust_document: Value,
}

impl AppState {
    /// Builds the state; fails on unreadable trust lists or keys.
    pub fn new(config: ServerConfig) -> Result<Self, String> {
        let trust = TrustConfig::from_files(config.anchors.as_deref(), config.allowed.as_deref())
            .map_err(|e| e.to_string())?;
        let mut options = VerifyOptions::default();
        options.trust = trust.clone();
        let verifier = Verifier::new(options.clone()).map_err(|e| e.to_string())?;
        let mut gates = BTreeMap::new();
        for name in ["kz", "eu", "cn"] {
            let policy = Policy::load(name).map_err(|e| e.to_string())?;
            let gate = Gate::new(policy, options.clone(), Declarations::default())
                .map_err(|e| e.to_string())?;
            gates.insert(name, gate);
        }
        let identity = match &config.keys {
            None => None,
            Some(KeySource::Dir(d)) => {
                Some(SigningIdentity::from_dir(d, None).map_err(|e| e.to_string())?)
            }
            Some(KeySource::Files { cert, key }) => {
                Some(SigningIdentity::load(cert, key, None).map_err(|e| e.to_string())?)
            }
        };
        let token_digests = config.tokens.iter().map(|t| digest(t)).collect();
        let uploads = tempfile::Builder::new()
            .prefix("tamga-serve-")
            .tempdir()
            .map_err(|e| format!("cannot make the upload folder: {e}"))?;
        restrict(uploads.path())?;
        let trust_document = json!({
            "anchors": describe(trust.anchors_pem.as_deref()),
            "allowed": describe(trust.allowed_pem.as_deref()),
        });
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.workers)
            .thread_name(|i| format!("tamga-verify-{i}"))
            .build()
            .map_err(|e| format!("cannot start the worker threads: {e}"))?;
        Ok(Self {
            slots: Arc::new(Semaphore::new(config.max_concurrent)),
            pool,
            config,
            verifier,
            gates,
            identity,
            token_digests,
            uploads,
            metrics: Metrics::new(),
            trust_document,
        })
    }

    /// A slot for CPU-heavy work, or 429 at once: clients retry, the
    /// server never queues more than it can hold.
    pub fn slot(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.slots.clone().try_acquire_owned().map_err(|_| {
            self.metrics.busy();
            ApiError::busy()
        })
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

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(unix)]
fn restrict(dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("{}: {e}", dir.display()))
}

#[cfg(not(unix))]
fn restrict(_dir: &std::path::Path) -> Result<(), String> {
    Ok(())
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
}
