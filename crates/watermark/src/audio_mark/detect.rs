//! The streaming detector.
//!
//! The input is mixed to mono and resampled to the internal rate (so the
//! file's rate does not matter), and each tile's log energy is taken; a
//! chip's value is the difference of its two tiles' log energies, which a
//! gain change does not move, weighted down where the quieter tile is near
//! the noise floor. Since frames repeat every [`FRAME_HOPS`]
//! hops, chip values are summed *modulo the frame* into one frame's worth
//! of sums for every hop alignment (`PAIRS × FRAME_HOPS` numbers): memory
//! does not grow with the duration, every repeat adds its evidence, and an
//! excerpt starting anywhere is just another alignment. At the end every
//! alignment is decoded and the one whose word passes the check is the
//! mark.

use std::collections::VecDeque;

use super::code::{encode, verify, viterbi, INFO_BITS, SYMBOLS};
use super::embed::check_format;
use super::layout::{
    Layout, BANDS, BAND_BINS, BIN_LO, CHIPS, CLIP, FLOOR, FRAME_HOPS, HOP, PAIRS, RATE, TILE_HOPS,
};
use super::resample::Resampler;
use super::stft::{Framer, Stft};
use super::{AudioKey, AudioMarkError, AudioPayload};

/// What the detector found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AudioDetection {
    /// The payload read.
    pub payload: AudioPayload,
    /// Where in the input (seconds, modulo [`super::FRAME_SECONDS`]) a
    /// payload frame starts.
    pub offset_seconds: f64,
    /// Code symbols whose sign disagreed with the decoded word before
    /// error correction: 0 for a clean copy, towards half of
    /// [`Self::symbols`] as the mark fades.
    pub symbol_errors: u32,
    /// Code symbols in a frame.
    pub symbols: u32,
    /// Seconds of audio read.
    pub seconds: f64,
}

/// Reads tamga's audio mark from interleaved `f32` samples as they stream
/// in. Memory is fixed (about 220 KB of sums plus buffers), whatever the
/// duration.
pub struct AudioDetector {
    channels: usize,
    rate: u32,
    layout: Layout,
    down: Resampler,
    stft: Stft,
    /// One grid per sub-hop phase: an excerpt can start anywhere, and a
    /// tile grid half a hop off would lose a quarter of every chip.
    phases: Vec<Phase>,
    /// Input frames (samples per channel) seen.
    frames_in: u64,
    /// A trailing partial frame carried to the next push.
    carry: Vec<f32>,
    mono: Vec<f32>,
    down_out: Vec<f32>,
}

/// A tile energy at which a chip counts half: twice [`FLOOR`], about the
/// 16-bit quantisation noise of a tile. Chips whose quieter tile is near
/// it are weighted down smoothly (whatever mark was there went when the
/// file was stored in 16 bits or through a codec, and its value is noise
/// at full size); chips well above it count fully. On sparse real speech
/// (letters with long near-silent gaps) this raised the evidence through
/// AAC by up to a third, and stops a long quiet stretch drowning a short
/// marked one.
const QUIET: f32 = 2e-7;

/// Sub-hop phases tried: grids [`HOP`] / `PHASES` samples apart.
pub(crate) const PHASES: usize = 4;

/// The tile grid starting `skip` samples into the input.
struct Phase {
    skip: usize,
    framer: Framer,
    /// Band energies of the last hops, for the tile being completed.
    recent: VecDeque<[f32; BANDS]>,
    /// Tiles completed so far (the next tile's first hop).
    tiles: u64,
    /// Chip-value sums: `acc[q * FRAME_HOPS + h]` for band pair `q` and a
    /// tile starting at hop `h` modulo the frame.
    acc: Vec<f32>,
}

impl Phase {
    fn push(&mut self, samples: &[f32], stft: &mut Stft) {
        let skip = self.skip.min(samples.len());
        self.skip -= skip;
        self.framer.push(&samples[skip..]);
        while let Some(frame) = self.framer.frame() {
            let spec = stft.analyze(frame);
            let mut bands = [0f32; BANDS];
            for (b, e) in bands.iter_mut().enumerate() {
                let lo = BIN_LO + b * BAND_BINS;
                *e = spec[lo..lo + BAND_BINS].iter().map(|x| x.norm_sqr()).sum();
            }
            self.framer.advance();
            self.recent.push_back(bands);
            if self.recent.len() < TILE_HOPS {
                continue;
            }
            let mut tile = [0f32; BANDS];
            for hop in &self.recent {
                for (t, e) in tile.iter_mut().zip(hop) {
                    *t += e;
                }
            }
            self.recent.pop_front();
            let h = (self.tiles % FRAME_HOPS as u64) as usize;
            for q in 0..PAIRS {
                let (a, b) = (tile[2 * q], tile[2 * q + 1]);
                let d = (a + FLOOR).ln() - (b + FLOOR).ln();
                // A chip is only as reliable as its quieter tile: near the
                // noise floor of 16-bit audio (or of a codec's output) the
                // mark is gone and its value is noise at full size.
                let quiet = a.min(b);
                let weight = quiet / (quiet + QUIET);
                self.acc[q * FRAME_HOPS + h] += weight * d.clamp(-CLIP, CLIP);
            }
            self.tiles += 1;
        }
    }

