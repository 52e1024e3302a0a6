//! Measures the audio mark's robustness on a folder of WAV clips (made by
//! `audio_wm_clips.sh`): each clip is marked, then changed in each way the
//! mark must survive, and read back; then unmarked excerpts are read to
//! count false positives. Prints Markdown tables.
//!
//! ```text
//! crates/watermark/examples/audio_wm_clips.sh /tmp/awm-clips
//! cargo run -p tamga-watermark --example audio_wm_measure -- /tmp/awm-clips [--fp 1000] [--only mp3,aac]
//! ```
//! Needs ffmpeg (libmp3lame and the native AAC encoder) for the codec rows.

// A measurement tool: a failed step ends it with its message.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use tamga_watermark::audio_mark::{detect_file, AudioDetector, AudioEmbedder, AudioPayload};
use tamga_watermark::DecodeLimits;

const TRANSFORMS: [&str; 7] = [
    "clean",
    "mp3-128k",
    "aac-128k",
    "resample-44.1k",
    "gain+6dB",
    "gain-6dB",
    "excerpt-10s",
];

struct Clip {
    name: String,
    kind: String,
    rate: u32,
    channels: usize,
    samples: Vec<f32>,
}

fn read_wav(path: &Path) -> Clip {
    let mut r = hound::WavReader::open(path).expect("a WAV clip");
    let spec = r.spec();
    let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Int => r
            .samples::<i32>()
            .map(|s| s.expect("sample") as f32 * scale)
            .collect(),
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.expect("sample")).collect(),
    };
    let name = path
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let kind = name.split('-').next().unwrap_or("other").to_string();
    Clip {
        name,
        kind,
        rate: spec.sample_rate,
        channels: usize::from(spec.channels),
        samples,
    }
}

