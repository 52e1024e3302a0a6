//! Two-dimensional FFTs over row-major buffers, for the detector's
//! autocorrelation and its synchronisation search.

use std::sync::Arc;

use rustfft::{num_complex::Complex32, Fft, FftDirection, FftPlanner};

/// A planned two-dimensional FFT of `w × h` buffers, both directions,
/// unnormalised as rustfft is. Planning once matters: the detector
/// correlates dozens of folded tiles per image.
pub(super) struct Fft2 {
    w: usize,
    h: usize,
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
    pub(super) fn correlate(&mut self, a: &[f32]) -> Vec<f32> {
        self.buffer.clear();
        self.buffer
            .extend(a.iter().map(|&v| Complex32::new(v, 0.0)));
        self.fft.process(&mut self.buffer, FftDirection::Forward);
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

/// Circular autocorrelation of `a` (`w × h`), normalised so lag 0 is 1.
pub(super) fn autocorrelate(a: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut fft = Fft2::new(w, h);
    let mut fa = complex(a);
    fft.process(&mut fa, FftDirection::Forward);
    for x in fa.iter_mut() {
        *x = Complex32::new(x.norm_sqr(), 0.0);
    }
    fft.process(&mut fa, FftDirection::Inverse);
    let zero = fa.first().map_or(1.0, |c| c.re);
    let zero = if zero > 0.0 { zero } else { 1.0 };
    fa.iter().map(|c| c.re / zero).collect()
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
}
