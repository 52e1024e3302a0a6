//! A trust list checked against any certificate chain, not only the active
//! manifest's: c2pa's `Reader` judges trust for the manifest that signed the
//! file last, while a published file carries the producer's manifest too,
//! and a distributor must know whether *that* signer is on its list.
//!
//! The evaluation is c2pa's own ([`CertificateTrustPolicy`]), fed the same
//! anchors and allowed certificates as the verifier's settings, so both
//! answers come from one implementation. The verifier asks it about the
//! active signer too (c2pa's own trust pass is off; see tamga-label's
//! `verify::signer_trust`).
//!
//! Chains repeat: a distributor's intake comes from a handful of cameras,
//! editors and signing services, each file naming the same few chains
//! again. Each distinct chain is judged once per *validity class* of the
//! time asked about. With the lists fixed at `new` and no revocation
//! checked, the answer for a chain depends on the time only through which
//! certificates are inside their validity periods: it can change only at
//! a `notBefore` or one second past a `notAfter` of a certificate in the
//! chain or on the lists (validity is inclusive, in whole seconds, as
//! OpenSSL and c2pa compare it). Two times between the same such instants
//! get the same answer, so the first one's is reused; a time-stamped file
//! judged at its own signing time still hits the cache. The signature over
//! each claim is still checked for every file, by c2pa.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
};

use c2pa::crypto::cose::CertificateTrustPolicy;
use sha2::{Digest, Sha256};
use x509_parser::{certificate::X509Certificate, pem::Pem, prelude::FromDer};

use crate::KeyError;

/// Distinct chains kept at most; past it the cache starts over, so a
/// long-running server's memory stays bounded (well under a megabyte).
const CACHED_CHAINS: usize = 4096;

/// What is known about one distinct chain.
struct Judged {
    /// The instants at which its answer may change, sorted.
    instants: Vec<i64>,
    /// The answer for each validity class seen so far (the number of
    /// `instants` at or before the time asked about).
    answers: HashMap<usize, bool>,
}

/// Trust anchors and individually allowed signing certificates.
pub struct TrustList {
    policy: CertificateTrustPolicy,
    /// The validity instants of every anchor and allowed certificate.
    list_instants: Vec<i64>,
    judged: Mutex<HashMap<[u8; 32], Judged>>,
}

impl TrustList {
    /// A list of the root CAs in `anchors_pem` and the end-entity
    /// certificates in `allowed_pem`, with C2PA's default extended key usages.
    pub fn new(anchors_pem: Option<&str>, allowed_pem: Option<&str>) -> Result<Self, KeyError> {
        let mut policy = CertificateTrustPolicy::default();
        let mut list_instants = Vec::new();
        if let Some(pem) = anchors_pem {
            policy
                .add_trust_anchors(pem.as_bytes())
                .map_err(|e| KeyError::TrustList(e.to_string()))?;
            list_instants.extend(pem_instants(pem).ok_or_else(unreadable_list)?);
        }
        if let Some(pem) = allowed_pem {
            policy
                .add_end_entity_credentials(pem.as_bytes())
                .map_err(|e| KeyError::TrustList(e.to_string()))?;
            list_instants.extend(pem_instants(pem).ok_or_else(unreadable_list)?);
        }
        Ok(Self {
            policy,
            list_instants,
            judged: Mutex::new(HashMap::new()),
        })
    }

    /// Whether the chain (PEM, end-entity first, as c2pa reports a
    /// manifest's signer) is allowed or chains to an anchor, whatever the
    /// certificates' validity periods. A chain that cannot be read is never
    /// trusted.
    pub fn trusts(&self, chain_pem: &str) -> bool {
        self.trusts_at(chain_pem, None)
    }

