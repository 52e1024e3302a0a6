//! A file's provenance chain: the active manifest, then the manifest of its
//! parent ingredient, and so on. A file a distributor published carries two
//! signers — the publisher (active) and the producer (parent) — and the
//! verdict, the disclosure and the trust answer must account for both.

use std::collections::HashSet;

use c2pa::{Manifest, Reader, Relationship};
use serde_json::Value;
use tamga_keys::TrustList;
use tamga_notice::AppliedNotice;

use crate::{
    manifest_map::{self, FoundDisclosure, NOTICE_LABEL},
    verify_report::{ChainLink, Signer},
};

/// The chain, newest first. `trust` marks each signer trusted or not.
pub(crate) fn chain(reader: &Reader, trust: Option<&TrustList>) -> Vec<ChainLink> {
    walk(reader)
        .into_iter()
        .map(|m| ChainLink {
            manifest: m.label().unwrap_or_default().to_string(),
            signer: signer(m),
            claim_generator: claim_generator_name(m),
            actions: actions(m)
                .iter()
                .filter_map(|a| a.get("action").and_then(Value::as_str))
                .map(str::to_string)
                .collect(),
            digital_source_type: actions(m)
                .iter()
                .find_map(|a| a.get("digitalSourceType").and_then(Value::as_str))
                .map(str::to_string),
            trusted: trust.map(|t| m.signature_info().is_some_and(|s| t.trusts(s.cert_chain()))),
        })
        .collect()
}

/// What the file discloses about AI: the newest manifest in the chain that
/// states a source type (a publisher states none, so the producer's word
/// shows through), else any AI statement in the store. A perceivable notice
/// recorded later in the chain (a publisher's `--fix`) is part of it.
pub(crate) fn disclosure(reader: &Reader) -> Option<FoundDisclosure> {
    let chain = walk(reader);
    let mut found = chain
        .iter()
        .filter_map(|m| manifest_map::read(m))
        .find(|d| d.digital_source_type.is_some())
        .or_else(|| {
            reader
                .iter_manifests()
                .filter_map(manifest_map::read)
                .find(|d| d.is_ai())
        })?;
    if found.perceivable_notice.is_none() {
        found.perceivable_notice = chain.iter().find_map(|m| notice(m));
    }
    Some(found)
}

/// The signature info of every manifest in the chain, newest first: the
/// keys that may have signed integrity values outside C2PA (GB 45438's
/// `ReservedCode1` by the producer, `ReservedCode2` by the publisher).
pub(crate) fn signature_infos(reader: &Reader) -> Vec<&c2pa::SignatureInfo> {
    walk(reader)
        .into_iter()
        .filter_map(Manifest::signature_info)
        .collect()
}

/// Who signed a manifest.
pub(crate) fn signer(m: &Manifest) -> Option<Signer> {
    m.signature_info().map(|s| Signer {
        organisation: s.issuer.clone(),
        common_name: s.common_name.clone(),
        algorithm: s.alg.map(|a| a.to_string()),
        time: s.time.clone(),
    })
}

/// The claim generator's name and version.
pub(crate) fn claim_generator_name(m: &Manifest) -> Option<String> {
    if let Some(info) = m.claim_generator_info.as_ref().and_then(|v| v.first()) {
        let mut s = info.name.clone();
        if let Some(v) = info.version.as_ref() {
            s.push(' ');
            s.push_str(v);
        }
        return Some(s);
    }
    m.claim_generator().map(str::to_string)
}

/// The manifests from the active one back through parent ingredients. A
/// store is untrusted input: a cycle or a dangling reference ends the walk.
fn walk(reader: &Reader) -> Vec<&Manifest> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut next = reader.active_label();
    while let Some(label) = next {
        if !seen.insert(label) {
            break;
        }
        let Some(m) = reader.get_manifest(label) else {
            break;
        };
        out.push(m);
        next = m
            .ingredients()
            .iter()
            .find(|i| *i.relationship() == Relationship::ParentOf)
            .and_then(|i| i.active_manifest());
    }
    out
}

fn actions(m: &Manifest) -> Vec<Value> {
    m.assertions()
        .iter()
        .filter(|a| a.label().starts_with("c2pa.actions"))
        .filter_map(|a| a.value().ok())
        .filter_map(|v| v.get("actions").and_then(Value::as_array).cloned())
        .flatten()
        .collect()
}

fn notice(m: &Manifest) -> Option<AppliedNotice> {
    m.assertions()
        .iter()
        .find(|a| a.label() == NOTICE_LABEL)
        .and_then(|a| a.value().ok())
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}
