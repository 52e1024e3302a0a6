//! Measures tamga's image watermark: marks each image given, transforms
//! the marked copy the way platforms do (with ImageMagick's `convert`, an
//! independent JPEG/WebP/resampling implementation), and counts payloads
//! decoded bit-exact; also checks the unmarked originals for false
//! detections. Prints a Markdown table.
//!
//! ```text
//! cargo run --release -p tamga-watermark --example wm_measure -- IMAGE...
//! ```
//!
//! `WM_ONLY="JPEG quality 50;resize to 50"` runs only the transformations
//! whose names contain one of the `;`-separated parts: a quicker check of
//! a detector change on the hardest ones.

use std::{path::Path, process::Command, time::Instant};

use tamga_watermark::tamga_mark::{detect, embed, MarkKey};

/// (name, ImageMagick arguments between input and output, output extension)
const TRANSFORMS: &[(&str, &[&str], &str)] = &[
    ("PNG round trip", &[], "png"),
    ("WebP lossless", &["-define", "webp:lossless=true"], "webp"),
    ("JPEG quality 90", &["-quality", "90"], "jpg"),
    ("JPEG quality 75", &["-quality", "75"], "jpg"),
    ("JPEG quality 50", &["-quality", "50"], "jpg"),
    ("resize to 50 %", &["-resize", "50%"], "png"),
    (
        "crop 10 % from left and top",
        &["-gravity", "SouthEast", "-crop", "90%x90%+0+0", "+repage"],
        "png",
    ),
    (
        "resize 70 % + JPEG 75",
        &["-resize", "70%", "-quality", "75"],
        "jpg",
    ),
    ("WebP lossy quality 80", &["-quality", "80"], "webp"),
];

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let only = std::env::var("WM_ONLY").unwrap_or_default();
    let run: Vec<bool> = TRANSFORMS
        .iter()
        .map(|(name, _, _)| only.is_empty() || only.split(';').any(|part| name.contains(part)))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ok = vec![0usize; TRANSFORMS.len()];
    let mut tried = 0usize;
    let mut false_hits = 0usize;
    let mut psnr_min = f64::INFINITY;
    let mut psnr_sum = 0.0;
    let (mut embed_time, mut detect_time) = (0f64, 0f64);
    for (n, file) in files.iter().enumerate() {
        let Ok(mut img) = image::open(file) else {
            eprintln!("skip {file}: not decodable");
            continue;
        };
        if img.width() < 256 || img.height() < 256 {
            eprintln!("skip {file}: too small");
            continue;
        }
        if !matches!(
            img,
            image::DynamicImage::ImageRgb8(_) | image::DynamicImage::ImageLuma8(_)
        ) {
            img = image::DynamicImage::ImageRgb8(img.to_rgb8());
        }
        let t = Instant::now();
        if detect(&img, MarkKey::TAMGA).is_some() {
            false_hits += 1;
            eprintln!("FALSE DETECTION on {file}");
        }
        detect_time += t.elapsed().as_secs_f64();
        let payload = 0x5A5A_0000_0000 ^ (n as u64 * 0x9E37_79B9) & 0xFFFF_FFFF_FFFF;
        let t = Instant::now();
        let report = embed(&mut img, payload, MarkKey::TAMGA).expect("embed");
        embed_time += t.elapsed().as_secs_f64();
        psnr_min = psnr_min.min(report.psnr_db);
        psnr_sum += report.psnr_db;
        tried += 1;
        let marked = dir.path().join("marked.png");
        img.save(&marked).expect("save");
        let mut line = format!("{file}: psnr {:.1}", report.psnr_db);
        for (i, (name, args, ext)) in TRANSFORMS.iter().enumerate() {
            if !run[i] {
                continue;
            }
            let out = dir.path().join(format!("t{i}.{ext}"));
            let status = Command::new("convert")
                .arg(&marked)
                .args(*args)
                .arg(&out)
                .status()
                .expect("convert");
            assert!(status.success(), "{name}");
            let found = image::open(&out)
                .ok()
                .and_then(|t| detect(&t, MarkKey::TAMGA));
            let good = found.map(|d| d.payload) == Some(payload);
            if good {
                ok[i] += 1;
            }
            line += &format!(
                " | {}{}",
                if good { "ok" } else { "FAIL" },
                found
                    .map(|d| format!(
                        " e{} s{:.3} z{:.1}",
                        d.code_errors, d.scale, d.sync_strength
                    ))
                    .unwrap_or_default()
            );
            let _ = std::fs::remove_file(Path::new(&out));
        }
        eprintln!("{line}");
    }
    println!("| transformation | decoded bit-exact |\n|---|---:|");
    for (i, (name, _, _)) in TRANSFORMS.iter().enumerate() {
        if !run[i] {
            continue;
        }
        println!(
            "| {name} | {} of {tried} ({:.1} %) |",
            ok[i],
            100.0 * ok[i] as f64 / tried.max(1) as f64
        );
    }
    println!(
        "\nPSNR: min {psnr_min:.1} dB, mean {:.1} dB. Unmarked originals detected: {false_hits} of {tried}.",
        psnr_sum / tried.max(1) as f64
    );
    println!(
        "Mean time per image (this build): embed {:.0} ms, detect (unmarked) {:.0} ms.",
        1000.0 * embed_time / tried.max(1) as f64,
        1000.0 * detect_time / tried.max(1) as f64
    );
}
