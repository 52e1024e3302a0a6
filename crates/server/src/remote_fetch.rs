//! The remote-manifest fetcher both faces hand the verifier: tamga-net's
//! client under its remote-manifest policy (https only, plain http only on
//! loopback; a timeout and a size cap), behind tamga-label's per-URL cache.
//! tamga-label itself does no HTTP.

use std::sync::Arc;

use tamga_label::remote::{CachedFetcher, FetchError, FetchManifest};
use tamga_net::{HttpClient, NetError, RequestLimits, Scheme};

/// The media type of a C2PA manifest store.
const C2PA_MIME: &str = "application/c2pa";

/// At most this many bytes of fetched stores are kept per fetcher (a CLI
/// run, a server process); past it, stores are fetched each time.
const CACHE_BYTES: usize = 64 << 20;

/// A fetcher for remote manifest stores, caching by URL for its lifetime.
pub fn manifest_fetcher() -> Arc<dyn FetchManifest> {
    let client = HttpClient::new(Scheme::HttpsOrLoopback, RequestLimits::REMOTE_MANIFEST);
    Arc::new(CachedFetcher::new(
        move |url: &str| fetch(&client, url),
        CACHE_BYTES,
    ))
}

fn fetch(client: &HttpClient, url: &str) -> Result<Vec<u8>, FetchError> {
    let failed = |e: NetError| FetchError {
        kind: e.kind(),
        message: e.to_string(),
    };
    let got = client.get(url, C2PA_MIME).map_err(failed)?;
    // A generic binary type is what many stores are served as; an HTML
    // page (a login wall, an error page) is not a manifest.
    if !matches!(
        got.content_type.as_str(),
        C2PA_MIME | "application/octet-stream" | ""
    ) {
        return Err(failed(NetError::ContentType {
            url: url.to_string(),
            expected: C2PA_MIME.into(),
            got: got.content_type,
        }));
    }
    Ok(got.body)
}
