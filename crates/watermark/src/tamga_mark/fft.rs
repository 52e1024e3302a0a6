//! Two-dimensional FFTs over row-major buffers, for the detector's
//! autocorrelation and its synchronisation search.

use rustfft::{num_complex::Complex32, FftDirection, FftPlanner};

/// Transforms `data` (`w × h`, row-major) in place: rows, then columns.
/// Unnormalised in both directions, as rustfft is.
pub(super) fn fft2(data: &mut [Complex32], w: usize, h: usize, direction: FftDirection) {
    let mut planner = FftPlanner::<f32>::new();
    let row = planner.plan_fft(w, direction);
    for line in data.chunks_exact_mut(w) {
        row.process(line);
    }
    let col = planner.plan_fft(h, direction);
    let mut column = vec![Complex32::default(); h];
    for x in 0..w {
        for (y, c) in column.iter_mut().enumerate() {
            *c = data[y * w + x];
        }
        col.process(&mut column);
        for (y, c) in column.iter().enumerate() {
            data[y * w + x] = *c;
        }
    }
}

/// Circular cross-correlation of `a` with `b` (both `w × h`): entry
/// `(dx, dy)` is `Σ a(x + dx, y + dy) · b(x, y)`.
pub(super) fn correlate(a: &[f32], b: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut fa: Vec<Complex32> = a.iter().map(|&v| Complex32::new(v, 0.0)).collect();
    let mut fb: Vec<Complex32> = b.iter().map(|&v| Complex32::new(v, 0.0)).collect();
    fft2(&mut fa, w, h, FftDirection::Forward);
    fft2(&mut fb, w, h, FftDirection::Forward);
    for (x, y) in fa.iter_mut().zip(&fb) {
        *x *= y.conj();
    }
    fft2(&mut fa, w, h, FftDirection::Inverse);
    let n = (w * h) as f32;
    fa.iter().map(|c| c.re / n).collect()
}

/// Circular autocorrelation of `a` (`w × h`), normalised so lag 0 is 1.
pub(super) fn autocorrelate(a: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut fa: Vec<Complex32> = a.iter().map(|&v| Complex32::new(v, 0.0)).collect();
    fft2(&mut fa, w, h, FftDirection::Forward);
    for x in fa.iter_mut() {
        *x = Complex32::new(x.norm_sqr(), 0.0);
    }
    fft2(&mut fa, w, h, FftDirection::Inverse);
    let zero = fa.first().map_or(1.0, |c| c.re);
    let zero = if zero > 0.0 { zero } else { 1.0 };
    fa.iter().map(|c| c.re / zero).collect()
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
