//! Times tamga's image watermark on a 12-megapixel image, one core:
//! embedding into decoded pixels, and detection on decoded pixels, marked
//! (a JPEG 75 copy) and unmarked (every scale tried). Decoding and
//! encoding the file are timed apart: they belong to the format, not to
//! the mark. Median of the runs; the figures in BENCHMARKS.md.
//!
//! ```text
//! cargo run --release -p tamga-watermark --example wm_time -- [IMAGE] [RUNS]
//! ```
//! Without IMAGE, a 4000 × 3000 scene is generated (gradients, shapes and
//! grain, so the masking model has texture to work with).

use std::time::Instant;

use image::{DynamicImage, ImageFormat};
use tamga_watermark::tamga_mark::{detect, embed, MarkKey};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    (median(times), last.expect("at least one run"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let img = match args.first() {
        Some(path) => image::open(path).expect("decodable image"),
        None => DynamicImage::ImageRgb8(image::RgbImage::from_fn(4000, 3000, |x, y| {
            let n = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 17) as f32;
            let (fx, fy) = (x as f32, y as f32);
            let ring = if (((fx - 2000.0).hypot(fy - 1500.0) / 90.0) as u32).is_multiple_of(2) {
                40.0
            } else {
                0.0
            };
            image::Rgb([
                (30.0 + fx / 25.0 + ring + n) as u8,
                (60.0 + fy / 20.0 + n) as u8,
                (200.0 - fx / 30.0 + ring / 2.0) as u8,
            ])
        })),
    };
    let img = DynamicImage::ImageRgb8(img.into_rgb8());
    let mp = f64::from(img.width()) * f64::from(img.height()) / 1e6;
    println!(
        "image: {}×{} ({mp:.1} MP), {runs} runs, median",
        img.width(),
        img.height()
    );

    let (embed_ms, marked) = time(runs, || {
        let mut m = img.clone();
        embed(&mut m, 0x1234_5678_9ABC, MarkKey::TAMGA).expect("embeds");
        m
    });
    // The clone is part of each run: time it alone and take it off.
    let (clone_ms, _) = time(runs, || img.clone());
    let mut jpeg = Vec::new();
    let (encode_ms, _) = time(runs, || {
        jpeg.clear();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 75);
        marked.to_rgb8().write_with_encoder(enc).expect("encodes");
    });
    let (decode_ms, copy) = time(runs, || {
        image::load_from_memory_with_format(&jpeg, ImageFormat::Jpeg).expect("decodes")
    });
    let (detect_ms, found) = time(runs, || detect(&copy, MarkKey::TAMGA));
    assert_eq!(
        found.map(|d| d.payload),
        Some(0x1234_5678_9ABC),
        "the mark is read back"
    );
    let (unmarked_ms, none) = time(runs, || detect(&img, MarkKey::TAMGA));
    assert!(none.is_none());

    println!("| step | median |\n|---|---:|");
    println!(
        "| embed (pixels in memory) | {:.0} ms |",
        embed_ms - clone_ms
    );
    println!("| detect, marked JPEG 75 copy | {detect_ms:.0} ms |");
    println!("| detect, unmarked (every scale tried) | {unmarked_ms:.0} ms |");
    println!("| for scale: JPEG decode | {decode_ms:.0} ms |");
    println!("| for scale: JPEG encode (quality 75) | {encode_ms:.0} ms |");
}
