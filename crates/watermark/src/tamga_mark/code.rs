//! The payload's channel code: 48 payload bits, a CRC-16 over them, and a
//! rate-1/3 convolutional code (constraint length 7, the 3GPP generators
//! 133/171/165 octal) decoded by soft-decision Viterbi.
//!
//! A decode is accepted only when the CRC holds *and* the codeword the
//! Viterbi decoder chose lies within [`MAX_CODE_ERRORS`] of the received
//! hard decisions. That second test is what makes the false-positive rate
//! computable: see [`false_positive_bound`].

/// Payload bits carried.
pub const PAYLOAD_BITS: usize = 48;
/// Check bits appended to the payload.
const CRC_BITS: usize = 16;
/// Information bits entering the encoder.
const INFO_BITS: usize = PAYLOAD_BITS + CRC_BITS;
/// Constraint length minus one: the zero tail that ends the trellis.
const TAIL: usize = 6;
/// Generator polynomials, octal 133, 171, 165.
const GENERATORS: [u32; 3] = [0o133, 0o171, 0o165];
/// Coded bits in one tile: (64 + 6) × 3.
pub const CODED_BITS: usize = (INFO_BITS + TAIL) * GENERATORS.len();
/// Most hard-decision disagreements between the received word and the
/// decoded codeword for a decode to count (14 % of the coded bits).
pub const MAX_CODE_ERRORS: usize = 30;

const STATES: usize = 1 << TAIL;

/// CRC-16/CCITT (polynomial 0x1021, initial 0xFFFF) over the payload's
/// six bytes, most significant first.
fn crc16(payload: u64) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for i in (0..6).rev() {
        let byte = ((payload >> (8 * i)) & 0xFF) as u16;
        crc ^= byte << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The 64 information bits: payload (most significant first), then CRC.
fn info_bits(payload: u64) -> [u8; INFO_BITS] {
    let mut bits = [0u8; INFO_BITS];
    let word = (payload << CRC_BITS) | u64::from(crc16(payload));
    for (i, b) in bits.iter_mut().enumerate() {
        *b = ((word >> (INFO_BITS - 1 - i)) & 1) as u8;
    }
    bits
}

/// The three output bits for `state` (the last six inputs, newest in the
/// top bit) and a new input bit.
fn outputs(state: usize, bit: u8) -> [u8; 3] {
    let reg = (u32::from(bit) << TAIL) | state as u32;
    GENERATORS.map(|g| ((reg & g).count_ones() & 1) as u8)
}

fn next_state(state: usize, bit: u8) -> usize {
    ((usize::from(bit) << TAIL) | state) >> 1
}

/// Encodes a 48-bit payload into [`CODED_BITS`] bits (0 or 1).
pub fn encode(payload: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(CODED_BITS);
    let mut state = 0;
    let info = info_bits(payload & PAYLOAD_MASK);
    for &bit in info.iter().chain([0u8; TAIL].iter()) {
        out.extend_from_slice(&outputs(state, bit));
        state = next_state(state, bit);
    }
    out
}

/// The 48 bits a payload may use.
pub const PAYLOAD_MASK: u64 = (1 << PAYLOAD_BITS) - 1;

/// A successful decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    /// The payload.
    pub payload: u64,
    /// Received hard decisions that disagree with the decoded codeword.
    pub code_errors: usize,
}

