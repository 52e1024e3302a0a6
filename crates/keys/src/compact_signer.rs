//! A c2pa signer that reserves only the room its signature really needs.
//!
//! c2pa sizes the signature box of every manifest to the signer's
//! `reserve_size()` and pads the COSE signature to fill it. Its built-in
//! signers reserve 1 KB plus the chain plus 10 KB for a timestamp, whether or
//! not a timestamp authority is used: an Ed25519 manifest carries ~11 KB of
//! zeros. That is harmless in a photo, but in a text label every manifest
//! byte costs four bytes of invisible characters (C2PA Annex A.8), so tamga
//! measures the real COSE size once and reserves that plus a little slack.

use c2pa::{
    crypto::{cose::TimeStampStorage, raw_signature::RawSigner},
    BoxedSigner, Signer, SigningAlg,
};

/// Wraps a c2pa signer and reports a reserve that fits its real signature.
pub(crate) struct CompactSigner {
    inner: BoxedSigner,
    reserve: usize,
}

impl CompactSigner {
    /// Measures the COSE signature `inner` produces (no timestamp) and keeps
    /// the inner signer's reserve if the measurement is not possible.
    ///
    /// The reserve is the exact size, not the size plus slack: without a
    /// timestamp the signature's size is fixed by the chain and algorithm
    /// (Ed25519, P1363 ECDSA and RSA signatures have constant length), and
    /// c2pa's padding cannot add fewer than 256 bytes — a smaller `pad`
    /// header comes out one byte short and signing fails — so an exact fit
    /// with no pad is both the smallest and the only slack-free choice.
    pub(crate) fn new(inner: BoxedSigner) -> Self {
        let reserve = inner
            .raw_signer()
            .and_then(|raw| measure(*raw))
            .unwrap_or_else(|| inner.reserve_size());
        Self { inner, reserve }
    }
}

/// The size of a COSE_Sign1 over a detached payload, unpadded. The payload
/// is not inside the structure, so any payload gives the same size.
pub(crate) fn measure(raw: &dyn RawSigner) -> Option<usize> {
    c2pa::crypto::cose::sign(
        raw,
        b"tamga signature size probe",
        None,
        TimeStampStorage::V2_sigTst2_CTT,
    )
    .ok()
    .map(|cose| cose.len())
}

impl Signer for CompactSigner {
    fn sign(&self, data: &[u8]) -> c2pa::Result<Vec<u8>> {
        self.inner.sign(data)
    }

    fn alg(&self) -> SigningAlg {
        self.inner.alg()
    }

    fn certs(&self) -> c2pa::Result<Vec<Vec<u8>>> {
        self.inner.certs()
    }

    fn reserve_size(&self) -> usize {
        self.reserve
    }

    fn ocsp_val(&self) -> Option<Vec<u8>> {
        self.inner.ocsp_val()
    }

    fn raw_signer(&self) -> Option<Box<&dyn RawSigner>> {
        self.inner.raw_signer()
    }
}

#[cfg(test)]
mod tests {
    use crate::{init_dev_keys, DevKeyOptions, KeyAlgorithm, SigningIdentity};

    fn identity(algorithm: KeyAlgorithm) -> SigningIdentity {
        let dir = tempfile::tempdir().unwrap();
        let mut options = DevKeyOptions::new("Compact Test LLP");
        options.algorithm = algorithm;
        let paths = init_dev_keys(dir.path(), &options).unwrap();
        SigningIdentity::load(&paths.signing_chain, &paths.signing_key, None).unwrap()
    }

    #[test]
    fn the_reserve_is_the_real_signature_size_without_a_timestamp() {
        for alg in [KeyAlgorithm::Ed25519, KeyAlgorithm::EcdsaP256] {
            let id = identity(alg);
            let compact = id.signer(None).unwrap();
            let chain: usize = compact.certs().unwrap().iter().map(Vec::len).sum();
            // Chain + signature + a few dozen bytes of COSE headers, not
            // c2pa's 10 KB timestamp allowance.
            assert!(compact.reserve_size() > chain, "{alg}");
            assert!(
                compact.reserve_size() < chain + 300,
                "{alg}: {}",
                compact.reserve_size()
            );
            // A time-stamped signer whose authority cannot be reached for
            // the size probe keeps c2pa's generous reserve (the signing
            // itself then fails, naming the authority).
            let stamped = id.signer(Some("http://127.0.0.1:1/tsa".into())).unwrap();
            assert!(
                stamped.reserve_size() > compact.reserve_size() + 5000,
                "{alg}"
            );
        }
    }
}
