//! End-to-end checks of the mark on synthetic audio: embed then detect,
//! through the changes the mark must survive, and unmarked audio.

use super::resample::Resampler;
use super::*;

/// A small deterministic generator for test signals.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
}

/// `seconds` of music-like stereo at `rate`: notes with harmonics that
/// change every 250 ms, a bass line and a little noise.
pub(crate) fn music(rate: u32, seconds: f32, seed: u64) -> Vec<f32> {
    let mut rng = Lcg(seed);
    let n = (rate as f32 * seconds) as usize;
    let mut out = Vec::with_capacity(n * 2);
    let mut notes = [0f32; 3];
    let mut phase = [0f32; 4];
    for i in 0..n {
        if i % (rate as usize / 4) == 0 {
            for note in &mut notes {
                let k = ((rng.next() + 1.0) * 12.0) as i32;
                *note = 220.0 * 2f32.powf(k as f32 / 12.0);
            }
        }
        let mut l = 0.0;
        for (j, &f) in notes.iter().enumerate() {
            phase[j] = (phase[j] + f / rate as f32).fract();
            for h in 1..6 {
                l += (phase[j] * h as f32 * std::f32::consts::TAU).sin() * 0.08 / h as f32;
            }
        }
        phase[3] = (phase[3] + 55.0 / rate as f32).fract();
        let bass = (phase[3] * std::f32::consts::TAU).sin() * 0.2;
        let noise = rng.next() * 0.01;
        out.push(l + bass + noise);
        out.push(0.8 * l + bass - noise);
    }
    out
}

/// `seconds` of speech-like mono: a voiced buzz through moving formants,
/// in syllables with pauses.
pub(crate) fn speech(rate: u32, seconds: f32, seed: u64) -> Vec<f32> {
    let mut rng = Lcg(seed);
    let n = (rate as f32 * seconds) as usize;
    let mut out = Vec::with_capacity(n);
    let (mut y1, mut y2, mut z1, mut z2) = (0f32, 0f32, 0f32, 0f32);
    let mut f1 = 500.0;
    let mut f2 = 1500.0;
    let mut pitch_phase = 0f32;
    for i in 0..n {
        let t = i as f32 / rate as f32;
        let syllable = (t * 4.0) as u32;
        if i % (rate as usize / 4) == 0 {
            f1 = 300.0 + (rng.next() + 1.0) * 300.0;
            f2 = 900.0 + (rng.next() + 1.0) * 800.0;
        }
        let voiced = syllable % 7 != 6;
        let env = (std::f32::consts::PI * (t * 4.0).fract()).sin();
        pitch_phase = (pitch_phase + (120.0 + 20.0 * (t * 3.0).sin()) / rate as f32).fract();
        let excite = if voiced {
            if pitch_phase < 0.05 { 1.0 } else { 0.0 }
        } else {
            0.0
        } + rng.next() * 0.05;
        // Two resonators.
        let r = 0.97f32;
        let (c1, c2) = (
            2.0 * r * (std::f32::consts::TAU * f1 / rate as f32).cos(),
            2.0 * r * (std::f32::consts::TAU * f2 / rate as f32).cos(),
        );
        let y = excite + c1 * y1 - r * r * y2;
        y2 = y1;
        y1 = y;
        let z = y + c2 * z1 - r * r * z2;
        z2 = z1;
        z1 = z;
        out.push(0.02 * env * (y * 0.3 + z * 0.2));
    }
    out
}

fn embed(samples: &[f32], rate: u32, channels: usize, payload: AudioPayload) -> Vec<f32> {
    let mut e = AudioEmbedder::new(rate, channels, payload).unwrap();
    let mut out = Vec::new();
    // Odd chunk sizes, as a decoder would hand them over.
    for chunk in samples.chunks(4097) {
        out.extend(e.push(chunk));
    }
    out.extend(e.finish());
    assert_eq!(out.len(), samples.len());
    out
}

fn detect(samples: &[f32], rate: u32, channels: usize) -> Option<AudioDetection> {
    let mut d = AudioDetector::new(rate, channels).unwrap();
    for chunk in samples.chunks(3001) {
        d.push(chunk);
    }
    d.finish()
}

fn snr_db(host: &[f32], marked: &[f32]) -> f64 {
    let (mut h, mut m) = (0f64, 0f64);
    for (&x, &y) in host.iter().zip(marked) {
        h += f64::from(x) * f64::from(x);
        m += f64::from(y - x) * f64::from(y - x);
    }
    10.0 * (h / m).log10()
}

