//! Times the Image-Code of a large JPEG, split into decoding and the
//! normalisation, on the calling thread (one core: nothing here spawns).
//!
//! ```text
//! cargo run --release -p tamga-fingerprint --example fp_time -- [PHOTO.jpg] [RUNS]
//! ```
//!
//! Without a photo, a 12-megapixel (4000×3000) JPEG is made with ffmpeg.
//! The target (issue 17): under 150 ms for the whole Image-Code.

#[path = "../tests/common/mod.rs"]
mod common;

use std::{
    io::{BufReader, Cursor},
    path::PathBuf,
    time::{Duration, Instant},
};

use tamga_fingerprint::DecodeLimits;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let photo = match args.next() {
        Some(p) => PathBuf::from(p),
        None => {
            let Some(ffmpeg) = common::tool("ffmpeg", "apt-get install ffmpeg") else {
                return;
            };
            let out = dir.path().join("12mp.jpg");
            // Texture everywhere (noise over a test pattern), so the
            // entropy decoder has a camera photo's work, not a flat one's.
            common::ffmpeg(
                &ffmpeg,
                &[
                    "-f",
                    "lavfi",
                    "-i",
                    "testsrc2=s=4000x3000:d=1:r=1,noise=alls=25:allf=t:all_seed=1",
                    "-frames:v",
                    "1",
                    "-q:v",
                    "2",
                    common::path(&out),
                ],
            );
            out
        }
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(15);
    let bytes = std::fs::read(&photo).expect("read the photo");
    let limits = DecodeLimits::default();

    let mut whole = Vec::new();
    let mut decode = Vec::new();
    let mut normalize = Vec::new();
    let mut scaled = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let mut d = jpeg_decoder::Decoder::new(Cursor::new(&bytes));
        d.read_info().expect("jpeg info");
        d.scale(500, 375).expect("scale");
        std::hint::black_box(d.decode().expect("scaled decode"));
        scaled.push(t.elapsed());

        let t = Instant::now();
        let code = tamga_fingerprint::image(BufReader::new(Cursor::new(&bytes)), &limits)
            .expect("image code");
        whole.push(t.elapsed());
        std::hint::black_box(code);

        let t = Instant::now();
        let img = image::load_from_memory(&bytes).expect("decode");
        decode.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(tamga_fingerprint::normalize(&img).expect("normalize"));
        normalize.push(t.elapsed());
    }
    let img = image::load_from_memory(&bytes).expect("decode");
    println!(
        "{}: {}×{} ({:.1} MP), {} runs",
        photo.display(),
        img.width(),
        img.height(),
        f64::from(img.width()) * f64::from(img.height()) / 1e6,
        runs
    );
    for (name, t) in [
        ("Image-Code, file bytes to code", &mut whole),
        ("  JPEG decode (zune-jpeg via image)", &mut decode),
        ("  trim + grey + 32x32 bicubic", &mut normalize),
        ("  JPEG decode at 1/8 (jpeg-decoder)", &mut scaled),
    ] {
        t.sort_unstable();
        println!(
            "{name:38} min {:7.1} ms  median {:7.1} ms",
            ms(t[0]),
            ms(t[t.len() / 2])
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
