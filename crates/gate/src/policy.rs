//! Policies are data: what a distributor requires before it publishes, per
//! jurisdiction, each rule with the clause it comes from. The schema is
//! documented in `docs/policy.md`; the `kz`, `eu` and `cn` presets ship in
//! `policies/` and encode `labelling-law.md`.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use tamga_label::MediaFormat;

use crate::{evidence::EvidenceKind, GateError, GateVerdict};

/// The policy schema this build reads.
pub const POLICY_SCHEMA: u32 = 1;

/// The presets that ship with tamga: name and TOML source.
pub const PRESETS: [(&str, &str); 3] = [
    ("kz", include_str!("../policies/kz.toml")),
    ("eu", include_str!("../policies/eu.toml")),
    ("cn", include_str!("../policies/cn.toml")),
];

/// A distributor's publishing policy.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Schema version; must be [`POLICY_SCHEMA`].
    pub schema: u32,
    /// Short name, shown in reports (e.g. `kz`).
    pub name: String,
    /// What the policy is, for people.
    pub title: String,
    /// Whose signatures count.
    #[serde(default)]
    pub trust: TrustRule,
    /// The machine-readable label AI content must carry.
    pub label: LabelRule,
    /// The perceivable notice AI content must carry.
    pub notice: NoticeRule,
    /// Files with no AI evidence and no label.
    pub unlabelled: UnlabelledRule,
    /// GB 45438 implicit labels.
    #[serde(default)]
    pub aigc: AigcRule,
    /// A label stored remotely that was not fetched.
    #[serde(default)]
    pub remote: RemoteRule,
    /// Personal data in the file or its manifests.
    #[serde(default)]
    pub privacy: PrivacyRule,
    /// Overrides per format (`jpeg`, `markdown`, …) or kind (`image`,
    /// `audio`, `video`, `text`).
    #[serde(default)]
    pub formats: BTreeMap<String, FormatRule>,
}

/// Trust in signers.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrustRule {
    /// A PEM bundle of trust anchors, relative to the policy file.
    #[serde(default)]
    pub anchors: Option<PathBuf>,
    /// A PEM bundle of individually allowed signing certificates.
    #[serde(default)]
    pub allowed: Option<PathBuf>,
    /// Whether a C2PA label must chain to a trust anchor. Only a label that
    /// claims AI is rejected for it; one that claims no AI is no AI evidence
    /// and gets a note (see `trust.rs` and docs/policy.md).
    #[serde(default)]
    pub require_trusted: bool,
    /// Why.
    #[serde(default)]
    pub clause: String,
}

/// The machine-readable label.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LabelRule {
    /// Whether AI content must carry one.
    pub required: bool,
    /// Which kinds of evidence count as the label (an intact C2PA manifest
    /// always counts as evidence; only these satisfy the rule).
    pub accept: Vec<EvidenceKind>,
    /// Why.
    pub clause: String,
}

/// The perceivable notice.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRule {
    /// Whether AI content must carry one.
    pub required: bool,
    /// AI text that a person reviewed, under someone's editorial
    /// responsibility, needs no notice (AI Act art. 50(4)).
    #[serde(default)]
    pub exempt_reviewed_text: bool,
    /// The languages of a notice `tamga publish --fix` adds (kk, ru, en,
    /// zh), in order; empty means Kazakh, Russian and English.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Why.
    pub clause: String,
}

/// Content with no AI evidence at all.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UnlabelledRule {
    /// What happens to it.
    pub verdict: GateVerdict,
    /// Why.
    pub clause: String,
}

/// A file whose label is stored remotely (XMP `dcterms:provenance`) and
/// was not fetched: nothing in that label is verified evidence, so it
/// neither proves AI content labelled nor clears it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteRule {
    /// What happens to it; `reject` unless a policy says otherwise.
    pub verdict: crate::GateVerdict,
    /// Why.
    #[serde(default)]
    pub clause: String,
}

impl Default for RemoteRule {
    fn default() -> Self {
        Self {
            verdict: crate::GateVerdict::Reject,
            clause: "a label that was not fetched and verified is not evidence".into(),
        }
    }
}

