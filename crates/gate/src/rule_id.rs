//! The names of the gate's rules. Reports show them (`reasons[].rule` in
//! JSON, the JUnit failure text, the HTML group headings), so the strings
//! are part of the documented output (docs/json-schema.md) and never
//! change; code compares the enum, never the strings.

use serde::{Deserialize, Serialize};

/// One rule of the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleId {
    /// The file can be read and parsed at all.
    Readable,
    /// The C2PA label is not broken.
    Intact,
    /// A label stored remotely was fetched and verified.
    Remote,
    /// The label's signer is trusted (where the policy requires it).
    Trust,
    /// A GB 45438 AIGC label is not forged.
    Aigc,
    /// AI content carries a machine-readable label the policy accepts.
    Label,
    /// AI content carries a perceivable notice.
    Notice,
    /// What a file with no AI evidence gets.
    Unlabelled,
    /// Personal data the file carries (Personal Data Law).
    Privacy,
}

impl RuleId {
    /// Every rule, in the order reasons are found.
    pub const ALL: [RuleId; 9] = [
        Self::Readable,
        Self::Intact,
        Self::Remote,
        Self::Trust,
        Self::Aigc,
        Self::Label,
        Self::Notice,
        Self::Unlabelled,
        Self::Privacy,
    ];

    /// The name reports show; the same string serde writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Readable => "readable",
            Self::Intact => "intact",
            Self::Remote => "remote",
            Self::Trust => "trust",
            Self::Aigc => "aigc",
            Self::Label => "label",
            Self::Notice => "notice",
            Self::Unlabelled => "unlabelled",
            Self::Privacy => "privacy",
        }
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the gate's rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a gate rule")]
pub struct UnknownRule(pub String);

impl std::str::FromStr for RuleId {
    type Err = UnknownRule;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRule(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::RuleId;

    /// The strings docs/json-schema.md lists for `reasons[].rule` (plus
    /// `remote`, docs/policy.md's `[remote]` rule).
    const DOCUMENTED: [&str; 9] = [
        "readable",
        "intact",
        "remote",
        "trust",
        "aigc",
        "label",
        "notice",
        "unlabelled",
        "privacy",
    ];

    #[test]
    fn every_rule_id_round_trips_through_serde_as_the_documented_string() {
        assert_eq!(RuleId::ALL.len(), DOCUMENTED.len());
        for (id, word) in RuleId::ALL.into_iter().zip(DOCUMENTED) {
            let json = serde_json::to_value(id).unwrap();
            assert_eq!(json, serde_json::Value::String(word.into()), "{id:?}");
            assert_eq!(serde_json::from_value::<RuleId>(json).unwrap(), id);
            assert_eq!(id.as_str(), word);
            assert_eq!(id.to_string(), word);
            assert_eq!(word.parse::<RuleId>().unwrap(), id);
        }
        assert!("Notice".parse::<RuleId>().is_err());
        assert!(serde_json::from_str::<RuleId>("\"watermark\"").is_err());
    }

    #[test]
    fn the_schema_document_names_every_rule() {
        let doc = include_str!("../../../docs/json-schema.md");
        let line = doc
            .lines()
            .find(|l| l.starts_with("| `reasons` |"))
            .unwrap();
        for id in RuleId::ALL {
            assert!(line.contains(&format!("`{id}`")), "{id} missing in: {line}");
        }
    }
}
