//! Audio notices in FLAC: the stream is decoded sample-exact with symphonia,
//! the notice put before and/or after it, and the whole re-encoded with
//! flacenc at the same rate, channel count and bit depth, so the content's
//! samples come back bit for bit. The metadata blocks other than STREAMINFO
//! and SEEKTABLE (whose frame offsets no longer hold) and PADDING are copied
//! as they were: Vorbis comments, pictures, cue sheets, application data.
//!
//! Memory: one packet and one frame of samples; the content is decoded
//! twice (its loudness sets the notice's level) and never held whole.

use std::io::{Read, Seek, SeekFrom, Write};

use flacenc::{
    bitsink::ByteSink,
    component::{BitRepr, MetadataBlockData},
    error::{Verified, Verify},
    source::{Context, Fill, FrameBuf},
};
use symphonia::core::io::MediaSource;

use crate::{
    audio::decode::{self, Stream},
    audio::{edit::Edits, AudioPlan},
    error::NoticeError,
    DecodeLimits, Unsupported,
};

const STREAMINFO: u8 = 0;
const PADDING: u8 = 1;
const SEEKTABLE: u8 = 3;

/// Writes the FLAC in `src` to `out` as `plan` says; returns the notice's
/// length in seconds (sound and gap, once). Two passes over the stream, a
/// packet at a time: one for the content's loudness and length (checked
/// against `limits`), one to re-encode it behind the notice. Without an
/// edit the content's samples come back bit for bit; an edit's output is
/// quantised back to the stream's bit depth.
pub(crate) fn apply<R, W>(
    src: R,
    out: &mut W,
    plan: AudioPlan<'_>,
    limits: &DecodeLimits,
) -> Result<f64, NoticeError>
where
    R: Read + Seek + Send + Sync + 'static,
    W: Write + Seek,
{
    let mut src = Offset::at_flac_marker(src).map_err(NoticeError::io(""))?;
    let blocks = metadata_blocks(&mut src)?;
    src.seek(SeekFrom::Start(0)).map_err(NoticeError::io(""))?;
    let stream = Stream::<i32>::open(Box::new(src), "flac", limits)?;
    let bits = stream.bits.ok_or(NoticeError::Missing {
        whole: "FLAC stream",
        part: "bits per sample",
    })?;
    if !(8..=24).contains(&bits) {
        return Err(Unsupported::BitDepth {
            format: "FLAC",
            bits,
            supported: "8 to 24",
        }
        .into());
    }
    // symphonia hands integer samples left-aligned in 32 bits.
    let shift = 32 - bits;
    let full = f64::from(1u32 << (bits - 1));
    let (survey, mut stream) = decode::survey(stream, |s| f64::from(s >> shift) / full)?;
    let placed = plan.place(survey.rate, survey.channels, survey.rms)?;
    let mut edits = Edits::start(plan.edit, survey.rate, survey.channels);
    let quantize = |v: &[f64]| -> Vec<i32> {
        v.iter()
            .map(|&x| (x * full).round().clamp(-full, full - 1.0) as i32)
            .collect()
    };
    let quantize32 = |v: &[f32], out: &mut Vec<i32>| {
        out.clear();
        out.extend(
            v.iter()
                .map(|&x| (f64::from(x) * full).round().clamp(-full, full - 1.0) as i32),
        );
    };
    let (head, tail) = (quantize(&placed.head), quantize(&placed.tail));

    let config = flacenc::config::Encoder::default()
        .into_verified()
        .map_err(|(_, e)| NoticeError::encode("FLAC encoder settings")(e.to_string()))?;
    let verify =
        |e: flacenc::error::VerifyError| NoticeError::encode("FLAC encoder")(e.to_string());
    let block = config.block_size;
    let (channels, bits) = (survey.channels, bits as usize);
    let mut stream_info =
        flacenc::component::Stream::new(survey.rate as usize, channels, bits).map_err(verify)?;
    fixed_block_sizes(&mut stream_info, block)?;
    for (kind, data) in blocks {
        stream_info.add_metadata_block(MetadataBlockData::new_unknown(kind, &data).map_err(
            |e| NoticeError::encode(format!("FLAC metadata block {kind}"))(e.to_string()),
        )?);
    }

    // Frames are written as they are encoded; the header goes in first as
    // a placeholder of its final length and is rewritten with the totals.
    let io = NoticeError::io("");
    let start = out.stream_position().map_err(&io)?;
    let header_len = header(&stream_info)?.len();
    out.write_all(&vec![0; header_len]).map_err(&io)?;
    let mut encoder = Frames {
        fill: FrameBuf::with_size(channels, block).map_err(verify)?,
        context: Context::new(bits, channels),
        config: &config,
        size: block * channels,
        pending: Vec::with_capacity(2 * block * channels),
        min_frame: usize::MAX,
        max_frame: 0,
    };
    encoder.push(&head, &stream_info, out)?;
    let (mut samples, mut unit) = (Vec::new(), Vec::new());
    while let Some(packet) = stream.next()? {
        samples.clear();
        samples.extend(packet.iter().map(|&s| s >> shift));
        if edits.active() {
            unit.clear();
            unit.extend(samples.iter().map(|&s| (f64::from(s) / full) as f32));
            quantize32(&edits.push(&unit), &mut samples);
        }
        encoder.push(&samples, &stream_info, out)?;
    }
    quantize32(&edits.finish(), &mut samples);
    encoder.push(&samples, &stream_info, out)?;
    encoder.push(&tail, &stream_info, out)?;
    encoder.finish(&stream_info, out)?;
    let info = stream_info.stream_info_mut();
    info.set_frame_sizes(encoder.min_frame.min(encoder.max_frame), encoder.max_frame)
        .map_err(verify)?;
    info.set_md5_digest(&encoder.context.md5_digest());
    info.set_total_samples(encoder.context.total_samples());
    let header = header(&stream_info)?;
    if header.len() != header_len {
        return Err(NoticeError::Unexpected(
            "the FLAC header changed length while encoding",
        ));
    }
    let end = out.stream_position().map_err(&io)?;
    out.seek(SeekFrom::Start(start)).map_err(&io)?;
    out.write_all(&header).map_err(&io)?;
    out.seek(SeekFrom::Start(end)).map_err(&io)?;
    Ok(placed.seconds)
}

