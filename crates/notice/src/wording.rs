//! The standard human-readable notice, per language.
//!
//! Wording follows `labelling-law.md`: the full Kazakh form «Жасанды интеллект
//! арқылы жасалған» where space allows, Russian «Создано с помощью ИИ», and
//! Chinese with both "AI" and "生成"/"合成" as GB 45438 requires.

use std::{collections::BTreeMap, fmt, str::FromStr};

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

/// Which wording a notice uses: what AI did to the content. The caller
/// maps its own model of AI involvement onto these keys; a non-trained
/// algorithm that made the content takes the words of [`Wording::Generated`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Wording {
    /// Made by AI.
    Generated,
    /// Edited with AI.
    Edited,
    /// Partly made by AI.
    Composite,
}

impl Wording {
    /// Every wording key.
    pub const ALL: [Wording; 3] = [Self::Generated, Self::Edited, Self::Composite];
}

impl fmt::Display for Wording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Generated => "generated",
            Self::Edited => "edited",
            Self::Composite => "composite",
        })
    }
}

/// How long a notice may be: badges use the short form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// The full wording, where space allows.
    Full,
    /// The short wording, for small badges.
    Short,
}

/// The notice text for one language, in its full form.
pub fn notice(ai: Wording, lang: Lang) -> &'static str {
    wording(ai, lang, Length::Full)
}

/// The notice text for one language and length, from the wording data
/// files (`crates/notice/notices/LANG.toml`, one per language so a reviewer
/// of one language sees only that language).
pub fn wording(ai: Wording, lang: Lang, length: Length) -> &'static str {
    let entry = match ai {
        Wording::Generated => &table(lang).generated,
        Wording::Edited => &table(lang).edited,
        Wording::Composite => &table(lang).composite,
    };
    match length {
        Length::Full => &entry.full,
        Length::Short => &entry.short,
    }
}

#[derive(Debug, serde::Deserialize)]
struct Entry {
    full: String,
    short: String,
}

#[derive(Debug, serde::Deserialize)]
struct Table {
    generated: Entry,
    edited: Entry,
    composite: Entry,
}

fn table(lang: Lang) -> &'static Table {
    use std::sync::OnceLock;
    static TABLES: [OnceLock<Table>; 4] = [const { OnceLock::new() }; 4];
    let (slot, source) = match lang {
        Lang::Kk => (&TABLES[0], include_str!("../notices/kk.toml")),
        Lang::Ru => (&TABLES[1], include_str!("../notices/ru.toml")),
        Lang::En => (&TABLES[2], include_str!("../notices/en.toml")),
        Lang::Zh => (&TABLES[3], include_str!("../notices/zh.toml")),
    };
    // The files are compiled in and parsed by a unit test, so a parse
    // failure here is a build that never passed its tests.
    slot.get_or_init(|| toml::from_str(source).expect("notice wording file parses"))
}

/// The notice in each of `langs`, keyed by language tag.
pub fn notices(ai: Wording, langs: &[Lang]) -> BTreeMap<String, String> {
    langs
        .iter()
        .map(|l| (l.tag().to_string(), notice(ai, *l).to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_wording() {
        for lang in [Lang::Kk, Lang::Ru, Lang::En, Lang::Zh] {
            for ai in Wording::ALL {
                for length in [Length::Full, Length::Short] {
                    let w = wording(ai, lang, length);
                    assert!(!w.trim().is_empty(), "{lang} {ai} {length:?}");
                    assert!(w.chars().count() <= 48, "{lang} {ai}: {w}");
                }
            }
        }
        // GB 45438: "AI" plus 生成 or 合成.
        for ai in Wording::ALL {
            let zh = notice(ai, Lang::Zh);
            assert!(zh.contains("AI") && (zh.contains("生成") || zh.contains("合成")));
        }
        assert_eq!(
            wording(Wording::Generated, Lang::Kk, Length::Short),
            "ЖИ жасаған"
        );
    }
}
