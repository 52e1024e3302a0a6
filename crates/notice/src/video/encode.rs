//! The ffmpeg runs that lay the badge over the opening frames (or all of
//! them) and re-encode the video in its own codec family, copying
//! everything else: audio, subtitles, chapters, tags, the rotation flag
//! and the colour description.
//!
//! For H.264 and HEVC only the frames up to the first key frame after the
//! span are re-encoded; the rest of the track is copied as it was. The two
//! parts are joined as MPEG-TS (Annex B, each with its own parameter sets
//! in-band) and written to MP4 with the sample entry that allows parameter
//! sets in the stream (`avc3`, `hev1`), so the re-encoded head and the
//! copied tail each decode with their own. A result whose frame count
//! differs from the source's (an open GOP losing leading frames) is
//! discarded and the whole track re-encoded.
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

/// Grants the file's time budget what re-encoding `seconds` of its video
/// takes, by codec (see `tamga_media::time_budget`). The sizes are the
/// probe's, already within the decoding limits; without a frame count a
/// pessimistic 60 frames a second is assumed.
fn allow_time(info: &VideoInfo, seconds: f64) {
    use tamga_media::time_budget as tb;
    let seconds = seconds.clamp(0.0, info.duration.max(0.0));
    let frames = match info.frames {
        Some(f) if info.duration > 0.0 => (f as f64 * seconds / info.duration).ceil() as u64,
        _ => (seconds * 60.0).ceil() as u64,
    };
    let rate = match info.codec.as_str() {
        "hevc" => tb::HEVC_MS_PER_MEGAPIXEL_FRAME,
        "vp9" => tb::VP9_MS_PER_MEGAPIXEL_FRAME,
        "av1" => tb::AV1_MS_PER_MEGAPIXEL_FRAME,
        _ => tb::VIDEO_MS_PER_MEGAPIXEL_FRAME,
    };
    let pixels = u64::from(info.width) * u64::from(info.height);
    tamga_media::watchdog::allow_video(seconds.ceil() as u64, frames, pixels, rate);
}

/// The sample entry that lets parameter sets change within the track, for
/// the codecs whose tail can be copied.
fn in_band_tag(codec: &str) -> Option<&'static str> {
    match codec {
        "h264" => Some("avc3"),
        "hevc" => Some("hev1"),
        _ => None,
    }
}

/// The codecs a notice can be burnt into, for messages.
pub const CODECS: &str = "H.264, HEVC, VP9, AV1 and MPEG-4 Part 2";

/// What the encode is to do.
pub(crate) struct Job<'a> {
    pub info: &'a VideoInfo,
    pub overlay: &'a Path,
    /// Seconds from the start the badge is shown; `None` for all of it.
    pub span: Option<f64>,
    /// The first key frame at or after the span, where copying may start.
    pub cut: Option<super::probe::Cut>,
    /// The bitrate aimed at, bits per second.
    pub bit_rate: u64,
    /// ffmpeg's muxer ("mp4", "mov").
    pub muxer: &'static str,
}

/// How much of the video track was re-encoded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Reencoded {
    /// All of it.
    Whole,
    /// The first seconds; the rest was copied.
    Head(f64),
}

/// Writes `src` with the badge to `out`, copying the tail where it can;
/// `ffprobe` checks the joined result.
pub(crate) fn run(
    ffmpeg: &Tool,
    ffprobe: &Tool,
    src: &Path,
    out: &Path,
    job: &Job<'_>,
) -> Result<Reencoded, NoticeError> {
    let (name, tuning) = encoder(&job.info.codec).ok_or_else(|| {
        NoticeError::Unsupported(Unsupported::VideoCodec {
            found: job.info.codec.clone(),
        })
    })?;
    // The in-band sample entries are MP4's: WebM and Matroska re-encode
    // the whole track.
    let mp4 = matches!(job.muxer, "mp4" | "mov");
    if let (Some(cut), Some(tag), true) = (job.cut, in_band_tag(&job.info.codec), mp4) {
        allow_time(job.info, cut.at - job.info.start);
        if head_and_tail(ffmpeg, src, out, job, (name, tuning), cut, tag)? {
            let joined = super::probe::probe(ffprobe, out)?;
            if joined.frames.is_some() && joined.frames == job.info.frames {
                return Ok(Reencoded::Head(cut.at - job.info.start));
            }
        }
    }
    allow_time(job.info, job.info.duration);
    whole(ffmpeg, src, out, job, (name, tuning))?;
    Ok(Reencoded::Whole)
}

