//! Two-dimensional FFTs over row-major buffers, for the detector's
//! autocorrelation and its synchronisation search.

use std::sync::Arc;

use rustfft::{num_complex::Complex32, Fft, FftDirection, FftPlanner};

/// A planned two-dimensional FFT of `w × h` buffers, both directions,
/// unnormalised as rustfft is. Planning once matters: the detector
/// correlates dozens of folded tiles per image.
pub(super) struct Fft2 {
    pub(super) w: usize,
    pub(super) h: usize,
    rows: [Arc<dyn Fft<f32>>; 2],
    columns: [Arc<dyn Fft<f32>>; 2],
    /// The buffer transposed, so columns are transformed as rows: all of
    /// them in one call, reading memory in order.
    transposed: Vec<Complex32>,
    scratch: Vec<Complex32>,
}

impl Fft2 {
    pub(super) fn new(w: usize, h: usize) -> Self {
        let mut planner = FftPlanner::<f32>::new();
        let plan = |planner: &mut FftPlanner<f32>, n| {
            [
                planner.plan_fft(n, FftDirection::Forward),
                planner.plan_fft(n, FftDirection::Inverse),
            ]
        };
        let rows = plan(&mut planner, w);
        let columns = plan(&mut planner, h);
        let scratch_len = rows
            .iter()
            .chain(&columns)
            .map(|f| f.get_inplace_scratch_len())
            .max()
            .unwrap_or(0);
        Fft2 {
            w,
            h,
            rows,
            columns,
            transposed: vec![Complex32::default(); w * h],
            scratch: vec![Complex32::default(); scratch_len],
        }
    }

    /// Transforms `data` (`w × h`, row-major) in place: rows, then columns.
    pub(super) fn process(&mut self, data: &mut [Complex32], direction: FftDirection) {
        let d = usize::from(direction == FftDirection::Inverse);
        self.rows[d].process_with_scratch(data, &mut self.scratch);
        transpose::transpose(data, &mut self.transposed, self.w, self.h);
        self.columns[d].process_with_scratch(&mut self.transposed, &mut self.scratch);
        transpose::transpose(&self.transposed, data, self.h, self.w);
    }
}

/// Circular cross-correlation with one fixed `w × h` template.
pub(super) struct Correlator {
    fft: Fft2,
    /// The template's spectrum, conjugated.
    template: Vec<Complex32>,
    buffer: Vec<Complex32>,
}

impl Correlator {
    pub(super) fn new(template: &[f32], w: usize, h: usize) -> Self {
        let mut fft = Fft2::new(w, h);
        let mut spectrum = complex(template);
        fft.process(&mut spectrum, FftDirection::Forward);
        spectrum.iter_mut().for_each(|c| *c = c.conj());
        Correlator {
            fft,
            template: spectrum,
            buffer: Vec::with_capacity(w * h),
        }
    }

    /// Entry `(dx, dy)` is `Σ a(x + dx, y + dy) · template(x, y)`.
    #[cfg(test)]
    pub(super) fn correlate(&mut self, a: &[f32]) -> Vec<f32> {
        self.buffer.clear();
        self.buffer
            .extend(a.iter().map(|&v| Complex32::new(v, 0.0)));
        self.fft.process(&mut self.buffer, FftDirection::Forward);
        self.correlate_spectrum()
    }

    /// Whitens `a` (see [`whiten`]), then correlates it with the template
    /// as [`Correlator::correlate`] does. With `keep`, `a` is replaced by
    /// its whitened self (an inverse transform more).
    pub(super) fn whiten_and_correlate(&mut self, a: &mut [f32], keep: bool) -> Vec<f32> {
        self.buffer.clear();
        self.buffer
            .extend(a.iter().map(|&v| Complex32::new(v, 0.0)));
        self.fft.process(&mut self.buffer, FftDirection::Forward);
        whiten(&mut self.buffer, self.fft.w, self.fft.h);
        if keep {
            let mut white = self.buffer.clone();
            self.fft.process(&mut white, FftDirection::Inverse);
            let n = white.len() as f32;
            a.iter_mut().zip(&white).for_each(|(v, c)| *v = c.re / n);
        }
        self.correlate_spectrum()
    }

    /// The correlation of the spectrum in the buffer with the template.
    fn correlate_spectrum(&mut self) -> Vec<f32> {
        for (x, t) in self.buffer.iter_mut().zip(&self.template) {
            *x *= t;
        }
        self.fft.process(&mut self.buffer, FftDirection::Inverse);
        let n = self.buffer.len() as f32;
        self.buffer.iter().map(|c| c.re / n).collect()
    }
}

/// Circular cross-correlation of `a` with `b` (both `w × h`): entry
/// `(dx, dy)` is `Σ a(x + dx, y + dy) · b(x, y)`.
#[cfg(test)]
pub(super) fn correlate(a: &[f32], b: &[f32], w: usize, h: usize) -> Vec<f32> {
    Correlator::new(b, w, h).correlate(a)
}

/// Circular autocorrelation of `a` (`w × h`) whitened (see [`whiten`]),
/// normalised so lag 0 is 1.
pub(super) fn autocorrelate(a: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut fft = Fft2::new(w, h);
    let mut fa = complex(a);
    fft.process(&mut fa, FftDirection::Forward);
    // The tile's repeats are a comb of sharp lines in the spectrum; a
    // texture's power is spread over broad regions. Whitened, the lines
    // stand out of any texture, and so do the autocorrelation's peaks.
    whiten(&mut fa, w, h);
    for x in fa.iter_mut() {
        *x = Complex32::new(x.norm_sqr(), 0.0);
    }
    fft.process(&mut fa, FftDirection::Inverse);
    let zero = fa.first().map_or(1.0, |c| c.re);
    let zero = if zero > 0.0 { zero } else { 1.0 };
    fa.iter().map(|c| c.re / zero).collect()
}

