//! Verifying labelled UTF-8 text (C2PA 2.4 Annex A.8).
//!
//! tamga finds the wrapper, lets c2pa validate the manifest store (claim,
//! signature, certificate, trust, assertions) against an empty stand-in
//! asset, and checks the hard binding itself: the data hash's one exclusion
//! must be exactly the wrapper, and the rest of the text must hash to the
//! asserted value. When it does not, it tries the usual suspects (CRLF
//! conversion, an added byte-order mark, Unicode re-normalization, a newline
//! after the label, a partial copy) by re-hashing, so the explanation says
//! what happened rather than only that something did.

use std::{borrow::Cow, io::Cursor, ops::Range, path::Path, sync::Arc};

use c2pa::{Context, Reader};
use unicode_normalization::UnicodeNormalization;

use crate::{
    data_hash::{Binding, HashCheck},
    text_sign::{is_nfc_fast, not_utf8, STORE_FORMAT},
    LabelError,
};

/// What a text holds.
pub(crate) enum TextLabel {
    /// No wrapper at all.
    None,
    /// A wrapper that cannot be used: corrupted, or several of them.
    Broken {
        code: &'static str,
        explanation: String,
    },
    /// A manifest store, and tamga's check of its binding to the text.
    Found {
        reader: Box<Reader>,
        check: HashCheck,
        /// What went wrong with the binding, in plain words.
        diagnosis: Option<String>,
    },
}

/// Reads and checks the label of `text`.
pub(crate) fn read(
    context: &Arc<Context>,
    path: &Path,
    text: &[u8],
) -> Result<TextLabel, LabelError> {
    // A text cut mid-character (a truncated download) is still a text to
    // judge; anything else that is not UTF-8 is not text.
    if let Err(e) = std::str::from_utf8(text) {
        if e.error_len().is_some() {
            return Err(not_utf8(path, &e));
        }
    }
    let wrapper = match tamga_text::find(text) {
        Ok(None) => return Ok(TextLabel::None),
        Ok(Some(w)) => w,
        Err(e) => {
            return Ok(TextLabel::Broken {
                code: e.code(),
                explanation: broken(&e, text.len()),
            })
        }
    };
    let reader = Reader::from_shared_context(context)
        .with_manifest_data_and_stream(&wrapper.manifest, STORE_FORMAT, Cursor::new(Vec::new()))
        .map_err(|e| LabelError::c2pa(path, &e))?;
    let detailed: serde_json::Value =
        serde_json::from_str(&reader.detailed_json()).unwrap_or_default();
    let binding = reader
        .active_label()
        .and_then(|active| Binding::of_active(&detailed, active));
    let (check, diagnosis) = match binding {
        None => (
            HashCheck::Misplaced,
            Some("the label has no data hash that binds it to a text".to_string()),
        ),
        Some(b) => {
            let check = check_binding(&b, text, &wrapper.range);
            let diagnosis = (check != HashCheck::Match).then(|| diagnose(&b, text, &wrapper.range));
            (check, diagnosis)
        }
    };
    Ok(TextLabel::Found {
        reader: Box::new(reader),
        check,
        diagnosis,
    })
}

/// The hard-binding rule for text: one exclusion, exactly the wrapper; the
/// rest hashes to the asserted value. Validators hash the remainder in NFC
/// (Annex A.8), so a remainder that is not NFC gets a second chance after
/// normalizing — tamga itself always signs NFC text.
fn check_binding(b: &Binding, text: &[u8], wrapper: &Range<usize>) -> HashCheck {
    if b.exclusions != [(wrapper.start as u64, wrapper.len() as u64)] {
        return HashCheck::Misplaced;
    }
    let (before, after) = around(text, wrapper);
    if b.matches([before, after]) {
        return HashCheck::Match;
    }
    let rest = [before, after].concat();
    match nfc(&rest) {
        Cow::Owned(n) if b.matches([n.as_slice()]) => HashCheck::Match,
        _ => HashCheck::Mismatch,
    }
}