/// ffmpeg's common first arguments.
pub(super) fn ffmpeg_cmd(ffmpeg: &Tool) -> Command {
    let mut cmd = Command::new(ffmpeg.program());
    cmd.args([
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-loglevel",
        "error",
        "-y",
    ]);
    cmd
}

/// The badge over the source's first video track, re-encoded: the inputs,
/// the graph and the encoder's arguments.
fn badge_encode(cmd: &mut Command, src: &Path, job: &Job<'_>, (name, tuning): (&str, &[&str])) {
    let info = job.info;
    // The frames' own timestamps: a track that starts late has its
    // opening seconds counted from its start.
    let enable = match job.span {
        Some(s) => format!(":enable='lt(t,{:.6})'", info.start + s),
        None => String::new(),
    };
    let graph = format!("[0:v:0][1:v]overlay=0:0:format=auto{enable}[v]");
    // An average aimed at, with peaks held to 20 % above it: re-encoded at
    // about the source's size, neither bloated nor starved.
    let rate = job.bit_rate.to_string();
    let peak = (job.bit_rate.saturating_mul(6) / 5).to_string();
    let buffer = job.bit_rate.saturating_mul(2).to_string();
    // Keep the stored orientation and its flag (see overlay.rs).
    cmd.arg("-noautorotate")
        .arg("-i")
        .arg(super::file_url(src))
        .arg("-i")
        .arg(super::file_url(job.overlay))
        .args(["-filter_complex", &graph, "-map", "[v]"])
        // Every frame once, at its own time: no frame dropped or repeated
        // to make the rate constant.
        .args(["-fps_mode", "passthrough"])
        .args(["-c:v", name])
        .args(tuning)
        .args(["-b:v", &rate, "-maxrate", &peak, "-bufsize", &buffer]);
    if let Some(pix) = &info.pix_fmt {
        cmd.args(["-pix_fmt", pix]);
    }
    for (flag, value) in &info.color {
        cmd.args([*flag, value.as_str()]);
    }
}

/// The source's other streams, chapters and tags, copied; the rotation
/// flag set again (ffmpeg 5 sets it only when copying a stream).
fn carry_over(cmd: &mut Command, from: usize, info: &VideoInfo, muxer: &str, out: &Path) {
    cmd.args(["-map", &format!("{from}:a?"), "-map", &format!("{from}:s?")])
        .args(["-c:a", "copy", "-c:s", "copy"])
        .args([
            "-map_metadata",
            &from.to_string(),
            "-map_chapters",
            &from.to_string(),
        ]);
    if info.rotation != 0 {
        cmd.args(["-metadata:s:v:0", &format!("rotate={}", info.rotation)]);
    }
    cmd.args(super::output_format(muxer))
        .arg(super::file_url(out));
}

