//! `tamga publish`'s rule: only what the gate let through is stamped.
//!
//! The gate's verdict is the authority: a rejected file is never published,
//! a file that needs fixing only when every fix is one the request can make
//! — the notice, when the caller asked for it ([`PublishRequest::fix`]),
//! and a label stripped in transit, when the caller asked to re-attach it
//! ([`PublishRequest::reattach`]) — and the policy says whether the GB
//! 45438 label is handed on. The stamping itself is
//! [`tamga_label::Labeller::publish`].

use std::path::Path;

use tamga_label::{
    LabelError, Labeller, NoticeOptions, Propagation, PublishOptions, PublishOutcome,
    ReattachedLabel,
};

use crate::{FileCheck, Gate, GateVerdict, ReasonKind, RuleId};

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
        /// Whether adding the notice ([`PublishRequest::fix`]), which the
        /// request did not ask for, is needed and (with
        /// `reattach_would_fix`, when that is set too) enough to publish
        /// the file. The caller words how to ask (the CLI names its flag).
        notice_would_fix: bool,
        /// Whether re-attaching the label stripped in transit
        /// ([`PublishRequest::reattach`]), which the request did not ask
        /// for, is needed and (with `notice_would_fix`, when that is set
        /// too) enough to publish the file.
        reattach_would_fix: bool,
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
    /// Re-attach a label stripped in transit: a file the gate judged `fix`
    /// because the registry holds an AI label for it is published with
    /// that label as its parent ingredient. Off, such files stay
    /// unpublished.
    pub reattach: bool,
    /// The propagation fields, when the policy hands the AIGC label on.
    pub propagation: Propagation,
    /// Personal data to redact (`privacy`'s kinds); it also makes a
    /// `fix` the privacy rule asked for.
    pub redact: Vec<tamga_label::privacy::PrivacyKind>,
}

/// What publishing an admitted file is to do besides stamping it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Admission {
    /// The notice to add first.
    pub notice: Option<NoticeOptions>,
    /// The id of the registry's label to re-attach as the parent.
    pub reattach: Option<String>,
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
        let admission = self.admit(check, request)?;
        let Some(received) = check.verification.as_deref() else {
            // Unreadable files are rejected by `admit`; belt and braces.
            return Err(PublishError::Rejected {
                path: check.path.display().to_string(),
                reasons: check.error.clone().unwrap_or_default(),
            });
        };
        let mut options = PublishOptions::default();
        options.notice = admission.notice;
        options.redact = request.redact.clone();
        if self.policy.aigc.propagate {
            options.propagation = Some(request.propagation.clone());
        }
        if let Some(id) = admission.reattach {
            options.reattach = Some(self.stored_label(check, &id)?);
        }
        Ok(labeller.publish(&check.path, output, received, &options)?)
    }

    /// The label `id` the registry holds for `check`'s file.
    fn stored_label(&self, check: &FileCheck, id: &str) -> Result<ReattachedLabel, PublishError> {
        let gone = || PublishError::NeedsFix {
            path: check.path.display().to_string(),
            reasons: format!(
                "the registry no longer holds the label stripped from it ({id}); it cannot be \
                 re-attached"
            ),
            notice_would_fix: false,
            reattach_would_fix: false,
        };
        // `admit` only re-attaches what the gate recovered, through this
        // gate's registry; without one there is nothing to fetch.
        let Some(registry) = &self.registry else {
            return Err(gone());
        };
        ReattachedLabel::fetch(registry, id, &check.path)?.ok_or_else(gone)
    }

    /// Whether `check`'s file may be published under `request`, before any
    /// work: `Ok` with what publishing it must do (for a `fix` the request
    /// can make), or why not.
    pub fn admit(
        &self,
        check: &FileCheck,
        request: &PublishRequest,
    ) -> Result<Admission, PublishError> {
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
            GateVerdict::Publish => Ok(Admission::default()),
            GateVerdict::Fix => {
                let mut fixes = self.fixes(check);
                // Personal data the policy wants out: a redaction asked for
                // makes that fix.
                if fixes.privacy && !request.redact.is_empty() {
                    fixes.privacy = false;
                }
                fixes.other |= fixes.privacy;
                let has_fix = request.fix.is_some();
                if fixes.possible(has_fix, request.reattach) {
                    return Ok(Admission {
                        notice: request.fix.clone().filter(|_| fixes.notice),
                        reattach: fixes.stripped.filter(|_| request.reattach),
                    });
                }
                // What asking for would publish it: nothing when some fix
                // is the producer's to make.
                let all = fixes.possible(true, true);
                let mut reasons = joined(GateVerdict::Fix);
                if fixes.notice_once_reattached {
                    reasons.push_str(
                        "; once its label is re-attached, AI content without a perceivable \
                         notice",
                    );
                }
                Err(PublishError::NeedsFix {
                    path,
                    reasons,
                    notice_would_fix: all && !has_fix && !fixes.possible(false, true),
                    reattach_would_fix: all && !request.reattach && !fixes.possible(true, false),
                })
            }
        }
    }

    /// The fixes a `fix` verdict asks for, sorted by who can make them.
    fn fixes(&self, check: &FileCheck) -> Fixes {
        let mut fixes = Fixes::default();
        for r in check
            .reasons
            .iter()
            .filter(|r| r.verdict == GateVerdict::Fix)
        {
            match (&r.kind, r.rule) {
                (ReasonKind::LabelStripped { manifest }, _) => {
                    fixes.stripped = Some(manifest.clone());
                }
                (_, RuleId::Notice) => fixes.notice = true,
                (_, RuleId::Privacy) => fixes.privacy = true,
                _ => fixes.other = true,
            }
        }
        // The re-attached label makes the file AI content, which the
        // policy may want a notice on: the gate could not ask for it on a
        // file it saw no AI label in.
        if fixes.stripped.is_some() && !fixes.notice {
            let recovered = check
                .verification
                .as_deref()
                .and_then(|v| v.recovered.as_ref());
            let has_notice = recovered
                .and_then(|r| r.disclosure.as_ref())
                .is_some_and(|d| d.perceivable_notice.is_some());
            if self.policy.notice_required(check.format).0 && !has_notice {
                fixes.notice = true;
                fixes.notice_once_reattached = true;
            }
        }
        fixes
    }
}

