//! Loading a signing identity (certificate chain + private key) and turning it
//! into a c2pa signer, after checking it would produce labels that verify.

use std::{fmt, path::Path};

use c2pa::{
    crypto::{
        cose::{check_end_entity_certificate_profile, CertificateTrustPolicy},
        raw_signature::{signer_from_cert_chain_and_private_key, validator_for_signing_alg},
    },
    status_tracker::StatusTracker,
    BoxedSigner, SigningAlg,
};
use pkcs8::{der::Decode, EncryptedPrivateKeyInfo, LineEnding, PrivateKeyInfo};
use serde::Serialize;
use x509_parser::{certificate::X509Certificate, pem::Pem, prelude::FromDer};

use crate::{
    check_profile,
    compact_signer::CompactSigner,
    layout,
    time_stamp::{TimeStampedSigner, TokenSizes},
    Expiry, KeyError, ProfileViolation,
};

const OID_ED25519: &str = "1.3.101.112";
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_P521: &str = "1.3.132.0.35";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";

/// The signature algorithms tamga signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// Ed25519 (the default: small signatures, fast, no parameters to get wrong).
    Ed25519,
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256,
    /// ECDSA on P-384 with SHA-384.
    EcdsaP384,
    /// ECDSA on P-521 with SHA-512.
    EcdsaP521,
    /// RSASSA-PSS with SHA-256.
    RsaPss,
}

impl KeyAlgorithm {
    fn signing_alg(self) -> SigningAlg {
        match self {
            Self::Ed25519 => SigningAlg::Ed25519,
            Self::EcdsaP256 => SigningAlg::Es256,
            Self::EcdsaP384 => SigningAlg::Es384,
            Self::EcdsaP521 => SigningAlg::Es512,
            Self::RsaPss => SigningAlg::Ps256,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ed25519 => "Ed25519",
            Self::EcdsaP256 => "ECDSA P-256",
            Self::EcdsaP384 => "ECDSA P-384",
            Self::EcdsaP521 => "ECDSA P-521",
            Self::RsaPss => "RSA-PSS",
        })
    }
}

/// Who a signing certificate says the signer is.
#[derive(Debug, Clone, Serialize)]
pub struct CertSummary {
    /// organizationName of the subject.
    pub organisation: String,
    /// commonName of the subject.
    pub common_name: Option<String>,
    /// The issuer, as an RFC 4514 string.
    pub issuer: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// The key algorithm.
    pub algorithm: KeyAlgorithm,
}

/// A checked certificate chain and private key, ready to sign.
pub struct SigningIdentity {
    chain_pem: Vec<u8>,
    /// The private key as unencrypted PKCS#8 PEM, the only form c2pa takes.
    key_pem: String,
    algorithm: KeyAlgorithm,
    summary: CertSummary,
    expiry: Expiry,
}

impl fmt::Debug for SigningIdentity {
    // Never print the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

impl SigningIdentity {
    /// Loads the standard key layout of a tamga key directory.
    pub fn from_dir(dir: &Path, password: Option<&str>) -> Result<Self, KeyError> {
        let chain = dir.join(layout::SIGNING_CHAIN);
        let key = dir.join(layout::SIGNING_KEY);
        if !chain.exists() || !key.exists() {
            return Err(KeyError::NoKeys {
                dir: dir.to_path_buf(),
            });
        }
        Self::load(&chain, &key, password)
    }

    /// Loads a PEM certificate chain (end-entity first) and a PKCS#8 PEM key,
    /// optionally encrypted, and checks that they can sign a C2PA claim that
    /// validators will accept: the certificate profile, c2pa's own profile
    /// check, and that the key belongs to the certificate.
    pub fn load(
        chain_path: &Path,
        key_path: &Path,
        password: Option<&str>,
    ) -> Result<Self, KeyError> {
        let chain_pem = std::fs::read(chain_path).map_err(|e| KeyError::io(chain_path, e))?;
        let chain_der = parse_chain(chain_path, &chain_pem)?;
        let key_bytes = std::fs::read(key_path).map_err(|e| KeyError::io(key_path, e))?;
        let key_der = decode_key(key_path, &key_bytes, password)?;
        let algorithm = key_algorithm(key_path, &key_der)?;

        let violations = check_profile(&chain_der);
        if !violations.is_empty() {
            return Err(KeyError::Profile {
                path: chain_path.to_path_buf(),
                violations,
            });
        }
        backstop_profile_check(chain_path, &chain_der[0])?;

        let key_pem = pem_of(&key_der);
        check_key_matches(
            chain_path,
            key_path,
            &chain_pem,
            &key_pem,
            &chain_der[0],
            algorithm,
        )?;
        let summary = summarise(chain_path, &chain_der[0], algorithm)?;
        let expiry = X509Certificate::from_der(&chain_der[0])
            .map(|(_, cert)| Expiry::of(&cert))
            .map_err(|_| KeyError::BadCertificate {
                path: chain_path.to_path_buf(),
                reason: "unparseable end-entity certificate".into(),
            })?;
        Ok(Self {
            chain_pem,
            key_pem,
            algorithm,
            summary,
            expiry,
        })
    }

