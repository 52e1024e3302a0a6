//! The platform metadata step of labelling (IPTC XMP, the GB 45438 AIGC
//! label) and its check on verifying. The container editing lives in
//! tamga-meta; this module decides what to write, signs the AIGC label with
//! the labeller's key, and judges what a file carries.
//!
//! The metadata is written before the C2PA manifest is signed, so the
//! manifest's hard binding covers it: editing it afterwards breaks the label.

use std::{fs::File, io::Seek, path::Path};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::Serialize;
use tamga_meta::{Aigc, AigcLabel, AigcPlace, Container, Labels};

use crate::{AiDisclosure, LabelError, MediaFormat, MetadataError, Warning};

/// What platform metadata to write when labelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataOptions {
    /// Write the IPTC digital source type and AI system fields into XMP
    /// (default: on; Meta, Google and TikTok read them).
    pub xmp: bool,
    /// Write the GB 45438 `AIGC` implicit label (default: off; on under the
    /// `cn` profile).
    pub aigc: Option<AigcOptions>,
}

impl Default for MetadataOptions {
    fn default() -> Self {
        Self {
            xmp: true,
            aigc: None,
        }
    }
}

/// The producer fields of the AIGC label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AigcOptions {
    /// `ContentProducer`; default: the signing certificate's organisation,
    /// with characters GB 45438 forbids replaced by `_`.
    pub producer: Option<String>,
    /// `ProduceID`; default: a random 128-bit identifier per file.
    pub produce_id: Option<String>,
}

/// The tamga-meta container for a format, if it carries metadata (the
/// format table's `metadata`).
pub(crate) fn container(format: MediaFormat) -> Option<Container> {
    format.spec().metadata
}

/// A warning when asked-for metadata has no place to go: the user asked
/// for the AIGC label and should know when a file does not get it.
pub(crate) fn unwritten(
    options: &MetadataOptions,
    format: MediaFormat,
    placement: crate::Placement,
) -> Option<Warning> {
    options.aigc.as_ref()?;
    if placement == crate::Placement::Sidecar {
        Some(Warning::AigcNotInSidecar)
    } else if container(format).is_none() {
        Some(Warning::AigcNoField { format })
    } else {
        None
    }
}

/// What to write for `disclosure`, with the AIGC label signed by `signer`.
pub(crate) fn labels(
    options: &MetadataOptions,
    disclosure: &AiDisclosure,
    signer: &dyn c2pa::Signer,
    path: &Path,
) -> Result<Labels, LabelError> {
    let fail = |source: MetadataError| LabelError::Metadata {
        path: path.into(),
        source: Box::new(source),
    };
    let mut labels = Labels::default();
    if options.xmp {
        labels.digital_source_type = Some(disclosure.ai.iptc_uri());
        if let Some(g) = &disclosure.generator {
            labels.ai_system = Some(g.name.clone());
            labels.ai_system_version.clone_from(&g.version);
        }
    }
    if let Some(aigc) = &options.aigc {
        let producer = match &aigc.producer {
            Some(p) => p.clone(),
            None => {
                tamga_meta::sanitize_value(disclosure.organisation.as_deref().unwrap_or("tamga"))
            }
        };
        let produce_id = aigc
            .produce_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        // Every disclosure tamga signs says AI was involved: Label "1".
        let mut label =
            Aigc::first_write(AigcLabel::Is, &producer, &produce_id).map_err(|e| fail(e.into()))?;
        let signature = signer
            .sign(&label.signing_payload())
            .map_err(|e| fail(MetadataError::Sign(e)))?;
        label
            .set_reserved_code1(URL_SAFE_NO_PAD.encode(signature))
            .map_err(|e| fail(e.into()))?;
        labels.aigc = Some(label);
    }
    Ok(labels)
}

/// Writes `labels` into the media in `source`; returns the new file
/// (anonymous, deleted on drop), or None when the format carries nothing.
pub(crate) fn apply(
    format: MediaFormat,
    source: &mut File,
    labels: &Labels,
    path: &Path,
) -> Result<Option<File>, LabelError> {
    let Some(container) = container(format) else {
        return Ok(None);
    };
    if *labels == Labels::default() {
        return Ok(None);
    }
    let io = |e| LabelError::io(path, e);
    let mut out = tempfile::tempfile().map_err(io)?;
    tamga_meta::write_to(container, source, &mut out, labels).map_err(|e| match e {
        tamga_meta::MetaError::Io(e) => io(e),
        other => LabelError::Metadata {
            path: path.into(),
            source: Box::new(MetadataError::Write(other)),
        },
    })?;
    out.rewind().map_err(io)?;
    Ok(Some(out))
}

