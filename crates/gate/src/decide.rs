//! One verdict per file: the verification report and the evidence, held
//! against the policy. Every reason names the rule and the clause behind it,
//! so an editor can see why and a lawyer can check it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tamga_label::{FileReport, MediaFormat};

use crate::{
    declarations::Declaration,
    evidence::{self, Certainty, Evidence, EvidenceKind},
    policy::Policy,
    reason_text::ReasonKind,
    rules::{self, Facts, Findings},
    RuleId,
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
    /// The rule; serialised as its name (`intact`, `notice`, …).
    pub rule: RuleId,
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

impl Reason {
    /// A reason of `kind`; its rule is the one `kind` belongs to
    /// ([`ReasonKind::rule`]), so the two cannot disagree.
    pub(crate) fn new(
        verdict: GateVerdict,
        message: String,
        clause: String,
        kind: ReasonKind,
    ) -> Self {
        Self {
            // Every kind the gate itself gives has a rule; `Other` is only
            // for reasons built outside it, which name their rule.
            rule: kind.rule().unwrap_or(RuleId::Readable),
            verdict,
            message,
            clause,
            kind,
        }
    }
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
            reasons: vec![Reason::new(
                GateVerdict::Reject,
                error.clone(),
                "a file that cannot be read cannot be checked".into(),
                ReasonKind::Unreadable {
                    error: error.clone(),
                },
            )],
            verification: None,
            error: Some(error),
        }
    }

    /// Whether it says the AI notice must be added (what `publish --fix`
    /// can do).
    pub fn needs_notice(&self) -> bool {
        self.reasons
            .iter()
            .any(|r| r.rule == RuleId::Notice && r.verdict == GateVerdict::Fix)
    }
}

/// Holds `report` (and the uploader's declaration) against `policy`: runs
/// the rules the policy selects for the file's format (the table in `rules.rs`) in
/// order, then, if none objected, says why the file passes.
pub fn decide(policy: &Policy, report: FileReport, declaration: Option<&Declaration>) -> FileCheck {
    let mut evidence = evidence::collect(&report, declaration);
    // Watermarks in an unlabelled image's pixels, as the verifier found
    // them: evidence, never labels.
    if let Some(mark) = &report.sd_watermark {
        evidence.push(evidence::sd_watermark(mark));
    }
    // A recovered label speaks for the content itself; the mark only
    // stands in for a label that could not be found.
    if let (Some(mark), None) = (&report.watermark, &report.recovered) {
        evidence.push(evidence::tamga_watermark(mark));
    }
    evidence.sort_by_key(|e| e.kind);
    let status = evidence::ai_status(&evidence);
    let format = Some(report.format);
    let facts = Facts {
        policy,
        report: &report,
        evidence: &evidence,
        status,
        format,
    };
    let mut found = Findings::default();
    for rule in rules::RULES.iter().filter(|r| (r.selected)(policy, format)) {
        (rule.check)(&facts, &mut found);
    }
    rules::labelled(&facts, &mut found);
    let involvement = involvement(&report, &evidence);
    let Findings { mut reasons, notes } = found;
    reasons.extend(notes);
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

/// How AI was involved, from the strongest unbroken evidence that says.
fn involvement(report: &FileReport, evidence: &[Evidence]) -> Option<String> {
    evidence
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
        })
}

/// The word for an evidence kind in reports.
pub fn kind_word(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::C2pa => "c2pa",
        EvidenceKind::IptcXmp => "iptc-xmp",
        EvidenceKind::Aigc => "aigc",
        EvidenceKind::TamgaWatermark => "tamga-watermark",
        EvidenceKind::SdWatermark => "sd-watermark",
        EvidenceKind::Declaration => "declaration",
    }
}
