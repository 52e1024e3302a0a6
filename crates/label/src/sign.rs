//! Labelling: disclosure → signed C2PA manifest inside the file (or beside it).

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use c2pa::Context;
use serde::Serialize;
use tamga_keys::SigningIdentity;
use tamga_notice::NoticeOptions;

pub(crate) use crate::sign_job::{Job, PublishPlan};
use crate::{
    input::{self, InputLimits},
    text_sign,
    text_sign::LabelledText,
    watchdog, xmp_aigc, AiDisclosure, LabelError, MediaFormat, MetadataOptions, ThumbnailOptions,
    Warning,
};

/// How to label.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LabelOptions {
    /// The thumbnail embedded in image manifests.
    pub thumbnail: ThumbnailOptions,
    /// Limits on inputs.
    pub limits: InputLimits,
    /// Watchdog base deadline per file.
    pub deadline: Duration,
    /// RFC 3161 timestamp authority URL.
    pub tsa_url: Option<String>,
    /// The authority's token size, once measured: share one table between
    /// labellers (the server builds one per request) so the authority is
    /// probed once, not before every label. A fresh table by default.
    pub token_sizes: tamga_keys::TokenSizes,
    /// Treat every input as this format instead of detecting it (how plain
    /// text with an unusual extension is labelled).
    pub format: Option<MediaFormat>,
    /// Add a perceivable notice to the content before signing.
    pub notice: Option<NoticeOptions>,
    /// Platform metadata (IPTC XMP, GB 45438 AIGC) written before signing.
    pub metadata: MetadataOptions,
    /// Whom to trust when validating a manifest the input already carries
    /// (it becomes the parent ingredient, with its validation results
    /// recorded): a publisher's anchors for the producers it receives from.
    pub trust: crate::TrustConfig,
    /// Where each label is recorded, so a copy stripped of it can be traced
    /// back (see [`crate::SharedRegistry`]); a failed registration fails
    /// the label and writes nothing.
    pub registry: Option<crate::SharedRegistry>,
    /// Whether images get tamga's invisible watermark before signing.
    pub watermark: crate::WatermarkMode,
}

impl Default for LabelOptions {
    fn default() -> Self {
        Self {
            thumbnail: ThumbnailOptions::default(),
            limits: InputLimits::default(),
            deadline: Duration::from_secs(30),
            tsa_url: None,
            token_sizes: tamga_keys::TokenSizes::new(),
            format: None,
            notice: None,
            metadata: MetadataOptions::default(),
            trust: crate::TrustConfig::default(),
            registry: None,
            watermark: crate::WatermarkMode::Off,
        }
    }
}

/// Where the label goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Inside the file (the normal case).
    Embedded,
    /// A detached `.c2pa` manifest beside the output; the media file is copied unchanged.
    Sidecar,
}

/// What labelling one file did.
#[derive(Debug, Clone, Serialize)]
pub struct LabelOutcome {
    /// The input (lossy where the name is not UTF-8: [`crate::path_json`]).
    #[serde(serialize_with = "crate::path_json::lossy")]
    pub input: PathBuf,
    /// The labelled file written.
    #[serde(serialize_with = "crate::path_json::lossy")]
    pub output: PathBuf,
    /// The sidecar manifest written, if any.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::path_json::lossy_opt"
    )]
    pub sidecar: Option<PathBuf>,
    /// The format detected.
    pub format: MediaFormat,
    /// Whether the input already carried a manifest (now the parent ingredient).
    pub kept_previous_manifest: bool,
    /// Non-fatal notes (e.g. extension mismatch).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// Where the label was recorded, when a registry was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered: Option<crate::Registered>,
    /// The invisible watermark put into the content, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark: Option<crate::AppliedWatermark>,
}

/// Signs labels with one identity; cheap to share across threads.
pub struct Labeller {
    context: Arc<Context>,
    signer: Arc<c2pa::BoxedSigner>,
    organisation: String,
    options: LabelOptions,
}

