//! The streaming embedder.
//!
//! Each channel is resampled to the internal rate, transformed, and every
//! marked tile's spectrum is scaled by e^(±a): the mark is the difference,
//! `(e^(±a) − 1) · X`, turned back into samples, resampled to the file's
//! rate and added to the untouched original. Content above 7.25 kHz and
//! below 250 Hz is never changed, and where the host is silent so is the
//! mark.
//!
//! # Masking model
//!
//! The mark in every tile (64 ms × 62.5 Hz) is a copy of the host in that
//! tile at a level below it: the tile's level changes by at most ±a
//! nepers, so the mark's spectral and temporal envelope follow the host's
//! at the tile's resolution and it sits inside the host's own masking
//! pattern (simultaneous masking within the tile, where it is strongest).
//! Three limits set `a` for each tile:
//!
//! * *need*: a chip (two neighbouring tiles, one raised and one lowered)
//!   gets only the change that makes the detector read its sign right with
//!   a margin; none where the host already reads right, none where no
//!   allowed change would help ("informed" embedding);
//! * the *ceiling* [`A_MAX`]: ±1.74 dB at most in a tile below 1 kHz,
//!   rising to [`A_MAX_HIGH`] (±2.6 dB) at 3 kHz and above. A chip raises
//!   one tile and lowers its neighbour 62.5 Hz away, well within one
//!   critical band (about 100 Hz wide at 250 Hz, 1 kHz at 7 kHz), where
//!   the ear hears the band's total energy, which the pair's opposite
//!   changes largely leave as it was; the wider the critical band, the
//!   more tiles share it and the more each may move;
//! * the *budget*: over each 64 ms the mark's power stays [`BUDGET_DB`] dB
//!   below the host's power over the whole spectrum (all channels), so the
//!   mark-to-content ratio holds over any stretch of the file by
//!   construction; [`AudioEmbedder::snr_db`] measures what it came to, and
//!   the tests assert it is at least 25 dB.
//!
//! Measured SNRs are in docs/watermark-audio.md.

use std::collections::VecDeque;

use realfft::num_complex::Complex;

use super::code::{encode, info_word, INFO_BITS, SYMBOLS};
use super::layout::{
    Layout, BANDS, BAND_BINS, BIN_HI, BIN_LO, BLOCKS, CLIP, FFT, FLOOR, FRAME_HOPS, HOP, PAIRS,
    RATE, TILE_HOPS,
};
use super::resample::Resampler;
use super::stft::{Framer, Stft};
use super::{AudioKey, AudioMarkError, AudioPayload};

/// How far below the host the mark's power is held in every frame, dB.
pub const BUDGET_DB: f64 = 24.5;
/// The largest level change of a tile below 1 kHz, nepers (0.2 Np =
/// 1.74 dB), where a critical band spans only two to three tiles.
pub const A_MAX: f32 = 0.2;
/// The largest level change of a tile above 3 kHz, nepers (0.3 Np =
/// 2.6 dB): a critical band there is about 0.5 kHz wide at 3 kHz and over
/// 1 kHz at 7 kHz, 8 tiles or more, and the ear hears its total energy,
/// which the chips' opposite changes leave nearly as it was. Between 1 and
/// 3 kHz the ceiling rises linearly. (Raised from [`A_MAX`] for sparse
/// speech through AAC: with the detector's chip weights, real speech
/// through AAC went from 94.7 % to 97.4 % of the clips measured.)
pub const A_MAX_HIGH: f32 = 0.3;
/// How far past the detector's clip a chip is pushed, nepers: headroom
/// for what a codec changes.
const MARGIN: f32 = 0.2;
/// The share of a tile's intended log-energy change the detector sees:
/// overlapping frames smear a quarter of it into the neighbouring tiles.
const REALISED: f32 = 0.75;

/// The ceiling of band pair `q`'s level change: [`A_MAX`] up to 1 kHz,
/// rising linearly to [`A_MAX_HIGH`] at 3 kHz, where critical bands are
/// wide enough to hold many tiles.
fn ceiling(q: usize) -> f32 {
    // The pair's centre frequency (the boundary between its two bands).
    let hz = ((BIN_LO + (2 * q + 1) * BAND_BINS) * RATE as usize) as f32 / FFT as f32;
    A_MAX + (A_MAX_HIGH - A_MAX) * ((hz - 1000.0) / 2000.0).clamp(0.0, 1.0)
}

