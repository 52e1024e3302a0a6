//! tamga's own audio watermark: a keyed 32-bit payload, repeated every
//! [`FRAME_SECONDS`] s, hidden under the content in the 250 Hz – 7.25 kHz
//! band, and read back after 128 kbit/s MP3 or AAC, resampling, gain
//! changes and cutting.
//!
//! * the layout — the time–frequency grid and the key's choices on it
//!   ([`AudioKey`]);
//! * the code — a 40-bit check and a rate-1/3 convolutional code, decoded
//!   with soft Viterbi; [`false_positive_bound`] proves the detector's
//!   false-positive rate below 10⁻⁹ per clip;
//! * [`AudioEmbedder`] and [`AudioDetector`] — streaming, with memory
//!   independent of the duration;
//! * [`embed_wav`] and [`detect_file`] — WAV in and out, and any format
//!   tamga decodes, within [`DecodeLimits`](tamga_media::DecodeLimits).
//!
//! The design, the masking model and measured robustness are in
//! docs/watermark-audio.md.

mod code;
mod detect;
mod embed;
mod io;
mod layout;
mod resample;
mod stft;
#[cfg(test)]
mod tests;

pub use code::false_positive_bound;
pub use detect::{AudioDetection, AudioDetector};
pub use embed::{AudioEmbedder, A_MAX, A_MAX_HIGH, BUDGET_DB};
pub use io::{detect_file, detect_source, detect_start, embed_wav, AudioMarkError, EmbedSummary};
pub use layout::{AudioKey, FRAME_SECONDS};

/// The 32 bits an audio mark carries (for tamga, an identifier the lead's
/// label step chooses, e.g. part of the manifest's id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AudioPayload(pub u32);
