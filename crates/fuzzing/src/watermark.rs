//! The watermark readers: tamga's own detector and the Stable Diffusion
//! reader, on any bytes (as a file) and on any pixels.

use std::io::Cursor;

use tamga_media::DecodeLimits;
use tamga_watermark::tamga_mark::{detect, embed, MarkKey};

/// Decoding limits small enough that a fuzzer's image stays cheap.
fn limits() -> DecodeLimits {
    let mut l = DecodeLimits::default();
    l.max_pixels = 1 << 20;
    l.max_decoded_bytes = 64 << 20;
    l
}

/// Both readers on the bytes as a file never panic; the bytes as the RGB
/// pixels of an image (first byte: its width) never make the detector
/// panic, and a mark embedded into them is either refused or read back
/// without a panic.
pub fn watermark(data: &[u8]) {
    let _ = tamga_watermark::read_tamga_mark(Cursor::new(data), &limits());
    let _ = tamga_watermark::read_sd_mark(Cursor::new(data), &limits());
    let Some((&w, pixels)) = data.split_first() else {
        return;
    };
    // Widths around the detector's edges: 64 to 319 pixels.
    let width = 64 + u32::from(w);
    let height = (pixels.len() / 3) as u32 / width;
    if height == 0 {
        return;
    }
    let used = (width * height * 3) as usize;
    let Some(rgb) = image::RgbImage::from_raw(width, height, pixels[..used].to_vec()) else {
        return;
    };
    let mut img = image::DynamicImage::ImageRgb8(rgb);
    let _ = detect(&img, MarkKey::TAMGA);
    if embed(&mut img, 0x1234_5678_9ABC, MarkKey::TAMGA).is_ok() {
        let _ = detect(&img, MarkKey::TAMGA);
    }
}
