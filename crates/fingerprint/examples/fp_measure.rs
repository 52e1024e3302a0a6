//! Measures how far the content codes move under what platforms do to
//! content, and how close unrelated content comes: the figures behind the
//! `*_MATCH_DISTANCE` constants and `docs/fingerprints.md`.
//!
//! ```text
//! cargo run -p tamga-fingerprint --example fp_measure -- [IMAGES [AUDIO [TEXTS]]]
//! ```
//!
//! Defaults: 1000 images, 200 recordings, 300 texts, all generated (ffmpeg
//! lavfi sources with varied seeds and parameters; texts from the words of
//! `samples/text`). Prints Markdown tables to stdout.

#[path = "../tests/common/mod.rs"]
mod common;

use std::{io::Cursor, path::Path};

use image::{codecs::jpeg::JpegEncoder, imageops::FilterType, DynamicImage, ImageFormat};
use tamga_fingerprint::{hamming, is_featureless, ContentCode, DecodeLimits};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n_images = args.first().copied().unwrap_or(1000);
    let n_audio = args.get(1).copied().unwrap_or(200);
    let n_texts = args.get(2).copied().unwrap_or(300);
    let Some(ffmpeg) = common::tool("ffmpeg", "apt-get install ffmpeg") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    // A count of 0 skips that kind.
    if n_images > 0 {
        images(&ffmpeg, dir.path(), n_images);
    }
    if n_audio > 0 {
        audio(&ffmpeg, dir.path(), n_audio);
    }
    if n_texts > 0 {
        texts(n_texts);
    }
}

/// Distances of one transformation: the worst, the mean, and how many
/// stay within each candidate threshold.
fn robustness_row(name: &str, d: &[u32]) -> String {
    let mut s = d.to_vec();
    s.sort_unstable();
    let max = s.last().copied().unwrap_or(0);
    let mean = s.iter().sum::<u32>() as f64 / s.len().max(1) as f64;
    let p99 = s.get(s.len() * 99 / 100).copied().unwrap_or(max);
    let within = |t: u32| 100.0 * s.iter().filter(|&&x| x <= t).count() as f64 / s.len() as f64;
    format!(
        "| {name} | {} | {mean:.2} | {p99} | {max} | {:.1} % | {:.1} % | {:.1} % | {:.1} % |",
        s.len(),
        within(4),
        within(8),
        within(10),
        within(12)
    )
}

fn robustness_header() {
    println!("| transformation | n | mean | p99 | max | ≤ 4 | ≤ 8 | ≤ 10 | ≤ 12 |");
    println!("|---|---|---|---|---|---|---|---|---|");
}

/// All pairs of unrelated codes: the distance histogram's low end, and the
/// share of pairs at or under each threshold (the false-match rate).
fn unrelated(kind: &str, all: &[(u64, bool, String)]) {
    let featureless = all.iter().filter(|c| c.1).count();
    println!(
        "\n{kind}: {featureless} of {} featureless (not matched; left out below)",
        all.len()
    );
    let codes: Vec<(u64, String)> = all
        .iter()
        .filter(|c| !c.1)
        .map(|c| (c.0, c.2.clone()))
        .collect();
    let mut hist = [0u64; 65];
    let mut closest: Vec<(u32, usize, usize)> = Vec::new();
    for i in 0..codes.len() {
        for j in i + 1..codes.len() {
            let d = hamming(codes[i].0, codes[j].0);
            hist[d as usize] += 1;
            if d <= 12 {
                closest.push((d, i, j));
            }
        }
    }
    let pairs: u64 = hist.iter().sum();
    let mean = hist
        .iter()
        .enumerate()
        .map(|(d, &n)| d as f64 * n as f64)
        .sum::<f64>()
        / pairs as f64;
    println!(
        "\n{kind}: {} unrelated items with features, {pairs} pairs, mean distance {mean:.1}, minimum {}\n",
        codes.len(),
        hist.iter().position(|&n| n > 0).unwrap_or(64)
    );
    println!("| threshold | pairs at or under | false-match rate |");
    println!("|---|---|---|");
    let mut cumulative = 0;
    for (t, &n) in hist.iter().enumerate().take(17) {
        cumulative += n;
        if t % 2 == 0 || t <= 12 {
            println!(
                "| {t} | {cumulative} | {:.2e} |",
                cumulative as f64 / pairs as f64
            );
        }
    }
    closest.sort_unstable();
    for (d, i, j) in closest.iter().take(8) {
        eprintln!(
            "  closest {kind} pair, {d} bits: {} / {}",
            codes[*i].1, codes[*j].1
        );
    }
}

fn code_of(img: &DynamicImage) -> u64 {
    tamga_fingerprint::image_code(img).expect("image code").bits
}

fn code_of_bytes(bytes: Vec<u8>) -> u64 {
    tamga_fingerprint::image(Cursor::new(bytes), &DecodeLimits::default())
        .expect("image code")
        .bits
}

