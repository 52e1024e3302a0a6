//! The C2PA signing-certificate rules, checked one by one.
//!
//! c2pa-rs reports a broken certificate as `signingCredential.invalid`, or —
//! for a missing organisation — as a misleading `claimSignature.mismatch`.
//! Users need to know which rule they broke, so this module checks each rule
//! of C2PA 2.x §14.5.1 itself and names it. c2pa's own profile check runs
//! afterwards as a backstop ([`crate::SigningIdentity::load`]), so nothing c2pa
//! would reject gets through even if a rule here is missing.

use std::fmt;

use chrono::Utc;
use serde::Serialize;
use x509_parser::{
    certificate::X509Certificate,
    extensions::{GeneralName, ParsedExtension},
    oid_registry::{OID_PKCS1_RSAENCRYPTION, OID_SIG_ED25519},
    prelude::FromDer,
    x509::X509Version,
};

/// One broken rule of the C2PA certificate profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ProfileViolation {
    /// The certificate could not be parsed as X.509 DER.
    Unparseable,
    /// Only X.509 version 3 certificates are allowed.
    NotVersion3,
    /// The signing certificate is a CA (basicConstraints cA=true).
    IsCa,
    /// Issuer equals subject: self-signed certificates cannot sign claims.
    SelfSigned,
    /// The subject has no organizationName (O).
    MissingOrganization,
    /// No Authority Key Identifier extension.
    MissingAuthorityKeyIdentifier,
    /// No keyUsage extension, or it lacks digitalSignature.
    MissingDigitalSignatureKeyUsage,
    /// No extendedKeyUsage extension.
    MissingExtendedKeyUsage,
    /// The extendedKeyUsage has anyExtendedKeyUsage, which C2PA forbids.
    AnyExtendedKeyUsage,
    /// None of the extendedKeyUsage purposes is one C2PA accepts.
    NoAcceptedExtendedKeyUsage,
    /// The certificate is not valid yet.
    NotYetValid {
        /// notBefore, RFC 3339.
        not_before: String,
    },
    /// The certificate has expired.
    Expired {
        /// notAfter, RFC 3339.
        not_after: String,
    },
    /// The public-key algorithm is not one C2PA signs with.
    UnsupportedAlgorithm {
        /// The algorithm OID.
        oid: String,
    },
    /// The chain has only the end-entity certificate; validators need the issuer too.
    ChainTooShort,
    /// c2pa's own profile check rejected the certificate for a reason not listed above.
    Other {
        /// What c2pa said.
        detail: String,
    },
}

impl fmt::Display for ProfileViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unparseable => write!(f, "the certificate is not valid X.509 DER"),
            Self::NotVersion3 => write!(f, "the certificate must be X.509 version 3"),
            Self::IsCa => write!(
                f,
                "the signing certificate is a CA certificate; sign with an end-entity certificate issued by it"
            ),
            Self::SelfSigned => write!(
                f,
                "the signing certificate is self-signed (issuer = subject); it must be issued by a CA"
            ),
            Self::MissingOrganization => write!(
                f,
                "the subject has no organizationName (O=…); c2pa reports this as claimSignature.mismatch"
            ),
            Self::MissingAuthorityKeyIdentifier => {
                write!(f, "the Authority Key Identifier extension is missing")
            }
            Self::MissingDigitalSignatureKeyUsage => {
                write!(f, "keyUsage must include digitalSignature")
            }
            Self::MissingExtendedKeyUsage => write!(
                f,
                "the extendedKeyUsage extension is missing (use emailProtection or documentSigning)"
            ),
            Self::AnyExtendedKeyUsage => {
                write!(f, "extendedKeyUsage must not contain anyExtendedKeyUsage")
            }
            Self::NoAcceptedExtendedKeyUsage => write!(
                f,
                "extendedKeyUsage has no purpose C2PA accepts (emailProtection, documentSigning, timeStamping, OCSPSigning, C2PA signing)"
            ),
            Self::NotYetValid { not_before } => {
                write!(f, "the certificate is not valid before {not_before}")
            }
            Self::Expired { not_after } => write!(f, "the certificate expired on {not_after}"),
            Self::UnsupportedAlgorithm { oid } => write!(
                f,
                "public-key algorithm {oid} is not supported (use Ed25519, ECDSA or RSA)"
            ),
            Self::Other { detail } => write!(f, "c2pa rejects the certificate: {detail}"),
            Self::ChainTooShort => write!(
                f,
                "the chain holds only the signing certificate; append the issuing CA certificate(s)"
            ),
        }
    }
}

