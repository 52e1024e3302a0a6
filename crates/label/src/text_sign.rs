//! Labelling UTF-8 text (C2PA 2.4 Annex A.8).
//!
//! c2pa 0.90 cannot embed into text, so tamga places the manifest store
//! itself, as the variation-selector wrapper of [`tamga_text`], at the end of
//! the text. Everything C2PA — the claim, the `c2pa.hash.data` hard binding,
//! the signature and the JUMBF store — comes from c2pa's data-hash
//! embeddable API: tamga plans the wrapper's size from c2pa's placeholder,
//! hashes the text outside that range and hands c2pa the binding to sign.

use std::{borrow::Cow, io::Cursor, path::Path, sync::Arc};

use c2pa::{assertions::DataHash, Builder, Context, HashRange, Ingredient, Reader, Signer};
use serde_json::json;
use sha2::{Digest, Sha256};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use tamga_notice::NoticeOptions;

use crate::{manifest_map, AiDisclosure, LabelError, MediaFormat};

/// The format c2pa's data-hash API and the reader accept for a bare store.
pub(crate) const STORE_FORMAT: &str = "application/c2pa";

/// A labelled text and what labelling found on the way.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LabelledText {
    /// The text (NFC) with its label wrapper at the end.
    pub bytes: Vec<u8>,
    /// Whether the input carried a label, now the parent ingredient.
    pub kept_previous_manifest: bool,
    /// Things worth telling the user (normalization, a damaged old label removed).
    pub warnings: Vec<String>,
    /// Where the label was recorded, when a registry was given.
    pub registered: Option<crate::Registered>,
}

/// A labelled text as its two parts, so a file can be written without
/// first copying the whole text into one buffer.
pub(crate) struct Labelled<'a> {
    pub(crate) body: Cow<'a, [u8]>,
    pub(crate) wrapper: String,
    pub(crate) kept_previous_manifest: bool,
    pub(crate) warnings: Vec<String>,
    /// The perceivable notice line added, if any.
    pub(crate) notice: Option<crate::AppliedNotice>,
    /// The Text-Code of the body: what a reader copies, without the wrapper.
    pub(crate) content: tamga_fingerprint::ContentCode,
}

impl From<Labelled<'_>> for LabelledText {
    fn from(l: Labelled<'_>) -> Self {
        let mut bytes = l.body.into_owned();
        bytes.extend_from_slice(l.wrapper.as_bytes());
        Self {
            bytes,
            kept_previous_manifest: l.kept_previous_manifest,
            warnings: l.warnings,
            registered: None,
        }
    }
}

/// Labels `input` (the whole text). `path` names it in errors and is the
/// manifest's title.
/// What goes into the text besides the C2PA wrapper.
pub(crate) struct Additions<'a> {
    /// The perceivable notice line.
    pub(crate) notice: Option<&'a NoticeOptions>,
    /// Platform metadata (the AIGC front matter in Markdown).
    pub(crate) labels: &'a tamga_meta::Labels,
    /// Set when a distributor publishes the text: its organisation. The
    /// manifest then records the publication, not a disclosure.
    pub(crate) publisher: Option<&'a str>,
}

