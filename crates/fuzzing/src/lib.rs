//! The bodies of tamga's fuzz targets: one plain function per target, each
//! taking the fuzzer's bytes and asserting the properties that hold for any
//! input (no panic, and where the parser has one: write → read round trips,
//! encode → decode, one byte at a time = all at once).
//!
//! Two callers share them, so a target never drifts from its replay:
//! `fuzz/fuzz_targets/*.rs` (cargo-fuzz and libFuzzer, nightly only, its own
//! workspace), and this crate's tests, which replay every committed corpus
//! file and crash regression (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`) on stable in `cargo test --workspace`.
//! See CONTRIBUTING.md for running a campaign.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::io::{self, Read, Seek, SeekFrom};

mod gate;
mod media;
mod meta;
mod text;
mod watermark;

pub use gate::{declarations, policy, upload_name};
pub use media::{guard, sniff, svg, walkers};
pub use meta::{meta_keep, meta_personal, meta_read, meta_roundtrip};
pub use text::text_wrapper;
pub use watermark::watermark;

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// Every target, by the name of its file in `fuzz/fuzz_targets/` and of its
/// corpus and regression directories.
pub const TARGETS: &[(&str, Target)] = &[
    ("sniff", sniff),
    ("guard", guard),
    ("walkers", walkers),
    ("svg", svg),
    ("meta_read", meta_read),
    ("meta_roundtrip", meta_roundtrip),
    ("meta_keep", meta_keep),
    ("meta_personal", meta_personal),
    ("text_wrapper", text_wrapper),
    ("policy", policy),
    ("declarations", declarations),
    ("upload_name", upload_name),
    ("watermark", watermark),
];

/// A seekable reader over `data` that hands out one byte per `read` call:
/// a stream reader must give the same answer through it as through a
/// `Cursor`, or it depends on how its source happens to chunk the bytes.
#[derive(Debug)]
pub struct Trickle<'a> {
    data: &'a [u8],
    pos: u64,
}

impl<'a> Trickle<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let at = usize::try_from(self.pos).unwrap_or(usize::MAX);
        match (self.data.get(at), buf.first_mut()) {
            (Some(&b), Some(slot)) => {
                *slot = b;
                self.pos += 1;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

impl Seek for Trickle<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let (base, delta) = match to {
            SeekFrom::Start(n) => (0, i128::from(n)),
            SeekFrom::End(d) => (self.data.len() as u64, i128::from(d)),
            SeekFrom::Current(d) => (self.pos, i128::from(d)),
        };
        let new = i128::from(base) + delta;
        let new = u64::try_from(new)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        self.pos = new;
        Ok(new)
    }
}

/// Splits the fuzzer's input into a selector byte and the rest.
fn split(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(&b, rest)| (b, rest))
}