/// Platform metadata found in a file, as `tamga verify` reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformMetadata {
    /// The IPTC fields in XMP (`digitalSourceTypes`, `aiSystem`,
    /// `aiSystemVersion`).
    #[serde(flatten)]
    pub iptc: tamga_meta::IptcFields,
    /// GB 45438 `AIGC` labels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aigc: Vec<AigcReport>,
}

/// One AIGC label and what its `ReservedCode1` proves.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AigcReport {
    /// Where it is in the file.
    pub place: AigcPlace,
    /// The label's fields, when it parses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Aigc>,
    /// Why it does not parse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `ReservedCode1` checked against the certificates of the C2PA
    /// manifests in the file's history (the producer's key signs it).
    pub signature: AigcSignature,
    /// `ReservedCode2` checked against the active manifest's certificate
    /// (the last propagator, a publisher, signs it); on a first write it
    /// equals `ReservedCode1` and shares its outcome.
    pub propagation_signature: AigcSignature,
}

/// The outcome of checking `ReservedCode1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AigcSignature {
    /// Made by the key that signed the C2PA manifest, over these fields.
    Valid,
    /// It does not verify with that key: changed fields or another signer.
    Invalid,
    /// There is no `ReservedCode1`.
    Absent,
    /// There is no C2PA signer to check it against (or it is not base64).
    Unverifiable,
}

/// Reads the platform metadata in `src`: None when the format carries none
/// or the file has none. Judging it needs the C2PA signer ([`judge`]), which
/// is known only after c2pa has read the same file.
pub(crate) fn read<R: std::io::Read + Seek>(
    format: MediaFormat,
    src: &mut R,
) -> Option<tamga_meta::Found> {
    let found = tamga_meta::read_from(container(format)?, src);
    (!found.is_empty() || !found.personal.is_empty()).then_some(found)
}

/// Judges what [`read`] found. `signers` are the signature infos of the
/// file's C2PA history, newest (active) first, whose certificates check
/// `ReservedCode1` and `ReservedCode2`.
pub(crate) fn judge(
    found: tamga_meta::Found,
    signers: &[&c2pa::SignatureInfo],
) -> PlatformMetadata {
    let aigc = found
        .aigc
        .into_iter()
        .map(|f| match f.parsed {
            Ok(label) => {
                let signature =
                    check_signature(&label.reserved_code1, &label.signing_payload(), signers);
                let propagation_signature = if label.is_first_write() {
                    signature
                } else {
                    check_signature(
                        &label.reserved_code2,
                        &label.propagation_payload(),
                        signers.get(..1).unwrap_or_default(),
                    )
                };
                AigcReport {
                    place: f.place,
                    signature,
                    propagation_signature,
                    label: Some(label),
                    error: None,
                }
            }
            Err(e) => AigcReport {
                place: f.place,
                label: None,
                error: Some(e.to_string()),
                signature: AigcSignature::Unverifiable,
                propagation_signature: AigcSignature::Unverifiable,
            },
        })
        .collect();
    PlatformMetadata {
        iptc: found.iptc,
        aigc,
    }
}

/// Whether `code` (base64url) is a signature over `payload` by one of
/// `signers`. Every signer in the list was validated by c2pa as part of
/// the file's manifest store, so a key outside it cannot make a valid code.
fn check_signature(code: &str, payload: &[u8], signers: &[&c2pa::SignatureInfo]) -> AigcSignature {
    if code.is_empty() {
        return AigcSignature::Absent;
    }
    let Ok(signature) = URL_SAFE_NO_PAD.decode(code) else {
        return AigcSignature::Unverifiable;
    };
    let mut checked = false;
    for info in signers {
        let Some(alg) = info.alg else { continue };
        checked = true;
        if tamga_keys::verify_detached(info.cert_chain(), alg, payload, &signature) {
            return AigcSignature::Valid;
        }
    }
    if checked {
        AigcSignature::Invalid
    } else {
        AigcSignature::Unverifiable
    }
}