const PAYLOAD: AudioPayload = AudioPayload(0x7A3C_91E5);

#[test]
fn music_and_speech_round_trip_with_the_mark_25_db_under_the_content() {
    let host = music(48_000, 12.0, 1);
    let marked = embed(&host, 48_000, 2, PAYLOAD);
    let snr = snr_db(&host, &marked);
    assert!(snr >= 25.0, "music SNR {snr:.1} dB");
    let d = detect(&marked, 48_000, 2).expect("music mark");
    assert_eq!(d.payload, PAYLOAD);
    assert!((d.seconds - 12.0).abs() < 1e-6);
    assert!(d.offset_seconds < 0.05 || d.offset_seconds > FRAME_SECONDS - 0.05, "{d:?}");

    let host = speech(44_100, 12.0, 2);
    let marked = embed(&host, 44_100, 1, PAYLOAD);
    let snr = snr_db(&host, &marked);
    assert!(snr >= 25.0, "speech SNR {snr:.1} dB");
    assert_eq!(detect(&marked, 44_100, 1).expect("speech mark").payload, PAYLOAD);
}

/// The share of code symbols whose sign is wrong at the best alignment,
/// and that alignment: how much margin the error correction has.
pub(crate) fn symbol_error_rate(samples: &[f32], rate: u32, channels: usize, payload: AudioPayload) -> (f64, usize) {
    let layout = super::layout::Layout::new(&AudioKey::TAMGA, super::code::SYMBOLS, super::code::INFO_BITS);
    let coded = super::code::encode(&super::code::info_word(payload.0, &layout.scramble));
    let mut d = AudioDetector::new(rate, channels).unwrap();
    d.push(samples);
    let all = d.finish_soft();
    all.iter()
        .enumerate()
        .map(|(o, soft)| {
            let wrong = soft
                .iter()
                .zip(&coded)
                .filter(|(&y, &c)| !(y * (1.0 - 2.0 * f32::from(c)) > 0.0))
                .count();
            (wrong as f64 / soft.len() as f64, o)
        })
        .fold((1.0, 0), |a, b| if b.0 < a.0 { b } else { a })
}

#[test]
fn diagnose() {
    let host = music(48_000, 12.0, 1);
    let marked = embed(&host, 48_000, 2, PAYLOAD);
    eprintln!("music marked {:?}", symbol_error_rate(&marked, 48_000, 2, PAYLOAD));
    eprintln!("music unmarked {:?}", symbol_error_rate(&host, 48_000, 2, PAYLOAD));
    let host = speech(44_100, 12.0, 2);
    let marked = embed(&host, 44_100, 1, PAYLOAD);
    eprintln!("speech marked {:?}", symbol_error_rate(&marked, 44_100, 1, PAYLOAD));
}

#[test]
fn diagnose_chips() {
    let mut rng = Lcg(5);
    let noise16: Vec<f32> = (0..16_000 * 12).map(|_| rng.next() * 0.1).collect();
    let noise48: Vec<f32> = (0..48_000 * 12).map(|_| rng.next() * 0.1).collect();
    for (name, host, ch, rate) in [("noise16", noise16, 1, 16_000), ("noise48", noise48, 1, 48_000), ("music", music(48_000, 12.0, 1), 2, 48_000), ("speech", speech(48_000, 12.0, 2), 1, 48_000)] {
        let marked = embed(&host, rate, ch, PAYLOAD);
        let layout = super::layout::Layout::new(&AudioKey::TAMGA, super::code::SYMBOLS, super::code::INFO_BITS);
        let coded = super::code::encode(&super::code::info_word(PAYLOAD.0, &layout.scramble));
        let acc = |x: &[f32]| { let mut d = AudioDetector::new(rate, ch).unwrap(); d.push(x); d.finish_acc() };
        let (a, b) = (acc(&marked), acc(&host));
        let (mut sm, mut sh, mut sh2, mut n) = (0f64, 0f64, 0f64, 0f64);
        for p in 0..super::layout::CHIPS {
            let (t, q) = (p / 16, p % 16);
            let h = t * 4;
            let sign = layout.chip[p] * (1.0 - 2.0 * f32::from(coded[usize::from(layout.symbol[p])]));
            let i = q * 240 + h;
            sm += f64::from(sign * (a[i] - b[i]));
            sh += f64::from(sign * b[i]);
            sh2 += f64::from(b[i] * b[i]);
            n += 1.0;
        }
        eprintln!("{name}: mark per chip {:.3}, host mean {:.3}, host rms {:.3}", sm / n, sh / n, (sh2 / n).sqrt());
    }
}