pub(crate) fn label<'a>(
    context: &Arc<Context>,
    signer: &dyn Signer,
    disclosure: &AiDisclosure,
    added: Additions<'_>,
    format: MediaFormat,
    path: &Path,
    input: &'a [u8],
) -> Result<Labelled<'a>, LabelError> {
    let c2pa_err = |e: c2pa::Error| LabelError::c2pa(path, &e);
    let text = std::str::from_utf8(input).map_err(|e| not_utf8(path, &e))?;
    let mut warnings = Vec::new();

    // The old label, if intact, becomes the parent ingredient; a broken one
    // is dropped (it could not be validated as a parent anyway).
    let scan = tamga_text::scan(input);
    let without_label = without_wrappers(text, &scan);
    let previous = match scan.single() {
        Ok(found) => found.map(|w| w.manifest),
        Err(e) => {
            warnings.push(format!("removed a damaged text label: {e}"));
            None
        }
    };
    let mut body = nfc(&without_label);
    if let Cow::Owned(_) = body {
        warnings
            .push("the text was normalized to Unicode NFC before signing, as C2PA requires".into());
    }
    let mut applied = None;
    let labels = added.labels;
    if let Some(options) = added.notice {
        let (_, position) = options
            .resolve(format)
            .map_err(|source| LabelError::Notice {
                path: path.into(),
                source,
            })?;
        let (with_notice, record) =
            tamga_notice::text::apply(&body, format, disclosure.ai.wording(), options, position);
        // The wording files are NFC; a line feed before and after keeps
        // the joined text NFC, so no second normalization is needed.
        body = Cow::Owned(with_notice);
        applied = Some(record);
    }
    if let Some(container) = crate::xmp_aigc::container(format) {
        if labels.aigc.is_some() {
            // The AIGC front matter is ASCII, so the text stays NFC.
            let fail = |e| LabelError::Metadata {
                path: path.into(),
                source: Box::new(crate::MetadataError::Write(e)),
            };
            let tagged = tamga_meta::write(container, body.as_bytes(), labels).map_err(fail)?;
            body = Cow::Owned(String::from_utf8(tagged).map_err(|e| {
                fail(tamga_meta::MetaError::NotUtf8 {
                    container,
                    source: e.utf8_error(),
                })
            })?);
        }
    }

    let title = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut builder = Builder::from_shared_context(context)
        .with_definition(json!({
            "title": title,
            "format": format.mime(),
            "claim_generator_info": [manifest_map::claim_generator()],
        }))
        .map_err(c2pa_err)?;
    let statement = match added.publisher {
        Some(organisation) => manifest_map::Statement::Publish { organisation },
        None => manifest_map::Statement::Disclose(disclosure),
    };
    let has_parent = previous.is_some()
        || added.publisher.is_some()
        || disclosure.ai.starts_from_existing_work();
    manifest_map::apply(&mut builder, statement, has_parent, applied.as_ref()).map_err(c2pa_err)?;
    // The Text-Code of the text as a reader sees and copies it: the body
    // with its notice and front matter, without the invisible wrapper.
    let content = tamga_fingerprint::text(&body);
    crate::soft_binding::add_assertion(&mut builder, &content).map_err(c2pa_err)?;
    if has_parent {
        add_parent(
            context,
            &mut builder,
            &title,
            format,
            previous.as_deref(),
            input,
            body.as_bytes(),
        )
        .map_err(c2pa_err)?;
    }

    let wrapper = sign(&mut builder, signer, path, body.as_bytes())?;
    let body = match body {
        Cow::Borrowed(b) => Cow::Borrowed(b.as_bytes()),
        Cow::Owned(b) => Cow::Owned(b.into_bytes()),
    };
    Ok(Labelled {
        body,
        wrapper,
        kept_previous_manifest: previous.is_some(),
        warnings,
        notice: applied,
        content,
    })
}

/// The text without any label wrapper. Borrowed in the two common cases —
/// no wrapper, or one at the very end (relabelling) — so a large text is
/// never copied just to drop its label.
fn without_wrappers<'a>(text: &'a str, scan: &tamga_text::Scan) -> Cow<'a, str> {
    let mut ranges: Vec<&std::ops::Range<usize>> = scan
        .wrappers
        .iter()
        .map(|w| &w.range)
        .chain(scan.corrupted.iter().map(|c| &c.range))
        .collect();
    match ranges.as_mut_slice() {
        [] => Cow::Borrowed(text),
        [only] if only.end == text.len() => {
            Cow::Borrowed(text.get(..only.start).unwrap_or_default())
        }
        _ => Cow::Owned(String::from_utf8_lossy(&tamga_text::strip(text.as_bytes())).into_owned()),
    }
}

/// Signs `body` and returns the wrapper that goes after it.
fn sign(
    builder: &mut Builder,
    signer: &dyn Signer,
    path: &Path,
    body: &[u8],
) -> Result<String, LabelError> {
    let c2pa_err = |e: c2pa::Error| LabelError::c2pa(path, &e);
    // The signed store has the placeholder's size, so the wrapper's byte
    // range — the hard binding's one exclusion — is known before signing.
    let placeholder = builder
        .data_hashed_placeholder(signer.reserve_size(), STORE_FORMAT)
        .map_err(c2pa_err)?;
    let wrapper_len = tamga_text::wrapper_len(placeholder.len());

    let mut dh = DataHash::new("jumbf manifest", "sha256");
    dh.add_exclusion(HashRange::new(body.len() as u64, wrapper_len as u64));
    // With the wrapper at the end, "everything outside the exclusion" is the body.
    dh.set_hash(Sha256::digest(body).to_vec());
    let store = builder
        .sign_data_hashed_embeddable(signer, &dh, STORE_FORMAT)
        .map_err(c2pa_err)?;
    // Should c2pa ever return a shorter store, the padding absorbs the
    // difference and the range stays exact.
    tamga_text::encode_padded_to(&store, wrapper_len).map_err(|e| LabelError::C2pa {
        path: path.into(),
        message: format!("the signed manifest does not fit its planned wrapper: {e}"),
    })
}

