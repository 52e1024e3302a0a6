//! ISCC fingerprints (ISO 24138) of images, audio and text: the C2PA
//! soft-binding algorithm `io.iscc.v0`.
//!
//! A C2PA manifest travels inside its file and is lost when a platform
//! re-encodes it. A fingerprint is computed from what the content looks or
//! sounds like, so it survives the re-encode and can key a lookup of the
//! manifest in a registry. This crate computes:
//!
//! * a *content code* ([`ContentCode`], 64 bits): Image-Code, Audio-Code
//!   or Text-Code. Near-identical content has codes a small [`hamming`]
//!   distance apart; the distances that count as a match are the
//!   `*_MATCH_DISTANCE` constants, measured in `docs/fingerprints.md`;
//! * the Data-Code (similarity of the bytes) and Instance-Code (BLAKE3 of
//!   the bytes, for exact matches);
//! * the composite ISCC-CODE string that names all of them.
//!
//! The codes are iscc-lib's (the ISCC project's conformance vectors pass,
//! see the tests); what this crate adds is decoding within tamga's limits
//! and the reference's image normalisation.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let a = tamga_fingerprint::text("The quick brown fox jumps over the lazy dog, twice over.");
//! let b = tamga_fingerprint::text("The quick brown fox jumps over the lazy dog twice over.");
//! assert!(a.iscc.starts_with("ISCC:EA"));
//! assert!(tamga_fingerprint::hamming(a.bits, b.bits) <= tamga_fingerprint::TEXT_MATCH_DISTANCE);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Unit tests unwrap what they constructed themselves.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod audio;
mod data;
mod error;
mod image;
mod minhash;
mod resample;
mod text_code;
mod text_collapse;
mod unit;

use std::{fmt, fs::File, io::BufReader, path::Path};

pub use audio::{audio, audio_code, chromaprint, is_steady, CONFIRM_FEATURES};
pub use data::{compose, data_codes, DataCodes};
pub use error::{CodecError, FingerprintError};
pub use image::{image, image_code, is_featureless, normalize, SCALED_JPEG_FROM};
pub use tamga_media::DecodeLimits;
use tamga_media::{Family, MediaFormat};
pub use unit::UnitError;

/// Largest Hamming distance between two Image-Codes that counts as the
/// same picture. Measured (`docs/fingerprints.md`): JPEG q75 and 50 %
/// resizing stay within it for 94–97 % of images, a 10 %-of-area crop for
/// 73 %; unrelated images fall within it for 2.9e-5 of pairs.
pub const IMAGE_MATCH_DISTANCE: u32 = 10;
/// Largest Hamming distance between two Audio-Codes that counts as the
/// same recording. Every MP3 and resampling measured stayed within it;
/// unrelated synthetic clips fall within it for 3.9e-3 of pairs, so an
/// audio match is confirmed on the features ([`AUDIO_CONFIRM_BER`]).
pub const AUDIO_MATCH_DISTANCE: u32 = 4;
/// Largest bit error rate between the Chromaprint features of two
/// recordings whose Audio-Codes match, for the match to stand: the share
/// of differing bits, frame by frame, at the best alignment within
/// [`CONFIRM_SHIFT`] frames (AcoustID's comparison). Every MP3 and
/// resampling measured stayed under 0.05; it turns away about two thirds
/// of the unrelated pairs the 64-bit code lets through (see
/// `docs/fingerprints.md`).
pub const AUDIO_CONFIRM_BER: f64 = 0.06;
/// How many frames either way the confirmation aligns over (about a
/// second): a re-encoder's delay or a trimmed silence.
pub const CONFIRM_SHIFT: usize = 8;
/// Largest Hamming distance between two Text-Codes that counts as the
/// same text: every small edit measured stayed within it; no pair of
/// unrelated texts came closer than 14.
pub const TEXT_MATCH_DISTANCE: u32 = 10;

/// The largest of the match distances: a registry's nearest-code index
/// must find every code this close (with multi-index hashing, more bands
/// than this).
pub const MAX_MATCH_DISTANCE: u32 = {
    let m = if IMAGE_MATCH_DISTANCE > AUDIO_MATCH_DISTANCE {
        IMAGE_MATCH_DISTANCE
    } else {
        AUDIO_MATCH_DISTANCE
    };
    if m > TEXT_MATCH_DISTANCE {
        m
    } else {
        TEXT_MATCH_DISTANCE
    }
};

