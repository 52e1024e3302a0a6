//! Signing keys and certificates for tamga.
//!
//! C2PA validators are strict about the signing certificate (C2PA 2.x §14.5):
//! it must be an end-entity certificate issued by someone else, carry an
//! organisation name, an authority key identifier, the `digitalSignature` key
//! usage and a C2PA-acceptable extended key usage. This crate
//!
//! * creates a development root CA and an Ed25519 signing certificate that
//!   satisfies those rules ([`init_dev_keys`]),
//! * makes certificate signing requests for a real CA ([`make_csr`]),
//! * loads any PEM chain and PKCS#8 key a user brings, Ed25519 or ECDSA
//!   ([`SigningIdentity::load`]), and
//! * explains, rule by rule, why a certificate would be rejected
//!   ([`check_profile`]) instead of c2pa's bare "the certificate is invalid".
//!
//! ```no_run
//! use tamga_keys::{init_dev_keys, DevKeyOptions, SigningIdentity};
//!
//! # fn main() -> Result<(), tamga_keys::KeyError> {
//! let dir = std::path::Path::new("/tmp/tamga-example-keys");
//! let paths = init_dev_keys(dir, &DevKeyOptions::new("Example News LLP"))?;
//! let identity = SigningIdentity::load(&paths.signing_chain, &paths.signing_key, None)?;
//! println!("signing as {}", identity.summary().organisation);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Tests may unwrap: a panic there is a test failure with a backtrace.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod compact_signer;
mod csr;
mod describe;
mod detached;
mod dev_ca;
mod error;
mod expiry;
mod identity;
mod private_file;
mod profile;
mod time_stamp;
mod trust_list;

pub use csr::{make_csr, CsrOptions, CsrOutput};
pub use describe::{describe_certificates, CertificateInfo};
pub use detached::verify_detached;
pub use dev_ca::{init_dev_keys, DevKeyOptions, KeyPaths};
pub use error::KeyError;
pub use expiry::Expiry;
pub use identity::{CertSummary, KeyAlgorithm, SigningIdentity};
pub use private_file::write_private_file;
pub use profile::{check_profile, ProfileViolation};
pub use time_stamp::{TimeStampError, TokenSizes};
pub use trust_list::TrustList;

/// File names inside a tamga key directory.
pub mod layout {
    /// The development root CA certificate: the trust anchor to hand to distributors.
    pub const TRUST_ANCHOR: &str = "trust-anchor.pem";
    /// The development root CA's private key (mode 0600).
    pub const ROOT_KEY: &str = "root-ca.key";
    /// The signing certificate chain: end-entity certificate first, then the root.
    pub const SIGNING_CHAIN: &str = "signing-chain.pem";
    /// The signing private key, PKCS#8 PEM (mode 0600).
    pub const SIGNING_KEY: &str = "signing.key";
}