/// Extended key usages C2PA validators accept (c2pa-rs `valid_eku_oids.cfg`).
const ACCEPTED_EKUS: &[&str] = &[
    "1.3.6.1.5.5.7.3.4",         // emailProtection
    "1.3.6.1.5.5.7.3.36",        // documentSigning
    "1.3.6.1.5.5.7.3.8",         // timeStamping
    "1.3.6.1.5.5.7.3.9",         // OCSPSigning
    "1.3.6.1.4.1.311.76.59.1.9", // Microsoft C2PA signing
    "1.3.6.1.4.1.62558.2.1",     // C2PA signing
];

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_RSASSA_PSS: &str = "1.2.840.113549.1.1.10";

/// Checks a signing certificate chain (DER certificates, end-entity first)
/// against the C2PA certificate profile, returning every rule it breaks.
///
/// An empty result means c2pa's own checks are the only ones left to run.
pub fn check_profile(chain_der: &[Vec<u8>]) -> Vec<ProfileViolation> {
    let Some(leaf) = chain_der.first() else {
        return vec![ProfileViolation::Unparseable];
    };
    let Ok((_, cert)) = X509Certificate::from_der(leaf) else {
        return vec![ProfileViolation::Unparseable];
    };
    let mut out = Vec::new();
    check_leaf(&cert, &mut out);
    if chain_der.len() < 2 {
        out.push(ProfileViolation::ChainTooShort);
    }
    out
}

fn check_leaf(cert: &X509Certificate<'_>, out: &mut Vec<ProfileViolation>) {
    let tbs = &cert.tbs_certificate;
    if tbs.version() != X509Version::V3 {
        out.push(ProfileViolation::NotVersion3);
    }
    if tbs.is_ca() {
        out.push(ProfileViolation::IsCa);
    }
    if tbs.subject() == tbs.issuer() {
        out.push(ProfileViolation::SelfSigned);
    }
    if tbs.subject().iter_organization().next().is_none() {
        out.push(ProfileViolation::MissingOrganization);
    }
    check_extensions(cert, out);
    check_validity(cert, out);
    let alg = tbs.subject_pki.algorithm.algorithm.to_id_string();
    let supported = alg == OID_EC_PUBLIC_KEY
        || alg == OID_RSASSA_PSS
        || tbs.subject_pki.algorithm.algorithm == OID_PKCS1_RSAENCRYPTION
        || tbs.subject_pki.algorithm.algorithm == OID_SIG_ED25519;
    if !supported {
        out.push(ProfileViolation::UnsupportedAlgorithm { oid: alg });
    }
}

fn check_extensions(cert: &X509Certificate<'_>, out: &mut Vec<ProfileViolation>) {
    let mut has_aki = false;
    let mut has_digital_signature = false;
    let mut eku_seen = false;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                // Either form of identification is enough for chain building.
                has_aki = aki.key_identifier.is_some()
                    || aki.authority_cert_issuer.as_ref().is_some_and(|v| {
                        v.iter().any(|n| matches!(n, GeneralName::DirectoryName(_)))
                    });
            }
            ParsedExtension::KeyUsage(ku) => has_digital_signature = ku.digital_signature(),
            ParsedExtension::ExtendedKeyUsage(eku) => {
                eku_seen = true;
                if eku.any {
                    out.push(ProfileViolation::AnyExtendedKeyUsage);
                }
                let mut oids: Vec<String> = eku.other.iter().map(|o| o.to_id_string()).collect();
                if eku.email_protection {
                    oids.push("1.3.6.1.5.5.7.3.4".into());
                }
                if eku.time_stamping {
                    oids.push("1.3.6.1.5.5.7.3.8".into());
                }
                if eku.ocsp_signing {
                    oids.push("1.3.6.1.5.5.7.3.9".into());
                }
                if !oids.iter().any(|o| ACCEPTED_EKUS.contains(&o.as_str())) {
                    out.push(ProfileViolation::NoAcceptedExtendedKeyUsage);
                }
            }
            _ => {}
        }
    }
    if !has_aki {
        out.push(ProfileViolation::MissingAuthorityKeyIdentifier);
    }
    if !has_digital_signature {
        out.push(ProfileViolation::MissingDigitalSignatureKeyUsage);
    }
    if !eku_seen {
        out.push(ProfileViolation::MissingExtendedKeyUsage);
    }
}

