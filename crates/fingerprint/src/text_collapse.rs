//! ISO 24138's text normalisation for the Text-Code ("collapse": NFD,
//! lower case, drop whitespace and the C, M and P categories, NFKC),
//! done piece by piece so that a long text is normalised in bounded memory
//! and on several cores, and fast on the characters where it is a plain
//! per-character map.
//!
//! Two facts make this equal to iscc-lib's `text_collapse` of the whole
//! text (the tests compare them, on every sample and on random text built
//! from the troublesome characters):
//!
//! * **Pieces split only where nothing looks across.** NFD reorders only
//!   runs of combining marks, lower-casing looks at its neighbours only for
//!   Σ (final sigma), and NFKC composes a character with what follows it.
//!   A piece starts at an ASCII digit or a CJK ideograph, or at an ASCII
//!   letter, a Cyrillic letter or a CJK ideograph that follows ASCII
//!   whitespace: each is a starter that no composition takes as its second
//!   part, is neither cased nor case-ignorable (or is separated from the
//!   cased text before it by whitespace), and survives the filter, so it
//!   blocks every rule at the seam.
//! * **Most characters collapse alone.** When a character's own
//!   NFD → lower case → filter result consists of starters that NFKC
//!   leaves alone (quick check "yes"), and it is not Σ, its result does not
//!   depend on its neighbours: every non-starter is a mark, and the filter
//!   drops marks, so reordering cannot show. A piece made only of such
//!   characters is collapsed by table look-up; any other piece goes
//!   through iscc-lib's own function.

use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::{char::canonical_combining_class, is_nfkc_quick, IsNormalized};

/// Where the piece that starts at or after byte `from` of `text` may end:
/// the next seam at or after `from + target` bytes, or the end.
pub(crate) fn next_seam(text: &str, from: usize, target: usize) -> usize {
    let mut prev_space = false;
    let start = from.saturating_add(target);
    for (i, c) in text.get(from..).unwrap_or("").char_indices() {
        let at = from + i;
        if at >= start && at > from && is_seam(prev_space, c) {
            return at;
        }
        prev_space = c.is_ascii_whitespace();
    }
    text.len()
}

/// May a piece start at `c`, after a character that was (or was not)
/// ASCII whitespace? See the module documentation.
fn is_seam(after_space: bool, c: char) -> bool {
    let cjk = ('\u{4E00}'..='\u{9FFF}').contains(&c);
    let cyrillic_letter =
        ('\u{0400}'..='\u{0481}').contains(&c) || ('\u{048A}'..='\u{04FF}').contains(&c);
    c.is_ascii_digit() || cjk || (after_space && (c.is_ascii_alphanumeric() || cyrillic_letter))
}

/// What one character collapses to, when that does not depend on its
/// neighbours.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Alone {
    /// Nothing survives the filter.
    Dropped,
    /// One or two characters (none in practice has more).
    Chars(char, Option<char>),
    /// Depends on the neighbours or maps to more: the piece takes the
    /// reference path.
    Context,
}

/// The filter of the collapse: whitespace and the C, M and P categories go.
pub(crate) fn kept(c: char) -> bool {
    use GeneralCategory as G;
    !c.is_whitespace()
        && !matches!(
            get_general_category(c),
            G::Control
                | G::Format
                | G::Unassigned
                | G::PrivateUse
                | G::Surrogate
                | G::NonspacingMark
                | G::SpacingMark
                | G::EnclosingMark
                | G::ConnectorPunctuation
                | G::DashPunctuation
                | G::OpenPunctuation
                | G::ClosePunctuation
                | G::InitialPunctuation
                | G::FinalPunctuation
                | G::OtherPunctuation
        )
}