/// The encoder side: samples come in packets of any length and leave as
/// fixed-size FLAC frames, so at most one frame's samples wait here.
struct Frames<'a> {
    fill: FrameBuf,
    context: Context,
    config: &'a Verified<flacenc::config::Encoder>,
    /// Interleaved samples in one frame.
    size: usize,
    pending: Vec<i32>,
    min_frame: usize,
    max_frame: usize,
}

impl Frames<'_> {
    /// Takes `samples` and writes every frame they complete.
    fn push<W: Write>(
        &mut self,
        samples: &[i32],
        stream: &flacenc::component::Stream,
        out: &mut W,
    ) -> Result<(), NoticeError> {
        let mut rest = samples;
        while !rest.is_empty() {
            let n = (self.size - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if self.pending.len() == self.size {
                self.write_frame(stream, out)?;
            }
        }
        Ok(())
    }

    /// Writes what is left, a short last frame.
    fn finish<W: Write>(
        &mut self,
        stream: &flacenc::component::Stream,
        out: &mut W,
    ) -> Result<(), NoticeError> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            self.write_frame(stream, out)
        }
    }

    fn write_frame<W: Write>(
        &mut self,
        stream: &flacenc::component::Stream,
        out: &mut W,
    ) -> Result<(), NoticeError> {
        let mut fill = (&mut self.fill, &mut self.context);
        fill.fill_interleaved(&self.pending)
            .map_err(|e| NoticeError::encode("FLAC encoder input")(e.to_string()))?;
        self.pending.clear();
        let number = self
            .context
            .current_frame_number()
            .ok_or(NoticeError::TooLarge {
                what: "a FLAC stream",
                limit: "2^31 frames",
            })?;
        let frame =
            flacenc::encode_fixed_size_frame(self.config, &self.fill, number, stream.stream_info())
                .map_err(|e| NoticeError::encode("cannot encode the FLAC")(e.to_string()))?;
        let mut sink = ByteSink::new();
        frame
            .write(&mut sink)
            .map_err(|e| NoticeError::encode("cannot write the FLAC")(e.to_string()))?;
        self.min_frame = self.min_frame.min(sink.as_slice().len());
        self.max_frame = self.max_frame.max(sink.as_slice().len());
        out.write_all(sink.as_slice()).map_err(NoticeError::io(""))
    }
}

