//! The trust rule: what an intact label from a signer the distributor does
//! not know is worth.
//!
//! A label is only AI evidence when it claims AI. An untrusted label that
//! claims AI is still evidence that the file is AI-made, but not a label the
//! policy accepts: reject. An untrusted label that claims no AI (a camera
//! capture, a plain edit) proves nothing either way, so it must not weigh
//! against the file: rejecting it would reward whoever strips the label, since
//! the same file without it has no AI evidence and is published. It is judged
//! as a file without AI evidence, with a note that the signer is unknown.

use tamga_label::{AiInvolvement, FileReport, Verdict};

use crate::{decide::Reason, policy::Policy, reason_text::ReasonKind, GateVerdict};

/// The trust reason for `report` under `policy`, if the rule applies: the
/// policy requires a trusted signer and the label is intact but its signer
/// (or an earlier one in its history) is not on the trust list.
///
/// A label whose certificate expired with no trusted time-stamp is treated
/// the same way: it is intact, but nothing shows its signer's certificate
/// was valid when it signed, so the distributor cannot vouch for it either.
pub(crate) fn reason(policy: &Policy, report: &FileReport) -> Option<Reason> {
    let expired = crate::evidence::expired_without_timestamp(report);
    if !policy.trust.require_trusted || (report.verdict != Verdict::ValidUntrusted && !expired) {
        return None;
    }
    // Why this label cannot be vouched for, in the words the reason uses.
    let why = if expired {
        report.reason.clone()
    } else {
        format!(
            "it is signed by {}, who is not on the trust list",
            untrusted_signer(report)
        )
    };
    let claims_ai = claims_ai(report);
    let kind = if expired {
        ReasonKind::Expired {
            date: expiry_date(&report.reason),
            claims_ai,
        }
    } else {
        ReasonKind::Untrusted {
            signer: untrusted_signer(report),
            claims_ai,
        }
    };
    Some(if claims_ai {
        Reason::new(
            GateVerdict::Reject,
            if expired {
                format!(
                    "the label says AI was involved and is intact, but {why}; ask its producer \
                     to label it again with a time-stamp"
                )
            } else {
                format!(
                    "the label says AI was involved and is intact, but {why}, so it is not a \
                     label this policy accepts"
                )
            },
            policy.trust.clause.clone(),
            kind,
        )
    } else {
        Reason::new(
            GateVerdict::Publish,
            format!(
                "note: the label is intact, but {why}; it does not say AI was involved, so it \
                 is no AI evidence and the file is judged as one without it"
            ),
            policy.unlabelled.clause.clone(),
            kind,
        )
    })
}

/// Whether any manifest in the label says AI made or changed the content:
/// the disclosure (which already looks through the whole store for an AI
/// statement) or any AI source type in the history.
fn claims_ai(report: &FileReport) -> bool {
    report.disclosure.as_ref().is_some_and(|d| d.is_ai())
        || report.history.iter().any(|l| {
            l.digital_source_type
                .as_deref()
                .and_then(AiInvolvement::from_iptc)
                .is_some()
        })
}

/// The first untrusted signer in the history: the active one, or for a
/// published file perhaps the producer behind the publisher.
fn untrusted_signer(report: &FileReport) -> String {
    report
        .history
        .iter()
        .find(|l| l.trusted == Some(false))
        .and_then(|l| l.signer.as_ref())
        .or(report.signer.as_ref())
        .and_then(|s| s.organisation.clone().or(s.common_name.clone()))
        .unwrap_or_else(|| "an unnamed signer".into())
}

/// The certificate's expiry date (`YYYY-MM-DD`) in the verifier's
/// sentence for an expired label, which is where the report carries it.
fn expiry_date(sentence: &str) -> Option<String> {
    sentence.split_whitespace().find_map(|w| {
        let w = w.trim_matches(|c: char| !c.is_ascii_digit());
        let b = w.as_bytes();
        let shape = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        shape.then(|| w.to_string())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_expiry_date_is_read_from_the_verifiers_sentence() {
        let s = "the signer's certificate expired on 2027-12-06 and the label has no trusted \
                 time-stamp";
        assert_eq!(super::expiry_date(s).as_deref(), Some("2027-12-06"));
        assert_eq!(super::expiry_date("no date here"), None);
    }
}
