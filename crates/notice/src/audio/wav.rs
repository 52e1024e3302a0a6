//! Audio notices in WAV: the file is spliced, not rewritten. The notice
//! (tone or voice, see `audio_notice`) is rendered at the file's own sample
//! rate and channel count and written in its own sample format; every chunk
//! (LIST, bext, cue…) and every byte of audio is copied as it was, in 1 MiB
//! blocks, so a long recording needs no more memory than a short one. An
//! edit of the content (tamga's watermark) goes through the data chunk
//! block by block in the same pass, written back in the file's own sample
//! format; the notice around it is not edited.

use std::io::{Read, Seek, SeekFrom, Write};

use hound::{SampleFormat, WavReader, WavSpec};

// RIFF chunks are walked by tamga-meta's walker, shared with tamga's WAV
// signer.
use tamga_meta::riff::{self, Chunk};

use crate::{
    audio::{edit::Edits, AudioPlan},
    error::NoticeError,
    DecodeLimits, Unsupported,
};

const BLOCK: usize = 1 << 20;

/// Writes the WAV in `src` to `out` as `plan` says; returns the notice's
/// length in seconds (sound and gap, once).
pub(crate) fn apply_wav<R: Read + Seek, W: Write + Seek>(
    src: &mut R,
    out: &mut W,
    plan: AudioPlan<'_>,
    limits: &DecodeLimits,
) -> Result<f64, NoticeError> {
    let io = NoticeError::io("");
    src.seek(SeekFrom::Start(0)).map_err(&io)?;
    let spec = WavReader::new(&mut *src)
        .map_err(NoticeError::decode("the WAV cannot be read"))?
        .spec();
    let bytes_per_sample = usize::from(spec.bits_per_sample).div_ceil(8);
    if !matches!(bytes_per_sample, 1..=4) {
        return Err(Unsupported::BitDepth {
            format: "WAV",
            bits: spec.bits_per_sample.into(),
            supported: "1 to 32",
        }
        .into());
    }
    let chunks = riff::chunks(src).map_err(&io)?;
    let data = chunks
        .iter()
        .find(|c| &c.id == b"data")
        .copied()
        .ok_or(NoticeError::Missing {
            whole: "WAV",
            part: "data chunk",
        })?;

    let channels = usize::from(spec.channels.max(1));
    // Spliced in blocks, so length costs no memory; the limit holds for
    // every format alike.
    let frame_bytes = (bytes_per_sample * channels) as u64;
    limits.check_audio(data.size / frame_bytes, spec.sample_rate)?;
    // The level only matters to a notice: without one, one pass.
    let level = match plan.sound {
        Some(_) => content_rms(src, data, spec, bytes_per_sample).map_err(&io)?,
        None => 0.0,
    };
    let placed = plan.place(spec.sample_rate, channels, level)?;
    let mut edits = Edits::start(plan.edit, spec.sample_rate, channels);
    let head = to_bytes(&encode(&placed.head, spec), bytes_per_sample);
    let tail = to_bytes(&encode(&placed.tail, spec), bytes_per_sample);
    let data_len = data.size + (head.len() + tail.len()) as u64;
    let data_len32 = u32::try_from(data_len).map_err(|_| too_large())?;

    out.write_all(b"RIFF\0\0\0\0WAVE").map_err(&io)?;
    let mut buf = vec![0u8; BLOCK];
    for c in &chunks {
        if c.id == *b"data" {
            out.write_all(b"data").map_err(&io)?;
            out.write_all(&data_len32.to_le_bytes()).map_err(&io)?;
            out.write_all(&head).map_err(&io)?;
            if edits.active() {
                copy_edited(src, out, *c, spec, &mut edits, &mut buf).map_err(&io)?;
            } else {
                copy_range(src, out, c.body, c.size, &mut buf).map_err(&io)?;
            }
            out.write_all(&tail).map_err(&io)?;
            if data_len % 2 == 1 {
                out.write_all(&[0]).map_err(&io)?;
            }
        } else {
            // Other chunks as they were, header and pad byte included.
            copy_range(src, out, c.header(), 8 + c.size + (c.size & 1), &mut buf).map_err(&io)?;
        }
    }
    let total = out.stream_position().map_err(&io)?;
    let riff = u32::try_from(total - 8).map_err(|_| too_large())?;
    out.seek(SeekFrom::Start(4)).map_err(&io)?;
    out.write_all(&riff.to_le_bytes()).map_err(&io)?;
    out.seek(SeekFrom::End(0)).map_err(&io)?;
    Ok(placed.seconds)
}