/// Records what the new label starts from: the previous label's manifest
/// store, or, for AI edits of an unlabelled text, the text itself.
fn add_parent(
    context: &Arc<Context>,
    builder: &mut Builder,
    title: &str,
    format: MediaFormat,
    previous: Option<&[u8]>,
    input: &[u8],
    body: &[u8],
) -> c2pa::Result<()> {
    let mut ingredient = json!({
        "title": title,
        "format": format.mime(),
        "relationship": "parentOf",
    });
    let Some(store) = previous else {
        builder.add_ingredient_from_stream(
            ingredient.to_string(),
            format.mime(),
            &mut Cursor::new(body),
        )?;
        return Ok(());
    };
    // c2pa's ingredient-from-stream cannot find a manifest inside text, so
    // the previous store is validated here, against the text it came in,
    // and its validation results go into the ingredient (C2PA 2.x requires
    // them for an ingredient that carries a manifest).
    let reader = Reader::from_shared_context(context).with_manifest_data_and_stream(
        store,
        STORE_FORMAT,
        Cursor::new(input),
    )?;
    ingredient["active_manifest"] = json!(reader.active_label());
    ingredient["validation_results"] = serde_json::to_value(reader.validation_results())?;
    let mut ingredient = Ingredient::from_json(&ingredient.to_string())?;
    ingredient.set_manifest_data(store.to_vec())?;
    builder.add_ingredient(ingredient);
    Ok(())
}

/// The error for text that is not UTF-8, naming the first bad byte.
pub(crate) fn not_utf8(path: &Path, e: &std::str::Utf8Error) -> LabelError {
    LabelError::Media(tamga_media::MediaError::NotUtf8 {
        path: path.into(),
        offset: e.valid_up_to(),
    })
}

/// The text in Normalization Form C, borrowed when it already is (the
/// common case, decided by the quick check of UAX #15).
pub(crate) fn nfc<'a>(text: &Cow<'a, str>) -> Cow<'a, str> {
    if is_nfc_fast(text) {
        return text.clone();
    }
    Cow::Owned(text.nfc().collect())
}

/// UAX #15's quick check, on all cores for large texts: it is most of the
/// time labelling a big text takes. The text is cut only before a line feed,
/// a starter that no combining sequence crosses, so the pieces' answers
/// combine exactly; "maybe" counts as "no" and leads to full normalization,
/// which is correct either way.
pub(crate) fn is_nfc_fast(text: &str) -> bool {
    const PIECE: usize = 1 << 20;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if text.len() < 2 * PIECE || threads < 2 {
        return is_nfc_quick(text.chars()) == IsNormalized::Yes;
    }
    let per = text.len().div_ceil(threads);
    let mut pieces = Vec::with_capacity(threads);
    let mut rest = text;
    while !rest.is_empty() {
        // A line feed byte never occurs inside a multi-byte character, so
        // cutting at one is always on a character boundary.
        let cut = rest
            .as_bytes()
            .get(per..)
            .and_then(|tail| memchr::memchr(b'\n', tail))
            .map_or(rest.len(), |i| per + i);
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = pieces
            .into_iter()
            .map(|p| s.spawn(move || is_nfc_quick(p.chars()) == IsNormalized::Yes))
            .collect();
        handles.into_iter().all(|h| h.join().unwrap_or(false))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_quick_check_agrees_with_the_plain_one() {
        let line = "Қазақстан — Astana, 北京, Ёлка 👩‍💻\n";
        let nfc_text = line.repeat((3 << 20) / line.len());
        assert!(is_nfc_fast(&nfc_text));
        // One decomposed letter deep in the last piece is still seen.
        let mut nfd_tail = nfc_text.clone();
        nfd_tail.push_str("и\u{306}\n");
        assert!(!is_nfc_fast(&nfd_tail));
        // A combining mark right after a cut point (a line feed) too.
        let mut mark = nfc_text.clone();
        let line_start = line.len() * (nfc_text.len() / line.len() / 2);
        mark.insert_str(line_start, "e\u{301}");
        assert!(!is_nfc_fast(&mark));
    }

    #[test]
    fn a_label_at_the_end_is_dropped_without_copying() {
        let text = format!("hello{}", tamga_text::encode(&[1, 2, 3]).unwrap());
        let scan = tamga_text::scan(text.as_bytes());
        assert!(matches!(
            without_wrappers(&text, &scan),
            Cow::Borrowed("hello")
        ));
        let twice = format!("{text}{text}");
        let scan = tamga_text::scan(twice.as_bytes());
        assert_eq!(without_wrappers(&twice, &scan), "hellohello");
    }
}