/// What a `fix` verdict needs.
#[derive(Debug, Default)]
struct Fixes {
    /// The perceivable notice.
    notice: bool,
    /// Only because re-attaching the label makes it AI content.
    notice_once_reattached: bool,
    /// The label stripped in transit, by its registry id.
    stripped: Option<String>,
    /// A fix only the producer can make.
    other: bool,
    /// Personal data to redact.
    privacy: bool,
}

impl Fixes {
    /// Whether a request with (or without) the notice and re-attaching
    /// makes every fix.
    fn possible(&self, notice: bool, reattach: bool) -> bool {
        !self.other && (!self.notice || notice) && (self.stripped.is_none() || reattach)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decide::AiStatus, Declarations, Policy, Reason, ReasonKind};

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
        let nothing = |a: Result<Admission, PublishError>| {
            matches!(
                a,
                Ok(Admission {
                    notice: None,
                    reattach: None
                })
            )
        };
        assert!(nothing(gate.admit(&ok, &plain)));
        assert!(
            nothing(gate.admit(&ok, &fixing)),
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
        assert!(matches!(
            gate.admit(&needs_notice, &fixing),
            Ok(Admission {
                notice: Some(_),
                reattach: None
            })
        ));

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
                        reattach_would_fix: false,
                        ..
                    }
                ),
                "{err:?}"
            );
        }
    }

    /// A file whose AI label was stripped in transit: `fix` with one
    /// reason, [`ReasonKind::LabelStripped`].
    fn stripped(policy_notice: bool) -> (Gate, FileCheck) {
        let mut policy = Policy::load("kz").unwrap();
        policy.notice.required = policy_notice;
        let gate = Gate::new(
            policy,
            tamga_label::VerifyOptions::default(),
            Declarations::default(),
        )
        .unwrap();
        let mut check = check(GateVerdict::Fix, &[]);
        check.reasons.push(Reason::new(
            GateVerdict::Fix,
            "AI label stripped in transit".into(),
            "test".into(),
            ReasonKind::LabelStripped {
                manifest: "urn:c2pa:test".into(),
            },
        ));
        (gate, check)
    }

    #[test]
    fn a_stripped_label_is_admitted_only_when_the_request_reattaches_it() {
        let (gate, check) = stripped(false);
        let plain = PublishRequest::default();
        let err = gate.admit(&check, &plain).unwrap_err();
        assert!(
            matches!(
                err,
                PublishError::NeedsFix {
                    notice_would_fix: false,
                    reattach_would_fix: true,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(!err.to_string().contains("--"), "no flag in a library");
        let reattach = PublishRequest {
            reattach: true,
            ..Default::default()
        };
        let admitted = gate.admit(&check, &reattach).unwrap();
        assert_eq!(admitted.reattach.as_deref(), Some("urn:c2pa:test"));
        assert!(admitted.notice.is_none());
        // Asking for the notice adds none where the policy wants none.
        let both = PublishRequest {
            reattach: true,
            fix: Some(NoticeOptions::default()),
            ..Default::default()
        };
        assert!(gate.admit(&check, &both).unwrap().notice.is_none());

        // Re-attaching does not make any other fix.
        let mut other = check.clone();
        other.reasons.push(Reason::new(
            GateVerdict::Fix,
            "declared AI".into(),
            "test".into(),
            ReasonKind::LabelMissing,
        ));
        let err = gate.admit(&other, &both).unwrap_err();
        assert!(
            matches!(
                err,
                PublishError::NeedsFix {
                    notice_would_fix: false,
                    reattach_would_fix: false,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn a_reattached_label_gets_the_notice_the_policy_wants_on_ai_content() {
        let (gate, check) = stripped(true);
        let reattach = PublishRequest {
            reattach: true,
            ..Default::default()
        };
        // The file becomes AI content without a notice: both are needed.
        let err = gate.admit(&check, &reattach).unwrap_err();
        assert!(
            matches!(
                err,
                PublishError::NeedsFix {
                    notice_would_fix: true,
                    reattach_would_fix: false,
                    ..
                }
            ),
            "{err:?}"
        );
        let err = gate.admit(&check, &PublishRequest::default()).unwrap_err();
        assert!(
            matches!(
                err,
                PublishError::NeedsFix {
                    notice_would_fix: true,
                    reattach_would_fix: true,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("once its label is re-attached"));
        let both = PublishRequest {
            reattach: true,
            fix: Some(NoticeOptions::default()),
            ..Default::default()
        };
        let admitted = gate.admit(&check, &both).unwrap();
        assert!(admitted.notice.is_some() && admitted.reattach.is_some());
    }
}
