//! The gate's rules as a table: each entry is a [`RuleId`], whether a
//! policy applies it to a file of some format, and the function that finds
//! its reasons. The policy selects and parameterises the rules (verdicts,
//! clauses, accepted label kinds); `decide` only runs the table in order,
//! so adding a rule means adding one entry here.

use tamga_label::{AigcSignature, FileReport, MediaFormat, Verdict};

use crate::{
    decide::{kind_word, Reason},
    evidence::{self, Certainty, Evidence, EvidenceKind},
    policy::Policy,
    reason_text::ReasonKind,
    GateVerdict, RuleId,
};

/// What the rules look at for one file.
pub(crate) struct Facts<'a> {
    pub policy: &'a Policy,
    pub report: &'a FileReport,
    pub evidence: &'a [Evidence],
    /// How surely the file is AI-made, and on what evidence.
    pub status: Option<(Certainty, EvidenceKind)>,
    pub format: Option<MediaFormat>,
}

/// What the rules found so far.
#[derive(Default)]
pub(crate) struct Findings {
    /// In the order found; `decide` sorts them worst first.
    pub reasons: Vec<Reason>,
    /// Notes that must not count as an objection when later rules ask
    /// whether any rule objected (an untrusted label that claims no AI):
    /// added after every rule has run.
    pub notes: Vec<Reason>,
}

impl Findings {
    fn add(&mut self, verdict: GateVerdict, message: String, clause: &str, kind: ReasonKind) {
        self.reasons
            .push(Reason::new(verdict, message, clause.to_string(), kind));
    }
}

