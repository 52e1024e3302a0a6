//! Detection: find the tile period (scale), fold the image onto one tile,
//! find where tiles start (shift), read the chips and decode.
//!
//! 1. The luminance's mid-frequency residual (a 3 × 3 box mean minus a
//!    9 × 9 one, which keeps the mark's band and drops most of the
//!    picture), clipped at 2.5 × its mean magnitude so strong edges do not
//!    outvote everything else.
//! 2. Scale: a repeated tile makes the residual's autocorrelation peak at
//!    multiples of its period. Period 128 (no resize) is tried first, then
//!    the strongest peaks of the (spectrally whitened) autocorrelation
//!    along the rows, the columns and the diagonal, each at its sub-pixel
//!    maximum.
//! 3. For a period `L`, the residual is sampled back onto the 128-pixel
//!    grid and every tile summed into one: the mark adds up, the picture
//!    averages out.
//! 4. Shift: the folded tile is whitened (each frequency divided by the
//!    root of the power around it, so a texture that folds up as
//!    coherently as the mark does not drown it); its circular correlation
//!    with the synchronisation pattern peaks where tiles start.
//! 5. Each chip's value is the folded tile weighted by the chip's shape;
//!    each coded bit sums its chips times their spreading signs; soft
//!    Viterbi decodes; the CRC and the distance test accept or refuse.
//!
//! Each period tried is one decode attempt; at most [`MAX_ATTEMPTS`], so
//! the chance of a false detection per image is at most that many times
//! [`code::false_positive_bound`].

use image::DynamicImage;

use crate::tamga_mark::{
    code::{self, CODED_BITS},
    fft::{self, Correlator},
    pattern::{self, hat, Layout, MarkKey, CHIP, CHIPS, TILE},
    plane::Plane,
    residual::residual,
};

/// Side of the central window whose autocorrelation gives the period.
const ACF_WINDOW: usize = 1024;
/// Most tile-grid samples folded per attempt (a 2048 × 2048 grid): enough
/// tiles for a sure decode, and a bounded cost on huge images.
const MAX_FOLD_SIDE: usize = 2048;
/// Periods considered, in pixels: from a resize to 30 % up to 250 %.
const MIN_PERIOD: f32 = 38.0;
const MAX_PERIOD: f32 = 320.0;
/// Autocorrelation peaks tried besides period 128.
const PEAKS: usize = 6;
/// Decode attempts per image, at most: period 128 and each peak (the
/// scale searches around a peak decode nothing; only their best scale is
/// decoded).
pub const MAX_ATTEMPTS: usize = 1 + PEAKS;
/// Relative step of the coarse scale search around a peak (0.1 %).
const COARSE_STEP: f32 = 0.001;
/// Side of the central part of the image the detector works on: the
/// largest fold at scale 1, and a margin for the filters.
const DETECT_SIDE: usize = MAX_FOLD_SIDE + 64;

/// tamga's mark, found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// The 48-bit payload.
    pub payload: u64,
    /// Coded bits (of 210) that arrived wrong and were corrected.
    pub code_errors: usize,
    /// The image's scale against the one marked (0.5: halved).
    pub scale: f32,
    /// Height of the synchronisation peak in standard deviations of the
    /// correlation: how clearly the tiles were found.
    pub sync_strength: f32,
}

impl Detection {
    /// The chance that an unmarked image gives a detection at all, however
    /// many periods were tried: an upper bound, by construction.
    pub fn false_positive_bound() -> f64 {
        MAX_ATTEMPTS as f64 * code::false_positive_bound()
    }
}

/// Looks for tamga's mark keyed by `key` in `img`'s stored pixels.
pub fn detect(img: &DynamicImage, key: MarkKey) -> Option<Detection> {
    // Only the centre is ever folded: what lies outside it is not worth
    // filtering.
    let luma = Plane::luma_centre(img, DETECT_SIDE);
    if luma.width < TILE / 2 || luma.height < TILE / 2 {
        return None;
    }
    let residual = residual(&luma);
    drop(luma);
    let layout = Layout::new(key);
    let mut search = Search::new(&residual, &layout);
    let mut periods = vec![TILE as f32];
    for p in autocorrelation_peaks(&residual) {
        if (p - TILE as f32).abs() > 1.0 {
            periods.push(p);
        }
    }
    for (n, &period) in periods.iter().take(1 + PEAKS).enumerate() {
        let mut scale = period / TILE as f32;
        if n > 0 {
            // The autocorrelation gives the period to a few tenths of a
            // pixel; over a thousand pixels that drifts by more than a
            // chip. The synchronisation peak is sharpest at the true
            // scale: search it coarsely on a central part, then finely on
            // the whole fold. Only the best scale is decoded.
            scale = search.sharpest(scale, COARSE_STEP, 3, MAX_FOLD_SIDE / 4);
            scale = search.sharpest(scale, COARSE_STEP / 3.0, 2, MAX_FOLD_SIDE / 2);
        }
        if let Some(found) = search.attempt(scale) {
            return Some(found);
        }
    }
    None
}