    /// Who this identity signs as.
    pub fn summary(&self) -> &CertSummary {
        &self.summary
    }

    /// When the signing certificate expires: labels signed without a
    /// time-stamp stop validating then.
    pub fn expiry(&self) -> Expiry {
        self.expiry
    }

    /// The key algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// A c2pa signer for this identity. `tsa_url` adds an RFC 3161
    /// time-stamp from that authority to every signature, requested through
    /// `tamga-net` (see `time_stamp`); a failed request fails the signing
    /// with a [`crate::TimeStampError`] inside c2pa's error, never an
    /// unstamped label.
    ///
    /// Without a time-stamp the signer reserves only the room its signature
    /// needs (see `compact_signer`), which keeps text labels small; with one,
    /// c2pa's generous reserve is kept, since token sizes vary by authority.
    pub fn signer(&self, tsa_url: Option<String>) -> Result<BoxedSigner, KeyError> {
        self.signer_sharing(tsa_url, &TokenSizes::new())
    }

    /// [`Self::signer`], measuring the authority's token size only when
    /// `sizes` does not know it yet: signers built one after another (one
    /// per request in the server) then probe the authority once between
    /// them.
    pub fn signer_sharing(
        &self,
        tsa_url: Option<String>,
        sizes: &TokenSizes,
    ) -> Result<BoxedSigner, KeyError> {
        let signer = c2pa::create_signer::from_keys(
            &self.chain_pem,
            self.key_pem.as_bytes(),
            self.algorithm.signing_alg(),
            None,
        )
        .map_err(|e| KeyError::Generate(format!("c2pa refused the signing key: {e}")))?;
        match tsa_url {
            Some(url) => Ok(Box::new(TimeStampedSigner::new(signer, url, sizes.clone()))),
            None => Ok(Box::new(CompactSigner::new(signer))),
        }
    }
}

fn parse_chain(path: &Path, pem: &[u8]) -> Result<Vec<Vec<u8>>, KeyError> {
    let mut out = Vec::new();
    for item in Pem::iter_from_buffer(pem) {
        let item = item.map_err(|e| KeyError::BadCertificate {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        if item.label == "CERTIFICATE" {
            out.push(item.contents);
        }
    }
    if out.is_empty() {
        return Err(KeyError::BadCertificate {
            path: path.to_path_buf(),
            reason: "no CERTIFICATE block found".into(),
        });
    }
    Ok(out)
}

fn decode_key(path: &Path, bytes: &[u8], password: Option<&str>) -> Result<Vec<u8>, KeyError> {
    let bad = |reason: &str| KeyError::BadKey {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let text = std::str::from_utf8(bytes).map_err(|_| bad("not PEM text"))?;
    let (label, doc) =
        pkcs8::Document::from_pem(text).map_err(|_| bad("no PEM block, or a damaged one"))?;
    match label {
        "PRIVATE KEY" => Ok(doc.as_bytes().to_vec()),
        "ENCRYPTED PRIVATE KEY" => {
            let password = password.ok_or_else(|| KeyError::PasswordRequired {
                path: path.to_path_buf(),
            })?;
            let info = EncryptedPrivateKeyInfo::from_der(doc.as_bytes())
                .map_err(|_| bad("damaged encrypted key"))?;
            let plain = info
                .decrypt(password)
                .map_err(|_| KeyError::WrongPassword {
                    path: path.to_path_buf(),
                })?;
            Ok(plain.as_bytes().to_vec())
        }
        "EC PRIVATE KEY" | "RSA PRIVATE KEY" => Err(bad(
            "legacy key format; convert it with `openssl pkcs8 -topk8 -nocrypt`",
        )),
        other => Err(bad(&format!("unexpected PEM block {other:?}"))),
    }
}

fn key_algorithm(path: &Path, der: &[u8]) -> Result<KeyAlgorithm, KeyError> {
    let info = PrivateKeyInfo::from_der(der).map_err(|e| KeyError::BadKey {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let oid = info.algorithm.oid.to_string();
    let param = info
        .algorithm
        .parameters_oid()
        .ok()
        .map(|o| o.to_string())
        .unwrap_or_default();
    match (oid.as_str(), param.as_str()) {
        (OID_ED25519, _) => Ok(KeyAlgorithm::Ed25519),
        (OID_EC_PUBLIC_KEY, OID_P256) => Ok(KeyAlgorithm::EcdsaP256),
        (OID_EC_PUBLIC_KEY, OID_P384) => Ok(KeyAlgorithm::EcdsaP384),
        (OID_EC_PUBLIC_KEY, OID_P521) => Ok(KeyAlgorithm::EcdsaP521),
        (OID_RSA | OID_RSA_PSS, _) => Ok(KeyAlgorithm::RsaPss),
        _ => Err(KeyError::UnsupportedKey {
            path: path.to_path_buf(),
            what: format!("{oid} {param}").trim().to_string(),
        }),
    }
}

/// Runs c2pa's own certificate profile check, so a rule this crate does not
/// know about still stops signing before a user ships unverifiable labels.
fn backstop_profile_check(path: &Path, leaf: &[u8]) -> Result<(), KeyError> {
    let mut log = StatusTracker::default();
    check_end_entity_certificate_profile(leaf, &CertificateTrustPolicy::default(), &mut log, None)
        .map_err(|e| KeyError::Profile {
            path: path.to_path_buf(),
            violations: vec![ProfileViolation::Other {
                detail: e.to_string(),
            }],
        })
}

fn check_key_matches(
    chain_path: &Path,
    key_path: &Path,
    chain_pem: &[u8],
    key_pem: &str,
    leaf: &[u8],
    algorithm: KeyAlgorithm,
) -> Result<(), KeyError> {
    let alg = algorithm.signing_alg();
    let signer = signer_from_cert_chain_and_private_key(chain_pem, key_pem.as_bytes(), alg, None)
        .map_err(|e| KeyError::BadKey {
        path: key_path.to_path_buf(),
        reason: e.to_string(),
    })?;
    const PROBE: &[u8] = b"tamga key/certificate pairing probe";
    let mismatch = || KeyError::KeyMismatch {
        key: key_path.to_path_buf(),
        cert: chain_path.to_path_buf(),
    };
    let sig = signer.sign(PROBE).map_err(|_| mismatch())?;
    let (_, cert) = X509Certificate::from_der(leaf).map_err(|_| KeyError::BadCertificate {
        path: chain_path.to_path_buf(),
        reason: "unparseable end-entity certificate".into(),
    })?;
    let validator = validator_for_signing_alg(alg).ok_or_else(mismatch)?;
    validator
        .validate(&sig, PROBE, cert.public_key().raw)
        .map_err(|_| mismatch())
}

fn summarise(path: &Path, leaf: &[u8], algorithm: KeyAlgorithm) -> Result<CertSummary, KeyError> {
    let (_, cert) = X509Certificate::from_der(leaf).map_err(|_| KeyError::BadCertificate {
        path: path.to_path_buf(),
        reason: "unparseable end-entity certificate".into(),
    })?;
    let (organisation, common_name) = subject_names(&cert);
    Ok(CertSummary {
        organisation: organisation.unwrap_or_default(),
        common_name,
        issuer: cert.issuer().to_string(),
        not_after: cert.validity().not_after.to_string(),
        algorithm,
    })
}

fn pem_of(der: &[u8]) -> String {
    pem_encode("PRIVATE KEY", der)
}

/// The subject's organizationName and commonName, when present.
pub(crate) fn subject_names(cert: &X509Certificate<'_>) -> (Option<String>, Option<String>) {
    let subject = cert.subject();
    // Each iterator is a different opaque type, so a closure over `impl
    // Iterator` cannot take both; a generic fn can.
    fn first<'a>(
        mut it: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'a>>,
    ) -> Option<String> {
        it.next().and_then(|a| a.as_str().ok()).map(str::to_string)
    }
    (
        first(subject.iter_organization()),
        first(subject.iter_common_name()),
    )
}

pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    use pkcs8::der::pem;
    pem::encode_string(label, LineEnding::LF, der).unwrap_or_default()
}

/// Encodes a PKCS#8 DER key as PEM, encrypted with `password` when given
/// (PBES2: scrypt + AES-256-CBC, the pkcs8 crate's default).
pub(crate) fn encode_key(der: &[u8], password: Option<&str>) -> Result<String, KeyError> {
    match password {
        None => Ok(pem_of(der)),
        Some(pw) => {
            let info = PrivateKeyInfo::from_der(der)
                .map_err(|e| KeyError::Generate(format!("key encoding: {e}")))?;
            let enc = info
                .encrypt(rand_core::OsRng, pw)
                .map_err(|e| KeyError::Generate(format!("key encryption: {e}")))?;
            Ok(pem_encode("ENCRYPTED PRIVATE KEY", enc.as_bytes()))
        }
    }
}
