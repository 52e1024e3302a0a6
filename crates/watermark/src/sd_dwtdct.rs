//! The Stable Diffusion watermark: `invisible-watermark`'s `dwtDct`
//! method (`imwatermark/maxDct.py`), as the SD 1, SD 2 and SDXL reference
//! pipelines embed it.
//!
//! The embedder converts BGR to YUV (OpenCV), takes one level of the Haar
//! wavelet of the U channel only (its scales are `[0, 36, 36]` but it
//! loops over channels 0 and 1), cuts the approximation band into 4×4
//! blocks in row-major order and gives block `n` bit `n % len`: in each
//! block the coefficient of largest magnitude other than the first is
//! quantised so that `|c| mod 36` lands at 9 (bit 0) or 27 (bit 1).
//! Despite the name no DCT is taken in this method. Rows and columns past
//! the last multiple of 4 are left out, as here. The reader averages each
//! bit's block votes and rounds (`mean * 255 > 127`), which
//! [`decode`] reproduces bit for bit on uint8 images.
//!
//! SDXL marks a float image (0..255, not 0..1) and OpenCV's float YUV
//! puts U around 0.5 instead of 128, so its marks sit 255 lower in the
//! wavelet band; both domains are read and the better match is kept.

use serde::Serialize;

/// Quantisation step of the reference (`scales=[0,36,36]`).
const SCALE: f64 = 36.0;
/// Side of the blocks in the wavelet band.
const BLOCK: usize = 4;
/// pywt's Haar filter tap, `1/sqrt(2)` as pywt stores it.
const HAAR: f64 = std::f64::consts::FRAC_1_SQRT_2;
/// The reference refuses images under 256×256 pixels in area.
const MIN_AREA: u64 = 256 * 256;

/// The payloads known to be embedded by Stable Diffusion pipelines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SdPayload {
    /// `b"StableDiffusionV1"` (136 bits): the CompVis SD 1 scripts.
    StableDiffusionV1,
    /// `b"SDV2"` (32 bits): Stability's SD 2 scripts.
    Sdv2,
    /// 48 bits `0xB3EC907BB19E`: SDXL (Stability's sgm, diffusers).
    Sdxl,
}

impl SdPayload {
    /// Every known payload, in the order they are tried.
    pub const ALL: [SdPayload; 3] = [Self::Sdv2, Self::Sdxl, Self::StableDiffusionV1];

    /// The embedded bytes (bits most significant first, as
    /// `np.unpackbits` orders them).
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Self::StableDiffusionV1 => b"StableDiffusionV1",
            Self::Sdv2 => b"SDV2",
            Self::Sdxl => &[0xB3, 0xEC, 0x90, 0x7B, 0xB1, 0x9E],
        }
    }

    /// Length of the payload in bits.
    pub fn bits(self) -> usize {
        self.bytes().len() * 8
    }

    /// Most bit errors a decode may have and still count as this payload.
    /// Unmarked pixels decode to bits that agree with a payload like coin
    /// flips, so the chance that one of the 3 payloads × 2 domains tried
    /// matches an unmarked image by luck is the binomial tail
    /// P(errors ≤ k) for n fair coins: ≤ 2 of 32 gives 1.2e-7, ≤ 6 of 48
    /// gives 5.0e-8, ≤ 36 of 136 gives 1.9e-8 (checked in a test), so at most
    /// about one image in a million is flagged by chance. A marked PNG
    /// decodes with 0–2 errors (the reference reader has the same errors:
    /// some blocks' largest coefficient changes when marked), far inside.
    pub fn max_errors(self) -> u32 {
        match self {
            Self::Sdv2 => 2,
            Self::Sdxl => 6,
            Self::StableDiffusionV1 => 36,
        }
    }

    /// The payload's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::StableDiffusionV1 => "StableDiffusionV1",
            Self::Sdv2 => "SDV2",
            Self::Sdxl => "SDXL",
        }
    }
}

/// Which embedding pipeline the mark was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SdPipeline {
    /// uint8 image marked, then saved (SD 1, SD 2 scripts).
    Uint8,
    /// float image marked, then rounded when saved (SDXL).
    Float,
}

