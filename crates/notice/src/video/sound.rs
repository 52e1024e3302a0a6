//! The spoken or tone notice in a video's sound: the same notice an audio
//! file gets (the short wording in each language, or GB 45438's "AI" in
//! Morse), laid over the start and/or end of the first audio track, with
//! the soundtrack turned down under it. The audio track is re-encoded by
//! ffmpeg in its own codec at its bitrate; the video, subtitles, chapters,
//! tags and the rotation flag are copied untouched.
//!
//! It is mixed in rather than put before the content, as for audio files:
//! inserted seconds would move the sound against the pictures.

use std::{io::Write, path::Path, process::Command};

use crate::{audio::Sound, error::NoticeError, DecodeLimits, NoticePosition, Tools, Unsupported};

use super::probe;

/// The notice's level, RMS of full scale: the soundtrack is not decoded
/// to measure its own, so a clear speaking level is used.
const LEVEL: f64 = 0.1;

/// How far the soundtrack is turned down while the notice plays.
const DUCK: f64 = 0.2;

/// What was done.
#[derive(Debug, Clone, PartialEq)]
pub struct SoundApplied {
    /// Length of one notice, seconds (with its pause).
    pub seconds: f64,
    /// For the user: how the audio was re-encoded.
    pub note: String,
}

/// The encoder for an audio codec found in videos.
fn encoder(codec: &str) -> Option<&'static str> {
    Some(match codec {
        "aac" => "aac",
        "opus" => "libopus",
        "mp3" => "libmp3lame",
        "ac3" => "ac3",
        "vorbis" => "libvorbis",
        _ => return None,
    })
}

/// Writes the video at `src` with `sound` at `position` (start, end or
/// both) in its first audio track to `out`.
pub fn apply_sound(
    tools: &Tools,
    src: &Path,
    out: &Path,
    sound: &Sound,
    position: NoticePosition,
    limits: &DecodeLimits,
) -> Result<SoundApplied, NoticeError> {
    let info = probe::probe(&tools.ffprobe, src)?;
    limits
        .check(
            tamga_media::Limit::AudioSeconds,
            info.duration.ceil() as u64,
        )
        .map_err(NoticeError::Limit)?;
    // The soundtrack is decoded and re-encoded whole: audio's time.
    tamga_media::watchdog::allow_audio(info.duration.ceil() as u64);
    let audio = info.audio.clone().ok_or(NoticeError::Missing {
        whole: "video",
        part: "audio track for a spoken or tone notice",
    })?;
    let codec = encoder(&audio.codec).ok_or_else(|| {
        NoticeError::Unsupported(Unsupported::Codec {
            format: "video",
            wanted: "AAC, Opus, MP3, AC-3 or Vorbis audio in a",
            found: audio.codec.clone(),
        })
    })?;
    let channels = usize::from(audio.channels);
    // The notice then its pause at the start; the pause then the notice
    // at the end, as in an audio file.
    let placed = sound.place(audio.rate, channels, LEVEL, NoticePosition::Both)?;
    let seconds = placed.seconds;
    let dir = out.parent().unwrap_or(Path::new("."));
    let (head_path, tail_path) = (dir.join("notice-start.f32"), dir.join("notice-end.f32"));
    write_pcm(&head_path, &placed.head)?;
    write_pcm(&tail_path, &placed.tail)?;
    let (start, end) = match position {
        NoticePosition::Start => (true, false),
        NoticePosition::End => (false, true),
        _ => (true, true),
    };
    let graph = mix_graph(&info, seconds, start, end);
    let rate = audio.bit_rate.unwrap_or(128_000).to_string();
    let raw = |cmd: &mut Command, pcm: &Path| {
        cmd.args(["-f", "f32le", "-ar", &audio.rate.to_string()])
            .args(["-ac", &audio.channels.to_string(), "-i"])
            .arg(super::file_url(pcm));
    };
    let mut cmd = super::encode::ffmpeg_cmd(&tools.ffmpeg);
    cmd.arg("-noautorotate").arg("-i").arg(super::file_url(src));
    raw(&mut cmd, &head_path);
    raw(&mut cmd, &tail_path);
    cmd.args(["-filter_complex", &graph])
        .args(["-map", "0:v", "-map", "[a]", "-map", "0:s?"])
        .args(["-c:v", "copy", "-c:s", "copy", "-c:a", codec, "-b:a", &rate])
        .args(["-map_metadata", "0", "-map_chapters", "0"])
        .args(super::output_format(super::muxer(src)))
        .arg(super::file_url(out));
    super::encode::finish(&tools.ffmpeg, cmd, &audio.codec)?;
    if super::muxer(src) == "mp4" && probe::is_fragmented(src)? {
        super::refragment(&tools.ffmpeg, out)?;
    }
    Ok(SoundApplied {
        seconds,
        note: format!(
            "the video's {} audio re-encoded by ffmpeg at ~{} kbit/s with the notice mixed in \
             (the soundtrack turned down under it); pictures, subtitles, chapters and tags \
             copied unchanged",
            audio.codec,
            audio.bit_rate.unwrap_or(128_000) / 1000
        ),
    })
}

/// Interleaved samples as raw little-endian f32, ffmpeg's `f32le`.
fn write_pcm(path: &Path, samples: &[f64]) -> Result<(), NoticeError> {
    let io = NoticeError::io("cannot write the notice");
    let mut pcm = std::io::BufWriter::new(std::fs::File::create(path).map_err(&io)?);
    for v in samples {
        pcm.write_all(&(*v as f32).to_le_bytes()).map_err(&io)?;
    }
    pcm.flush().map_err(&io)
}

/// The filter graph: the soundtrack turned down while a notice plays, the
/// notice (input 1) at the start and the end's (input 2) moved there.
fn mix_graph(info: &probe::VideoInfo, seconds: f64, start: bool, end: bool) -> String {
    let from = info.start;
    let tail_at = (info.start + info.duration - seconds).max(from);
    let mut windows = Vec::new();
    if start {
        windows.push(format!("between(t,{from:.6},{:.6})", from + seconds));
    }
    if end {
        windows.push(format!("gte(t,{tail_at:.6})"));
    }
    let mut graph = format!(
        "[0:a:0]volume=volume={DUCK}:enable='{}'[bed];",
        windows.join("+")
    );
    let mut mixed = vec!["[bed]".to_string()];
    if start {
        graph.push_str(&format!(
            "[1:a]adelay=delays={}:all=1[n1];",
            (from * 1000.0).round() as u64
        ));
        mixed.push("[n1]".into());
    }
    if end {
        graph.push_str(&format!(
            "[2:a]adelay=delays={}:all=1[n2];",
            (tail_at * 1000.0).round() as u64
        ));
        mixed.push("[n2]".into());
    }
    graph.push_str(&format!(
        "{}amix=inputs={}:duration=first:dropout_transition=0:normalize=0[a]",
        mixed.concat(),
        mixed.len()
    ));
    graph
}
