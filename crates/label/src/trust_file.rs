//! A trust list file must hold certificates. c2pa accepts a file with none
//! (or with text that is not PEM) without complaint, and then every signer
//! looks unknown: a typo in a path's target or a key pasted instead of a
//! certificate would silently turn every verdict into "not on your trust
//! list". So such a file is an error that names it.

use std::path::Path;

use crate::LabelError;

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
