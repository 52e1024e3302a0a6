//! What verification reports: serde types with a stable, versioned JSON schema
//! (documented in `docs/json-schema.md`).

use std::{fmt, path::PathBuf};

use serde::Serialize;

use crate::{manifest_map::FoundDisclosure, MediaFormat};

/// Identifies the JSON schema of [`VerifyReport`]; bump on breaking change.
pub const VERIFY_SCHEMA: &str = "tamga.verify/1";

/// The one-word answer for a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No C2PA manifest at all.
    Unlabelled,
    /// Intact, validly signed, and the signer chains to a trust anchor.
    Trusted,
    /// Intact and validly signed, but the signer is not on the trust list.
    ValidUntrusted,
    /// The manifest is broken, tampered with, or its signature fails.
    Invalid,
    /// The file's label is stored remotely (XMP `dcterms:provenance`) and
    /// was not fetched: nothing about it is verified.
    Remote,
}

impl Verdict {
    /// The word used in reports.
    pub fn word(self) -> &'static str {
        match self {
            Self::Unlabelled => "unlabelled",
            Self::Trusted => "trusted",
            Self::ValidUntrusted => "valid-untrusted",
            Self::Invalid => "invalid",
            Self::Remote => "remote",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// One C2PA validation status code, with what it means in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCode {
    /// The C2PA code, e.g. `assertion.dataHash.mismatch`.
    pub code: String,
    /// Where it applies (a JUMBF URI), when c2pa says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Whether it was found in an ingredient rather than the active manifest.
    pub ingredient: bool,
    /// A plain-language explanation.
    pub explanation: String,
}

/// Who signed the active manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// The signing certificate's organisation.
    pub organisation: Option<String>,
    /// The signing certificate's common name.
    pub common_name: Option<String>,
    /// The signature algorithm.
    pub algorithm: Option<String>,
    /// The time from the signature's time-stamp, if any; whether its
    /// authority is trusted is in [`FileReport::time_stamp`].
    pub time: Option<String>,
}

/// One manifest in a file's provenance chain: who signed it and what it
/// says was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainLink {
    /// The manifest's label (URN).
    pub manifest: String,
    /// Who signed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<Signer>,
    /// The tool that signed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_generator: Option<String>,
    /// Its C2PA actions in order, e.g. `c2pa.created`, `c2pa.published`.
    pub actions: Vec<String>,
    /// The IPTC digital source type it states, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital_source_type: Option<String>,
    /// Whether its signer is on the verifier's trust list (absent when no
    /// trust list was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted: Option<bool>,
}

impl ChainLink {
    /// Whether this manifest records a publication (`c2pa.published`).
    pub fn is_publication(&self) -> bool {
        self.actions
            .iter()
            .any(|a| a == crate::manifest_map::PUBLISHED_ACTION)
    }
}

/// Where the manifest was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ManifestSource {
    /// Inside the file.
    Embedded,
    /// In a detached `.c2pa` file beside it.
    Sidecar,
    /// Fetched from the URL the file's XMP names.
    Remote,
}

/// The verification result for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file as given (with `path_bytes` beside it when the name is
    /// not UTF-8: see [`crate::path_json`]).
    #[serde(flatten, serialize_with = "crate::path_json::fields")]
    pub path: PathBuf,
    /// The format detected from the content.
    pub format: MediaFormat,
    /// The one-word answer.
    pub verdict: Verdict,
    /// One sentence a person can act on.
    pub reason: String,
    /// Why the verdict is what it is where the codes alone would mislead
    /// (`expired-without-timestamp`); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<crate::VerdictDetail>,
    /// The RFC 3161 time-stamp in the label's signature, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_stamp: Option<crate::TimeStampInfo>,
    /// Failure status codes (empty unless `invalid`, or `valid-untrusted`'s untrusted code).
    pub failures: Vec<StatusCode>,
    /// Where the manifest was found, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_source: Option<ManifestSource>,
    /// The URL the file's XMP names for its remote manifest store, when it
    /// has one (verdict `remote` when it was not fetched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_url: Option<String>,
    /// Path of the sidecar manifest used, if any.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::path_json::lossy_opt"
    )]
    pub sidecar: Option<PathBuf>,
    /// Label of the active manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_manifest: Option<String>,
    /// Who signed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<Signer>,
    /// The claim generator (the tool that signed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_generator: Option<String>,
    /// What it says about AI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<FoundDisclosure>,
    /// How many manifests the store holds (history).
    pub manifests: usize,
    /// The provenance chain, newest first: the active manifest, then its
    /// parent ingredient's manifest, and so on (a published file: the
    /// publisher, then the producer).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<ChainLink>,
    /// The organisation of the newest manifest that records
    /// `c2pa.published`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_by: Option<String>,
    /// The CAWG identity assertions of the active manifest: who vouches
    /// for the content besides the signer, and whether that holds. Their
    /// status does not change the verdict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<crate::identity::Identity>,
    /// Platform metadata outside C2PA (IPTC XMP, GB 45438 AIGC): unsigned
    /// evidence, except that an intact C2PA binding covers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_metadata: Option<crate::PlatformMetadata>,
    /// Things worth knowing that do not change the verdict (e.g. extension mismatch).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// For a file without a label: the label a registry holds for its
    /// content, when one was found. The verdict stays `unlabelled`: the
    /// file itself carries nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovered: Option<crate::Recovered>,
    /// tamga's invisible watermark, when an unlabelled image carries one:
    /// a tamga label was made for this content and lost on the way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark: Option<FoundWatermark>,
    /// The open Stable Diffusion watermark, when an unlabelled image
    /// carries one ([`tamga_watermark::sd_dwtdct`]): suspected AI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd_watermark: Option<tamga_watermark::SdMark>,
    /// What in the file could identify a person: its own EXIF and XMP,
    /// and what its manifests hold (see [`crate::privacy`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub privacy: Vec<crate::privacy::PrivacyItem>,
}

