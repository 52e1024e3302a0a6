//! Every failure the API reports: a status and a JSON body
//! `{"error": "...", "kind": "..."}` a client can act on.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

/// An API error.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A short machine-readable kind.
    pub kind: &'static str,
    /// One line for people.
    pub message: String,
}

impl ApiError {
    /// An error with this status, kind and message.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
        }
    }

    /// 400: the request itself is malformed.
    pub fn bad_request(kind: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, kind, message)
    }

    /// 429: every verification slot is taken; come back soon.
    pub fn busy() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "busy",
            "the server is verifying as many files as it may at once; retry shortly",
        )
    }

    /// 413.
    pub fn too_large(limit: u64) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            format!("the upload is larger than this server's limit of {limit} bytes"),
        )
    }

    /// 408: the body arrived slower than the server's minimum rate.
    pub fn slow_upload(seconds: u64, min_rate: u64) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "slow-upload",
            format!(
                "the upload arrived too slowly: this server allows {seconds} s plus 1 s per \
                 {min_rate} bytes received"
            ),
        )
    }

    /// A file the labeller refused (422), or a time-stamp authority that
    /// failed (502), with the advice an API client can act on: the
    /// library's message says what happened, not which flag to use.
    ///
    /// A label the registry would not record is 503, kind `registry`: the
    /// server's registry failed, not the upload, and the label is not
    /// returned (nothing unrecorded leaves the server). The registry's own
    /// error goes to the log only, as it names the database.
    pub fn label(e: tamga_label::LabelError) -> Self {
        use tamga_label::LabelError;
        if matches!(e, LabelError::Registry { .. }) {
            tracing::warn!(error = %e, "a label could not be recorded in the registry");
            return Self::registry_unrecorded();
        }
        // The time-stamp authority failed, not the upload.
        let status = if matches!(e, LabelError::TimeStamp { .. }) {
            StatusCode::BAD_GATEWAY
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let mut message = e.to_string();
        if let Some(advice) = advice(e.kind()) {
            message = format!("{message}; {advice}");
        }
        Self::new(status, e.kind(), message)
    }

    /// 503, kind `registry`: the label could not be recorded in the
    /// server's registry, so it was not returned; the client may retry.
    pub fn registry_unrecorded() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "registry",
            "the label could not be recorded in this server's registry, so it was not \
             returned; retry later (the server's log says why)",
        )
    }

    /// 500, for what should never happen (a worker that died).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

/// What an API client can do about a labelling error of `kind`, where
/// there is something (the CLI gives its own, naming its flags).
fn advice(kind: &str) -> Option<&'static str> {
    match kind {
        "not-embeddable" => Some(
            "this API embeds labels only; a detached .c2pa manifest for such files is made \
             with the tamga command",
        ),
        "timeout" => Some("the server's operator sets the time budget (timeout_secs in [limits])"),
        "limit-exceeded" => Some("the server's operator sets the decoding limits ([limits])"),
        "not-utf8" => Some("convert it to UTF-8 first, e.g. with iconv"),
        _ => None,
    }
}

/// A signing key the server could not load, with what its operator can do
/// about it: the server takes its keys from its config file or TAMGA_KEYS,
/// never from the CLI's flags, and has no password for an encrypted key.
pub(crate) fn key_error(e: &tamga_keys::KeyError) -> String {
    let advice = match e.kind() {
        "no-keys" => Some("point keys in the config file's [label] (or TAMGA_KEYS) at a key directory"),
        "password-required" => {
            Some("the server cannot open an encrypted key; give it an unencrypted one readable only by its user")
        }
        _ => None,
    };
    match advice {
        Some(a) => format!("{e}; {a}"),
        None => e.to_string(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            Json(json!({ "error": self.message, "kind": self.kind })),
        )
            .into_response();
        let headers = res.headers_mut();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tamga\""),
            );
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_the_registry_refused_is_503_and_names_no_database() {
        let e = tamga_label::LabelError::Registry {
            path: "photo.jpg".into(),
            source: Box::new(tamga_registry::RegistryError::Io {
                path: "/srv/db.internal/registry.sqlite".into(),
                source: std::io::Error::other("disk full"),
            }),
        };
        let api = ApiError::label(e);
        assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(api.kind, "registry");
        assert!(!api.message.contains("db.internal"), "{}", api.message);
        assert!(api.message.contains("not returned"), "{}", api.message);
    }

    #[test]
    fn key_errors_get_the_operators_advice_not_the_clis() {
        let e = tamga_keys::KeyError::NoKeys { dir: "k".into() };
        let text = key_error(&e);
        assert!(text.starts_with("k: no signing keys here; "), "{text}");
        assert!(
            text.contains("[label]") && text.contains("TAMGA_KEYS"),
            "{text}"
        );
        assert!(!text.contains("--"), "{text}");
        let e = tamga_keys::KeyError::PasswordRequired {
            path: "k.key".into(),
        };
        assert!(key_error(&e).contains("unencrypted"), "{e}");
    }
}
