//! Audio notices in MP3: the stream is decoded with symphonia (encoder delay
//! and padding trimmed), the notice put before and/or after it, and the whole
//! re-encoded with LAME at the source's sample rate and channel count, at the
//! standard constant bitrate nearest the source's average, which the caller
//! tells the user. MP3 is lossy, so the content comes back close to, not
//! equal to, what it was. The ID3v2 tag in front and the ID3v1 tag at the end
//! are copied as they were.
//!
//! Memory: one chunk of samples; the content is decoded twice (its length
//! sets the bitrate, its loudness the notice's level) and never held whole.

use std::io::{Read, Seek, SeekFrom, Write};

use mp3lame_encoder::{Bitrate, Builder, FlushGap, InterleavedPcm, Mode, MonoPcm, Quality};

use crate::{
    audio::decode::{self, Stream},
    audio::{edit::Edits, AudioPlan, Reencoded},
    error::NoticeError,
    DecodeLimits, Unsupported,
};

/// LAME's constant bitrates, kbit/s.
const BITRATES: [(u32, Bitrate); 16] = [
    (8, Bitrate::Kbps8),
    (16, Bitrate::Kbps16),
    (24, Bitrate::Kbps24),
    (32, Bitrate::Kbps32),
    (40, Bitrate::Kbps40),
    (48, Bitrate::Kbps48),
    (64, Bitrate::Kbps64),
    (80, Bitrate::Kbps80),
    (96, Bitrate::Kbps96),
    (112, Bitrate::Kbps112),
    (128, Bitrate::Kbps128),
    (160, Bitrate::Kbps160),
    (192, Bitrate::Kbps192),
    (224, Bitrate::Kbps224),
    (256, Bitrate::Kbps256),
    (320, Bitrate::Kbps320),
];

/// Frames handed to LAME at a time.
const CHUNK: usize = 1152 * 32;

