//! The label's soft binding: the ISCC content code of what is signed,
//! recorded in the manifest as a `c2pa.soft-binding` assertion
//! (algorithm `io.iscc.v0`).
//!
//! The hard binding (a hash) breaks at the first re-encode; the content
//! code survives it, so any C2PA reader can see which fingerprint the
//! label was made for, and a registry can find the label again from a
//! stripped copy. The code is computed from the content *as signed* —
//! after the notice and the platform metadata — because that is what
//! people receive and pass on.

use std::{
    fs::File,
    io::{Seek, SeekFrom},
};

use c2pa::{assertions::SoftBinding, Builder};
use serde_json::json;
use tamga_fingerprint::{ContentCode, ContentKind, FingerprintError};

use crate::{DecodeLimits, MediaFormat, Warning};

/// The C2PA soft-binding algorithm of ISCC codes (ISO 24138), as listed in
/// the C2PA soft-binding algorithm list.
pub const ISCC_ALG: &str = "io.iscc.v0";

/// The assertion's `name`: which ISCC unit its block holds.
pub(crate) fn code_name(kind: ContentKind) -> &'static str {
    match kind {
        ContentKind::Image => "ISCC Image-Code",
        ContentKind::Audio => "ISCC Audio-Code",
        // `ContentKind` is non-exhaustive; Text and anything later.
        _ => "ISCC Text-Code",
    }
}

/// The content code of the staged media, or `None` for formats without
/// one (video, HEIF, …). The file is rewound afterwards.
pub(crate) fn media_code(
    source: &mut File,
    format: MediaFormat,
    limits: &DecodeLimits,
) -> Result<Option<ContentCode>, FingerprintError> {
    let rewind = |f: &mut File| {
        f.seek(SeekFrom::Start(0))
            .map_err(|source| FingerprintError::Io {
                path: "staged content".into(),
                source,
            })
    };
    rewind(source)?;
    let code = tamga_fingerprint::media_content(source, format, limits)?;
    rewind(source)?;
    Ok(code)
}

/// The content code, or a warning saying why the label goes without one:
/// a fingerprint is an addition, so content the fingerprinter cannot
/// decode is still labelled (its hard binding and, with a registry, its
/// exact hash still identify it).
pub(crate) fn media_code_or_warn(
    source: &mut File,
    format: MediaFormat,
    limits: &DecodeLimits,
    warnings: &mut Vec<Warning>,
) -> Option<ContentCode> {
    match media_code(source, format, limits) {
        Ok(code) => code,
        Err(e) => {
            warnings.push(Warning::Note(format!(
                "no fingerprint in the label (it cannot be found again after a re-encode): {e}"
            )));
            // The failed decoder may have left the shared offset anywhere.
            let _ = source.seek(SeekFrom::Start(0));
            None
        }
    }
}

/// Adds the `c2pa.soft-binding` assertion holding `code`.
pub(crate) fn add_assertion(builder: &mut Builder, code: &ContentCode) -> c2pa::Result<()> {
    builder.add_assertion(SoftBinding::LABEL, &assertion(code)?)?;
    Ok(())
}

/// The soft binding of `code`: one block, the whole asset in scope, the
/// ISCC unit as its value.
fn assertion(code: &ContentCode) -> serde_json::Result<SoftBinding> {
    // SoftBinding has private fields (padding), so it is built through
    // serde rather than a struct literal.
    serde_json::from_value(json!({
        "alg": ISCC_ALG,
        "name": code_name(code.kind),
        "blocks": [{ "scope": {}, "value": code.iscc }],
        "pad": [],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use c2pa::assertions::SoftBindingBlock;

    #[test]
    fn the_assertion_holds_the_iscc_unit_under_io_iscc_v0() {
        let code = tamga_fingerprint::text("A text long enough to have a Text-Code of its own.");
        let binding = assertion(&code).unwrap();
        assert_eq!(binding.alg.as_deref(), Some("io.iscc.v0"));
        assert_eq!(binding.name.as_deref(), Some("ISCC Text-Code"));
        let [SoftBindingBlock { value, .. }] = binding.blocks.as_slice() else {
            panic!("one block expected: {binding:?}");
        };
        assert!(value.starts_with("ISCC:EA"), "{value}");
    }
}