/// Why the binding failed, found by re-hashing the text as it was before
/// each common accident.
fn diagnose(b: &Binding, text: &[u8], wrapper: &Range<usize>) -> String {
    let (before, after) = around(text, wrapper);
    let Some(&(signed_start, signed_len)) = b.exclusions.first() else {
        return "the label's data hash excludes nothing, so it cannot bind a text".into();
    };
    let signed_start = signed_start as usize;
    // Whitespace after the label is what editors add on save; every
    // hypothesis is tried with and without it.
    let trailing_ws = !after.is_empty() && after.iter().all(u8::is_ascii_whitespace);
    let unchanged = |candidate: &[u8]| {
        candidate.len() == signed_start
            && (b.matches([candidate, after]) || (trailing_ws && b.matches([candidate])))
    };

    if trailing_ws && unchanged(before) {
        return "a line break or spaces were added after the label (some editors do this on \
                save); the words are unchanged"
            .into();
    }
    if let Some(rest) = before.strip_prefix("\u{feff}".as_bytes()) {
        if unchanged(rest) {
            return "a byte-order mark was added at the start of the text; the words are unchanged"
                .into();
        }
    }
    if memchr::memmem::find(before, b"\r\n").is_some() && unchanged(&crlf_to_lf(before)) {
        return "line endings were converted (CRLF, Windows style); the words are unchanged".into();
    }
    if let Cow::Owned(n) = nfc(before) {
        if unchanged(&n) {
            return "the text's Unicode normalization was changed (e.g. to NFD by a Mac or an \
                    editor); it looks the same but its bytes differ"
                .into();
        }
    }
    let (have, signed) = (before.len(), signed_start);
    if have < signed {
        if let Some((_, what)) = crate::trailing_spaces::restorations(before, signed)
            .into_iter()
            .find(|(c, _)| unchanged(c))
        {
            return format!(
                "spaces at line ends were removed (some editors and apps trim them): {what}; \
                 the words are unchanged"
            );
        }
        if crate::trailing_spaces::looks_trimmed(before, signed - have) {
            return format!(
                "the text is {} bytes shorter than what was signed and no line ends in a space \
                 any more: spaces at line ends were probably removed (some editors and apps trim \
                 them), or the text was cut or edited",
                signed - have
            );
        }
    }
    if have == signed && signed_len != wrapper.len() as u64 {
        return "the label at the end of the text is cut short or altered: only part of a \
                labelled text was copied"
            .into();
    }
    match have.cmp(&signed) {
        std::cmp::Ordering::Less => format!(
            "the text is shorter than what was signed ({have} of {signed} bytes): only part \
             of a labelled text was copied, or it was cut or edited"
        ),
        std::cmp::Ordering::Greater => format!(
            "the text was edited after labelling ({} bytes longer than what was signed)",
            have - signed
        ),
        std::cmp::Ordering::Equal if !after.is_empty() && !trailing_ws => {
            "text was added after the label".into()
        }
        std::cmp::Ordering::Equal => "the text was edited after labelling".into(),
    }
}

/// Plain words for a wrapper that cannot be used.
fn broken(e: &tamga_text::WrapperError, text_len: usize) -> String {
    match e {
        tamga_text::WrapperError::Corrupted(c) => match c.reason {
            tamga_text::Corruption::Truncated { .. }
            | tamga_text::Corruption::LengthOverrun { .. }
                if c.range.end == text_len =>
            {
                "only part of a labelled text is here: the label at its end is cut off".into()
            }
            _ => format!("the text's label is damaged: {c}"),
        },
        tamga_text::WrapperError::Multiple { ranges } => format!(
            "the text carries {} labels (labelled texts were pasted together); check each \
             part on its own",
            ranges.len()
        ),
        other => other.to_string(),
    }
}

fn around<'a>(text: &'a [u8], wrapper: &Range<usize>) -> (&'a [u8], &'a [u8]) {
    (
        text.get(..wrapper.start).unwrap_or_default(),
        text.get(wrapper.end..).unwrap_or_default(),
    )
}

fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(i) = memchr::memmem::find(rest, b"\r\n") {
        out.extend_from_slice(&rest[..i]);
        out.push(b'\n');
        rest = &rest[i + 2..];
    }
    out.extend_from_slice(rest);
    out
}

/// `bytes` in NFC; borrowed when already NFC (or not UTF-8, which the
/// caller has ruled out).
fn nfc(bytes: &[u8]) -> Cow<'_, [u8]> {
    match std::str::from_utf8(bytes) {
        Ok(s) if !is_nfc_fast(s) => {
            let n: String = s.nfc().collect();
            if n.as_bytes() == bytes {
                Cow::Borrowed(bytes)
            } else {
                Cow::Owned(n.into_bytes())
            }
        }
        _ => Cow::Borrowed(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_conversion_is_undone_exactly() {
        assert_eq!(crlf_to_lf(b"a\r\nb\r\n\r\nc\r"), b"a\nb\n\nc\r");
        assert_eq!(crlf_to_lf(b""), b"");
    }

    #[test]
    fn nfc_borrows_normalized_text() {
        assert!(matches!(nfc("қазақ".as_bytes()), Cow::Borrowed(_)));
        let nfd: String = "й".nfd().collect();
        assert_eq!(&*nfc(nfd.as_bytes()), "й".as_bytes());
    }
}

#[cfg(test)]
mod limit_tests {
    use crate::{LabelError, MediaFormat, Verifier, VerifyOptions};

    #[test]
    fn texts_over_the_limit_and_empty_texts_are_refused() {
        let mut options = VerifyOptions::default();
        options.limits.max_text_bytes = 10;
        let v = Verifier::new(options).unwrap();
        let err = v
            .verify_text("<stdin>", b"eleven byte", MediaFormat::Text)
            .unwrap_err();
        assert!(
            matches!(
                err,
                LabelError::Media(tamga_media::MediaError::TooLarge {
                    size: 11,
                    limit: 10,
                    ..
                })
            ),
            "{err}"
        );
        let err = v
            .verify_text("<stdin>", b"", MediaFormat::Text)
            .unwrap_err();
        assert!(
            matches!(
                err,
                LabelError::Media(tamga_media::MediaError::Empty { .. })
            ),
            "{err}"
        );
        let ok = v
            .verify_text("<stdin>", b"plain", MediaFormat::Text)
            .unwrap();
        assert_eq!(ok.verdict, crate::Verdict::Unlabelled);
    }
}