/// Personal data a file carries: GPS, serial numbers, names, identities,
/// prompts, ingredient thumbnails.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyRule {
    /// `publish` (with a note: the default) or `fix` (redact it first).
    pub verdict: crate::GateVerdict,
    /// What `tamga publish` redacts when not told (`gps`, `device`,
    /// `identity`, `prompts`, `ingredient-thumbnails`, `personal`).
    #[serde(default)]
    pub redact: Vec<String>,
    /// Why.
    #[serde(default)]
    pub clause: String,
}

impl Default for PrivacyRule {
    fn default() -> Self {
        Self {
            redact: Vec::new(),
            verdict: crate::GateVerdict::Publish,
            clause: "personal data published with the content should be reviewed".into(),
        }
    }
}

/// GB 45438 implicit labels.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AigcRule {
    /// Reject a label whose `ReservedCode1` does not verify.
    #[serde(default)]
    pub reject_forged: bool,
    /// Write the propagation fields when publishing.
    #[serde(default)]
    pub propagate: bool,
    /// Why.
    #[serde(default)]
    pub clause: String,
}

/// Per-format overrides.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FormatRule {
    /// Overrides `label.required`.
    #[serde(default)]
    pub label_required: Option<bool>,
    /// Overrides `notice.required`.
    #[serde(default)]
    pub notice_required: Option<bool>,
    /// Why.
    #[serde(default)]
    pub clause: String,
}

/// A policy file that cannot be used: the policy causes of [`GateError`].
pub type PolicyError = GateError;

/// The kinds a format rule may name besides formats.
const KINDS: [&str; 4] = ["image", "audio", "video", "text"];

impl Policy {
    /// A preset (`kz`, `eu`, `cn`) or a TOML file. Paths in a file are
    /// made relative to its folder.
    pub fn load(name_or_path: &str) -> Result<Self, PolicyError> {
        if let Some((_, src)) = PRESETS.iter().find(|(n, _)| *n == name_or_path) {
            return Self::from_toml(src, name_or_path);
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            return Err(GateError::UnknownPolicy {
                name: name_or_path.into(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| GateError::PolicyUnreadable {
            path: name_or_path.into(),
            source,
        })?;
        let mut policy = Self::from_toml(&text, name_or_path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        for p in [&mut policy.trust.anchors, &mut policy.trust.allowed]
            .into_iter()
            .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        Ok(policy)
    }

    /// Parses a policy; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, PolicyError> {
        let policy: Self = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            let message = e.message().trim().replace('\n', " ");
            match unknown_key(&message) {
                Some(key) => GateError::PolicyUnknownKey {
                    path: origin.into(),
                    line,
                    column,
                    key,
                    message,
                },
                None => GateError::PolicySyntax {
                    path: origin.into(),
                    line,
                    column,
                    message,
                },
            }
        })?;
        let invalid = |message: String| GateError::PolicyInvalid {
            path: origin.into(),
            message,
        };
        if policy.schema != POLICY_SCHEMA {
            return Err(invalid(format!(
                "schema {} is not supported (this tamga reads schema {POLICY_SCHEMA})",
                policy.schema
            )));
        }
        if policy.label.required && policy.label.accept.is_empty() {
            return Err(invalid(
                "label.required is true but label.accept lists no kind of label".into(),
            ));
        }
        for key in policy.formats.keys() {
            if !KINDS.contains(&key.as_str())
                && MediaFormat::from_name(key).map(MediaFormat::name) != Some(key.as_str())
            {
                return Err(invalid(format!(
                    "formats.{key}: not a format (jpeg, png, wav, markdown, …) or a kind \
                     (image, audio, video, text)"
                )));
            }
        }
        Ok(policy)
    }

    /// The format rules that apply to `format`, the exact format's last so
    /// it wins over its kind's.
    fn rules_for(&self, format: Option<MediaFormat>) -> impl Iterator<Item = &FormatRule> {
        let keys: Vec<String> = format
            .map(|f| vec![kind_of(f).to_string(), f.name().to_string()])
            .unwrap_or_default();
        keys.into_iter().filter_map(|k| self.formats.get(&k))
    }

    /// Whether AI content of `format` needs a machine-readable label, and why.
    pub fn label_required(&self, format: Option<MediaFormat>) -> (bool, &str) {
        let mut out = (self.label.required, self.label.clause.as_str());
        for r in self.rules_for(format) {
            if let Some(req) = r.label_required {
                out = (req, clause_or(&r.clause, &self.label.clause));
            }
        }
        out
    }

    /// Whether AI content of `format` needs a perceivable notice, and why.
    pub fn notice_required(&self, format: Option<MediaFormat>) -> (bool, &str) {
        let mut out = (self.notice.required, self.notice.clause.as_str());
        for r in self.rules_for(format) {
            if let Some(req) = r.notice_required {
                out = (req, clause_or(&r.clause, &self.notice.clause));
            }
        }
        out
    }
}

/// The key serde's `deny_unknown_fields` names in `message` (``unknown
/// field `x`, expected one of …``): the toml crate reports it only as text.
fn unknown_key(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(key, _)| key.to_string())
}

