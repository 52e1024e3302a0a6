//! Finding the label of a file that arrives without one: by the file's
//! exact hash, then by the nearest content code (ISCC) in the registry,
//! and judging the stored manifest as C2PA judges a manifest from a
//! repository — signature, certificate chain and trust — with its hard
//! binding expected *not* to match a re-encoded file.

use std::io::Cursor;

use serde::Serialize;
use sha2::{Digest, Sha256};
use tamga_fingerprint::ContentCode;
use tamga_registry::{Match, MatchedBy};
use tamga_watermark::Marks;

use super::*;
use crate::{manifest_map::FoundDisclosure, verify_report::Signer, SharedRegistry};

/// Codes that say the hard binding does not match the content: expected
/// for a recovered label, whose file was transformed after signing.
const BINDING_MISMATCH: [&str; 4] = [
    "assertion.dataHash.mismatch",
    "assertion.bmffHash.mismatch",
    "assertion.boxesHash.mismatch",
    "assertion.collectionHash.mismatch",
];

/// How a label was found in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RecoveredBy {
    /// The file is, byte for byte, the file that was signed (its label was
    /// in a sidecar that went missing).
    Exact,
    /// The file's content code is within the match distance of a label's.
    Fingerprint,
    /// The file carries tamga's invisible watermark, and the registry
    /// holds a label under its payload.
    Watermark,
}

/// A label found in the registry for a file that has none.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Recovered {
    /// How it was found.
    pub how: RecoveredBy,
    /// For fingerprint matches: the content code compared (`image`,
    /// `audio`, `text`) and its Hamming distance to the stored one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// See [`Recovered::kind`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance: Option<u32>,
    /// The stored manifest's label (URN).
    pub manifest: String,
    /// The stored manifest's verdict, its hard binding set aside:
    /// `trusted`, `valid-untrusted` or `invalid`.
    pub verdict: Verdict,
    /// The content differs from what was signed (a re-encode, a resize…):
    /// the label says who made the original, not that this copy is intact.
    pub content_changed: bool,
    /// One sentence for people.
    pub reason: String,
    /// Who signed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<Signer>,
    /// What it says about AI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<FoundDisclosure>,
    /// Failure codes besides the expected binding mismatch.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<StatusCode>,
}

impl Recovered {
    /// Whether the recovered label discloses AI involvement.
    pub fn is_ai(&self) -> bool {
        self.disclosure.as_ref().is_some_and(FoundDisclosure::is_ai)
    }
}

/// What is looked up: a file, or bytes held in memory (an upload, a
/// pipe), which are never written anywhere for it.
pub(super) enum Subject {
    /// A file on disk.
    File(PathBuf),
    /// Bytes in memory.
    Bytes(Vec<u8>),
}

impl Subject {
    fn sha256(&self, shown: &Path) -> Result<Vec<u8>, LabelError> {
        match self {
            Self::File(path) => {
                let mut file = std::fs::File::open(path).map_err(|e| LabelError::io(shown, e))?;
                let mut sha = Sha256::new();
                std::io::copy(&mut file, &mut sha).map_err(|e| LabelError::io(shown, e))?;
                Ok(sha.finalize().to_vec())
            }
            Self::Bytes(bytes) => Ok(Sha256::digest(bytes).to_vec()),
        }
    }

    /// tamga's audio watermark in a recording's first minute, if there is
    /// one (and it decodes).
    pub(super) fn audio_mark(
        &self,
        format: MediaFormat,
        limits: &crate::DecodeLimits,
    ) -> Option<tamga_watermark::AudioDetection> {
        if !audio_format(format) {
            return None;
        }
        let source: Box<dyn symphonia_core::io::MediaSource> = match self {
            Self::File(path) => Box::new(std::fs::File::open(path).ok()?),
            Self::Bytes(bytes) => Box::new(Cursor::new(bytes.clone())),
        };
        tamga_watermark::audio_mark::detect_start(
            source,
            format.name(),
            limits,
            Some(crate::watermark::AUDIO_SEARCH_SECONDS),
        )
        .ok()
        .flatten()
    }