/// The whole video track re-encoded with the badge.
fn whole(
    ffmpeg: &Tool,
    src: &Path,
    out: &Path,
    job: &Job<'_>,
    encoder: (&str, &[&str]),
) -> Result<(), NoticeError> {
    let info = job.info;
    // A filter graph's output is a new stream without the rotation flag:
    // a turned video is encoded beside `out`, then copied into it with
    // the flag (the caller checks that it held).
    let encoded = match info.rotation {
        0 => out.to_path_buf(),
        _ => out.with_file_name(format!("encoded.{}", job.muxer)),
    };
    let mut cmd = ffmpeg_cmd(ffmpeg);
    badge_encode(&mut cmd, src, job, encoder);
    if let Some(tag) = &info.tag {
        cmd.args(["-tag:v", tag]);
    }
    cmd.args([
        "-map", "0:a?", "-map", "0:s?", "-c:a", "copy", "-c:s", "copy",
    ])
    .args(["-map_metadata", "0", "-map_chapters", "0"])
    .args(super::output_format(job.muxer))
    .arg(super::file_url(&encoded));
    finish(ffmpeg, cmd, &info.codec)?;
    if info.rotation != 0 {
        let mut copy = ffmpeg_cmd(ffmpeg);
        copy.arg("-i")
            .arg(super::file_url(&encoded))
            .args(["-map", "0:v", "-c:v", "copy"]);
        carry_over(&mut copy, 0, info, job.muxer, out);
        finish(ffmpeg, copy, &info.codec)?;
    }
    Ok(())
}

/// The frames before `cut` re-encoded with the badge, the rest copied, the
/// two joined. `false` when ffmpeg could not join them (the caller then
/// re-encodes the whole track).
fn head_and_tail(
    ffmpeg: &Tool,
    src: &Path,
    out: &Path,
    job: &Job<'_>,
    encoder: (&str, &[&str]),
    cut: super::probe::Cut,
    tag: &str,
) -> Result<bool, NoticeError> {
    let dir = out.parent().unwrap_or(Path::new("."));
    let (head, tail) = (dir.join("head.ts"), dir.join("tail.ts"));
    let mut cmd = ffmpeg_cmd(ffmpeg);
    badge_encode(&mut cmd, src, job, encoder);
    // Cut by frame count: `-t` loses or adds a frame when the track's
    // timestamps do not start at zero (a clip joined from others).
    cmd.args(["-an", "-sn", "-frames:v", &cut.frames_before.to_string()])
        .args(["-f", "mpegts"])
        .arg(super::file_url(&head));
    finish(ffmpeg, cmd, &job.info.codec)?;
    // Seeking lands on the key frame at or before the time: a hair past
    // the cut makes that the cut itself.
    let mut copy = ffmpeg_cmd(ffmpeg);
    copy.args(["-ss", &format!("{:.6}", cut.at + 0.001), "-i"])
        .arg(super::file_url(src))
        .args(["-map", "0:v:0", "-c", "copy", "-f", "mpegts"])
        .arg(super::file_url(&tail));
    if finish(ffmpeg, copy, &job.info.codec).is_err() {
        return Ok(false);
    }
    let list = dir.join("parts.txt");
    std::fs::write(&list, "file 'head.ts'\nfile 'tail.ts'\n")
        .map_err(NoticeError::io("cannot write ffmpeg's list of parts"))?;
    let mut join = ffmpeg_cmd(ffmpeg);
    join.current_dir(dir)
        .args(["-f", "concat", "-i", "parts.txt", "-i"])
        .arg(super::file_url(&std::path::absolute(src).map_err(
            NoticeError::io("cannot resolve the video's path"),
        )?))
        .args(["-map", "0:v", "-c:v", "copy", "-tag:v", tag]);
    carry_over(&mut join, 1, job.info, job.muxer, out);
    Ok(finish(ffmpeg, join, &job.info.codec).is_ok())
}

/// Runs one ffmpeg command to the end; its last message on failure.
pub(super) fn finish(ffmpeg: &Tool, cmd: Command, codec: &str) -> Result<(), NoticeError> {
    let needed_for = "a notice on a video needs ffmpeg (its encoders)";
    super::run_tool(ffmpeg, "ffmpeg", needed_for, cmd)?
        .map(drop)
        .map_err(|why| {
            NoticeError::encode(format!("ffmpeg could not re-encode the {codec} video"))(why)
        })
}
