//! Audio notices in M4A (AAC-LC in MP4): the stream is decoded with
//! symphonia, trimmed to what the edit list says is played (the encoder's
//! priming and padding are not content), the notice put before and/or after
//! it, and the whole re-encoded by ffmpeg's native AAC encoder at the
//! source's average bitrate, which the caller tells the user.
//!
//! Why ffmpeg, as a separate process: no maintained AAC encoder exists in
//! Rust; fdk-aac's licence is one Debian calls non-free; libxaac builds with
//! cmake and bindgen for minutes; ffmpeg's encoder is LGPL, everywhere, and
//! as a process it links nothing into tamga. It also carries over what the
//! source's container holds beside the audio (iTunes tags, cover art,
//! chapters), which tamga would otherwise re-implement. ffmpeg is found on
//! `PATH`, or at `TAMGA_FFMPEG`; without it the notice fails clearly.
//!
//! ffmpeg never sees a name taken from the input as anything but a file
//! (`file:` URLs), and writes only into a private temporary directory.
//!
//! Memory: one packet of samples at a time, streamed to ffmpeg.

use std::{
    io::{Read, Seek, SeekFrom, Write},
    path::Path,
    process::{Command, Stdio},
};

use mp4parse::{AudioCodecSpecific, SampleEntry, TrackType};

use crate::{
    audio::decode::{self, Stream},
    audio::{edit::Edits, AudioPlan, Reencoded},
    error::NoticeError,
    DecodeLimits, Unsupported,
};

/// AAC object types: 2 is Low Complexity, the only one symphonia decodes.
/// HE-AAC (5, 29) would decode as its LC core at half the rate: refused.
const AAC_LC: u16 = 2;

/// What the MP4 says about its audio track, beyond what symphonia decodes.
#[derive(Debug, Clone, PartialEq)]
struct Track {
    /// Frames to drop at the start (the encoder's priming).
    skip: u64,
    /// Frames played after those, if the edit list says.
    play: Option<u64>,
    /// Bytes of coded audio.
    bytes: u64,
}

/// Writes the M4A in `src` (at `src_path`, which ffmpeg reads for the tags
/// and cover art) to `out` as `plan` says. The content is decoded
/// twice, a packet at a time: once for its length (checked against
/// `limits` before ffmpeg starts) and loudness, once into ffmpeg.
pub(crate) fn apply<R, W>(
    ffmpeg: &crate::Tool,
    mut src: R,
    src_path: &Path,
    out: &mut W,
    plan: AudioPlan<'_>,
    limits: &DecodeLimits,
) -> Result<Reencoded, NoticeError>
where
    R: symphonia::core::io::MediaSource + 'static,
    W: Write + Seek,
{
    let io = NoticeError::io("cannot read the M4A");
    let track = read_track(&mut src)?;
    src.seek(SeekFrom::Start(0)).map_err(&io)?;
    let stream = Stream::<f32>::open(Box::new(src), "m4a", limits)?;
    // The priming and padding are near silence: the loudness is measured
    // over everything decoded, the length over what is played.
    let (pcm, mut stream) = decode::survey(stream, f64::from)?;
    let ch = pcm.channels;
    let played = pcm.frames.saturating_sub(track.skip);
    let frames = track.play.map_or(played, |p| p.min(played));
    if frames == 0 {
        return Err(NoticeError::Missing {
            whole: "M4A",
            part: "audio",
        });
    }
    let source_kbps = track.bytes as f64 * 8.0 / (frames as f64 / f64::from(pcm.rate)) / 1000.0;
    let kbps = aac_bitrate(source_kbps, ch);
    let placed = plan.place(pcm.rate, ch, pcm.rms)?;
    let mut edits = Edits::start(plan.edit, pcm.rate, ch);

    let dir = tempfile::tempdir().map_err(NoticeError::io("cannot make a temporary directory"))?;
    let encoded = dir.path().join("notice.m4a");
    let src_abs = std::path::absolute(src_path).map_err(&io)?;
    let mut child = Command::new(ffmpeg.program())
        .args(["-hide_banner", "-nostats", "-loglevel", "error", "-y"])
        .args(["-f", "f32le", "-ar", &pcm.rate.to_string()])
        .args(["-ac", &ch.to_string(), "-i", "pipe:0"])
        .arg("-i")
        .arg(file_url(&src_abs))
        // The new audio; the source's cover art, tags and chapters.
        .args(["-map", "0:a", "-map", "1:v?", "-map_metadata", "1"])
        .args(["-map_chapters", "1", "-c:v", "copy"])
        .args(["-c:a", "aac", "-b:a", &format!("{kbps}k")])
        .args(["-f", "ipod"])
        .arg(file_url(&encoded))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                NoticeError::ToolMissing {
                    tool: "ffmpeg",
                    needed_for: "re-encoding an M4A for its notice or watermark needs ffmpeg (its AAC encoder)",
                    setting: ffmpeg.setting(),
                }
            } else {
                NoticeError::io("cannot start ffmpeg")(e)
            }
        })?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or(NoticeError::Unexpected("cannot write to ffmpeg"))?;
    // ffmpeg's messages are drained from a thread while it is fed here: a
    // full stderr pipe would otherwise block ffmpeg while we block on its
    // stdin.
    let mut stderr = child
        .stderr
        .take()
        .ok_or(NoticeError::Unexpected("cannot read ffmpeg's messages"))?;
    let messages = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    // Killed if the file's time budget runs out; feeding it then stops
    // with a broken pipe.
    let child = tamga_media::child_process::watch(child);
    let fed = feed(
        &mut stdin,
        &mut stream,
        &placed,
        &mut edits,
        &track,
        frames * ch as u64,
    );
    drop(stdin);
    let status = child.wait().map_err(NoticeError::io("ffmpeg failed"))?;
    let stderr = messages
        .join()
        .map_err(|_| NoticeError::Unexpected("the ffmpeg reader panicked"))?;
    if !status.success() {
        let why = String::from_utf8_lossy(&stderr);
        let why = why.lines().last().unwrap_or("no message").trim();
        return Err(NoticeError::encode("ffmpeg could not encode the AAC")(
            why.to_string(),
        ));
    }
    fed?;
    let mut file = std::fs::File::open(&encoded).map_err(NoticeError::io("ffmpeg's output"))?;
    std::io::copy(&mut file, out).map_err(NoticeError::io("cannot write the M4A"))?;
    Ok(Reencoded {
        seconds: placed.seconds,
        note: format!(
            "M4A re-encoded to AAC-LC at {kbps} kbit/s by ffmpeg, near the source's \
             ~{source_kbps:.0} kbit/s"
        ),
    })
}

