//! The MinHash of ISO 24138's Text-Code: 64 universal hash functions
//! `((a·f + b) mod 2^64) mod (2^61 − 1)`, the least 32 bits of each kept,
//! and the minimum over all features per function.
//!
//! It is the same function as iscc-lib's `alg_minhash_256` (a test
//! compares them), written so that it is fast on long texts: the
//! Mersenne-prime reduction is two adds instead of a division, a 32-bit
//! test rules out most blocks of features before any 64-bit work (see
//! [`could_lower`]), the loops are ones the compiler vectorises, and
//! `pulp` picks AVX2 at run time where the CPU has it (a plain x86-64
//! build may only assume SSE2). A 10 MB text has ~5 M features: 320 M
//! hash evaluations.

/// The 64 multipliers and addends, ISCC's published parameters (iscc-core
/// `MPA`/`MPB`); `minhash_matches_iscc_lib` checks them.
const MPA: [u64; 64] = [
    0x0bd6fc3666cddccd,
    0x19aa265a296861b9,
    0x0fb49116249f240b,
    0x1adfc726aa0e5561,
    0x0c5ce3a5a06b706b,
    0x1b97ae3504f68d05,
    0x138d6618323c0103,
    0x1db3b398a8a09af9,
    0x185b745ad0bfcc4d,
    0x12d12f23cf0e9aad,
    0x0795dd9577a978b3,
    0x06e7d7fc0f99e34d,
    0x1bc3f30e608b1f5d,
    0x0ead57b0906151af,
    0x15dfcd6ab8a2fefd,
    0x1cd9533f55cc8673,
    0x0e31107120a54313,
    0x1dd6a07fbce3ea19,
    0x09e2be8079dfdf2f,
    0x14fad77228bf5eaf,
    0x152cebf702e35f9d,
    0x1189d1c0ba059a33,
    0x10dff879fb1c38af,
    0x083058c40f70e60b,
    0x01d0c85297804a39,
    0x0d5c4995355da7b7,
    0x17a0b681612e861f,
    0x041bddefc7647a75,
    0x06cd94739c33f043,
    0x116bd16f547bd8ff,
    0x09b4fa40e2209827,
    0x0074fdd0712066b5,
    0x1b8c7bf89b896469,
    0x05062e675f96b6db,
    0x1a69b5bdbb8eed2b,
    0x0c7ed59cd4700c29,
    0x0799012d426d7c6f,
    0x1771dc7389d3dacf,
    0x0bbc27794a831943,
    0x058e43cdca23150d,
    0x026d9ba8744b8015,
    0x0c2a00912496855b,
    0x0705226d8016da9d,
    0x1aa6dfeeea108247,
    0x11f04783ff3d1e6d,
    0x0d5e63ecea7ccc9f,
    0x1805523801e53327,
    0x03f327c54f7c4bc5,
    0x10720f1822703779,
    0x1e13c1b3d5491a6d,
    0x10dc35f27d79d913,
    0x15955e73e37ffb71,
    0x0e8b4adcc1633f0b,
    0x1130750cadb338d5,
    0x10d73a2b670cfd6f,
    0x03f925002144e9df,
    0x115a2a7110219dc9,
    0x05a7dabd33c9c463,
    0x0d55b1668de1a12b,
    0x17e8426ee18e595f,
    0x1265d8fa972717bf,
    0x02bbd023752576d7,
    0x172aee6666d154b3,
    0x0ad7dd83733f8a95,
];
const MPB: [u64; 64] = [
    0x0f1f0fc99887ea6b,
    0x0a16b994dc3e2e31,
    0x00eb34b84804bce1,
    0x0ef748584001dd8c,
    0x12a4f6f418028b4b,
    0x09b21d5014ea68a7,
    0x115383e3e873be27,
    0x141832af19da3c79,
    0x0e5ba22c9b8b9597,
    0x1474bad6b504b08e,
    0x0b040cc67987e745,
    0x0d9b708e8e83c66f,
    0x0d609bbd004e3c77,
    0x033e191007d3a85d,
    0x0362866a7c0a8dd3,
    0x07ea010bad227ece,
    0x042167e53cd07b2c,
    0x150cbece2d2bc69d,
    0x14be94be75539629,
    0x17fdb8f10970bd53,
    0x0e4871b571e49530,
    0x170c1b6091d92ea8,
    0x136cfb07a4630835,
    0x070753a97f8d2789,
    0x11c27ab17baf8edd,
    0x0befad23100a6f74,
    0x05b602f9333e9d8c,
    0x00f70d86a9d1b347,
    0x1b350f0580186b99,
    0x0865b809757aca74,
    0x0e1edf3c5eabb21d,
    0x121bb418ab60509c,
    0x0d2b92c2a4ee995b,
    0x0fdbf4f00758271b,
    0x0801d841df2f5d40,
    0x0eddec5e885fb480,
    0x14bda0b2c901d2eb,
    0x0ee5184f15aac6aa,
    0x11d8730eb8699e99,
    0x11b9715b4fb518d7,
    0x04c561c0cf35cca1,
    0x1d27f34e80cc26e3,
    0x1109b4e108174f4a,
    0x00420e62e60aeef1,
    0x1d2b647f2464f369,
    0x02a9709cb76f3ea8,
    0x1e1dd51c3d760398,
    0x0cbeeba5a7d69dfd,
    0x19691b22e0998389,
    0x1b14a4990f3ff12e,
    0x0a547884667ffce3,
    0x1aaa9ab9597b6f22,
    0x1c0911f4404a97d6,
    0x187e4a9d069783c9,
    0x1a6bfcefede6406c,
    0x141d3a7ba317ccca,
    0x13ed1387613eaca9,
    0x0b901cc1caa732fd,
    0x1f127e7dfd0015af,
    0x0a64d32f76a735be,
    0x1975c032c417f355,
    0x0314bf0108540316,
    0x0c81d79ae5775341,
    0x14d6cb5e18ae5b4e,
];

