//! What decoding an input for a perceivable notice may cost.
//!
//! A notice decodes the content: every pixel of an image, every sample of
//! a recording. A few kilobytes of header can claim 60000×60000 pixels or
//! ten hours of silence, so the sizes a file declares are checked here
//! before anything is allocated, and again while decoding, since headers
//! can lie. Past a limit the file is refused as bad input
//! ([`crate::LabelError::LimitExceeded`]), never a failed allocation.

use std::fmt;

/// Limits on decoding an input. The defaults let real camera and generator
/// output through (a 200-megapixel photo, a day of audio, GIFs of
/// thousands of frames) and bound what one file can make tamga allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeLimits {
    /// Most pixels in one image or frame (width × height).
    pub max_pixels: u64,
    /// Most bytes of decoded pixels one file may need in all: every frame
    /// of an animation together, in the decoder's pixel format.
    pub max_decoded_bytes: u64,
    /// Most frames in an animated image.
    pub max_frames: u64,
    /// Longest audio, in seconds. Audio is decoded and re-encoded in
    /// blocks, so this bounds time and disk, not memory.
    pub max_audio_seconds: u64,
}

impl Default for DecodeLimits {
    /// 2^28 pixels (16384 × 16384, beyond any camera's 200 megapixels),
    /// 2 GiB of decoded pixels (a 200-megapixel RGBA photo takes 800 MB),
    /// 10 000 frames and 24 hours of audio.
    fn default() -> Self {
        Self {
            max_pixels: 1 << 28,
            max_decoded_bytes: 2 << 30,
            max_frames: 10_000,
            max_audio_seconds: 24 * 3600,
        }
    }
}

/// The `[limits]` table of a config file (the CLI's and `tamga serve`'s):
/// each key present replaces that limit, in the units people write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsTable {
    /// [`DecodeLimits::max_pixels`].
    pub max_pixels: Option<u64>,
    /// [`DecodeLimits::max_decoded_bytes`], in MiB.
    pub max_decoded_mb: Option<u64>,
    /// [`DecodeLimits::max_frames`].
    pub max_frames: Option<u64>,
    /// [`DecodeLimits::max_audio_seconds`].
    pub max_audio_seconds: Option<u64>,
    /// The base of each file's time budget, in seconds
    /// ([`crate::LabelOptions::deadline`]); time for its size, pixels and
    /// audio comes on top ([`crate::TimeBudget`]).
    pub timeout_secs: Option<u64>,
}

impl LimitsTable {
    /// This table, with `under`'s keys where this one has none: the
    /// command line's flags over the config file's table.
    pub fn or(self, under: Self) -> Self {
        Self {
            max_pixels: self.max_pixels.or(under.max_pixels),
            max_decoded_mb: self.max_decoded_mb.or(under.max_decoded_mb),
            max_frames: self.max_frames.or(under.max_frames),
            max_audio_seconds: self.max_audio_seconds.or(under.max_audio_seconds),
            timeout_secs: self.timeout_secs.or(under.timeout_secs),
        }
    }

    /// The time budget's base this table sets, if any (0 is read as 1 s:
    /// no work is instant).
    pub fn deadline(&self) -> Option<std::time::Duration> {
        self.timeout_secs
            .map(|s| std::time::Duration::from_secs(s.max(1)))
    }

    /// `base` with every limit this table sets replaced.
    pub fn apply(&self, base: DecodeLimits) -> DecodeLimits {
        DecodeLimits {
            max_pixels: self.max_pixels.unwrap_or(base.max_pixels),
            max_decoded_bytes: self
                .max_decoded_mb
                .map_or(base.max_decoded_bytes, |mb| mb.saturating_mul(1 << 20)),
            max_frames: self.max_frames.unwrap_or(base.max_frames),
            max_audio_seconds: self.max_audio_seconds.unwrap_or(base.max_audio_seconds),
        }
    }
}

/// Which limit a file went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// [`DecodeLimits::max_pixels`].
    Pixels,
    /// [`DecodeLimits::max_decoded_bytes`].
    DecodedBytes,
    /// [`DecodeLimits::max_frames`].
    Frames,
    /// [`DecodeLimits::max_audio_seconds`].
    AudioSeconds,
}

