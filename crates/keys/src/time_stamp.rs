//! RFC 3161 time-stamps through tamga's own HTTP client.
//!
//! A time-stamp from an authority proves *when* a label was signed, so the
//! label stays valid after the signing certificate expires (C2PA 2.x §14.5.2:
//! validators check the certificate at the time-stamp's time, not at the
//! time of validation). c2pa asks its signer for the token through
//! `Signer::send_timestamp_request`; the default implementation posts
//! through c2pa's own HTTP resolver, which this build does not compile in.
//! [`TimeStampedSigner`] answers instead, through `tamga-net`, and checks the
//! reply before c2pa embeds it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock, PoisonError},
};

use c2pa::{
    crypto::{cose::CertificateTrustPolicy, raw_signature::RawSigner, time_stamp},
    status_tracker::StatusTracker,
    BoxedSigner, Signer, SigningAlg,
};
use tamga_net::{HttpClient, NetError, RequestLimits, Scheme};
use x509_parser::der_parser::{ber::BerObjectContent, der::parse_der};

const REQUEST_TYPE: &str = "application/timestamp-query";
const REPLY_TYPE: &str = "application/timestamp-reply";

/// Why no time-stamp could be had from an authority. Every variant names
/// the authority's URL, so a batch report says which one failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TimeStampError {
    /// The request did not get an answer (connection, timeout, HTTP status, size).
    #[error("the time-stamp authority did not answer: {source}")]
    Unreachable {
        /// The authority.
        url: String,
        /// What the HTTP client saw (it names the URL too).
        #[source]
        source: NetError,
    },
    /// The answer is not an RFC 3161 reply.
    #[error(
        "the time-stamp authority {url} answered with content type `{got}`, not `{REPLY_TYPE}`"
    )]
    ContentType {
        /// The authority.
        url: String,
        /// The content type it sent.
        got: String,
    },
    /// The authority refused the request (PKIStatus rejection or waiting).
    #[error("the time-stamp authority {url} refused the request (PKIStatus {status}{})", text.as_deref().map(|t| format!(": {t}")).unwrap_or_default())]
    Refused {
        /// The authority.
        url: String,
        /// RFC 3161 PKIStatus: 2 rejection, 3 waiting, 4 revocation warning, 5 revoked.
        status: u32,
        /// The statusString it gave, if any.
        text: Option<String>,
    },
    /// The reply does not hold a valid token for this request.
    #[error("the time-stamp authority {url} sent a reply that is not a valid time-stamp for this signature: {reason}")]
    BadReply {
        /// The authority.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The token answers another request (its nonce differs from ours).
    #[error(
        "the time-stamp authority {url} answered with a token for another request (nonce mismatch)"
    )]
    NonceMismatch {
        /// The authority.
        url: String,
    },
}

impl TimeStampError {
    /// The authority this error is about.
    pub fn url(&self) -> &str {
        match self {
            Self::Unreachable { url, .. }
            | Self::ContentType { url, .. }
            | Self::Refused { url, .. }
            | Self::BadReply { url, .. }
            | Self::NonceMismatch { url } => url,
        }
    }
}

/// Asks `url` for an RFC 3161 time-stamp over `message` and returns the
/// whole `TimeStampResp`, checked: granted, a token over `message`, our nonce.
///
/// The authority's certificate is not checked against any trust list here:
/// trust is the verifier's decision, made against its own anchors.
pub(crate) fn request_time_stamp(
    client: &HttpClient,
    url: &str,
    message: &[u8],
) -> Result<Vec<u8>, TimeStampError> {
    let bad = |reason: String| TimeStampError::BadReply {
        url: url.to_string(),
        reason,
    };
    let body = time_stamp::default_rfc3161_message(message)
        .map_err(|e| bad(format!("could not build the request: {e}")))?;
    let reply =
        client
            .post(url, REQUEST_TYPE, &body)
            .map_err(|source| TimeStampError::Unreachable {
                url: url.to_string(),
                source,
            })?;
    if reply.content_type != REPLY_TYPE {
        return Err(TimeStampError::ContentType {
            url: url.to_string(),
            got: reply.content_type,
        });
    }
    let (status, text) = pki_status(&reply.body).ok_or_else(|| bad("not DER".into()))?;
    // 0 granted, 1 granted with modifications; anything else holds no token.
    if status > 1 {
        return Err(TimeStampError::Refused {
            url: url.to_string(),
            status,
            text,
        });
    }
    let mut log = StatusTracker::default();
    let info = time_stamp::verify_time_stamp(
        &reply.body,
        message,
        &CertificateTrustPolicy::passthrough(),
        &mut log,
        false,
    )
    .map_err(|e| bad(e.to_string()))?;
    let theirs = info.nonce.as_ref().map(|n| n.as_slice().to_vec());
    if theirs != request_nonce(&body) {
        return Err(TimeStampError::NonceMismatch {
            url: url.to_string(),
        });
    }
    Ok(reply.body)
}