/// The scale and shift search over one residual, with the buffers and FFT
/// plans every fold and correlation reuses.
struct Search<'a> {
    residual: &'a Plane,
    layout: &'a Layout,
    /// Correlates a folded tile with the synchronisation pattern.
    sync: Correlator,
    /// The folder's per-tile-row accumulator.
    rows: Vec<f32>,
}

impl<'a> Search<'a> {
    fn new(residual: &'a Plane, layout: &'a Layout) -> Self {
        Search {
            residual,
            layout,
            sync: Correlator::new(&pattern::tile(&layout.sync), TILE, TILE),
            rows: Vec::new(),
        }
    }

    /// The scale within ±`reach` `step`s (relative) of `scale` whose fold
    /// over a central `side`-wide grid shows the strongest synchronisation
    /// peak. The smaller the grid, the less a wrong scale drifts across
    /// it: coarse steps on a small grid, then finer ones on a larger.
    fn sharpest(&mut self, scale: f32, step: f32, reach: i32, side: usize) -> f32 {
        let mut best = (f32::NEG_INFINITY, scale);
        for k in -reach..=reach {
            let s = scale * (1.0 + k as f32 * step);
            if let Some(mut folded) = fold(self.residual, s, side, &mut self.rows) {
                let (z, _) = synchronise(&mut self.sync, &mut folded, false);
                if z > best.0 {
                    best = (z, s);
                }
            }
        }
        best.1
    }

    /// One decode attempt at `scale` (image pixels per tile pixel).
    fn attempt(&mut self, scale: f32) -> Option<Detection> {
        let mut folded = fold(self.residual, scale, MAX_FOLD_SIDE, &mut self.rows)?;
        let (sync_strength, (dx, dy)) = synchronise(&mut self.sync, &mut folded, true);
        if std::env::var_os("WM_DEBUG").is_some() {
            eprintln!("attempt scale {scale:.4} sync z {sync_strength:.1} at ({dx},{dy})");
        }
        let mut soft = vec![0f32; CODED_BITS];
        for cy in 0..CHIPS {
            for cx in 0..CHIPS {
                let g = cy * CHIPS + cx;
                let v = chip_value(
                    &folded,
                    cx * CHIP + CHIP / 2 + dx,
                    cy * CHIP + CHIP / 2 + dy,
                );
                soft[self.layout.bit_of[g]] += self.layout.spread[g] * v;
            }
        }
        let decoded = code::decode(&soft)?;
        Some(Detection {
            payload: decoded.payload,
            code_errors: decoded.code_errors,
            scale,
            sync_strength,
        })
    }
}

