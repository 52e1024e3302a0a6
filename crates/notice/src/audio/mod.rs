//! The sound of an audio notice: GB 45438's tone pattern short-long-short-short
//! ("AI" in Morse) or a spoken notice, rendered at the file's own sample rate
//! and channel count, as loud as the content it announces, with the silence
//! that separates it from the content. How it gets into a file is up to each
//! format's module (`wav_notice`, `flac_notice`, `mp3_notice`).

pub(crate) mod decode;
mod edit;
pub(crate) mod flac;
mod m4a;
mod mp3;
mod voice;
mod wav;

use std::{fs::File, path::Path};

pub use edit::ContentEdit;

use crate::{
    options::NoticePosition, DecodeLimits, Lang, MediaFormat, NoticeError, Unsupported, Wording,
};

/// Whether `format` takes a tone or voice notice (the format table's
/// `sound`). M4A needs ffmpeg at run time for its AAC encoder (see `m4a`).
pub fn supported(format: MediaFormat) -> bool {
    format.spec().sound
}

/// What putting a notice into a recording did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// Length of one notice with its gap, in seconds.
    pub seconds: f64,
    /// What a lossy re-encode chose (bitrate), for the user.
    pub note: Option<String>,
}

/// What to do to a recording: a notice, an edit of its content (tamga's
/// watermark), or both in one pass.
pub struct AudioPlan<'a> {
    /// The notice, if any.
    pub sound: Option<&'a Sound>,
    /// Where the notice goes.
    pub position: NoticePosition,
    /// The change to the content, if any: the notice itself is not edited.
    pub edit: Option<&'a mut dyn ContentEdit>,
}

impl AudioPlan<'_> {
    /// The notice placed for content of `rate`/`channels` whose RMS is
    /// `content_rms`; nothing around the content without one.
    pub(crate) fn place(
        &self,
        rate: u32,
        channels: usize,
        content_rms: f64,
    ) -> Result<Placed, NoticeError> {
        match self.sound {
            Some(sound) => sound.place(rate, channels, content_rms, self.position),
            None => Ok(Placed {
                head: Vec::new(),
                tail: Vec::new(),
                seconds: 0.0,
            }),
        }
    }
}

/// Writes the recording in `source` (a `format` file named `name` in
/// messages) to `out` as `plan` says: WAV is spliced, the others decoded
/// and re-encoded, file to file in blocks, within `limits` (M4A through
/// the ffmpeg `tools` name).
pub fn apply(
    tools: &crate::Tools,
    format: MediaFormat,
    source: &mut File,
    name: &Path,
    out: &mut File,
    plan: AudioPlan<'_>,
    limits: &DecodeLimits,
) -> Result<Applied, NoticeError> {
    let clone = |s: &File| s.try_clone().map_err(NoticeError::io(""));
    let lossless = |seconds| Applied {
        seconds,
        note: None,
    };
    let reencoded = |e: Reencoded| Applied {
        seconds: e.seconds,
        note: Some(e.note),
    };
    match format {
        MediaFormat::Wav => wav::apply_wav(source, out, plan, limits).map(lossless),
        MediaFormat::Flac => flac::apply(clone(source)?, out, plan, limits).map(lossless),
        MediaFormat::Mp3 => mp3::apply(clone(source)?, out, plan, limits).map(reencoded),
        MediaFormat::M4a => {
            m4a::apply(&tools.ffmpeg, clone(source)?, name, out, plan, limits).map(reencoded)
        }
        other => Err(Unsupported::Format {
            format: other,
            notice: "an audio notice",
        }
        .into()),
    }
}

/// Morse "AI": · −  · · — in units, tone (true) or silence (false).
const PATTERN: [(bool, u32); 7] = [
    (true, 1),  // A: dot
    (false, 1), //    gap inside the letter
    (true, 3),  //    dash
    (false, 3), // gap between letters
    (true, 1),  // I: dot
    (false, 1), //    gap
    (true, 1),  //    dot
];
/// One Morse unit: 100 ms keeps the pattern clearly audible (~1.1 s).
pub(crate) const UNIT_S: f64 = 0.1;
const TONE_HZ: f64 = 1000.0;
/// Silence between the notice and the content.
pub(crate) const GAP_S: f64 = 0.3;
/// Fade in/out of each tone, against clicks.
const FADE_S: f64 = 0.005;
/// Notice RMS bounds relative to full scale: audible under quiet content,
/// never louder than −6 dBFS RMS.
const MIN_RMS: f64 = 0.03;
const MAX_RMS: f64 = 0.5;

/// What re-encoding a lossy file with its notice did, for the user.
struct Reencoded {
    /// Length of one notice with its gap.
    pub seconds: f64,
    /// The bitrate chosen and the source's, in a sentence.
    pub note: String,
}