fn clause_or<'a>(own: &'a str, fallback: &'a str) -> &'a str {
    if own.is_empty() {
        fallback
    } else {
        own
    }
}

/// `image`, `audio`, `video` or `text`.
pub(crate) fn kind_of(format: MediaFormat) -> &'static str {
    if format.is_image() {
        "image"
    } else if format.is_text() {
        "text"
    } else if format == MediaFormat::Mp4 {
        "video"
    } else {
        "audio"
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
/// The 1-based line and column of byte `offset` in `text`, for TOML errors.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_cites_a_clause_for_every_rule() {
        for (name, _) in PRESETS {
            let p = Policy::load(name).unwrap();
            assert_eq!(p.name, name);
            for clause in [&p.label.clause, &p.notice.clause, &p.unlabelled.clause] {
                assert!(!clause.trim().is_empty(), "{name}");
            }
            if p.trust.require_trusted {
                assert!(!p.trust.clause.is_empty(), "{name}");
            }
        }
    }

    #[test]
    fn a_bad_policy_is_an_error_with_line_and_column() {
        let src = "schema = 1\nname = \"x\"\ntitle = \"t\"\n[label]\nrequired = true\naccept = [\"c2pa\", \"watermark\"]\nclause = \"c\"\n";
        let e = Policy::from_toml(src, "mine.toml").unwrap_err().to_string();
        assert!(e.starts_with("mine.toml:6:"), "{e}");
        assert!(e.contains("watermark"), "{e}");
        assert!(!e.contains('\n'), "{e}");

        let typo = "schema = 1\nname = \"x\"\ntitle = \"t\"\nrequire_trust = true\n";
        let e = Policy::from_toml(typo, "t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:4:1:"), "{e}");
    }

    #[test]
    fn format_rules_override_kind_rules_which_override_the_default() {
        let mut p = Policy::load("eu").unwrap();
        p.formats.insert(
            "audio".into(),
            FormatRule {
                notice_required: Some(false),
                clause: "audio clause".into(),
                ..Default::default()
            },
        );
        p.formats.insert(
            "wav".into(),
            FormatRule {
                notice_required: Some(true),
                clause: "wav clause".into(),
                ..Default::default()
            },
        );
        assert_eq!(
            p.notice_required(Some(MediaFormat::Mp3)),
            (false, "audio clause")
        );
        assert_eq!(
            p.notice_required(Some(MediaFormat::Wav)),
            (true, "wav clause")
        );
        assert!(p.notice_required(Some(MediaFormat::Jpeg)).0);
        let bad = Policy::from_toml(
            &PRESETS[1]
                .1
                .replace("[unlabelled]", "[formats.jpgg]\n[unlabelled]"),
            "x",
        );
        assert!(bad.unwrap_err().to_string().contains("formats.jpgg"));
    }
}
