//! A trust list checked against any certificate chain, not only the active
//! manifest's: c2pa's `Reader` judges trust for the manifest that signed the
//! file last, while a published file carries the producer's manifest too,
//! and a distributor must know whether *that* signer is on its list.
//!
//! The evaluation is c2pa's own ([`CertificateTrustPolicy`]), fed the same
//! anchors and allowed certificates as the verifier's settings, so both
//! answers come from one implementation.
//!
//! Chains repeat: a distributor's intake comes from a handful of cameras,
//! editors and signing services, each file's history naming the same few
//! chains again. Each distinct chain is judged once per validation time
//! (whole seconds, the resolution c2pa evaluates validity at): the answer
//! depends on nothing else, since the lists never change after `new`. The
//! signature over each claim is still checked for every file, by c2pa.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
};

use c2pa::crypto::cose::CertificateTrustPolicy;
use sha2::{Digest, Sha256};
use x509_parser::pem::Pem;

use crate::KeyError;

/// Judged chains kept at most; past it the cache starts over, so a
/// long-running server's memory stays bounded (a few hundred KB).
const CACHED_CHAINS: usize = 4096;

/// A chain's identity: SHA-256 over its certificates' DER bytes, each
/// prefixed by its length so that no two chains can collide by splitting
/// the same bytes differently.
type ChainKey = ([u8; 32], i64);

/// Trust anchors and individually allowed signing certificates.
pub struct TrustList {
    policy: CertificateTrustPolicy,
    judged: Mutex<HashMap<ChainKey, bool>>,
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
        Ok(Self {
            policy,
            judged: Mutex::new(HashMap::new()),
        })
    }

    /// Whether the chain (PEM, end-entity first, as c2pa reports a
    /// manifest's signer) is allowed or chains to an anchor. A chain that
    /// cannot be read is never trusted.
    pub fn trusts(&self, chain_pem: &str) -> bool {
        self.trusts_at(chain_pem, chrono::Utc::now().timestamp())
    }

    /// [`trusts`](Self::trusts) with the certificates' validity judged at
    /// `time` (Unix seconds).
    pub fn trusts_at(&self, chain_pem: &str, time: i64) -> bool {
        let ders: Vec<Vec<u8>> = Pem::iter_from_buffer(chain_pem.as_bytes())
            .filter_map(Result::ok)
            .filter(|p| p.label == "CERTIFICATE")
            .map(|p| p.contents)
            .collect();
        let Some((leaf, rest)) = ders.split_first() else {
            return false;
        };
        let key = (chain_digest(&ders), time);
        // A poisoned lock only means another thread panicked mid-insert of
        // a plain bool: the map is still sound.
        let cached = self
            .judged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .copied();
        if let Some(trusted) = cached {
            return trusted;
        }
        let trusted = self
            .policy
            .check_certificate_trust(rest, leaf, Some(time))
            .is_ok();
        let mut judged = self.judged.lock().unwrap_or_else(PoisonError::into_inner);
        if judged.len() >= CACHED_CHAINS {
            judged.clear();
        }
        judged.insert(key, trusted);
        trusted
    }
}

fn chain_digest(ders: &[Vec<u8>]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for der in ders {
        hash.update((der.len() as u64).to_be_bytes());
        hash.update(der);
    }
    hash.finalize().into()
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

    #[test]
    fn a_judged_chain_is_judged_again_at_another_time() {
        let dir = tempfile::tempdir().unwrap();
        let keys = init_dev_keys(dir.path(), &DevKeyOptions::new("Producer LLP")).unwrap();
        let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
        let chain = read(&keys.signing_chain);
        let list = TrustList::new(Some(&read(&keys.trust_anchor)), None).unwrap();
        let now = chrono::Utc::now().timestamp();
        let in_a_century = now + 100 * 365 * 86_400;
        // Asked twice at each time, in both orders: the cached answer for
        // one time never leaks into another's.
        for _ in 0..2 {
            assert!(list.trusts_at(&chain, now));
            assert!(!list.trusts_at(&chain, in_a_century));
        }
        // Another chain with the same leaf bytes split differently is
        // another key.
        let (a, b) = (vec![1u8, 2, 3], vec![4u8]);
        let (c, d) = (vec![1u8, 2], vec![3u8, 4]);
        assert_ne!(chain_digest(&[a, b]), chain_digest(&[c, d]));
    }
}
