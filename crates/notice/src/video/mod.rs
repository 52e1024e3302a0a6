//! The visible notice on a video: the badge (same wording, size rules and
//! fonts as on images) burnt into the opening frames for a span (GB 45438:
//! at least 2 s at the start) or into every frame (the EU Code of
//! Practice's advice for deep fakes), in the corner asked for.
//!
//! ffmpeg does the decoding and encoding as a separate process (on `PATH`,
//! or where the caller says), as for M4A: nothing is linked in. The video
//! track is re-encoded in its own codec family at the source's bitrate;
//! audio, subtitles, chapters, tags, the rotation flag and the colour
//! description are copied untouched. For H.264 and HEVC only the frames up
//! to the first key frame after the span are re-encoded and the rest of
//! the track is copied as it was (see encode.rs); other codecs, and a
//! badge on every frame, re-encode the whole track.
//!
//! Memory: ffmpeg streams the file; tamga holds the badge picture only.

mod encode;
mod overlay;
mod poster;
mod probe;
mod sound;

pub use encode::CODECS;
pub use poster::poster;
pub use sound::{apply_sound, SoundApplied};

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
    /// Seconds of the video track that were re-encoded, when the rest was
    /// copied unchanged; `None` when all of it was re-encoded.
    pub reencoded_seconds: Option<f64>,
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
    // Where copying may start: the first key frame the badge's span
    // reaches, if there is one before the end.
    let cut = match span {
        Some(s) => probe::key_frame_from(&tools.ffprobe, src, info.start + s)?
            .filter(|k| k.at < info.start + info.duration - 0.01),
        None => None,
    };
    let bit_rate = info
        .bit_rate
        .unwrap_or_else(|| whole_file_rate(src, info.duration));
    let muxer = muxer(src);
    let reencoded = encode::run(
        &tools.ffmpeg,
        &tools.ffprobe,
        src,
        out,
        &encode::Job {
            info: &info,
            overlay: &overlay_path,
            span,
            cut,
            bit_rate,
            muxer,
        },
    )?;
    if muxer == "mp4" && probe::is_fragmented(src)? {
        refragment(&tools.ffmpeg, out)?;
    }
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
        reencoded_seconds: match reencoded {
            encode::Reencoded::Head(s) => Some(s),
            encode::Reencoded::Whole => None,
        },
        note: match reencoded {
            encode::Reencoded::Head(s) => format!(
                "the first {s:.2} s of the {} video (to the first key frame after the notice) \
                 re-encoded by ffmpeg at the source's ~{} kbit/s, the rest copied unchanged; \
                 audio, subtitles, chapters and tags copied unchanged",
                info.codec,
                bit_rate / 1000
            ),
            encode::Reencoded::Whole => format!(
                "the {} video track re-encoded by ffmpeg at the source's ~{} kbit/s{}; audio, \
                 subtitles, chapters and tags copied unchanged",
                info.codec,
                bit_rate / 1000,
                if span.is_some() {
                    " (its frames after the notice could not be copied: no key frame to cut at, \
                     an open GOP, or a codec or container whose stream cannot change \
                     settings midway)"
                } else {
                    ""
                }
            ),
        },
    })
}

/// Writes `out` again as a fragmented MP4 (stream copy), as its source was:
/// a live or DASH pipeline expects fragments.
fn refragment(ffmpeg: &crate::Tool, out: &Path) -> Result<(), NoticeError> {
    let whole = out.with_file_name("unfragmented.mp4");
    std::fs::rename(out, &whole).map_err(NoticeError::io("cannot move ffmpeg's output"))?;
    let mut cmd = encode::ffmpeg_cmd(ffmpeg);
    cmd.arg("-i")
        .arg(file_url(&whole))
        .args([
            "-map",
            "0",
            "-c",
            "copy",
            "-map_metadata",
            "0",
            "-map_chapters",
            "0",
        ])
        .args([
            "-movflags",
            "+frag_keyframe+empty_moov+use_metadata_tags",
            "-f",
            "mp4",
        ])
        .arg(file_url(out));
    encode::finish(ffmpeg, cmd, "fragmented")
}

/// ffmpeg's muxer for the source's container, by its extension.
fn muxer(src: &Path) -> &'static str {
    match src
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "mov" => "mov",
        Some(e) if e == "webm" => "webm",
        Some(e) if e == "mkv" => "matroska",
        _ => "mp4",
    }
}

/// The muxer's arguments before the output: the container format, and
/// for MP4/QuickTime the flag that keeps custom tags.
fn output_format(muxer: &str) -> Vec<&str> {
    match muxer {
        "mp4" | "mov" => vec!["-movflags", "+use_metadata_tags", "-f", muxer],
        other => vec!["-f", other],
    }
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

/// Runs `cmd` (the program `tool`, called `name`) to the end: what it
/// wrote, or (inner `Err`) the last line it said when it failed. Not
/// finding the program says what it is `needed_for`.
fn run_tool(
    tool: &crate::Tool,
    name: &'static str,
    needed_for: &'static str,
    mut cmd: std::process::Command,
) -> Result<Result<Vec<u8>, String>, NoticeError> {
    // Killed if the file's time budget runs out while it works.
    let output = tamga_media::child_process::output(&mut cmd).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            NoticeError::ToolMissing {
                tool: name,
                needed_for,
                setting: tool.setting(),
            }
        } else {
            NoticeError::io("cannot start ffmpeg or ffprobe")(e)
        }
    })?;
    if output.status.success() {
        return Ok(Ok(output.stdout));
    }
    let said = String::from_utf8_lossy(&output.stderr);
    Ok(Err(said
        .lines()
        .last()
        .unwrap_or("no message")
        .trim()
        .to_string()))
}

/// `file:` + the path, so ffmpeg never reads a name as a protocol or an
/// option.
fn file_url(path: &Path) -> std::ffi::OsString {
    let mut url = std::ffi::OsString::from("file:");
    url.push(path.as_os_str());
    url
}
