use std::path::PathBuf;

use crate::ProfileViolation;

/// Everything that can go wrong with keys and certificates.
///
/// Every variant names the file involved, so the CLI can print one line that
/// tells the user what to fix. What to do about it (which flag, command or
/// setting) is the caller's to say, keyed by [`KeyError::kind`]: the CLI and
/// the server take keys from different places.
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
    #[error("{path}: the private key is encrypted and no password was given")]
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
    #[error("{dir}: no signing keys here")]
    NoKeys {
        /// The directory looked in.
        dir: PathBuf,
    },
    /// Refusing to overwrite an existing key set.
    #[error("{dir}: already holds keys; refusing to overwrite them")]
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
    /// A short machine-readable kind, for JSON reports and for the advice a
    /// caller adds in its own terms.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Io { .. } => "io",
            Self::BadCertificate { .. } => "bad-certificate",
            Self::TrustList(_) => "trust-list",
            Self::BadKey { .. } => "bad-key",
            Self::PasswordRequired { .. } => "password-required",
            Self::WrongPassword { .. } => "wrong-password",
            Self::KeyMismatch { .. } => "key-mismatch",
            Self::UnsupportedKey { .. } => "unsupported-key",
            Self::Profile { .. } => "certificate-profile",
            Self::NoKeys { .. } => "no-keys",
            Self::AlreadyExists { .. } => "keys-exist",
            Self::Generate(_) => "generate",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The library says what happened; the flags, commands and variables
    /// that fix it are the CLI's (and the server's), keyed by the kind.
    #[test]
    fn messages_name_no_flag_command_or_variable_and_carry_a_kind() {
        let dir = PathBuf::from("k");
        for (e, kind) in [
            (KeyError::NoKeys { dir: dir.clone() }, "no-keys"),
            (KeyError::AlreadyExists { dir: dir.clone() }, "keys-exist"),
            (
                KeyError::PasswordRequired { path: dir },
                "password-required",
            ),
        ] {
            let text = e.to_string();
            assert!(
                !text.contains("--") && !text.contains("tamga ") && !text.contains("TAMGA_"),
                "{text}"
            );
            assert!(text.starts_with("k: "), "{text}");
            assert_eq!(e.kind(), kind);
        }
    }
}
