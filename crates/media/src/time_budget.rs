//! How long the work on one file may take, and why.
//!
//! A fixed deadline either cuts off honest large files (a 48-megapixel
//! phone HEIC takes longer to re-encode than a thumbnail) or lets a
//! crafted small one stall a worker for as long. So the budget is a base
//! plus a share for each thing the work has to get through: the file's
//! bytes (hashing), its pixels (decoding, drawing and re-encoding an
//! image) and its audio (decoding and re-encoding). The pixels and the
//! duration are only known once a decoder has read the header, so the
//! work grants them to the running budget as it learns them
//! ([`crate::watchdog::allow_pixels`], [`crate::watchdog::allow_audio`]);
//! the header sizes are bounded by [`crate::DecodeLimits`] first, so a
//! lying header cannot buy more than the limits allow.

use std::{fmt, time::Duration};

/// Bytes hashed per second of budget: a pessimistic 20 MiB/s.
pub const BYTES_PER_SECOND: u64 = 20 << 20;

/// Milliseconds of budget per megapixel for images whose codecs are quick
/// to decode and encode (JPEG, PNG, WebP, TIFF, GIF...): 1 s per 2 MP.
pub const MS_PER_MEGAPIXEL: u64 = 500;

/// Milliseconds of budget per megapixel where the notice re-encodes with
/// HEVC or AV1 (HEIC, AVIF): measured, a 12 MP HEIC took 36 s to label
/// on a loaded 2-core machine (x265 alone 30 s), so 3 s per MP.
pub const HEIF_MS_PER_MEGAPIXEL: u64 = 3000;

/// Seconds of audio per second of budget: decoding and re-encoding (MP3
/// through LAME, FLAC, AAC) runs well above 30× real time.
pub const AUDIO_SECONDS_PER_SECOND: u64 = 30;

/// Seconds of audio per second of budget when tamga's watermark goes into
/// it as well: the embedder alone runs ~47× real time on one idle core
/// (BENCHMARKS.md), together with a decode and re-encode ~18×; 8× leaves
/// room for a loaded machine and a debug build.
pub const MARKED_AUDIO_SECONDS_PER_SECOND: u64 = 8;

/// Milliseconds of budget per megapixel of each re-encoded video frame
/// for H.264 (x264 preset fast) and MPEG-4 Part 2: measured 44 and 23 ms
/// on a loaded 2-core machine (720p), so ~3x that.
pub const VIDEO_MS_PER_MEGAPIXEL_FRAME: u64 = 150;

/// As [`VIDEO_MS_PER_MEGAPIXEL_FRAME`] for HEVC (x265 preset fast, 96 ms
/// measured).
pub const HEVC_MS_PER_MEGAPIXEL_FRAME: u64 = 400;

/// As [`VIDEO_MS_PER_MEGAPIXEL_FRAME`] for VP9 (libvpx, cpu-used 4, 183 ms
/// measured).
pub const VP9_MS_PER_MEGAPIXEL_FRAME: u64 = 600;

/// As [`VIDEO_MS_PER_MEGAPIXEL_FRAME`] for AV1 (libaom, cpu-used 6, 492 ms
/// measured).
pub const AV1_MS_PER_MEGAPIXEL_FRAME: u64 = 1500;

/// The time allowed for the work on one file, by what it is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimeBudget {
    /// The base for any file (`LabelOptions::deadline`).
    pub base: Duration,
    /// The file's size, in bytes.
    pub bytes: u64,
    /// Pixels in the image the notice decodes and re-encodes (0 if none).
    pub pixels: u64,
    /// Milliseconds allowed per megapixel of them ([`MS_PER_MEGAPIXEL`]
    /// or [`HEIF_MS_PER_MEGAPIXEL`]).
    pub ms_per_megapixel: u64,
    /// Seconds of audio the notice decodes and re-encodes (0 if none).
    pub audio_seconds: u64,
    /// Seconds of it allowed per second of budget
    /// ([`AUDIO_SECONDS_PER_SECOND`], or
    /// [`MARKED_AUDIO_SECONDS_PER_SECOND`] when it is watermarked).
    pub audio_per_second: u64,
    /// Seconds of video the notice re-encodes (0 if none), for messages.
    pub video_seconds: u64,
    /// Pixels times frames of that video.
    pub video_pixel_frames: u64,
    /// Milliseconds allowed per megapixel of each frame
    /// ([`VIDEO_MS_PER_MEGAPIXEL_FRAME`] and the like, by codec).
    pub ms_per_megapixel_frame: u64,
}

impl TimeBudget {
    /// A budget of `base` for a file of `bytes`, before its content is known.
    pub fn new(base: Duration, bytes: u64) -> Self {
        Self {
            base,
            bytes,
            pixels: 0,
            ms_per_megapixel: MS_PER_MEGAPIXEL,
            audio_seconds: 0,
            audio_per_second: AUDIO_SECONDS_PER_SECOND,
            video_seconds: 0,
            video_pixel_frames: 0,
            ms_per_megapixel_frame: VIDEO_MS_PER_MEGAPIXEL_FRAME,
        }
    }

