//! What a PEM bundle of certificates holds, for people auditing a trust
//! list (`GET /v1/trust`): who each certificate names, until when, and its
//! fingerprint.

use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_parser::{certificate::X509Certificate, pem::Pem, prelude::FromDer};

/// One certificate of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    /// The subject, as an RFC 4514 string.
    pub subject: String,
    /// organizationName of the subject.
    pub organisation: Option<String>,
    /// commonName of the subject.
    pub common_name: Option<String>,
    /// The issuer, as an RFC 4514 string.
    pub issuer: String,
    /// notBefore.
    pub not_before: String,
    /// notAfter.
    pub not_after: String,
    /// SHA-256 of the DER, lowercase hex: the usual fingerprint.
    pub sha256: String,
    /// The certificate itself, PEM.
    pub pem: String,
}

/// Every certificate in `pem` that parses; anything else is skipped.
pub fn describe_certificates(pem: &str) -> Vec<CertificateInfo> {
    Pem::iter_from_buffer(pem.as_bytes())
        .filter_map(Result::ok)
        .filter(|p| p.label == "CERTIFICATE")
        .filter_map(|p| {
            let (_, cert) = X509Certificate::from_der(&p.contents).ok()?;
            let (organisation, common_name) = crate::identity::subject_names(&cert);
            Some(CertificateInfo {
                subject: cert.subject().to_string(),
                organisation,
                common_name,
                issuer: cert.issuer().to_string(),
                not_before: cert.validity().not_before.to_string(),
                not_after: cert.validity().not_after.to_string(),
                sha256: hex(&Sha256::digest(&p.contents)),
                pem: crate::identity::pem_encode("CERTIFICATE", &p.contents),
            })
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{init_dev_keys, DevKeyOptions};

    #[test]
    fn a_dev_chain_describes_both_certificates() {
        let d = tempfile::tempdir().unwrap();
        let k = init_dev_keys(d.path(), &DevKeyOptions::new("Audit Me LLP")).unwrap();
        let chain = std::fs::read_to_string(&k.signing_chain).unwrap();
        let certs = describe_certificates(&chain);
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0].organisation.as_deref(), Some("Audit Me LLP"));
        assert_eq!(certs[0].sha256.len(), 64);
        assert!(certs[0].pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(describe_certificates(&certs[1].pem), vec![certs[1].clone()]);
        assert!(describe_certificates("garbage").is_empty());
    }
}