/// A Stable Diffusion watermark found in an image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SdMark {
    /// Which known payload the bits match.
    pub payload: SdPayload,
    /// The domain it was read in.
    pub pipeline: SdPipeline,
    /// Bits that differ from the payload.
    pub bit_errors: u32,
    /// Share of the payload's bits decoded right (1.0: all).
    pub confidence: f64,
}

/// Looks for a known Stable Diffusion watermark in `image`: `None` when
/// the image is too small for the reference (under 256×256 in area) or
/// no payload matches within [`SdPayload::max_errors`].
pub fn decode(image: &image::RgbImage) -> Option<SdMark> {
    let (w, h) = image.dimensions();
    if u64::from(w) * u64::from(h) < MIN_AREA {
        return None;
    }
    let mut best: Option<SdMark> = None;
    for pipeline in [SdPipeline::Uint8, SdPipeline::Float] {
        let scores = block_scores(image, pipeline);
        for payload in SdPayload::ALL {
            let Some(bits) = vote(&scores, payload.bits()) else {
                continue;
            };
            let errors = bit_errors(&bits, payload.bytes());
            if errors > payload.max_errors() {
                continue;
            }
            let confidence = 1.0 - f64::from(errors) / payload.bits() as f64;
            if best.is_none_or(|b| confidence > b.confidence) {
                best = Some(SdMark {
                    payload,
                    pipeline,
                    bit_errors: errors,
                    confidence,
                });
            }
        }
    }
    best
}

/// The reference decoder's bits for a payload of `len` bits read in
/// `pipeline`'s domain (what `WatermarkDecoder('bits', len)` returns for
/// uint8 images); `None` when the image is too small.
pub fn decode_bits(image: &image::RgbImage, pipeline: SdPipeline, len: usize) -> Option<Vec<bool>> {
    let (w, h) = image.dimensions();
    if u64::from(w) * u64::from(h) < MIN_AREA {
        return None;
    }
    vote(&block_scores(image, pipeline), len)
}

/// Per-bit majority over the blocks that carry it, rounded as the
/// reference rounds (`mean * 255 > 127`); `None` when some bit has no
/// block at all.
fn vote(scores: &[bool], len: usize) -> Option<Vec<bool>> {
    if len == 0 || scores.len() < len {
        return None;
    }
    let mut ones = vec![0u64; len];
    let mut total = vec![0u64; len];
    for (n, &s) in scores.iter().enumerate() {
        total[n % len] += 1;
        ones[n % len] += u64::from(s);
    }
    Some(
        ones.iter()
            .zip(&total)
            .map(|(&o, &t)| o as f64 / t as f64 * 255.0 > 127.0)
            .collect(),
    )
}

/// Bits of `bits` that differ from `payload`'s, most significant first.
fn bit_errors(bits: &[bool], payload: &[u8]) -> u32 {
    let expected = payload
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1 == 1));
    bits.iter().zip(expected).filter(|(a, b)| **a != *b).count() as u32
}

/// One vote per 4×4 block of the U channel's Haar approximation band, in
/// the embedder's order.
fn block_scores(image: &image::RgbImage, pipeline: SdPipeline) -> Vec<bool> {
    let rows = image.height() as usize / 4 * 4;
    let cols = image.width() as usize / 4 * 4;
    let (band_rows, band_cols) = (rows / 2, cols / 2);
    let band = u_haar_approximation(image, band_rows, band_cols, pipeline);
    let mut scores = Vec::with_capacity((band_rows / BLOCK) * (band_cols / BLOCK));
    for bi in 0..band_rows / BLOCK {
        for bj in 0..band_cols / BLOCK {
            // The largest magnitude among the block's coefficients 1..16,
            // the first such in row-major order (as `np.argmax`).
            let mut max = -1.0f64;
            for k in 1..BLOCK * BLOCK {
                let v = band[(bi * BLOCK + k / BLOCK) * band_cols + bj * BLOCK + k % BLOCK].abs();
                if v > max {
                    max = v;
                }
            }
            scores.push(max % SCALE > 0.5 * SCALE);
        }
    }
    scores
}