/// Decodes soft values (positive means bit 1; magnitude is confidence),
/// one per coded bit. `None` when the CRC fails or the codeword is too far
/// from what was received.
pub fn decode(soft: &[f32]) -> Option<Decoded> {
    if soft.len() != CODED_BITS {
        return None;
    }
    let steps = INFO_BITS + TAIL;
    // Path metric per state, and per step the chosen predecessor's input bit
    // and state.
    let mut metric = [f32::NEG_INFINITY; STATES];
    metric[0] = 0.0;
    let mut back: Vec<[(u8, u8); STATES]> = Vec::with_capacity(steps);
    for step in 0..steps {
        let mut next = [f32::NEG_INFINITY; STATES];
        let mut choice = [(0u8, 0u8); STATES];
        let received = &soft[step * 3..step * 3 + 3];
        let inputs: &[u8] = if step >= INFO_BITS { &[0] } else { &[0, 1] };
        for (state, &m) in metric.iter().enumerate() {
            if m == f32::NEG_INFINITY {
                continue;
            }
            for &bit in inputs {
                let out = outputs(state, bit);
                // Correlation metric: agreeing signs add confidence.
                let gain: f32 = out
                    .iter()
                    .zip(received)
                    .map(|(&o, &r)| if o == 1 { r } else { -r })
                    .sum();
                let ns = next_state(state, bit);
                if m + gain > next[ns] {
                    next[ns] = m + gain;
                    choice[ns] = (bit, state as u8);
                }
            }
        }
        metric = next;
        back.push(choice);
    }
    // The tail drives the encoder back to state 0.
    let mut state = 0usize;
    let mut bits = vec![0u8; steps];
    for step in (0..steps).rev() {
        let (bit, prev) = back[step][state];
        bits[step] = bit;
        state = usize::from(prev);
    }
    let mut word: u64 = 0;
    for &b in &bits[..INFO_BITS] {
        word = (word << 1) | u64::from(b);
    }
    let payload = word >> CRC_BITS;
    if (word & 0xFFFF) as u16 != crc16(payload) {
        return None;
    }
    let code_errors = encode(payload)
        .iter()
        .zip(soft)
        .filter(|(&c, &r)| (c == 1) != (r > 0.0))
        .count();
    (code_errors <= MAX_CODE_ERRORS).then_some(Decoded {
        payload,
        code_errors,
    })
}

/// An upper bound on the chance that one decode attempt on an unmarked
/// image is accepted.
///
/// The detector's keyed spreading makes each received hard decision of an
/// unmarked image a fair coin, independent of the others. An attempt is
/// accepted only if some *valid* codeword (one of 2^48: the CRC is fixed by
/// the payload) lies within [`MAX_CODE_ERRORS`] of the received word. By
/// the union bound that chance is at most
/// `2^48 · Σ_{k ≤ 30} C(210, k) / 2^210`, whatever the decoder does.
pub fn false_positive_bound() -> f64 {
    let n = CODED_BITS as f64;
    // log2 of the sum of binomial coefficients, in floating point.
    let mut log_c = 0.0f64; // log2 C(n, 0)
    let mut sum = 0.0f64;
    let mut max_log = f64::NEG_INFINITY;
    let mut terms = Vec::with_capacity(MAX_CODE_ERRORS + 1);
    for k in 0..=MAX_CODE_ERRORS {
        if k > 0 {
            log_c += ((n - k as f64 + 1.0) / k as f64).log2();
        }
        terms.push(log_c);
        max_log = max_log.max(log_c);
    }
    for t in &terms {
        sum += (t - max_log).exp2();
    }
    let log_bound = PAYLOAD_BITS as f64 + max_log + sum.log2() - n;
    log_bound.exp2()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soft_of(code: &[u8]) -> Vec<f32> {
        code.iter()
            .map(|&b| if b == 1 { 1.0 } else { -1.0 })
            .collect()
    }

    #[test]
    fn clean_and_noisy_words_decode() {
        for payload in [0u64, 1, 0xB3EC_907B_B19E, PAYLOAD_MASK, 0x1234_5678_9ABC] {
            let code = encode(payload);
            assert_eq!(code.len(), CODED_BITS);
            let got = decode(&soft_of(&code)).unwrap();
            assert_eq!(
                got,
                Decoded {
                    payload,
                    code_errors: 0
                }
            );
            // 20 flipped bits spread over the word are corrected.
            let mut soft = soft_of(&code);
            for i in (0..CODED_BITS).step_by(CODED_BITS / 20).take(20) {
                soft[i] = -soft[i];
            }
            let got = decode(&soft).unwrap();
            assert_eq!(got.payload, payload);
            assert_eq!(got.code_errors, 20);
        }
    }

    #[test]
    fn random_words_are_refused() {
        // A fixed xorshift stream: coin flips, as an unmarked image gives.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let soft: Vec<f32> = (0..CODED_BITS)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 11) as f32 / (1u64 << 53) as f32 - 0.5
                })
                .collect();
            assert_eq!(decode(&soft), None);
        }
    }

    #[test]
    fn the_bound_is_below_one_in_ten_to_the_twelve_per_attempt() {
        let p = false_positive_bound();
        // 2^48 · Σ C(210, ≤30) / 2^210 = 4.07e-13 (also computed exactly in Python for docs/watermark.md).
        assert!(p < 1e-12 && p > 1e-14, "{p:e}");
    }

    #[test]
    fn the_crc_catches_a_changed_payload() {
        assert_ne!(crc16(1), crc16(2));
        assert_eq!(
            crc16(0x3132_3334_3536 & PAYLOAD_MASK),
            crc16(0x3132_3334_3536)
        );
    }
}
