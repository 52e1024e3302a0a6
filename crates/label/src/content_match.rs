//! Looking a content code up in a registry: the nearest stored codes on
//! their 64 bits (the indexed part), then, for kinds with confirmation
//! data (audio: Chromaprint features), only those it confirms. Recovery (`verify`,
//! `check`) and the soft-binding API's `byContent` both match this way,
//! so they find the same labels.

use tamga_fingerprint::{ContentCode, ContentKind};
use tamga_registry::{Binding, Match, Registry, RegistryError};

use crate::soft_binding::ISCC_ALG;

/// The registry binding kind holding an Audio-Code's confirmation data
/// (`ContentCode::confirm`: Chromaprint features). Read by manifest id
/// only; the 64-bit code is what the nearest-code index holds.
pub const AUDIO_CONFIRM_KIND: &str = "audio-chromaprint";

/// How many 64-bit candidates are confirmed at most. Unrelated recordings
/// within the 64-bit distance are rare (docs/fingerprints.md: 4 in 1,000
/// pairs of adversarially similar clips), so the true match is among the
/// nearest few even in a large registry.
const CANDIDATES_TO_CONFIRM: usize = 16;

/// The registry bindings that record `code`: the 64-bit code under its
/// kind's name, and its confirmation data, if any.
pub(crate) fn bindings(code: &ContentCode) -> Vec<Binding> {
    let mut out = vec![Binding::new(
        ISCC_ALG,
        code.kind.name(),
        code.bits.to_be_bytes().to_vec(),
    )];
    if let (Some(data), Some(kind)) = (&code.confirm, confirm_kind(code)) {
        out.push(Binding::new(ISCC_ALG, kind, data.clone()));
    }
    out
}

fn confirm_kind(code: &ContentCode) -> Option<&'static str> {
    (code.kind == ContentKind::Audio).then_some(AUDIO_CONFIRM_KIND)
}

/// Up to `limit` labels whose content code matches `code`, nearest first:
/// within the kind's match distance on 64 bits and, where both sides
/// have confirmation data, confirmed on it. A featureless code matches
/// nothing (unrelated content shares it).
pub fn nearest(
    registry: &mut Registry,
    code: &ContentCode,
    limit: usize,
) -> Result<Vec<Match>, RegistryError> {
    if code.featureless {
        return Ok(Vec::new());
    }
    let confirm_kind = code.confirm.as_ref().and(confirm_kind(code));
    let wanted = match confirm_kind {
        Some(_) => limit.max(CANDIDATES_TO_CONFIRM),
        None => limit,
    };
    let mut found = registry.nearest(
        ISCC_ALG,
        code.kind.name(),
        code.bits,
        code.kind.match_distance(),
        wanted,
    )?;
    if let Some(kind) = confirm_kind {
        let mut confirmed = Vec::with_capacity(found.len());
        for m in found {
            let stored = registry.bindings_of(&m.manifest_id, ISCC_ALG, kind)?;
            // A label recorded without confirmation data cannot be
            // confirmed or refuted: its 64-bit match stands.
            if stored.is_empty() || stored.iter().any(|s| code.confirms(s)) {
                confirmed.push(m);
            }
        }
        found = confirmed;
    }
    found.truncate(limit);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use tamga_registry::NewRecord;

    use super::*;

    /// An Audio-Code with these bits and these features.
    fn audio(bits: u64, features: Option<&[u32]>) -> ContentCode {
        let mut code = tamga_fingerprint::audio_code(&[1, 2, 3, 4]).unwrap();
        code.bits = bits;
        code.confirm = features.map(|f| f.iter().flat_map(|w| w.to_be_bytes()).collect());
        code.featureless = false;
        code
    }

    fn record(reg: &mut Registry, id: &str, code: &ContentCode) {
        reg.record(&NewRecord {
            manifest_id: id.into(),
            store: Vec::new(),
            media_type: "audio/wav".into(),
            hard_hash: None,
            bindings: bindings(code),
            signer: None,
            ai: None,
            created: SystemTime::now(),
        })
        .unwrap();
    }

    #[test]
    fn an_audio_match_stands_only_where_the_features_confirm_it() {
        let mut reg = Registry::open("sqlite::memory:").unwrap();
        let song: Vec<u32> = (0..200u32).map(|i| i.wrapping_mul(0x9e37_79b9)).collect();
        let stored = audio(0x1234_5678_9abc_def0, Some(&song));
        record(&mut reg, "urn:c2pa:song", &stored);
        // The same recording re-encoded: a bit in every other frame
        // flipped (a 1.6 % error rate), and one frame of delay.
        let copy: Vec<u32> = std::iter::once(0)
            .chain(
                song.iter()
                    .enumerate()
                    .map(|(i, w)| w ^ u32::from(i % 2 == 0)),
            )
            .collect();
        let found = nearest(&mut reg, &audio(0x1234_5678_9abc_def1, Some(&copy)), 5).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].manifest_id, "urn:c2pa:song");
        // The same 64 bits, another recording's features: refused.
        let other: Vec<u32> = song
            .iter()
            .map(|w| w.rotate_left(7) ^ 0x5555_5555)
            .collect();
        assert!(
            nearest(&mut reg, &audio(0x1234_5678_9abc_def0, Some(&other)), 5)
                .unwrap()
                .is_empty()
        );
        // A 64-bit query (a client's unit) cannot be confirmed: the 64-bit
        // match stands.
        assert_eq!(
            nearest(&mut reg, &audio(0x1234_5678_9abc_def0, None), 5)
                .unwrap()
                .len(),
            1
        );
    }
}
