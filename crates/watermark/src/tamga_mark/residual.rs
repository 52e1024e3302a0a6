//! The detector's input: the luminance's mid-frequency residual, weighted
//! by where the mark can be.
//!
//! A 3 × 3 box mean minus a 9 × 9 one keeps the mark's band and drops most
//! of the picture. It is weighted by the embedder's own masking amplitude
//! (recomputed from the received picture) over the residual's local
//! energy, so quiet areas that carry a faint mark count as much as busy
//! ones that drown a strong one; then clipped at 2.5 × its mean magnitude
//! so no edge outvotes the rest.
//!
//! All the box filters are computed in two passes down the image, a row
//! at a time, from a few rows around it (which stay in cache): the first
//! gives the band-pass residual and the masking amplitude, the second the
//! residual's local energy and the weighted result. Three image-sized
//! buffers in all, where filtering plane by plane took a dozen.

use crate::tamga_mark::{
    embed::{amplitude, MASK_RADIUS},
    plane::{inverse_counts, Padded, Plane},
};

/// Radius of the fine box (3 × 3).
const FINE: usize = 1;
/// Radius of the coarse box (9 × 9).
const COARSE: usize = 4;
/// Radius of the box the residual's local energy is measured over (7 × 7).
const ENERGY: usize = 3;
/// Residual energy (grey levels squared) every pixel is assumed to carry
/// besides the picture: rounding and compression noise.
const NOISE_FLOOR: f32 = 1.0;
/// Clip at this many times the weighted residual's mean magnitude.
const CLIP: f64 = 2.5;

// The first pass grows the fine box's column sums into the masking box's,
// then into the coarse box's.
const _: () = assert!(FINE <= MASK_RADIUS && MASK_RADIUS <= COARSE);

