//! The 32×32 bicubic reduction of the ISCC image normalisation.
//!
//! The ISCC reference (iscc-sdk) resizes with Pillow's `Image.resize(…,
//! BICUBIC)`: a separable convolution whose bicubic kernel (a = −0.5) is
//! widened by the scale factor, so every source pixel counts (it is an
//! antialiasing filter, not a 4×4 point sample). The same arithmetic is
//! done here — kernel, window bounds, fixed-point weights with 22
//! fractional bits, an 8-bit intermediate after the horizontal pass — so
//! the 1024 grey values match the reference's and the Image-Codes agree
//! bit for bit on the same pixels.
//!
//! The horizontal pass takes one grey row at a time from a callback, so the
//! caller converts colour to grey row by row: a 12-megapixel photo is read
//! once, and neither a grey copy nor an RGBA copy of it is ever allocated.

/// The side of the normalised image.
pub(crate) const SIDE: usize = 32;

/// Fractional bits of the fixed-point weights (Pillow's, for 8-bit data:
/// 32 − 8 − 2, so a sum of products cannot overflow an `i32`).
const PRECISION_BITS: u32 = 22;

/// Keys' cubic convolution kernel with a = −0.5 (Catmull–Rom), support 2.
fn bicubic(x: f64) -> f64 {
    const A: f64 = -0.5;
    let x = x.abs();
    if x < 1.0 {
        ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        (((x - 5.0) * x + 8.0) * x - 4.0) * A
    } else {
        0.0
    }
}

/// The window and fixed-point weights of each output sample along one axis.
struct Coefficients {
    /// Input window (first index, length) of each output sample.
    window: Vec<(usize, usize)>,
    /// Weights of each output sample, `taps` apiece, zero-padded.
    weights: Vec<i32>,
    taps: usize,
}

impl Coefficients {
    fn new(in_size: usize, out_size: usize) -> Self {
        let scale = in_size as f64 / out_size as f64;
        let filter_scale = scale.max(1.0);
        let support = 2.0 * filter_scale;
        let taps = support.ceil() as usize * 2 + 1;
        let mut window = Vec::with_capacity(out_size);
        let mut weights = vec![0i32; out_size * taps];
        let mut k = vec![0f64; taps];
        for (xx, row) in weights.chunks_exact_mut(taps).enumerate() {
            let center = (xx as f64 + 0.5) * scale;
            // C's truncating casts, as in the reference, then clamped.
            let xmin = ((center - support + 0.5) as i64).max(0) as usize;
            let xmax = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
            let n = xmax.saturating_sub(xmin).min(taps);
            let mut total = 0.0;
            for (x, w) in k.iter_mut().enumerate().take(n) {
                *w = bicubic((x as f64 + xmin as f64 - center + 0.5) / filter_scale);
                total += *w;
            }
            for (x, out) in row.iter_mut().enumerate().take(n) {
                let w = if total != 0.0 { k[x] / total } else { 0.0 };
                let fixed = w * f64::from(1u32 << PRECISION_BITS);
                *out = if fixed < 0.0 {
                    (fixed - 0.5) as i32
                } else {
                    (fixed + 0.5) as i32
                };
            }
            window.push((xmin, n));
        }
        Self {
            window,
            weights,
            taps,
        }
    }

    /// Output sample `i` of `input`, rounded and clamped to 8 bits.
    fn sample(&self, i: usize, input: &[u8]) -> u8 {
        let (first, n) = self.window[i];
        let weights = &self.weights[i * self.taps..i * self.taps + n];
        // The window lies within the input by construction.
        let pixels = input.get(first..first + n).unwrap_or_default();
        let mut sum: i32 = 1 << (PRECISION_BITS - 1);
        for (&v, &w) in pixels.iter().zip(weights) {
            sum += i32::from(v) * w;
        }
        (sum >> PRECISION_BITS).clamp(0, 255) as u8
    }
}

/// Reduces a `width` × `height` grey image to 32×32. `row(y, buf)` fills
/// `buf` (`width` bytes) with grey row `y`; rows are asked for in order.
/// Both sides must be at least 1.
pub(crate) fn to_32x32(
    width: usize,
    height: usize,
    mut row: impl FnMut(usize, &mut [u8]),
) -> [u8; SIDE * SIDE] {
    let horizontal = Coefficients::new(width, SIDE);
    let vertical = Coefficients::new(height, SIDE);
    // The horizontal pass: `height` rows of 32, stored column-major so the
    // vertical pass reads each column contiguously.
    let mut columns = vec![0u8; SIDE * height];
    let mut line = vec![0u8; width];
    for y in 0..height {
        row(y, &mut line);
        for x in 0..SIDE {
            columns[x * height + y] = horizontal.sample(x, &line);
        }
    }
    let mut out = [0u8; SIDE * SIDE];
    for x in 0..SIDE {
        let column = &columns[x * height..(x + 1) * height];
        for y in 0..SIDE {
            out[y * SIDE + x] = vertical.sample(y, column);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uniform_image_stays_uniform_at_any_scale() {
        for (w, h) in [(1, 1), (7, 300), (32, 32), (1000, 33)] {
            let out = to_32x32(w, h, |_, buf| buf.fill(77));
            assert!(out.iter().all(|&v| v == 77), "{w}x{h}");
        }
    }

    #[test]
    fn the_32x32_identity_keeps_every_pixel() {
        let out = to_32x32(32, 32, |y, buf| {
            for (x, v) in buf.iter_mut().enumerate() {
                *v = (x * 7 + y * 3) as u8;
            }
        });
        for y in 0..SIDE {
            for x in 0..SIDE {
                assert_eq!(out[y * SIDE + x], (x * 7 + y * 3) as u8);
            }
        }
    }

    #[test]
    fn weights_sum_to_one_in_fixed_point() {
        for (i, o) in [(4000, 32), (33, 32), (5, 32)] {
            let c = Coefficients::new(i, o);
            for row in c.weights.chunks_exact(c.taps) {
                let sum: i32 = row.iter().sum();
                assert!(
                    (sum - (1 << PRECISION_BITS)).abs() <= c.taps as i32,
                    "{i}->{o}"
                );
            }
        }
    }
}
