//! What says a file is AI-made, and how much that is worth: a signed C2PA
//! manifest (any tool's) first, then IPTC XMP, then a GB 45438 `AIGC`
//! label, then the uploader's word. GB 45438's "is / may be / suspected"
//! is the certainty each gives.

use serde::{Deserialize, Serialize};
use tamga_label::{AigcSignature, FileReport, Verdict};

use crate::declarations::Declaration;

/// Where a piece of evidence was found, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// A C2PA manifest's digital source type (signed).
    C2pa,
    /// IPTC `Iptc4xmpExt:DigitalSourceType` in XMP (unsigned).
    IptcXmp,
    /// A GB 45438 Annex E `AIGC` implicit label.
    Aigc,
    /// tamga's own invisible watermark in the pixels of an unlabelled image
    /// whose label the registry could not give back (none configured, or
    /// not recorded there): a tamga AI label was made for this content and
    /// lost. Unsigned, and not a label.
    TamgaWatermark,
    /// A Stable Diffusion watermark in the pixels of an unlabelled image
    /// (invisible-watermark's dwtDct): unsigned, and not a label.
    SdWatermark,
    /// The uploader's declaration in the batch's sidecar manifest.
    Declaration,
}

/// How far a piece of evidence can be relied on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strength {
    /// Signed, intact, by a signer on the trust list.
    SignedTrusted,
    /// Signed and intact, by a signer not on the trust list.
    Signed,
    /// Signed once, but tampered with or the signature fails.
    Broken,
    /// In the file, unsigned: anyone could have written or removed it.
    Unsigned,
    /// Only someone's word, outside the file.
    Declared,
}

/// GB 45438 / Labeling Measures art. 6 certainty that content is AI-made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Certainty {
    /// It is AI-generated (a label says so).
    Is,
    /// It may be (declared, or a label says "possibly").
    MayBe,
    /// It is suspected (a label says "suspected").
    Suspected,
}

/// One signal about AI found for a file.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub strength: Strength,
    /// Whether it says AI made or changed the content.
    pub says_ai: bool,
    /// How certain, when it says AI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certainty: Option<Certainty>,
    /// The IPTC digital source type URI, for C2PA and XMP evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// What exactly was found, in words.
    pub detail: String,
    /// For a watermark read from pixels: the share of its bits that
    /// matched (1.0: all), how sure the reading is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// Whether `report` is `invalid` only because its signing certificate
/// expired and no trusted time-stamp shows it signed before that.
pub(crate) fn expired_without_timestamp(report: &FileReport) -> bool {
    report.detail == Some(tamga_label::VerdictDetail::ExpiredWithoutTimestamp)
}

