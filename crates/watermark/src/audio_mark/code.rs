//! The error-correcting code and the check code around the payload.
//!
//! The 32 payload bits are followed by a 40-bit check (a CRC with the
//! GSM "fire code" polynomial x⁴⁰ + x²⁶ + x²³ + x¹⁷ + x³ + 1), XORed with
//! the key's scrambling bits, then encoded with the rate-1/3, constraint
//! length 7 convolutional code of LTE (generators 133, 171, 165 octal)
//! with six zero tail bits: 78 × 3 = [`SYMBOLS`] code symbols. The detector
//! decodes soft chip sums with the Viterbi algorithm and accepts only a
//! word whose check matches, which is what bounds false positives
//! ([`false_positive_bound`]).

use super::layout::FRAME_HOPS;

/// Payload bits.
pub(crate) const PAYLOAD_BITS: usize = 32;
/// Check bits.
pub(crate) const CHECK_BITS: usize = 40;
/// Information bits (payload and check).
pub(crate) const INFO_BITS: usize = PAYLOAD_BITS + CHECK_BITS;
/// Constraint length of the convolutional code.
const K: usize = 7;
/// Code symbols per information bit.
const RATE_INV: usize = 3;
/// Generator polynomials (octal 133, 171, 165).
const GENERATORS: [u32; RATE_INV] = [0o133, 0o171, 0o165];
/// Code symbols per frame.
pub(crate) const SYMBOLS: usize = (INFO_BITS + K - 1) * RATE_INV;
const STATES: usize = 1 << (K - 1);
/// The CRC polynomial without its x⁴⁰ term.
const CRC_POLY: u64 = (1 << 26) | (1 << 23) | (1 << 17) | (1 << 3) | 1;

/// The 40-bit check of `payload`.
pub(crate) fn check(payload: u32) -> u64 {
    let mut reg = 0u64;
    for i in (0..PAYLOAD_BITS).rev() {
        let top = ((reg >> (CHECK_BITS - 1)) & 1) ^ u64::from((payload >> i) & 1);
        reg = (reg << 1) & ((1 << CHECK_BITS) - 1);
        if top == 1 {
            reg ^= CRC_POLY;
        }
    }
    reg
}

/// The information word of `payload` (payload bits then check bits, most
/// significant first), scrambled with `scramble`.
pub(crate) fn info_word(payload: u32, scramble: &[u8]) -> Vec<u8> {
    let c = check(payload);
    let bits = (0..PAYLOAD_BITS)
        .rev()
        .map(|i| ((payload >> i) & 1) as u8)
        .chain((0..CHECK_BITS).rev().map(|i| ((c >> i) & 1) as u8));
    bits.zip(scramble).map(|(b, s)| b ^ s).collect()
}

/// The payload of an information word, if its check matches.
pub(crate) fn verify(info: &[u8], scramble: &[u8]) -> Option<u32> {
    let mut payload = 0u32;
    let mut c = 0u64;
    for (i, (&b, &s)) in info.iter().zip(scramble).enumerate().take(INFO_BITS) {
        let bit = b ^ s;
        if i < PAYLOAD_BITS {
            payload = (payload << 1) | u32::from(bit);
        } else {
            c = (c << 1) | u64::from(bit);
        }
    }
    (check(payload) == c).then_some(payload)
}

fn parity(x: u32) -> u8 {
    (x.count_ones() & 1) as u8
}

/// Encodes `info` (bits) with a zero tail: [`SYMBOLS`] code bits for a
/// full word.
pub(crate) fn encode(info: &[u8]) -> Vec<u8> {
    let mut state = 0u32;
    let mut out = Vec::with_capacity((info.len() + K - 1) * RATE_INV);
    for &b in info.iter().chain(&[0; K - 1]) {
        state = ((state << 1) | u32::from(b & 1)) & ((1 << K) - 1);
        out.extend(GENERATORS.iter().map(|&g| parity(state & g)));
    }
    out
}