impl Limit {
    /// A stable name, for messages and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pixels => "pixels-per-frame",
            Self::DecodedBytes => "decoded-bytes",
            Self::Frames => "frames",
            Self::AudioSeconds => "audio-seconds",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A size a file declares (or turns out to have) past its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exceeded {
    pub(crate) limit: Limit,
    pub(crate) value: u64,
    pub(crate) max: u64,
}

impl DecodeLimits {
    /// The limit's maximum.
    fn max(&self, limit: Limit) -> u64 {
        match limit {
            Limit::Pixels => self.max_pixels,
            Limit::DecodedBytes => self.max_decoded_bytes,
            Limit::Frames => self.max_frames,
            Limit::AudioSeconds => self.max_audio_seconds,
        }
    }

    /// `value` against `limit`.
    pub(crate) fn check(&self, limit: Limit, value: u64) -> Result<(), Exceeded> {
        let max = self.max(limit);
        if value > max {
            Err(Exceeded { limit, value, max })
        } else {
            Ok(())
        }
    }

    /// An image or frame of `width` × `height` at `bytes_per_pixel`: its
    /// pixels, and the bytes decoding it takes. Within the limits, the
    /// file's time budget grows for the pixels (every decoder calls this
    /// before its work, so this is the one place that grants it).
    pub(crate) fn check_image(
        &self,
        width: u64,
        height: u64,
        bytes_per_pixel: u64,
    ) -> Result<(), Exceeded> {
        let pixels = width.saturating_mul(height);
        self.check(Limit::Pixels, pixels)?;
        self.check(Limit::DecodedBytes, pixels.saturating_mul(bytes_per_pixel))?;
        crate::watchdog::allow_pixels(pixels, crate::time_budget::MS_PER_MEGAPIXEL);
        Ok(())
    }

    /// `frames` at `rate` Hz against the longest audio allowed. Within it,
    /// the file's time budget grows for the audio, as for [`Self::check_image`].
    pub(crate) fn check_audio(&self, frames: u64, rate: u32) -> Result<(), Exceeded> {
        // Whole seconds, rounded up, so a file a fraction over is refused.
        let seconds = frames.div_ceil(u64::from(rate.max(1)));
        self.check(Limit::AudioSeconds, seconds)?;
        crate::watchdog::allow_audio(seconds);
        Ok(())
    }
}

/// A running count of decoded bytes against [`DecodeLimits::max_decoded_bytes`],
/// for decoders that allocate frame after frame.
#[derive(Debug)]
pub(crate) struct Budget {
    limits: DecodeLimits,
    used: u64,
    frames: u64,
}

impl Budget {
    pub(crate) fn new(limits: DecodeLimits) -> Self {
        Self {
            limits,
            used: 0,
            frames: 0,
        }
    }

    /// Accounts for `bytes` more of decoded pixels.
    pub(crate) fn spend(&mut self, bytes: u64) -> Result<(), Exceeded> {
        self.used = self.used.saturating_add(bytes);
        self.limits.check(Limit::DecodedBytes, self.used)
    }

    /// Accounts for one more frame of `bytes` decoded pixels.
    pub(crate) fn frame(&mut self, bytes: u64) -> Result<(), Exceeded> {
        self.frames += 1;
        self.limits.check(Limit::Frames, self.frames)?;
        self.spend(bytes)
    }
}

/// Why a notice could not be applied: a limit, or anything else (said in
/// a sentence that becomes [`crate::LabelError::Notice`]).
#[derive(Debug)]
pub(crate) enum NoticeError {
    Limit(Exceeded),
    /// The codec library the format needs is missing (libheif).
    Library(tamga_heif::LoadError),
    Other(String),
}

impl fmt::Display for NoticeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Limit(e) => write!(
                f,
                "the {} limit is {}; this file needs {}",
                e.limit, e.max, e.value
            ),
            Self::Library(e) => e.fmt(f),
            Self::Other(s) => f.write_str(s),
        }
    }
}

