//! Whether the active manifest's signer is on the trust list, judged here
//! rather than by c2pa.
//!
//! c2pa checks the signer's chain against the anchors for every manifest
//! of every file, building an OpenSSL store from the whole list each time
//! (a third of `tamga check`'s time on files from cameras and editors,
//! under a process-wide lock). The verifier turns that pass off
//! (`verify.verify_trust`) and asks [`TrustList`] instead: the same
//! evaluation (c2pa's `CertificateTrustPolicy`, the same anchors and
//! allowed list), at the same time c2pa would use, with each distinct chain
//! judged once per validity class. Everything else c2pa still does: the
//! claim signature, the certificate profile and its validity
//! (`signingCredential.expired`), the time-stamp and its authority's trust.

use c2pa::Reader;
use tamga_keys::TrustList;

use crate::verify_report::StatusCode;

/// The C2PA code c2pa would have logged for an untrusted signer.
pub(super) const UNTRUSTED: &str = "signingCredential.untrusted";

/// Whether the active manifest's signer is trusted. Judged, as c2pa judges
/// it, at the time of a time-stamp whose authority is trusted
/// (`timeStamp.trusted`), else without checking validity periods. No
/// list, no signature info or an unreadable chain: not trusted.
pub(super) fn active_signer_trusted(reader: &Reader, trust: Option<&TrustList>) -> bool {
    let Some(trust) = trust else {
        return false;
    };
    let Some(info) = reader.active_manifest().and_then(|m| m.signature_info()) else {
        return false;
    };
    let time = crate::signing_time::stamp_trusted(reader)
        .then_some(info.time.as_deref())
        .flatten()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp());
    trust.trusts_at(info.cert_chain(), time)
}

/// Whether the signer of any manifest but the active one (the ingredients
/// c2pa validates with the file) is not trusted. c2pa judges an
/// ingredient's signer only to report it: the verdict on earlier signers
/// is the history's (`history::chain`), with the same judgement.
pub(super) fn an_ingredient_untrusted(reader: &Reader, trust: Option<&TrustList>) -> bool {
    let active = reader.active_label();
    reader
        .iter_manifests()
        .filter(|m| m.label() != active)
        .any(|m| {
            !m.signature_info()
                .is_some_and(|s| trust.is_some_and(|t| t.trusts(s.cert_chain())))
        })
}

/// The failure c2pa would have reported for an untrusted signer, of the
/// active manifest or of an `ingredient`.
pub(super) fn untrusted_failure(format: crate::MediaFormat, ingredient: bool) -> StatusCode {
    StatusCode {
        code: UNTRUSTED.into(),
        url: None,
        ingredient,
        explanation: if ingredient {
            crate::explain::ingredient_status_code(UNTRUSTED, format)
        } else {
            crate::explain::status_code(UNTRUSTED, format)
        },
    }
}
