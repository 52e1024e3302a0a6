//! CAWG identity assertions (`cawg.identity`): a named actor — a person or
//! an organisation — who vouches for the claim, separately from whoever
//! signed the claim itself. c2pa validates them while reading (X.509
//! credentials fully; identity claims aggregation as far as it can without
//! the network) and replaces each assertion's value with a summary of what
//! it found; its status codes go into the active manifest's results under
//! the assertion's URI. This module reads both back: who the actor is, who
//! vouches for them, and whether that holds.
//!
//! Their statuses are the identity's, not the claim's: an unknown identity
//! certificate does not make the label's signer unknown, so they are kept
//! out of the label's own failures and verdict.

use c2pa::{validation_results::ValidationResults, validation_status::ValidationStatus, Reader};
use serde::Serialize;
use serde_json::Value;

use crate::{verify_report::StatusCode, MediaFormat};

fn is_identity_uri(url: &str) -> bool {
    url.rsplit('/')
        .next()
        .is_some_and(|last| last == "cawg.identity" || last.starts_with("cawg.identity__"))
}

/// Whether c2pa's status (`code` at `url`) is about an identity assertion
/// rather than the claim: the assertion's own codes (`cawg.*`) and its
/// credential's trust (codes c2pa 0.90 shares with claim signatures). A
/// hashed-URI failure of the assertion is the claim's: the label was
/// altered.
pub(crate) fn is_identity_status(code: &str, url: Option<&str>) -> bool {
    url.is_some_and(is_identity_uri)
        && (code.starts_with("cawg.") || code.starts_with("signingCredential."))
}

/// Whether c2pa logged any status about an identity assertion.
pub(crate) fn has_identity_status(reader: &Reader) -> bool {
    reader
        .validation_results()
        .and_then(|r| r.active_manifest())
        .is_some_and(|a| {
            a.success()
                .iter()
                .chain(a.failure())
                .any(|s| is_identity_status(s.code(), s.url()))
        })
}

/// Whether an identity's credential holds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum IdentityStatus {
    /// Validly signed, by a credential that chains to your trust list.
    Trusted,
    /// Validly signed, but its credential is not on your trust list.
    Untrusted,
    /// Well formed and validly signed; trust in its issuer was not judged
    /// (identity claims aggregation: the issuer is a DID, not a certificate).
    Valid,
    /// It could not be checked (the issuer's DID document was not fetched).
    Unverified,
    /// Its signature or binding to the claim fails.
    Invalid,
}

impl IdentityStatus {
    /// The word used in reports.
    pub fn word(self) -> &'static str {
        match self {
            Self::Trusted => "trusted",
            Self::Untrusted => "untrusted",
            Self::Valid => "valid",
            Self::Unverified => "unverified",
            Self::Invalid => "invalid",
        }
    }
}

/// One CAWG identity assertion found in the label.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The manifest it is in.
    pub manifest: String,
    /// Its signature type: `cawg.x509.cose` or
    /// `cawg.identity_claims_aggregation`.
    pub sig_type: String,
    /// Who the actor is: the certificate's organisation and name, or the
    /// verified identities (user names at providers) of an aggregation.
    pub named_actor: Option<String>,
    /// Who vouches for it: the CA that issued the X.509 certificate, or
    /// the identity aggregator (its DID).
    pub vouched_by: Option<String>,
    /// Whether it holds up.
    pub status: IdentityStatus,
    /// The status codes c2pa gave it, failures first.
    pub codes: Vec<StatusCode>,
}

impl Identity {
    /// One line for people: who, vouched for by whom, and whether it holds.
    pub fn sentence(&self) -> String {
        let who = self.named_actor.as_deref().unwrap_or("an unnamed actor");
        let by = self
            .vouched_by
            .as_ref()
            .map(|v| format!(", vouched for by {v}"))
            .unwrap_or_default();
        let status = match self.status {
            IdentityStatus::Trusted => "trusted (its certificate is on your trust list)",
            IdentityStatus::Untrusted => "not on your trust list",
            IdentityStatus::Valid => "validly signed (its issuer's trust was not judged)",
            IdentityStatus::Unverified => "not checked (it needs the network)",
            IdentityStatus::Invalid => "INVALID (its signature or binding fails)",
        };
        format!("identity: {who}{by}: {status}")
    }
}

