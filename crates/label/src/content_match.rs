//! Looking a content code up in a registry: the nearest stored codes on
//! their 64 bits (the indexed part), then, for kinds with a longer code
//! (audio), only those the longer code confirms. Recovery (`verify`,
//! `check`) and the soft-binding API's `byContent` both match this way,
//! so they find the same labels.

use tamga_fingerprint::ContentCode;
use tamga_registry::{Binding, Match, Registry, RegistryError};

use crate::soft_binding::ISCC_ALG;

/// The registry binding kind holding a content code's extended body
/// (`ContentCode::extended`): the 256-bit Audio-Code. Stored for exact
/// reads only; the 64-bit code is what the nearest-code index holds.
pub const AUDIO_EXTENDED_KIND: &str = "audio-256";

/// How many 64-bit candidates are confirmed at most. Unrelated recordings
/// within the 64-bit distance are rare (docs/fingerprints.md: 4 in 1,000
/// pairs of adversarially similar clips), so the true match is among the
/// nearest few even in a large registry.
const CANDIDATES_TO_CONFIRM: usize = 16;

/// The registry bindings that record `code`: the 64-bit code under its
/// kind's name, and its extended body, if any.
pub(crate) fn bindings(code: &ContentCode) -> Vec<Binding> {
    let mut out = vec![Binding::new(
        ISCC_ALG,
        code.kind.name(),
        code.bits.to_be_bytes().to_vec(),
    )];
    if let (Some(extended), Some(kind)) = (&code.extended, extended_kind(code)) {
        out.push(Binding::new(ISCC_ALG, kind, extended.clone()));
    }
    out
}

fn extended_kind(code: &ContentCode) -> Option<&'static str> {
    code.kind.confirm_distance().map(|_| AUDIO_EXTENDED_KIND)
}

/// Up to `limit` labels whose content code matches `code`, nearest first:
/// within the kind's match distance on 64 bits and, where both sides
/// have an extended code, confirmed on it. A featureless code matches
/// nothing (unrelated content shares it).
pub fn nearest(
    registry: &mut Registry,
    code: &ContentCode,
    limit: usize,
) -> Result<Vec<Match>, RegistryError> {
    if code.featureless {
        return Ok(Vec::new());
    }
    let confirm_kind = code.extended.as_ref().and(extended_kind(code));
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
            // A label recorded without the extended code cannot be
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

    /// An Audio-Code with these bits and this extended body.
    fn audio(bits: u64, extended: Option<Vec<u8>>) -> ContentCode {
        let features: Vec<i32> = (1..=64).collect();
        let mut code = tamga_fingerprint::audio_code(&features).unwrap();
        code.bits = bits;
        code.extended = extended;
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
    fn an_audio_match_stands_only_where_the_long_code_confirms_it() {
        let mut reg = Registry::open("sqlite::memory:").unwrap();
        let long = vec![0x5a; 32];
        let stored = audio(0x1234_5678_9abc_def0, Some(long.clone()));
        record(&mut reg, "urn:c2pa:song", &stored);
        // The same 64 bits and a long code 12 bits off (an MP3 re-encode
        // moves it up to 15): confirmed.
        let mut near = long.clone();
        near[20] ^= 0xff;
        near[30] ^= 0x0f;
        let found = nearest(&mut reg, &audio(0x1234_5678_9abc_def1, Some(near)), 5).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].manifest_id, "urn:c2pa:song");
        // The same 64 bits, another recording's long code: refused.
        let far: Vec<u8> = long.iter().map(|b| !b).collect();
        assert!(nearest(&mut reg, &audio(0x1234_5678_9abc_def0, Some(far)), 5)
            .unwrap()
            .is_empty());
        // A 64-bit query (a client's short unit) cannot be confirmed: the
        // 64-bit match stands.
        assert_eq!(
            nearest(&mut reg, &audio(0x1234_5678_9abc_def0, None), 5)
                .unwrap()
                .len(),
            1
        );
    }
}