/// Writes the notice and the played part of the content (`samples`
/// interleaved samples after the priming, through `edits`) to ffmpeg as
/// f32le.
fn feed(
    stdin: &mut impl Write,
    stream: &mut Stream<f32>,
    placed: &crate::audio::Placed,
    edits: &mut Edits<'_>,
    track: &Track,
    samples: u64,
) -> Result<(), NoticeError> {
    let mut buf = Vec::with_capacity(64 << 10);
    let mut put = |part: &[f32]| -> Result<(), NoticeError> {
        for chunk in part.chunks(16 << 10) {
            buf.clear();
            for s in chunk {
                buf.extend_from_slice(&s.to_le_bytes());
            }
            stdin
                .write_all(&buf)
                .map_err(NoticeError::io("cannot write the audio to ffmpeg"))?;
        }
        Ok(())
    };
    let to_f32 = |v: &[f64]| -> Vec<f32> { v.iter().map(|&x| x as f32).collect() };
    put(&to_f32(&placed.head))?;
    let ch = stream.channels.max(1) as u64;
    let mut skip = track.skip.saturating_mul(ch);
    let mut left = samples;
    while let Some(packet) = stream.next()? {
        let n = packet.len() as u64;
        let from = skip.min(n);
        skip -= from;
        let take = (n - from).min(left);
        left -= take;
        // Both within the packet's length, itself a usize.
        put(&edits.push(&packet[from as usize..(from + take) as usize]))?;
        if left == 0 {
            break;
        }
    }
    put(&edits.finish())?;
    put(&to_f32(&placed.tail))
}

/// The ffmpeg to run.
/// `path` as an ffmpeg URL that can only mean a local file, whatever the
/// name looks like (`-x`, `concat:…`, `http:…`).
fn file_url(path: &Path) -> std::ffi::OsString {
    let mut url = std::ffi::OsString::from("file:");
    url.push(path.as_os_str());
    url
}

/// The AAC bitrate for a source of `kbps`: the source's, rounded to 8 kbit/s,
/// within what AAC-LC sensibly spans per channel.
fn aac_bitrate(kbps: f64, channels: usize) -> u32 {
    let ch = channels.max(1) as f64;
    let per = (kbps / ch).clamp(16.0, 256.0) * ch;
    ((per / 8.0).round() * 8.0).max(8.0) as u32
}

fn aac_lc_only(found: String) -> NoticeError {
    Unsupported::Codec {
        format: "M4A",
        wanted: "AAC-LC",
        found,
    }
    .into()
}

