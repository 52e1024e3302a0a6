//! The keyed tile: a 128 × 128 pixel pattern repeated over the image.
//!
//! The tile is a 32 × 32 grid of chips, 4 pixels apart, joined by linear
//! interpolation so the pattern has no hard edges (its energy sits below
//! 1/8 cycle per pixel, where JPEG and downscaling leave it). Each chip
//! carries the sum of a synchronisation chip (a keyed ±1, the same in every
//! tamga mark, found by correlation to learn where tiles start) and a
//! message chip (a keyed ±1 times one coded bit). A keyed permutation
//! spreads each coded bit over 4 or 5 chips across the tile.

use crate::{splitmix::SplitMix, tamga_mark::code::CODED_BITS};

/// Tile side in pixels at the embedding resolution.
pub(super) const TILE: usize = 128;
/// Distance between chips in pixels.
pub(super) const CHIP: usize = 4;
/// Chips per tile side.
pub(super) const CHIPS: usize = TILE / CHIP;
/// Share of the tile's amplitude in the synchronisation chips; the rest
/// carries the message. Synchronisation correlates all 1,024 chips, a
/// coded bit only 4 or 5, so it needs far less.
const SYNC_WEIGHT: f32 = 0.35;

/// The key that makes the pattern. tamga's marks use [`MarkKey::TAMGA`], a
/// published constant, so that anyone running tamga can read them (the
/// point of a disclosure mark); a deployment can use its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkKey(pub u64);

impl MarkKey {
    /// tamga's public key for its disclosure marks.
    pub const TAMGA: MarkKey = MarkKey(0x7461_6D67_615F_7731); // "tamga_w1"
}

/// Everything the key decides: chip signs and which coded bit each chip
/// carries.
pub(super) struct Layout {
    /// Synchronisation sign per chip, row-major.
    pub(super) sync: Vec<f32>,
    /// Spreading sign per chip.
    pub(super) spread: Vec<f32>,
    /// Coded bit carried by each chip.
    pub(super) bit_of: Vec<usize>,
}

impl Layout {
    /// The layout for `key`.
    pub(super) fn new(key: MarkKey) -> Self {
        let n = CHIPS * CHIPS;
        let mut rng = SplitMix(key.0);
        let sync = (0..n).map(|_| rng.sign()).collect();
        let spread = (0..n).map(|_| rng.sign()).collect();
        // Fisher–Yates over the chips, then bit = position mod CODED_BITS.
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut bit_of = vec![0; n];
        for (pos, &chip) in order.iter().enumerate() {
            bit_of[chip] = pos % CODED_BITS;
        }
        Layout {
            sync,
            spread,
            bit_of,
        }
    }

    /// Chip amplitudes for a codeword (bits 0/1).
    pub(super) fn chips(&self, code: &[u8]) -> Vec<f32> {
        let msg = (1.0 - SYNC_WEIGHT * SYNC_WEIGHT).sqrt();
        (0..CHIPS * CHIPS)
            .map(|g| {
                let bit = if code[self.bit_of[g]] == 1 { 1.0 } else { -1.0 };
                SYNC_WEIGHT * self.sync[g] + msg * self.spread[g] * bit
            })
            .collect()
    }
}

/// Weight of a chip centred `d` pixels away (linear interpolation between
/// chip centres).
pub(super) fn hat(d: f32) -> f32 {
    (1.0 - d.abs() / CHIP as f32).max(0.0)
}

/// The periodic tile for chip amplitudes, scaled to unit RMS, row-major
/// `TILE × TILE`. Chip `(i, j)` is centred on pixel `(4i + 2, 4j + 2)`.
pub(super) fn tile(chips: &[f32]) -> Vec<f32> {
    let mut t = vec![0f32; TILE * TILE];
    // Separable: interpolate along x within each chip row, then along y.
    let mut rows = vec![0f32; CHIPS * TILE];
    for cy in 0..CHIPS {
        for x in 0..TILE {
            rows[cy * TILE + x] = interp(|cx| chips[cy * CHIPS + cx], x);
        }
    }
    for y in 0..TILE {
        for x in 0..TILE {
            t[y * TILE + x] = interp(|cy| rows[cy * TILE + x], y);
        }
    }
    let rms = (t.iter().map(|v| v * v).sum::<f32>() / t.len() as f32).sqrt();
    if rms > 0.0 {
        t.iter_mut().for_each(|v| *v /= rms);
    }
    t
}

/// Linear interpolation at pixel `p` between the periodic chip values
/// `value(c)`, chip `c` centred at `4c + 2`.
fn interp(value: impl Fn(usize) -> f32, p: usize) -> f32 {
    let half = CHIP / 2;
    // Chip at or before p (periodically), and the next one.
    let below = ((p + TILE - half) % TILE) / CHIP;
    let above = (below + 1) % CHIPS;
    let centre = (below * CHIP + half) as f32;
    let mut d = p as f32 - centre;
    if d < 0.0 {
        d += TILE as f32;
    }
    let w = d / CHIP as f32;
    (1.0 - w) * value(below) + w * value(above)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_spreads_every_bit_over_four_or_five_chips() {
        let layout = Layout::new(MarkKey::TAMGA);
        let mut count = vec![0; CODED_BITS];
        layout.bit_of.iter().for_each(|&b| count[b] += 1);
        assert!(count.iter().all(|&c| c == 4 || c == 5), "{count:?}");
        let balance: f32 = layout.sync.iter().sum();
        assert!(balance.abs() < 100.0, "{balance}");
    }

    #[test]
    fn the_tile_passes_through_chip_centres_and_is_smooth() {
        let chips: Vec<f32> = (0..CHIPS * CHIPS)
            .map(|g| if g % 3 == 0 { 1.0 } else { -1.0 })
            .collect();
        let t = tile(&chips);
        let rms = (t.iter().map(|v| v * v).sum::<f32>() / t.len() as f32).sqrt();
        assert!((rms - 1.0).abs() < 1e-4);
        // Neighbouring pixels never jump by more than a quarter of a chip
        // step (2 × the largest chip) in each direction.
        let peak = t.iter().fold(0f32, |m, v| m.max(v.abs()));
        for y in 0..TILE {
            for x in 0..TILE {
                let a = t[y * TILE + x];
                let b = t[y * TILE + (x + 1) % TILE];
                assert!((a - b).abs() <= peak / 2.0 + 1e-4);
            }
        }
        // Chip centres keep their sign.
        let scale = t[2 * TILE + 2] / chips[0];
        assert!(scale > 0.0);
        assert!(t[2 * TILE + 6] / chips[1] > 0.0);
    }
}
