//! A trust list checked against any certificate chain, not only the active
//! manifest's: c2pa's `Reader` judges trust for the manifest that signed the
//! file last, while a published file carries the producer's manifest too,
//! and a distributor must know whether *that* signer is on its list.
//!
//! The evaluation is c2pa's own ([`CertificateTrustPolicy`]), fed the same
//! anchors and allowed certificates as the verifier's settings, so both
//! answers come from one implementation.

use c2pa::crypto::cose::CertificateTrustPolicy;
use x509_parser::pem::Pem;

use crate::KeyError;

/// Trust anchors and individually allowed signing certificates.
pub struct TrustList {
    policy: CertificateTrustPolicy,
}

impl TrustList {
    /// A list of the root CAs in `anchors_pem` and the end-entity
    /// certificates in `allowed_pem`, with C2PA's default extended key usages.
    pub fn new(anchors_pem: Option<&str>, allowed_pem: Option<&str>) -> Result<Self, KeyError> {
        let mut policy = CertificateTrustPolicy::default();
        if let Some(pem) = anchors_pem {
            policy
                .add_trust_anchors(pem.as_bytes())
                .map_err(|e| KeyError::TrustList(e.to_string()))?;
        }
        if let Some(pem) = allowed_pem {
            policy
                .add_end_entity_credentials(pem.as_bytes())
                .map_err(|e| KeyError::TrustList(e.to_string()))?;
        }
        Ok(Self { policy })
    }

    /// Whether the chain (PEM, end-entity first, as c2pa reports a
    /// manifest's signer) is allowed or chains to an anchor. A chain that
    /// cannot be read is never trusted.
    pub fn trusts(&self, chain_pem: &str) -> bool {
        let ders: Vec<Vec<u8>> = Pem::iter_from_buffer(chain_pem.as_bytes())
            .filter_map(Result::ok)
            .filter(|p| p.label == "CERTIFICATE")
            .map(|p| p.contents)
            .collect();
        let Some((leaf, rest)) = ders.split_first() else {
            return false;
        };
        self.policy
            .check_certificate_trust(rest, leaf, None)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{init_dev_keys, DevKeyOptions};

    #[test]
    fn trusts_chains_to_its_anchors_and_nothing_else() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let ka = init_dev_keys(a.path(), &DevKeyOptions::new("Producer LLP")).unwrap();
        let kb = init_dev_keys(b.path(), &DevKeyOptions::new("Publisher JSC")).unwrap();
        let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
        let chain_a = read(&ka.signing_chain);
        let chain_b = read(&kb.signing_chain);

        let list = TrustList::new(Some(&read(&ka.trust_anchor)), None).unwrap();
        assert!(list.trusts(&chain_a));
        assert!(!list.trusts(&chain_b));
        assert!(!list.trusts("not a certificate"));

        let none = TrustList::new(None, None).unwrap();
        assert!(!none.trusts(&chain_a));

        // An allowed end-entity certificate is trusted on its own.
        let leaf_b: String = chain_b
            .split_inclusive("-----END CERTIFICATE-----")
            .next()
            .unwrap()
            .to_string();
        let allowed = TrustList::new(None, Some(&leaf_b)).unwrap();
        assert!(allowed.trusts(&chain_b));
        assert!(!allowed.trusts(&chain_a));
    }
}