/// What is heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sound {
    /// The Morse "AI" tone.
    Tone,
    /// The spoken short wording, one clip per language in order.
    Voice {
        /// The languages, in the order spoken.
        langs: Vec<Lang>,
        /// Which wording.
        ai: Wording,
    },
}

/// The notice as samples to put before and after the content (interleaved
/// full-scale fractions), and its length once, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placed {
    /// Notice then gap, or nothing.
    pub head: Vec<f64>,
    /// Gap then notice, or nothing.
    pub tail: Vec<f64>,
    /// Length of one notice with its gap.
    pub seconds: f64,
}

impl Sound {
    /// The notice at `position` for content of `rate`/`channels` whose RMS
    /// (a full-scale fraction) is `content_rms`.
    pub(crate) fn place(
        &self,
        rate: u32,
        channels: usize,
        content_rms: f64,
        position: NoticePosition,
    ) -> Result<Placed, NoticeError> {
        let level = content_rms.clamp(MIN_RMS, MAX_RMS);
        let sound = match self {
            Self::Tone => tone(rate, channels, level),
            Self::Voice { langs, ai } => voice::render(langs, *ai, rate, channels, level)?,
        };
        let gap = vec![0.0; (GAP_S * f64::from(rate)).round() as usize * channels];
        let frames = (sound.len() + gap.len()) / channels.max(1);
        let (start, end) = match position {
            NoticePosition::Start => (true, false),
            NoticePosition::End => (false, true),
            _ => (true, true),
        };
        Ok(Placed {
            head: if start {
                [&sound[..], &gap[..]].concat()
            } else {
                Vec::new()
            },
            tail: if end {
                [&gap[..], &sound[..]].concat()
            } else {
                Vec::new()
            },
            seconds: frames as f64 / f64::from(rate),
        })
    }
}

/// The pattern, interleaved for `channels`, in full-scale fractions with the
/// given RMS (a sine's RMS is its peak / √2).
fn tone(rate: u32, channels: usize, rms: f64) -> Vec<f64> {
    let rate = f64::from(rate);
    let peak = rms * std::f64::consts::SQRT_2;
    let fade = (FADE_S * rate).max(1.0);
    let mut out = Vec::new();
    for (on, units) in PATTERN {
        let n = (f64::from(units) * UNIT_S * rate).round() as usize;
        for i in 0..n {
            let v = if on {
                let t = i as f64 / rate;
                let env = (i as f64 / fade).min((n - i) as f64 / fade).min(1.0);
                peak * env * (2.0 * std::f64::consts::PI * TONE_HZ * t).sin()
            } else {
                0.0
            };
            out.extend(std::iter::repeat_n(v, channels));
        }
    }
    out
}

/// RMS of full-scale fractions.
pub(crate) fn rms(samples: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0f64, 0u64);
    for s in samples {
        sum += s * s;
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        (sum / n as f64).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_is_short_long_short_short() {
        let rate = 8000;
        let t = tone(rate, 1, 0.2);
        // Runs of sound and silence, in Morse units.
        let mut runs: Vec<(bool, usize)> = Vec::new();
        let unit = (UNIT_S * f64::from(rate)) as usize;
        for chunk in t.chunks(unit / 4) {
            let on = chunk.iter().any(|v| v.abs() > 0.01);
            match runs.last_mut() {
                Some((o, n)) if *o == on => *n += 1,
                _ => runs.push((on, 1)),
            }
        }
        let sounds: Vec<usize> = runs.iter().filter(|r| r.0).map(|r| r.1 / 4).collect();
        assert_eq!(sounds, [1, 3, 1, 1], "{runs:?}");
    }

    #[test]
    fn the_gap_sits_between_the_notice_and_the_content() {
        let p = Sound::Tone
            .place(8000, 2, 0.1, NoticePosition::Both)
            .unwrap();
        assert_eq!(p.head.len(), p.tail.len());
        assert!((p.seconds - (11.0 * UNIT_S + GAP_S)).abs() < 0.01);
        let gap = (GAP_S * 8000.0) as usize * 2;
        assert!(p.head[p.head.len() - gap..].iter().all(|&v| v == 0.0));
        assert!(p.tail[..gap].iter().all(|&v| v == 0.0));
        assert!(p.head[..gap].iter().any(|&v| v != 0.0));
    }

    #[test]
    fn the_level_follows_the_content_within_bounds() {
        for (content, want) in [(0.2, 0.2), (0.0, MIN_RMS), (0.9, MAX_RMS)] {
            let p = Sound::Tone
                .place(16000, 1, content, NoticePosition::Start)
                .unwrap();
            // RMS of the tones alone: the sounding units are 6 of 11.
            let on = rms(p.head.iter().copied()) * (11.0 + GAP_S / UNIT_S).sqrt() / 6f64.sqrt();
            assert!((on - want).abs() / want < 0.05, "{content}: {on}");
        }
    }
}