/// Radius, in frequency bins, of the neighbourhood whose mean power
/// [`whiten`] divides by: 5 × 5 bins (3 × 3 did slightly worse on the
/// corpus of docs/watermark.md).
const WHITEN_RADIUS: usize = 2;

/// Spectral whitening: divides every frequency of a `w × h` spectrum by
/// the root of the mean power over the 5 × 5 frequencies around it
/// (circularly).
///
/// A picture whose texture repeats at the tile's period or a divisor of it
/// (a 2-, 4- or 8-pixel checker, diagonal stripes that shift one pixel a
/// row) folds up as coherently as the mark and drowns it in a few strong
/// frequencies; the mark's own spectrum is spread evenly over the tile's
/// band. Dividing by the local power is the matched filter for noise of
/// that colour: those few frequencies count for little, the rest as
/// before. The power is estimated from the spectrum itself (the mark in it
/// is small), the tiny floor only keeping an empty spectrum finite.
fn whiten(spectrum: &mut [Complex32], w: usize, h: usize) {
    if w == 0 || h == 0 {
        return;
    }
    let power: Vec<f32> = spectrum.iter().map(|c| c.norm_sqr()).collect();
    let floor = 1e-3 * power.iter().sum::<f32>() / power.len().max(1) as f32 + f32::MIN_POSITIVE;
    let r = WHITEN_RADIUS;
    // Separable circular box sums: along each row (wrapped), then down the
    // columns a whole row at a time (rows wrapped).
    let mut rows = vec![0f32; w * h];
    let mut wrapped = vec![0f32; w + 2 * r];
    for (src, out) in power.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
        for (i, v) in wrapped.iter_mut().enumerate() {
            *v = src[(i + r * w - r) % w];
        }
        for (x, o) in out.iter_mut().enumerate() {
            *o = wrapped[x..=x + 2 * r].iter().sum();
        }
    }
    let inv_count = 1.0 / ((2 * r + 1) * (2 * r + 1)) as f32;
    let mut sum = vec![0f32; w];
    for (y, out) in spectrum.chunks_exact_mut(w).enumerate() {
        sum.fill(0.0);
        for j in y + r * h - r..=y + r * h + r {
            let row = &rows[(j % h) * w..(j % h + 1) * w];
            sum.iter_mut().zip(row).for_each(|(s, v)| *s += v);
        }
        for (c, s) in out.iter_mut().zip(&sum) {
            *c /= (s * inv_count + floor).sqrt();
        }
    }
}

fn complex(a: &[f32]) -> Vec<Complex32> {
    a.iter().map(|&v| Complex32::new(v, 0.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_finds_a_circular_shift() {
        let (w, h) = (16, 8);
        let b: Vec<f32> = (0..w * h).map(|i| ((i * 7919) % 13) as f32 - 6.0).collect();
        // a(x, y) = b(x - 3, y - 5): a(x + 3, y + 5) = b(x, y).
        let mut a = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                a[((y + 5) % h) * w + (x + 3) % w] = b[y * w + x];
            }
        }
        let c = correlate(&a, &b, w, h);
        let best = (0..w * h).max_by(|&i, &j| c[i].total_cmp(&c[j])).unwrap();
        assert_eq!((best % w, best / w), (3, 5));
    }

    #[test]
    fn whitening_finds_a_shift_under_a_strong_periodic_pattern() {
        let (w, h) = (64, 64);
        let mut rng = crate::splitmix::SplitMix(5);
        let b: Vec<f32> = (0..w * h).map(|_| rng.sign()).collect();
        // A picture that repeats every 8 pixels both ways (so it folds up
        // as coherently as the pattern), 40 times stronger.
        let block: Vec<f32> = (0..64).map(|_| 40.0 * rng.sign()).collect();
        // The pattern shifted by (5, 9), under that picture.
        let mut a = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                a[((y + 9) % h) * w + (x + 5) % w] = b[y * w + x] + block[(y % 8) * 8 + x % 8];
            }
        }
        let peak = |c: &[f32]| {
            let best = (0..w * h)
                .max_by(|&i, &j| c[i].total_cmp(&c[j]))
                .unwrap_or(0);
            (best % w, best / w)
        };
        let mut correlator = Correlator::new(&b, w, h);
        assert_ne!(
            peak(&correlator.correlate(&a)),
            (5, 9),
            "the picture wins unwhitened"
        );
        let mut white = a.clone();
        assert_eq!(
            peak(&correlator.whiten_and_correlate(&mut white, true)),
            (5, 9)
        );
        // The whitened buffer is left in place, the picture in it tamed.
        let rms = |v: &[f32]| (v.iter().map(|x| x * x).sum::<f32>() / v.len() as f32).sqrt();
        assert!(
            rms(&white) < rms(&a) / 5.0,
            "{} vs {}",
            rms(&white),
            rms(&a)
        );
    }

    #[test]
    fn whitening_a_spectrum_narrower_than_its_window_wraps_around() {
        // 2 × 3 bins under a 5 × 5 window: every bin's neighbourhood is
        // the whole spectrum, several times over, so a flat spectrum stays
        // flat.
        let mut s = vec![Complex32::new(2.0, 0.0); 6];
        whiten(&mut s, 2, 3);
        assert!(s
            .iter()
            .all(|c| (c.re - s[0].re).abs() < 1e-6 && c.re > 0.0));
        whiten(&mut [], 0, 0);
    }
}
