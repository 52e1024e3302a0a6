//! Remote manifests: a file whose XMP `dcterms:provenance` points to a URL
//! where its manifest store lives (as Adobe's cloud writes them).
//!
//! tamga-label does no HTTP itself. Without a fetcher a remote label is its
//! own verdict, `remote` ("stored at URL, not fetched"): nothing about it is
//! verified. With one, given by the face (the CLI and the server build it on
//! tamga-net), the store is fetched and verified against the file like an
//! embedded one.

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex, OnceLock},
};

/// Fetches a manifest store by URL. The caller decides how (scheme policy,
/// timeout, size limit); errors are reported against the file, and a batch
/// goes on.
pub trait FetchManifest: Send + Sync + fmt::Debug {
    /// The store's bytes (`application/c2pa`) at `url`.
    fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError>;
}

/// Why a remote manifest could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    /// A short stable name for the cause (e.g. `http-status`, `too-large`).
    pub kind: &'static str,
    /// What happened, naming the URL.
    pub message: String,
}

/// A fetcher that asks `inner` once per URL and remembers the answer,
/// failures included, for as long as it lives: within one run of the CLI,
/// or one server process.
///
/// In memory, not on disk: a run's remote stores are few and small
/// (16 MB each at most under tamga-net's limits), a disk cache would need
/// a place, permissions and expiry, and a stale store read from disk
/// after the server changed it would verify something nobody asked about.
/// Remembering failures keeps a batch of files pointing at one dead host
/// from waiting out one timeout per file. The cache holds at most `budget`
/// bytes of stores; past that, answers are fetched but not kept.
/// Concurrent requests for one URL make one fetch.
pub struct CachedFetcher<F> {
    inner: F,
    budget: usize,
    state: Mutex<Cache>,
}

/// One URL's answer, filled once: workers asking for a URL being fetched
/// wait for that fetch instead of starting another.
type Cell = Arc<OnceLock<Result<Arc<Vec<u8>>, FetchError>>>;

#[derive(Default)]
struct Cache {
    bytes: usize,
    answers: HashMap<String, Cell>,
}

impl<F> CachedFetcher<F> {
    /// Caches `inner`'s answers, up to `budget` bytes of stores.
    pub fn new(inner: F, budget: usize) -> Self {
        Self {
            inner,
            budget,
            state: Mutex::new(Cache::default()),
        }
    }
}

impl<F> fmt::Debug for CachedFetcher<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedFetcher")
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl<F> FetchManifest for CachedFetcher<F>
where
    F: Fn(&str) -> Result<Vec<u8>, FetchError> + Send + Sync,
{
    fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let cell = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            state.answers.entry(url.to_string()).or_default().clone()
        };
        // Fetched outside the map's lock: one slow host holds up only the
        // workers that want the same URL.
        let mut fresh = false;
        let answer = cell
            .get_or_init(|| {
                fresh = true;
                (self.inner)(url).map(Arc::new)
            })
            .clone();
        if fresh {
            let size = answer.as_ref().map_or(0, |b| b.len());
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if state.bytes + size <= self.budget {
                state.bytes += size;
            } else {
                state.answers.remove(url);
            }
        }
        answer.map(|b| b.as_ref().clone())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn each_url_is_fetched_once_and_failures_are_remembered() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let f = CachedFetcher::new(
            move |url: &str| {
                seen.fetch_add(1, Ordering::SeqCst);
                if url.ends_with("bad") {
                    Err(FetchError {
                        kind: "http-status",
                        message: format!("{url} answered HTTP 404"),
                    })
                } else {
                    Ok(url.as_bytes().to_vec())
                }
            },
            1024,
        );
        assert_eq!(f.fetch("https://a/x").unwrap(), b"https://a/x");
        assert_eq!(f.fetch("https://a/x").unwrap(), b"https://a/x");
        assert!(f.fetch("https://a/bad").is_err());
        assert!(f.fetch("https://a/bad").is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn past_the_budget_answers_are_not_kept() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let f = CachedFetcher::new(
            move |_: &str| {
                seen.fetch_add(1, Ordering::SeqCst);
                Ok(vec![0u8; 10])
            },
            15,
        );
        f.fetch("u1").unwrap();
        f.fetch("u1").unwrap();
        f.fetch("u2").unwrap();
        f.fetch("u2").unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
}
