//! The watermark detector's false-positive check: runs it over every image
//! given (unmarked ones: `bench/watermark-unmarked.sh` and the corpus of
//! `bench/watermark-corpus.sh`) and counts detections, which must be none.
//!
//! ```text
//! cargo run --release -p tamga-watermark --example wm_unmarked -- IMAGE...
//! ```

use std::time::Instant;

use tamga_watermark::tamga_mark::{detect, Detection, MarkKey};

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let (mut read, mut skipped, mut found) = (0usize, 0usize, 0usize);
    for file in &files {
        let Ok(img) = image::open(file) else {
            skipped += 1;
            continue;
        };
        read += 1;
        if let Some(d) = detect(&img, MarkKey::TAMGA) {
            found += 1;
            eprintln!("DETECTED in {file}: {d:?}");
        }
    }
    println!(
        "{read} unmarked images read ({skipped} undecodable), {found} detections, in {:.0} s; \
         bound per image {:.1e}",
        started.elapsed().as_secs_f64(),
        Detection::false_positive_bound()
    );
}
