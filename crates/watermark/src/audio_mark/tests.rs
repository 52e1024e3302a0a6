//! End-to-end checks of the mark on synthetic audio: embed then detect,
//! through the changes the mark must survive, and unmarked audio.

use super::resample::Resampler;
use super::*;
use tamga_media::DecodeLimits;

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
            if pitch_phase < 0.05 {
                1.0
            } else {
                0.0
            }
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
    assert!(
        d.offset_seconds < 0.05 || d.offset_seconds > FRAME_SECONDS - 0.05,
        "{d:?}"
    );

    let host = speech(44_100, 12.0, 2);
    let marked = embed(&host, 44_100, 1, PAYLOAD);
    let snr = snr_db(&host, &marked);
    assert!(snr >= 25.0, "speech SNR {snr:.1} dB");
    assert_eq!(
        detect(&marked, 44_100, 1).expect("speech mark").payload,
        PAYLOAD
    );
}

#[test]
fn the_embedder_reports_its_snr_and_it_matches_the_samples() {
    let host = speech(16_000, 8.0, 3);
    let mut e = AudioEmbedder::new(16_000, 1, PAYLOAD).unwrap();
    let mut marked = e.push(&host);
    marked.extend(e.finish());
    let reported = e.snr_db().unwrap();
    let measured = snr_db(&host, &marked);
    assert!(
        (reported - measured).abs() < 0.01,
        "{reported} vs {measured}"
    );
    assert!(measured >= 25.0, "{measured}");
    // Silence stays silent: the mark is a copy of the host, scaled.
    let mut e = AudioEmbedder::new(16_000, 1, PAYLOAD).unwrap();
    let mut out = e.push(&[0.0; 40_000]);
    out.extend(e.finish());
    assert!(out.iter().all(|&x| x == 0.0));
    assert_eq!(e.snr_db(), None);
}

#[test]
fn a_gain_of_plus_or_minus_6_db_changes_nothing() {
    let host = music(16_000, 12.0, 4);
    let marked = embed(&host, 16_000, 2, PAYLOAD);
    for gain in [2.0f32, 0.5] {
        let scaled: Vec<f32> = marked.iter().map(|x| x * gain).collect();
        assert_eq!(
            detect(&scaled, 16_000, 2).map(|d| d.payload),
            Some(PAYLOAD),
            "gain {gain}"
        );
    }
}

#[test]
fn resampling_48_to_44_1_khz_keeps_the_mark() {
    let host = music(48_000, 12.0, 5);
    let marked = embed(&host, 48_000, 2, PAYLOAD);
    let mut out = [Vec::new(), Vec::new()];
    for (c, o) in out.iter_mut().enumerate() {
        let ch: Vec<f32> = marked.iter().skip(c).step_by(2).copied().collect();
        let mut r = Resampler::new(48_000, 44_100);
        r.process(&ch, o);
        r.finish(o);
    }
    let inter: Vec<f32> = out[0]
        .iter()
        .zip(&out[1])
        .flat_map(|(&l, &r)| [l, r])
        .collect();
    assert_eq!(detect(&inter, 44_100, 2).map(|d| d.payload), Some(PAYLOAD));
}

#[test]
fn a_10_second_excerpt_from_anywhere_keeps_the_mark() {
    let host = speech(16_000, 20.0, 6);
    let marked = embed(&host, 16_000, 1, PAYLOAD);
    // Starts off the hop grid and off the frame grid.
    for start in [0usize, 12_345, 160_000 - 1] {
        let ex = &marked[start..start + 160_000];
        let d = detect(ex, 16_000, 1).unwrap_or_else(|| panic!("excerpt at {start}"));
        assert_eq!(d.payload, PAYLOAD);
        // The frame starts it reports are where the embedder put them.
        let frame = (FRAME_SECONDS * 16_000.0) as usize;
        let expected = (frame - start % frame) % frame;
        let got = (d.offset_seconds * 16_000.0) as usize;
        let diff = expected.abs_diff(got).min(frame - expected.abs_diff(got));
        assert!(diff <= 256, "start {start}: expected {expected}, got {got}");
    }
}

