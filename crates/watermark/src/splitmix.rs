//! SplitMix64, the keyed stream both of tamga's marks draw their layouts
//! from: small and well mixed. A layout needs to look random to the
//! content it hides in, not to resist prediction (the keys are public).

/// The generator, its state the seed.
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    /// The next 64 bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// +1 or −1.
    pub(crate) fn sign(&mut self) -> f32 {
        if self.next() & 1 == 1 {
            1.0
        } else {
            -1.0
        }
    }
}
