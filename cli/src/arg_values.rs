//! Flag values parsed by the library's own `FromStr`, so `--ai`,
//! `--profile` and `--training-mining` take exactly the words the library
//! (and the server's fields) take, while `--help` and the shell completions
//! still list them. The library knows nothing of clap; the words' help
//! lives here, with the rest of the command line's wording.

use std::str::FromStr;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use tamga_label::{AiInvolvement, Profile, TrainingMining};

/// `--ai`: the library's words for [`AiInvolvement`].
pub(crate) const AI: [(&str, &str); 4] = [
    (
        "generated",
        "Created by generative AI (IPTC trainedAlgorithmicMedia)",
    ),
    (
        "edited",
        "An existing work edited with generative AI (compositeWithTrainedAlgorithmicMedia)",
    ),
    (
        "composite",
        "A composite with generative-AI elements (compositeSynthetic)",
    ),
    (
        "algorithmic",
        "Made by a non-trained algorithm (algorithmicMedia)",
    ),
];

/// `--profile`.
pub(crate) const PROFILE: [(&str, &str); 3] = [
    ("kz", "Kazakhstan: notices in Kazakh, Russian and English"),
    ("eu", "European Union: notices in English"),
    (
        "cn",
        "China: notices in Chinese and the GB 45438 AIGC label",
    ),
];

/// `--training-mining` (CAWG `cawg.training-mining`).
pub(crate) const TRAINING_MINING: [(&str, &str); 3] = [
    (
        "allowed",
        "Training, generative training, inference and mining allowed",
    ),
    ("not-allowed", "None of the four uses allowed"),
    ("constrained", "Allowed under constraints agreed elsewhere"),
];

/// A parser offering `words` (for help and completions) and turning the
/// chosen one into `T` with the library's `FromStr`.
fn words<T>(words: &'static [(&'static str, &'static str)]) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(words.iter().map(|(w, h)| PossibleValue::new(*w).help(*h)))
        .try_map(|s| s.parse::<T>())
}

pub(crate) fn ai() -> impl TypedValueParser<Value = AiInvolvement> {
    words(&AI)
}

pub(crate) fn profile() -> impl TypedValueParser<Value = Profile> {
    words(&PROFILE)
}

pub(crate) fn training_mining() -> impl TypedValueParser<Value = TrainingMining> {
    words(&TRAINING_MINING)
}

/// Any library type with `FromStr` (notice styles, places, languages).
pub(crate) fn from_str<T: FromStr<Err = String>>(s: &str) -> Result<T, String> {
    s.parse()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_word_is_the_librarys() {
        let offered: Vec<&str> = AI.iter().map(|(w, _)| *w).collect();
        let library: Vec<&str> = AiInvolvement::ALL.iter().map(|a| a.word()).collect();
        assert_eq!(offered, library, "--ai offers exactly the library's words");
        for (w, _) in PROFILE {
            assert_eq!(w.parse::<Profile>().unwrap().to_string(), w);
        }
        for (w, _) in TRAINING_MINING {
            w.parse::<TrainingMining>().unwrap();
        }
    }
}
