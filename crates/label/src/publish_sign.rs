//! Publishing: a distributor's manifest on a file it received.
//!
//! The received file becomes the parent ingredient of a new manifest, signed
//! with the distributor's key, whose actions say what the distributor did:
//! `c2pa.opened`, then — when it had to add the perceivable notice —
//! `c2pa.edited` with the notice's record, then `c2pa.published`. The
//! producer's manifest, and with it the AI disclosure, stays intact inside
//! the parent, so the chain "made by X with AI → published by Y" verifies
//! end to end. Under GB 45438 the `AIGC` label is handed on with the
//! publisher's propagation fields and its `ReservedCode2`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{
    input,
    sign::{check_notice, Job, PublishPlan},
    watchdog, xmp_aigc, AiDisclosure, AiInvolvement, AppliedNotice, FileReport, LabelError,
    Labeller, MetadataOptions, NoticeOptions, Placement, Warning,
};

/// How to publish.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PublishOptions {
    /// Add this perceivable notice before stamping: the received file is AI
    /// content without one (`tamga publish --fix`).
    pub notice: Option<NoticeOptions>,
    /// Hand the received GB 45438 `AIGC` label on with the publisher's
    /// propagation fields (the `cn` policy's `aigc.propagate`).
    pub propagation: Option<Propagation>,
    /// The label the received file lost in transit, recovered from a
    /// registry: it becomes the parent ingredient, validated against the
    /// file as received (see [`crate::ReattachedLabel`]).
    pub reattach: Option<crate::ReattachedLabel>,
    /// Personal data to take out: from the file's EXIF and XMP, and from
    /// earlier manifests by C2PA redaction (see [`crate::privacy`]).
    pub redact: Vec<crate::privacy::PrivacyKind>,
}

/// The publisher's GB 45438 propagation fields.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Propagation {
    /// `ContentPropagator`; default: the signing certificate's
    /// organisation, with characters GB 45438 forbids replaced by `_`.
    pub propagator: Option<String>,
    /// `PropagateID`; default: a random 128-bit identifier per file.
    pub propagate_id: Option<String>,
}

impl Propagation {
    /// The default fields.
    pub fn new() -> Self {
        Self::default()
    }
}

/// What publishing one file did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishOutcome {
    /// The file as received (lossy where the name is not UTF-8).
    #[serde(serialize_with = "crate::path_json::lossy")]
    pub input: PathBuf,
    /// The published file written.
    #[serde(serialize_with = "crate::path_json::lossy")]
    pub output: PathBuf,
    /// Its format.
    pub format: crate::MediaFormat,
    /// The perceivable notice added, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<AppliedNotice>,
    /// The `PropagateID` written into the AIGC label, if it was handed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagate_id: Option<String>,
    /// Non-fatal notes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// The registry's label re-attached as the parent, by its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reattached: Option<String>,
    /// Where the publisher's manifest was recorded, when the labeller has
    /// a registry ([`crate::LabelOptions::registry`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered: Option<crate::Registered>,
    /// The personal data taken out, when redaction was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redacted: Option<crate::Redacted>,
}

impl Labeller {
    /// Publishes `input` (as `received`, its verification report, describes
    /// it) to `output`: the received file is the parent ingredient of a
    /// manifest signed by this labeller that records `c2pa.published`.
    /// `output` must not be the input; it is written through a temporary
    /// file beside it and renamed.
    ///
    /// Deciding *whether* a file may be published is the caller's job (the
    /// gate's); this only stamps.
    pub fn publish(
        &self,
        input: &Path,
        output: &Path,
        received: &FileReport,
        options: &PublishOptions,
    ) -> Result<PublishOutcome, LabelError> {
        if crate::sign::same_file(input, output) {
            return Err(LabelError::WouldOverwriteInput { path: input.into() });
        }
        if let Some(url) = &received.remote_url {
            // The received label is not in the file: c2pa would make the
            // file a parent ingredient without it, and the published file
            // would drop the producer's signed disclosure.
            return Err(LabelError::RemoteManifest {
                path: input.into(),
                url: url.clone(),
                message: "a remote label cannot be carried into a published file;                           ask the producer for the file with its label embedded"
                    .into(),
            });
        }
        watchdog::guard(input, || {
            self.publish_checked(input, output, received, options)
        })
    }

