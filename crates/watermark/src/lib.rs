//! Invisible watermarks: tamga's own ([`tamga_mark`]: embedded when
//! labelling, read back from copies that lost their label) and the ones
//! other generators put in their pixels, so an unlabelled image can still
//! be flagged as suspected AI.
//!
//! Only open, documented schemes are read: today the Stable Diffusion
//! watermark, `invisible-watermark`'s `dwtDct` method ([`sd_dwtdct`]),
//! which the SD 1, SD 2 and SDXL reference pipelines embed. A match is
//! evidence, not proof (anyone can embed these bits), hence "suspected".
//!
//! ```
//! let plain = image::RgbImage::from_pixel(320, 240, image::Rgb([90, 120, 200]));
//! assert!(tamga_watermark::sd_dwtdct::decode(&plain).is_none());
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// In tests an unwrap that fails is a failing test.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod audio_mark;
mod read;
pub mod sd_dwtdct;
mod splitmix;
pub mod tamga_mark;

pub use audio_mark::{
    AudioDetection, AudioDetector, AudioEmbedder, AudioKey, AudioMarkError, AudioPayload,
};
pub use read::{read_marks, read_sd_mark, read_tamga_mark, Marks, WatermarkError};
pub use sd_dwtdct::{SdMark, SdPayload, SdPipeline};
pub use tamga_media::DecodeLimits;