/// One channel's pipeline.
struct Channel {
    down: Resampler,
    framer: Framer,
    /// Overlap-add of the mark at the internal rate: the current frame.
    ola: Vec<f32>,
    up: Resampler,
    /// The mark at the file's rate, waiting for its host samples.
    mark: VecDeque<f32>,
    /// Spectra of the current tile's hops, waiting for its gains.
    pending: Vec<Vec<Complex<f32>>>,
}

/// Adds tamga's audio mark to interleaved `f32` samples as they stream
/// through. Memory is bounded (a few kilobytes per channel plus about
/// 100 ms of samples in flight), whatever the duration.
///
/// ```
/// use tamga_watermark::audio_mark::{AudioDetector, AudioEmbedder, AudioPayload};
/// let rate = 16_000;
/// // 9 s of a chord with a little noise.
/// let host: Vec<f32> = (0..rate * 9)
///     .map(|i| {
///         let t = i as f32 / rate as f32;
///         let n = ((i as u32).wrapping_mul(2_654_435_761) >> 16) as f32 / 65_536.0 - 0.5;
///         0.2 * (t * 220.0 * 6.283).sin() + 0.1 * (t * 1330.0 * 6.283).sin() + 0.05 * n
///     })
///     .collect();
/// let mut embedder = AudioEmbedder::new(rate, 1, AudioPayload(0xC0FFEE)).unwrap();
/// let mut marked = embedder.push(&host);
/// marked.extend(embedder.finish());
/// assert_eq!(marked.len(), host.len());
/// let mut detector = AudioDetector::new(rate, 1).unwrap();
/// detector.push(&marked);
/// assert_eq!(detector.finish().unwrap().payload, AudioPayload(0xC0FFEE));
/// ```
pub struct AudioEmbedder {
    channels: usize,
    /// The level change's sign of every tile of a frame, block-major.
    pattern: Vec<f32>,
    chans: Vec<Channel>,
    stft: Stft,
    /// The current tile's band energies of the mono mix (what the
    /// detector will see), of all channels, and all bins' energy.
    tile_mono: [f32; BANDS],
    tile_bands: [f64; BANDS],
    tile_total: f64,
    /// Interleaved input waiting for its mark.
    host: VecDeque<f32>,
    hop: u64,
    scratch: Vec<f32>,
    host_energy: f64,
    mark_energy: f64,
    finished: bool,
}

impl std::fmt::Debug for AudioEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioEmbedder")
            .field("channels", &self.channels)
            .field("hop", &self.hop)
            .finish_non_exhaustive()
    }
}

/// Checks a stream's format: rates tamga's formats use, 1 to 64 channels.
pub(crate) fn check_format(sample_rate: u32, channels: usize) -> Result<(), AudioMarkError> {
    if !(8_000..=768_000).contains(&sample_rate) {
        return Err(AudioMarkError::Unsupported {
            what: format!("a sample rate of {sample_rate} Hz (8 to 768 kHz are supported)"),
        });
    }
    if !(1..=64).contains(&channels) {
        return Err(AudioMarkError::Unsupported {
            what: format!("{channels} channels (1 to 64 are supported)"),
        });
    }
    Ok(())
}

impl AudioEmbedder {
    /// An embedder of `payload` with tamga's key, for interleaved samples of
    /// `channels` channels at `sample_rate` Hz.
    pub fn new(
        sample_rate: u32,
        channels: usize,
        payload: AudioPayload,
    ) -> Result<Self, AudioMarkError> {
        Self::with_key(sample_rate, channels, payload, &AudioKey::TAMGA)
    }