/// "fLaC", STREAMINFO and the metadata blocks of a stream without frames.
fn header(stream: &flacenc::component::Stream) -> Result<Vec<u8>, NoticeError> {
    let mut sink = ByteSink::new();
    stream
        .write(&mut sink)
        .map_err(|e| NoticeError::encode("cannot write the FLAC header")(e.to_string()))?;
    Ok(sink.as_slice().to_vec())
}

/// flacenc counts the short last block as the minimum block size, which
/// makes the stream look variable-block; the FLAC format excludes the last
/// block, and symphonia (among others) then rejects every frame header.
fn fixed_block_sizes(
    stream: &mut flacenc::component::Stream,
    block: usize,
) -> Result<(), NoticeError> {
    stream
        .stream_info_mut()
        .set_block_sizes(block, block)
        .map_err(|e| NoticeError::encode("FLAC block sizes")(e.to_string()))
}

/// The metadata blocks to keep, as (type, body), from a stream positioned
/// at its "fLaC" marker.
pub(crate) fn metadata_blocks<R: Read + Seek>(
    src: &mut R,
) -> Result<Vec<(u8, Vec<u8>)>, NoticeError> {
    let io = NoticeError::io("cannot read the FLAC metadata");
    src.seek(SeekFrom::Start(4)).map_err(&io)?;
    let mut kept = Vec::new();
    loop {
        let mut header = [0u8; 4];
        src.read_exact(&mut header).map_err(&io)?;
        let (last, kind) = (header[0] & 0x80 != 0, header[0] & 0x7f);
        let len = u32::from_be_bytes([0, header[1], header[2], header[3]]);
        if matches!(kind, STREAMINFO | PADDING | SEEKTABLE) || kind == 127 {
            src.seek(SeekFrom::Current(i64::from(len))).map_err(&io)?;
        } else {
            let mut body = Vec::new();
            src.by_ref()
                .take(u64::from(len))
                .read_to_end(&mut body)
                .map_err(&io)?;
            if body.len() != len as usize {
                return Err(NoticeError::Inconsistent(
                    "a FLAC metadata block runs past the end of the file",
                ));
            }
            kept.push((kind, body));
        }
        if last {
            return Ok(kept);
        }
    }
}

/// A stream seen from its "fLaC" marker on: a FLAC labelled before carries
/// its C2PA manifest in an ID3v2 tag in front, which the FLAC reader does
/// not expect (and which the new label replaces).
struct Offset<R> {
    inner: R,
    start: u64,
}

impl<R: Read + Seek> Offset<R> {
    fn at_flac_marker(mut inner: R) -> std::io::Result<Self> {
        inner.seek(SeekFrom::Start(0))?;
        let mut head = [0u8; 10];
        inner.read_exact(&mut head)?;
        let start = if &head[..3] == b"ID3" {
            // Synchsafe size, plus the header and an optional footer.
            let size = head[6..10]
                .iter()
                .fold(0u64, |n, b| (n << 7) | u64::from(b & 0x7f));
            10 + size + if head[5] & 0x10 != 0 { 10 } else { 0 }
        } else {
            0
        };
        inner.seek(SeekFrom::Start(start))?;
        let mut marker = [0u8; 4];
        inner.read_exact(&mut marker)?;
        if &marker != b"fLaC" {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not a FLAC stream",
            ));
        }
        inner.seek(SeekFrom::Start(start))?;
        Ok(Self { inner, start })
    }
}

impl<R: Read> Read for Offset<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: Seek> Seek for Offset<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let to = match pos {
            SeekFrom::Start(n) => SeekFrom::Start(self.start + n),
            other => other,
        };
        let at = self.inner.seek(to)?;
        at.checked_sub(self.start).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "seek before the FLAC stream",
            )
        })
    }
}

impl<R: Read + Seek + Send + Sync> MediaSource for Offset<R> {
    fn is_seekable(&self) -> bool {
        true
    }
    fn byte_len(&self) -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::{audio::Sound, options::NoticePosition};

    /// A FLAC of `samples` (16-bit stereo, 8 kHz) with an APPLICATION block.
    fn flac(samples: &[i32]) -> Vec<u8> {
        let config = flacenc::config::Encoder::default().into_verified().unwrap();
        let src = flacenc::source::MemSource::from_samples(samples, 2, 16, 8000);
        let mut stream = flacenc::encode_with_fixed_block_size(&config, src, 1024).unwrap();
        fixed_block_sizes(&mut stream, 1024).unwrap();
        stream.add_metadata_block(MetadataBlockData::new_unknown(2, b"tstXvorbis!").unwrap());
        let mut sink = ByteSink::new();
        stream.write(&mut sink).unwrap();
        sink.as_slice().to_vec()
    }