impl From<tamga_heif::LoadError> for NoticeError {
    fn from(e: tamga_heif::LoadError) -> Self {
        Self::Library(e)
    }
}

impl From<Exceeded> for NoticeError {
    fn from(e: Exceeded) -> Self {
        Self::Limit(e)
    }
}

impl From<String> for NoticeError {
    fn from(s: String) -> Self {
        Self::Other(s)
    }
}

impl From<&str> for NoticeError {
    fn from(s: &str) -> Self {
        Self::Other(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_config_table_which_overrides_the_defaults() {
        let file: LimitsTable =
            toml::from_str("max_pixels = 100\nmax_decoded_mb = 3\ntimeout_secs = 90").unwrap();
        let flags = LimitsTable {
            max_pixels: Some(50),
            ..LimitsTable::default()
        };
        let l = flags.or(file).apply(DecodeLimits::default());
        assert_eq!(l.max_pixels, 50);
        assert_eq!(l.max_decoded_bytes, 3 << 20);
        assert_eq!(l.max_frames, DecodeLimits::default().max_frames);
        let t = flags.or(file);
        assert_eq!(t.deadline(), Some(std::time::Duration::from_secs(90)));
        let flag = LimitsTable {
            timeout_secs: Some(5),
            ..LimitsTable::default()
        };
        assert_eq!(
            flag.or(file).deadline(),
            Some(std::time::Duration::from_secs(5)),
            "--timeout wins over the config file"
        );
        assert!(
            toml::from_str::<LimitsTable>("max_pixel = 1").is_err(),
            "typos are refused"
        );
    }

    #[test]
    fn a_200_megapixel_photo_passes_and_a_header_bomb_does_not() {
        let l = DecodeLimits::default();
        assert!(l.check_image(16_320, 12_240, 4).is_ok(), "200 MP RGBA");
        let e = l.check_image(60_000, 60_000, 4).unwrap_err();
        assert_eq!(
            (e.limit, e.value, e.max),
            (Limit::Pixels, 3_600_000_000, 1 << 28)
        );
        // Within the pixels, past the bytes: 32-bit float RGBA.
        let e = l.check_image(16_000, 16_000, 16).unwrap_err();
        assert_eq!(e.limit, Limit::DecodedBytes);
        // Products that overflow saturate instead of wrapping to small.
        assert!(l.check_image(u64::MAX, u64::MAX, 8).is_err());
    }

    #[test]
    fn limits_hold_at_the_boundary_both_ways() {
        let mut l = DecodeLimits {
            max_pixels: 100,
            ..Default::default()
        };
        assert!(l.check_image(10, 10, 1).is_ok());
        assert!(l.check_image(10, 11, 1).is_err());
        l.max_audio_seconds = 60;
        assert!(l.check_audio(60 * 44_100, 44_100).is_ok());
        let e = l.check_audio(60 * 44_100 + 1, 44_100).unwrap_err();
        assert_eq!((e.limit, e.value, e.max), (Limit::AudioSeconds, 61, 60));
    }

    #[test]
    fn the_budget_counts_frames_and_bytes() {
        let l = DecodeLimits {
            max_frames: 3,
            max_decoded_bytes: 250,
            ..Default::default()
        };
        let mut b = Budget::new(l);
        assert!(b.frame(100).is_ok());
        assert!(b.frame(100).is_ok());
        assert_eq!(b.frame(100).unwrap_err().limit, Limit::DecodedBytes);
        let mut b = Budget::new(l);
        for _ in 0..3 {
            b.frame(1).unwrap();
        }
        let e = b.frame(1).unwrap_err();
        assert_eq!((e.limit, e.value, e.max), (Limit::Frames, 4, 3));
    }

    #[test]
    fn the_message_names_the_limit_and_the_value() {
        let e = NoticeError::from(Exceeded {
            limit: Limit::Pixels,
            value: 3_600_000_000,
            max: 1 << 28,
        });
        assert_eq!(
            e.to_string(),
            "the pixels-per-frame limit is 268435456; this file needs 3600000000"
        );
    }
}