/// Every identity assertion in the active manifest, with its status.
pub(crate) fn read(reader: &Reader, format: MediaFormat) -> Vec<Identity> {
    let Some(manifest) = reader.active_manifest() else {
        return Vec::new();
    };
    let label = manifest.label().unwrap_or_default().to_string();
    let identities: Vec<_> = manifest
        .assertions()
        .iter()
        .filter(|a| a.label() == "cawg.identity" || a.label().starts_with("cawg.identity__"))
        .collect();
    if identities.is_empty() {
        return Vec::new();
    }
    // The raw assertions (with their COSE signatures) are only in the
    // detailed report; read once, only for labels that carry identities.
    let detailed: Value = serde_json::from_str(&reader.detailed_json()).unwrap_or_default();
    let raw_store = detailed.pointer(&format!(
        "/manifests/{}/assertion_store",
        pointer_escape(&label)
    ));
    identities
        .into_iter()
        .map(|a| {
            let value = a.value().ok().cloned().unwrap_or(Value::Null);
            let statuses = statuses_for(reader.validation_results(), &label, a.label(), format);
            let raw = raw_store.and_then(|store| store.get(a.label()));
            // The signed payload's own sig_type: c2pa's summary of an
            // identity claims aggregation is the credential, without it.
            let raw_sig_type = raw
                .and_then(|r| r.pointer("/signer_payload/sig_type"))
                .and_then(Value::as_str);
            let mut identity = describe(&label, &value, raw_sig_type, statuses);
            if identity.sig_type == X509 {
                if let Some(ca) = raw
                    .and_then(|raw| raw.get("signature"))
                    .and_then(Value::as_str)
                    .and_then(certificate_issuer)
                {
                    identity.vouched_by = Some(ca);
                }
            }
            identity
        })
        .collect()
}

const X509: &str = "cawg.x509.cose";

/// JSON pointer escaping (RFC 6901) of one key.
fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Who issued the X.509 certificate that signed an identity assertion
/// (`signature`: its COSE_Sign1, base64): the issuing CA's organisation
/// or name, from the certificate chain in the signature's header. c2pa
/// parses the COSE; tamga-keys reads the certificates.
fn certificate_issuer(signature_b64: &str) -> Option<String> {
    use base64::Engine as _;
    let cose = base64::engine::general_purpose::STANDARD
        .decode(signature_b64)
        .ok()?;
    let mut log = c2pa::status_tracker::StatusTracker::default();
    let sign1 = c2pa::crypto::cose::parse_cose_sign1(&cose, &[], &mut log).ok()?;
    let chain = c2pa::crypto::cose::cert_chain_from_sign1(&sign1).ok()?;
    let pem: String = chain
        .iter()
        .map(|der| {
            let b64 = base64::engine::general_purpose::STANDARD.encode(der);
            let lines: Vec<&str> = b64
                .as_bytes()
                .chunks(64)
                .filter_map(|c| std::str::from_utf8(c).ok())
                .collect();
            format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                lines.join("\n")
            )
        })
        .collect();
    let certs = tamga_keys::describe_certificates(&pem);
    // The CA's own certificate when the chain carries it, else the issuer
    // named in the end-entity certificate.
    if let Some(ca) = certs.get(1) {
        return ca.common_name.clone().or(ca.organisation.clone());
    }
    let issuer = &certs.first()?.issuer;
    issuer
        .split(", ")
        .find_map(|part| part.strip_prefix("O="))
        .or_else(|| issuer.split(", ").find_map(|part| part.strip_prefix("CN=")))
        .map(str::to_string)
}