/// Soft-decision Viterbi decoding of a zero-terminated word. `soft[j] > 0`
/// says code bit j is more likely 0, and its size how much more. Returns
/// the information bits and the path's correlation with `soft`.
pub(crate) fn viterbi(soft: &[f32]) -> (Vec<u8>, f32) {
    let steps = soft.len() / RATE_INV;
    // For each state (the last K−1 input bits) and input bit, the code
    // bits' signs (+1 for 0, −1 for 1).
    let mut branch = vec![[0f32; RATE_INV]; STATES * 2];
    for s in 0..STATES {
        for b in 0..2 {
            let reg = ((s as u32) << 1) | b as u32;
            for (g, &poly) in GENERATORS.iter().enumerate() {
                branch[s * 2 + b][g] = 1.0 - 2.0 * f32::from(parity(reg & poly));
            }
        }
    }
    let mut metric = vec![f32::NEG_INFINITY; STATES];
    metric[0] = 0.0;
    let mut next = vec![0f32; STATES];
    // The surviving predecessor's low bit... stored as the previous state.
    let mut from = vec![0u8; steps * STATES];
    for t in 0..steps {
        let y = &soft[t * RATE_INV..(t + 1) * RATE_INV];
        next.fill(f32::NEG_INFINITY);
        for (s, &m) in metric.iter().enumerate() {
            if m == f32::NEG_INFINITY {
                continue;
            }
            for b in 0..2 {
                let signs = &branch[s * 2 + b];
                let gain: f32 = signs.iter().zip(y).map(|(a, v)| a * v).sum();
                let ns = ((s << 1) | b) & (STATES - 1);
                if m + gain > next[ns] {
                    next[ns] = m + gain;
                    from[t * STATES + ns] = s as u8;
                }
            }
        }
        std::mem::swap(&mut metric, &mut next);
    }
    // Terminated in state 0 by the tail; trace back.
    let mut state = 0usize;
    let mut bits = vec![0u8; steps];
    for t in (0..steps).rev() {
        bits[t] = (state & 1) as u8;
        state = usize::from(from[t * STATES + state]);
    }
    bits.truncate(steps.saturating_sub(K - 1));
    (bits, metric[0])
}

/// Frame alignments the detector tries: every hop of a frame, at each
/// sub-hop phase.
pub(crate) const OFFSETS_TRIED: usize = FRAME_HOPS * super::detect::PHASES;

/// An upper bound on the probability that the detector reports a mark in
/// audio that carries none, whatever the audio and however long.
///
/// Model: the key is random relative to the content (a clip was not made
/// with knowledge of the key). The detector folds the whole input into one
/// frame's worth of chip sums and, for each of the 960 frame
/// alignments (240 hops × 4 sub-hop phases), decodes an information word `w` and XORs it with the key's
/// scrambling bits `s`. For a fixed clip and alignment, `w` depends on the
/// content and on the chips' signs, and `s` is independent of both, so
/// `w ⊕ s` is uniform on all 72-bit words: the 40 check bits equal the
/// check of the 32 payload bits with probability exactly 2⁻⁴⁰. Whether the
/// alignments' events are independent or not, the union bound gives
/// P(false positive) ≤ offsets × 2⁻⁴⁰ = 960 × 2⁻⁴⁰ ≈ 8.7 × 10⁻¹⁰ per clip,
/// below 10⁻⁹. The same bound holds for a mark made with another key.
pub fn false_positive_bound() -> f64 {
    OFFSETS_TRIED as f64 * (0.5f64).powi(CHECK_BITS as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_false_positive_bound_is_below_one_in_a_billion() {
        let p = false_positive_bound();
        assert!(p <= 1e-9, "{p:e}");
        assert!((p - 960.0 / 1_099_511_627_776.0).abs() < 1e-20);
    }

    #[test]
    fn the_check_catches_a_flipped_bit_and_its_polynomial_is_the_fire_code() {
        // A one-bit payload gives x^40 mod g(x) = the polynomial's low terms.
        assert_eq!(check(1), CRC_POLY);
        let scramble = vec![0u8; INFO_BITS];
        let mut w = info_word(0xDEAD_BEEF, &scramble);
        assert_eq!(verify(&w, &scramble), Some(0xDEAD_BEEF));
        for i in 0..INFO_BITS {
            w[i] ^= 1;
            assert_eq!(verify(&w, &scramble), None, "bit {i}");
            w[i] ^= 1;
        }
    }

    #[test]
    fn viterbi_corrects_noisy_symbols() {
        let scramble: Vec<u8> = (0..INFO_BITS).map(|i| (i % 3 == 0) as u8).collect();
        let info = info_word(0x1234_5678, &scramble);
        let coded = encode(&info);
        assert_eq!(coded.len(), SYMBOLS);
        // Amplitude 1 and deterministic noise of ±0.9 on every symbol, with
        // some symbols flipped outright.
        let mut x = 1u32;
        let soft: Vec<f32> = coded
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (x >> 8) as f32 / (1 << 24) as f32 * 1.8 - 0.9;
                let v = 1.0 - 2.0 * f32::from(c) + noise;
                if i % 17 == 0 {
                    -v
                } else {
                    v
                }
            })
            .collect();
        let (bits, _) = viterbi(&soft);
        assert_eq!(verify(&bits, &scramble), Some(0x1234_5678));
    }

    #[test]
    fn silence_decodes_to_a_word_that_fails_the_check() {
        let layout =
            super::super::layout::Layout::new(&super::super::AudioKey::TAMGA, SYMBOLS, INFO_BITS);
        let (bits, _) = viterbi(&[0.0; SYMBOLS]);
        assert_eq!(verify(&bits, &layout.scramble), None);
    }
}