/// The weighted, clipped residual of `luma` (see the module's comment).
pub(super) fn residual(luma: &Plane) -> Plane {
    let (w, h) = (luma.width, luma.height);
    let mut band = vec![0f32; w * h];
    let mut weighted = vec![0f32; w * h];
    // Pass 1: band = fine − coarse mean; weighted = masking amplitude.
    {
        let (inv_fine, inv_coarse, inv_mask) = (
            inverse_counts(w, FINE),
            inverse_counts(w, COARSE),
            inverse_counts(w, MASK_RADIUS),
        );
        let mut fine = Padded::new(w, FINE);
        let mut mask = Padded::new(w, MASK_RADIUS);
        let mut coarse = Padded::new(w, COARSE);
        let mut square = Padded::new(w, MASK_RADIUS);
        let (mut s_fine, mut s_coarse) = (vec![0f32; w], vec![0f32; w]);
        let (mut s_mask, mut s_square) = (vec![0f32; w], vec![0f32; w]);
        for (y, (band_row, amp_row)) in band
            .chunks_exact_mut(w)
            .zip(weighted.chunks_exact_mut(w))
            .enumerate()
        {
            let lo = |r: usize| y.saturating_sub(r);
            let hi = |r: usize| (y + r + 1).min(h);
            // Column sums over the rows within each radius, each box's
            // grown from the smaller one's.
            fine.set_row(luma.row(lo(FINE)));
            (lo(FINE) + 1..hi(FINE)).for_each(|yy| fine.add_row(luma.row(yy)));
            mask.set_row(fine.values());
            (lo(MASK_RADIUS)..lo(FINE))
                .chain(hi(FINE)..hi(MASK_RADIUS))
                .for_each(|yy| mask.add_row(luma.row(yy)));
            coarse.set_row(mask.values());
            (lo(COARSE)..lo(MASK_RADIUS))
                .chain(hi(MASK_RADIUS)..hi(COARSE))
                .for_each(|yy| coarse.add_row(luma.row(yy)));
            square.clear();
            (lo(MASK_RADIUS)..hi(MASK_RADIUS)).for_each(|yy| square.add_square(luma.row(yy)));
            // Along the row.
            fine.box_sum(FINE, &mut s_fine);
            coarse.box_sum(COARSE, &mut s_coarse);
            mask.box_sum(MASK_RADIUS, &mut s_mask);
            square.box_sum(MASK_RADIUS, &mut s_square);
            let inv_y = |r: usize| 1.0 / (hi(r) - lo(r)) as f32;
            let (fy, cy, my) = (inv_y(FINE), inv_y(COARSE), inv_y(MASK_RADIUS));
            for (x, b) in band_row.iter_mut().enumerate() {
                *b = s_fine[x] * inv_fine[x] * fy - s_coarse[x] * inv_coarse[x] * cy;
            }
            for (x, a) in amp_row.iter_mut().enumerate() {
                let k = inv_mask[x] * my;
                *a = amplitude(s_mask[x] * k, s_square[x] * k);
            }
        }
    }
    // Pass 2: weighted = band × amplitude / (local energy + noise).
    let inv_energy = inverse_counts(w, ENERGY);
    let mut energy = Padded::new(w, ENERGY);
    let mut s_energy = vec![0f32; w];
    let mut total = 0f64;
    for (y, out) in weighted.chunks_exact_mut(w).enumerate() {
        let rows = y.saturating_sub(ENERGY)..(y + ENERGY + 1).min(h);
        let ey = 1.0 / rows.len() as f32;
        energy.clear();
        for yy in rows {
            energy.add_square(&band[yy * w..(yy + 1) * w]);
        }
        energy.box_sum(ENERGY, &mut s_energy);
        let band_row = &band[y * w..(y + 1) * w];
        for (x, v) in out.iter_mut().enumerate() {
            let e = s_energy[x] * inv_energy[x] * ey;
            *v *= band_row[x] / (e + NOISE_FLOOR);
        }
        total += out.iter().map(|v| f64::from(v.abs())).sum::<f64>();
    }
    let clip = (CLIP * total / weighted.len().max(1) as f64) as f32;
    if clip > 0.0 {
        weighted.iter_mut().for_each(|v| *v = v.clamp(-clip, clip));
    }
    Plane {
        width: w,
        height: h,
        data: weighted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tamga_mark::embed::masking_amplitude;

    /// The residual as first written, one whole-plane box filter at a time:
    /// the two-pass version must compute the same thing.
    fn plane_by_plane(luma: &Plane) -> Vec<f32> {
        let fine = luma.box_mean(FINE);
        let coarse = luma.box_mean(COARSE);
        let band: Vec<f32> = fine
            .data
            .iter()
            .zip(&coarse.data)
            .map(|(a, b)| a - b)
            .collect();
        let amplitude = masking_amplitude(luma);
        let energy = Plane {
            width: luma.width,
            height: luma.height,
            data: band.iter().map(|v| v * v).collect(),
        }
        .box_mean(ENERGY);
        let mut out: Vec<f32> = band
            .iter()
            .zip(&amplitude)
            .zip(&energy.data)
            .map(|((v, a), e)| v * a / (e + NOISE_FLOOR))
            .collect();
        let mean = out.iter().map(|v| f64::from(v.abs())).sum::<f64>() / out.len() as f64;
        let clip = (CLIP * mean) as f32;
        out.iter_mut().for_each(|v| *v = v.clamp(-clip, clip));
        out
    }

    #[test]
    fn the_two_passes_match_the_plane_by_plane_filters() {
        // Texture, edges and a flat patch, on a plane narrower than the
        // coarse box near its borders in neither direction.
        for (w, h) in [(37, 29), (9, 40)] {
            let data: Vec<f32> = (0..w * h)
                .map(|i| {
                    let (x, y) = (i % w, i / w);
                    if x < 4 && y < 6 {
                        90.0
                    } else {
                        ((x * 37 + y * 91 + x * y * 7) % 223) as f32
                            + if x > w / 2 { 30.0 } else { 0.0 }
                    }
                })
                .collect();
            let luma = Plane {
                width: w,
                height: h,
                data,
            };
            let want = plane_by_plane(&luma);
            let got = residual(&luma);
            assert_eq!((got.width, got.height), (w, h));
            for (i, (g, e)) in got.data.iter().zip(&want).enumerate() {
                assert!((g - e).abs() <= 1e-3 * e.abs().max(1.0), "{i}: {g} vs {e}");
            }
        }
    }
}