/// What a content code was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentKind {
    /// Image-Code.
    Image,
    /// Audio-Code.
    Audio,
    /// Text-Code.
    Text,
}

impl ContentKind {
    /// A stable name, for storage and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Audio => "audio",
            Self::Text => "text",
        }
    }

    /// The largest distance that counts as a match for this kind.
    pub fn match_distance(self) -> u32 {
        match self {
            Self::Image => IMAGE_MATCH_DISTANCE,
            Self::Audio => AUDIO_MATCH_DISTANCE,
            Self::Text => TEXT_MATCH_DISTANCE,
        }
    }
}

impl fmt::Display for ContentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Image => "image",
            Self::Audio => "recording",
            Self::Text => "text",
        })
    }
}

/// A 64-bit ISCC Content-Code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ContentCode {
    /// What it was computed from.
    pub kind: ContentKind,
    /// The 64-bit body, big-endian as in the unit: compare with [`hamming`].
    pub bits: u64,
    /// The ISCC unit, "ISCC:EEA…" (image), "ISCC:EIA…" (audio), "ISCC:EAA…" (text).
    pub iscc: String,
    /// Whether the content carries too little to match on: a uniform or
    /// one-axis-gradient image ([`is_featureless`]), a steady tone or
    /// noise. Such contents get nearly the same code whatever they are, so
    /// a registry records the code but must not match on it.
    pub featureless: bool,
    /// What confirms a match on `bits`, where the kind has it: for audio,
    /// the Chromaprint features of the first [`CONFIRM_FEATURES`] frames,
    /// big-endian. A registry indexes `bits` and confirms on this
    /// ([`ContentCode::confirms`]).
    pub confirm: Option<Vec<u8>>,
}

impl ContentCode {
    fn from_unit(
        kind: ContentKind,
        iscc: String,
        featureless: bool,
    ) -> Result<Self, FingerprintError> {
        Ok(Self {
            kind,
            bits: body(&iscc)?,
            iscc,
            featureless,
            confirm: None,
        })
    }

    /// Whether a stored code's confirmation data (`stored`, its
    /// [`ContentCode::confirm`]) confirms a match found on the 64-bit
    /// codes. Audio: the features' bit error rate at the best alignment is
    /// at most [`AUDIO_CONFIRM_BER`]. Without confirmation data on this
    /// side there is nothing to confirm with, and the 64-bit match stands.
    pub fn confirms(&self, stored: &[u8]) -> bool {
        match (self.kind, &self.confirm) {
            (ContentKind::Audio, Some(mine)) => {
                feature_error_rate(mine, stored).is_some_and(|ber| ber <= AUDIO_CONFIRM_BER)
            }
            _ => true,
        }
    }
}

fn words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// The smallest share of differing bits between two recordings'
/// confirmation data ([`ContentCode::confirm`]: Chromaprint features,
/// big-endian) over the alignments within [`CONFIRM_SHIFT`] frames that
/// overlap by 16 frames (two seconds) — or, for a recording shorter than
/// that, by all of it; `None` when either has no frames.
pub fn feature_error_rate(a: &[u8], b: &[u8]) -> Option<f64> {
    let (a, b) = (words(a), words(b));
    let (a, b) = (a.as_slice(), b.as_slice());
    // A clip of a few seconds has fewer frames than the usual overlap:
    // it is compared whole, unshifted.
    let need = 16.min(a.len()).min(b.len()).max(1);
    let mut best: Option<f64> = None;
    for shift in 0..=CONFIRM_SHIFT {
        for (x, y) in [(a.get(shift..), Some(b)), (Some(a), b.get(shift..))] {
            let (Some(x), Some(y)) = (x, y) else { continue };
            let n = x.len().min(y.len());
            if n < need {
                continue;
            }
            let bits: u32 = x.iter().zip(y).map(|(p, q)| (p ^ q).count_ones()).sum();
            let ber = f64::from(bits) / (n as f64 * 32.0);
            best = Some(best.map_or(ber, |b: f64| b.min(ber)));
        }
    }
    best
}