/// One rule: its id, whether the policy applies it to a format, and its
/// check.
pub(crate) struct Rule {
    pub id: RuleId,
    pub selected: fn(&Policy, Option<MediaFormat>) -> bool,
    pub check: fn(&Facts<'_>, &mut Findings),
}

/// The rules `decide` runs, in order. `readable` is not here: a file that
/// cannot be read never reaches them ([`crate::FileCheck::unreadable`]).
pub(crate) const RULES: [Rule; 8] = [
    Rule {
        id: RuleId::Intact,
        selected: |_, _| true,
        check: intact,
    },
    Rule {
        id: RuleId::Remote,
        selected: |_, _| true,
        check: remote,
    },
    Rule {
        id: RuleId::Trust,
        selected: |p, _| p.trust.require_trusted,
        check: trust,
    },
    Rule {
        id: RuleId::Aigc,
        selected: |p, _| p.aigc.reject_forged,
        check: aigc,
    },
    Rule {
        id: RuleId::Label,
        selected: |p, f| p.label_required(f).0,
        check: label,
    },
    Rule {
        id: RuleId::Notice,
        selected: |p, f| p.notice_required(f).0,
        check: notice,
    },
    Rule {
        id: RuleId::Unlabelled,
        selected: |_, _| true,
        check: unlabelled,
    },
    Rule {
        id: RuleId::Privacy,
        selected: |_, _| true,
        check: privacy,
    },
];

impl Policy {
    /// The rules this policy applies to a file of `format`, in the order
    /// they run.
    pub fn rules(&self, format: Option<MediaFormat>) -> Vec<RuleId> {
        RULES
            .iter()
            .filter(|r| (r.selected)(self, format))
            .map(|r| r.id)
            .collect()
    }
}

/// A broken label is never published, AI or not: it is evidence that the
/// file was changed after someone signed it. A label whose certificate
/// expired with no trusted time-stamp is not broken: nothing shows it was
/// changed, only that the signer's certificate cannot be shown valid when
/// it signed, so the trust rule judges it (docs/policy.md).
fn intact(facts: &Facts<'_>, out: &mut Findings) {
    let report = facts.report;
    if report.verdict != Verdict::Invalid || evidence::expired_without_timestamp(report) {
        return;
    }
    let codes = tamga_label::explain::invalid_codes(&report.failures);
    let listed = if codes.is_empty() {
        String::new()
    } else {
        format!(" ({})", codes.join(", "))
    };
    out.add(
        GateVerdict::Reject,
        format!("the C2PA label is broken: {}{listed}", report.reason),
        &facts.policy.label.clause,
        ReasonKind::Broken {
            codes: codes.iter().map(|c| c.to_string()).collect(),
        },
    );
}

/// A label stored remotely and not fetched is not verified evidence.
fn remote(facts: &Facts<'_>, out: &mut Findings) {
    let report = facts.report;
    if report.verdict != Verdict::Remote {
        return;
    }
    out.add(
        facts.policy.remote.verdict,
        format!(
            "{}; a remote label that was not fetched is not verified evidence",
            report.reason
        ),
        &facts.policy.remote.clause,
        ReasonKind::Remote {
            url: report.remote_url.clone(),
        },
    );
}

/// An untrusted label that claims no AI is only a note, added after the
/// other rules so the file is judged as one without AI evidence.
fn trust(facts: &Facts<'_>, out: &mut Findings) {
    match crate::trust::reason(facts.policy, facts.report) {
        Some(r) if r.verdict == GateVerdict::Publish => out.notes.push(r),
        Some(r) => out.reasons.push(r),
        None => {}
    }
}

/// GB 45438 integrity values that do not verify: forged or changed.
fn aigc(facts: &Facts<'_>, out: &mut Findings) {
    let clause = &facts.policy.aigc.clause;
    for a in facts.report.platform_metadata.iter().flat_map(|m| &m.aigc) {
        if a.signature == AigcSignature::Invalid {
            out.add(
                GateVerdict::Reject,
                "the AIGC label's ReservedCode1 does not verify with the C2PA signer's key: \
                 its fields were changed or it was forged"
                    .into(),
                clause,
                ReasonKind::AigcForged,
            );
        }
        if a.propagation_signature == AigcSignature::Invalid {
            out.add(
                GateVerdict::Reject,
                "the AIGC label's ReservedCode2 does not verify with the publisher's C2PA \
                 key: its propagation fields were changed or forged"
                    .into(),
                clause,
                ReasonKind::AigcPropagationForged,
            );
        }
    }
}

/// AI content must carry a label of a kind the policy accepts, intact.
fn label(facts: &Facts<'_>, out: &mut Findings) {
    if facts.status.is_none() {
        return;
    }
    let policy = facts.policy;
    let accepted = facts.evidence.iter().any(|e| {
        e.says_ai
            && policy.label.accept.contains(&e.kind)
            && matches!(
                e.strength,
                evidence::Strength::SignedTrusted
                    | evidence::Strength::Signed
                    | evidence::Strength::Unsigned
            )
    });
    if accepted {
        return;
    }
    let any_label = facts
        .evidence
        .iter()
        // A declaration or a generator's watermark says AI but is no label.
        .any(|e| {
            e.says_ai
                && !matches!(
                    e.kind,
                    EvidenceKind::Declaration
                        | EvidenceKind::SdWatermark
                        | EvidenceKind::TamgaWatermark
                )
        });
    let accept = policy
        .label
        .accept
        .iter()
        .map(|k| kind_word(*k))
        .collect::<Vec<_>>()
        .join(", ");
    let (message, kind) = if any_label {
        (
            format!(
                "AI content whose only machine-readable label is of a kind this policy does \
                 not accept (it accepts: {accept})"
            ),
            ReasonKind::LabelNotAccepted { accept },
        )
    } else {
        (
            "AI content with no machine-readable label at all".into(),
            ReasonKind::LabelMissing,
        )
    };
    out.add(
        GateVerdict::Reject,
        message,
        policy.label_required(facts.format).1,
        kind,
    );
}

/// The perceivable notice recorded in the label, if any.
pub(crate) fn recorded_notice(report: &FileReport) -> bool {
    report
        .disclosure
        .as_ref()
        .and_then(|d| d.perceivable_notice.as_ref())
        .is_some()
}

/// AI content must carry a perceivable notice, unless it is text a person
/// reviewed under editorial responsibility and the policy exempts that.
fn notice(facts: &Facts<'_>, out: &mut Findings) {
    let report = facts.report;
    if facts.status.is_none() || recorded_notice(report) {
        return;
    }
    let clause = facts.policy.notice_required(facts.format).1;
    let reviewed_text = report.format.is_text()
        && report
            .disclosure
            .as_ref()
            .and_then(|d| d.human_review.as_ref())
            .is_some_and(|h| h.reviewed && h.editorial_responsibility.is_some());
    if facts.policy.notice.exempt_reviewed_text && reviewed_text {
        out.add(
            GateVerdict::Publish,
            "AI text reviewed by a person under editorial responsibility needs no notice".into(),
            clause,
            ReasonKind::NoticeExempt,
        );
    } else {
        out.add(
            GateVerdict::Fix,
            "AI content without a perceivable notice recorded in its label".into(),
            clause,
            ReasonKind::NoticeMissing,
        );
    }
}

/// Personal data in the file: a note, or `fix` (redact before publishing)
/// where the policy says so. Never a reason to reject.
fn privacy(facts: &Facts<'_>, out: &mut Findings) {
    let items = &facts.report.privacy;
    if items.is_empty() {
        return;
    }
    let mut kinds: Vec<String> = items.iter().map(|i| i.kind.name().to_string()).collect();
    kinds.dedup();
    kinds.sort();
    kinds.dedup();
    let rule = &facts.policy.privacy;
    let message = format!(
        "the file carries data that can identify a person ({}: {} item(s)); review it, and \
         redact it before publishing",
        kinds.join(", "),
        items.len()
    );
    let kind = ReasonKind::PersonalData {
        kinds,
        count: items.len(),
    };
    if rule.verdict == GateVerdict::Publish {
        out.notes.push(Reason::new(
            GateVerdict::Publish,
            message,
            rule.clause.clone(),
            kind,
        ));
    } else {
        out.add(rule.verdict, message, &rule.clause, kind);
    }
}

/// A file with no AI evidence that no other rule objected to gets the
/// policy's verdict for such files.
fn unlabelled(facts: &Facts<'_>, out: &mut Findings) {
    if facts.status.is_some() || !out.reasons.is_empty() {
        return;
    }
    // A registry holds an AI label for this content: the file lost it on
    // the way. It is AI content, never "no AI evidence"; the fix is to
    // re-attach the label, under the clause that requires it.
    if let Some(found) = facts.report.recovered.as_ref().filter(|r| r.is_ai()) {
        out.add(
            GateVerdict::Fix,
            format!(
                "AI label stripped in transit: the file has none, but the registry holds one \
                 for this content ({}); re-attach it",
                found.manifest
            ),
            facts.policy.label_required(facts.format).1,
            ReasonKind::LabelStripped {
                manifest: found.manifest.clone(),
            },
        );
        return;
    }
    let signed = facts.report.verdict != Verdict::Unlabelled;
    let (message, kind) = if signed {
        (
            "an intact label that does not say AI was involved",
            ReasonKind::UnlabelledSigned,
        )
    } else {
        ("no AI evidence and no label", ReasonKind::UnlabelledNone)
    };
    out.add(
        facts.policy.unlabelled.verdict,
        message.into(),
        &facts.policy.unlabelled.clause,
        kind,
    );
}

/// AI content that no rule objected to: labelled as the policy asks. Its
/// reason is the `label` rule's, so a report shows why it passed.
pub(crate) fn labelled(facts: &Facts<'_>, out: &mut Findings) {
    let Some((certainty, basis)) = facts.status else {
        return;
    };
    if !out.reasons.is_empty() {
        return;
    }
    let what = match certainty {
        Certainty::Is => "AI content",
        Certainty::MayBe => "possibly AI content",
        Certainty::Suspected => "suspected AI content",
    };
    let notice = recorded_notice(facts.report);
    out.add(
        GateVerdict::Publish,
        format!(
            "{what} ({} evidence), labelled{}",
            kind_word(basis),
            if notice {
                " and with a perceivable notice"
            } else {
                ""
            }
        ),
        facts.policy.label_required(facts.format).1,
        ReasonKind::Labelled {
            certainty,
            basis: kind_word(basis),
            notice,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use RuleId::*;

    #[test]
    fn each_preset_selects_the_rules_docs_policy_md_gives_it() {
        // docs/policy.md, "Presets": kz and eu require a trusted signer, cn
        // does not; all three require a label and a notice, reject forged
        // AIGC labels and remote labels not fetched.
        let expect: [(&str, &[RuleId]); 3] = [
            (
                "kz",
                &[
                    Intact, Remote, Trust, Aigc, Label, Notice, Unlabelled, Privacy,
                ],
            ),
            (
                "eu",
                &[
                    Intact, Remote, Trust, Aigc, Label, Notice, Unlabelled, Privacy,
                ],
            ),
            (
                "cn",
                &[Intact, Remote, Aigc, Label, Notice, Unlabelled, Privacy],
            ),
        ];
        for (name, rules) in expect {
            let p = Policy::load(name).unwrap();
            for format in [None, Some(MediaFormat::Jpeg), Some(MediaFormat::Markdown)] {
                assert_eq!(p.rules(format), rules, "{name} {format:?}");
            }
            assert_eq!(p.remote.verdict, GateVerdict::Reject, "{name}");
            assert_eq!(p.unlabelled.verdict, GateVerdict::Publish, "{name}");
        }
        // The parameters docs/policy.md names: eu accepts C2PA only and
        // exempts reviewed text; kz and cn accept all three label kinds.
        let eu = Policy::load("eu").unwrap();
        assert_eq!(eu.label.accept, [EvidenceKind::C2pa]);
        assert!(eu.notice.exempt_reviewed_text);
        for name in ["kz", "cn"] {
            let p = Policy::load(name).unwrap();
            assert_eq!(p.label.accept.len(), 3, "{name}");
            assert!(!p.notice.exempt_reviewed_text, "{name}");
        }
    }

    #[test]
    fn a_custom_policy_selects_rules_per_format() {
        let src = "schema = 1\nname = \"n\"\ntitle = \"t\"\n\
                   [label]\nrequired = false\naccept = []\nclause = \"l\"\n\
                   [notice]\nrequired = true\nclause = \"n\"\n\
                   [unlabelled]\nverdict = \"reject\"\nclause = \"u\"\n\
                   [formats.image]\nnotice_required = false\n\
                   [formats.wav]\nlabel_required = true\n";
        let p = Policy::from_toml(src, "custom.toml").unwrap();
        assert_eq!(
            p.rules(Some(MediaFormat::Png)),
            [Intact, Remote, Unlabelled, Privacy]
        );
        assert_eq!(
            p.rules(Some(MediaFormat::Mp3)),
            [Intact, Remote, Notice, Unlabelled, Privacy]
        );
        assert_eq!(
            p.rules(Some(MediaFormat::Wav)),
            [Intact, Remote, Label, Notice, Unlabelled, Privacy]
        );
    }

    #[test]
    fn every_reason_kind_belongs_to_its_rule() {
        let kinds = [
            (
                ReasonKind::PersonalData {
                    kinds: vec![],
                    count: 0,
                },
                Privacy,
            ),
            (ReasonKind::Broken { codes: vec![] }, Intact),
            (ReasonKind::Remote { url: None }, Remote),
            (ReasonKind::AigcForged, Aigc),
            (ReasonKind::AigcPropagationForged, Aigc),
            (ReasonKind::LabelMissing, Label),
            (
                ReasonKind::LabelNotAccepted {
                    accept: "c2pa".into(),
                },
                Label,
            ),
            (
                ReasonKind::Labelled {
                    certainty: Certainty::Is,
                    basis: "c2pa",
                    notice: false,
                },
                Label,
            ),
            (ReasonKind::NoticeExempt, Notice),
            (ReasonKind::NoticeMissing, Notice),
            (ReasonKind::UnlabelledNone, Unlabelled),
            (
                ReasonKind::LabelStripped {
                    manifest: "urn:c2pa:x".into(),
                },
                Label,
            ),
            (ReasonKind::UnlabelledSigned, Unlabelled),
            (
                ReasonKind::Untrusted {
                    signer: "s".into(),
                    claims_ai: true,
                },
                Trust,
            ),
            (
                ReasonKind::Expired {
                    date: None,
                    claims_ai: false,
                },
                Trust,
            ),
            (ReasonKind::Unreadable { error: "e".into() }, Readable),
        ];
        for (kind, rule) in kinds {
            assert_eq!(kind.rule(), Some(rule), "{kind:?}");
            let r = Reason::new(GateVerdict::Reject, String::new(), String::new(), kind);
            assert_eq!(r.rule, rule);
        }
        assert_eq!(ReasonKind::Other.rule(), None);
    }
}