/// The strongest periods of the residual's autocorrelation over a central
/// window, strongest first, each refined to a sub-pixel maximum.
fn autocorrelation_peaks(r: &Plane) -> Vec<f32> {
    let w = r.width.min(ACF_WINDOW);
    let h = r.height.min(ACF_WINDOW);
    let (x0, y0) = ((r.width - w) / 2, (r.height - h) / 2);
    let mut win = Vec::with_capacity(w * h);
    for y in y0..y0 + h {
        win.extend_from_slice(&r.data[y * r.width + x0..y * r.width + x0 + w]);
    }
    let mean = win.iter().sum::<f32>() / win.len() as f32;
    win.iter_mut().for_each(|v| *v -= mean);
    let acf = fft::autocorrelate(&win, w, h);
    let max_lag = ((w.min(h) / 2).saturating_sub(2) as f32).min(MAX_PERIOD) as usize;
    let min_lag = MIN_PERIOD as usize;
    if max_lag <= min_lag + 2 {
        return Vec::new();
    }
    // Rows, columns and the diagonal: the tile repeats along all three.
    let score = |lag: usize| acf[lag] + acf[lag * w] + acf[lag * w + lag];
    let s: Vec<f32> = (0..=max_lag)
        .map(|l| if l >= min_lag { score(l) } else { 0.0 })
        .collect();
    // Prominence of every lag over its neighbourhood's typical level.
    let prominence: Vec<f32> = (0..=max_lag)
        .map(|l| {
            if l < min_lag {
                return 0.0;
            }
            let lo = l.saturating_sub(8).max(min_lag);
            let hi = (l + 8).min(max_lag);
            let mut around: Vec<f32> = s[lo..=hi].to_vec();
            around.sort_by(f32::total_cmp);
            s[l] - around[around.len() / 2]
        })
        .collect();
    // The tile's period also peaks at its multiples: a lag whose multiples
    // peak too is likelier the mark than the picture's own rhythm.
    let harmonic = |l: usize| {
        (l.saturating_sub(1)..=l + 1)
            .filter_map(|m| prominence.get(m).copied())
            .fold(0f32, f32::max)
    };
    let mut peaks: Vec<(f32, f32)> = Vec::new();
    for l in min_lag + 1..max_lag {
        if s[l] > s[l - 1] && s[l] >= s[l + 1] {
            let rank = prominence[l] + 0.5 * (harmonic(2 * l) + harmonic(3 * l));
            // Parabola through the three samples around the maximum.
            let (a, b, c) = (s[l - 1], s[l], s[l + 1]);
            let denom = a - 2.0 * b + c;
            let offset = if denom < 0.0 {
                0.5 * (a - c) / denom
            } else {
                0.0
            };
            peaks.push((rank, l as f32 + offset.clamp(-0.5, 0.5)));
        }
    }
    peaks.sort_by(|a, b| b.0.total_cmp(&a.0));
    peaks.into_iter().take(PEAKS).map(|(_, l)| l).collect()
}

/// Where tiles start in the folded tile, and how clearly: the circular
/// correlation with the synchronisation pattern, its peak's height in
/// standard deviations and its offset. The tile is whitened first (see
/// `fft::whiten`), and with `keep` left so for the chips to be read from.
fn synchronise(sync: &mut Correlator, folded: &mut [f32], keep: bool) -> (f32, (usize, usize)) {
    let corr = sync.whiten_and_correlate(folded, keep);
    let (best, peak) = corr
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or((0, 0.0), |(i, &v)| (i, v));
    let n = corr.len() as f32;
    let mean = corr.iter().sum::<f32>() / n;
    let sd = (corr.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n).sqrt();
    let z = if sd > 0.0 { (peak - mean) / sd } else { 0.0 };
    (z, (best % TILE, best / TILE))
}

/// The folded tile weighted by the shape of the chip centred at `(x, y)`
/// (tile pixels, taken modulo the tile).
fn chip_value(folded: &[f32], x: usize, y: usize) -> f32 {
    let reach = CHIP as isize - 1;
    let mut v = 0f32;
    for b in -reach..=reach {
        let yy = (y as isize + b).rem_euclid(TILE as isize) as usize;
        for a in -reach..=reach {
            let xx = (x as isize + a).rem_euclid(TILE as isize) as usize;
            v += hat(a as f32) * hat(b as f32) * folded[yy * TILE + xx];
        }
    }
    v
}