/// The Mersenne prime 2^61 − 1.
const PRIME: u64 = (1 << 61) - 1;

/// Features hashed per function before moving to the next one: small
/// enough to stay in L1 while all 64 functions pass over it.
const BLOCK: usize = 4096;

/// Features ruled out together by the cheap test: short, because a run
/// that holds the feature with the minimum (which a text that repeats
/// itself brings back often) is hashed exactly.
const RUN: usize = 64;

/// The running minima of the 64 functions over every feature seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MinHash([u32; 64]);

impl Default for MinHash {
    fn default() -> Self {
        // An empty feature set leaves every minimum at its maximum, as
        // in the reference (`MAXH`).
        Self([u32::MAX; 64])
    }
}

impl MinHash {
    /// Takes `features` into the minima.
    pub(crate) fn update(&mut self, features: &[u32]) {
        pulp::Arch::new().dispatch(Update {
            mins: &mut self.0,
            features,
        });
    }

    /// Takes another set's minima in: the MinHash of the union.
    pub(crate) fn merge(&mut self, other: &MinHash) {
        for (m, o) in self.0.iter_mut().zip(other.0) {
            *m = (*m).min(o);
        }
    }

    /// The 256-bit digest: the 4 least significant bits of each minimum,
    /// bit plane by bit plane, most significant bit first in each byte.
    pub(crate) fn digest(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        let mut bit = 0usize;
        for plane in 0..4 {
            for m in self.0 {
                if (m >> plane) & 1 == 1 {
                    out[bit / 8] |= 0x80 >> (bit % 8);
                }
                bit += 1;
            }
        }
        out
    }
}

/// `pulp` compiles `with_simd` once per instruction set and calls the best
/// one the CPU has; the body is plain Rust the compiler vectorises.
struct Update<'a> {
    mins: &'a mut [u32; 64],
    features: &'a [u32],
}

impl pulp::WithSimd for Update<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        for block in self.features.chunks(BLOCK) {
            for ((m, &a), &b) in self.mins.iter_mut().zip(&MPA).zip(&MPB) {
                for run in block.chunks(RUN) {
                    if could_lower(*m, a, b, run) {
                        *m = run.iter().fold(*m, |least, &f| least.min(hash(a, b, f)));
                    }
                }
            }
        }
    }
}