/// The codes c2pa logged under this assertion's URI, failures first (each
/// with whether it is a failure).
fn statuses_for(
    results: Option<&ValidationResults>,
    manifest: &str,
    assertion: &str,
    format: MediaFormat,
) -> Vec<(bool, StatusCode)> {
    let Some(active) = results.and_then(|r| r.active_manifest()) else {
        return Vec::new();
    };
    let suffix = format!("{manifest}/c2pa.assertions/{assertion}");
    let mine = |url: Option<&str>| url.is_some_and(|u| u.ends_with(&suffix));
    let code = |s: &ValidationStatus, failed: bool| {
        (
            failed,
            StatusCode {
                code: s.code().to_string(),
                url: s.url().map(str::to_string),
                ingredient: false,
                explanation: explain(s.code(), failed, format),
            },
        )
    };
    let failures = active.failure().iter().filter(|s| mine(s.url()));
    // c2pa 0.90 logs an aggregation's `cawg.ica.credential_valid` twice
    // (as success and as informational); list each code once.
    let mut seen = std::collections::HashSet::new();
    let successes = active
        .success()
        .iter()
        .chain(active.informational())
        .filter(|s| mine(s.url()) && s.code() != "assertion.hashedURI.match");
    failures
        .map(|s| code(s, true))
        .chain(successes.map(|s| code(s, false)))
        .filter(|(failed, s)| seen.insert((*failed, s.code.clone(), s.url.clone())))
        .collect()
}