/// Every signal in `report` (and the uploader's declaration), strongest
/// first.
pub fn collect(report: &FileReport, declaration: Option<&Declaration>) -> Vec<Evidence> {
    let mut out = Vec::new();
    if let Some(d) = &report.disclosure {
        let strength = match report.verdict {
            Verdict::Trusted => Strength::SignedTrusted,
            Verdict::ValidUntrusted => Strength::Signed,
            // Intact and signed; only *when* it was signed cannot be shown.
            _ if expired_without_timestamp(report) => Strength::Signed,
            _ => Strength::Broken,
        };
        let says_ai = d.is_ai();
        out.push(Evidence {
            kind: EvidenceKind::C2pa,
            strength,
            says_ai,
            certainty: says_ai.then_some(Certainty::Is),
            source_type: d.digital_source_type.clone(),
            confidence: None,
            detail: match &d.digital_source_type {
                Some(dst) => format!(
                    "C2PA {} with digital source type {}",
                    d.action.as_deref().unwrap_or("action"),
                    term(dst)
                ),
                None => "C2PA manifest without a digital source type".into(),
            },
        });
    }
    if let Some(meta) = &report.platform_metadata {
        for dst in &meta.iptc.digital_source_types {
            let says_ai = tamga_label::AiInvolvement::from_iptc(dst).is_some();
            out.push(Evidence {
                kind: EvidenceKind::IptcXmp,
                strength: Strength::Unsigned,
                says_ai,
                certainty: says_ai.then_some(Certainty::Is),
                source_type: Some(dst.clone()),
                confidence: None,
                detail: format!("XMP Iptc4xmpExt:DigitalSourceType {}", term(dst)),
            });
        }
        for a in &meta.aigc {
            let Some(label) = &a.label else {
                continue;
            };
            let certainty = match label.label.trim() {
                "1" => Some(Certainty::Is),
                "2" => Some(Certainty::MayBe),
                "3" => Some(Certainty::Suspected),
                _ => None,
            };
            out.push(Evidence {
                kind: EvidenceKind::Aigc,
                strength: match a.signature {
                    AigcSignature::Valid => Strength::Signed,
                    AigcSignature::Invalid => Strength::Broken,
                    _ => Strength::Unsigned,
                },
                says_ai: certainty.is_some(),
                certainty,
                source_type: None,
                confidence: None,
                detail: format!(
                    "GB 45438 AIGC label {} (Label {}, producer {}, ReservedCode1 {})",
                    serde_json::to_value(a.place)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    label.label,
                    if label.content_producer.is_empty() {
                        "not given"
                    } else {
                        &label.content_producer
                    },
                    match a.signature {
                        AigcSignature::Valid => "valid",
                        AigcSignature::Invalid => "INVALID",
                        AigcSignature::Absent => "absent",
                        AigcSignature::Unverifiable => "unverifiable",
                    }
                ),
            });
        }
    }
    if let Some(d) = declaration {
        out.push(Evidence {
            kind: EvidenceKind::Declaration,
            strength: Strength::Declared,
            says_ai: d.ai,
            certainty: d.ai.then_some(Certainty::MayBe),
            source_type: None,
            confidence: None,
            detail: format!(
                "the uploader declares it {}{}",
                if d.ai { "AI-made" } else { "not AI-made" },
                d.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
        });
    }
    out.sort_by_key(|e| e.kind);
    out
}

/// The evidence of tamga's own watermark in an unlabelled image whose
/// label was not recovered: suspected AI. `tamga label` embeds it only
/// into content it labels as AI-involved, but the key is public (anyone
/// with tamga can read, and so write, the mark), so it is a strong hint,
/// not a signed statement.
pub fn tamga_watermark(mark: &tamga_label::FoundWatermark) -> Evidence {
    Evidence {
        kind: EvidenceKind::TamgaWatermark,
        strength: Strength::Unsigned,
        says_ai: true,
        certainty: Some(Certainty::Suspected),
        source_type: None,
        detail: format!(
            "suspected AI (tamga watermark): payload {}, {:.1} % of its coded bits intact; \
             a tamga AI label was made for this content and is missing",
            mark.payload,
            100.0 * mark.confidence
        ),
        confidence: Some(mark.confidence),
    }
}

/// The evidence of a Stable Diffusion watermark: suspected AI, the lowest
/// certainty, because anyone can embed the open mark and a chance match,
/// though below one in a million, is not zero.
pub fn sd_watermark(mark: &tamga_watermark::SdMark) -> Evidence {
    let bits = mark.payload.bits();
    Evidence {
        kind: EvidenceKind::SdWatermark,
        strength: Strength::Unsigned,
        says_ai: true,
        certainty: Some(Certainty::Suspected),
        source_type: None,
        detail: format!(
            "suspected AI (Stable Diffusion watermark): invisible-watermark dwtDct payload {}, \
             {} of {bits} bits match ({} pipeline)",
            mark.payload.name(),
            bits as u32 - mark.bit_errors.min(bits as u32),
            match mark.pipeline {
                tamga_watermark::SdPipeline::Uint8 => "uint8",
                tamga_watermark::SdPipeline::Float => "float",
            }
        ),
        confidence: Some(mark.confidence),
    }
}

/// The last part of an IPTC URI (`trainedAlgorithmicMedia`).
fn term(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri)
}

/// The file's AI status: the most certain claim of AI, with the strongest
/// evidence making it. Unsigned or declared claims count: a distributor must
/// not publish as human-made what anyone says is AI (precaution), and a
/// signed "not AI" does not cancel them; the report shows the conflict.
pub fn ai_status(evidence: &[Evidence]) -> Option<(Certainty, EvidenceKind)> {
    evidence
        .iter()
        .filter(|e| e.says_ai && e.strength != Strength::Broken)
        .filter_map(|e| e.certainty.map(|c| (c, e.kind)))
        .min()
}

#[cfg(test)]
mod sd_tests {
    use tamga_watermark::{SdMark, SdPayload, SdPipeline};

    use crate::evidence::{self, Certainty, EvidenceKind};

    #[test]
    fn a_mark_is_suspected_ai_and_no_label() {
        let mark = SdMark {
            payload: SdPayload::Sdxl,
            pipeline: SdPipeline::Float,
            bit_errors: 1,
            confidence: 47.0 / 48.0,
        };
        let e = evidence::sd_watermark(&mark);
        assert_eq!(e.kind, EvidenceKind::SdWatermark);
        assert_eq!(e.certainty, Some(Certainty::Suspected));
        assert!(e.says_ai);
        assert!(
            e.detail
                .starts_with("suspected AI (Stable Diffusion watermark)")
                && e.detail
                    .contains("payload SDXL, 47 of 48 bits match (float pipeline)"),
            "{}",
            e.detail
        );
        // Listed after every label, before the uploader's word.
        assert!(EvidenceKind::Aigc < e.kind && e.kind < EvidenceKind::Declaration);
    }
}
