//! Why a request failed, by cause.

/// A failed request. Every variant names the URL so a batch report can say
/// which authority or manifest host failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The URL does not parse or has no host.
    #[error("`{url}` is not a valid http(s) URL")]
    InvalidUrl {
        /// The URL as given.
        url: String,
    },
    /// The scheme policy refuses this URL (plain http where https is required).
    #[error("`{url}` is not https; only https is fetched (plain http only on this machine's loopback address)")]
    InsecureScheme {
        /// The URL as given.
        url: String,
    },
    /// The server answered with a non-success status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The response body is larger than allowed.
    #[error("the answer from {url} is larger than {max_bytes} bytes")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The cap that was hit.
        max_bytes: u64,
    },
    /// The exchange took longer than allowed.
    #[error("{url} did not answer within {seconds} s")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The time allowed.
        seconds: u64,
    },
    /// The answer has the wrong content type.
    #[error("{url} answered with content type `{got}`, expected `{expected}`")]
    ContentType {
        /// The URL requested.
        url: String,
        /// What the caller expects.
        expected: String,
        /// What the server sent.
        got: String,
    },
    /// Connection, TLS or protocol failure.
    #[error("could not reach {url}: {reason}")]
    Transport {
        /// The URL requested.
        url: String,
        /// The underlying error, in words.
        reason: String,
    },
}

impl NetError {
    /// A short stable name for the cause, for JSON reports and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            NetError::InvalidUrl { .. } => "invalid-url",
            NetError::InsecureScheme { .. } => "insecure-scheme",
            NetError::Status { .. } => "http-status",
            NetError::TooLarge { .. } => "too-large",
            NetError::Timeout { .. } => "timeout",
            NetError::ContentType { .. } => "content-type",
            NetError::Transport { .. } => "transport",
        }
    }
}