/// What c2pa's summary `value` says of one identity assertion. c2pa 0.90
/// summarises an X.509 one as `{signer_payload, signature_info}` and an
/// identity claims aggregation as the verifiable credential itself
/// (`issuer`, `verifiedIdentities`, `c2paAsset`); older summaries nest the
/// credential under `named_actor`. `raw_sig_type` is the signed payload's.
fn describe(
    label: &str,
    value: &Value,
    raw_sig_type: Option<&str>,
    statuses: Vec<(bool, StatusCode)>,
) -> Identity {
    let text = |p: &str| value.pointer(p).and_then(Value::as_str).map(str::to_string);
    let sig_type = text("/signer_payload/sig_type")
        .or_else(|| text("/c2paAsset/sig_type"))
        .or_else(|| raw_sig_type.map(str::to_string))
        .unwrap_or_default();
    // The credential: the summary itself, or under `named_actor`.
    let credential = if value.get("verifiedIdentities").is_some() {
        Some(value)
    } else {
        value
            .get("named_actor")
            .filter(|n| n.get("verifiedIdentities").is_some())
    };
    let has = |failed: bool, pred: &dyn Fn(&str) -> bool| {
        statuses.iter().any(|(f, s)| *f == failed && pred(&s.code))
    };
    let (named_actor, vouched_by) = if sig_type == "cawg.identity_claims_aggregation" {
        let identities: Vec<String> = credential
            .and_then(|c| c.get("verifiedIdentities"))
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .map(|id| {
                        let who = id
                            .get("name")
                            .or_else(|| id.get("username"))
                            .and_then(Value::as_str)
                            .unwrap_or("someone");
                        match id.pointer("/provider/name").and_then(Value::as_str) {
                            Some(p) => format!("{who} ({p})"),
                            None => who.to_string(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        (
            (!identities.is_empty()).then(|| identities.join(", ")),
            credential
                .and_then(|c| c.get("issuer"))
                .and_then(Value::as_str)
                .map(str::to_string),
        )
    } else {
        let org = text("/signature_info/issuer");
        let cn = text("/signature_info/common_name");
        let actor = match (&org, &cn) {
            (Some(o), Some(c)) if o != c => Some(format!("{o} ({c})")),
            (Some(o), _) => Some(o.clone()),
            (None, c) => c.clone(),
        };
        // The issuing CA is read from the raw signature by the caller.
        (actor, None)
    };
    let status = if has(true, &|c| {
        c != "signingCredential.untrusted" && !is_unavailable(c)
    }) {
        IdentityStatus::Invalid
    } else if has(true, &is_unavailable)
        || value.get("signature_info").is_none() && credential.is_none()
    {
        // No summary: c2pa could not validate it (the sync reader skips
        // what needs the network).
        IdentityStatus::Unverified
    } else if has(true, &|c| c == "signingCredential.untrusted") {
        IdentityStatus::Untrusted
    } else if has(false, &|c| c == "signingCredential.trusted") {
        IdentityStatus::Trusted
    } else {
        IdentityStatus::Valid
    };
    Identity {
        manifest: label.to_string(),
        sig_type,
        named_actor,
        vouched_by,
        status,
        codes: statuses.into_iter().map(|(_, s)| s).collect(),
    }
}

fn is_unavailable(code: &str) -> bool {
    code == "cawg.ica.did_unavailable"
}

/// Plain words for an identity status code.
fn explain(code: &str, failed: bool, format: MediaFormat) -> String {
    match code {
        "signingCredential.untrusted" => {
            "the identity's certificate is not on your trust list".into()
        }
        "signingCredential.trusted" => "the identity's certificate is on your trust list".into(),
        "cawg.identity.well-formed" => "the identity assertion is well formed and signed".into(),
        "cawg.ica.credential_valid" => "the identity aggregator's credential is valid".into(),
        "cawg.ica.did_unavailable" => {
            "the identity aggregator's DID document was not fetched, so it was not checked".into()
        }
        "cawg.identity.assertion.mismatch" | "cawg.ica.signer_payload.mismatch" => {
            "the identity vouches for statements that are not the label's".into()
        }
        "cawg.identity.hard_binding_missing" => {
            "the identity does not vouch for the content itself (no hard binding)".into()
        }
        "cawg.ica.signature_mismatch" => {
            "the identity aggregator's signature does not match".into()
        }
        other if failed => crate::explain::status_code(other, format),
        other => format!("passed: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// c2pa 0.90's summary of a valid aggregation (from c2pa-rs's own
    /// `ica_validation/success.jpg`, shortened): the credential itself.
    fn ica_summary() -> Value {
        serde_json::json!({
            "type": ["VerifiableCredential", "IdentityClaimsAggregationCredential"],
            "issuer": "did:jwk:eyJr",
            "verifiedIdentities": [
                {"type": "cawg.social_media", "name": "Silly Cats 929", "username": "u",
                 "provider": {"id": "https://example-social-network.com", "name": "Example Social Network"}},
                {"type": "cawg.crypto_wallet", "username": "wallet-user",
                 "provider": {"id": "https://w.example", "name": "Example Crypto Wallet"}}
            ],
            "c2paAsset": {"sig_type": "cawg.identity_claims_aggregation", "referenced_assertions": []}
        })
    }

    fn status(code: &str, failed: bool) -> (bool, StatusCode) {
        let s = StatusCode {
            code: code.into(),
            url: None,
            ingredient: false,
            explanation: String::new(),
        };
        (failed, s)
    }

    #[test]
    fn an_aggregation_summary_gives_its_actor_aggregator_and_validity() {
        let id = describe(
            "m",
            &ica_summary(),
            None,
            vec![status("cawg.ica.credential_valid", false)],
        );
        assert_eq!(id.sig_type, "cawg.identity_claims_aggregation");
        assert_eq!(
            id.named_actor.as_deref(),
            Some("Silly Cats 929 (Example Social Network), wallet-user (Example Crypto Wallet)")
        );
        assert_eq!(id.vouched_by.as_deref(), Some("did:jwk:eyJr"));
        assert_eq!(id.status, IdentityStatus::Valid);
    }

    #[test]
    fn an_aggregation_is_unverified_without_its_did_and_invalid_when_its_signature_fails() {
        let unfetched = describe(
            "m",
            &ica_summary(),
            None,
            vec![status("cawg.ica.did_unavailable", true)],
        );
        assert_eq!(unfetched.status, IdentityStatus::Unverified);
        let forged = describe(
            "m",
            &ica_summary(),
            None,
            vec![status("cawg.ica.signature_mismatch", true)],
        );
        assert_eq!(forged.status, IdentityStatus::Invalid);
        // The signed payload's sig_type when the summary has none.
        let bare = describe(
            "m",
            &serde_json::json!({}),
            Some("cawg.identity_claims_aggregation"),
            vec![],
        );
        assert_eq!(bare.sig_type, "cawg.identity_claims_aggregation");
        assert_eq!(bare.status, IdentityStatus::Unverified);
    }
}
