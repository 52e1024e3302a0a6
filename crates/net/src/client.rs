//! The blocking client, with its limits.

use std::io::Read;
use std::time::Duration;

use crate::{check_url, NetError, Scheme};

/// Bounds on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// The whole exchange: resolve, connect, send, read the answer.
    pub timeout: Duration,
    /// The largest body read; a longer answer is [`NetError::TooLarge`].
    pub max_bytes: u64,
}

impl RequestLimits {
    /// Time-stamp authorities answer a few KB at once: 10 s, 64 KB.
    pub const TIME_STAMP: RequestLimits = RequestLimits {
        timeout: Duration::from_secs(10),
        max_bytes: 64 * 1024,
    };
    /// Remote manifest stores carry thumbnails: 20 s, 16 MB.
    pub const REMOTE_MANIFEST: RequestLimits = RequestLimits {
        timeout: Duration::from_secs(20),
        max_bytes: 16 * 1024 * 1024,
    };
}

/// A response body and its declared content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The body, at most `max_bytes` long.
    pub body: Vec<u8>,
    /// The `Content-Type` header without parameters, lower-cased; empty when absent.
    pub content_type: String,
}

/// tamga's HTTP client. Cheap to clone; holds no connections between calls
/// that matter for correctness.
#[derive(Debug, Clone)]
pub struct HttpClient {
    scheme: Scheme,
    limits: RequestLimits,
    user_agent: String,
}

impl HttpClient {
    /// A client for one kind of request.
    pub fn new(scheme: Scheme, limits: RequestLimits) -> Self {
        HttpClient {
            scheme,
            limits,
            user_agent: format!("tamga/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// The limits this client applies.
    pub fn limits(&self) -> RequestLimits {
        self.limits
    }

    /// POSTs `body` with `content_type` and returns the answer.
    pub fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Fetched, NetError> {
        check_url(url, self.scheme)?;
        let result = self
            .agent(url)
            .post(url)
            .header("Content-Type", content_type)
            .send(body);
        self.finish(url, result)
    }

    /// GETs `url`, saying which content type is wanted.
    pub fn get(&self, url: &str, accept: &str) -> Result<Fetched, NetError> {
        check_url(url, self.scheme)?;
        let result = self.agent(url).get(url).header("Accept", accept).call();
        self.finish(url, result)
    }

    fn agent(&self, url: &str) -> ureq::Agent {
        // A redirect is followed only from https to https: a plain-http URL
        // was allowed for its host alone, and a POST is never re-sent.
        let https = url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(self.limits.timeout))
            .http_status_as_error(false)
            .https_only(https)
            .max_redirects(if https { 3 } else { 0 })
            .user_agent(self.user_agent.as_str())
            .build();
        ureq::Agent::new_with_config(config)
    }

    fn finish(
        &self,
        url: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Fetched, NetError> {
        let mut response = result.map_err(|e| self.map_error(url, e))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(NetError::Status {
                url: url.to_string(),
                status,
            });
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let max = self.limits.max_bytes;
        if let Some(len) = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
        {
            if len > max {
                return Err(NetError::TooLarge {
                    url: url.to_string(),
                    max_bytes: max,
                });
            }
        }
        // Read one byte past the cap so "exactly max" and "more" differ.
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(max.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| self.map_io(url, e))?;
        if body.len() as u64 > max {
            return Err(NetError::TooLarge {
                url: url.to_string(),
                max_bytes: max,
            });
        }
        Ok(Fetched { body, content_type })
    }

    fn map_error(&self, url: &str, e: ureq::Error) -> NetError {
        let url = url.to_string();
        match e {
            ureq::Error::Timeout(_) => NetError::Timeout {
                url,
                seconds: self.limits.timeout.as_secs(),
            },
            ureq::Error::BodyExceedsLimit(_) => NetError::TooLarge {
                url,
                max_bytes: self.limits.max_bytes,
            },
            ureq::Error::RequireHttpsOnly(_) => NetError::InsecureScheme { url },
            ureq::Error::BadUri(_) => NetError::InvalidUrl { url },
            ureq::Error::Io(io) => self.map_io(&url, io),
            other => NetError::Transport {
                url,
                reason: other.to_string(),
            },
        }
    }

    fn map_io(&self, url: &str, e: std::io::Error) -> NetError {
        // ureq reports its own deadline inside an io::Error while reading.
        if e.kind() == std::io::ErrorKind::TimedOut {
            return NetError::Timeout {
                url: url.to_string(),
                seconds: self.limits.timeout.as_secs(),
            };
        }
        if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
            if matches!(inner, ureq::Error::Timeout(_)) {
                return NetError::Timeout {
                    url: url.to_string(),
                    seconds: self.limits.timeout.as_secs(),
                };
            }
        }
        NetError::Transport {
            url: url.to_string(),
            reason: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// A one-shot HTTP server on loopback answering `reply` to the first request.
    fn serve_once(reply: Vec<u8>, delay: Duration) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let mut length = 0usize;
                while reader.read_line(&mut line).unwrap_or(0) > 0 {
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                std::thread::sleep(delay);
                let mut stream = stream;
                let _ = stream.write_all(&reply);
            }
        });
        format!("http://{addr}/")
    }

    fn answer(status: &str, ctype: &str, body: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    }

    fn limits(max_bytes: u64, secs: u64) -> RequestLimits {
        RequestLimits {
            timeout: Duration::from_secs(secs),
            max_bytes,
        }
    }

    #[test]
    fn a_post_returns_the_body_and_its_content_type() {
        let url = serve_once(
            answer("200 OK", "application/timestamp-reply; x=1", b"token"),
            Duration::ZERO,
        );
        let client = HttpClient::new(Scheme::HttpOrHttps, limits(1024, 5));
        let got = client
            .post(&url, "application/timestamp-query", b"query")
            .unwrap();
        assert_eq!(got.body, b"token");
        assert_eq!(got.content_type, "application/timestamp-reply");
    }

    #[test]
    fn an_error_status_a_large_body_and_a_slow_server_are_typed_errors() {
        let client = HttpClient::new(Scheme::HttpsOrLoopback, limits(4, 5));
        let url = serve_once(answer("404 Not Found", "text/plain", b"no"), Duration::ZERO);
        assert!(matches!(
            client.get(&url, "*/*"),
            Err(NetError::Status { status: 404, .. })
        ));
        let url = serve_once(answer("200 OK", "text/plain", b"12345"), Duration::ZERO);
        assert!(matches!(
            client.get(&url, "*/*"),
            Err(NetError::TooLarge { max_bytes: 4, .. })
        ));
        let slow = HttpClient::new(Scheme::HttpsOrLoopback, limits(4, 1));
        let url = serve_once(answer("200 OK", "text/plain", b"1"), Duration::from_secs(3));
        let err = slow.get(&url, "*/*").unwrap_err();
        assert!(matches!(err, NetError::Timeout { .. }), "{err:?}");
    }

    #[test]
    fn nothing_is_sent_to_a_url_the_policy_refuses() {
        let client = HttpClient::new(Scheme::HttpsOrLoopback, RequestLimits::REMOTE_MANIFEST);
        assert!(matches!(
            client.get("http://example.invalid/m", "*/*"),
            Err(NetError::InsecureScheme { .. })
        ));
    }
}