fn too_large() -> NoticeError {
    NoticeError::TooLarge {
        what: "a WAV file",
        limit: "4 GiB",
    }
}

fn copy_range<R: Read + Seek, W: Write>(
    src: &mut R,
    out: &mut W,
    start: u64,
    len: u64,
    buf: &mut [u8],
) -> std::io::Result<()> {
    src.seek(SeekFrom::Start(start))?;
    let mut left = len;
    while left > 0 {
        let n = (left as usize).min(buf.len());
        let got = src.read(&mut buf[..n])?;
        if got == 0 {
            // A pad byte (or a few) missing at the very end of the file:
            // written as zeros, from the buffer, so a size that claims far
            // more than the file holds allocates nothing.
            if left > buf.len() as u64 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let zeros = &mut buf[..left as usize];
            zeros.fill(0);
            out.write_all(zeros)?;
            return Ok(());
        }
        out.write_all(&buf[..got])?;
        left -= got as u64;
    }
    Ok(())
}

/// Copies the data chunk's samples through `edits`, a block at a time, in
/// the file's sample format. A chunk shorter than its header says by less
/// than a block is completed with silence (as [`copy_range`] does); bytes
/// after the last whole sample are copied as they are.
fn copy_edited<R: Read + Seek, W: Write>(
    src: &mut R,
    out: &mut W,
    data: Chunk,
    spec: WavSpec,
    edits: &mut Edits<'_>,
    buf: &mut [u8],
) -> std::io::Result<()> {
    let bytes_per_sample = usize::from(spec.bits_per_sample).div_ceil(8);
    src.seek(SeekFrom::Start(data.body))?;
    let whole = data.size - data.size % bytes_per_sample as u64;
    let block = buf.len() - buf.len() % bytes_per_sample;
    let (mut unit, mut left) = (Vec::new(), whole);
    let write = |out: &mut W, edited: &[f32]| -> std::io::Result<()> {
        let wide: Vec<f64> = edited.iter().map(|&x| f64::from(x)).collect();
        out.write_all(&to_bytes(&encode(&wide, spec), bytes_per_sample))
    };
    while left > 0 {
        let want = (left as usize).min(block);
        let got = read_full(src, &mut buf[..want])?;
        if got < want {
            if left > block as u64 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            buf[got..want].fill(0);
        }
        unit.clear();
        unit.extend(
            buf[..want]
                .chunks_exact(bytes_per_sample)
                .map(|s| to_unit(from_bytes(s), spec) as f32),
        );
        write(out, &edits.push(&unit))?;
        left -= want as u64;
    }
    write(out, &edits.finish())?;
    let rest = (data.size - whole) as usize;
    let got = read_full(src, &mut buf[..rest])?;
    buf[got..rest].fill(0);
    out.write_all(&buf[..rest])
}

/// Reads until `buf` is full or the input ends; how much was read.
fn read_full<R: Read>(src: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match src.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// RMS of the data chunk, as a fraction of full scale, read in blocks.
fn content_rms<R: Read + Seek>(
    src: &mut R,
    data: Chunk,
    spec: WavSpec,
    bytes_per_sample: usize,
) -> std::io::Result<f64> {
    src.seek(SeekFrom::Start(data.body))?;
    let mut buf = vec![0u8; BLOCK - BLOCK % (bytes_per_sample * 3)];
    let (mut sum, mut n) = (0f64, 0u64);
    let mut left = data.size;
    while left > 0 {
        let want = (left as usize).min(buf.len());
        src.read_exact(&mut buf[..want])?;
        for s in buf[..want].chunks_exact(bytes_per_sample) {
            sum += to_unit(from_bytes(s), spec).powi(2);
            n += 1;
        }
        left -= want as u64;
    }
    Ok(if n == 0 { 0.0 } else { (sum / n as f64).sqrt() })
}

/// A little-endian stored sample as hound's i32 convention: signed, and
/// floats by their bit pattern. 8-bit WAV is unsigned, offset by 128.
fn from_bytes(b: &[u8]) -> i32 {
    match *b {
        [x] => i32::from(x) - 128,
        [x, y] => i32::from(i16::from_le_bytes([x, y])),
        [x, y, z] => i32::from_le_bytes([0, x, y, z]) >> 8,
        [x, y, z, w, ..] => i32::from_le_bytes([x, y, z, w]),
        [] => 0,
    }
}

fn to_bytes(samples: &[i32], bytes_per_sample: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * bytes_per_sample);
    for &s in samples {
        match bytes_per_sample {
            1 => out.push((s + 128).clamp(0, 255) as u8),
            2 => out.extend_from_slice(&(s as i16).to_le_bytes()),
            3 => out.extend_from_slice(&s.to_le_bytes()[..3]),
            _ => out.extend_from_slice(&s.to_le_bytes()),
        }
    }
    out
}

