//! `tamga keys init`: a development root CA and an Ed25519 signing certificate.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_ED25519,
};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::{
    layout,
    private_file::{write_private_file, write_public_file},
    KeyAlgorithm, KeyError,
};

/// id-kp-documentSigning (RFC 9336): the EKU meant for exactly this use.
const DOCUMENT_SIGNING: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 36];

/// Options for [`init_dev_keys`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DevKeyOptions {
    /// The organisation responsible for the content; goes into O= of both certificates.
    pub organisation: String,
    /// How long the signing certificate is valid, in days.
    pub signing_days: i64,
    /// How long the root CA is valid, in days.
    pub root_days: i64,
    /// When set, private keys are written as encrypted PKCS#8 with this password.
    pub password: Option<String>,
    /// The current time (a parameter so tests can make expired certificates).
    pub now: OffsetDateTime,
    /// The signing key's algorithm (the root CA is always Ed25519).
    pub algorithm: KeyAlgorithm,
}

impl DevKeyOptions {
    /// Defaults: a one-year signing certificate under a five-year root, keys unencrypted.
    pub fn new(organisation: impl Into<String>) -> Self {
        Self {
            organisation: organisation.into(),
            signing_days: 365,
            root_days: 5 * 365,
            password: None,
            now: OffsetDateTime::now_utc(),
            algorithm: KeyAlgorithm::Ed25519,
        }
    }
}

/// Where [`init_dev_keys`] put everything.
#[derive(Debug, Clone, Serialize)]
pub struct KeyPaths {
    /// The key directory.
    pub dir: PathBuf,
    /// The root CA certificate: hand this to distributors as the trust anchor.
    pub trust_anchor: PathBuf,
    /// The root CA private key (0600).
    pub root_key: PathBuf,
    /// The signing chain (end-entity first, then the root).
    pub signing_chain: PathBuf,
    /// The signing private key (0600).
    pub signing_key: PathBuf,
}

impl KeyPaths {
    /// The paths of the standard layout inside `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            trust_anchor: dir.join(layout::TRUST_ANCHOR),
            root_key: dir.join(layout::ROOT_KEY),
            signing_chain: dir.join(layout::SIGNING_CHAIN),
            signing_key: dir.join(layout::SIGNING_KEY),
        }
    }
}

/// Creates a development root CA and an Ed25519 signing certificate in `dir`.
///
/// The signing certificate follows every rule of the C2PA certificate
/// profile (see [`crate::check_profile`]). Private keys are PKCS#8 PEM with
/// mode 0600. Refuses to overwrite an existing key set.
pub fn init_dev_keys(dir: &Path, options: &DevKeyOptions) -> Result<KeyPaths, KeyError> {
    let paths = KeyPaths::in_dir(dir);
    if paths.signing_key.exists() || paths.root_key.exists() {
        return Err(KeyError::AlreadyExists {
            dir: dir.to_path_buf(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| KeyError::io(dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| KeyError::io(dir, e))?;
    }

    let org = options.organisation.trim();
    if org.is_empty() {
        return Err(KeyError::Generate(
            "the organisation name must not be empty".into(),
        ));
    }
    let gen = |e: rcgen::Error| KeyError::Generate(e.to_string());

    let root_key = KeyPair::generate_for(&PKCS_ED25519).map_err(gen)?;
    let mut root = CertificateParams::new(Vec::<String>::new()).map_err(gen)?;
    root.distinguished_name.push(
        DnType::CommonName,
        format!("{org} tamga development root CA"),
    );
    root.distinguished_name.push(DnType::OrganizationName, org);
    root.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root.not_before = options.now - Duration::hours(1);
    root.not_after = options.now + Duration::days(options.root_days);
    let root_cert = root.self_signed(&root_key).map_err(gen)?;

    let leaf_alg = match options.algorithm {
        KeyAlgorithm::Ed25519 => &PKCS_ED25519,
        KeyAlgorithm::EcdsaP256 => &PKCS_ECDSA_P256_SHA256,
        KeyAlgorithm::EcdsaP384 => &PKCS_ECDSA_P384_SHA384,
        other => {
            return Err(KeyError::Generate(format!(
                "development keys are Ed25519 or ECDSA, not {other}"
            )))
        }
    };
    let leaf_key = KeyPair::generate_for(leaf_alg).map_err(gen)?;
    let mut leaf = CertificateParams::new(Vec::<String>::new()).map_err(gen)?;
    leaf.distinguished_name
        .push(DnType::CommonName, format!("{org} content signing"));
    leaf.distinguished_name.push(DnType::OrganizationName, org);
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::EmailProtection,
        ExtendedKeyUsagePurpose::Other(DOCUMENT_SIGNING.to_vec()),
    ];
    leaf.use_authority_key_identifier_extension = true;
    leaf.not_before = options.now - Duration::hours(1);
    leaf.not_after = options.now + Duration::days(options.signing_days);
    let issuer = Issuer::new(root, &root_key);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(gen)?;

    write_private_file(
        &paths.root_key,
        crate::identity::encode_key(&root_key.serialize_der(), options.password.as_deref())?
            .as_bytes(),
    )?;
    write_private_file(
        &paths.signing_key,
        crate::identity::encode_key(&leaf_key.serialize_der(), options.password.as_deref())?
            .as_bytes(),
    )?;
    write_public_file(&paths.trust_anchor, root_cert.pem().as_bytes())?;
    let chain = format!("{}{}", leaf_cert.pem(), root_cert.pem());
    write_public_file(&paths.signing_chain, chain.as_bytes())?;
    Ok(paths)
}