    /// [`Labeller::publish`] once the output is known to be another file.
    fn publish_checked(
        &self,
        input: &Path,
        output: &Path,
        received: &FileReport,
        options: &PublishOptions,
    ) -> Result<PublishOutcome, LabelError> {
        let (context, signer, label_options) = self.parts();
        let checked = input::open(input, &label_options.limits, label_options.format)?;
        if !checked.format.embeddable() {
            return Err(LabelError::NotEmbeddable {
                path: input.into(),
                format: checked.format,
            });
        }
        check_notice(options.notice.as_ref(), input, checked.format)?;
        // Refused before any work when it would take the AI disclosure.
        let redactions =
            crate::publish_redact::assertion_uris(input, &received.privacy, &options.redact)?;
        let mut warnings: Vec<Warning> = checked.warnings.into_iter().map(Warning::from).collect();
        let (labels, propagate_id) = match &options.propagation {
            Some(p) => {
                self.propagation_labels(input, checked.format, received, p, &mut warnings)?
            }
            None => (tamga_meta::Labels::default(), None),
        };
        let job = Job {
            context: context.clone(),
            signer: signer.clone(),
            thumbnail: label_options.thumbnail,
            input: input.to_path_buf(),
            output: output.to_path_buf(),
            format: checked.format,
            disclosure: self.with_organisation(&received_disclosure(received)),
            recorded_ai: received_ai(received),
            placement: Placement::Embedded,
            notice: options.notice.clone(),
            limits: label_options.limits.decode,
            metadata: MetadataOptions::default(),
            // The publisher's manifest is recorded like a producer's: a
            // copy of the published file stripped on the way leads back
            // to it, and through its parent to the producer's.
            registry: label_options.registry.clone(),
            // A distributor hands on the producer's content; marking it is
            // the producer's act.
            watermark: crate::WatermarkMode::Off,
            publish: Some(PublishPlan {
                organisation: self.organisation().to_string(),
                labels,
                reattach: options.reattach.clone(),
                redact: options.redact.clone(),
                redactions,
            }),
        };
        let deadline = watchdog::deadline_for(checked.len, label_options.deadline);
        let done = watchdog::run(input, deadline, move || job.run())?;
        warnings.extend(done.warnings);
        Ok(PublishOutcome {
            input: input.into(),
            output: output.into(),
            format: checked.format,
            notice: done.notice,
            propagate_id,
            warnings,
            reattached: options.reattach.as_ref().map(|l| l.manifest.clone()),
            registered: done.registered,
            redacted: done.redacted,
        })
    }

    /// The metadata to rewrite when handing the AIGC label on: the label
    /// with the publisher's fields, and the IPTC fields as received.
    fn propagation_labels(
        &self,
        input: &Path,
        format: crate::MediaFormat,
        received: &FileReport,
        propagation: &Propagation,
        warnings: &mut Vec<Warning>,
    ) -> Result<(tamga_meta::Labels, Option<String>), LabelError> {
        let found = received.platform_metadata.as_ref();
        let label = found.and_then(|m| m.aigc.iter().find_map(|a| a.label.as_ref()));
        let Some(label) = label else {
            warnings.push("no AIGC label to hand on: the received file carries none".into());
            return Ok((tamga_meta::Labels::default(), None));
        };
        if xmp_aigc::container(format).is_none() {
            warnings.push(
                format!("no AIGC propagation: {format} has no metadata field to carry it").into(),
            );
            return Ok((tamga_meta::Labels::default(), None));
        }
        let propagator = match &propagation.propagator {
            Some(p) => p.clone(),
            None => tamga_meta::sanitize_value(self.organisation()),
        };
        let id = propagation
            .propagate_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let (_, signer, _) = self.parts();
        let handed_on = xmp_aigc::propagated(label, &propagator, &id, signer.as_ref().as_ref())
            .map_err(|source| LabelError::Metadata {
                path: input.into(),
                source: Box::new(source),
            })?;
        let iptc = found.map(|m| m.iptc.clone()).unwrap_or_default();
        let labels = tamga_meta::Labels {
            digital_source_type: iptc.digital_source_types.first().cloned(),
            ai_system: iptc.ai_system,
            ai_system_version: iptc.ai_system_version,
            aigc: Some(handed_on),
        };
        Ok((labels, Some(id)))
    }
}

/// What the received file disclosed, as a disclosure to word a notice:
/// [`received_ai`], else "generated" (a notice is only added to content
/// the gate found to be AI-made).
fn received_disclosure(received: &FileReport) -> AiDisclosure {
    AiDisclosure::new(received_ai(received).unwrap_or(AiInvolvement::Generated))
}

/// How AI was involved, as the received file says: the signed C2PA
/// statement, else the XMP source type, else the label the registry holds
/// for it (one stripped on the way); `None` when nothing says.
fn received_ai(received: &FileReport) -> Option<AiInvolvement> {
    let from_xmp = || {
        received.platform_metadata.as_ref().and_then(|m| {
            m.iptc
                .digital_source_types
                .iter()
                .find_map(|d| AiInvolvement::from_iptc(d))
        })
    };
    let recovered = || {
        received
            .recovered
            .as_ref()
            .and_then(|r| r.disclosure.as_ref())
            .and_then(|d| d.ai)
    };
    received
        .disclosure
        .as_ref()
        .and_then(|d| d.ai)
        .or_else(from_xmp)
        .or_else(recovered)
}