/// tamga's invisible watermark found in a file's pixels.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FoundWatermark {
    /// The soft-binding algorithm ([`crate::IMAGE_MARK_ALG`] or
    /// [`crate::AUDIO_MARK_ALG`]).
    pub alg: &'static str,
    /// The payload in hexadecimal (48 bits in images, 32 in audio): the
    /// key the registry holds the label under.
    pub payload: String,
    /// Share of the coded bits that arrived right (1 = untouched); the
    /// rest were corrected.
    pub confidence: f64,
    /// Images: the scale against the one marked (0.5: halved).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// An upper bound on the chance that an unmarked image shows a mark at
    /// all, by the detector's construction.
    pub false_match_bound: f64,
}

impl FoundWatermark {
    /// The report of a detection.
    pub fn from_detection(d: &tamga_watermark::tamga_mark::Detection) -> Self {
        use tamga_watermark::tamga_mark::code::CODED_BITS;
        Self {
            alg: crate::IMAGE_MARK_ALG,
            payload: format!("{:012x}", d.payload),
            confidence: round3(1.0 - d.code_errors as f64 / CODED_BITS as f64),
            scale: Some(round3(f64::from(d.scale))),
            false_match_bound: tamga_watermark::tamga_mark::Detection::false_positive_bound(),
        }
    }

    /// The report of an audio detection.
    pub fn from_audio(d: &tamga_watermark::AudioDetection) -> Self {
        Self {
            alg: crate::AUDIO_MARK_ALG,
            payload: format!("{:08x}", d.payload.0),
            confidence: round3(1.0 - f64::from(d.symbol_errors) / f64::from(d.symbols.max(1))),
            scale: None,
            false_match_bound: tamga_watermark::audio_mark::false_positive_bound(),
        }
    }

    /// The payload's bytes, as the registry holds them.
    pub(crate) fn payload_bytes(&self) -> Vec<u8> {
        (0..self.payload.len() / 2)
            .filter_map(|i| u8::from_str_radix(self.payload.get(2 * i..2 * i + 2)?, 16).ok())
            .collect()
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// One entry of a [`VerifyReport`]: a verdict, or why the file could not be
/// checked at all.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum VerifyEntry {
    /// The file was read and judged.
    Checked(Box<FileReport>),
    /// The file could not be checked.
    Error {
        /// The file as given (see [`crate::path_json`]).
        #[serde(flatten, serialize_with = "crate::path_json::fields")]
        path: PathBuf,
        /// Always `"error"`.
        verdict: &'static str,
        /// The error's kind ([`crate::LabelError::kind`] or `io`).
        kind: &'static str,
        /// The one-line reason.
        error: String,
    },
}

impl VerifyEntry {
    /// The entry for a verification's result.
    pub fn from_result(path: PathBuf, result: Result<FileReport, crate::LabelError>) -> Self {
        match result {
            Ok(r) => Self::Checked(Box::new(r)),
            Err(e) => Self::error(path, e.kind(), e.to_string()),
        }
    }

    /// An error entry.
    pub fn error(path: PathBuf, kind: &'static str, error: String) -> Self {
        Self::Error {
            path,
            verdict: "error",
            kind,
            error,
        }
    }
}

/// How many files got each verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifySummary {
    /// Files in the report.
    pub files: usize,
    /// `trusted` verdicts.
    pub trusted: usize,
    /// `valid-untrusted` verdicts.
    pub valid_untrusted: usize,
    /// `invalid` verdicts.
    pub invalid: usize,
    /// `unlabelled` verdicts.
    pub unlabelled: usize,
    /// `remote` verdicts (a remote label that was not fetched).
    pub remote: usize,
    /// Files that could not be checked.
    pub errors: usize,
}

impl VerifySummary {
    /// The counts over `entries`.
    pub fn of(entries: &[VerifyEntry]) -> Self {
        let mut s = Self {
            files: entries.len(),
            ..Self::default()
        };
        for e in entries {
            match e {
                VerifyEntry::Error { .. } => s.errors += 1,
                VerifyEntry::Checked(r) => match r.verdict {
                    Verdict::Trusted => s.trusted += 1,
                    Verdict::ValidUntrusted => s.valid_untrusted += 1,
                    Verdict::Invalid => s.invalid += 1,
                    Verdict::Unlabelled => s.unlabelled += 1,
                    Verdict::Remote => s.remote += 1,
                },
            }
        }
        s
    }
}

/// The `tamga.verify/1` document: what `tamga verify --json` prints and
/// `POST /v1/verify` answers, from this one type so the two never drift.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Always [`VERIFY_SCHEMA`].
    pub schema: &'static str,
    /// One entry per file, in input order.
    pub files: Vec<VerifyEntry>,
    /// The counts.
    pub summary: VerifySummary,
}

impl VerifyReport {
    /// The report over `files`, with its summary.
    pub fn new(files: Vec<VerifyEntry>) -> Self {
        let summary = VerifySummary::of(&files);
        Self {
            schema: VERIFY_SCHEMA,
            files,
            summary,
        }
    }
}
