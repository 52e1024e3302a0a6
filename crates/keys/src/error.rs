use std::path::PathBuf;

use crate::ProfileViolation;

/// Everything that can go wrong with keys and certificates.
///
/// Every variant names the file involved, so the CLI can print one line that
/// tells the user what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A key or certificate file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file that should hold PEM certificates holds none, or garbage.
    #[error("{path}: not a PEM certificate chain ({reason})")]
    BadCertificate {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// A trust list (anchors or allowed certificates) that cannot be used.
    #[error("the trust list cannot be used: {0}")]
    TrustList(String),
    /// A file that should hold a PKCS#8 private key does not.
    #[error("{path}: not a usable PKCS#8 private key ({reason})")]
    BadKey {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// The key is encrypted and no password was given.
    #[error("{path}: the private key is encrypted; give its password in TAMGA_KEY_PASSWORD")]
    PasswordRequired {
        /// The file.
        path: PathBuf,
    },
    /// The key is encrypted and the password did not open it.
    #[error("{path}: wrong password for the encrypted private key")]
    WrongPassword {
        /// The file.
        path: PathBuf,
    },
    /// The private key does not belong to the signing certificate.
    #[error("{key}: this private key does not match the certificate in {cert}")]
    KeyMismatch {
        /// The key file.
        key: PathBuf,
        /// The certificate chain file.
        cert: PathBuf,
    },
    /// The key type is not one C2PA can sign with.
    #[error(
        "{path}: unsupported key type {what} (use Ed25519, ECDSA P-256/P-384/P-521 or RSA-PSS)"
    )]
    UnsupportedKey {
        /// The file.
        path: PathBuf,
        /// The key type found.
        what: String,
    },
    /// The signing certificate breaks one or more C2PA certificate rules.
    #[error("{path}: C2PA validators would reject this signing certificate: {}", join(.violations))]
    Profile {
        /// The certificate chain file.
        path: PathBuf,
        /// Every rule broken.
        violations: Vec<ProfileViolation>,
    },
    /// No key set where one was expected.
    #[error("{dir}: no signing keys here (create them with `tamga keys init --org \"…\"` or point --keys at a key directory)")]
    NoKeys {
        /// The directory looked in.
        dir: PathBuf,
    },
    /// Refusing to overwrite an existing key set.
    #[error("{dir}: already holds keys; refusing to overwrite them (use another --dir, or delete them first)")]
    AlreadyExists {
        /// The directory.
        dir: PathBuf,
    },
    /// Certificate generation failed (a bug or an impossible parameter).
    #[error("certificate generation failed: {0}")]
    Generate(String),
}

fn join(v: &[ProfileViolation]) -> String {
    v.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl KeyError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