fn check_validity(cert: &X509Certificate<'_>, out: &mut Vec<ProfileViolation>) {
    let now = Utc::now().timestamp();
    let validity = cert.validity();
    if validity.not_before.timestamp() > now {
        out.push(ProfileViolation::NotYetValid {
            not_before: validity.not_before.to_string(),
        });
    }
    if validity.not_after.timestamp() < now {
        out.push(ProfileViolation::Expired {
            not_after: validity.not_after.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose, PKCS_ED25519,
    };

    use super::*;

    /// A root and a leaf; `tweak` breaks the leaf's parameters.
    fn chain(tweak: impl FnOnce(&mut CertificateParams)) -> Vec<Vec<u8>> {
        let root_key = KeyPair::generate_for(&PKCS_ED25519).unwrap();
        let mut root = CertificateParams::new(Vec::<String>::new()).unwrap();
        root.distinguished_name.push(DnType::CommonName, "root");
        root.distinguished_name
            .push(DnType::OrganizationName, "Org");
        root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        root.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        let root_cert = root.self_signed(&root_key).unwrap();
        let leaf_key = KeyPair::generate_for(&PKCS_ED25519).unwrap();
        let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
        leaf.distinguished_name.push(DnType::CommonName, "leaf");
        leaf.distinguished_name
            .push(DnType::OrganizationName, "Org");
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
        leaf.use_authority_key_identifier_extension = true;
        tweak(&mut leaf);
        let issuer = Issuer::new(root, &root_key);
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
        vec![leaf_cert.der().to_vec(), root_cert.der().to_vec()]
    }

    #[test]
    fn a_good_chain_breaks_no_rule() {
        assert_eq!(check_profile(&chain(|_| {})), vec![]);
    }

    type Tweak = Box<dyn FnOnce(&mut CertificateParams)>;

    #[test]
    fn each_broken_rule_is_named() {
        let cases: Vec<(Tweak, ProfileViolation)> = vec![
            (
                Box::new(|p| {
                    p.distinguished_name = rcgen::DistinguishedName::new();
                    p.distinguished_name.push(DnType::CommonName, "leaf");
                }),
                ProfileViolation::MissingOrganization,
            ),
            (
                Box::new(|p| p.use_authority_key_identifier_extension = false),
                ProfileViolation::MissingAuthorityKeyIdentifier,
            ),
            (
                Box::new(|p| p.key_usages = vec![KeyUsagePurpose::KeyEncipherment]),
                ProfileViolation::MissingDigitalSignatureKeyUsage,
            ),
            (
                Box::new(|p| p.extended_key_usages = vec![]),
                ProfileViolation::MissingExtendedKeyUsage,
            ),
            (
                Box::new(|p| p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth]),
                ProfileViolation::NoAcceptedExtendedKeyUsage,
            ),
            (
                Box::new(|p| p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained)),
                ProfileViolation::IsCa,
            ),
        ];
        for (tweak, want) in cases {
            let got = check_profile(&chain(tweak));
            assert!(got.contains(&want), "expected {want:?}, got {got:?}");
        }
    }

    #[test]
    fn expiry_and_short_chains_are_named() {
        let expired = chain(|p| {
            p.not_before = rcgen::date_time_ymd(2020, 1, 1);
            p.not_after = rcgen::date_time_ymd(2021, 1, 1);
        });
        assert!(matches!(
            check_profile(&expired)[0],
            ProfileViolation::Expired { .. }
        ));
        let only_leaf = vec![chain(|_| {}).remove(0)];
        assert_eq!(
            check_profile(&only_leaf),
            vec![ProfileViolation::ChainTooShort]
        );
        assert_eq!(
            check_profile(&[b"junk".to_vec()]),
            vec![ProfileViolation::Unparseable]
        );
    }
}
