//! Labelling profiles: the defaults a jurisdiction's law implies, shared by
//! every front end (the CLI's `--profile`, the service's `profile` field).

use std::{fmt, str::FromStr};

use crate::Lang;

/// A jurisdiction's labelling defaults (see `labelling-law.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Profile {
    /// Kazakhstan: notices in Kazakh, Russian and English (the state
    /// language, the language of interethnic communication, and English
    /// for foreign readers).
    #[default]
    Kz,
    /// European Union: notices in English.
    Eu,
    /// China: notices in Chinese, and the GB 45438 AIGC label.
    Cn,
}

impl Profile {
    /// The languages of the perceivable notice, in order.
    pub fn notice_langs(self) -> Vec<Lang> {
        match self {
            Self::Kz => vec![Lang::Kk, Lang::Ru, Lang::En],
            Self::Eu => vec![Lang::En],
            Self::Cn => vec![Lang::Zh],
        }
    }

    /// Whether tamga's invisible watermark is embedded without being asked
    /// for: under the EU's, whose Code of Practice on marking AI content
    /// asks for a watermark beside the signed metadata.
    pub fn watermarks(self) -> bool {
        self == Self::Eu
    }

    /// Whether the GB 45438 AIGC label is written without being asked for.
    pub fn writes_aigc(self) -> bool {
        self == Self::Cn
    }
}

impl fmt::Display for Profile {
    /// The word `FromStr` reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Kz => "kz",
            Self::Eu => "eu",
            Self::Cn => "cn",
        })
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kz" => Ok(Self::Kz),
            "eu" => Ok(Self::Eu),
            "cn" => Ok(Self::Cn),
            other => Err(format!("unknown profile {other:?}: one of kz, eu, cn")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_profile_has_its_languages_and_only_cn_writes_aigc() {
        assert_eq!("KZ".parse::<Profile>(), Ok(Profile::Kz));
        assert_eq!(
            Profile::default().notice_langs(),
            [Lang::Kk, Lang::Ru, Lang::En]
        );
        assert_eq!(
            "cn".parse::<Profile>().map(Profile::notice_langs),
            Ok(vec![Lang::Zh])
        );
        assert!(Profile::Cn.writes_aigc() && !Profile::Eu.writes_aigc());
        assert!(Profile::Eu.watermarks() && !Profile::Kz.watermarks() && !Profile::Cn.watermarks());
        assert!("mars"
            .parse::<Profile>()
            .unwrap_err()
            .contains("kz, eu, cn"));
    }
}