    /// The watermarks in the pixels (Stable Diffusion's, and tamga's when
    /// `tamga` is set), one decode for both; none when the format has no
    /// pixels tamga decodes or the image does not decode (a watermark is
    /// only ever an extra signal: the file's readability was judged
    /// already).
    pub(super) fn marks(
        &self,
        format: MediaFormat,
        limits: &crate::DecodeLimits,
        tamga: bool,
    ) -> Marks {
        if !pixel_format(format) {
            return Marks::default();
        }
        let read = match self {
            Self::File(path) => match std::fs::File::open(path) {
                Ok(file) => {
                    tamga_watermark::read_marks(std::io::BufReader::new(file), limits, tamga)
                }
                Err(_) => return Marks::default(),
            },
            Self::Bytes(bytes) => {
                tamga_watermark::read_marks(Cursor::new(bytes.as_slice()), limits, tamga)
            }
        };
        read.unwrap_or_default()
    }

    /// The content code, if the format has one and the content decodes
    /// (`None` otherwise: only the exact lookup can find such a file).
    fn content(&self, format: MediaFormat, limits: &crate::DecodeLimits) -> Option<ContentCode> {
        match self {
            Self::File(path) => tamga_fingerprint::content_of_file(path, format, limits)
                .ok()
                .flatten(),
            Self::Bytes(bytes) => content_of_bytes(bytes, format, limits),
        }
    }
}

/// The formats whose pixels the `image` crate decodes here (as for the
/// Image-Code): the ones watermarks are looked for in.
pub(crate) fn pixel_format(format: MediaFormat) -> bool {
    matches!(
        format,
        MediaFormat::Jpeg
            | MediaFormat::Png
            | MediaFormat::Gif
            | MediaFormat::Webp
            | MediaFormat::Tiff
            | MediaFormat::Bmp
    )
}

/// The recordings tamga's audio watermark is looked for in.
pub(crate) fn audio_format(format: MediaFormat) -> bool {
    matches!(
        format,
        MediaFormat::Wav | MediaFormat::Flac | MediaFormat::Mp3 | MediaFormat::M4a
    )
}

/// [`tamga_fingerprint::content_of_file`] for bytes in memory, format by
/// format as it does.
fn content_of_bytes(
    bytes: &[u8],
    format: MediaFormat,
    limits: &crate::DecodeLimits,
) -> Option<ContentCode> {
    match format {
        MediaFormat::Jpeg
        | MediaFormat::Png
        | MediaFormat::Gif
        | MediaFormat::Webp
        | MediaFormat::Tiff
        | MediaFormat::Bmp => tamga_fingerprint::image(Cursor::new(bytes), limits).ok(),
        MediaFormat::Wav
        | MediaFormat::Mp3
        | MediaFormat::Flac
        | MediaFormat::M4a
        | MediaFormat::Aac => {
            tamga_fingerprint::audio(Box::new(Cursor::new(bytes.to_vec())), format.name(), limits)
                .ok()
        }
        f if f.is_text() => {
            limits
                .check(tamga_media::Limit::DecodedBytes, bytes.len() as u64)
                .ok()?;
            let visible = tamga_text::strip(bytes);
            Some(tamga_fingerprint::text(std::str::from_utf8(&visible).ok()?))
        }
        _ => None,
    }
}

/// How the registry entry was found.
enum Via<'a> {
    Exact,
    Watermark,
    Fingerprint(&'a ContentCode),
}

/// Looks `subject` up in `registry` — by its exact hash, then by the
/// payload of the tamga watermark `mark` it carries, then by its nearest
/// content code; `None` when nothing matches. `shown` names it in the
/// report and in errors.
#[allow(clippy::too_many_arguments)] // each is one fact the lookup needs
pub(super) fn recover(
    context: &Arc<Context>,
    trust: Option<&TrustList>,
    registry: &SharedRegistry,
    shown: &Path,
    subject: &Subject,
    format: MediaFormat,
    limits: &crate::DecodeLimits,
    mark: Option<&crate::FoundWatermark>,
) -> Result<Option<Recovered>, LabelError> {
    let reg_err = |source| LabelError::Registry {
        path: shown.into(),
        source: Box::new(source),
    };
    let sha256 = subject.sha256(shown)?;
    let exact = registry
        .with(|r| r.by_hash(&sha256))
        .map_err(reg_err)?
        .into_iter()
        .find(|m| m.by == MatchedBy::HardHash);
    if let Some(m) = exact {
        return judge(
            context,
            trust,
            registry,
            shown,
            subject,
            format,
            &m,
            Via::Exact,
        );
    }
    if let Some(mark) = mark {
        let payload = mark.payload_bytes();
        let marked = registry
            .with(|r| r.by_binding(mark.alg, &payload))
            .map_err(reg_err)?;
        if let Some(m) = marked.first() {
            return judge(
                context,
                trust,
                registry,
                shown,
                subject,
                format,
                m,
                Via::Watermark,
            );
        }
    }
    // A featureless code (a flat image, a steady tone) is shared by
    // unrelated content: it is recorded but never matched.
    let Some(content) = subject.content(format, limits).filter(|c| !c.featureless) else {
        return Ok(None);
    };
    let nearest = registry
        .with(|r| crate::content_match::nearest(r, &content, 1))
        .map_err(reg_err)?;
    match nearest.first() {
        Some(m) => judge(
            context,
            trust,
            registry,
            shown,
            subject,
            format,
            m,
            Via::Fingerprint(&content),
        ),
        None => Ok(None),
    }
}