/// The fingerprints of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fingerprints {
    /// The content code, if the format has one.
    pub content: Option<ContentCode>,
    /// The 64-bit Data-Code body.
    pub data: u64,
    /// BLAKE3 of the file's bytes (the 256-bit Instance-Code body).
    pub instance: [u8; 32],
    /// The composite ISCC-CODE, "ISCC:K…".
    pub iscc: String,
}

/// The number of bits in which two codes differ.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// The first 64 bits of an ISCC unit's body.
fn body(iscc: &str) -> Result<u64, iscc_lib::IsccError> {
    let (_, _, _, _, digest) = iscc_lib::iscc_decode(iscc)?;
    let first: [u8; 8] = digest
        .get(..8)
        .and_then(|d| d.try_into().ok())
        .ok_or_else(|| iscc_lib::IsccError::InvalidInput("body shorter than 64 bits".into()))?;
    Ok(u64::from_be_bytes(first))
}

/// The Text-Code of plain text. Pass the text as a reader sees it: a
/// labelled text without its C2PA wrapper (`tamga_text::strip`).
pub fn text(text: &str) -> ContentCode {
    // The same code as iscc-lib's `gen_text_code_v0(text, 64)`, computed
    // in pieces (see text_code.rs). Encoding a 64-bit Content-Code never
    // fails; the fallback keeps a library from panicking if that changed.
    use iscc_lib::codec::{encode_component, MainType, SubType, Version};
    encode_component(
        MainType::Content,
        SubType::TEXT,
        Version::V0,
        64,
        &text_code::soft_hash(text),
    )
    .ok()
    .and_then(|unit| ContentCode::from_unit(ContentKind::Text, format!("ISCC:{unit}"), false).ok())
    .unwrap_or(ContentCode {
        kind: ContentKind::Text,
        bits: 0,
        iscc: String::new(),
        featureless: true,
        confirm: None,
    })
}

/// The content code of an image or a recording open as `file` (read from
/// its current offset on; the caller rewinds), or `Ok(None)` for formats
/// this crate decodes no content code from: text (see [`content_of_file`]),
/// video, and the images `image` does not decode here.
pub fn media_content(
    file: &File,
    format: MediaFormat,
    limits: &DecodeLimits,
) -> Result<Option<ContentCode>, FingerprintError> {
    let clone = || {
        file.try_clone().map_err(|source| FingerprintError::Io {
            path: "the open file".into(),
            source,
        })
    };
    Ok(Some(match format {
        MediaFormat::Jpeg
        | MediaFormat::Png
        | MediaFormat::Gif
        | MediaFormat::Webp
        | MediaFormat::Tiff
        | MediaFormat::Bmp => image(BufReader::new(clone()?), limits)?,
        MediaFormat::Wav
        | MediaFormat::Mp3
        | MediaFormat::Flac
        | MediaFormat::M4a
        | MediaFormat::Aac => audio(Box::new(clone()?), format.name(), limits)?,
        _ => return Ok(None),
    }))
}

/// The content code of a file of `format`, or `Ok(None)` for formats with
/// no content code (video; images `image` does not decode here: HEIF,
/// AVIF, JPEG XL, SVG — decode those and use [`image_code`]).
pub fn content_of_file(
    path: &Path,
    format: MediaFormat,
    limits: &DecodeLimits,
) -> Result<Option<ContentCode>, FingerprintError> {
    let io = |source| FingerprintError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    if let Some(code) = media_content(&file, format, limits)? {
        return Ok(Some(code));
    }
    if format.family() != Family::Text {
        return Ok(None);
    }
    let size = file.metadata().map_err(io)?.len();
    limits.check(tamga_media::Limit::DecodedBytes, size)?;
    let bytes = std::fs::read(path).map_err(io)?;
    let visible = tamga_text::strip(&bytes);
    let s = std::str::from_utf8(&visible)
        .map_err(|e| FingerprintError::decode(ContentKind::Text)(e.into()))?;
    Ok(Some(text(s)))
}

/// Every fingerprint of the file at `path`, read as `format`: its content
/// code (see [`content_of_file`]), its Data- and Instance-Code (streamed)
/// and the composite ISCC-CODE.
pub fn of_file(
    path: &Path,
    format: MediaFormat,
    limits: &DecodeLimits,
) -> Result<Fingerprints, FingerprintError> {
    let content = content_of_file(path, format, limits)?;
    let io = |source| FingerprintError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let codes = data_codes(file).map_err(|source| FingerprintError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    compose(content, codes)
}