    fn decode(bytes: Vec<u8>) -> Vec<i32> {
        decode::decode::<i32>(Box::new(Cursor::new(bytes)), "flac")
            .unwrap()
            .samples
            .into_iter()
            .map(|s| s >> 16)
            .collect()
    }

    #[test]
    fn the_content_follows_bit_for_bit_and_metadata_is_kept() {
        let content: Vec<i32> = (0..20_000)
            .map(|i| ((f64::from(i) * 0.01).sin() * 8000.0) as i32)
            .collect();
        for position in [
            NoticePosition::Start,
            NoticePosition::End,
            NoticePosition::Both,
        ] {
            let mut out = Cursor::new(Vec::new());
            let secs = apply(
                Cursor::new(flac(&content)),
                &mut out,
                crate::audio::AudioPlan {
                    sound: Some(&Sound::Tone),
                    position,
                    edit: None,
                },
                &DecodeLimits::default(),
            )
            .unwrap();
            assert!(
                out.get_ref().windows(7).any(|w| w == b"vorbis!"),
                "{position:?}"
            );
            let all = decode(out.into_inner());
            let per = (all.len() - content.len())
                / if position == NoticePosition::Both {
                    2
                } else {
                    1
                };
            assert_eq!(per, (secs * 8000.0).round() as usize * 2, "{position:?}");
            let (head, tail) = match position {
                NoticePosition::Start => (per, 0),
                NoticePosition::End => (0, per),
                _ => (per, per),
            };
            assert_eq!(&all[head..all.len() - tail], &content[..], "{position:?}");
        }
    }

    #[test]
    fn speech_goes_into_24_bit_48_khz_stereo_and_the_content_stays_exact() {
        let content: Vec<i32> = (0..96_000)
            .map(|i| ((f64::from(i) * 0.02).sin() * 3_000_000.0) as i32)
            .collect();
        let config = flacenc::config::Encoder::default().into_verified().unwrap();
        let src = flacenc::source::MemSource::from_samples(&content, 2, 24, 48_000);
        let mut stream = flacenc::encode_with_fixed_block_size(&config, src, 4096).unwrap();
        fixed_block_sizes(&mut stream, 4096).unwrap();
        let mut sink = ByteSink::new();
        stream.write(&mut sink).unwrap();
        let voice = Sound::Voice {
            langs: vec![crate::Lang::Zh],
            ai: crate::Wording::Generated,
        };
        let mut out = Cursor::new(Vec::new());
        let secs = apply(
            Cursor::new(sink.as_slice().to_vec()),
            &mut out,
            crate::audio::AudioPlan {
                sound: Some(&voice),
                position: NoticePosition::End,
                edit: None,
            },
            &DecodeLimits::default(),
        )
        .unwrap();
        let out = out.into_inner();
        let stream = Stream::<i32>::open(
            Box::new(Cursor::new(out.clone())),
            "flac",
            &DecodeLimits::default(),
        )
        .unwrap();
        assert_eq!(stream.bits, Some(24));
        let pcm = decode::decode::<i32>(Box::new(Cursor::new(out)), "flac").unwrap();
        assert_eq!((pcm.rate, pcm.channels), (48_000, 2));
        let all: Vec<i32> = pcm.samples.iter().map(|s| s >> 8).collect();
        assert_eq!(&all[..content.len()], &content[..]);
        let tail = &all[content.len()..];
        assert_eq!(tail.len(), (secs * 48_000.0).round() as usize * 2);
        assert!(
            tail.iter().any(|s| s.unsigned_abs() > 1 << 20),
            "speech is heard"
        );
    }

    #[test]
    fn a_leading_id3_tag_is_skipped_and_dropped() {
        let content = vec![5i32; 4000];
        let mut file = b"ID3\x04\0\0\0\0\0\x05hello".to_vec();
        file.extend(flac(&content));
        let mut out = Cursor::new(Vec::new());
        apply(
            Cursor::new(file),
            &mut out,
            crate::audio::AudioPlan {
                sound: Some(&Sound::Tone),
                position: NoticePosition::End,
                edit: None,
            },
            &DecodeLimits::default(),
        )
        .unwrap();
        let out = out.into_inner();
        assert!(out.starts_with(b"fLaC"));
        assert_eq!(&decode(out)[..4000], &content[..]);
    }
}
