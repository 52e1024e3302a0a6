//! The C2PA text wrapper (Annex A.8) decoder and encoder.

use tamga_text::{encode, encode_padded_to, find, scan, strip, wrapper_len};

use crate::split;

/// Decoding any bytes never panics, and what `strip` leaves of UTF-8 text
/// holds no wrapper. Then encode → decode: the input split at a point chosen by its
/// first byte into a text (wrappers stripped) and a manifest, the manifest
/// encoded (unpadded and padded) after the text must decode to itself, at
/// the end of the text, and strip back to the text.
pub fn text_wrapper(data: &[u8]) {
    let scanned = scan(data);
    for range in scanned
        .wrappers
        .iter()
        .map(|w| &w.range)
        .chain(scanned.corrupted.iter().map(|c| &c.range))
    {
        assert!(range.start <= range.end && range.end <= data.len());
    }
    let _ = find(data);
    let stripped = strip(data);
    // Only for UTF-8, the only text tamga labels or verifies: in other bytes
    // a cut can splice a broken sequence into a new variation selector
    // (regressions/text_wrapper/), which in UTF-8 cannot happen, since a
    // wrapper starts and ends on character boundaries and is followed by
    // no selector.
    if std::str::from_utf8(data).is_ok() {
        let again = scan(&stripped);
        assert!(
            again.wrappers.is_empty() && again.corrupted.is_empty(),
            "strip left a wrapper"
        );
    }

    let Some((cut, rest)) = split(data) else {
        return;
    };
    let cut = usize::from(cut).min(rest.len());
    let visible = strip(String::from_utf8_lossy(&rest[..cut]).as_bytes());
    let manifest = &rest[cut..];
    let pad = data.len() % 7;
    for wrapper in [
        encode(manifest),
        encode_padded_to(manifest, wrapper_len(manifest.len()) + pad * 4),
    ] {
        let Ok(wrapper) = wrapper else {
            return;
        };
        let mut text = visible.clone();
        text.extend_from_slice(wrapper.as_bytes());
        let found = find(&text)
            .unwrap_or_else(|e| panic!("an encoded wrapper fails to decode: {e}"))
            .unwrap_or_else(|| panic!("an encoded wrapper is not found"));
        assert_eq!(found.manifest, manifest);
        assert_eq!(found.range, visible.len()..text.len());
        assert_eq!(strip(&text), visible);
    }
}