/// The AIGC label a publisher hands on: the received one with the
/// propagation fields set to `propagator` and `propagate_id` and
/// `ReservedCode2` signed by the publisher's key.
pub(crate) fn propagated(
    received: &Aigc,
    propagator: &str,
    propagate_id: &str,
    signer: &dyn c2pa::Signer,
) -> Result<Aigc, MetadataError> {
    let mut label = received.clone();
    label.propagate(propagator, propagate_id)?;
    let signature = signer
        .sign(&label.propagation_payload())
        .map_err(MetadataError::Sign)?;
    label.set_reserved_code2(URL_SAFE_NO_PAD.encode(signature))?;
    Ok(label)
}

impl PlatformMetadata {
    /// One line per signal, for terminals.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for dst in &self.iptc.digital_source_types {
            let system = match (&self.iptc.ai_system, &self.iptc.ai_system_version) {
                (Some(s), Some(v)) => format!(", AI system {s} {v}"),
                (Some(s), None) => format!(", AI system {s}"),
                _ => String::new(),
            };
            out.push(format!(
                "XMP digital source type: {}{system}",
                dst.rsplit('/').next().unwrap_or(dst)
            ));
        }
        for a in &self.aigc {
            let place = serde_json::to_value(a.place)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            out.push(match &a.label {
                Some(l) => format!(
                    "AIGC label {} ({}), producer {}, id {}, ReservedCode1 {}{} [{place}]",
                    l.label,
                    match l.kind() {
                        Some(AigcLabel::Is) => "AI-generated",
                        Some(AigcLabel::MayBe) => "may be AI-generated",
                        _ => "suspected AI-generated",
                    },
                    l.content_producer,
                    l.produce_id,
                    word(a.signature),
                    if l.is_first_write() {
                        String::new()
                    } else {
                        format!(
                            ", propagator {}, id {}, ReservedCode2 {}",
                            l.content_propagator,
                            l.propagate_id,
                            word(a.propagation_signature)
                        )
                    },
                ),
                None => format!("AIGC label unreadable [{place}]"),
            });
        }
        out
    }

    /// Warnings for a distributor: duplicate or unverifiable AIGC labels,
    /// XMP that disagrees with the signed disclosure.
    pub(crate) fn warnings(&self, signed_source_type: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        if self.aigc.len() > 1 {
            out.push(format!(
                "{} AIGC labels in the file; GB 45438 asks for exactly one",
                self.aigc.len()
            ));
        }
        for a in &self.aigc {
            match (a.signature, &a.error) {
                (_, Some(e)) => out.push(format!("unreadable AIGC label: {e}")),
                (AigcSignature::Invalid, _) => out.push(
                    "the AIGC label's ReservedCode1 does not verify with the C2PA signer's key"
                        .into(),
                ),
                _ => {}
            }
            if a.error.is_none() && a.propagation_signature == AigcSignature::Invalid {
                out.push(
                    "the AIGC label's ReservedCode2 does not verify with the publisher's C2PA key"
                        .into(),
                );
            }
        }
        if let Some(signed) = signed_source_type {
            let same = |x: &String| {
                x.trim()
                    .strip_prefix("https://")
                    .or(x.trim().strip_prefix("http://"))
                    == signed
                        .strip_prefix("https://")
                        .or(signed.strip_prefix("http://"))
            };
            if let Some(other) = self.iptc.digital_source_types.iter().find(|x| !same(x)) {
                out.push(format!(
                    "the XMP digital source type {other} differs from the signed one {signed}"
                ));
            }
        }
        out
    }
}

fn word(signature: AigcSignature) -> String {
    serde_json::to_value(signature)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Placement;

    #[test]
    fn an_aigc_label_with_no_place_to_go_is_a_typed_warning() {
        let asked = MetadataOptions {
            aigc: Some(AigcOptions::default()),
            ..MetadataOptions::default()
        };
        assert_eq!(
            unwritten(&asked, MediaFormat::Png, Placement::Sidecar),
            Some(Warning::AigcNotInSidecar)
        );
        assert_eq!(
            unwritten(&asked, MediaFormat::Text, Placement::Embedded),
            Some(Warning::AigcNoField {
                format: MediaFormat::Text
            })
        );
        assert_eq!(
            unwritten(&asked, MediaFormat::Png, Placement::Embedded),
            None
        );
        let not_asked = MetadataOptions::default();
        assert_eq!(
            unwritten(&not_asked, MediaFormat::Png, Placement::Sidecar),
            None
        );
    }
}
