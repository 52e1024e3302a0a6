//! `tamga keys csr`: a certificate signing request for a real CA.

use rcgen::{CertificateParams, DnType, KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ED25519};

use crate::{KeyAlgorithm, KeyError};

/// Options for [`make_csr`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CsrOptions {
    /// organizationName (O), required by C2PA validators.
    pub organisation: String,
    /// commonName (CN).
    pub common_name: String,
    /// countryName (C), e.g. "KZ".
    pub country: Option<String>,
    /// Key algorithm; many public CAs do not issue Ed25519 certificates yet, so P-256 is offered.
    pub algorithm: KeyAlgorithm,
}

impl CsrOptions {
    /// A CSR for `organisation` with an Ed25519 key.
    pub fn new(organisation: impl Into<String>) -> Self {
        let organisation = organisation.into();
        Self {
            common_name: format!("{organisation} content signing"),
            organisation,
            country: None,
            algorithm: KeyAlgorithm::Ed25519,
        }
    }
}

/// A new private key and the CSR that asks a CA to certify it.
#[derive(Debug)]
pub struct CsrOutput {
    /// The CSR, PEM ("CERTIFICATE REQUEST").
    pub csr_pem: String,
    /// The private key, PKCS#8 PEM. Write it with [`crate::write_private_file`].
    pub key_pem: String,
}

/// Makes a new key and a CSR asking for a certificate that meets the C2PA
/// profile: keyUsage digitalSignature, EKU emailProtection + documentSigning.
pub fn make_csr(options: &CsrOptions) -> Result<CsrOutput, KeyError> {
    let gen = |e: rcgen::Error| KeyError::Generate(e.to_string());
    let alg = match options.algorithm {
        KeyAlgorithm::Ed25519 => &PKCS_ED25519,
        KeyAlgorithm::EcdsaP256 => &PKCS_ECDSA_P256_SHA256,
        other => {
            return Err(KeyError::Generate(format!(
                "CSRs are made with Ed25519 or ECDSA P-256, not {other}"
            )))
        }
    };
    let key = KeyPair::generate_for(alg).map_err(gen)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(gen)?;
    params
        .distinguished_name
        .push(DnType::CommonName, options.common_name.as_str());
    params
        .distinguished_name
        .push(DnType::OrganizationName, options.organisation.as_str());
    if let Some(c) = &options.country {
        params
            .distinguished_name
            .push(DnType::CountryName, c.as_str());
    }
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::EmailProtection,
        rcgen::ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 5, 5, 7, 3, 36]),
    ];
    let csr = params.serialize_request(&key).map_err(gen)?;
    Ok(CsrOutput {
        csr_pem: csr.pem().map_err(gen)?,
        key_pem: key.serialize_pem(),
    })
}
