//! Audio notices: GB 45438's tone pattern short-long-short-short ("AI" in
//! Morse) before and/or after the content, so far for WAV.
//!
//! The tone is synthesized at the file's own sample rate and channel count,
//! so nothing is resampled, and written in the file's own sample format;
//! the original samples are copied through bit for bit. Its level follows
//! the content's RMS, so the notice is as loud as what it announces.

use std::io::Cursor;

use hound::{SampleFormat, WavReader, WavSpec, WavWriter};

use crate::notice::NoticePosition;

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

/// The WAV in `input` with the tone added; returns the new file and the
/// notice's length in seconds (tone and gap, once).
pub(crate) fn apply_wav(input: &[u8], position: NoticePosition) -> Result<(Vec<u8>, f64), String> {
    let reader = WavReader::new(Cursor::new(input)).map_err(|e| e.to_string())?;
    let spec = reader.spec();
    let content = read_samples(reader)?;
    let channels = usize::from(spec.channels.max(1));
    let rms = rms(&content, spec);
    let notice = tone(spec.sample_rate, channels, rms.clamp(MIN_RMS, MAX_RMS));
    let notice = encode(&notice, spec);
    let seconds = notice.len() as f64 / channels as f64 / f64::from(spec.sample_rate);

    let mut out = Cursor::new(Vec::with_capacity(input.len() + 2 * notice.len() * 4));
    {
        let mut w = WavWriter::new(&mut out, spec).map_err(|e| e.to_string())?;
        let mut put = |samples: &[i32]| -> Result<(), String> {
            for &s in samples {
                write_sample(&mut w, spec, s)?;
            }
            Ok(())
        };
        let start = matches!(position, NoticePosition::Start | NoticePosition::Both);
        let end = matches!(position, NoticePosition::End | NoticePosition::Both);
        if start {
            put(&notice)?;
        }
        put(&content)?;
        if end {
            put(&notice)?;
        }
        w.finalize().map_err(|e| e.to_string())?;
    }
    Ok((out.into_inner(), seconds))
}

/// Samples as stored: integers as they are, floats by their bit pattern,
/// so the content goes back out exactly as it came in.
fn read_samples<R: std::io::Read>(reader: WavReader<R>) -> Result<Vec<i32>, String> {
    match reader.spec().sample_format {
        SampleFormat::Int => reader
            .into_samples::<i32>()
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string()),
        SampleFormat::Float => reader
            .into_samples::<f32>()
            .map(|s| s.map(|f| f.to_bits() as i32))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string()),
    }
}

fn write_sample<W: std::io::Write + std::io::Seek>(
    w: &mut WavWriter<W>,
    spec: WavSpec,
    s: i32,
) -> Result<(), String> {
    match spec.sample_format {
        SampleFormat::Int => w.write_sample(s),
        SampleFormat::Float => w.write_sample(f32::from_bits(s as u32)),
    }
    .map_err(|e| e.to_string())
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

fn rms(samples: &[i32], spec: WavSpec) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| to_unit(s, spec).powi(2)).sum();
    (sum / samples.len() as f64).sqrt()
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
    use super::*;

    fn wav(spec: WavSpec, samples: &[i32]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut w = WavWriter::new(&mut out, spec).unwrap();
        for &s in samples {
            write_sample(&mut w, spec, s).unwrap();
        }
        w.finalize().unwrap();
        out.into_inner()
    }

    #[test]
    fn the_content_follows_the_tone_bit_for_bit_in_every_sample_format() {
        for (bits, format) in [
            (16, SampleFormat::Int),
            (24, SampleFormat::Int),
            (8, SampleFormat::Int),
            (32, SampleFormat::Float),
        ] {
            let spec = WavSpec {
                channels: 2,
                sample_rate: 48_000,
                bits_per_sample: bits,
                sample_format: format,
            };
            let content: Vec<i32> = (0..9600)
                .map(|i| {
                    let v = ((i as f64) * 0.05).sin() * 0.25;
                    encode(&[v], spec)[0]
                })
                .collect();
            let (out, secs) = apply_wav(&wav(spec, &content), NoticePosition::Start).unwrap();
            let r = WavReader::new(Cursor::new(&out)).unwrap();
            assert_eq!(r.spec(), spec);
            let all = read_samples(r).unwrap();
            let notice_len = all.len() - content.len();
            assert_eq!(&all[notice_len..], &content[..], "{bits}-bit {format:?}");
            assert!((secs - (11.0 * UNIT_S + GAP_S)).abs() < 0.01, "{secs}");
            // The tone is audible: its RMS is near the content's.
            let tone_rms = rms(&all[..notice_len], spec);
            assert!(tone_rms > 0.05, "{bits}-bit: tone rms {tone_rms}");
        }
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
