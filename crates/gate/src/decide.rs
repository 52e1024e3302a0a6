//! One verdict per file: the verification report and the evidence, held
//! against the policy. Every reason names the rule and the clause behind it,
//! so an editor can see why and a lawyer can check it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tamga_label::{AigcSignature, FileReport, MediaFormat, Verdict};

use crate::{
    declarations::Declaration,
    evidence::{self, Certainty, Evidence, EvidenceKind},
    policy::Policy,
    reason_text::ReasonKind,
};

/// What the distributor may do with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateVerdict {
    /// It meets the policy.
    Publish,
    /// It can meet it once fixed (`tamga publish --fix`, or by hand).
    Fix,
    /// It must not be published.
    Reject,
}

impl GateVerdict {
    /// The word used in reports.
    pub fn word(self) -> &'static str {
        match self {
            Self::Publish => "publish",
            Self::Fix => "fix",
            Self::Reject => "reject",
        }
    }
}

impl std::fmt::Display for GateVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

/// Why a file got its verdict: one rule, what it found, and the clause.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// The rule: `readable`, `intact`, `trust`, `label`, `notice`, `aigc`,
    /// `unlabelled`.
    pub rule: &'static str,
    /// What this reason asks for.
    pub verdict: GateVerdict,
    /// In plain words.
    pub message: String,
    /// The law clause or policy rule behind it.
    pub clause: String,
    /// Which reason it is, for the HTML report to word in its language;
    /// JSON keeps `rule` and the English `message`.
    #[serde(skip)]
    pub kind: ReasonKind,
}

/// The AI status of a file.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AiStatus {
    /// `is`, `may-be`, `suspected`; absent when nothing says AI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certainty: Option<Certainty>,
    /// The strongest evidence behind it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<EvidenceKind>,
    /// How AI was involved, from the strongest evidence that says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub involvement: Option<String>,
}

/// The gate's answer for one file.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileCheck {
    /// The file as given (`pathBytes` beside it when the name is not UTF-8).
    #[serde(flatten, serialize_with = "tamga_label::path_json::fields_camel")]
    pub path: PathBuf,
    /// The format detected, when the file could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<MediaFormat>,
    /// `publish`, `fix` or `reject`.
    pub verdict: GateVerdict,
    /// Whether and how surely it is AI-made.
    pub ai: AiStatus,
    /// Every signal found, strongest first.
    pub evidence: Vec<Evidence>,
    /// Why, worst first.
    pub reasons: Vec<Reason>,
    /// The C2PA verification (`tamga verify`'s report), when the file
    /// could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<Box<FileReport>>,
    /// Why the file could not be read at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl FileCheck {
    /// A file that could not be read: rejected, with the reason.
    pub fn unreadable(path: PathBuf, error: String) -> Self {
        Self {
            path,
            format: None,
            verdict: GateVerdict::Reject,
            ai: AiStatus {
                certainty: None,
                basis: None,
                involvement: None,
            },
            evidence: Vec::new(),
            reasons: vec![Reason {
                rule: "readable",
                verdict: GateVerdict::Reject,
                message: error.clone(),
                clause: "a file that cannot be read cannot be checked".into(),
                kind: ReasonKind::Unreadable {
                    error: error.clone(),
                },
            }],
            verification: None,
            error: Some(error),
        }
    }

    /// Whether it says the AI notice must be added (what `publish --fix`
    /// can do).
    pub fn needs_notice(&self) -> bool {
        self.reasons
            .iter()
            .any(|r| r.rule == "notice" && r.verdict == GateVerdict::Fix)
    }
}

