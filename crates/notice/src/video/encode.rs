//! The ffmpeg run that lays the badge over the opening frames (or all of
//! them) and re-encodes the video track in its own codec family, copying
//! everything else: audio, subtitles, chapters, tags, the rotation flag
//! and the colour description.
//!
//! ffmpeg never sees a name taken from the input as anything but a file
//! (`file:` URLs), and writes only into the caller's private directory.

use std::{path::Path, process::Command};

use crate::{error::NoticeError, Tool, Unsupported};

use super::probe::VideoInfo;

/// The encoder for a codec, and the arguments that make it aim at a
/// bitrate.
fn encoder(codec: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match codec {
        "h264" => ("libx264", &["-preset", "fast"]),
        "hevc" => (
            "libx265",
            &["-preset", "fast", "-x265-params", "log-level=error"],
        ),
        "vp9" => (
            "libvpx-vp9",
            &["-deadline", "good", "-cpu-used", "4", "-row-mt", "1"],
        ),
        "av1" => ("libaom-av1", &["-cpu-used", "6", "-row-mt", "1"]),
        "mpeg4" => ("mpeg4", &[]),
        _ => return None,
    })
}

/// The codecs a notice can be burnt into, for messages.
pub const CODECS: &str = "H.264, HEVC, VP9, AV1 and MPEG-4 Part 2";

/// What the encode is to do.
pub(crate) struct Job<'a> {
    pub info: &'a VideoInfo,
    pub overlay: &'a Path,
    /// Seconds from the start the badge is shown; `None` for all of it.
    pub span: Option<f64>,
    /// The bitrate aimed at, bits per second.
    pub bit_rate: u64,
    /// ffmpeg's muxer ("mp4", "mov").
    pub muxer: &'static str,
}

/// Runs ffmpeg from `src` to `out`.
pub(crate) fn run(ffmpeg: &Tool, src: &Path, out: &Path, job: &Job<'_>) -> Result<(), NoticeError> {
    let info = job.info;
    let (name, tuning) = encoder(&info.codec).ok_or_else(|| {
        NoticeError::Unsupported(Unsupported::VideoCodec {
            found: info.codec.clone(),
        })
    })?;
    // The frames' own timestamps: a track that starts late has its
    // opening seconds counted from its start.
    let enable = match job.span {
        Some(s) => format!(":enable='lt(t,{:.6})'", info.start + s),
        None => String::new(),
    };
    let graph = format!("[0:v:0][1:v]overlay=0:0:format=auto{enable}[v]");
    let rate = job.bit_rate.to_string();
    // An average aimed at, with peaks held to 20 % above it: re-encoded at
    // about the source's size, neither bloated nor starved.
    let peak = (job.bit_rate.saturating_mul(6) / 5).to_string();
    let buffer = job.bit_rate.saturating_mul(2).to_string();
    let mut cmd = Command::new(ffmpeg.program());
    cmd.args([
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-loglevel",
        "error",
        "-y",
    ])
    // Keep the stored orientation and its flag (see overlay.rs).
    .arg("-noautorotate")
    .arg("-i")
    .arg(super::file_url(src))
    .arg("-i")
    .arg(super::file_url(job.overlay))
    .args(["-filter_complex", &graph, "-map", "[v]"])
    // Everything else as it was: audio, subtitles, chapters, tags.
    .args([
        "-map", "0:a?", "-map", "0:s?", "-c:a", "copy", "-c:s", "copy",
    ])
    .args(["-map_metadata", "0", "-map_chapters", "0"])
    .args(["-c:v", name])
    .args(tuning)
    .args(["-b:v", &rate, "-maxrate", &peak, "-bufsize", &buffer]);
    if let Some(pix) = &info.pix_fmt {
        cmd.args(["-pix_fmt", pix]);
    }
    for (flag, value) in &info.color {
        cmd.args([*flag, value.as_str()]);
    }
    if let Some(tag) = &info.tag {
        cmd.args(["-tag:v", tag]);
    }
    // A filter graph's output is a new stream without the source's rotation
    // flag, and ffmpeg 5 sets one only when copying: a turned video is
    // encoded beside `out`, then copied into it with the flag (the caller
    // checks that it held).
    let encoded = match info.rotation {
        0 => out.to_path_buf(),
        _ => out.with_file_name(format!("encoded.{}", job.muxer)),
    };
    cmd.args(["-movflags", "+use_metadata_tags", "-f", job.muxer])
        .arg(super::file_url(&encoded));
    ffmpeg_run(ffmpeg, cmd, &info.codec)?;
    if info.rotation != 0 {
        let mut copy = Command::new(ffmpeg.program());
        copy.args([
            "-hide_banner",
            "-nostdin",
            "-nostats",
            "-loglevel",
            "error",
            "-y",
            "-i",
        ])
        .arg(super::file_url(&encoded))
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
        .args(["-metadata:s:v:0", &format!("rotate={}", info.rotation)])
        .args(["-movflags", "+use_metadata_tags", "-f", job.muxer])
        .arg(super::file_url(out));
        ffmpeg_run(ffmpeg, copy, &info.codec)?;
    }
    Ok(())
}

/// Runs one ffmpeg command to the end; its last message on failure.
fn ffmpeg_run(ffmpeg: &Tool, mut cmd: Command, codec: &str) -> Result<(), NoticeError> {
    let output = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            NoticeError::ToolMissing {
                tool: "ffmpeg",
                needed_for: "a notice on a video needs ffmpeg (its encoders)",
                setting: ffmpeg.setting(),
            }
        } else {
            NoticeError::io("cannot start ffmpeg")(e)
        }
    })?;
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        let why = why
            .lines()
            .last()
            .unwrap_or("no message")
            .trim()
            .to_string();
        return Err(NoticeError::encode(format!(
            "ffmpeg could not re-encode the {codec} video"
        ))(why));
    }
    Ok(())
}