fn jpeg(img: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&img.to_rgb8())
        .expect("jpeg");
    out
}

fn png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).expect("png");
    out.into_inner()
}

fn images(ffmpeg: &Path, dir: &Path, n: usize) {
    let mut codes = Vec::with_capacity(n);
    let names = [
        "jpeg q75",
        "resize 50 %",
        "crop 10 % of the area (2.6 % off each side)",
        "crop 10 % of each side (5 % off each side)",
        "png round trip",
        "50 % + jpeg q75",
        "jpeg q75 → png",
    ];
    let mut moved: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
    let mut featureless = 0;
    // Transformations on the first 150 images with a featured code (a
    // featureless code matches nothing: registries skip it).
    let mut transformed = 0;
    for i in 0..n {
        let file = dir.join(format!("img{i}.png"));
        common::make_image(ffmpeg, i, &file);
        let img = image::open(&file).expect("decode generated image");
        let code = code_of(&img);
        if is_featureless(code) {
            featureless += 1;
        }
        codes.push((code, is_featureless(code), common::image_source(i)));
        if transformed >= 150 || is_featureless(code) {
            continue;
        }
        transformed += 1;
        let (w, h) = (img.width(), img.height());
        let (aw, ah) = (w * 13 / 500, h * 13 / 500);
        let area = img.crop_imm(aw, ah, w - 2 * aw, h - 2 * ah);
        let half = img.resize_exact(w / 2, h / 2, FilterType::Triangle);
        let cropped = img.crop_imm(w / 20, h / 20, w - w / 10, h - h / 10);
        let q75 = jpeg(&img, 75);
        let after_jpeg = image::load_from_memory(&q75).expect("jpeg decodes");
        let moved_to = [
            code_of_bytes(q75),
            code_of(&half),
            code_of(&area),
            code_of(&cropped),
            code_of_bytes(png(&img)),
            code_of_bytes(jpeg(&half, 75)),
            code_of_bytes(png(&after_jpeg)),
        ];
        for (k, c) in moved_to.iter().enumerate() {
            moved[k].push(hamming(code, *c));
        }
    }
    println!("## Images\n");
    println!("Image-Code distance after each transformation ({transformed} images with a featured code):\n");
    robustness_header();
    for (name, d) in names.iter().zip(&moved) {
        println!("{}", robustness_row(name, d));
    }
    println!("\n{featureless} of {n} images have a featureless code.");
    unrelated("images", &codes);
    let usable: Vec<_> = codes
        .iter()
        .filter(|c| !is_featureless(c.0))
        .cloned()
        .collect();
    unrelated("images with a featured code", &usable);
}

fn audio_code(file: &Path) -> ContentCode {
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("wav");
    let source = Box::new(std::fs::File::open(file).expect("open clip"));
    tamga_fingerprint::audio(source, ext, &DecodeLimits::default()).expect("audio code")
}

fn audio(ffmpeg: &Path, dir: &Path, n: usize) {
    let names = [
        "mp3 128 kbit/s",
        "resample 22.05 kHz",
        "resample 48 kHz",
        "mono 22.05 kHz mp3 96 kbit/s",
    ];
    let variants: [(&str, &[&str]); 4] = [
        ("mp3", &["-b:a", "128k"]),
        ("wav", &["-ar", "22050"]),
        ("flac", &["-ar", "48000"]),
        ("mp3", &["-ac", "1", "-ar", "22050", "-b:a", "96k"]),
    ];
    let mut moved: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut codes = Vec::with_capacity(n);
    let mut all = Vec::with_capacity(n);
    for i in 0..n {
        let wav = dir.join(format!("clip{i}.wav"));
        common::make_audio(ffmpeg, i, 15, &wav);
        let code = audio_code(&wav);
        codes.push((code.bits, code.featureless, common::audio_source(i, 15)));
        all.push(code.clone());
        if i % 4 != 0 {
            continue;
        }
        for (k, (ext, args)) in variants.iter().enumerate() {
            let out = dir.join(format!("clip{i}-{k}.{ext}"));
            let mut cmd = vec!["-i", common::path(&wav)];
            cmd.extend_from_slice(args);
            cmd.push(common::path(&out));
            common::ffmpeg(ffmpeg, &cmd);
            let copy = audio_code(&out);
            moved[k].push(hamming(code.bits, copy.bits));
            rates[k].push(error_rate(&copy, &code));
        }
    }
    println!("\n## Audio\n");
    println!("Audio-Code distance after each transformation (15-second clips):\n");
    robustness_header();
    for (name, d) in names.iter().zip(&moved) {
        println!("{}", robustness_row(name, d));
    }
    unrelated("recordings", &codes);
    confirmation(&names, &rates, &all);
}