impl Labeller {
    /// A labeller signing as `identity`.
    pub fn new(identity: &SigningIdentity, options: LabelOptions) -> Result<Self, LabelError> {
        let signer = identity.signer_sharing(options.tsa_url.clone(), &options.token_sizes)?;
        let mut settings = c2pa::Settings::new();
        // tamga makes its own thumbnails (faster, and sized on purpose).
        settings.builder.thumbnail.enabled = false;
        settings.verify.remote_manifest_fetch = false;
        settings.verify.ocsp_fetch = false;
        settings.trust.trust_anchors = options.trust.anchors_pem.clone();
        settings.trust.allowed_list = options.trust.allowed_pem.clone();
        // c2pa builds the signed file in an intermediate stream, in memory
        // up to this size (default 512 MB) and in a temporary file beyond.
        // Files past 16 MB go through a temporary file so memory stays flat.
        settings.core.backing_store_memory_threshold_in_mb = 16;
        let signer = Arc::new(signer);
        // c2pa's placeholder workflow (MP4, M4A) signs with the context's
        // signer: the same one.
        let context = Context::new()
            .with_settings(settings)
            .map_err(|e| LabelError::c2pa("settings", &e))?
            .with_signer(crate::shared_signer::SharedSigner(signer.clone()));
        Ok(Self {
            context: Arc::new(context),
            signer,
            organisation: identity.summary().organisation.clone(),
            options,
        })
    }

    /// The organisation this labeller signs for.
    pub fn organisation(&self) -> &str {
        &self.organisation
    }

    /// Labels `input`, writing the result to `output` (which may equal
    /// `input` for in-place labelling). The output is written to a temporary
    /// file beside it, synced and renamed, so a failure never leaves a
    /// partial file and never touches the input.
    pub fn label(
        &self,
        input: &Path,
        output: &Path,
        disclosure: &AiDisclosure,
        placement: Placement,
    ) -> Result<LabelOutcome, LabelError> {
        self.label_with(input, output, disclosure, placement, false)
    }

    /// Like [`Labeller::label`] for a file known to the user as `name` (an
    /// upload kept in a temporary file): an error names `name`, never the
    /// temporary path.
    pub fn label_as(
        &self,
        input: &Path,
        name: &str,
        output: &Path,
        disclosure: &AiDisclosure,
        placement: Placement,
    ) -> Result<LabelOutcome, LabelError> {
        self.label(input, output, disclosure, placement)
            .map_err(|e| e.with_name(name))
    }

    /// Like [`Labeller::label`]; `in_place` must be true for `output` to be
    /// the input itself, so a slip of `-o` never replaces an original.
    pub fn label_with(
        &self,
        input: &Path,
        output: &Path,
        disclosure: &AiDisclosure,
        placement: Placement,
        in_place: bool,
    ) -> Result<LabelOutcome, LabelError> {
        if !in_place && same_file(input, output) {
            return Err(LabelError::WouldOverwriteInput { path: input.into() });
        }
        watchdog::guard(input, || {
            self.label_checked(input, output, disclosure, placement)
        })
    }

    /// [`Labeller::label_with`] once the output is known to be allowed.
    fn label_checked(
        &self,
        input: &Path,
        output: &Path,
        disclosure: &AiDisclosure,
        placement: Placement,
    ) -> Result<LabelOutcome, LabelError> {
        let checked = input::open(input, &self.options.limits, self.options.format)?;
        self.check_notice(input, checked.format)?;
        if placement == Placement::Embedded && !checked.format.embeddable() {
            return Err(LabelError::NotEmbeddable {
                path: input.into(),
                format: checked.format,
            });
        }
        let disclosure = self.with_organisation(disclosure);
        let job = Job {
            context: self.context.clone(),
            signer: self.signer.clone(),
            thumbnail: self.options.thumbnail,
            input: input.to_path_buf(),
            output: output.to_path_buf(),
            format: checked.format,
            recorded_ai: Some(disclosure.ai),
            disclosure,
            placement,
            notice: self.options.notice.clone(),
            limits: self.options.limits.decode,
            metadata: self.options.metadata.clone(),
            registry: self.options.registry.clone(),
            watermark: self.options.watermark,
            publish: None,
        };
        let deadline = watchdog::deadline_for(checked.len, self.options.deadline);
        let done = watchdog::run(input, deadline, move || job.run())?;
        let mut warnings: Vec<Warning> = checked.warnings.into_iter().map(Warning::from).collect();
        warnings.extend(done.warnings);
        Ok(LabelOutcome {
            input: input.into(),
            output: output.into(),
            sidecar: done.sidecar,
            format: checked.format,
            kept_previous_manifest: done.kept,
            warnings,
            registered: done.registered,
            watermark: done.watermark,
        })
    }

