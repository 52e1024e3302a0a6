//! When a label was signed, and what an expired certificate means for it.
//!
//! A C2PA validator checks the signing certificate at the time a *trusted*
//! RFC 3161 time-stamp gives, and without one at the time of validation
//! (C2PA 2.x §14.5.2). So a label without a trusted time-stamp fails with
//! `signingCredential.expired` once its certificate expires, although
//! nothing about it changed: it cannot be shown that it was signed while
//! the certificate was valid. That is a different fact from tampering, and
//! gets its own reason ([`VerdictDetail::ExpiredWithoutTimestamp`]).

use c2pa::Reader;
use serde::Serialize;
use tamga_keys::Expiry;

use crate::{verify_report::FileReport, Verdict};

const EXPIRED: &str = "signingCredential.expired";
const UNTRUSTED: &str = "signingCredential.untrusted";
const TS_VALIDATED: &str = "timeStamp.validated";
const TS_TRUSTED: &str = "timeStamp.trusted";
/// The C2PA code for a time-stamp whose authority is not on the trust list.
pub const TS_UNTRUSTED: &str = "timeStamp.untrusted";

/// Why a verdict is what it is, where the codes alone would mislead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum VerdictDetail {
    /// `invalid` only because the signing certificate has expired since and
    /// no trusted time-stamp shows the label was signed before that: the
    /// content and signature are intact.
    ExpiredWithoutTimestamp,
}

impl VerdictDetail {
    /// The word used in reports.
    pub fn word(self) -> &'static str {
        match self {
            Self::ExpiredWithoutTimestamp => "expired-without-timestamp",
        }
    }
}

/// The RFC 3161 time-stamp in the active manifest's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeStampInfo {
    /// The time it states, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Whether its authority chains to a trust anchor (absent when no
    /// trust list was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted: Option<bool>,
    /// `timeStamp.trusted`, or `timeStamp.untrusted` when a trust list was
    /// given and the authority is not on it, else `timeStamp.validated`.
    pub code: &'static str,
}

/// The time-stamp of the active manifest, if its signature carries one
/// that matches it.
fn time_stamp(reader: &Reader, trust_given: bool) -> Option<TimeStampInfo> {
    let results = reader.validation_results()?.active_manifest()?;
    let has = |code: &str| {
        results
            .success()
            .iter()
            .chain(results.informational())
            .any(|s| s.code() == code)
    };
    if !has(TS_VALIDATED) && !has(TS_TRUSTED) {
        return None;
    }
    let trusted = has(TS_TRUSTED);
    let time = reader
        .active_manifest()
        .and_then(|m| m.signature_info())
        .and_then(|s| s.time.clone());
    Some(TimeStampInfo {
        time,
        trusted: trust_given.then_some(trusted),
        code: match (trusted, trust_given) {
            (true, _) => TS_TRUSTED,
            (false, true) => TS_UNTRUSTED,
            (false, false) => TS_VALIDATED,
        },
    })
}

/// Whether c2pa found the active manifest's time-stamp valid and its
/// authority on the list (`timeStamp.trusted`): only then does a C2PA
/// validator judge the signer at the time-stamp's time.
pub(crate) fn stamp_trusted(reader: &Reader) -> bool {
    time_stamp(reader, true).is_some_and(|s| s.code == TS_TRUSTED)
}

/// The honest sentence for a label whose certificate expired with no
/// trusted time-stamp.
pub fn expired_sentence(date: &str, untrusted_stamp: bool) -> String {
    format!(
        "the signer's certificate expired on {date} and the label has no trusted time-stamp, \
         so it cannot be shown that it was signed while the certificate was valid{}",
        if untrusted_stamp {
            " (its time-stamp is from an authority not on your trust list)"
        } else {
            ""
        }
    )
}

/// Adds the time-stamp and, for a label that fails only because its
/// certificate has expired since, the detail and the honest reason.
pub(crate) fn apply(report: &mut FileReport, reader: &Reader, trust_given: bool) {
    let stamp = time_stamp(reader, trust_given);
    let untrusted_stamp = stamp.as_ref().is_some_and(|s| s.trusted == Some(false));
    if untrusted_stamp {
        report.warnings.push(format!(
            "the label's time-stamp is from an authority not on your trust list ({TS_UNTRUSTED}): \
             it does not show when the label was signed"
        ));
    }
    let trusted_stamp = stamp.as_ref().is_some_and(|s| s.code == TS_TRUSTED);
    report.time_stamp = stamp;
    if report.verdict != Verdict::Invalid || trusted_stamp {
        return;
    }
    // Only the certificate's age may be wrong: any other failure (a hash,
    // the signature) is tampering and keeps its own reason.
    let active: Vec<&str> = report
        .failures
        .iter()
        .filter(|f| !f.ingredient)
        .map(|f| f.code.as_str())
        .collect();
    if !active.contains(&EXPIRED) || active.iter().any(|c| *c != EXPIRED && *c != UNTRUSTED) {
        return;
    }
    let Some(expiry) = reader
        .active_manifest()
        .and_then(|m| m.signature_info())
        .and_then(|s| Expiry::of_leaf(s.cert_chain()))
    else {
        return;
    };
    let sentence = expired_sentence(&expiry.date(), untrusted_stamp);
    for f in report.failures.iter_mut().filter(|f| f.code == EXPIRED) {
        f.explanation = sentence.clone();
    }
    report.reason = sentence;
    report.detail = Some(VerdictDetail::ExpiredWithoutTimestamp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_names_the_date_and_says_what_cannot_be_shown() {
        let s = expired_sentence("2027-12-06", false);
        assert!(s.contains("expired on 2027-12-06"), "{s}");
        assert!(s.contains("no trusted time-stamp"), "{s}");
        assert!(!s.contains("had expired when"), "{s}");
        assert!(expired_sentence("2027-12-06", true).contains("not on your trust list"));
        assert_eq!(
            VerdictDetail::ExpiredWithoutTimestamp.word(),
            serde_json::to_value(VerdictDetail::ExpiredWithoutTimestamp).unwrap()
        );
    }
}
