//! `tamga publish`'s rule: only what the gate let through is stamped.
//!
//! The gate's verdict is the authority: a rejected file is never published,
//! a file that needs fixing only when the fix is the notice and the caller
//! asked for it ([`PublishRequest::fix`]), and the policy says whether the GB 45438 label is
//! handed on. The stamping itself is [`tamga_label::Labeller::publish`].

use std::path::Path;

use tamga_label::{
    LabelError, Labeller, NoticeOptions, Propagation, PublishOptions, PublishOutcome,
};

use crate::{FileCheck, Gate, GateVerdict};

/// Why a file was not published.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// The gate rejected it.
    #[error("{path}: rejected by the gate, not published: {reasons}")]
    Rejected {
        /// The file.
        path: String,
        /// The reject reasons, joined.
        reasons: String,
    },
    /// It needs a fix that was not asked for, or that tamga cannot make.
    #[error("{path}: needs fixing before it may be published: {reasons}")]
    NeedsFix {
        /// The file.
        path: String,
        /// What to fix, joined.
        reasons: String,
        /// Whether the missing notice is the only fix and the request did
        /// not ask for it ([`PublishRequest::fix`]): asking would publish
        /// the file. The caller words how to ask (the CLI names its flag).
        notice_would_fix: bool,
    },
    /// Stamping failed.
    #[error(transparent)]
    Label(#[from] LabelError),
}

impl PublishError {
    /// A short machine-readable kind, for JSON reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Rejected { .. } => "rejected",
            Self::NeedsFix { .. } => "needs-fix",
            Self::Label(e) => e.kind(),
        }
    }
}

/// How to publish what passed.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PublishRequest {
    /// The notice to add to files whose only problem is a missing notice;
    /// `None` leaves such files unpublished.
    pub fix: Option<NoticeOptions>,
    /// The propagation fields, when the policy hands the AIGC label on.
    pub propagation: Propagation,
}

impl Gate {
    /// Publishes the file `check` judged to `output`, signed by `labeller`,
    /// if the verdict allows it.
    pub fn publish(
        &self,
        labeller: &Labeller,
        check: &FileCheck,
        output: &Path,
        request: &PublishRequest,
    ) -> Result<PublishOutcome, PublishError> {
        let notice = self.admit(check, request)?;
        let Some(received) = check.verification.as_deref() else {
            // Unreadable files are rejected by `admit`; belt and braces.
            return Err(PublishError::Rejected {
                path: check.path.display().to_string(),
                reasons: check.error.clone().unwrap_or_default(),
            });
        };
        let mut options = PublishOptions::default();
        options.notice = notice;
        if self.policy.aigc.propagate {
            options.propagation = Some(request.propagation.clone());
        }
        Ok(labeller.publish(&check.path, output, received, &options)?)
    }

    /// Whether `check`'s file may be published under `request`, before any
    /// work: `Ok` with the notice to add (for a `fix` the request can
    /// make), or why not.
    pub fn admit(
        &self,
        check: &FileCheck,
        request: &PublishRequest,
    ) -> Result<Option<NoticeOptions>, PublishError> {
        let path = check.path.display().to_string();
        let joined = |verdict: GateVerdict| {
            check
                .reasons
                .iter()
                .filter(|r| r.verdict == verdict)
                .map(|r| r.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        match check.verdict {
            GateVerdict::Reject => Err(PublishError::Rejected {
                path,
                reasons: joined(GateVerdict::Reject),
            }),
            GateVerdict::Publish => Ok(None),
            GateVerdict::Fix => {
                // The request's fix adds the notice and nothing else: any
                // other fix is the producer's to make.
                let only_notice = check
                    .reasons
                    .iter()
                    .filter(|r| r.verdict == GateVerdict::Fix)
                    .all(|r| r.rule == crate::RuleId::Notice);
                match (&request.fix, only_notice) {
                    (Some(n), true) => Ok(Some(n.clone())),
                    _ => Err(PublishError::NeedsFix {
                        path,
                        reasons: joined(GateVerdict::Fix),
                        notice_would_fix: request.fix.is_none() && only_notice,
                    }),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decide::AiStatus, Declarations, Policy, Reason};

    fn gate() -> Gate {
        Gate::new(
            Policy::load("kz").unwrap(),
            tamga_label::VerifyOptions::default(),
            Declarations::default(),
        )
        .unwrap()
    }

    fn check(verdict: GateVerdict, reasons: &[(&'static str, GateVerdict)]) -> FileCheck {
        FileCheck {
            path: "in/x.png".into(),
            format: None,
            verdict,
            ai: AiStatus {
                certainty: None,
                basis: None,
                involvement: None,
            },
            evidence: Vec::new(),
            reasons: reasons
                .iter()
                .map(|&(rule, verdict)| Reason {
                    rule: rule.parse().unwrap(),
                    verdict,
                    message: format!("{rule} says {verdict}"),
                    clause: "test".into(),
                    kind: Default::default(),
                })
                .collect(),
            verification: None,
            error: None,
        }
    }

    #[test]
    fn only_what_the_gate_passed_is_admitted() {
        let gate = gate();
        let plain = PublishRequest::default();
        let fixing = PublishRequest {
            fix: Some(NoticeOptions::default()),
            ..Default::default()
        };

        let ok = check(GateVerdict::Publish, &[("label", GateVerdict::Publish)]);
        assert!(matches!(gate.admit(&ok, &plain), Ok(None)));
        assert!(
            matches!(gate.admit(&ok, &fixing), Ok(None)),
            "no notice on a passing file"
        );

        let rejected = check(
            GateVerdict::Reject,
            &[
                ("intact", GateVerdict::Reject),
                ("notice", GateVerdict::Fix),
            ],
        );
        for request in [&plain, &fixing] {
            let err = gate.admit(&rejected, request).unwrap_err();
            assert_eq!(err.kind(), "rejected");
            let text = err.to_string();
            assert!(
                text.contains("in/x.png") && text.contains("intact says reject"),
                "{text}"
            );
            assert!(!text.contains("notice says"), "{text}");
        }

        let needs_notice = check(GateVerdict::Fix, &[("notice", GateVerdict::Fix)]);
        let err = gate.admit(&needs_notice, &plain).unwrap_err();
        assert_eq!(err.kind(), "needs-fix");
        assert!(
            matches!(
                err,
                PublishError::NeedsFix {
                    notice_would_fix: true,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            !err.to_string().contains("--"),
            "no flag in a library: {err}"
        );
        assert!(matches!(gate.admit(&needs_notice, &fixing), Ok(Some(_))));

        // A fix the notice cannot make stays unpublished, and asking for
        // the notice would not help.
        let other = check(
            GateVerdict::Fix,
            &[
                ("notice", GateVerdict::Fix),
                ("unlabelled", GateVerdict::Fix),
            ],
        );
        for request in [&plain, &fixing] {
            let err = gate.admit(&other, request).unwrap_err();
            assert_eq!(err.kind(), "needs-fix");
            assert!(
                matches!(
                    err,
                    PublishError::NeedsFix {
                        notice_would_fix: false,
                        ..
                    }
                ),
                "{err:?}"
            );
        }
    }
}