    /// Labels a text held in memory (e.g. read from a pipe) and returns the
    /// labelled text. `name` is the manifest's title and names the text in
    /// errors; `format` is [`MediaFormat::Text`] or [`MediaFormat::Markdown`].
    pub fn label_text(
        &self,
        name: &str,
        text: &[u8],
        format: MediaFormat,
        disclosure: &AiDisclosure,
    ) -> Result<LabelledText, LabelError> {
        let path = Path::new(name);
        if !format.is_text() {
            return Err(LabelError::NotEmbeddable {
                path: path.into(),
                format,
            });
        }
        input::check_text_size(path, text, &self.options.limits)?;
        self.check_notice(path, format)?;
        let disclosure = self.with_organisation(disclosure);
        let signer = self.signer.as_ref().as_ref();
        let labels = xmp_aigc::labels(&self.options.metadata, &disclosure, signer, path)?;
        watchdog::guard(path, || {
            let labelled = text_sign::label(
                &self.context,
                signer,
                &disclosure,
                text_sign::Additions {
                    notice: self.options.notice.as_ref(),
                    labels: &labels,
                    publisher: None,
                },
                format,
                path,
                text,
            )?;
            let content = labelled.content.clone();
            let wrapper = labelled.wrapper.clone();
            let mut labelled = LabelledText::from(labelled);
            // Registered before the text is handed back: the caller
            // writes it only once it is recorded.
            if let Some(registry) = &self.options.registry {
                let r = crate::register::Registration {
                    registry,
                    context: &self.context,
                    path,
                    format,
                    content: Some(&content),
                    watermark: None,
                    ai: Some(disclosure.ai),
                };
                labelled.registered =
                    Some(r.record_text(&wrapper, &mut std::io::Cursor::new(&labelled.bytes))?);
            }
            Ok(labelled)
        })
    }

    /// Refuses a notice that cannot be applied to `format`, before any work.
    fn check_notice(&self, path: &Path, format: MediaFormat) -> Result<(), LabelError> {
        check_notice(self.options.notice.as_ref(), path, format)
    }

    /// The pieces a publication job shares with labelling.
    pub(crate) fn parts(&self) -> (&Arc<Context>, &Arc<c2pa::BoxedSigner>, &LabelOptions) {
        (&self.context, &self.signer, &self.options)
    }

    pub(crate) fn with_organisation(&self, disclosure: &AiDisclosure) -> AiDisclosure {
        let mut disclosure = disclosure.clone();
        if disclosure.organisation.is_none() {
            disclosure.organisation = Some(self.organisation.clone());
        }
        disclosure
    }
}

/// Refuses a notice that cannot be applied to `format`, before any work.
pub(crate) fn check_notice(
    notice: Option<&NoticeOptions>,
    path: &Path,
    format: MediaFormat,
) -> Result<(), LabelError> {
    let Some(n) = notice else {
        return Ok(());
    };
    n.resolve(format).map_err(|source| LabelError::Notice {
        path: path.into(),
        source,
    })?;
    // A codec library the notice needs (libheif for HEIC and AVIF) is
    // looked for now, before any work, rather than after the file was read
    // and checked.
    tamga_notice::images::load_codecs(format, n.tools.libheif.as_deref()).map_err(|source| {
        LabelError::NoticeLibrary {
            path: path.into(),
            source,
        }
    })
}

/// Whether two paths name the same existing file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