    /// The seconds granted for the bytes.
    pub fn byte_seconds(&self) -> u64 {
        self.bytes / BYTES_PER_SECOND
    }

    /// The seconds granted for the pixels, rounded up.
    pub fn pixel_seconds(&self) -> u64 {
        self.pixels
            .saturating_mul(self.ms_per_megapixel)
            .div_ceil(1_000_000_000)
    }

    /// The seconds granted for the audio, rounded up.
    pub fn audio_share(&self) -> u64 {
        self.audio_seconds.div_ceil(self.audio_per_second.max(1))
    }

    /// The seconds granted for re-encoding video, rounded up.
    pub fn video_share(&self) -> u64 {
        self.video_pixel_frames
            .saturating_mul(self.ms_per_megapixel_frame)
            .div_ceil(1_000_000_000)
    }

    /// The whole budget.
    pub fn total(&self) -> Duration {
        let extra = self
            .byte_seconds()
            .saturating_add(self.pixel_seconds())
            .saturating_add(self.audio_share())
            .saturating_add(self.video_share());
        self.base.saturating_add(Duration::from_secs(extra))
    }

    /// Grants time for an image of `pixels` at `ms_per_megapixel`, if that
    /// is more than already granted (an animation's frames, or a decoder
    /// that checks twice, do not add up past the largest).
    pub fn allow_pixels(&mut self, pixels: u64, ms_per_megapixel: u64) {
        let candidate = Self {
            pixels,
            ms_per_megapixel,
            ..*self
        };
        if candidate.pixel_seconds() > self.pixel_seconds() {
            *self = candidate;
        }
    }

    /// Grants time for `seconds` of audio, if more than already granted
    /// (a decoder counts the length again as it goes).
    pub fn allow_audio(&mut self, seconds: u64) {
        self.audio_seconds = self.audio_seconds.max(seconds);
    }

    /// Grants time for re-encoding `seconds` of video, `frames` frames of
    /// `pixels` each, at `ms_per_megapixel_frame`, if more than already
    /// granted. The sizes come from a header already checked against the
    /// decoding limits.
    pub fn allow_video(
        &mut self,
        seconds: u64,
        frames: u64,
        pixels: u64,
        ms_per_megapixel_frame: u64,
    ) {
        let candidate = Self {
            video_seconds: seconds,
            video_pixel_frames: frames.saturating_mul(pixels),
            ms_per_megapixel_frame,
            ..*self
        };
        if candidate.video_share() > self.video_share() {
            *self = candidate;
        }
    }

    /// Slows the audio's rate to `per_second` seconds of audio per second
    /// of budget, if slower than granted (the work does more to each
    /// second: a watermark).
    pub fn allow_audio_rate(&mut self, per_second: u64) {
        self.audio_per_second = self.audio_per_second.min(per_second.max(1));
    }

    /// What the budget was for, for the start of a message: "the notice on
    /// 48 MP", "the notice on 3 min of audio", or "the work on this file".
    pub fn work(&self) -> String {
        if self.video_seconds > 0 {
            format!("the notice on {} of video", duration(self.video_seconds))
        } else if self.pixels > 0 {
            format!("the notice on {}", megapixels(self.pixels))
        } else if self.audio_seconds > 0 && self.audio_per_second < AUDIO_SECONDS_PER_SECOND {
            format!(
                "the watermark and notice on {} of audio",
                duration(self.audio_seconds)
            )
        } else if self.audio_seconds > 0 {
            format!("the notice on {} of audio", duration(self.audio_seconds))
        } else {
            "the work on this file".into()
        }
    }
}

impl From<Duration> for TimeBudget {
    /// A fixed budget with nothing granted for size or content.
    fn from(base: Duration) -> Self {
        Self::new(base, 0)
    }
}

/// "174 s budget (30 s base + 144 s for 48 MP at 3 s per MP + 1 s for
/// 25 MB at 1 s per 20 MB)": the total and each share that is not zero.
impl fmt::Display for TimeBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} s budget ({} s base",
            self.total().as_secs(),
            self.base.as_secs()
        )?;
        if self.pixels > 0 {
            write!(
                f,
                " + {} s for {} at {} s per MP",
                self.pixel_seconds(),
                megapixels(self.pixels),
                self.ms_per_megapixel as f64 / 1000.0
            )?;
        }
        if self.audio_seconds > 0 {
            write!(
                f,
                " + {} s for {} of audio at 1 s per {}",
                self.audio_share(),
                duration(self.audio_seconds),
                duration(self.audio_per_second)
            )?;
        }
        if self.video_pixel_frames > 0 {
            write!(
                f,
                " + {} s for {} of video at {} ms per MP of each frame",
                self.video_share(),
                duration(self.video_seconds),
                self.ms_per_megapixel_frame
            )?;
        }
        if self.byte_seconds() > 0 {
            write!(
                f,
                " + {} s for {} MB at 1 s per {} MB",
                self.byte_seconds(),
                self.bytes >> 20,
                BYTES_PER_SECOND >> 20
            )?;
        }
        f.write_str(")")
    }
}

