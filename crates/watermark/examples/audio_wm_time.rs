//! How fast the audio mark is embedded and read, as multiples of real
//! time on one core (run it with `--release` for the figure that counts).
//!
//! ```text
//! cargo run --release -p tamga-watermark --example audio_wm_time            # 60 s in memory
//! cargo run --release -p tamga-watermark --example audio_wm_time IN.wav OUT.wav
//! ```
//! With files it marks IN.wav into OUT.wav and reads OUT.wav back, both
//! streaming: run it under `/usr/bin/time -v` on an hour-long WAV to see
//! that memory does not grow with the duration.

// A measurement tool: a failed step ends it with its message.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use tamga_watermark::audio_mark::{
    detect_file, embed_wav, AudioDetector, AudioEmbedder, AudioPayload,
};
use tamga_watermark::DecodeLimits;

const PAYLOAD: AudioPayload = AudioPayload(0x7A3C_91E5);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [input, output] = &args[..] {
        let limits = DecodeLimits::default();
        let t = Instant::now();
        let summary = embed_wav(
            std::io::BufReader::new(std::fs::File::open(input).expect("input WAV")),
            std::io::BufWriter::new(std::fs::File::create(output).expect("output WAV")),
            PAYLOAD,
            &limits,
        )
        .expect("embed");
        let embed = t.elapsed().as_secs_f64();
        let seconds = summary.frames as f64
            / f64::from(
                hound::WavReader::open(output)
                    .expect("output")
                    .spec()
                    .sample_rate,
            );
        let t = Instant::now();
        let found = detect_file(output.as_ref(), &limits).expect("detect");
        let detect = t.elapsed().as_secs_f64();
        println!("{seconds:.0} s of audio: embed {embed:.1} s ({:.0}x real time), detect {detect:.1} s ({:.0}x real time), SNR {:.1} dB, found {:?}",
            seconds / embed, seconds / detect, summary.snr_db.unwrap_or(f64::INFINITY), found.map(|d| d.payload));
        return;
    }
    let rate = 48_000u32;
    let seconds = 60.0;
    let n = (f64::from(rate) * seconds) as usize;
    let mut x = 1u32;
    let samples: Vec<f32> = (0..n)
        .flat_map(|i| {
            let t = i as f32 / rate as f32;
            let note = 220.0 * 2f32.powf(((t * 4.0) as u32 % 12) as f32 / 12.0);
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (x >> 8) as f32 / (1 << 24) as f32 - 0.5;
            let v = 0.2 * (t * note * std::f32::consts::TAU).sin()
                + 0.1 * (t * note * 3.0 * std::f32::consts::TAU).sin()
                + 0.02 * noise;
            [v, 0.9 * v]
        })
        .collect();
    let block = 8192 * 2;
    let t = Instant::now();
    let mut e = AudioEmbedder::new(rate, 2, PAYLOAD).expect("format");
    let mut marked = Vec::with_capacity(samples.len());
    for chunk in samples.chunks(block) {
        marked.extend(e.push(chunk));
    }
    marked.extend(e.finish());
    let embed = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut d = AudioDetector::new(rate, 2).expect("format");
    for chunk in marked.chunks(block) {
        d.push(chunk);
    }
    let found = d.finish();
    let detect = t.elapsed().as_secs_f64();
    println!("| 48 kHz stereo, {seconds:.0} s | embed {:.0}x real time | detect {:.0}x real time | found {:?} |", seconds / embed, seconds / detect, found.map(|d| d.payload));
}