/// Writes the MP3 in `src` to `out` as `plan` says.
pub(crate) fn apply<R, W>(
    mut src: R,
    out: &mut W,
    plan: AudioPlan<'_>,
    limits: &DecodeLimits,
) -> Result<Reencoded, NoticeError>
where
    R: symphonia::core::io::MediaSource + 'static,
    W: Write + Seek,
{
    let io = NoticeError::io("cannot read the MP3");
    let file_len = src.seek(SeekFrom::End(0)).map_err(&io)?;
    let id3v2 = read_id3v2(&mut src).map_err(&io)?;
    let id3v1 = read_id3v1(&mut src, file_len).map_err(&io)?;
    src.seek(SeekFrom::Start(0)).map_err(&io)?;
    let stream = Stream::<f32>::open(Box::new(src), "mp3", limits)?;
    let (pcm, mut stream) = decode::survey(stream, f64::from)?;
    if pcm.channels > 2 {
        return Err(Unsupported::Channels {
            format: "an MP3",
            channels: pcm.channels,
        }
        .into());
    }
    let frames = pcm.frames;
    if frames == 0 {
        return Err(NoticeError::Missing {
            whole: "MP3",
            part: "audio",
        });
    }
    let audio_bytes = file_len.saturating_sub((id3v2.len() + id3v1.len()) as u64);
    let source_kbps = audio_bytes as f64 * 8.0 / (frames as f64 / f64::from(pcm.rate)) / 1000.0;
    let (kbps, bitrate) = nearest_bitrate(source_kbps, pcm.rate);

    let placed = plan.place(pcm.rate, pcm.channels, pcm.rms)?;
    let mut edits = Edits::start(plan.edit, pcm.rate, pcm.channels);
    let to_f32 = |v: &[f64]| -> Vec<f32> { v.iter().map(|&x| x as f32).collect() };
    let (head, tail) = (to_f32(&placed.head), to_f32(&placed.tail));

    let build =
        |e: mp3lame_encoder::BuildError| NoticeError::encode("MP3 encoder settings")(e.to_string());
    let mut encoder = Builder::new()
        .ok_or(NoticeError::Unexpected("cannot start the MP3 encoder"))?
        .with_num_channels(pcm.channels as u8)
        .map_err(build)?
        .with_sample_rate(pcm.rate)
        .map_err(build)?
        .with_brate(bitrate)
        .map_err(build)?
        .with_mode(if pcm.channels == 1 {
            Mode::Mono
        } else {
            Mode::JointStereo
        })
        .map_err(build)?
        .with_quality(Quality::NearBest)
        .map_err(build)?
        // The Info tag carries the encoder delay and padding, so decoders
        // play exactly the samples given (gapless), notice and content.
        .with_to_write_vbr_tag(true)
        .map_err(build)?
        .build()
        .map_err(build)?;
    let enc = |e: mp3lame_encoder::EncodeError| {
        NoticeError::encode("cannot encode the MP3")(e.to_string())
    };
    // Written as it is encoded: only one chunk of MP3 is held at a time.
    let write = NoticeError::io("");
    let start = out.stream_position().map_err(&write)?;
    out.write_all(&id3v2).map_err(&write)?;
    let mut mp3 = Vec::new();
    let mut encode = |chunk: &[f32], out: &mut W| -> Result<(), NoticeError> {
        mp3.clear();
        mp3.reserve(mp3lame_encoder::max_required_buffer_size(chunk.len()));
        if pcm.channels == 1 {
            encoder.encode_to_vec(MonoPcm(chunk), &mut mp3)
        } else {
            encoder.encode_to_vec(InterleavedPcm(chunk), &mut mp3)
        }
        .map_err(enc)?;
        out.write_all(&mp3).map_err(&write)
    };
    let size = CHUNK * pcm.channels;
    for chunk in head.chunks(size) {
        encode(chunk, out)?;
    }
    // Packets are gathered into chunks: LAME works best on long runs.
    let mut pending = Vec::with_capacity(size);
    while let Some(packet) = stream.next()? {
        pending.extend_from_slice(&edits.push(packet));
        if pending.len() >= size {
            encode(&pending, out)?;
            pending.clear();
        }
    }
    pending.extend(edits.finish());
    if !pending.is_empty() {
        encode(&pending, out)?;
    }
    for chunk in tail.chunks(size) {
        encode(chunk, out)?;
    }
    let mut mp3 = Vec::with_capacity(mp3lame_encoder::max_required_buffer_size(0).max(7200));
    encoder.flush_to_vec::<FlushGap>(&mut mp3).map_err(enc)?;
    out.write_all(&mp3).map_err(&write)?;
    out.write_all(&id3v1).map_err(&write)?;
    // LAME reserves the first frame for the Info tag; fill it in now that
    // the totals are known.
    let mut tag = Vec::with_capacity(encoder.lame_tag_size());
    if encoder.lame_tag_encode_to_vec(&mut tag).is_some() {
        let end = out.stream_position().map_err(&write)?;
        out.seek(SeekFrom::Start(start + id3v2.len() as u64))
            .map_err(&write)?;
        out.write_all(&tag).map_err(&write)?;
        out.seek(SeekFrom::Start(end)).map_err(&write)?;
    }
    Ok(Reencoded {
        seconds: placed.seconds,
        note: format!(
            "MP3 re-encoded at {kbps} kbit/s CBR, the nearest standard rate to the source's \
             ~{source_kbps:.0} kbit/s"
        ),
    })
}

/// The constant bitrate nearest `kbps` that MPEG allows at `rate`: MPEG-1
/// (32 kHz and up) starts at 32 kbit/s, MPEG-2/2.5 stops at 160.
fn nearest_bitrate(kbps: f64, rate: u32) -> (u32, Bitrate) {
    let allowed = |k: u32| if rate >= 32_000 { k >= 32 } else { k <= 160 };
    let mut best = (64, Bitrate::Kbps64);
    let mut best_diff = f64::INFINITY;
    for (k, b) in BITRATES {
        let diff = (f64::from(k) - kbps).abs();
        if allowed(k) && diff < best_diff {
            best = (k, b);
            best_diff = diff;
        }
    }
    best
}