/// The U channel of a pixel as OpenCV's `cvtColor(BGR2YUV)` computes it:
/// for uint8 its 14-bit fixed point (checked equal on all 2^24 colours),
/// for float its float formula with the 0.5 offset of 0..1 images.
fn u_of(rgb: [u8; 3], pipeline: SdPipeline) -> f64 {
    let [r, g, b] = rgb;
    match pipeline {
        SdPipeline::Uint8 => {
            let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
            let luma = (r * 4899 + g * 9617 + b * 1868 + (1 << 13)) >> 14;
            f64::from((((b - luma) * 8061 + (128 << 14) + (1 << 13)) >> 14).clamp(0, 255))
        }
        SdPipeline::Float => {
            let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
            let luma = r * 0.299 + g * 0.587 + b * 0.114;
            f64::from((b - luma) * 0.492 + 0.5)
        }
    }
}

/// The approximation band (`rows × cols`) of one level of pywt's
/// `dwt2(…, 'haar')` of the image's U plane: rows paired first, then
/// columns, each as `h·a + h·b`, so the values (and the `mod 36` decisions)
/// are pywt's. The U plane is never stored: each 2×2 cell's four values
/// are computed where the band needs them (the plane, at 8 bytes a pixel,
/// cost more in page faults than in arithmetic).
fn u_haar_approximation(
    image: &image::RgbImage,
    rows: usize,
    cols: usize,
    pipeline: SdPipeline,
) -> Vec<f64> {
    let stride = image.width() as usize * 3;
    let raw = image.as_raw();
    let mut band = Vec::with_capacity(rows * cols);
    for i in 0..rows {
        let top = &raw[2 * i * stride..][..6 * cols];
        let bottom = &raw[(2 * i + 1) * stride..][..6 * cols];
        for (t, b) in top.chunks_exact(6).zip(bottom.chunks_exact(6)) {
            let u = |p: &[u8]| u_of([p[0], p[1], p[2]], pipeline);
            let left = HAAR * u(&t[..3]) + HAAR * u(&b[..3]);
            let right = HAAR * u(&t[3..]) + HAAR * u(&b[3..]);
            band.push(HAAR * left + HAAR * right);
        }
    }
    band
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P(X ≤ k) for X ~ Binomial(n, 1/2).
    fn binomial_tail(n: u64, k: u64) -> f64 {
        let mut c = 1.0f64;
        let mut sum = 0.0;
        for i in 0..=k {
            if i > 0 {
                c = c * (n - i + 1) as f64 / i as f64;
            }
            sum += c;
        }
        sum / 2f64.powi(n as i32)
    }

    #[test]
    fn a_chance_match_on_unmarked_pixels_is_under_one_in_a_million() {
        let total: f64 = SdPayload::ALL
            .iter()
            .map(|p| 2.0 * binomial_tail(p.bits() as u64, u64::from(p.max_errors())))
            .sum();
        assert!(total < 1e-6, "{total}");
    }

    #[test]
    fn payload_bits_are_most_significant_first() {
        let ones: Vec<bool> = (0..8).map(|i| i < 2).collect();
        assert_eq!(bit_errors(&ones, &[0b1100_0000]), 0);
        assert_eq!(bit_errors(&ones, &[0b0100_0001]), 2);
        assert_eq!(SdPayload::Sdxl.bits(), 48);
        assert_eq!(SdPayload::StableDiffusionV1.bits(), 136);
    }

    #[test]
    fn a_tie_votes_one_as_the_reference_rounds() {
        assert_eq!(vote(&[true, false, false, true], 2), Some(vec![true, true]));
        assert_eq!(vote(&[true], 2), None);
    }

    #[test]
    fn small_and_flat_images_carry_no_mark() {
        assert!(decode(&image::RgbImage::new(255, 255)).is_none());
        let flat = image::RgbImage::from_pixel(640, 480, image::Rgb([200, 30, 90]));
        assert!(decode(&flat).is_none());
    }
}
