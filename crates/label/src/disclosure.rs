//! The AI disclosure: what a label says about how AI was involved.
//!
//! These types are the vocabulary of the whole tool. [`crate::manifest_map`]
//! is the one place that turns them into C2PA assertions and back.

use std::{collections::BTreeMap, fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use tamga_notice::{wording, Lang, Wording};

/// Base of the IPTC digital source type vocabulary.
pub const IPTC_DST_BASE: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/";

/// How AI was involved in making the content (IPTC digital source type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AiInvolvement {
    /// Created by generative AI (`trainedAlgorithmicMedia`).
    Generated,
    /// An existing work edited with generative AI, e.g. inpainting (`compositeWithTrainedAlgorithmicMedia`).
    Edited,
    /// A composite that includes generative-AI elements (`compositeSynthetic`).
    Composite,
    /// Made by an algorithm not trained on samples (`algorithmicMedia`).
    Algorithmic,
}

impl AiInvolvement {
    /// The wording of the perceivable notice for this involvement: a
    /// non-trained algorithm still "made" the content, so it takes the
    /// words of generated content.
    pub fn wording(self) -> Wording {
        match self {
            Self::Generated | Self::Algorithmic => Wording::Generated,
            Self::Edited => Wording::Edited,
            Self::Composite => Wording::Composite,
        }
    }

    /// All values, for `--help` and tests.
    pub const ALL: [AiInvolvement; 4] = [
        Self::Generated,
        Self::Edited,
        Self::Composite,
        Self::Algorithmic,
    ];

    /// The IPTC term (last path segment of the URI).
    pub fn iptc_term(self) -> &'static str {
        match self {
            Self::Generated => "trainedAlgorithmicMedia",
            Self::Edited => "compositeWithTrainedAlgorithmicMedia",
            Self::Composite => "compositeSynthetic",
            Self::Algorithmic => "algorithmicMedia",
        }
    }

    /// The full IPTC URI, as written in `digitalSourceType`.
    pub fn iptc_uri(self) -> String {
        format!("{IPTC_DST_BASE}{}", self.iptc_term())
    }

    /// Parses an IPTC digital source type URI (`http` or `https`, with or
    /// without a trailing slash). Non-AI source types give `None`.
    pub fn from_iptc(uri: &str) -> Option<Self> {
        let term = uri.trim_end_matches('/').rsplit('/').next()?;
        Self::ALL.into_iter().find(|a| a.iptc_term() == term)
    }

    /// Whether an existing work was the starting point (so the manifest
    /// records `c2pa.opened` + `c2pa.edited` rather than `c2pa.created`).
    pub fn starts_from_existing_work(self) -> bool {
        matches!(self, Self::Edited | Self::Composite)
    }

    /// The command-line word.
    pub fn word(self) -> &'static str {
        match self {
            Self::Generated => "generated",
            Self::Edited => "edited",
            Self::Composite => "composite",
            Self::Algorithmic => "algorithmic",
        }
    }
}

impl fmt::Display for AiInvolvement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl FromStr for AiInvolvement {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.word() == s || a.iptc_term() == s)
            .ok_or_else(|| format!("unknown AI involvement {s:?} (use generated, edited, composite or algorithmic)"))
    }
}

/// The AI system that made or changed the content (C2PA `softwareAgent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Generator {
    /// Model or system name, e.g. "Kandinsky".
    pub name: String,
    /// Version, e.g. "3.1".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Who provides the system, e.g. "Sber AI".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

impl Generator {
    /// Parses "Name 2.1" into name "Name" and version "2.1" when the last word
    /// starts with a digit or a `v`+digit; otherwise the whole text is the name.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if let Some((name, last)) = text.rsplit_once(' ') {
            let v = last.strip_prefix(['v', 'V']).unwrap_or(last);
            if v.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                return Self {
                    name: name.trim().to_string(),
                    version: Some(v.to_string()),
                    provider: None,
                };
            }
        }
        Self {
            name: text.to_string(),
            version: None,
            provider: None,
        }
    }
}

impl fmt::Display for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(v) = &self.version {
            write!(f, " {v}")?;
        }
        if let Some(p) = &self.provider {
            write!(f, " ({p})")?;
        }
        Ok(())
    }
}

/// Whether a person reviewed the content under editorial responsibility
/// (EU AI Act art. 50(4) exemption for text published to inform the public).
///
/// Recorded only when the caller states it: absence means "not stated",
/// never "not reviewed" or "reviewed".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HumanReview {
    /// Whether a person reviewed the content.
    pub reviewed: bool,
    /// Who holds editorial responsibility (a person or desk), if reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editorial_responsibility: Option<String>,
}

/// A text-and-data-mining / AI-training preference (CAWG `cawg.training-mining`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum TrainingMining {
    /// Training, generative training, inference and data mining allowed.
    Allowed,
    /// All four uses not allowed.
    NotAllowed,
    /// Allowed under constraints agreed elsewhere.
    Constrained,
}

impl TrainingMining {
    /// The CAWG `use` value.
    pub fn cawg_use(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::NotAllowed => "notAllowed",
            Self::Constrained => "constrained",
        }
    }
}

impl FromStr for TrainingMining {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "allowed" => Ok(Self::Allowed),
            "not-allowed" | "notAllowed" => Ok(Self::NotAllowed),
            "constrained" => Ok(Self::Constrained),
            _ => Err(format!("unknown training/mining preference {s:?} (use allowed, not-allowed or constrained)")),
        }
    }
}

/// Everything a label discloses about AI involvement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AiDisclosure {
    /// How AI was involved.
    pub ai: AiInvolvement,
    /// The AI system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<Generator>,
    /// The organisation responsible for the content. Defaults to the
    /// signing certificate's organisation when labelling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Human review, only when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_review: Option<HumanReview>,
    /// The human-readable notice by language tag (kk, ru, en, zh…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notice: BTreeMap<String, String>,
    /// Optional training/mining preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_mining: Option<TrainingMining>,
}

impl AiDisclosure {
    /// A disclosure with the standard notice in Kazakh, Russian and English.
    pub fn new(ai: AiInvolvement) -> Self {
        Self {
            ai,
            generator: None,
            organisation: None,
            human_review: None,
            notice: wording::notices(ai.wording(), &[Lang::Kk, Lang::Ru, Lang::En]),
            training_mining: None,
        }
    }

    /// Replaces the notice with the standard wording in `langs`.
    pub fn with_notice_langs(mut self, langs: &[Lang]) -> Self {
        self.notice = wording::notices(self.ai.wording(), langs);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iptc_round_trip_accepts_https_and_slash() {
        for a in AiInvolvement::ALL {
            assert_eq!(AiInvolvement::from_iptc(&a.iptc_uri()), Some(a));
            let https = a.iptc_uri().replace("http://", "https://") + "/";
            assert_eq!(AiInvolvement::from_iptc(&https), Some(a));
        }
        assert_eq!(
            AiInvolvement::from_iptc(
                "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
            ),
            None
        );
    }

    #[test]
    fn generator_parse_splits_version() {
        assert_eq!(
            Generator::parse("Model 2.1").version.as_deref(),
            Some("2.1")
        );
        assert_eq!(Generator::parse("Model 2.1").name, "Model");
        assert_eq!(
            Generator::parse("Kandinsky v3").version.as_deref(),
            Some("3")
        );
        assert_eq!(Generator::parse("DALL-E").version, None);
    }
}
