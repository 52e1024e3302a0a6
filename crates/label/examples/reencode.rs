//! The baseline for the badge benchmark (`bench/notice.sh`): what the
//! `image` crate alone takes to decode a JPEG and encode it again.
//!
//! And for the tone benchmark, what `hound` alone takes to decode and encode
//! a WAV.
//!
//!     reencode IN.jpg OUT.jpg QUALITY
//!     reencode --make W H OUT.jpg      # a photo-like test image
//!     reencode --wav IN.wav OUT.wav
//!     reencode --make-wav SECONDS OUT.wav   # 44.1 kHz stereo 16-bit
#![allow(clippy::unwrap_used)]

use std::{fs::File, io::BufWriter};

use image::codecs::jpeg::JpegEncoder;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args[0] == "--make" {
        let (w, h): (u32, u32) = (args[1].parse().unwrap(), args[2].parse().unwrap());
        // Smooth gradients with fine texture, so the encoder works as on a photo.
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            let n = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 27;
            image::Rgb([
                ((x * 255 / w) as u8).wrapping_add(n as u8),
                ((y * 255 / h) as u8).wrapping_add(n as u8),
                (((x + y) * 127 / (w + h)) as u8).wrapping_add(n as u8),
            ])
        });
        let out = BufWriter::new(File::create(&args[3]).unwrap());
        JpegEncoder::new_with_quality(out, 85)
            .encode_image(&img)
            .unwrap();
        return;
    }
    if args[0] == "--wav" {
        let r = hound::WavReader::open(&args[1]).unwrap();
        let spec = r.spec();
        let samples: Vec<i32> = r.into_samples::<i32>().map(Result::unwrap).collect();
        let mut w = hound::WavWriter::create(&args[2], spec).unwrap();
        for s in samples {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
        return;
    }
    if args[0] == "--make-wav" {
        let secs: u32 = args[1].parse().unwrap();
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&args[2], spec).unwrap();
        for i in 0..secs * 44_100 {
            let v = ((f64::from(i) * 0.031).sin() * 8000.0) as i16;
            w.write_sample(v).unwrap();
            w.write_sample(v / 2).unwrap();
        }
        w.finalize().unwrap();
        return;
    }
    let img = image::open(&args[0]).unwrap();
    let q: u8 = args[2].parse().unwrap();
    let out = BufWriter::new(File::create(&args[1]).unwrap());
    JpegEncoder::new_with_quality(out, q)
        .encode_image(&img)
        .unwrap();
}