/// The recovered label for match `m`, its stored manifest validated.
#[allow(clippy::too_many_arguments)] // each is one fact the verdict needs
fn judge(
    context: &Arc<Context>,
    trust: Option<&TrustList>,
    registry: &SharedRegistry,
    path: &Path,
    subject: &Subject,
    format: MediaFormat,
    m: &Match,
    via: Via<'_>,
) -> Result<Option<Recovered>, LabelError> {
    let stored = registry
        .with(|r| r.manifest(&m.manifest_id))
        .map_err(|source| LabelError::Registry {
            path: path.into(),
            source: Box::new(source),
        })?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    let reader = match via {
        // The very file that was signed: its binding is checked for real.
        Via::Exact => {
            let reader = Reader::from_shared_context(context);
            match subject {
                Subject::File(file) => {
                    let file = std::fs::File::open(file).map_err(|e| LabelError::io(path, e))?;
                    reader.with_manifest_data_and_stream(&stored.store, &stored.media_type, file)
                }
                Subject::Bytes(bytes) => reader.with_manifest_data_and_stream(
                    &stored.store,
                    &stored.media_type,
                    Cursor::new(bytes.as_slice()),
                ),
            }
        }
        // A transformed copy: the store is validated on its own (against
        // no content), and its binding mismatch set aside below.
        Via::Watermark | Via::Fingerprint(_) => Reader::from_shared_context(context)
            .with_manifest_data_and_stream(
                &stored.store,
                crate::text_sign::STORE_FORMAT,
                Cursor::new(Vec::new()),
            ),
    }
    .map_err(|e| LabelError::c2pa(path, &e))?;
    let found = Found::new(reader, ManifestSource::Remote);
    let report = from_reader(path, format, &found, trust);
    let (verdict, failures, content_changed) = match via {
        Via::Exact => (report.verdict, report.failures, false),
        Via::Watermark | Via::Fingerprint(_) => {
            let rest: Vec<_> = report
                .failures
                .into_iter()
                .filter(|f| f.ingredient || !BINDING_MISMATCH.contains(&f.code.as_str()))
                .collect();
            // The signer's own trust is in the report's failures
            // (signingCredential.untrusted), which `rest` keeps.
            let trusted = !rest
                .iter()
                .any(|f| !f.ingredient && f.code == "signingCredential.untrusted");
            (verdict_from(&found.reader, &rest, trusted), rest, true)
        }
    };
    let reason = reason(verdict, content_changed, report.signer.as_ref());
    Ok(Some(Recovered {
        how: match via {
            Via::Exact => RecoveredBy::Exact,
            Via::Watermark => RecoveredBy::Watermark,
            Via::Fingerprint(_) => RecoveredBy::Fingerprint,
        },
        kind: match via {
            Via::Fingerprint(c) => Some(c.kind.name()),
            _ => None,
        },
        distance: match via {
            Via::Fingerprint(_) => Some(m.distance),
            _ => None,
        },
        manifest: stored.id,
        verdict,
        content_changed,
        reason,
        signer: report.signer,
        disclosure: report.disclosure,
        failures,
    }))
}

fn reason(verdict: Verdict, changed: bool, signer: Option<&Signer>) -> String {
    let who = signer
        .and_then(|s| s.organisation.as_deref().or(s.common_name.as_deref()))
        .unwrap_or("an unnamed signer");
    let state = match verdict {
        Verdict::Trusted => format!("validly signed by {who}, a trusted signer"),
        Verdict::ValidUntrusted => format!("validly signed by {who}, not on the trust list"),
        _ => format!("signed by {who}, but the stored label does not validate"),
    };
    if changed {
        format!("{state}; the content changed since signing (re-encoded, resized or edited)")
    } else {
        state
    }
}
