//! Embedding: the keyed tile, scaled per pixel by how much the image
//! around it can hide, added to the luminance.
//!
//! Masking model: the eye misses a change that is small against the local
//! contrast. The amplitude at a pixel is `1 + 0.25 σ` grey levels (σ the
//! standard deviation of luminance over the 7 × 7 pixels around it), capped
//! at 5: one grey level on flat sky or skin (smooth, so rounding turns it
//! into sparse single-level steps), up to 5 in texture, where it cannot be told from
//! the texture. The whole mark is then scaled down if needed so its RMS
//! stays at or under 2.4 grey levels: PSNR ≥ 40.5 dB against the image.

use image::DynamicImage;

use crate::tamga_mark::{
    code,
    pattern::{self, Layout, MarkKey, TILE},
    plane::Plane,
};

/// Amplitude on a flat area, in grey levels (0..255).
const FLOOR: f32 = 1.0;
/// Amplitude added per grey level of local standard deviation.
const GAIN: f32 = 0.25;
/// Largest amplitude, in grey levels.
const CEILING: f32 = 5.0;
/// Largest RMS of the whole mark: 20·log10(255 / 2.4) = 40.5 dB.
const MAX_RMS: f32 = 2.4;

/// What embedding did to the pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmbedReport {
    /// Peak signal-to-noise ratio of the marked image against the original,
    /// over every colour sample, in dB.
    pub psnr_db: f64,
}

/// Why an image cannot carry the mark.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EmbedError {
    /// Too small to hold two tiles across: the detector could not find the
    /// mark again.
    #[error("the image is {width}×{height}; a watermark needs at least {min}×{min} pixels")]
    TooSmall {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// Smallest side accepted.
        min: u32,
    },
    /// Floating-point pixels are not marked.
    #[error("{0} images cannot carry the watermark (8- and 16-bit samples can)")]
    Layout(String),
}

/// Smallest side of a markable image: two tiles, so that even halved it
/// still holds a whole tile for the detector to fold.
pub const MIN_SIDE: u32 = 2 * TILE as u32;

/// Embeds the 48-bit `payload` (higher bits ignored) into `img`'s stored
/// pixels, in its own sample type. Alpha is left alone.
pub fn embed(
    img: &mut DynamicImage,
    payload: u64,
    key: MarkKey,
) -> Result<EmbedReport, EmbedError> {
    let (w, h) = (img.width(), img.height());
    if w < MIN_SIDE || h < MIN_SIDE {
        return Err(EmbedError::TooSmall {
            width: w,
            height: h,
            min: MIN_SIDE,
        });
    }
    let delta = delta_field(img, payload, key);
    let sse = match img {
        DynamicImage::ImageLuma8(b) => add(b, (1, 1), &delta),
        DynamicImage::ImageLumaA8(b) => add(b, (2, 1), &delta),
        DynamicImage::ImageRgb8(b) => add(b, (3, 3), &delta),
        DynamicImage::ImageRgba8(b) => add(b, (4, 3), &delta),
        DynamicImage::ImageLuma16(b) => add(b, (1, 1), &delta),
        DynamicImage::ImageLumaA16(b) => add(b, (2, 1), &delta),
        DynamicImage::ImageRgb16(b) => add(b, (3, 3), &delta),
        DynamicImage::ImageRgba16(b) => add(b, (4, 3), &delta),
        other => return Err(EmbedError::Layout(format!("{:?}", other.color()))),
    };
    let mse = sse / delta.len() as f64;
    let psnr_db = if mse > 0.0 {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    } else {
        f64::INFINITY
    };
    Ok(EmbedReport { psnr_db })
}

/// The change to luminance at every pixel, in grey levels.
fn delta_field(img: &DynamicImage, payload: u64, key: MarkKey) -> Vec<f32> {
    let layout = Layout::new(key);
    let tile = pattern::tile(&layout.chips(&code::encode(payload)));
    let y = Plane::luma(img);
    let amplitude = masking_amplitude(&y);
    let w = y.width;
    let mut delta = vec![0f32; amplitude.len()];
    let mut energy = 0f64;
    for (i, (d, amp)) in delta.iter_mut().zip(&amplitude).enumerate() {
        let (row, col) = (i / w, i % w);
        *d = amp * tile[(row % TILE) * TILE + col % TILE];
        energy += f64::from(*d * *d);
    }
    let rms = (energy / delta.len() as f64).sqrt() as f32;
    if rms > MAX_RMS {
        let k = MAX_RMS / rms;
        delta.iter_mut().for_each(|d| *d *= k);
    }
    delta
}

/// The masking model: how many grey levels of mark each pixel can hide,
/// from the standard deviation of luminance over the 7 × 7 pixels around
/// it.
pub(super) fn masking_amplitude(y: &Plane) -> Vec<f32> {
    let mean = y.box_mean(MASK_RADIUS);
    let sq = Plane {
        width: y.width,
        height: y.height,
        data: y.data.iter().map(|v| v * v).collect(),
    }
    .box_mean(MASK_RADIUS);
    mean.data
        .iter()
        .zip(&sq.data)
        .map(|(&m, &s)| amplitude(m, s))
        .collect()
}

/// Radius of the masking model's box: 7 × 7 pixels.
pub(super) const MASK_RADIUS: usize = 3;

/// The masking amplitude of a pixel whose box has luminance mean `m` and
/// mean square `s`.
pub(super) fn amplitude(m: f32, s: f32) -> f32 {
    (FLOOR + GAIN * (s - m * m).max(0.0).sqrt()).min(CEILING)
}

/// An 8- or 16-bit sample: its grey-level unit and largest value.
trait Sample: Copy {
    /// One 8-bit grey level in this sample's units.
    const UNIT: f32;
    /// The largest value.
    const MAX: f32;
    fn get(self) -> f32;
    /// `v` is integral and within 0..=MAX: the cast is exact.
    fn set(v: f32) -> Self;
}

impl Sample for u8 {
    const UNIT: f32 = 1.0;
    const MAX: f32 = 255.0;
    fn get(self) -> f32 {
        f32::from(self)
    }
    fn set(v: f32) -> Self {
        v as u8
    }
}

impl Sample for u16 {
    const UNIT: f32 = 257.0;
    const MAX: f32 = 65535.0;
    fn get(self) -> f32 {
        f32::from(self)
    }
    fn set(v: f32) -> Self {
        v as u16
    }
}

/// Adds `delta` (grey levels) to the first `colour` of every `stride`
/// samples, rounding and clamping; returns the squared error summed over
/// the pixels, averaged over their colour channels, in 8-bit units.
fn add<S: Sample>(samples: &mut [S], (stride, colour): (usize, usize), delta: &[f32]) -> f64 {
    let mut sse = 0f64;
    for (pixel, &d) in samples.chunks_exact_mut(stride).zip(delta) {
        for c in pixel.iter_mut().take(colour) {
            let old = c.get();
            let new = (old + d * S::UNIT).round().clamp(0.0, S::MAX);
            let diff = f64::from((new - old) / S::UNIT);
            sse += diff * diff / colour as f64;
            *c = S::set(new);
        }
    }
    sse
}