/// The PKIStatus and first statusString of a DER `TimeStampResp`.
fn pki_status(der: &[u8]) -> Option<(u32, Option<String>)> {
    let (_, resp) = parse_der(der).ok()?;
    let info = resp.as_sequence().ok()?.first()?.as_sequence().ok()?;
    let status = info.first()?.as_u32().ok()?;
    let text = info
        .get(1)
        .and_then(|s| s.as_sequence().ok())
        .and_then(|s| s.first())
        .and_then(|s| match &s.content {
            BerObjectContent::UTF8String(t) => Some(t.to_string()),
            _ => None,
        });
    Some((status, text))
}

/// The nonce of a DER `TimeStampReq`: the first INTEGER after the version.
fn request_nonce(der: &[u8]) -> Option<Vec<u8>> {
    let (_, req) = parse_der(der).ok()?;
    req.as_sequence()
        .ok()?
        .iter()
        .skip(1)
        .find_map(|item| match &item.content {
            BerObjectContent::Integer(bytes) => Some(bytes.to_vec()),
            _ => None,
        })
}

/// The size of one reply from each time-stamp authority, measured once and
/// shared: a long-running labeller (the server builds a signer per request)
/// would otherwise send every authority a probe request before every
/// label, doubling its load on the authority. Clones share one table.
///
/// A probe that fails is not remembered, so the next signer tries again.
#[derive(Debug, Clone, Default)]
pub struct TokenSizes(Arc<Mutex<HashMap<String, usize>>>);

impl TokenSizes {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    fn get(&self, url: &str) -> Option<usize> {
        // A panic elsewhere cannot leave a size half-written: the map is
        // still sound, so a poisoned lock is used as it is.
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(url)
            .copied()
    }

    fn put(&self, url: &str, size: usize) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(url.to_string(), size);
    }
}

/// A c2pa signer whose time-stamps come from an RFC 3161 authority through
/// `tamga-net`.
pub(crate) struct TimeStampedSigner {
    inner: BoxedSigner,
    url: String,
    client: HttpClient,
    /// Reply sizes already measured, shared with other signers.
    sizes: TokenSizes,
    /// The COSE signature's size without a token, when it could be measured.
    unstamped: Option<usize>,
    /// The signature box's size, settled by the first call.
    reserve: OnceLock<usize>,
}

/// Room left for a token to differ from the probe's (serial number, time,
/// nonce and signature lengths vary by a few bytes), and more than the
/// 256 bytes c2pa's padding needs at least (see `compact_signer`).
const TOKEN_SLACK: usize = 1024;

impl TimeStampedSigner {
    /// Wraps `inner` (built without an authority) to time-stamp through `url`.
    /// `sizes` holds the reply size once measured, for other signers to
    /// reuse.
    pub(crate) fn new(inner: BoxedSigner, url: String, sizes: TokenSizes) -> Self {
        let unstamped = inner
            .raw_signer()
            .and_then(|raw| crate::compact_signer::measure(*raw));
        Self {
            inner,
            url,
            // Authorities are commonly plain http: the token is itself signed.
            client: HttpClient::new(Scheme::HttpOrHttps, RequestLimits::TIME_STAMP),
            sizes,
            unstamped,
            reserve: OnceLock::new(),
        }
    }

    /// The signature plus one real token from the authority plus slack;
    /// c2pa's 10 KB allowance when the probe fails (the signing's own
    /// request then fails too, and says why).
    fn measure_reserve(&self) -> usize {
        let reply = self.sizes.get(&self.url).or_else(|| {
            let probe =
                request_time_stamp(&self.client, &self.url, b"tamga time-stamp size probe").ok()?;
            self.sizes.put(&self.url, probe.len());
            Some(probe.len())
        });
        match (self.unstamped, reply) {
            // The whole reply bounds the token c2pa keeps from it.
            (Some(base), Some(reply)) => base + reply + TOKEN_SLACK,
            _ => self.inner.reserve_size(),
        }
    }
}

impl Signer for TimeStampedSigner {
    fn sign(&self, data: &[u8]) -> c2pa::Result<Vec<u8>> {
        self.inner.sign(data)
    }

    fn alg(&self) -> SigningAlg {
        self.inner.alg()
    }

    fn certs(&self) -> c2pa::Result<Vec<Vec<u8>>> {
        self.inner.certs()
    }

