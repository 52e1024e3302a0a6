//! The visible notice on a video: the badge (same wording, size rules and
//! fonts as on images) burnt into the opening frames for a span (GB 45438:
//! at least 2 s at the start) or into every frame (the EU Code of
//! Practice's advice for deep fakes), in the corner asked for.
//!
//! ffmpeg does the decoding and encoding as a separate process (on `PATH`,
//! or where the caller says), as for M4A: nothing is linked in. The video
//! track is re-encoded in its own codec family at the source's bitrate;
//! audio, subtitles, chapters, tags, the rotation flag and the colour
//! description are copied untouched. The whole video track is re-encoded
//! for now; frames after the span are not copied as they were.
//!
//! Memory: ffmpeg streams the file; tamga holds the badge picture only.

mod encode;
mod overlay;
mod probe;

pub use encode::CODECS;

use std::path::Path;

use tamga_media::Limit;

use crate::{
    error::NoticeError, images::badge::Badge, DecodeLimits, NoticePosition, NoticeSpan, Tools,
};

/// What to put on the video.
pub struct VideoPlan<'a> {
    /// The badge's candidate wordings, best first.
    pub candidates: &'a [Vec<String>],
    /// The corner, as the video is displayed.
    pub position: NoticePosition,
    /// How long it stays.
    pub span: NoticeSpan,
}

/// What was done.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoApplied {
    /// The badge drawn, on the frame as displayed.
    pub badge: Badge,
    /// Seconds from the start the badge is on screen (the whole duration
    /// for [`NoticeSpan::Whole`] or a video shorter than the span).
    pub seconds: f64,
    /// Whether every frame carries it.
    pub whole: bool,
    /// For the user: how the video was re-encoded.
    pub note: String,
}

/// Writes the video at `src` with the badge to `out` (a path in a private
/// directory the caller owns; the muxer follows `src`'s extension).
pub fn apply(
    tools: &Tools,
    src: &Path,
    out: &Path,
    plan: VideoPlan<'_>,
    limits: &DecodeLimits,
) -> Result<VideoApplied, NoticeError> {
    let info = probe::probe(&tools.ffprobe, src)?;
    limits
        .check_image(u64::from(info.width), u64::from(info.height), 4)
        .map_err(NoticeError::Limit)?;
    limits
        .check(Limit::AudioSeconds, info.duration.ceil() as u64)
        .map_err(NoticeError::Limit)?;
    let (badge, picture) = overlay::render(
        (info.width, info.height),
        info.rotation,
        plan.candidates,
        plan.position,
    )?;
    let dir = tempfile::tempdir().map_err(NoticeError::io("cannot make a temporary directory"))?;
    let overlay_path = dir.path().join("badge.png");
    picture
        .save_with_format(&overlay_path, image::ImageFormat::Png)
        .map_err(NoticeError::encode("the badge picture"))?;
    let span = plan.span.seconds().filter(|s| *s < info.duration);
    let bit_rate = info
        .bit_rate
        .unwrap_or_else(|| whole_file_rate(src, info.duration));
    let muxer = match src
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "mov" => "mov",
        _ => "mp4",
    };
    encode::run(
        &tools.ffmpeg,
        src,
        out,
        &encode::Job {
            info: &info,
            overlay: &overlay_path,
            span,
            bit_rate,
            muxer,
        },
    )?;
    let written = probe::probe(&tools.ffprobe, out)?;
    if written.rotation != info.rotation {
        return Err(NoticeError::Inconsistent(
            "ffmpeg did not keep the video's rotation flag",
        ));
    }
    Ok(VideoApplied {
        badge,
        seconds: span.unwrap_or(info.duration),
        whole: span.is_none(),
        note: format!(
            "the {} video track re-encoded by ffmpeg at the source's ~{} kbit/s; audio, \
             subtitles, chapters and tags copied unchanged",
            info.codec,
            bit_rate / 1000
        ),
    })
}

/// The file's average bitrate, when the track does not give its own.
fn whole_file_rate(src: &Path, duration: f64) -> u64 {
    let bytes = std::fs::metadata(src).map_or(0, |m| m.len());
    if duration > 0.0 {
        (bytes as f64 * 8.0 / duration) as u64
    } else {
        1_000_000
    }
}

/// `file:` + the path, so ffmpeg never reads a name as a protocol or an
/// option.
fn file_url(path: &Path) -> std::ffi::OsString {
    let mut url = std::ffi::OsString::from("file:");
    url.push(path.as_os_str());
    url
}
