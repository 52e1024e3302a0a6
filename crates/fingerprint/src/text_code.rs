//! The Text-Code's similarity hash (ISO 24138: collapse, 13-character
//! n-grams, xxHash32 of each, MinHash-256), computed piece by piece.
//!
//! iscc-lib's `gen_text_code_v0` gives the same code (the conformance test
//! and `the_code_matches_iscc_lib` check it) but holds every n-gram of the
//! text at once: labelling a 10 MB text took 0.9 s and 224 MB, most of it
//! here. Pieces of [`PIECE`] bytes are collapsed and hashed on all cores;
//! each returns its MinHash and its first and last twelve characters, and
//! the n-grams that straddle pieces are hashed from those at the end. A
//! MinHash of a set is the minimum over its parts, so the order the pieces
//! finish in does not matter.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::minhash::MinHash;
use crate::text_collapse::{next_seam, Collapser};

/// Characters per n-gram (ISO 24138's text n-gram size).
const NGRAM: usize = iscc_lib::TEXT_NGRAM_SIZE;

/// Bytes of text per piece: big enough that a worker's set-up is noise,
/// small enough that a piece's buffers stay in cache.
const PIECE: usize = 64 * 1024;

/// Texts shorter than this are hashed on the calling thread.
const PARALLEL_FROM: usize = 2 * PIECE;

/// What a piece contributes.
struct Piece {
    minhash: MinHash,
    /// How many characters it collapsed to.
    chars: usize,
    /// The first `NGRAM - 1` collapsed characters (all, if fewer).
    head: Vec<char>,
    /// The last `NGRAM - 1` collapsed characters (all, if fewer).
    tail: Vec<char>,
}

/// The 256-bit similarity hash of `text`.
pub(crate) fn soft_hash(text: &str) -> [u8; 32] {
    let mut bounds = vec![0];
    while let Some(&from) = bounds.last().filter(|&&f| f < text.len()) {
        bounds.push(next_seam(text, from, PIECE));
    }
    let pieces: Vec<&str> = bounds.windows(2).map(|w| &text[w[0]..w[1]]).collect();
    let done = hash_pieces(&pieces);
    stitch(done)
}