fn write_wav(path: &Path, rate: u32, channels: usize, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: channels as u16,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("a WAV to write");
    for &s in samples {
        w.write_sample((s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
            .expect("write");
    }
    w.finalize().expect("finalize");
}

fn detect(samples: &[f32], rate: u32, channels: usize) -> Option<AudioPayload> {
    let mut d = AudioDetector::new(rate, channels).expect("format");
    d.push(samples);
    d.finish().map(|d| d.payload)
}

fn ffmpeg(args: &[&str]) -> bool {
    Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

/// A small deterministic generator (excerpt starts, gains).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn excerpt(c: &Clip, seconds: f64, rng: &mut Lcg) -> Vec<f32> {
    let frames = c.samples.len() / c.channels;
    let want = (seconds * f64::from(c.rate)) as usize;
    let start = ((frames.saturating_sub(want)) as f64 * rng.next()) as usize;
    c.samples[start * c.channels..(start + want.min(frames)) * c.channels].to_vec()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .expect("usage: audio_wm_measure CLIP_DIR [--fp N] [--only a,b]"),
    );
    let mut fp_count = 1000usize;
    let mut only: Option<Vec<String>> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--fp" => fp_count = args.next().and_then(|v| v.parse().ok()).expect("--fp N"),
            "--only" => {
                only = args
                    .next()
                    .map(|v| v.split(',').map(String::from).collect())
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let want = |t: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == t));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("clip folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    paths.sort();
    let tmp = tempfile::tempdir().expect("temp dir");
    let limits = DecodeLimits::default();
    let has_ffmpeg = Command::new("ffmpeg").arg("-version").output().is_ok();
    // (transform, kind) -> (ok, total)
    let mut table: BTreeMap<(usize, String), (u32, u32)> = BTreeMap::new();
    let mut snrs: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut clips = Vec::new();
    let started = std::time::Instant::now();
    for (i, path) in paths.iter().enumerate() {
        let clip = read_wav(path);
        let payload = AudioPayload((i as u32).wrapping_mul(2_654_435_761) ^ 0x5A5A_0F0F);
        let mut e = AudioEmbedder::new(clip.rate, clip.channels, payload).expect("format");
        let mut marked = e.push(&clip.samples);
        marked.extend(e.finish());
        let snr = e.snr_db().unwrap_or(f64::INFINITY);
        snrs.entry(clip.kind.clone()).or_default().push(snr);
        let wav = tmp.path().join("marked.wav");
        write_wav(&wav, clip.rate, clip.channels, &marked);
        let mut rng = Lcg(i as u64 + 1);
        let mut fails = Vec::new();
        for (t, &name) in TRANSFORMS.iter().enumerate() {
            if !want(name) {
                continue;
            }
            let got = match name {
                "clean" => detect(&marked, clip.rate, clip.channels),
                "gain+6dB" | "gain-6dB" => {
                    let g = if name == "gain+6dB" { 2.0f32 } else { 0.5 };
                    let scaled: Vec<f32> = marked.iter().map(|x| x * g).collect();
                    detect(&scaled, clip.rate, clip.channels)
                }
                "excerpt-10s" => {
                    let c = Clip {
                        samples: marked.clone(),
                        name: String::new(),
                        kind: String::new(),
                        ..clip
                    };
                    let ex = excerpt(&c, 10.0, &mut rng);
                    detect(&ex, clip.rate, clip.channels)
                }
                _ if !has_ffmpeg => continue,
                _ => {
                    let (out, codec): (&str, &[&str]) = match name {
                        "mp3-128k" => ("t.mp3", &["-c:a", "libmp3lame", "-b:a", "128k"]),
                        "aac-128k" => ("t.m4a", &["-c:a", "aac", "-b:a", "128k"]),
                        _ => ("t.wav", &["-ar", "44100", "-c:a", "pcm_s16le"]),
                    };
                    let out = tmp.path().join(out);
                    let mut a = vec!["-i", wav.to_str().unwrap_or_default()];
                    a.extend_from_slice(codec);
                    a.push(out.to_str().unwrap_or_default());
                    if !ffmpeg(&a) {
                        eprintln!("ffmpeg failed for {}", clip.name);
                        continue;
                    }
                    detect_file(&out, &limits).ok().flatten().map(|d| d.payload)
                }
            };
            let ok = got == Some(payload);
            if !ok {
                fails.push(name);
            }
            for kind in [clip.kind.clone(), "all".into()] {
                let e = table.entry((t, kind)).or_default();
                e.0 += u32::from(ok);
                e.1 += 1;
            }
        }
        eprintln!(
            "{:3} {:40} SNR {:5.1} dB  failed: {:?}  ({:.0} s)",
            i,
            clip.name,
            snr,
            fails,
            started.elapsed().as_secs_f64()
        );
        clips.push(clip);
    }
    let kinds: Vec<String> = {
        let mut k: Vec<String> = clips.iter().map(|c| c.kind.clone()).collect();
        k.sort();
        k.dedup();
        k.push("all".into());
        k
    };
    println!(
        "\n| transformation | {} |",
        kinds
            .iter()
            .map(|k| format!(
                "{k} ({})",
                clips.iter().filter(|c| &c.kind == k || k == "all").count()
            ))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|{}", "---|".repeat(kinds.len()));
    for (t, name) in TRANSFORMS.iter().enumerate() {
        if !table.contains_key(&(t, "all".to_string())) {
            continue;
        }
        let cells: Vec<String> = kinds
            .iter()
            .map(|k| match table.get(&(t, k.clone())) {
                Some(&(ok, n)) => {
                    format!("{ok}/{n} ({:.1} %)", 100.0 * f64::from(ok) / f64::from(n))
                }
                None => "–".into(),
            })
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    println!("\n| SNR of the mark (dB) | min | median | max |\n|---|---|---|---|");
    for (k, v) in &mut snrs {
        v.sort_by(f64::total_cmp);
        println!(
            "| {k} | {:.1} | {:.1} | {:.1} |",
            v[0],
            v[v.len() / 2],
            v[v.len() - 1]
        );
    }
    // False positives: unmarked excerpts of every clip, 4 to 20 s, at
    // random gains from -12 to +6 dB.
    if fp_count > 0 && !clips.is_empty() {
        let mut rng = Lcg(0xF00D);
        let mut positives = 0;
        for n in 0..fp_count {
            let c = &clips[n % clips.len()];
            let secs = 4.0 + 16.0 * rng.next();
            let gain = 10f64.powf((-12.0 + 18.0 * rng.next()) / 20.0) as f32;
            let ex: Vec<f32> = excerpt(c, secs, &mut rng)
                .iter()
                .map(|x| x * gain)
                .collect();
            if detect(&ex, c.rate, c.channels).is_some() {
                positives += 1;
                eprintln!("false positive on {} ({secs:.1} s)", c.name);
            }
        }
        println!("\nFalse positives: {positives} of {fp_count} unmarked excerpts (bound per clip: {:.1e})", tamga_watermark::audio_mark::false_positive_bound());
    }
    eprintln!("done in {:.0} s", started.elapsed().as_secs_f64());
}
