//! Detached signatures checked against a certificate, for integrity values
//! outside C2PA (the GB 45438 AIGC label's `ReservedCode1`), made with the
//! same key that signs the C2PA manifest.

use c2pa::{crypto::raw_signature::validator_for_signing_alg, SigningAlg};
use x509_parser::{certificate::X509Certificate, pem::Pem, prelude::FromDer};

/// Whether `signature` over `data` verifies with the public key of the
/// first (end-entity) certificate in `chain_pem`, under `alg`.
pub fn verify_detached(chain_pem: &str, alg: SigningAlg, data: &[u8], signature: &[u8]) -> bool {
    let Some(Ok(leaf)) = Pem::iter_from_buffer(chain_pem.as_bytes())
        .find(|p| p.as_ref().is_ok_and(|p| p.label == "CERTIFICATE"))
    else {
        return false;
    };
    let Ok((_, cert)) = X509Certificate::from_der(&leaf.contents) else {
        return false;
    };
    validator_for_signing_alg(alg)
        .is_some_and(|v| v.validate(signature, data, cert.public_key().raw).is_ok())
}
