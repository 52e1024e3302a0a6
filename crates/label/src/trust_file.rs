//! Trust lists from files: the anchors and allowed signers a verifier
//! trusts. A trust list file must hold certificates. c2pa accepts a file with none
//! (or with text that is not PEM) without complaint, and then every signer
//! looks unknown: a typo in a path's target or a key pasted instead of a
//! certificate would silently turn every verdict into "not on your trust
//! list". So such a file is an error that names it.

use std::path::Path;

use crate::LabelError;

/// Who a verifier trusts.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct TrustConfig {
    /// PEM bundle of trust anchors (root CA certificates).
    pub anchors_pem: Option<String>,
    /// PEM bundle of individually allowed end-entity certificates.
    pub allowed_pem: Option<String>,
}

impl TrustConfig {
    /// The PEM bundles in these files (either may be absent).
    pub fn from_files(anchors: Option<&Path>, allowed: Option<&Path>) -> Result<Self, LabelError> {
        let mut config = Self::default();
        config.add_files(anchors, allowed)?;
        Ok(config)
    }

    /// Adds the bundles in these files to those already here: a policy's
    /// own lists on top of the command line's.
    pub fn add_files(
        &mut self,
        anchors: Option<&Path>,
        allowed: Option<&Path>,
    ) -> Result<(), LabelError> {
        fn add(to: &mut Option<String>, file: Option<&Path>) -> Result<(), LabelError> {
            let Some(file) = file else {
                return Ok(());
            };
            let pem = std::fs::read_to_string(file).map_err(|e| {
                let e = std::io::Error::new(e.kind(), format!("cannot read the trust list: {e}"));
                LabelError::io(file, e)
            })?;
            check(file, &pem)?;
            *to = Some(match to.take() {
                Some(mut joined) => {
                    joined.push('\n');
                    joined.push_str(&pem);
                    joined
                }
                None => pem,
            });
            Ok(())
        }
        add(&mut self.anchors_pem, anchors)?;
        add(&mut self.allowed_pem, allowed)
    }
}

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";

/// Checks that `pem`, read from `file`, holds at least one certificate and
/// that every certificate block in it can be read.
pub(crate) fn check(file: &Path, pem: &str) -> Result<(), LabelError> {
    let blocks = pem.matches(BEGIN).count();
    let readable = tamga_keys::describe_certificates(pem).len();
    let reason = if blocks == 0 {
        "it holds no certificate (expected PEM blocks starting with -----BEGIN CERTIFICATE-----, \
         such as the producer's trust-anchor.pem)"
            .to_string()
    } else if readable < blocks {
        format!(
            "{} of its {blocks} certificates cannot be read (damaged PEM or not X.509)",
            blocks - readable
        )
    } else {
        return Ok(());
    };
    Err(LabelError::TrustList {
        path: file.to_path_buf(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_lists_from_files_join_and_a_missing_one_is_named() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a.pem"), d.path().join("b.pem"));
        let (pem_a, pem_b) = (dev_anchor(), dev_anchor());
        std::fs::write(&a, &pem_a).unwrap();
        std::fs::write(&b, &pem_b).unwrap();
        let mut t = TrustConfig::from_files(Some(&a), None).unwrap();
        assert_eq!(
            (t.anchors_pem.as_deref(), t.allowed_pem.as_deref()),
            (Some(pem_a.as_str()), None)
        );
        t.add_files(Some(&b), Some(&b)).unwrap();
        assert_eq!(
            t.anchors_pem.as_deref(),
            Some(format!("{pem_a}\n{pem_b}").as_str())
        );
        assert_eq!(t.allowed_pem.as_deref(), Some(pem_b.as_str()));
        // A file with no certificate is refused and names itself.
        let empty = d.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let e = TrustConfig::from_files(Some(&empty), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(&format!("{}: not a trust list", empty.display())),
            "{e}"
        );
        let missing = d.path().join("none.pem");
        let e = TrustConfig::from_files(None, Some(&missing))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("none.pem") && e.contains("cannot read the trust list"),
            "{e}"
        );
    }

    fn dev_anchor() -> String {
        let d = tempfile::tempdir().unwrap();
        let paths =
            tamga_keys::init_dev_keys(d.path(), &tamga_keys::DevKeyOptions::new("Trust Test"))
                .unwrap();
        std::fs::read_to_string(paths.trust_anchor).unwrap()
    }

    #[test]
    fn a_file_without_certificates_or_with_a_damaged_one_is_named() {
        let p = Path::new("anchors.pem");
        let none = check(p, "just some text\n").unwrap_err().to_string();
        assert!(
            none.starts_with("anchors.pem: not a trust list: it holds no certificate"),
            "{none}"
        );
        let good = dev_anchor();
        check(p, &good).unwrap();
        let damaged = format!("{good}\n{BEGIN}\nAAAA\n-----END CERTIFICATE-----\n");
        let e = check(p, &damaged).unwrap_err().to_string();
        assert!(e.contains("1 of its 2 certificates cannot be read"), "{e}");
    }
}