    /// As [`Self::new`], with another key.
    pub fn with_key(
        sample_rate: u32,
        channels: usize,
        payload: AudioPayload,
        key: &AudioKey,
    ) -> Result<Self, AudioMarkError> {
        check_format(sample_rate, channels)?;
        let layout = Layout::new(key, SYMBOLS, INFO_BITS);
        let coded = encode(&info_word(payload.0, &layout.scramble));
        let mut pattern = vec![0f32; BLOCKS * BANDS];
        for (p, (&chip, &sym)) in layout.chip.iter().zip(&layout.symbol).enumerate() {
            let bit = coded.get(usize::from(sym)).copied().unwrap_or(0);
            let sign = chip * (1.0 - 2.0 * f32::from(bit));
            let (t, q) = (p / PAIRS, p % PAIRS);
            pattern[t * BANDS + 2 * q] = sign;
            pattern[t * BANDS + 2 * q + 1] = -sign;
        }
        let chans = (0..channels)
            .map(|_| Channel {
                down: Resampler::new(sample_rate, RATE),
                framer: Framer::default(),
                ola: vec![0.0; FFT],
                up: Resampler::new(RATE, sample_rate),
                mark: VecDeque::new(),
                pending: Vec::with_capacity(TILE_HOPS),
            })
            .collect();
        Ok(Self {
            channels,
            pattern,
            chans,
            stft: Stft::new(),
            tile_mono: [0.0; BANDS],
            tile_bands: [0.0; BANDS],
            tile_total: 0.0,
            host: VecDeque::new(),
            hop: 0,
            scratch: Vec::new(),
            host_energy: 0.0,
            mark_energy: 0.0,
            finished: false,
        })
    }

