//! Which URLs may be requested at all.

use crate::NetError;

/// The scheme policy for a kind of request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheme {
    /// http or https. Time-stamp authorities are commonly plain http: the
    /// token is itself signed, so transport security adds nothing to it.
    HttpOrHttps,
    /// https only, except plain http to a loopback address (a local test or
    /// sidecar server). Used for remote manifests, whose URL comes from the
    /// file being checked and so from whoever made it.
    HttpsOrLoopback,
}

/// Checks `url` against `policy` before any connection is made.
pub fn check_url(url: &str, policy: Scheme) -> Result<(), NetError> {
    let invalid = || NetError::InvalidUrl {
        url: url.to_string(),
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(invalid)?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Userinfo is never needed by either caller and hides the real host.
    if authority.contains('@') {
        return Err(invalid());
    }
    let host = host_of(authority).ok_or_else(invalid)?;
    match (scheme.as_str(), policy) {
        ("https", _) => Ok(()),
        ("http", Scheme::HttpOrHttps) => Ok(()),
        ("http", Scheme::HttpsOrLoopback) if is_loopback(host) => Ok(()),
        ("http", Scheme::HttpsOrLoopback) => Err(NetError::InsecureScheme {
            url: url.to_string(),
        }),
        _ => Err(invalid()),
    }
}

/// The host part of `authority` (without port, IPv6 brackets removed).
fn host_of(authority: &str) -> Option<&str> {
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split_once(']')?.0
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    (!host.is_empty()).then_some(host)
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_manifests_need_https_except_on_loopback() {
        let p = Scheme::HttpsOrLoopback;
        assert!(check_url("https://cai-manifests.adobe.com/m/urn:uuid:1", p).is_ok());
        assert!(check_url("http://127.0.0.1:8080/m.c2pa", p).is_ok());
        assert!(check_url("http://[::1]:8080/m.c2pa", p).is_ok());
        assert!(check_url("http://localhost/m.c2pa", p).is_ok());
        assert!(matches!(
            check_url("http://example.com/m.c2pa", p),
            Err(NetError::InsecureScheme { .. })
        ));
        // A loopback name hidden behind userinfo is not loopback.
        assert!(check_url("http://127.0.0.1@example.com/", p).is_err());
        assert!(check_url("file:///etc/passwd", p).is_err());
        assert!(check_url("https://", p).is_err());
    }

    #[test]
    fn time_stamp_authorities_may_be_plain_http() {
        assert!(check_url("http://timestamp.digicert.com", Scheme::HttpOrHttps).is_ok());
        assert!(check_url("ftp://x/", Scheme::HttpOrHttps).is_err());
    }
}