fn error_rate(a: &ContentCode, b: &ContentCode) -> f64 {
    match (&a.confirm, &b.confirm) {
        (Some(x), Some(y)) => tamga_fingerprint::feature_error_rate(x, y).unwrap_or(1.0),
        _ => 1.0,
    }
}

/// The Chromaprint features as the confirmation of a 64-bit match: their
/// bit error rate under the same transformations, and how many unrelated
/// pairs within `AUDIO_MATCH_DISTANCE` on 64 bits it still lets through.
fn confirmation(names: &[&str], rates: &[Vec<f64>], all: &[ContentCode]) {
    let limit = tamga_fingerprint::AUDIO_CONFIRM_BER;
    println!("\nChromaprint feature bit error rate after each transformation (confirmed at most {limit}):\n");
    println!("| transformation | n | mean | max | confirmed |");
    println!("|---|---|---|---|---|");
    for (name, r) in names.iter().zip(rates) {
        let mean = r.iter().sum::<f64>() / r.len().max(1) as f64;
        let max = r.iter().copied().fold(0.0, f64::max);
        let ok = r.iter().filter(|&&x| x <= limit).count();
        println!(
            "| {name} | {} | {mean:.3} | {max:.3} | {:.1} % |",
            r.len(),
            100.0 * ok as f64 / r.len().max(1) as f64
        );
    }
    let max = tamga_fingerprint::AUDIO_MATCH_DISTANCE;
    let mut pairs = 0u64;
    let mut close: Vec<f64> = Vec::new();
    for i in 0..all.len() {
        for j in i + 1..all.len() {
            if all[i].featureless || all[j].featureless {
                continue;
            }
            pairs += 1;
            if hamming(all[i].bits, all[j].bits) <= max {
                close.push(error_rate(&all[i], &all[j]));
            }
        }
    }
    close.sort_by(f64::total_cmp);
    let kept = close.iter().filter(|&&x| x <= limit).count();
    println!(
        "\nUnrelated pairs within {max} bits: {} of {pairs}; their feature error rates: {close:.3?}",
        close.len()
    );
    println!(
        "Still matching after the confirmation: {kept} of {pairs} ({:.2e})",
        kept as f64 / pairs.max(1) as f64
    );
}

/// A small deterministic generator (tests must not depend on a crate's
/// random streams changing between versions).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

fn texts(n: usize) {
    let mut words: Vec<String> = Vec::new();
    for f in ["en.md", "ru.txt", "kk.md"] {
        let s = std::fs::read_to_string(common::root().join("samples/text").join(f))
            .unwrap_or_default();
        words.extend(s.split_whitespace().map(String::from));
    }
    if words.len() < 20 {
        eprintln!("SKIPPED texts: samples/text has too few words");
        return;
    }
    let mut rng = Lcg(42);
    let names = [
        "one word replaced",
        "one word inserted",
        "one typo (two letters swapped)",
        "a sentence removed",
        "punctuation and case changed",
        "a paragraph appended (10 %)",
    ];
    let mut moved: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
    let mut codes = Vec::with_capacity(n);
    for i in 0..n {
        let len = 120 + rng.next(400);
        let mut t: Vec<String> = (0..len)
            .map(|_| words[rng.next(words.len())].clone())
            .collect();
        for k in (12..len).step_by(12) {
            t[k].push('.');
        }
        let original = t.join(" ");
        let code = tamga_fingerprint::text(&original).bits;
        codes.push((code, false, format!("text {i} ({len} words)")));
        let mut edits: Vec<String> = Vec::new();
        let at = rng.next(len);
        let mut e = t.clone();
        e[at] = words[rng.next(words.len())].clone();
        edits.push(e.join(" "));
        let mut e = t.clone();
        e.insert(at, words[rng.next(words.len())].clone());
        edits.push(e.join(" "));
        let mut chars: Vec<char> = original.chars().collect();
        let c = rng.next(chars.len().saturating_sub(1));
        chars.swap(c, c + 1);
        edits.push(chars.into_iter().collect());
        let s = (at / 12) * 12;
        let mut e = t.clone();
        e.drain(s..(s + 12).min(len));
        edits.push(e.join(" "));
        edits.push(original.replace('.', "!").to_uppercase());
        let extra: Vec<String> = (0..len / 10)
            .map(|_| words[rng.next(words.len())].clone())
            .collect();
        edits.push(format!("{original}\n\n{}", extra.join(" ")));
        for (k, edit) in edits.iter().enumerate() {
            moved[k].push(hamming(code, tamga_fingerprint::text(edit).bits));
        }
    }
    println!("\n## Text\n");
    println!("Text-Code distance after each edit (texts of 120–520 words):\n");
    robustness_header();
    for (name, d) in names.iter().zip(&moved) {
        println!("{}", robustness_row(name, d));
    }
    unrelated("texts", &codes);
}
