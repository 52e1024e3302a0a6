//! A streaming band-limited resampler for one channel.
//!
//! Output sample `n` is the input's value at the exact instant
//! `n / out_rate`, computed with a Blackman-windowed sinc centred there: no
//! delay to account for, and no drift, since the position is kept as an
//! exact fraction `n · in_rate / out_rate`. It waits for the kernel's
//! look-ahead before it emits a sample and pads with zeros at both ends.
//! Memory is the kernel table and one kernel width of input.

/// Zero crossings of the kernel on each side, at the lower of the rates.
const ZEROS: f64 = 8.0;
/// Passband edge as a fraction of the lower rate's Nyquist frequency.
const CUTOFF: f64 = 0.9;
/// Table steps per input sample (linear interpolation in between).
const PHASES: usize = 256;

/// Resamples one channel from `in_rate` to `out_rate`.
#[derive(Debug, Clone)]
pub(crate) struct Resampler {
    in_rate: u64,
    out_rate: u64,
    /// Half the kernel's width, in input samples (rounded up).
    half: usize,
    /// The kernel at `i / PHASES` input samples from its centre.
    table: Vec<f32>,
    /// Input samples from absolute index `base` on.
    buf: Vec<f32>,
    base: u64,
    /// Input samples seen.
    seen: u64,
    /// The next output sample's index.
    next: u64,
}

impl Resampler {
    /// Both rates must be non-zero (the callers check).
    pub(crate) fn new(in_rate: u32, out_rate: u32) -> Self {
        let (in_rate, out_rate) = (u64::from(in_rate.max(1)), u64::from(out_rate.max(1)));
        // Cut-off in cycles per input sample, below the lower Nyquist.
        let fc = CUTOFF * 0.5 * in_rate.min(out_rate) as f64 / in_rate as f64;
        let width = ZEROS / (2.0 * fc);
        let half = width.ceil() as usize;
        let table = (0..=half * PHASES + 1)
            .map(|i| {
                let t = i as f64 / PHASES as f64;
                if t >= width {
                    return 0.0;
                }
                let x = 2.0 * fc * t;
                let sinc = if x == 0.0 {
                    1.0
                } else {
                    (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
                };
                let w = 0.42
                    + 0.5 * (std::f64::consts::PI * t / width).cos()
                    + 0.08 * (2.0 * std::f64::consts::PI * t / width).cos();
                (2.0 * fc * sinc * w) as f32
            })
            .collect();
        Self {
            in_rate,
            out_rate,
            half,
            table,
            buf: Vec::new(),
            base: 0,
            seen: 0,
            next: 0,
        }
    }

    /// Whether this resampler copies its input unchanged.
    fn identity(&self) -> bool {
        self.in_rate == self.out_rate
    }

    /// Output sample `n`, which lies at input index `idx` + `frac`.
    fn output(&self, idx: u64, frac: f64) -> f32 {
        let lo = idx.saturating_sub(self.half as u64 - 1).max(self.base);
        // Before the first sample (and past the last, at the end) the
        // input is zero, so only the buffered part of the window counts.
        let hi = (idx + self.half as u64 + 1).min(self.base + self.buf.len() as u64);
        if lo >= hi {
            return 0.0;
        }
        let window = &self.buf[(lo - self.base) as usize..(hi - self.base) as usize];
        // The kernel's table position of the first tap, stepping one input
        // sample (PHASES table entries) per tap.
        let mut t = ((lo as f64 - idx as f64 - frac) * PHASES as f64) as f32;
        let mut sum = 0f32;
        for &x in window {
            let p = t.abs();
            let i = p as usize;
            if let (Some(&a), Some(&b)) = (self.table.get(i), self.table.get(i + 1)) {
                sum += x * (a + (b - a) * (p - i as f32));
            }
            t += PHASES as f32;
        }
        sum
    }

    fn position(&self, n: u64) -> (u64, f64) {
        let num = u128::from(n) * u128::from(self.in_rate);
        let out = u128::from(self.out_rate);
        ((num / out) as u64, (num % out) as f64 / out as f64)
    }

    /// Emits every output whose kernel lies within `available` inputs.
    fn drain(&mut self, available: u64, out: &mut Vec<f32>) {
        loop {
            let (idx, frac) = self.position(self.next);
            if idx + self.half as u64 >= available {
                break;
            }
            out.push(self.output(idx, frac));
            self.next += 1;
        }
        // Keep only what the next output's kernel can reach.
        let (idx, _) = self.position(self.next);
        let keep_from = idx.saturating_sub(self.half as u64);
        let drop = (keep_from.saturating_sub(self.base) as usize).min(self.buf.len());
        self.buf.drain(..drop);
        self.base += drop as u64;
    }

    /// Feeds `input` and appends the outputs now complete to `out`.
    pub(crate) fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        if self.identity() {
            out.extend_from_slice(input);
            self.seen += input.len() as u64;
            return;
        }
        self.buf.extend_from_slice(input);
        self.seen += input.len() as u64;
        self.drain(self.seen, out);
    }

    /// Ends the input: emits the remaining outputs, those whose instants
    /// lie before the end of the input.
    pub(crate) fn finish(&mut self, out: &mut Vec<f32>) {
        if self.identity() {
            return;
        }
        let total = (u128::from(self.seen) * u128::from(self.out_rate))
            .div_ceil(u128::from(self.in_rate)) as u64;
        while self.next < total {
            let (idx, frac) = self.position(self.next);
            out.push(self.output(idx, frac));
            self.next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, f: f64, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (std::f64::consts::TAU * f * i as f64 / f64::from(rate)).sin() as f32)
            .collect()
    }

    #[test]
    fn a_sine_keeps_its_phase_and_level_through_any_ratio() {
        for (a, b) in [
            (48_000, 16_000),
            (44_100, 16_000),
            (16_000, 48_000),
            (16_000, 44_100),
        ] {
            let x = sine(a, 1000.0, a as usize / 2);
            let mut r = Resampler::new(a, b);
            let mut y = Vec::new();
            // Odd chunk sizes: streaming must not change the result.
            for chunk in x.chunks(333) {
                r.process(chunk, &mut y);
            }
            r.finish(&mut y);
            assert_eq!(
                y.len(),
                (x.len() as u64 * u64::from(b)).div_ceil(u64::from(a)) as usize
            );
            let want = sine(b, 1000.0, y.len());
            // Away from the zero-padded ends the error is tiny.
            let edge = b as usize / 100;
            let err = y[edge..y.len() - edge]
                .iter()
                .zip(&want[edge..])
                .map(|(p, q)| (p - q).abs())
                .fold(0f32, f32::max);
            assert!(err < 2e-3, "{a}->{b}: {err}");
        }
    }

    #[test]
    fn equal_rates_copy() {
        let mut r = Resampler::new(16_000, 16_000);
        let mut y = Vec::new();
        r.process(&[1.0, 2.0], &mut y);
        r.finish(&mut y);
        assert_eq!(y, vec![1.0, 2.0]);
    }
}
