//! Finding, checking and removing wrappers.

use std::fmt;
use std::ops::Range;

use memchr::memmem;

use crate::{HEADER_LEN, MAGIC, MARKER, VERSION};

/// Status code for a wrapper that starts with the magic but is malformed.
pub const CORRUPTED_WRAPPER: &str = "manifest.text.corruptedWrapper";

/// Status code for a text holding more than one valid wrapper.
pub const MULTIPLE_WRAPPERS: &str = "manifest.text.multipleWrappers";

/// A wrapper found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapper {
    /// Byte range from the U+FEFF through the end of the variation-selector
    /// run, padding included: the data-hash exclusion.
    pub range: Range<usize>,
    /// The manifest store, exactly the declared number of bytes.
    pub manifest: Vec<u8>,
    /// Bytes of padding after the manifest.
    pub padding: usize,
}

/// Why a wrapper is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Corruption {
    /// The version byte is not [`VERSION`](crate::VERSION).
    #[error("unsupported wrapper version {0}")]
    BadVersion(u8),
    /// The run ended inside the magic, version or length header.
    #[error(
        "the label's wrapper stops after {have} of its 13 header bytes (the text was cut off)"
    )]
    Truncated {
        /// Header bytes decoded before the run ended.
        have: usize,
    },
    /// The declared manifest length runs past the end of the run.
    #[error(
        "the label's wrapper declares {declared} bytes but only {available} follow (the text was cut off)"
    )]
    LengthOverrun {
        /// The manifest length the header declares.
        declared: u64,
        /// Manifest bytes the run actually holds.
        available: usize,
    },
}

/// A wrapper that starts with the magic (or a non-empty prefix of it that the
/// run ends in) but is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupted {
    /// Byte range from the U+FEFF through the end of the variation-selector
    /// run.
    pub range: Range<usize>,
    /// What is wrong with it.
    pub reason: Corruption,
}

impl fmt::Display for Corrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.reason, self.range.start)
    }
}

impl std::error::Error for Corrupted {}

/// Everything found in one text: each U+FEFF followed by a variation-selector
/// run that begins with the magic (or a prefix of it), in text order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Well-formed wrappers.
    pub wrappers: Vec<Wrapper>,
    /// Malformed ones.
    pub corrupted: Vec<Corrupted>,
}

/// Why a text has no single usable wrapper.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WrapperError {
    /// The first corrupted wrapper in the text.
    #[error("{0}")]
    Corrupted(Corrupted),
    /// More than one valid wrapper; the annex allows at most one per asset.
    #[error("two or more labels in one text ({} found)", ranges.len())]
    Multiple {
        /// Where each valid wrapper is, in text order.
        ranges: Vec<Range<usize>>,
    },
}

impl WrapperError {
    /// The C2PA status code to report: [`CORRUPTED_WRAPPER`] or
    /// [`MULTIPLE_WRAPPERS`].
    pub fn code(&self) -> &'static str {
        match self {
            WrapperError::Corrupted(_) => CORRUPTED_WRAPPER,
            WrapperError::Multiple { .. } => MULTIPLE_WRAPPERS,
        }
    }
}

/// Every wrapper in `text`, valid or corrupted.
///
/// Works on raw bytes: the text need not be valid UTF-8 outside the wrappers.
/// A U+FEFF with no variation selectors after it (a byte-order mark, say), or
/// whose run does not start with the magic, is ordinary text and is ignored.
/// A run ends at the first byte sequence that is not a variation selector, and
/// anything between the manifest and that point counts as padding.
pub fn scan(text: &[u8]) -> Scan {
    let finder = memmem::Finder::new(&MARKER);
    let mut found = Scan::default();
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|rest| finder.find(rest)) {
        let start = from + at;
        from = match parse_at(text, start) {
            Parsed::Ordinary => start + MARKER.len(),
            Parsed::Wrapper(wrapper) => {
                let end = wrapper.range.end;
                found.wrappers.push(wrapper);
                end
            }
            Parsed::Corrupted(corrupted) => {
                let end = corrupted.range.end;
                found.corrupted.push(corrupted);
                end
            }
        };
    }
    found
}

/// The single wrapper of `text`, per the annex's "at most one wrapper per
/// asset".
///
/// A corrupted wrapper anywhere is an error even if a valid one is present,
/// and is reported ahead of [`WrapperError::Multiple`]: a damaged label is the
/// more specific problem. No wrapper at all is `Ok(None)`.
pub fn find(text: &[u8]) -> Result<Option<Wrapper>, WrapperError> {
    scan(text).single()
}

impl Scan {
    /// What [`find`] answers, from a scan already made: callers that also
    /// need the ranges (to strip them) scan once.
    pub fn single(self) -> Result<Option<Wrapper>, WrapperError> {
        let Scan {
            mut wrappers,
            corrupted,
        } = self;
        if let Some(first) = corrupted.into_iter().next() {
            return Err(WrapperError::Corrupted(first));
        }
        if wrappers.len() > 1 {
            return Err(WrapperError::Multiple {
                ranges: wrappers.iter().map(|w| w.range.clone()).collect(),
            });
        }
        Ok(wrappers.pop())
    }
}