#[test]
fn a_long_near_silent_stretch_does_not_drown_the_mark() {
    // Sparse speech as recorded (a few words, long pauses at the level of
    // 16-bit noise): the pauses' chips must not outvote the words'. 8 s of
    // marked speech, then 2 minutes of 16-bit rounding noise (±½ step).
    let host = speech(16_000, 8.0, 10);
    let mut marked = embed(&host, 16_000, 1, PAYLOAD);
    let mut rng = Lcg(11);
    marked.extend((0..16_000 * 120).map(|_| rng.next() * 0.5 / 32_768.0));
    assert_eq!(detect(&marked, 16_000, 1).map(|d| d.payload), Some(PAYLOAD));
}

#[test]
fn unmarked_audio_and_another_key_read_nothing() {
    let m = music(16_000, 10.0, 7);
    assert_eq!(detect(&m, 16_000, 2), None);
    assert_eq!(detect(&speech(16_000, 10.0, 8), 16_000, 1), None);
    assert_eq!(detect(&vec![0.0; 160_000], 16_000, 1), None);
    assert_eq!(detect(&[], 16_000, 1), None);
    let mut rng = Lcg(9);
    let noise: Vec<f32> = (0..160_000).map(|_| rng.next() * 0.3).collect();
    assert_eq!(detect(&noise, 16_000, 1), None);
    let marked = embed(&m, 16_000, 2, PAYLOAD);
    let mut d = AudioDetector::with_key(16_000, 2, &AudioKey([1; 32])).unwrap();
    d.push(&marked);
    assert_eq!(d.finish(), None);
}

#[test]
fn chunking_does_not_change_the_output() {
    let host = speech(22_050, 5.0, 10);
    let whole = {
        let mut e = AudioEmbedder::new(22_050, 1, PAYLOAD).unwrap();
        let mut out = e.push(&host);
        out.extend(e.finish());
        out
    };
    assert_eq!(embed(&host, 22_050, 1, PAYLOAD), whole);
    // Stereo fed an odd number of samples at a time.
    let st = music(22_050, 3.0, 11);
    let mut e = AudioEmbedder::new(22_050, 2, PAYLOAD).unwrap();
    let mut out = Vec::new();
    for chunk in st.chunks(1001) {
        out.extend(e.push(chunk));
    }
    out.extend(e.finish());
    let mut e2 = AudioEmbedder::new(22_050, 2, PAYLOAD).unwrap();
    let mut out2 = e2.push(&st);
    out2.extend(e2.finish());
    assert_eq!(out, out2);
}

#[test]
fn formats_out_of_range_are_refused() {
    assert!(matches!(
        AudioEmbedder::new(0, 1, PAYLOAD),
        Err(AudioMarkError::Unsupported { .. })
    ));
    assert!(matches!(
        AudioDetector::new(44_100, 0),
        Err(AudioMarkError::Unsupported { .. })
    ));
}

fn wav_bytes(spec: hound::WavSpec, samples: &[f32]) -> Vec<u8> {
    let mut cur = std::io::Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut cur, spec).unwrap();
    let full = (1u64 << (spec.bits_per_sample - 1)) as f32;
    for &s in samples {
        match spec.sample_format {
            hound::SampleFormat::Float => w.write_sample(s).unwrap(),
            hound::SampleFormat::Int => w.write_sample((s * full) as i32).unwrap(),
        }
    }
    w.finalize().unwrap();
    cur.into_inner()
}