/// Every piece's contribution, in text order.
fn hash_pieces(pieces: &[&str]) -> Vec<Piece> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(pieces.len());
    let total: usize = pieces.iter().map(|p| p.len()).sum();
    if workers <= 1 || total < PARALLEL_FROM {
        let mut scratch = Scratch::default();
        return pieces.iter().map(|p| scratch.hash(p)).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Piece>>> = pieces.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut scratch = Scratch::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(piece) = pieces.get(i) else { break };
                    let hashed = scratch.hash(piece);
                    if let Some(slot) = slots.get(i) {
                        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(hashed);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .filter_map(|slot| slot.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

/// A worker's buffers, reused from piece to piece.
#[derive(Default)]
struct Scratch {
    collapser: Collapser,
    collapsed: String,
    ends: Vec<usize>,
    features: Vec<u32>,
}

impl Scratch {
    fn hash(&mut self, piece: &str) -> Piece {
        self.collapsed.clear();
        self.collapser.collapse(piece, &mut self.collapsed);
        let s = self.collapsed.as_str();
        // Byte offset of every character start, and the end.
        self.ends.clear();
        self.ends.extend(s.char_indices().map(|(i, _)| i));
        self.ends.push(s.len());
        let chars = self.ends.len() - 1;
        self.features.clear();
        self.features.extend(
            self.ends
                .windows(NGRAM + 1)
                .filter_map(|w| s.get(w[0]..w[NGRAM]))
                .map(|gram| xxhash_rust::xxh32::xxh32(gram.as_bytes(), 0)),
        );
        let mut minhash = MinHash::default();
        minhash.update(&self.features);
        let edge = (NGRAM - 1).min(chars);
        Piece {
            minhash,
            chars,
            head: s.chars().take(edge).collect(),
            tail: s.chars().skip(chars - edge).collect(),
        }
    }
}

/// The whole text's MinHash digest from its pieces: their own n-grams,
/// plus those that straddle a seam, rebuilt from the edges.
fn stitch(pieces: Vec<Piece>) -> [u8; 32] {
    let mut minhash = MinHash::default();
    // The last (up to) twelve collapsed characters before this piece.
    let mut carry: Vec<char> = Vec::with_capacity(2 * NGRAM);
    let mut total = 0usize;
    let mut straddling = Vec::new();
    let mut gram = String::new();
    for piece in &pieces {
        minhash.merge(&piece.minhash);
        let joined: Vec<char> = carry.iter().chain(&piece.head).copied().collect();
        for start in 0..carry.len() {
            if let Some(chars) = joined.get(start..start + NGRAM) {
                gram.clear();
                gram.extend(chars);
                straddling.push(xxhash_rust::xxh32::xxh32(gram.as_bytes(), 0));
            }
        }
        // A piece shorter than twelve characters is all head, and its
        // tail is the same characters: the carry grows by them.
        let grown = if piece.head.len() < NGRAM - 1 {
            joined
        } else {
            piece.tail.clone()
        };
        total += piece.chars;
        carry = grown[grown.len().saturating_sub(NGRAM - 1)..].to_vec();
    }
    if total < NGRAM {
        // Shorter than one n-gram: the reference hashes the whole
        // collapsed text (the empty string included) as one feature.
        let whole: String = pieces.iter().flat_map(|p| p.head.iter()).collect();
        straddling.push(xxhash_rust::xxh32::xxh32(whole.as_bytes(), 0));
    }
    minhash.update(&straddling);
    minhash.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> String {
        unit(&soft_hash(text))
    }

    /// The 256-bit Text-Code unit of `digest`, as iscc-lib writes it.
    fn unit(digest: &[u8]) -> String {
        let unit = iscc_lib::codec::encode_component(
            iscc_lib::codec::MainType::Content,
            iscc_lib::codec::SubType::TEXT,
            iscc_lib::codec::Version::V0,
            256,
            digest,
        )
        .unwrap();
        format!("ISCC:{unit}")
    }

    fn reference(text: &str) -> String {
        iscc_lib::gen_text_code_v0(text, 256).unwrap().iscc
    }

    #[test]
    fn the_code_matches_iscc_lib() {
        for text in [
            "",
            "a",
            "abcdefghijkl",
            "abcdefghijklm",
            "abcdefghijklmn",
            " . , ",
            "Σ",
        ] {
            assert_eq!(code(text), reference(text), "{text:?}");
        }
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/text");
        let mut all = String::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            if let Ok(s) = std::fs::read_to_string(entry.unwrap().path()) {
                assert_eq!(code(&s), reference(&s));
                all.push_str(&s);
            }
        }
        // Several pieces, hashed in parallel, with seams everywhere.
        let big = all.repeat(PARALLEL_FROM / all.len() + 3);
        assert!(big.len() > PARALLEL_FROM);
        assert_eq!(code(&big), reference(&big));
    }

    #[test]
    fn short_pieces_stitch_across_several_seams() {
        // Digits are seams, so each digit can end a piece of one
        // character; n-grams then cross many seams at once.
        let text = "1a2b3c4d5e6f7g8h9i0j".repeat(3);
        let mut bounds = vec![0];
        while let Some(&from) = bounds.last().filter(|&&f| f < text.len()) {
            bounds.push(next_seam(&text, from, 1));
        }
        assert!(bounds.len() > 20);
        let pieces: Vec<&str> = bounds.windows(2).map(|w| &text[w[0]..w[1]]).collect();
        let digest = stitch(hash_pieces(&pieces));
        assert_eq!(unit(&digest), reference(&text));
    }
}
