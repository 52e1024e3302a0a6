//! Audio notices: GB 45438's tone pattern short-long-short-short ("AI" in
//! Morse) before and/or after the content, so far for WAV.
//!
//! The tone is synthesized at the file's own sample rate and channel count,
//! so nothing is resampled, and written in the file's own sample format;
//! its level follows the content's RMS, so the notice is as loud as what it
//! announces. The file is spliced, not rewritten: every chunk (LIST, bext,
//! cue…) and every byte of audio is copied as it was, in 1 MiB blocks, so a
//! long recording needs no more memory than a short one.

use std::io::{Read, Seek, SeekFrom, Write};

use hound::{SampleFormat, WavReader, WavSpec};

use crate::{
    notice::NoticePosition,
    riff::{self, Chunk},
};

/// Morse "AI": · −  · · — in units, tone (true) or silence (false).
const PATTERN: [(bool, u32); 7] = [
    (true, 1),  // A: dot
    (false, 1), //    gap inside the letter
    (true, 3),  //    dash
    (false, 3), // gap between letters
    (true, 1),  // I: dot
    (false, 1), //    gap
    (true, 1),  //    dot
];
/// One Morse unit: 100 ms keeps the pattern clearly audible (~1.1 s).
const UNIT_S: f64 = 0.1;
const TONE_HZ: f64 = 1000.0;
/// Silence between the notice and the content.
const GAP_S: f64 = 0.3;
/// Fade in/out of each tone, against clicks.
const FADE_S: f64 = 0.005;
/// Tone RMS bounds relative to full scale: audible under quiet content,
/// never louder than −6 dBFS RMS.
const MIN_RMS: f64 = 0.03;
const MAX_RMS: f64 = 0.5;

const BLOCK: usize = 1 << 20;

/// Writes the WAV in `src` to `out` with the tone added; returns the
/// notice's length in seconds (tone and gap, once).
pub(crate) fn apply_wav<R: Read + Seek, W: Write + Seek>(
    src: &mut R,
    out: &mut W,
    position: NoticePosition,
) -> Result<f64, String> {
    let io = |e: std::io::Error| e.to_string();
    src.seek(SeekFrom::Start(0)).map_err(io)?;
    let spec = WavReader::new(&mut *src).map_err(|e| e.to_string())?.spec();
    let bytes_per_sample = usize::from(spec.bits_per_sample).div_ceil(8);
    if !matches!(bytes_per_sample, 1..=4) {
        return Err(format!(
            "{}-bit WAV samples are not supported",
            spec.bits_per_sample
        ));
    }
    let chunks = riff::chunks(src).map_err(io)?;
    let data = chunks
        .iter()
        .find(|c| &c.id == b"data")
        .copied()
        .ok_or("the WAV has no data chunk")?;

    let channels = usize::from(spec.channels.max(1));
    let level = content_rms(src, data, spec, bytes_per_sample).map_err(io)?;
    let notice = encode(
        &tone(spec.sample_rate, channels, level.clamp(MIN_RMS, MAX_RMS)),
        spec,
    );
    let notice = to_bytes(&notice, bytes_per_sample);
    let frames = notice.len() / bytes_per_sample / channels;
    let seconds = frames as f64 / f64::from(spec.sample_rate);
    let copies = match position {
        NoticePosition::Both => 2,
        _ => 1,
    };
    let data_len = data.size + (copies * notice.len()) as u64;
    let data_len32 = u32::try_from(data_len).map_err(|_| "a WAV file cannot grow past 4 GiB")?;

    out.write_all(b"RIFF\0\0\0\0WAVE").map_err(io)?;
    let mut buf = vec![0u8; BLOCK];
    for c in &chunks {
        if c.id == *b"data" {
            out.write_all(b"data").map_err(io)?;
            out.write_all(&data_len32.to_le_bytes()).map_err(io)?;
            if matches!(position, NoticePosition::Start | NoticePosition::Both) {
                out.write_all(&notice).map_err(io)?;
            }
            copy_range(src, out, c.body, c.size, &mut buf).map_err(io)?;
            if matches!(position, NoticePosition::End | NoticePosition::Both) {
                out.write_all(&notice).map_err(io)?;
            }
            if data_len % 2 == 1 {
                out.write_all(&[0]).map_err(io)?;
            }
        } else {
            // Other chunks as they were, header and pad byte included.
            copy_range(src, out, c.header(), 8 + c.size + (c.size & 1), &mut buf).map_err(io)?;
        }
    }
    let total = out.stream_position().map_err(io)?;
    let riff = u32::try_from(total - 8).map_err(|_| "a WAV file cannot grow past 4 GiB")?;
    out.seek(SeekFrom::Start(4)).map_err(io)?;
    out.write_all(&riff.to_le_bytes()).map_err(io)?;
    out.seek(SeekFrom::End(0)).map_err(io)?;
    Ok(seconds)
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
            // A pad byte missing at the very end of the file: write it.
            out.write_all(&vec![0; left as usize])?;
            return Ok(());
        }
        out.write_all(&buf[..got])?;
        left -= got as u64;
    }
    Ok(())
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

/// The pattern, then the gap, interleaved for `channels`, in full-scale
/// fractions with the given RMS (a sine's RMS is its peak / √2).
fn tone(rate: u32, channels: usize, rms: f64) -> Vec<f64> {
    let rate = f64::from(rate);
    let peak = rms * std::f64::consts::SQRT_2;
    let fade = (FADE_S * rate).max(1.0);
    let mut out = Vec::new();
    for (on, units) in PATTERN {
        let n = (f64::from(units) * UNIT_S * rate).round() as usize;
        for i in 0..n {
            let v = if on {
                let t = i as f64 / rate;
                let env = (i as f64 / fade).min((n - i) as f64 / fade).min(1.0);
                peak * env * (2.0 * std::f64::consts::PI * TONE_HZ * t).sin()
            } else {
                0.0
            };
            out.extend(std::iter::repeat_n(v, channels));
        }
    }
    out.extend(std::iter::repeat_n(
        0.0,
        (GAP_S * rate).round() as usize * channels,
    ));
    out
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
                let secs =
                    apply_wav(&mut Cursor::new(wav(spec, &content)), &mut out, position).unwrap();
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
                assert!((secs - (11.0 * UNIT_S + GAP_S)).abs() < 0.01, "{secs}");
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
        apply_wav(&mut Cursor::new(file), &mut out, NoticePosition::Start).unwrap();
        let out = out.into_inner();
        assert!(out.ends_with(b"LIST\x05\0\0\0INFOx\0"));
        assert_eq!(
            u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
            out.len() - 8
        );
        let (_, all) = samples(&out);
        assert_eq!(&all[all.len() - 3..], &[1, -2, 3]);
    }

    #[test]
    fn the_pattern_is_short_long_short_short() {
        let rate = 8000;
        let t = tone(rate, 1, 0.2);
        // Runs of sound and silence, in Morse units.
        let mut runs: Vec<(bool, usize)> = Vec::new();
        let unit = (UNIT_S * f64::from(rate)) as usize;
        for chunk in t.chunks(unit / 4) {
            let on = chunk.iter().any(|v| v.abs() > 0.01);
            match runs.last_mut() {
                Some((o, n)) if *o == on => *n += 1,
                _ => runs.push((on, 1)),
            }
        }
        let sounds: Vec<usize> = runs.iter().filter(|r| r.0).map(|r| r.1 / 4).collect();
        assert_eq!(sounds, [1, 3, 1, 1], "{runs:?}");
    }
}
