//! tamga's own invisible image watermark: a keyed, tiled spread-spectrum
//! pattern in the luminance carrying a 48-bit payload, found again after
//! JPEG re-encoding, resizing and cropping. The design and its measured
//! robustness are in `docs/watermark.md`.
//!
//! ```
//! use tamga_watermark::tamga_mark::{detect, embed, MarkKey};
//! let mut img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(512, 384, |x, y| {
//!     image::Rgb([(x % 251) as u8, ((x * y) % 253) as u8, (y % 241) as u8])
//! }));
//! assert!(detect(&img, MarkKey::TAMGA).is_none());
//! let report = embed(&mut img, 0x1234_5678_9ABC, MarkKey::TAMGA).unwrap();
//! assert!(report.psnr_db >= 40.0);
//! assert_eq!(detect(&img, MarkKey::TAMGA).unwrap().payload, 0x1234_5678_9ABC);
//! ```

pub mod code;
mod detect;
mod embed;
mod fft;
mod pattern;
mod plane;
mod residual;

pub use detect::{detect, Detection, MAX_ATTEMPTS};
pub use embed::{embed, EmbedError, EmbedReport, MIN_SIDE};
pub use pattern::MarkKey;
