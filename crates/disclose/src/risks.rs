//! The seller's risk and safe-use lines: the law asks for them (Consumer
//! Protection Law art. 27 p.6) and tamga cannot guess them, so the seller
//! writes a small TOML:
//!
//! ```toml
//! [kk]
//! risks = ["…"]
//! safe_use = ["…"]
//! [ru]
//! risks = ["…"]
//! [en]
//! safe_use = ["…"]
//! ```
//!
//! Unknown keys and languages are errors with the line and column, as for
//! policies: a typo must not silently drop a warning to consumers.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{DiscloseError, Lang};

/// One language's lines.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RiskLines {
    /// Possible risks.
    #[serde(default)]
    pub risks: Vec<String>,
    /// Conditions of safe use.
    #[serde(default)]
    pub safe_use: Vec<String>,
}

/// The lines per language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Risks(BTreeMap<&'static str, RiskLines>);

impl Risks {
    /// Reads `text`; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, DiscloseError> {
        let raw: BTreeMap<String, RiskLines> =
            toml::from_str(text).map_err(|e| DiscloseError::Risks {
                origin: origin.to_string(),
                at: e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1)),
                message: e.message().to_string(),
            })?;
        let mut out = BTreeMap::new();
        for (tag, lines) in raw {
            let lang = Lang::parse(&tag).ok_or_else(|| DiscloseError::Risks {
                origin: origin.to_string(),
                at: text
                    .find(&format!("[{tag}]"))
                    .map_or((1, 1), |at| line_col(text, at)),
                message: format!("unknown language `{tag}`, expected one of kk, ru, en"),
            })?;
            out.insert(lang.tag(), lines);
        }
        Ok(Self(out))
    }

    /// The lines for `lang`, if the seller wrote any.
    pub fn get(&self, lang: Lang) -> Option<&RiskLines> {
        self.0.get(lang.tag())
    }
}

/// 1-based line and column of byte `at` in `text`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_per_language_and_typos_have_a_line_and_column() {
        let ok = "[kk]\nrisks = [\"a\"]\n[en]\nsafe_use = [\"b\"]\n";
        let r = Risks::from_toml(ok, "risks.toml").unwrap();
        assert_eq!(r.get(Lang::Kk).unwrap().risks, ["a"]);
        assert_eq!(r.get(Lang::En).unwrap().safe_use, ["b"]);
        assert!(r.get(Lang::Ru).is_none());
        let typo = "[kk]\nrisks = [\"a\"]\nsafe_usage = [\"b\"]\n";
        let e = Risks::from_toml(typo, "risks.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("risks.toml:3:1: "), "{e}");
        assert!(e.contains("safe_usage"), "{e}");
        let lang = "[de]\nrisks = []\n";
        let e = Risks::from_toml(lang, "risks.toml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "risks.toml:1:1: unknown language `de`, expected one of kk, ru, en"
        );
    }
}
