//! Test helpers: inputs that reach a reader's every early exit, and the
//! check that a streaming reader agrees with the in-memory one it replaced.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use crate::{Aigc, AigcLabel, Container, Found, Labels};

pub(crate) fn sample(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub(crate) fn labels() -> Labels {
    let mut aigc = Aigc::first_write(AigcLabel::Is, "Tamga_Test", "3f2a9c").unwrap();
    aigc.set_reserved_code1("c2ln".into()).unwrap();
    Labels {
        digital_source_type: Some(
            "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia".into(),
        ),
        ai_system: Some("Model".into()),
        ai_system_version: Some("2.1".into()),
        aigc: Some(aigc),
    }
}

/// Calls `each` with the sample as it is and with labels written into it,
/// each also cut short at many lengths (every one in the first 600 bytes,
/// where the headers are) and with one byte changed at as many places.
pub(crate) fn for_each_variant(name: &str, container: Container, mut each: impl FnMut(&[u8])) {
    let plain = sample(name);
    let labelled = crate::write(container, &plain, &labels()).unwrap();
    for base in [plain, labelled] {
        let n = base.len();
        let places: Vec<usize> = (0..n.min(600))
            .chain((600..n).step_by((n / 300).max(1)))
            .collect();
        for &cut in &places {
            each(&base[..cut]);
        }
        let mut changed = base.clone();
        for &at in &places {
            changed[at] ^= 0x55;
            each(&changed);
            changed[at] ^= 0x55;
        }
        each(&base);
    }
}

/// Asserts that `read`, given `input` as a stream, finds `expected`.
pub(crate) fn agree(
    input: &[u8],
    expected: Found,
    read: impl FnOnce(&mut Cursor<&[u8]>, &mut Found),
) {
    let mut found = Found::default();
    read(&mut Cursor::new(input), &mut found);
    let json = |f: &Found| serde_json::to_value(f).unwrap();
    assert_eq!(
        json(&found),
        json(&expected),
        "streaming and in-memory readers differ on a {}-byte input",
        input.len()
    );
}