/// The first audio track's edit list and coded size; refuses what is not
/// AAC-LC.
fn read_track<R: Read + Seek>(src: &mut R) -> Result<Track, NoticeError> {
    src.seek(SeekFrom::Start(0))
        .map_err(NoticeError::io("cannot read the M4A"))?;
    let ctx = mp4parse::read_mp4(src)
        .map_err(|e| NoticeError::decode("not a readable MP4")(format!("{e:?}")))?;
    let track = ctx
        .tracks
        .iter()
        .find(|t| t.track_type == TrackType::Audio)
        .ok_or(NoticeError::Missing {
            whole: "M4A",
            part: "audio track",
        })?;
    let entry = track
        .stsd
        .as_ref()
        .and_then(|s| s.descriptions.first())
        .ok_or(NoticeError::Missing {
            whole: "M4A's audio track",
            part: "sample description",
        })?;
    let SampleEntry::Audio(audio) = entry else {
        return Err(NoticeError::Missing {
            whole: "M4A's audio track",
            part: "audio description",
        });
    };
    match &audio.codec_specific {
        AudioCodecSpecific::ES_Descriptor(es) if es.audio_object_type == Some(AAC_LC) => {}
        AudioCodecSpecific::ES_Descriptor(es) => {
            return Err(aac_lc_only(format!(
                "AAC object type {}",
                es.audio_object_type
                    .map_or("unknown".into(), |t| t.to_string())
            )))
        }
        other => return Err(aac_lc_only(codec_name(other).to_string())),
    }
    let bytes = track.stsz.as_ref().map_or(0, |s| {
        if s.sample_size > 0 {
            u64::from(s.sample_size) * track.stts.as_ref().map_or(0, sample_count)
        } else {
            s.sample_sizes.iter().map(|&n| u64::from(n)).sum()
        }
    });
    // Edit list times: media_time in the track's timescale, the played
    // duration in the movie's. Both are turned into frames at the track's
    // rate (an audio track's timescale is its sample rate, but scale anyway).
    let track_scale = track.timescale.map_or(0, |t| t.0);
    let rate = audio.samplerate.round() as u64;
    let scale = |t: u64, from: u64| -> Option<u64> {
        (from > 0).then(|| (u128::from(t) * u128::from(rate) / u128::from(from)) as u64)
    };
    let skip = track
        .media_time
        .and_then(|t| scale(t.0, track_scale))
        .unwrap_or(0);
    let play = track
        .edited_duration
        .zip(ctx.timescale)
        .and_then(|(d, s)| scale(d.0, s.0));
    Ok(Track { skip, play, bytes })
}

fn sample_count(stts: &mp4parse::TimeToSampleBox) -> u64 {
    stts.samples.iter().map(|s| u64::from(s.sample_count)).sum()
}

fn codec_name(c: &AudioCodecSpecific) -> &'static str {
    match c {
        AudioCodecSpecific::ALACSpecificBox(_) => "ALAC",
        AudioCodecSpecific::FLACSpecificBox(_) => "FLAC",
        AudioCodecSpecific::OpusSpecificBox(_) => "Opus",
        AudioCodecSpecific::MP3 => "MP3",
        AudioCodecSpecific::LPCM => "PCM",
        _ => "an unknown codec",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../samples/sample.m4a"
        ))
        .unwrap()
    }

    #[test]
    fn the_edit_list_and_size_of_the_sample_are_read() {
        let t = read_track(&mut std::io::Cursor::new(sample())).unwrap();
        // ffmpeg's AAC encoder primes 1024 frames; the sample is 3.641 s at
        // 22.05 kHz, ~64 kbit/s.
        assert_eq!(t.skip, 1024);
        let play = t.play.unwrap();
        assert!((80_200..80_300).contains(&play), "{play}");
        let kbps = t.bytes as f64 * 8.0 / (play as f64 / 22_050.0) / 1000.0;
        assert!((55.0..75.0).contains(&kbps), "{kbps}");
    }

    #[test]
    fn truncated_or_foreign_files_are_refused_not_panicked_on() {
        let s = sample();
        for n in [0, 8, 40, s.len() / 2] {
            assert!(
                read_track(&mut std::io::Cursor::new(&s[..n])).is_err(),
                "{n}"
            );
        }
        assert!(read_track(&mut std::io::Cursor::new(b"RIFF\0\0\0\0WAVE".to_vec())).is_err());
    }

    #[test]
    fn the_bitrate_follows_the_source_within_aac_lc_bounds() {
        assert_eq!(aac_bitrate(66.5, 1), 64);
        assert_eq!(aac_bitrate(131.0, 2), 128);
        assert_eq!(aac_bitrate(5.0, 2), 32);
        assert_eq!(aac_bitrate(900.0, 2), 512);
    }
}