/// `text` with every wrapper removed, valid or corrupted.
pub fn strip(text: &[u8]) -> Vec<u8> {
    let Scan {
        wrappers,
        corrupted,
    } = scan(text);
    let mut ranges: Vec<Range<usize>> = wrappers
        .into_iter()
        .map(|w| w.range)
        .chain(corrupted.into_iter().map(|c| c.range))
        .collect();
    ranges.sort_unstable_by_key(|r| r.start);

    let removed: usize = ranges.iter().map(|r| r.len()).sum();
    let mut out = Vec::with_capacity(text.len().saturating_sub(removed));
    let mut kept_from = 0;
    for range in ranges {
        if let Some(kept) = text.get(kept_from..range.start) {
            out.extend_from_slice(kept);
        }
        kept_from = range.end;
    }
    if let Some(rest) = text.get(kept_from..) {
        out.extend_from_slice(rest);
    }
    out
}

/// What a U+FEFF turned out to start.
enum Parsed {
    Ordinary,
    Wrapper(Wrapper),
    Corrupted(Corrupted),
}

/// Reads the wrapper, if any, whose U+FEFF is at `start`.
fn parse_at(text: &[u8], start: usize) -> Parsed {
    let mut run = Run {
        text,
        pos: start + MARKER.len(),
    };
    let corrupted = |reason, end| {
        Parsed::Corrupted(Corrupted {
            range: start..end,
            reason,
        })
    };

    let mut header = [0u8; HEADER_LEN];
    for (have, slot) in header.iter_mut().enumerate() {
        let Some(b) = run.next() else {
            // A bare U+FEFF is a byte-order mark or an ordinary ZWNBSP.
            if have == 0 {
                return Parsed::Ordinary;
            }
            return corrupted(Corruption::Truncated { have }, run.pos);
        };
        // Variation selectors after a U+FEFF are legitimate text (emoji and
        // CJK variants use them), so only the magic makes it a wrapper.
        if MAGIC.get(have).is_some_and(|&m| m != b) {
            return Parsed::Ordinary;
        }
        *slot = b;
    }

    let [_, _, _, _, _, _, _, _, version, l0, l1, l2, l3] = header;
    if version != VERSION {
        let end = run.finish();
        return corrupted(Corruption::BadVersion(version), end);
    }
    let declared = u32::from_be_bytes([l0, l1, l2, l3]);

    // The declared length is untrusted: never reserve more than the rest of
    // the text could hold at 3 bytes per selector.
    let room = text.len().saturating_sub(run.pos) / 3;
    let mut manifest = Vec::with_capacity(usize::try_from(declared).map_or(room, |d| d.min(room)));
    for _ in 0..declared {
        match run.next() {
            Some(b) => manifest.push(b),
            None => {
                let reason = Corruption::LengthOverrun {
                    declared: u64::from(declared),
                    available: manifest.len(),
                };
                return corrupted(reason, run.pos);
            }
        }
    }

    let mut padding = 0;
    while run.next().is_some() {
        padding += 1;
    }
    Parsed::Wrapper(Wrapper {
        range: start..run.pos,
        manifest,
        padding,
    })
}

/// The bytes of a variation-selector run, decoded straight from UTF-8.
struct Run<'a> {
    text: &'a [u8],
    /// Where the next selector would start; after the run, its end.
    pos: usize,
}

impl Run<'_> {
    /// Consumes the rest of the run and returns where it ends.
    fn finish(mut self) -> usize {
        while self.next().is_some() {}
        self.pos
    }
}

impl Iterator for Run<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        let (b, len) = selector_at(self.text, self.pos)?;
        self.pos += len;
        Some(b)
    }
}

/// The byte encoded by the variation selector starting at `pos`, and its
/// UTF-8 length.
#[inline]
fn selector_at(text: &[u8], pos: usize) -> Option<(u8, usize)> {
    match text.get(pos..)? {
        // U+FE00..U+FE0F
        [0xEF, 0xB8, b3 @ 0x80..=0x8F, ..] => Some((b3 - 0x80, 3)),
        // U+E0100..U+E01EF: the third byte carries bits 6–7 of the offset
        // from U+E0100, the fourth bits 0–5; U+E01F0 and up are not
        // selectors, which is where the sum stops fitting in a byte.
        [0xF3, 0xA0, b3 @ 0x84..=0x87, b4 @ 0x80..=0xBF, ..] => {
            let offset = (u16::from(b3 - 0x84) << 6) | u16::from(b4 - 0x80);
            u8::try_from(offset + 0x10).ok().map(|b| (b, 4))
        }
        _ => None,
    }
}
