//! The standard human-readable notice, per language.
//!
//! Wording follows `labelling-law.md`: the full Kazakh form «Жасанды интеллект
//! арқылы жасалған» where space allows, Russian «Создано с помощью ИИ», and
//! Chinese with both "AI" and "生成"/"合成" as GB 45438 requires.

use std::{collections::BTreeMap, fmt, str::FromStr};

use crate::AiInvolvement;

/// A notice language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lang {
    /// Kazakh.
    Kk,
    /// Russian.
    Ru,
    /// English.
    En,
    /// Chinese (simplified).
    Zh,
}

impl Lang {
    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Kk => "kk",
            Self::Ru => "ru",
            Self::En => "en",
            Self::Zh => "zh",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kk" | "kaz" => Ok(Self::Kk),
            "ru" | "rus" => Ok(Self::Ru),
            "en" | "eng" => Ok(Self::En),
            "zh" | "zho" | "chi" | "zh-cn" | "zh-hans" => Ok(Self::Zh),
            other => Err(format!(
                "unsupported notice language {other:?} (use kk, ru, en, zh)"
            )),
        }
    }
}

/// The notice text for one language.
pub fn notice(ai: AiInvolvement, lang: Lang) -> &'static str {
    use AiInvolvement as A;
    match (lang, ai) {
        (Lang::Kk, A::Generated | A::Algorithmic) => "Жасанды интеллект арқылы жасалған",
        (Lang::Kk, A::Edited) => "Жасанды интеллект арқылы өзгертілген",
        (Lang::Kk, A::Composite) => "Жасанды интеллект жасаған элементтері бар",
        (Lang::Ru, A::Generated | A::Algorithmic) => "Создано с помощью ИИ",
        (Lang::Ru, A::Edited) => "Изменено с помощью ИИ",
        (Lang::Ru, A::Composite) => "Содержит элементы, созданные ИИ",
        (Lang::En, A::Generated | A::Algorithmic) => "AI-generated",
        (Lang::En, A::Edited) => "AI-modified",
        (Lang::En, A::Composite) => "Contains AI-generated elements",
        (Lang::Zh, A::Generated | A::Algorithmic) => "AI生成",
        (Lang::Zh, A::Edited | A::Composite) => "AI合成",
    }
}

/// The notice in each of `langs`, keyed by language tag.
pub fn notices(ai: AiInvolvement, langs: &[Lang]) -> BTreeMap<String, String> {
    langs
        .iter()
        .map(|l| (l.tag().to_string(), notice(ai, *l).to_string()))
        .collect()
}