fn alone(c: char) -> Alone {
    if c == 'Σ' {
        return Alone::Context;
    }
    let mut out = std::iter::once(c)
        .nfd()
        .flat_map(char::to_lowercase)
        .filter(|&l| kept(l));
    let (first, second) = (out.next(), out.next());
    if out.next().is_some() {
        return Alone::Context;
    }
    let settled = |l: char| {
        canonical_combining_class(l) == 0 && is_nfkc_quick(std::iter::once(l)) == IsNormalized::Yes
    };
    match (first, second) {
        (None, _) => Alone::Dropped,
        (Some(a), b) if settled(a) && b.is_none_or(settled) => Alone::Chars(a, b),
        _ => Alone::Context,
    }
}

/// A direct-mapped memo of [`alone`]: text uses few distinct characters,
/// and the look-up is far cheaper than normalisation tables.
pub(crate) struct Collapser {
    slots: Vec<Option<(char, Alone)>>,
}

const SLOTS: usize = 4096;

impl Default for Collapser {
    fn default() -> Self {
        Self {
            slots: vec![None; SLOTS],
        }
    }
}

impl Collapser {
    /// Appends the collapse of `piece` (a piece as cut by [`next_seam`])
    /// to `out`.
    pub(crate) fn collapse(&mut self, piece: &str, out: &mut String) {
        let start = out.len();
        for c in piece.chars() {
            let slot = c as usize % SLOTS;
            let mapped = match self.slots[slot] {
                Some((key, mapped)) if key == c => mapped,
                _ => {
                    let mapped = alone(c);
                    self.slots[slot] = Some((c, mapped));
                    mapped
                }
            };
            match mapped {
                Alone::Dropped => {}
                Alone::Chars(a, b) => {
                    out.push(a);
                    if let Some(b) = b {
                        out.push(b);
                    }
                }
                Alone::Context => {
                    out.truncate(start);
                    out.push_str(&iscc_lib::text_collapse(piece));
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The collapse of `text` cut into pieces of about `target` bytes.
    fn by_pieces(text: &str, target: usize) -> String {
        let mut out = String::new();
        let mut collapser = Collapser::default();
        let mut from = 0;
        while from < text.len() {
            let to = next_seam(text, from, target);
            collapser.collapse(&text[from..to], &mut out);
            from = to;
        }
        out
    }

    #[test]
    fn every_combining_character_is_dropped() {
        // The premise of the per-character path: a character with a
        // non-zero combining class never survives the filter, even
        // lower-cased, so reordering marks cannot change the result.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if canonical_combining_class(c) != 0 {
                assert!(c.to_lowercase().all(|l| !kept(l)), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn pieces_collapse_as_the_whole_text_does() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/text");
        let mut all = String::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if let Ok(s) = std::fs::read_to_string(&path) {
                assert_eq!(
                    by_pieces(&s, 1),
                    iscc_lib::text_collapse(&s),
                    "{}",
                    path.display()
                );
                all.push_str(&s);
            }
        }
        assert!(all.len() > 5000);
        for target in [1, 7, 64, 1000, 1 << 20] {
            assert_eq!(by_pieces(&all, target), iscc_lib::text_collapse(&all));
        }
    }

    #[test]
    fn troublesome_characters_collapse_as_the_whole_text_does() {
        // Characters whose collapse depends on neighbours or that sit at
        // seams: final sigma, combining marks in and out of order, Hangul
        // jamo that compose, half-width voiced marks, ligatures, İ,
        // digits, CJK, Cyrillic with a breve, whitespace of every kind.
        let alphabet: Vec<char> = "ΣσςΑαa b\u{0301}\u{0323}\u{0308}\u{0345}e\u{1100}\u{1161}\u{11A8}가\
            ｶﾞﾟ\u{3099}ﬁ\u{2126}İı1９Йй\u{0306}и中文\t\n\u{00A0}\u{2000}\u{3000}.,'-Ⅻ①\u{200D}🏻👍\u{FE0F}"
            .chars()
            .collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..3000 {
            let len = 1 + round % 40;
            let text: String = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(
                by_pieces(&text, 1),
                iscc_lib::text_collapse(&text),
                "{text:?}"
            );
        }
    }
}