    /// The code symbols' soft values for a frame starting at hop `offset`.
    fn soft(&self, layout: &Layout, offset: usize, soft: &mut [f32]) {
        soft.fill(0.0);
        for p in 0..CHIPS {
            let (t, q) = (p / PAIRS, p % PAIRS);
            let h = (offset + t * TILE_HOPS) % FRAME_HOPS;
            let v = self.acc[q * FRAME_HOPS + h];
            soft[usize::from(layout.symbol[p])] += layout.chip[p] * v;
        }
    }
}

impl std::fmt::Debug for AudioDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioDetector")
            .field("channels", &self.channels)
            .field("rate", &self.rate)
            .field("frames_in", &self.frames_in)
            .finish_non_exhaustive()
    }
}

impl AudioDetector {
    /// A detector with tamga's key for interleaved samples of `channels`
    /// channels at `sample_rate` Hz.
    pub fn new(sample_rate: u32, channels: usize) -> Result<Self, AudioMarkError> {
        Self::with_key(sample_rate, channels, &AudioKey::TAMGA)
    }

    /// As [`Self::new`], with another key.
    pub fn with_key(
        sample_rate: u32,
        channels: usize,
        key: &AudioKey,
    ) -> Result<Self, AudioMarkError> {
        check_format(sample_rate, channels)?;
        Ok(Self {
            channels,
            rate: sample_rate,
            layout: Layout::new(key, SYMBOLS, INFO_BITS),
            down: Resampler::new(sample_rate, RATE),
            stft: Stft::new(),
            phases: (0..PHASES)
                .map(|k| Phase {
                    skip: k * HOP / PHASES,
                    framer: Framer::default(),
                    recent: VecDeque::with_capacity(TILE_HOPS + 1),
                    tiles: 0,
                    acc: vec![0.0; PAIRS * FRAME_HOPS],
                })
                .collect(),
            frames_in: 0,
            carry: Vec::new(),
            mono: Vec::new(),
            down_out: Vec::new(),
        })
    }

    /// Feeds interleaved samples.
    pub fn push(&mut self, samples: &[f32]) {
        self.carry.extend_from_slice(samples);
        let whole = self.carry.len() / self.channels * self.channels;
        self.mono.clear();
        let scale = 1.0 / self.channels as f32;
        self.mono.extend(
            self.carry[..whole]
                .chunks_exact(self.channels)
                .map(|f| f.iter().sum::<f32>() * scale),
        );
        self.carry.drain(..whole);
        self.frames_in += self.mono.len() as u64;
        self.down_out.clear();
        self.down.process(&self.mono, &mut self.down_out);
        for phase in &mut self.phases {
            phase.push(&self.down_out, &mut self.stft);
        }
    }

    /// Reads what is left of the input.
    fn flush(&mut self) {
        let mut rest = Vec::new();
        self.down.finish(&mut rest);
        for phase in &mut self.phases {
            phase.push(&rest, &mut self.stft);
        }
    }

    /// Ends the input and decodes: the mark, if one is there.
    pub fn finish(mut self) -> Option<AudioDetection> {
        self.flush();
        if self.phases.iter().all(|p| p.tiles == 0) {
            return None;
        }
        let mut best: Option<(f32, AudioDetection)> = None;
        let mut soft = vec![0f32; SYMBOLS];
        for (k, offset) in (0..PHASES).flat_map(|k| (0..FRAME_HOPS).map(move |o| (k, o))) {
            self.phases[k].soft(&self.layout, offset, &mut soft);
            let (bits, metric) = viterbi(&soft);
            let Some(payload) = verify(&bits, &self.layout.scramble) else {
                continue;
            };
            if best.as_ref().is_some_and(|(m, _)| *m >= metric) {
                continue;
            }
            let coded = encode(&bits);
            let errors = soft
                .iter()
                .zip(&coded)
                .filter(|(&y, &c)| y * (1.0 - 2.0 * f32::from(c)) <= 0.0)
                .count();
            best = Some((
                metric,
                AudioDetection {
                    payload: AudioPayload(payload),
                    offset_seconds: (offset * HOP + k * HOP / PHASES) as f64 / f64::from(RATE),
                    symbol_errors: errors as u32,
                    symbols: SYMBOLS as u32,
                    seconds: self.frames_in as f64 / f64::from(self.rate),
                },
            ));
        }
        best.map(|(_, d)| d)
    }
}