    /// Feeds interleaved samples (a whole number of frames is not needed)
    /// and returns the marked samples now ready, in order. The output lags
    /// the input by about 100 ms (a tile and a transform frame); [`Self::finish`] returns the rest.
    pub fn push(&mut self, samples: &[f32]) -> Vec<f32> {
        if self.finished {
            return Vec::new();
        }
        self.host.extend(samples.iter().copied());
        // Deinterleave, counting from where each channel's input stands.
        let queued = self.host.len() - samples.len();
        for c in 0..self.channels {
            self.scratch.clear();
            self.scratch.extend(
                samples
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| (queued + i) % self.channels == c)
                    .map(|(_, &x)| x),
            );
            let chan = &mut self.chans[c];
            let mut down = Vec::with_capacity(self.scratch.len() / 2 + 8);
            chan.down.process(&self.scratch, &mut down);
            chan.framer.push(&down);
        }
        self.run_frames();
        self.emit(false)
    }

    /// Ends the input and returns the remaining marked samples.
    pub fn finish(&mut self) -> Vec<f32> {
        if self.finished {
            return Vec::new();
        }
        for chan in &mut self.chans {
            let mut rest = Vec::new();
            chan.down.finish(&mut rest);
            chan.framer.push(&rest);
            // Zeros after the end let the last samples' frames complete.
            chan.framer.push(&[0.0; FFT]);
        }
        self.run_frames();
        if self.chans.iter().any(|c| !c.pending.is_empty()) {
            self.mark_tile();
        }
        for chan in &mut self.chans {
            let mut rest = Vec::new();
            chan.up.finish(&mut rest);
            chan.mark.extend(rest);
        }
        self.finished = true;
        self.emit(true)
    }

    /// The ratio of the host's power to the mark's over everything output
    /// so far, in dB (`None` before any non-silent output).
    pub fn snr_db(&self) -> Option<f64> {
        (self.mark_energy > 0.0).then(|| 10.0 * (self.host_energy / self.mark_energy).log10())
    }

    fn run_frames(&mut self) {
        while self.chans.iter().all(|c| c.framer.frame().is_some()) {
            self.mark_frame();
        }
    }

    /// Analyses the current frame of every channel and advances one hop;
    /// marks the tile once its last hop is in.
    fn mark_frame(&mut self) {
        let mut mono = vec![Complex::<f32>::default(); BIN_HI - BIN_LO];
        let scale = 1.0 / self.channels as f32;
        for chan in &mut self.chans {
            let frame = chan.framer.frame().unwrap_or(&[]);
            let spec = self.stft.analyze(frame).to_vec();
            for (k, x) in spec.iter().enumerate() {
                let e = f64::from(x.norm_sqr());
                self.tile_total += e;
                if (BIN_LO..BIN_HI).contains(&k) {
                    self.tile_bands[(k - BIN_LO) / BAND_BINS] += e;
                    mono[k - BIN_LO] += *x * scale;
                }
            }
            chan.pending.push(spec);
            chan.framer.advance();
        }
        for (b, e) in self.tile_mono.iter_mut().enumerate() {
            *e += mono[b * BAND_BINS..(b + 1) * BAND_BINS]
                .iter()
                .map(|x| x.norm_sqr())
                .sum::<f32>();
        }
        self.hop += 1;
        if self.hop.is_multiple_of(TILE_HOPS as u64) {
            self.mark_tile();
        }
    }

    /// The level change of each band of the tile now complete: only as
    /// much as each chip needs to read right, then scaled into the budget.
    fn tile_gains(&self) -> [f32; BANDS] {
        let tile = (self.hop.saturating_sub(1) % FRAME_HOPS as u64) as usize / TILE_HOPS;
        let signs = &self.pattern[tile * BANDS..(tile + 1) * BANDS];
        let mut a = [0f32; BANDS];
        for q in 0..PAIRS {
            let s = signs[2 * q];
            let d = (self.tile_mono[2 * q] + FLOOR).ln() - (self.tile_mono[2 * q + 1] + FLOOR).ln();
            // The detector clips chip values to ±CLIP: a chip the host
            // already reads right past the clip needs nothing, and one the
            // largest change cannot bring back into range is not helped.
            let need = CLIP + MARGIN - s * d;
            let ceiling = ceiling(q);
            let reach = 4.0 * REALISED * ceiling;
            let amount = if need <= 0.0 || need - 2.0 * CLIP > reach {
                0.0
            } else {
                (need / (4.0 * REALISED)).min(ceiling)
            };
            a[2 * q] = s * amount;
            a[2 * q + 1] = -s * amount;
        }
        // The budget: the mark's power in this tile's time span at most
        // BUDGET_DB below the host's power over the whole spectrum.
        let mark: f64 = a
            .iter()
            .zip(&self.tile_bands)
            .map(|(&g, &e)| e * f64::from((g.exp() - 1.0).powi(2)))
            .sum();
        let allowed = 10f64.powf(-BUDGET_DB / 10.0) * self.tile_total;
        if mark > allowed && mark > 0.0 {
            let k = (allowed / mark).sqrt() as f32 * 0.98;
            for g in &mut a {
                *g *= k;
            }
        }
        a
    }

    /// Marks the tile whose spectra are pending.
    fn mark_tile(&mut self) {
        let a = self.tile_gains();
        let gains: Vec<f32> = a.iter().map(|&g| g.exp() - 1.0).collect();
        for chan in &mut self.chans {
            for mut spec in chan.pending.drain(..) {
                for (k, x) in spec.iter_mut().enumerate() {
                    *x = if (BIN_LO..BIN_HI).contains(&k) {
                        *x * gains[(k - BIN_LO) / BAND_BINS]
                    } else {
                        Complex::default()
                    };
                }
                self.stft.synthesize_add(&mut spec, &mut chan.ola);
                let mut up = Vec::with_capacity(HOP * 4);
                chan.up.process(&chan.ola[..HOP], &mut up);
                chan.mark.extend(up);
                chan.ola.copy_within(HOP.., 0);
                chan.ola[FFT - HOP..].fill(0.0);
            }
        }
        self.tile_mono = [0.0; BANDS];
        self.tile_bands = [0.0; BANDS];
        self.tile_total = 0.0;
    }

    /// Returns the host samples whose mark is ready (all of them at the
    /// end, where any mark still missing is zero).
    fn emit(&mut self, all: bool) -> Vec<f32> {
        let host_frames = self.host.len() / self.channels;
        let ready = self.chans.iter().map(|c| c.mark.len()).min().unwrap_or(0);
        let frames = if all {
            host_frames
        } else {
            ready.min(host_frames)
        };
        let mut out = Vec::with_capacity(frames * self.channels);
        for _ in 0..frames {
            for chan in &mut self.chans {
                let x = self.host.pop_front().unwrap_or(0.0);
                let m = chan.mark.pop_front().unwrap_or(0.0);
                self.host_energy += f64::from(x) * f64::from(x);
                self.mark_energy += f64::from(m) * f64::from(m);
                out.push(x + m);
            }
        }
        if all {
            // A trailing partial frame (samples not a multiple of the
            // channels) passes through unmarked.
            out.extend(self.host.drain(..));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_rises_from_1_to_3_khz_with_the_critical_bands() {
        // Pair 5 is centred at 937.5 Hz, pair 22 at 3.06 kHz.
        assert_eq!(ceiling(0), A_MAX);
        assert_eq!(ceiling(5), A_MAX);
        assert!((ceiling(22) - A_MAX_HIGH).abs() < 1e-6);
        assert!((ceiling(PAIRS - 1) - A_MAX_HIGH).abs() < 1e-6);
        assert!((1..PAIRS).all(|q| ceiling(q) >= ceiling(q - 1)));
        assert!(ceiling(14) > A_MAX && ceiling(14) < A_MAX_HIGH);
    }
}
