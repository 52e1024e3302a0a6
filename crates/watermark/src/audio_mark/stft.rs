//! The short-time Fourier transform both sides use at the internal rate:
//! [`FFT`]-sample frames every [`HOP`] samples under a square-root Hann
//! window, applied before analysis and again after synthesis, so that
//! overlap-adding unmodified frames gives back the input (sin² + cos² = 1).

use std::sync::Arc;

use realfft::{num_complex::Complex, ComplexToReal, RealFftPlanner, RealToComplex};

use super::layout::{BINS, FFT, HOP};

/// Forward and inverse transforms with their window and scratch space.
pub(crate) struct Stft {
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
    window: Vec<f32>,
    time: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
}

impl std::fmt::Debug for Stft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stft")
    }
}

impl Stft {
    pub(crate) fn new() -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(FFT);
        let inverse = planner.plan_fft_inverse(FFT);
        let scratch_len = forward.get_scratch_len().max(inverse.get_scratch_len());
        let window = (0..FFT)
            .map(|n| (std::f64::consts::PI * n as f64 / FFT as f64).sin() as f32)
            .collect();
        Self {
            forward,
            inverse,
            window,
            time: vec![0.0; FFT],
            spectrum: vec![Complex::default(); BINS],
            scratch: vec![Complex::default(); scratch_len],
        }
    }

    /// The spectrum of the windowed `frame` ([`FFT`] samples).
    pub(crate) fn analyze(&mut self, frame: &[f32]) -> &mut [Complex<f32>] {
        for ((t, &x), &w) in self.time.iter_mut().zip(frame).zip(&self.window) {
            *t = x * w;
        }
        // Lengths are fixed by construction, so the transform cannot fail.
        let _ = self.forward.process_with_scratch(
            &mut self.time,
            &mut self.spectrum,
            &mut self.scratch,
        );
        &mut self.spectrum
    }

    /// Adds the windowed inverse transform of `spectrum` to `out`
    /// ([`FFT`] samples), scaled so analysis then synthesis is the identity.
    pub(crate) fn synthesize_add(&mut self, spectrum: &mut [Complex<f32>], out: &mut [f32]) {
        // The inverse real transform wants real DC and Nyquist bins.
        if let Some(first) = spectrum.first_mut() {
            first.im = 0.0;
        }
        if let Some(last) = spectrum.last_mut() {
            last.im = 0.0;
        }
        let _ = self
            .inverse
            .process_with_scratch(spectrum, &mut self.time, &mut self.scratch);
        let scale = 1.0 / FFT as f32;
        for ((o, &t), &w) in out.iter_mut().zip(&self.time).zip(&self.window) {
            *o += t * w * scale;
        }
    }
}

/// Collects samples into overlapping frames: [`FFT`] samples, advancing by
/// [`HOP`].
#[derive(Debug, Default)]
pub(crate) struct Framer {
    buf: Vec<f32>,
}

impl Framer {
    pub(crate) fn push(&mut self, samples: &[f32]) {
        self.buf.extend_from_slice(samples);
    }

    /// The next whole frame, if there is one; call [`Self::advance`] after.
    pub(crate) fn frame(&self) -> Option<&[f32]> {
        self.buf.get(..FFT)
    }

    pub(crate) fn advance(&mut self) {
        self.buf.drain(..HOP.min(self.buf.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_then_synthesis_overlap_adds_to_the_input() {
        let x: Vec<f32> = (0..FFT * 4)
            .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
            .collect();
        let mut stft = Stft::new();
        let mut out = vec![0f32; x.len() + FFT];
        let mut start = 0;
        while start + FFT <= x.len() {
            let mut s = stft.analyze(&x[start..start + FFT]).to_vec();
            stft.synthesize_add(&mut s, &mut out[start..start + FFT]);
            start += HOP;
        }
        // Every sample covered by two frames is restored.
        for i in HOP..x.len() - HOP {
            assert!((out[i] - x[i]).abs() < 1e-4, "{i}: {} vs {}", out[i], x[i]);
        }
    }
}