/// A stored sample as a fraction of full scale.
fn to_unit(s: i32, spec: WavSpec) -> f64 {
    match spec.sample_format {
        SampleFormat::Float => f64::from(f32::from_bits(s as u32)),
        SampleFormat::Int => f64::from(s) / full_scale(spec),
    }
}

fn full_scale(spec: WavSpec) -> f64 {
    f64::from(1u32 << (spec.bits_per_sample.clamp(8, 32) - 1))
}

fn encode(unit: &[f64], spec: WavSpec) -> Vec<i32> {
    unit.iter()
        .map(|&v| match spec.sample_format {
            SampleFormat::Float => (v as f32).to_bits() as i32,
            SampleFormat::Int => {
                let fs = full_scale(spec);
                (v * fs).round().clamp(-fs, fs - 1.0) as i32
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use hound::WavWriter;

    use super::*;
    use crate::{audio::Sound, options::NoticePosition};

    fn wav(spec: WavSpec, samples: &[i32]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut w = WavWriter::new(&mut out, spec).unwrap();
        for &s in samples {
            match spec.sample_format {
                SampleFormat::Int => w.write_sample(s).unwrap(),
                SampleFormat::Float => w.write_sample(f32::from_bits(s as u32)).unwrap(),
            }
        }
        w.finalize().unwrap();
        out.into_inner()
    }

    fn samples(bytes: &[u8]) -> (WavSpec, Vec<i32>) {
        let r = WavReader::new(Cursor::new(bytes)).unwrap();
        let spec = r.spec();
        let v = match spec.sample_format {
            SampleFormat::Int => r.into_samples::<i32>().map(Result::unwrap).collect(),
            SampleFormat::Float => r
                .into_samples::<f32>()
                .map(|s| s.unwrap().to_bits() as i32)
                .collect(),
        };
        (spec, v)
    }

    fn rms(samples: &[i32], spec: WavSpec) -> f64 {
        let sum: f64 = samples.iter().map(|&s| to_unit(s, spec).powi(2)).sum();
        (sum / samples.len() as f64).sqrt()
    }

    #[test]
    fn the_content_follows_the_tone_bit_for_bit_in_every_sample_format() {
        for (bits, format) in [
            (16, SampleFormat::Int),
            (24, SampleFormat::Int),
            (8, SampleFormat::Int),
            (32, SampleFormat::Int),
            (32, SampleFormat::Float),
        ] {
            let spec = WavSpec {
                channels: 2,
                sample_rate: 48_000,
                bits_per_sample: bits,
                sample_format: format,
            };
            let content: Vec<i32> = (0..9600)
                .map(|i| encode(&[((i as f64) * 0.05).sin() * 0.25], spec)[0])
                .collect();
            for position in [
                NoticePosition::Start,
                NoticePosition::End,
                NoticePosition::Both,
            ] {
                let mut out = Cursor::new(Vec::new());
                let secs = apply_wav(
                    &mut Cursor::new(wav(spec, &content)),
                    &mut out,
                    crate::audio::AudioPlan {
                        sound: Some(&Sound::Tone),
                        position,
                        edit: None,
                    },
                    &DecodeLimits::default(),
                )
                .unwrap();
                let (got_spec, all) = samples(out.get_ref());
                assert_eq!(got_spec, spec);
                let per = (all.len() - content.len())
                    / if position == NoticePosition::Both {
                        2
                    } else {
                        1
                    };
                let (head, tail) = match position {
                    NoticePosition::Start => (per, 0),
                    NoticePosition::End => (0, per),
                    _ => (per, per),
                };
                assert_eq!(
                    &all[head..all.len() - tail],
                    &content[..],
                    "{bits}-bit {format:?}"
                );
                assert!(
                    (secs - (11.0 * crate::audio::UNIT_S + crate::audio::GAP_S)).abs() < 0.01,
                    "{secs}"
                );
                let notice = if head > 0 {
                    &all[..head]
                } else {
                    &all[all.len() - tail..]
                };
                let tone_rms = rms(notice, spec);
                assert!(
                    tone_rms > 0.05,
                    "{bits}-bit {format:?}: tone rms {tone_rms}"
                );
            }
        }
    }

    #[test]
    fn a_wav_longer_than_the_limit_is_refused_from_its_header() {
        let spec = WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: SampleFormat::Int,
        };
        let mut limits = DecodeLimits::default();
        limits.max_audio_seconds = 1;
        let apply = |samples: usize| {
            apply_wav(
                &mut Cursor::new(wav(spec, &vec![0; samples])),
                &mut Cursor::new(Vec::new()),
                crate::audio::AudioPlan {
                    sound: Some(&Sound::Tone),
                    position: NoticePosition::Start,
                    edit: None,
                },
                &limits,
            )
        };
        assert!(apply(8000).is_ok());
        match apply(8001) {
            Err(NoticeError::Limit(e)) => assert_eq!((e.value, e.max), (2, 1)),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn other_chunks_are_kept_and_sizes_fixed() {
        let spec = WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: SampleFormat::Int,
        };
        let mut file = wav(spec, &[1, -2, 3]);
        // A LIST chunk after the audio, with an odd size and its pad byte.
        file.extend_from_slice(b"LIST\x05\0\0\0INFOx\0");
        let riff = (file.len() - 8) as u32;
        file[4..8].copy_from_slice(&riff.to_le_bytes());
        let mut out = Cursor::new(Vec::new());
        apply_wav(
            &mut Cursor::new(file),
            &mut out,
            crate::audio::AudioPlan {
                sound: Some(&Sound::Tone),
                position: NoticePosition::Start,
                edit: None,
            },
            &DecodeLimits::default(),
        )
        .unwrap();
        let out = out.into_inner();
        assert!(out.ends_with(b"LIST\x05\0\0\0INFOx\0"));
        assert_eq!(
            u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
            out.len() - 8
        );
        let (_, all) = samples(&out);
        assert_eq!(&all[all.len() - 3..], &[1, -2, 3]);
    }

    /// Negates every sample, a few samples late.
    struct Negate(Vec<f32>);

    impl crate::audio::ContentEdit for Negate {
        fn start(&mut self, _: u32, _: usize) -> bool {
            true
        }
        fn push(&mut self, samples: &[f32]) -> Vec<f32> {
            self.0.extend(samples.iter().map(|s| -s));
            let ready = self.0.len().saturating_sub(7);
            self.0.drain(..ready).collect()
        }
        fn finish(&mut self) -> Vec<f32> {
            std::mem::take(&mut self.0)
        }
    }

    #[test]
    fn an_edit_changes_the_content_only_in_its_own_sample_format() {
        for (bits, format) in [
            (16, SampleFormat::Int),
            (24, SampleFormat::Int),
            (8, SampleFormat::Int),
            (32, SampleFormat::Float),
        ] {
            let spec = WavSpec {
                channels: 2,
                sample_rate: 8000,
                bits_per_sample: bits,
                sample_format: format,
            };
            let content: Vec<i32> = (0..3002)
                .map(|i| encode(&[((i as f64) * 0.05).sin() * 0.25], spec)[0])
                .collect();
            let mut file = wav(spec, &content);
            file.extend_from_slice(b"LIST\x04\0\0\0INFO");
            let riff = (file.len() - 8) as u32;
            file[4..8].copy_from_slice(&riff.to_le_bytes());
            let mut out = Cursor::new(Vec::new());
            let mut negate = Negate(Vec::new());
            apply_wav(
                &mut Cursor::new(file),
                &mut out,
                AudioPlan {
                    sound: Some(&Sound::Tone),
                    position: NoticePosition::End,
                    edit: Some(&mut negate),
                },
                &DecodeLimits::default(),
            )
            .unwrap();
            let out = out.into_inner();
            assert!(out.ends_with(b"LIST\x04\0\0\0INFO"));
            let (got_spec, all) = samples(&out);
            assert_eq!(got_spec, spec);
            for (i, (&got, &was)) in all.iter().zip(&content).enumerate() {
                let (got, was) = (to_unit(got, spec), to_unit(was, spec));
                // 8-bit's full scale is asymmetric by one step.
                assert!((got + was).abs() <= 1.0 / 128.0, "{bits}-bit sample {i}");
            }
            // The notice after the content is not negated: it starts with
            // the gap, then a tone that rises from zero as the original does.
            assert!(rms(&all[content.len()..], spec) > 0.01);
        }
    }
}