/// The ID3v2 tag at the start, whole, or nothing.
fn read_id3v2<R: Read + Seek>(src: &mut R) -> std::io::Result<Vec<u8>> {
    src.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 10];
    if src.read_exact(&mut head).is_err() || &head[..3] != b"ID3" {
        return Ok(Vec::new());
    }
    // Synchsafe size, plus the header and an optional footer.
    let size = head[6..10]
        .iter()
        .fold(0u64, |n, b| (n << 7) | u64::from(b & 0x7f));
    let len = 10 + size + if head[5] & 0x10 != 0 { 10 } else { 0 };
    src.seek(SeekFrom::Start(0))?;
    let mut tag = Vec::new();
    src.take(len).read_to_end(&mut tag)?;
    Ok(tag)
}

/// The 128-byte ID3v1 tag at the end, or nothing.
fn read_id3v1<R: Read + Seek>(src: &mut R, len: u64) -> std::io::Result<Vec<u8>> {
    if len < 128 {
        return Ok(Vec::new());
    }
    src.seek(SeekFrom::Start(len - 128))?;
    let mut tag = vec![0u8; 128];
    src.read_exact(&mut tag)?;
    Ok(if tag.starts_with(b"TAG") {
        tag
    } else {
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{audio::Sound, options::NoticePosition};

    /// A stereo 44.1 kHz MP3 of a second of two tones, at 128 kbit/s.
    fn mp3() -> Vec<u8> {
        let mut e = Builder::new()
            .unwrap()
            .with_num_channels(2)
            .unwrap()
            .with_sample_rate(44_100)
            .unwrap()
            .with_brate(Bitrate::Kbps128)
            .unwrap()
            .with_to_write_vbr_tag(true)
            .unwrap()
            .build()
            .unwrap();
        let pcm: Vec<f32> = (0..44_100)
            .flat_map(|i| {
                let t = i as f32 / 44_100.0;
                [(t * 2765.0).sin() * 0.3, (t * 3456.0).sin() * 0.3]
            })
            .collect();
        let mut out =
            Vec::with_capacity(mp3lame_encoder::max_required_buffer_size(pcm.len()) + 7200);
        e.encode_to_vec(InterleavedPcm(&pcm[..]), &mut out).unwrap();
        e.flush_to_vec::<FlushGap>(&mut out).unwrap();
        let mut tag = Vec::with_capacity(e.lame_tag_size());
        e.lame_tag_encode_to_vec(&mut tag);
        out[..tag.len()].copy_from_slice(&tag);
        let mut file = b"ID3\x03\0\0\0\0\0\x0bTIT2\0\0\0\x01\0\0\0".to_vec();
        file.extend(out);
        file
    }

    #[test]
    fn stereo_keeps_rate_channels_tags_and_a_bitrate_near_the_source() {
        let src = mp3();
        let mut out = std::io::Cursor::new(Vec::new());
        let voice = Sound::Voice {
            langs: vec![crate::Lang::En],
            ai: crate::Wording::Generated,
        };
        let done = apply(
            std::io::Cursor::new(src.clone()),
            &mut out,
            crate::audio::AudioPlan {
                sound: Some(&voice),
                position: NoticePosition::Start,
                edit: None,
            },
            &DecodeLimits::default(),
        )
        .unwrap();
        let out = out.into_inner();
        assert!(out.starts_with(&src[..21]), "the ID3v2 tag is kept");
        assert!(done.note.contains("at 128 kbit/s"), "{}", done.note);
        let pcm = decode::decode::<f32>(Box::new(std::io::Cursor::new(out)), "mp3").unwrap();
        assert_eq!((pcm.rate, pcm.channels), (44_100, 2));
        let secs = pcm.samples.len() as f64 / 2.0 / 44_100.0;
        assert!(
            (secs - 1.0 - done.seconds).abs() < 0.03,
            "{secs} {}",
            done.seconds
        );
    }

    #[test]
    fn the_bitrate_is_the_nearest_standard_one_mpeg_allows() {
        assert_eq!(nearest_bitrate(64.3, 22_050).0, 64);
        assert_eq!(nearest_bitrate(131.0, 44_100).0, 128);
        assert_eq!(nearest_bitrate(20.0, 44_100).0, 32);
        assert_eq!(nearest_bitrate(300.0, 16_000).0, 160);
    }
}