/// Could any feature of `run` hash below `least`? A cheap, 32-bit test
/// that is never wrong when it says no.
///
/// The hash is the low 32 bits of `r`, where `r` is `v = a·f + b` with its
/// top three bits added to the rest (and `PRIME` taken off once if that
/// reaches it). The low 32 bits of `v` are `c = a₀·f + b₀` in 32-bit
/// arithmetic (`a₀`, `b₀` the low halves); adding three bits and the one
/// of the subtraction (−PRIME ≡ +1 mod 2^32) gives `hash = c + k mod 2^32`
/// with `0 ≤ k ≤ 8`. So a hash below `least` needs `c < least`, or
/// `c ≥ 2^32 − 8` (wrapping to at most 7): both mean
/// `c + 8 (mod 2^32) < least + 8`. After the first few blocks the minima
/// are small and almost every run is ruled out by this test alone, which
/// is eight 32-bit lanes per AVX2 instruction instead of four 64-bit ones
/// and a third of the operations: on a 10 MB text the MinHash took 28 ms
/// instead of 136 ms (iscc-lib's loop: 450 ms).
#[inline(always)]
fn could_lower(least: u32, a: u64, b: u64, run: &[u32]) -> bool {
    let Some(bound) = least.checked_add(8) else {
        return true;
    };
    let (a0, b0) = (a as u32, (b as u32).wrapping_add(8));
    let lowest = run.iter().fold(u32::MAX, |low, &f| {
        low.min(a0.wrapping_mul(f).wrapping_add(b0))
    });
    lowest < bound
}

/// One universal hash function applied to one feature, truncated to 32 bits.
#[inline(always)]
fn hash(a: u64, b: u64, f: u32) -> u32 {
    let v = a.wrapping_mul(u64::from(f)).wrapping_add(b);
    // v mod (2^61 − 1): 2^61 ≡ 1, so the top three bits add to the rest;
    // the sum is below 2·PRIME, one subtraction finishes it.
    let r = (v & PRIME) + (v >> 61);
    let r = if r >= PRIME { r - PRIME } else { r };
    // The reference keeps `r & (2^32 − 1)`.
    r as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(features: &[u32]) -> Vec<u8> {
        iscc_lib::alg_minhash_256(features)
    }

    #[test]
    fn minhash_matches_iscc_lib() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u32
        };
        for n in [0usize, 1, 2, 13, 4095, 4096, 4097, 20_000] {
            let features: Vec<u32> = (0..n).map(|_| next()).collect();
            let mut ours = MinHash::default();
            ours.update(&features);
            assert_eq!(ours.digest().to_vec(), reference(&features), "{n} features");
        }
        // Extremes of the input range.
        let edges = [0, 1, u32::MAX, u32::MAX - 1, 1 << 31];
        let mut ours = MinHash::default();
        ours.update(&edges);
        assert_eq!(ours.digest().to_vec(), reference(&edges));
    }

    #[test]
    fn features_whose_low_half_wraps_are_not_skipped() {
        // For each function with an odd low multiplier, features whose
        // 32-bit partial hash lands in the last eight values, where the
        // real hash wraps round to a tiny one: the cheap test must let
        // them through. Random features first, so the minima are small.
        let mut features: Vec<u32> = (0..9000u32).map(|i| i.wrapping_mul(0x9e37_79b9)).collect();
        for (&a, &b) in MPA.iter().zip(&MPB) {
            let (a0, b0) = (a as u32, b as u32);
            if a0 % 2 == 0 {
                continue;
            }
            // The inverse of a0 modulo 2^32, by Newton's iteration.
            let mut inv = a0;
            for _ in 0..5 {
                inv = inv.wrapping_mul(2u32.wrapping_sub(a0.wrapping_mul(inv)));
            }
            for target in [u32::MAX, u32::MAX - 3, u32::MAX - 7] {
                features.push(target.wrapping_sub(b0).wrapping_mul(inv));
            }
        }
        let mut ours = MinHash::default();
        ours.update(&features);
        assert_eq!(ours.digest().to_vec(), reference(&features));
    }

    #[test]
    fn merged_parts_equal_the_whole() {
        let features: Vec<u32> = (0..10_000u32)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect();
        let mut whole = MinHash::default();
        whole.update(&features);
        let (a, b) = features.split_at(3_333);
        let (mut left, mut right) = (MinHash::default(), MinHash::default());
        left.update(a);
        right.update(b);
        left.merge(&right);
        assert_eq!(left, whole);
    }
}