#[test]
fn wav_files_of_each_sample_format_round_trip_through_the_files_api() {
    // Peaks well under full scale, so no sample clips and the count is 0.
    let host: Vec<f32> = speech(16_000, 9.0, 12).iter().map(|x| x * 0.5).collect();
    let dir = tempfile::tempdir().unwrap();
    for (bits, format) in [
        (16, hound::SampleFormat::Int),
        (24, hound::SampleFormat::Int),
        (32, hound::SampleFormat::Float),
    ] {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: bits,
            sample_format: format,
        };
        let input = wav_bytes(spec, &host);
        let path = dir.path().join(format!("m{bits}.wav"));
        let out = std::fs::File::create(&path).unwrap();
        let summary = embed_wav(
            std::io::Cursor::new(input),
            std::io::BufWriter::new(out),
            PAYLOAD,
            &DecodeLimits::default(),
        )
        .unwrap();
        assert_eq!(summary.frames, host.len() as u64);
        assert_eq!(summary.clipped, 0);
        assert!(summary.snr_db.unwrap() >= 25.0);
        let back = hound::WavReader::open(&path).unwrap();
        assert_eq!(back.spec(), spec);
        let d = detect_file(&path, &DecodeLimits::default())
            .unwrap()
            .expect("mark");
        assert_eq!(d.payload, PAYLOAD, "{bits}-bit");
    }
}

#[test]
fn limits_and_bad_input_are_typed_errors() {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let input = wav_bytes(spec, &vec![0.1; 16_000 * 3]);
    let mut limits = DecodeLimits::default();
    limits.max_audio_seconds = 2;
    let e = embed_wav(
        std::io::Cursor::new(input.clone()),
        std::io::Cursor::new(Vec::new()),
        PAYLOAD,
        &limits,
    )
    .unwrap_err();
    assert!(matches!(e, AudioMarkError::Limit(_)), "{e:?}");
    let e = detect_source(Box::new(std::io::Cursor::new(input)), "wav", &limits).unwrap_err();
    assert!(matches!(e, AudioMarkError::Limit(_)), "{e:?}");
    let junk = b"RIFF\x10\0\0\0WAVEjunkjunk".to_vec();
    let e = embed_wav(
        std::io::Cursor::new(junk.clone()),
        std::io::Cursor::new(Vec::new()),
        PAYLOAD,
        &limits,
    )
    .unwrap_err();
    assert!(matches!(e, AudioMarkError::Wav(_)), "{e:?}");
    let e = detect_source(Box::new(std::io::Cursor::new(junk)), "wav", &limits).unwrap_err();
    assert!(matches!(e, AudioMarkError::Decode(_)), "{e:?}");
}

#[test]
fn samples_the_mark_pushes_past_full_scale_are_clipped_and_counted() {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    // Noise filling the whole range: the mark must push some past it.
    let mut rng = Lcg(13);
    let loud: Vec<f32> = (0..64_000).map(|_| rng.next() * 0.9999).collect();
    let summary = embed_wav(
        std::io::Cursor::new(wav_bytes(spec, &loud)),
        std::io::Cursor::new(Vec::new()),
        PAYLOAD,
        &DecodeLimits::default(),
    )
    .unwrap();
    assert!(summary.clipped > 0, "{summary:?}");
}

#[test]
fn a_search_of_the_start_reads_only_the_start() {
    // 12 s marked with one payload, then 24 s with another.
    let rate = 16_000;
    let other = AudioPayload(0x0BAD_CAFE);
    let mut marked = embed(&music(rate, 12.0, 3), rate, 1, PAYLOAD);
    marked.extend(embed(&music(rate, 24.0, 4), rate, 1, other));
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let bytes = wav_bytes(spec, &marked);
    let read = |seconds| {
        let source = Box::new(std::io::Cursor::new(bytes.clone()));
        detect_start(source, "wav", &DecodeLimits::default(), seconds)
            .unwrap()
            .expect("mark")
    };
    let start = read(Some(11));
    assert_eq!(start.payload, PAYLOAD);
    assert!(start.seconds < 12.0, "{}", start.seconds);
    // The whole file: the longer run wins.
    assert_eq!(read(None).payload, other);
}