/// "48 MP", "0.3 MP": megapixels with one decimal below 10.
fn megapixels(pixels: u64) -> String {
    let mp = pixels as f64 / 1e6;
    if mp >= 10.0 || mp.fract() == 0.0 {
        format!("{mp:.0} MP")
    } else {
        format!("{mp:.1} MP")
    }
}

/// "45 s", "3 min", "2 h 5 min".
fn duration(seconds: u64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_of_1080p_video_gets_time_by_its_frames_and_codec() {
        let mut b = TimeBudget::new(Duration::from_secs(30), 0);
        // 60 s at 25 fps of 1920x1080 in H.264: 3110 MP of frames at 150 ms.
        b.allow_video(60, 1500, 1920 * 1080, VIDEO_MS_PER_MEGAPIXEL_FRAME);
        assert_eq!(b.video_share(), 467);
        assert_eq!(b.total(), Duration::from_secs(497));
        assert_eq!(b.work(), "the notice on 60 s of video");
        assert_eq!(
            b.to_string(),
            "497 s budget (30 s base + 467 s for 60 s of video at 150 ms per MP of each frame)"
        );
        // Only the head re-encoded afterwards (a smaller grant) keeps it.
        b.allow_video(4, 100, 1920 * 1080, VIDEO_MS_PER_MEGAPIXEL_FRAME);
        assert_eq!(b.video_share(), 467);
        // AV1 for the same frames is slower: ten times the H.264 share.
        b.allow_video(60, 1500, 1920 * 1080, AV1_MS_PER_MEGAPIXEL_FRAME);
        assert_eq!(b.video_share(), 4666);
    }

    #[test]
    fn a_48_megapixel_heic_gets_3_s_per_megapixel_on_top_of_the_base() {
        let mut b = TimeBudget::new(Duration::from_secs(30), 12 << 20);
        assert_eq!(b.total(), Duration::from_secs(30), "12 MB: under a second");
        b.allow_pixels(8000 * 6000, HEIF_MS_PER_MEGAPIXEL);
        assert_eq!(b.total(), Duration::from_secs(174));
        assert_eq!(
            b.to_string(),
            "174 s budget (30 s base + 144 s for 48 MP at 3 s per MP)"
        );
        assert_eq!(b.work(), "the notice on 48 MP");
        // A second, smaller grant (a thumbnail) does not shrink it.
        b.allow_pixels(1000, MS_PER_MEGAPIXEL);
        assert_eq!(b.total(), Duration::from_secs(174));
    }

    #[test]
    fn quick_codecs_get_a_second_per_two_megapixels() {
        let mut b = TimeBudget::new(Duration::from_secs(30), 0);
        b.allow_pixels(12_000_001, MS_PER_MEGAPIXEL);
        assert_eq!(b.pixel_seconds(), 7, "rounded up");
        assert_eq!(b.total(), Duration::from_secs(37));
        assert!(
            b.to_string().contains("7 s for 12 MP at 0.5 s per MP"),
            "{b}"
        );
    }

    #[test]
    fn audio_and_size_add_their_shares() {
        let mut b = TimeBudget::new(Duration::from_secs(10), 100 << 20);
        b.allow_audio(3600);
        b.allow_audio(60);
        assert_eq!(b.audio_share(), 120, "an hour at 30× real time");
        assert_eq!(b.byte_seconds(), 5);
        assert_eq!(b.total(), Duration::from_secs(135));
        assert_eq!(
            b.to_string(),
            "135 s budget (10 s base + 120 s for 60 min of audio at 1 s per 30 s \
             + 5 s for 100 MB at 1 s per 20 MB)"
        );
        assert_eq!(b.work(), "the notice on 60 min of audio");
    }

    #[test]
    fn a_plain_budget_names_only_its_base() {
        let b = TimeBudget::from(Duration::from_secs(30));
        assert_eq!(b.to_string(), "30 s budget (30 s base)");
        assert_eq!(b.work(), "the work on this file");
        let huge = TimeBudget {
            pixels: u64::MAX,
            ms_per_megapixel: u64::MAX,
            audio_seconds: u64::MAX,
            ..TimeBudget::new(Duration::MAX, u64::MAX)
        };
        assert_eq!(huge.total(), Duration::MAX, "saturates, never wraps");
    }

    #[test]
    fn a_watermark_slows_the_rate_audio_is_granted_at() {
        let mut b = TimeBudget::new(Duration::from_secs(30), 0);
        b.allow_audio(3600);
        assert_eq!(b.total(), Duration::from_secs(150));
        b.allow_audio_rate(MARKED_AUDIO_SECONDS_PER_SECOND);
        b.allow_audio_rate(AUDIO_SECONDS_PER_SECOND);
        assert_eq!(b.total(), Duration::from_secs(480));
        assert_eq!(b.work(), "the watermark and notice on 60 min of audio");
        assert_eq!(
            b.to_string(),
            "480 s budget (30 s base + 450 s for 60 min of audio at 1 s per 8 s)"
        );
    }
}