    /// [`trusts`](Self::trusts) with the certificates' validity judged at
    /// `time` (Unix seconds), as c2pa judges a signer at the time its
    /// trusted time-stamp gives. With `None` the periods are not checked,
    /// as c2pa does without such a time-stamp: it reports an expired
    /// signing certificate apart (`signingCredential.expired`).
    pub fn trusts_at(&self, chain_pem: &str, time: Option<i64>) -> bool {
        let ders: Vec<Vec<u8>> = Pem::iter_from_buffer(chain_pem.as_bytes())
            .filter_map(Result::ok)
            .filter(|p| p.label == "CERTIFICATE")
            .map(|p| p.contents)
            .collect();
        let Some((leaf, rest)) = ders.split_first() else {
            return false;
        };
        let judge = || {
            self.policy
                .check_certificate_trust(rest, leaf, time)
                .is_ok()
        };
        let key = chain_digest(&ders);
        let mut judged = self.judged.lock().unwrap_or_else(PoisonError::into_inner);
        if !judged.contains_key(&key) {
            // A certificate x509-parser cannot read has no known validity:
            // such a chain is judged afresh every time.
            let Some(mut instants) = der_instants(&ders) else {
                drop(judged);
                return judge();
            };
            instants.extend_from_slice(&self.list_instants);
            instants.sort_unstable();
            instants.dedup();
            if judged.len() >= CACHED_CHAINS {
                judged.clear();
            }
            judged.insert(
                key,
                Judged {
                    instants,
                    answers: HashMap::new(),
                },
            );
        }
        let Some(entry) = judged.get_mut(&key) else {
            return false;
        };
        // No time is a class of its own.
        let class = time.map_or(usize::MAX, |t| entry.instants.partition_point(|&i| i <= t));
        if let Some(&answer) = entry.answers.get(&class) {
            return answer;
        }
        // Judged under the lock: two workers meeting a new chain at once
        // judge it once, and the wait is one chain check.
        let answer = judge();
        entry.answers.insert(class, answer);
        answer
    }
}

fn unreadable_list() -> KeyError {
    KeyError::TrustList("a certificate on the list cannot be read".into())
}

/// The instants at which the validity of the certificates in `pem` starts
/// (`notBefore`) and ends (one second past `notAfter`).
fn pem_instants(pem: &str) -> Option<Vec<i64>> {
    let ders: Vec<Vec<u8>> = Pem::iter_from_buffer(pem.as_bytes())
        .filter_map(Result::ok)
        .filter(|p| p.label == "CERTIFICATE")
        .map(|p| p.contents)
        .collect();
    der_instants(&ders)
}

fn der_instants(ders: &[Vec<u8>]) -> Option<Vec<i64>> {
    let mut out = Vec::with_capacity(ders.len() * 2);
    for der in ders {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let validity = cert.validity();
        out.push(validity.not_before.timestamp());
        out.push(validity.not_after.timestamp().saturating_add(1));
    }
    Some(out)
}

/// A chain's identity: SHA-256 over its certificates' DER bytes, each
/// prefixed by its length so that no two chains can collide by splitting
/// the same bytes differently.
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
        let a_year_ago = now - 365 * 86_400;
        // Asked twice at each time, in both orders: the cached answer for
        // one time never leaks into another's.
        for _ in 0..2 {
            assert!(list.trusts_at(&chain, Some(now)));
            assert!(list.trusts_at(&chain, Some(now + 60)));
            assert!(!list.trusts_at(&chain, Some(in_a_century)));
            assert!(!list.trusts_at(&chain, Some(a_year_ago)));
            // Without a time the periods are not checked.
            assert!(list.trusts_at(&chain, None));
        }
        // One second past notAfter is another class than notAfter itself.
        let leaf = Pem::iter_from_buffer(chain.as_bytes())
            .next()
            .unwrap()
            .unwrap();
        let (_, cert) = X509Certificate::from_der(&leaf.contents).unwrap();
        let not_after = cert.validity().not_after.timestamp();
        assert!(list.trusts_at(&chain, Some(not_after)));
        assert!(!list.trusts_at(&chain, Some(not_after + 1)));
        assert!(list.trusts_at(&chain, Some(not_after - 1)));
        // Another chain with the same leaf bytes split differently is
        // another key.
        let (a, b) = (vec![1u8, 2, 3], vec![4u8]);
        let (c, d) = (vec![1u8, 2], vec![3u8, 4]);
        assert_ne!(chain_digest(&[a, b]), chain_digest(&[c, d]));
    }
}