/// Holds `report` (and the uploader's declaration) against `policy`.
pub fn decide(policy: &Policy, report: FileReport, declaration: Option<&Declaration>) -> FileCheck {
    let evidence = evidence::collect(&report, declaration);
    let status = evidence::ai_status(&evidence);
    let format = Some(report.format);
    let mut reasons = Vec::new();

    // A label whose certificate expired with no trusted time-stamp is not
    // broken: nothing shows it was changed, only that it cannot be shown
    // the signer's certificate was valid when it signed. It counts as a
    // label from a signer the distributor cannot vouch for (docs/policy.md).
    let expired = evidence::expired_without_timestamp(&report);
    // A broken label is never published, AI or not: it is evidence that
    // the file was changed after someone signed it.
    if report.verdict == Verdict::Invalid && !expired {
        let codes = tamga_label::explain::invalid_codes(&report.failures);
        add(
            &mut reasons,
            "intact",
            GateVerdict::Reject,
            format!(
                "the C2PA label is broken: {}{}",
                report.reason,
                if codes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", codes.join(", "))
                }
            ),
            &policy.label.clause,
            ReasonKind::Broken {
                codes: codes.iter().map(|c| c.to_string()).collect(),
            },
        );
    }
    if report.verdict == Verdict::Remote {
        add(
            &mut reasons,
            "remote",
            policy.remote.verdict,
            format!(
                "{}; a remote label that was not fetched is not verified evidence",
                report.reason
            ),
            &policy.remote.clause,
            ReasonKind::Remote {
                url: report.remote_url.clone(),
            },
        );
    }
    // An untrusted label that claims no AI is only a note, added after the
    // AI rules so the file is judged as one without AI evidence.
    let trust = crate::trust::reason(policy, &report);
    let trust_note = match trust {
        Some(r) if r.verdict == GateVerdict::Publish => Some(r),
        Some(r) => {
            reasons.push(r);
            None
        }
        None => None,
    };
    if policy.aigc.reject_forged {
        for a in report.platform_metadata.iter().flat_map(|m| &m.aigc) {
            if a.signature == AigcSignature::Invalid {
                add(
                    &mut reasons,
                    "aigc",
                    GateVerdict::Reject,
                    "the AIGC label's ReservedCode1 does not verify with the C2PA signer's key: \
                     its fields were changed or it was forged"
                        .into(),
                    &policy.aigc.clause,
                    ReasonKind::AigcForged,
                );
            }
            if a.propagation_signature == AigcSignature::Invalid {
                add(
                    &mut reasons,
                    "aigc",
                    GateVerdict::Reject,
                    "the AIGC label's ReservedCode2 does not verify with the publisher's C2PA \
                     key: its propagation fields were changed or forged"
                        .into(),
                    &policy.aigc.clause,
                    ReasonKind::AigcPropagationForged,
                );
            }
        }
    }

    let involvement = evidence
        .iter()
        .filter(|e| e.says_ai && e.strength != evidence::Strength::Broken)
        .find_map(|e| match e.kind {
            EvidenceKind::C2pa => report
                .disclosure
                .as_ref()
                .and_then(|d| d.ai.map(|a| a.word().to_string())),
            EvidenceKind::IptcXmp => e
                .source_type
                .as_deref()
                .and_then(tamga_label::AiInvolvement::from_iptc)
                .map(|a| a.word().to_string()),
            _ => None,
        });

    match status {
        Some((certainty, basis)) => {
            let (label_required, label_clause) = policy.label_required(format);
            let accepted = evidence.iter().any(|e| {
                e.says_ai
                    && policy.label.accept.contains(&e.kind)
                    && matches!(
                        e.strength,
                        evidence::Strength::SignedTrusted
                            | evidence::Strength::Signed
                            | evidence::Strength::Unsigned
                    )
            });
            if label_required && !accepted {
                let any_label = evidence
                    .iter()
                    .any(|e| e.says_ai && e.kind != EvidenceKind::Declaration);
                let accept: Vec<&str> = policy.label.accept.iter().map(|k| kind_word(*k)).collect();
                add(
                    &mut reasons,
                    "label",
                    GateVerdict::Reject,
                    if any_label {
                        format!(
                            "AI content whose only machine-readable label is of a kind this policy \
                             does not accept (it accepts: {})",
                            accept.join(", ")
                        )
                    } else {
                        "AI content with no machine-readable label at all".into()
                    },
                    label_clause,
                    if any_label {
                        ReasonKind::LabelNotAccepted {
                            accept: accept.join(", "),
                        }
                    } else {
                        ReasonKind::LabelMissing
                    },
                );
            }
            let (notice_required, notice_clause) = policy.notice_required(format);
            let notice = report
                .disclosure
                .as_ref()
                .and_then(|d| d.perceivable_notice.as_ref());
            let reviewed_text = report.format.is_text()
                && report
                    .disclosure
                    .as_ref()
                    .and_then(|d| d.human_review.as_ref())
                    .is_some_and(|h| h.reviewed && h.editorial_responsibility.is_some());
            if notice_required && notice.is_none() {
                if policy.notice.exempt_reviewed_text && reviewed_text {
                    add(
                        &mut reasons,
                        "notice",
                        GateVerdict::Publish,
                        "AI text reviewed by a person under editorial responsibility needs no \
                         notice"
                            .into(),
                        notice_clause,
                        ReasonKind::NoticeExempt,
                    );
                } else {
                    add(
                        &mut reasons,
                        "notice",
                        GateVerdict::Fix,
                        "AI content without a perceivable notice recorded in its label \
                         (`tamga publish --fix` adds one)"
                            .into(),
                        notice_clause,
                        ReasonKind::NoticeMissing,
                    );
                }
            }
            if reasons.is_empty() {
                let what = match certainty {
                    Certainty::Is => "AI content",
                    Certainty::MayBe => "possibly AI content",
                    Certainty::Suspected => "suspected AI content",
                };
                add(
                    &mut reasons,
                    "label",
                    GateVerdict::Publish,
                    format!(
                        "{what} ({} evidence), labelled{}",
                        kind_word(basis),
                        if notice.is_some() {
                            " and with a perceivable notice"
                        } else {
                            ""
                        }
                    ),
                    label_clause,
                    ReasonKind::Labelled {
                        certainty,
                        basis: kind_word(basis),
                        notice: notice.is_some(),
                    },
                );
            }
        }
        None => {
            if reasons.is_empty() {
                let signed = report.verdict != Verdict::Unlabelled;
                add(
                    &mut reasons,
                    "unlabelled",
                    policy.unlabelled.verdict,
                    if signed {
                        "an intact label that does not say AI was involved".into()
                    } else {
                        "no AI evidence and no label".into()
                    },
                    &policy.unlabelled.clause,
                    if signed {
                        ReasonKind::UnlabelledSigned
                    } else {
                        ReasonKind::UnlabelledNone
                    },
                );
            }
        }
    }
    reasons.extend(trust_note);
    reasons.sort_by_key(|r| std::cmp::Reverse(r.verdict));
    let verdict = reasons
        .iter()
        .map(|r| r.verdict)
        .max()
        .unwrap_or(GateVerdict::Publish);
    FileCheck {
        path: report.path.clone(),
        format,
        verdict,
        ai: AiStatus {
            certainty: status.map(|s| s.0),
            basis: status.map(|s| s.1),
            involvement,
        },
        evidence,
        reasons,
        verification: Some(Box::new(report)),
        error: None,
    }
}

fn add(
    reasons: &mut Vec<Reason>,
    rule: &'static str,
    verdict: GateVerdict,
    message: String,
    clause: &str,
    kind: ReasonKind,
) {
    reasons.push(Reason {
        rule,
        verdict,
        message,
        clause: clause.to_string(),
        kind,
    });
}

/// The word for an evidence kind in reports.
pub fn kind_word(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::C2pa => "c2pa",
        EvidenceKind::IptcXmp => "iptc-xmp",
        EvidenceKind::Aigc => "aigc",
        EvidenceKind::Declaration => "declaration",
    }
}
