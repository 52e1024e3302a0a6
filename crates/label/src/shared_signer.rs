//! The labeller's signer, shared with c2pa's [`c2pa::Context`].
//!
//! c2pa's placeholder workflow for BMFF (`Builder::placeholder`,
//! `Builder::sign_embeddable`) takes the signer from the context, which
//! wants one it owns; the labeller already shares its signer between
//! threads in an `Arc`. Every method is passed through, defaults included,
//! so the time-stamp request, the reserve size and any dynamic assertions
//! are the signer's own.

use std::sync::Arc;

use c2pa::{dynamic_assertion::DynamicAssertion, BoxedSigner, Signer, SigningAlg};

pub(crate) struct SharedSigner(pub(crate) Arc<BoxedSigner>);

impl Signer for SharedSigner {
    fn sign(&self, data: &[u8]) -> c2pa::Result<Vec<u8>> {
        self.0.sign(data)
    }

    fn alg(&self) -> SigningAlg {
        self.0.alg()
    }

    fn certs(&self) -> c2pa::Result<Vec<Vec<u8>>> {
        self.0.certs()
    }

    fn reserve_size(&self) -> usize {
        self.0.reserve_size()
    }

    fn ocsp_val(&self) -> Option<Vec<u8>> {
        self.0.ocsp_val()
    }

    fn direct_cose_handling(&self) -> bool {
        self.0.direct_cose_handling()
    }

    fn dynamic_assertions(&self) -> Vec<Box<dyn DynamicAssertion>> {
        self.0.dynamic_assertions()
    }

    fn time_authority_url(&self) -> Option<String> {
        self.0.time_authority_url()
    }

    fn timestamp_request_headers(&self) -> Option<Vec<(String, String)>> {
        self.0.timestamp_request_headers()
    }

    fn timestamp_request_body(&self, message: &[u8]) -> c2pa::Result<Vec<u8>> {
        self.0.timestamp_request_body(message)
    }

    fn send_timestamp_request(&self, message: &[u8]) -> Option<c2pa::Result<Vec<u8>>> {
        self.0.send_timestamp_request(message)
    }

    fn raw_signer(&self) -> Option<Box<&dyn c2pa::crypto::raw_signature::RawSigner>> {
        self.0.raw_signer()
    }
}
