//! Where the mark lives: the time–frequency grid both sides share, and the
//! keyed choices on it (which tiles carry which code symbol, with which
//! sign, and the scrambling of the code word).
//!
//! Everything happens at one internal rate, [`RATE`]: the embedder and the
//! detector resample to it, so a file's own rate (48 kHz, 44.1 kHz after a
//! resample) does not move the grid. A short-time Fourier transform of
//! [`FFT`] samples every [`HOP`] samples gives one spectrum per hop; bins
//! [`BIN_LO`]..[`BIN_HI`] (250 Hz – 7.25 kHz, which 128 kbit/s MP3 and AAC
//! keep nearly intact) form [`BANDS`] bands of [`BAND_BINS`] bins. A *tile*
//! is one band over [`TILE_HOPS`] hops (64 ms × 62.5 Hz). The two tiles of a
//! band pair (bands 2q and 2q + 1, same time) form one *chip*: the mark
//! raises one and lowers the other, and the detector reads the difference
//! of their log energies, which a gain change leaves as it is.
//!
//! A payload *frame* is [`FRAME_HOPS`] hops (3.84 s): [`BLOCKS`] blocks of
//! tiles, [`CHIPS`] chips in all. Frames repeat end to end from the start
//! of the file, so any 10 s excerpt holds at least two whole frames.

use crate::splitmix::SplitMix;

/// The internal sample rate, Hz.
pub(crate) const RATE: u32 = 16_000;
/// Samples per STFT frame at [`RATE`] (32 ms).
pub(crate) const FFT: usize = 512;
/// Samples between STFT frames (16 ms).
pub(crate) const HOP: usize = 256;
/// Spectrum bins of one STFT frame (DC to Nyquist).
pub(crate) const BINS: usize = FFT / 2 + 1;
/// First bin of the marked band (250 Hz).
pub(crate) const BIN_LO: usize = 8;
/// Bins per band (62.5 Hz).
pub(crate) const BAND_BINS: usize = 2;
/// Bands of the marked range (two per chip).
pub(crate) const BANDS: usize = 112;
/// One past the last marked bin (7.25 kHz).
pub(crate) const BIN_HI: usize = BIN_LO + BANDS * BAND_BINS;
/// Hops per tile (64 ms).
pub(crate) const TILE_HOPS: usize = 4;
/// Tile rows (blocks) per frame.
pub(crate) const BLOCKS: usize = 60;
/// Hops per payload frame (3.84 s).
pub(crate) const FRAME_HOPS: usize = BLOCKS * TILE_HOPS;
/// Chips (band pairs) per block.
pub(crate) const PAIRS: usize = BANDS / 2;
/// Chips per frame.
pub(crate) const CHIPS: usize = BLOCKS * PAIRS;

/// A tile energy floor: near 16-bit quantisation noise, so digital silence
/// and near-silence give chip values of zero (no evidence either way).
pub(crate) const FLOOR: f32 = 1e-7;
/// Chip values are clipped to ± this (nepers): a loud partial next to a
/// quiet band says nothing about the mark and must not outvote the chips
/// around it. The embedder pushes each chip just past it.
pub(crate) const CLIP: f32 = 0.4;

/// The seconds one payload frame lasts.
pub const FRAME_SECONDS: f64 = (FRAME_HOPS * HOP) as f64 / RATE as f64;

/// The secret the mark is keyed with: it picks the chips' signs, which
/// chips carry which code symbol, and the scrambling of the code word.
/// A detector with another key reads noise, which passes the check code
/// no more often than unmarked audio does (see
/// [`false_positive_bound`](super::false_positive_bound)).
///
/// tamga uses one fixed key, [`AudioKey::TAMGA`]: the mark says "tamga
/// labelled this", and anyone with tamga can read it. It is not a secret
/// against forgers; it keeps tamga's mark apart from other schemes and
/// makes the false-positive bound hold for any content.
#[derive(Clone, PartialEq, Eq)]
pub struct AudioKey(pub [u8; 32]);

impl AudioKey {
    /// tamga's published key.
    pub const TAMGA: AudioKey = AudioKey(*b"tamga audio watermark, key no. 1");
}

impl std::fmt::Debug for AudioKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if *self == Self::TAMGA {
            f.write_str("AudioKey::TAMGA")
        } else {
            f.write_str("AudioKey(..)")
        }
    }
}

/// The keyed layout of one frame.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Each chip's sign (+1 or −1), in chip order (block-major).
    pub(crate) chip: Vec<f32>,
    /// The code symbol each chip carries.
    pub(crate) symbol: Vec<u16>,
    /// The bits XORed onto the information word before encoding.
    pub(crate) scramble: Vec<u8>,
}

impl Layout {
    /// The layout for `key`, with `symbols` code symbols and `info`
    /// information bits.
    pub(crate) fn new(key: &AudioKey, symbols: usize, info: usize) -> Self {
        let mut seed = 0x7461_6d67_615f_776du64;
        for chunk in key.0.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            seed = SplitMix(seed ^ u64::from_le_bytes(b)).next();
        }
        let mut rng = SplitMix(seed);
        let chip = (0..CHIPS)
            .map(|_| if rng.next() & 1 == 0 { 1.0 } else { -1.0 })
            .collect();
        // A keyed permutation spreads each symbol's chips over the whole
        // frame (time and frequency), so a pause or a quiet band costs a
        // little of every symbol rather than all of a few.
        let mut order: Vec<usize> = (0..CHIPS).collect();
        for i in (1..CHIPS).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let symbol = order.iter().map(|&o| (o % symbols) as u16).collect();
        let scramble = (0..info).map(|_| (rng.next() & 1) as u8).collect();
        Self {
            chip,
            symbol,
            scramble,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_gets_chips_and_keys_differ() {
        let a = Layout::new(&AudioKey::TAMGA, 234, 72);
        let mut count = vec![0; 234];
        for &s in &a.symbol {
            count[usize::from(s)] += 1;
        }
        assert!(count.iter().all(|&c| c >= 4), "{count:?}");
        let b = Layout::new(&AudioKey([7; 32]), 234, 72);
        let same = a.chip.iter().zip(&b.chip).filter(|(x, y)| x == y).count();
        assert!(
            (CHIPS * 2 / 5..CHIPS * 3 / 5).contains(&same),
            "{same} of {CHIPS}"
        );
        assert_eq!(FRAME_SECONDS, 3.84);
        assert_eq!(BIN_HI, 232);
    }
}