    /// Measured once with a probe request to the authority, not c2pa's
    /// fixed 10 KB for any token: in a text label every reserved byte costs
    /// four bytes of invisible characters (C2PA Annex A.8).
    /// `tests/e2e/timestamps.rs` checks that real tokens fit, per format.
    fn reserve_size(&self) -> usize {
        *self.reserve.get_or_init(|| self.measure_reserve())
    }

    fn ocsp_val(&self) -> Option<Vec<u8>> {
        self.inner.ocsp_val()
    }

    fn time_authority_url(&self) -> Option<String> {
        Some(self.url.clone())
    }

    fn send_timestamp_request(&self, message: &[u8]) -> Option<c2pa::Result<Vec<u8>>> {
        Some(
            request_time_stamp(&self.client, &self.url, message)
                .map_err(|e| c2pa::Error::OtherError(Box::new(e))),
        )
    }

    /// None on purpose: c2pa signs through the raw signer when there is one,
    /// and then asks *it* for the time-stamp — through the HTTP resolver
    /// this build lacks. Without one, c2pa wraps this signer and calls
    /// [`Signer::send_timestamp_request`] above.
    fn raw_signer(&self) -> Option<Box<&dyn RawSigner>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;

    /// Answers one request with `status`, `ctype` and `body`; sends back the
    /// request's content type and body.
    fn authority(
        status: &str,
        ctype: &str,
        body: Vec<u8>,
    ) -> (String, mpsc::Receiver<(String, Vec<u8>)>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::channel();
        let (status, ctype) = (status.to_string(), ctype.to_string());
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut line, mut length, mut got_type) = (String::new(), 0, String::new());
            while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if let Some(v) = lower.strip_prefix("content-type:") {
                    got_type = v.trim().to_string();
                }
                line.clear();
            }
            let mut request = vec![0; length];
            reader.read_exact(&mut request).unwrap();
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .unwrap();
            stream.write_all(&body).unwrap();
            tx.send((got_type, request)).unwrap();
        });
        (url, rx)
    }

    fn client() -> HttpClient {
        HttpClient::new(Scheme::HttpOrHttps, RequestLimits::TIME_STAMP)
    }

    #[test]
    fn the_request_is_an_rfc3161_query_with_a_nonce() {
        // A rejection (PKIStatus 2) is enough to see what was sent.
        let rejection = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02].to_vec();
        let (url, sent) = authority("200 OK", REPLY_TYPE, rejection);
        let err = request_time_stamp(&client(), &url, b"claim").unwrap_err();
        assert!(
            matches!(err, TimeStampError::Refused { status: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains(&url), "{err}");
        let (ctype, body) = sent.recv().unwrap();
        assert_eq!(ctype, REQUEST_TYPE);
        assert!(request_nonce(&body).is_some_and(|n| !n.is_empty()));
    }

    #[test]
    fn a_failed_exchange_is_typed_and_names_the_authority() {
        let (url, _) = authority("503 Service Unavailable", "text/plain", b"busy".to_vec());
        let err = request_time_stamp(&client(), &url, b"claim").unwrap_err();
        assert!(
            matches!(
                &err,
                TimeStampError::Unreachable {
                    source: NetError::Status { status: 503, .. },
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.url(), url);
        assert!(err.to_string().contains(&url), "{err}");

        let (url, _) = authority("200 OK", "text/html", b"<html>".to_vec());
        let err = request_time_stamp(&client(), &url, b"claim").unwrap_err();
        assert!(matches!(err, TimeStampError::ContentType { .. }), "{err:?}");

        let (url, _) = authority("200 OK", REPLY_TYPE, b"not der".to_vec());
        let err = request_time_stamp(&client(), &url, b"claim").unwrap_err();
        assert!(matches!(err, TimeStampError::BadReply { .. }), "{err:?}");
    }

    #[test]
    fn a_granted_status_without_a_valid_token_is_a_bad_reply() {
        // PKIStatus 0 (granted) but no token at all.
        let granted = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00].to_vec();
        let (url, _) = authority("200 OK", REPLY_TYPE, granted);
        let err = request_time_stamp(&client(), &url, b"claim").unwrap_err();
        assert!(matches!(err, TimeStampError::BadReply { .. }), "{err:?}");
    }

    #[test]
    fn the_status_text_of_a_refusal_is_kept() {
        // PKIStatusInfo { status 2, statusString { "bad alg" } }
        let mut info = vec![0x02, 0x01, 0x02, 0x30, 0x09, 0x0c, 0x07];
        info.extend_from_slice(b"bad alg");
        let mut der = vec![0x30, (info.len() + 2) as u8, 0x30, info.len() as u8];
        der.extend_from_slice(&info);
        assert_eq!(pki_status(&der), Some((2, Some("bad alg".into()))));
    }
}