/// Samples the residual on the tile grid at `scale` image pixels per tile
/// pixel (bilinear) over a central part at most `side` grid samples across
/// and sums the tiles into one, mean removed. `None` when not even one tile
/// fits. `rows` is scratch space.
///
/// Bilinear sampling is linear and every grid row samples the same
/// columns, so the rows are first interpolated vertically and summed per
/// tile row (whole image rows at a time, which vectorises), and only those
/// 128 sums are then sampled along x: the horizontal interpolation is done
/// 128 times instead of once per grid row.
fn fold(r: &Plane, scale: f32, side: usize, rows: &mut Vec<f32>) -> Option<Vec<f32>> {
    let grid_w = ((r.width as f32 - 1.0) / scale).floor() as usize;
    let grid_h = ((r.height as f32 - 1.0) / scale).floor() as usize;
    if grid_w < TILE || grid_h < TILE {
        return None;
    }
    let (gw, gh) = (grid_w.min(side), grid_h.min(side));
    let (gx0, gy0) = ((grid_w - gw) / 2, (grid_h - gh) / 2);
    let (w, h) = (r.width, r.height);
    // The image columns the grid reads: `x_lo ..= x_hi`.
    let x_of = |gx: usize| ((gx as f32 * scale) as usize).min(w - 1);
    let x_lo = x_of(gx0);
    let x_hi = (x_of(gx0 + gw - 1) + 1).min(w - 1);
    let span = x_hi - x_lo + 1;
    rows.clear();
    rows.resize(TILE * span, 0.0);
    let mut row_count = [0u32; TILE];
    for gy in gy0..gy0 + gh {
        let fy = gy as f32 * scale;
        let y = (fy as usize).min(h - 1);
        let ty = fy - y as f32;
        let y1 = (y + 1).min(h - 1);
        let top = &r.data[y * w + x_lo..y * w + x_lo + span];
        let bottom = &r.data[y1 * w + x_lo..y1 * w + x_lo + span];
        let t = gy % TILE;
        row_count[t] += 1;
        rows[t * span..(t + 1) * span]
            .iter_mut()
            .zip(top.iter().zip(bottom))
            .for_each(|(s, (a, b))| *s += a + (b - a) * ty);
    }
    let mut col_count = [0u32; TILE];
    let columns: Vec<(usize, usize, f32, usize)> = (gx0..gx0 + gw)
        .map(|gx| {
            let fx = gx as f32 * scale;
            let x = x_of(gx);
            let t = gx % TILE;
            col_count[t] += 1;
            (x - x_lo, (x + 1).min(w - 1) - x_lo, fx - x as f32, t)
        })
        .collect();
    let mut tile = vec![0f32; TILE * TILE];
    for (t, (out, sums)) in tile
        .chunks_exact_mut(TILE)
        .zip(rows.chunks_exact(span))
        .enumerate()
    {
        for &(x, x1, tx, c) in &columns {
            out[c] += sums[x] + (sums[x1] - sums[x]) * tx;
        }
        for (c, v) in out.iter_mut().enumerate() {
            let n = row_count[t] * col_count[c];
            *v = if n > 0 { *v / n as f32 } else { 0.0 };
        }
    }
    let mean = tile.iter().sum::<f32>() / tile.len() as f32;
    tile.iter_mut().for_each(|v| *v -= mean);
    Some(tile)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folding as first written: every grid sample interpolated from its
    /// four pixels and added to its tile position.
    fn fold_directly(r: &Plane, scale: f32, side: usize) -> Vec<f32> {
        let grid_w = ((r.width as f32 - 1.0) / scale).floor() as usize;
        let grid_h = ((r.height as f32 - 1.0) / scale).floor() as usize;
        let (gw, gh) = (grid_w.min(side), grid_h.min(side));
        let (gx0, gy0) = ((grid_w - gw) / 2, (grid_h - gh) / 2);
        let mut sum = vec![0f64; TILE * TILE];
        let mut count = vec![0u32; TILE * TILE];
        let at = |x: usize, y: usize| f64::from(r.data[y * r.width + x]);
        for gy in gy0..gy0 + gh {
            for gx in gx0..gx0 + gw {
                let (fx, fy) = (f64::from(gx as f32 * scale), f64::from(gy as f32 * scale));
                let (x, y) = (
                    (fx as usize).min(r.width - 1),
                    (fy as usize).min(r.height - 1),
                );
                let (x1, y1) = ((x + 1).min(r.width - 1), (y + 1).min(r.height - 1));
                let (tx, ty) = (fx - x as f64, fy - y as f64);
                let a = at(x, y) + (at(x1, y) - at(x, y)) * tx;
                let b = at(x, y1) + (at(x1, y1) - at(x, y1)) * tx;
                let t = (gy % TILE) * TILE + gx % TILE;
                sum[t] += a + (b - a) * ty;
                count[t] += 1;
            }
        }
        let tile: Vec<f64> = sum
            .iter()
            .zip(&count)
            .map(|(s, &c)| s / f64::from(c))
            .collect();
        let mean = tile.iter().sum::<f64>() / tile.len() as f64;
        tile.iter().map(|v| (v - mean) as f32).collect()
    }

    #[test]
    fn folding_tile_rows_first_matches_sampling_every_point() {
        let (w, h) = (431, 389);
        let data = (0..w * h)
            .map(|i| (((i * 7919) % 1009) as f32 - 504.0) / 50.0)
            .collect();
        let r = Plane {
            width: w,
            height: h,
            data,
        };
        let mut rows = Vec::new();
        for (scale, side) in [(1.0, 4096), (1.37, 4096), (0.61, 300), (2.3, 4096)] {
            let got = fold(&r, scale, side, &mut rows).expect("a tile fits");
            let want = fold_directly(&r, scale, side);
            for (i, (g, e)) in got.iter().zip(&want).enumerate() {
                assert!((g - e).abs() < 1e-3, "scale {scale}, {i}: {g} vs {e}");
            }
        }
        assert!(fold(&r, 3.5, 4096, &mut rows).is_none());
    }
}
