//! Labelling: disclosure → signed C2PA manifest inside the file (or beside it).

use std::{
    fs::File,
    io::{Seek, SeekFrom, Write},
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use c2pa::{assertions::DataHash, Builder, Context};
use serde::Serialize;
use serde_json::json;
use tamga_keys::SigningIdentity;
use tamga_media::{write_atomically, FileMode};
use tamga_notice::{AppliedNotice, NoticeOptions};

use crate::{
    input::{self, InputLimits},
    manifest_map, platform_meta, text_sign,
    text_sign::LabelledText,
    thumbnail, watchdog, AiDisclosure, DecodeLimits, LabelError, MediaFormat, MetadataOptions,
    ThumbnailOptions,
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
    pub warnings: Vec<String>,
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
        let context = Context::new()
            .with_settings(settings)
            .map_err(|e| LabelError::c2pa("settings", &e))?;
        Ok(Self {
            context: Arc::new(context),
            signer: Arc::new(signer),
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
            disclosure,
            placement,
            notice: self.options.notice.clone(),
            limits: self.options.limits.decode,
            metadata: self.options.metadata.clone(),
            publish: None,
        };
        let deadline = watchdog::deadline_for(checked.len, self.options.deadline);
        let done = watchdog::run(input, deadline, move || job.run())?;
        let mut warnings = checked.warnings;
        warnings.extend(done.warnings);
        Ok(LabelOutcome {
            input: input.into(),
            output: output.into(),
            sidecar: done.sidecar,
            format: checked.format,
            kept_previous_manifest: done.kept,
            warnings,
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
        let labels = platform_meta::labels(&self.options.metadata, &disclosure, signer, path)?;
        watchdog::guard(path, || {
            text_sign::label(
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
            )
            .map(Into::into)
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

/// What a labelling job did besides writing its output.
pub(crate) struct JobDone {
    pub(crate) kept: bool,
    pub(crate) sidecar: Option<PathBuf>,
    pub(crate) warnings: Vec<String>,
    /// The perceivable notice added, if any.
    pub(crate) notice: Option<AppliedNotice>,
}

/// Everything one labelling needs, owned, so it can run under the watchdog.
pub(crate) struct Job {
    pub(crate) context: Arc<Context>,
    pub(crate) signer: Arc<c2pa::BoxedSigner>,
    pub(crate) thumbnail: ThumbnailOptions,
    pub(crate) input: PathBuf,
    pub(crate) output: PathBuf,
    pub(crate) format: MediaFormat,
    /// The producer's disclosure; when publishing, what the received file
    /// disclosed (it words a notice the publisher adds).
    pub(crate) disclosure: AiDisclosure,
    pub(crate) placement: Placement,
    pub(crate) notice: Option<NoticeOptions>,
    /// What decoding the content for the notice may cost.
    pub(crate) limits: DecodeLimits,
    pub(crate) metadata: MetadataOptions,
    /// Set when a distributor publishes the input rather than a producer
    /// labelling it.
    pub(crate) publish: Option<PublishPlan>,
}

/// How a publication differs from labelling.
pub(crate) struct PublishPlan {
    /// Who publishes (the `c2pa.published` action names them).
    pub(crate) organisation: String,
    /// The platform metadata to write instead of the producer's: the
    /// received AIGC label handed on to the publisher, and the IPTC fields
    /// as received (rewriting XMP replaces all of tamga's properties).
    /// Empty when nothing is to change.
    pub(crate) labels: tamga_meta::Labels,
}

impl Job {
    pub(crate) fn run(self) -> Result<JobDone, LabelError> {
        if self.format.is_text() && self.placement == Placement::Embedded {
            return self.run_text();
        }
        let path = self.input.as_path();
        let mime = self.format.mime();
        let mut source = File::open(path).map_err(|e| LabelError::io(path, e))?;
        // The labelled file gets the input's permissions, not the 0600 of a
        // fresh temporary file.
        let permissions = source
            .metadata()
            .map_err(|e| LabelError::io(path, e))?
            .permissions();
        let had_manifest = self.format.embeddable()
            && c2pa::jumbf_io::load_jumbf_from_stream(mime, &mut source).is_ok();
        source
            .seek(SeekFrom::Start(0))
            .map_err(|e| LabelError::io(path, e))?;
        // A badge re-encodes the image, and the re-encoded pixels are what
        // gets signed; the original stays open as the parent ingredient.
        let mut warnings = Vec::new();
        let mut applied = None;
        let mut original = None;
        if let Some(notice) = &self.notice {
            let (badged, record, note) = self.add_notice(&mut source, notice)?;
            warnings.extend(note);
            applied = Some(record);
            original = Some(std::mem::replace(&mut source, badged));
        }
        // The metadata goes in after the notice (a re-encoded image would
        // drop it) and before signing (so the hard binding covers it). A
        // sidecar leaves the media file as it was.
        if self.publish.is_none() {
            warnings.extend(platform_meta::unwritten(
                &self.metadata,
                self.format,
                self.placement,
            ));
        }
        if self.placement == Placement::Embedded {
            let signer = self.signer.as_ref().as_ref();
            let labels = match &self.publish {
                Some(plan) => plan.labels.clone(),
                None => platform_meta::labels(&self.metadata, &self.disclosure, signer, path)?,
            };
            if let Some(tagged) = platform_meta::apply(self.format, &mut source, &labels, path)? {
                let before = std::mem::replace(&mut source, tagged);
                original.get_or_insert(before);
            }
            // So that c2pa's insertion keeps HEIF EXIF/XMP items in place.
            let rebased =
                crate::keep_metadata::rebase_item_locations(self.format, &mut source, path)?;
            if let Some(rebased) = rebased {
                let before = std::mem::replace(&mut source, rebased);
                original.get_or_insert(before);
            }
        }

        let title = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut builder = Builder::from_shared_context(&self.context)
            .with_definition(json!({
                "title": title,
                "format": mime,
                "claim_generator_info": [manifest_map::claim_generator()],
            }))
            .map_err(|e| LabelError::c2pa(path, &e))?;
        let statement = match &self.publish {
            Some(plan) => manifest_map::Statement::Publish {
                organisation: &plan.organisation,
            },
            None => manifest_map::Statement::Disclose(&self.disclosure),
        };
        let publishing = self.publish.is_some();
        let has_parent =
            had_manifest || publishing || self.disclosure.ai.starts_from_existing_work();
        manifest_map::apply(&mut builder, statement, has_parent, applied.as_ref())
            .map_err(|e| LabelError::c2pa(path, &e))?;
        if let (true, Some(original)) = (had_manifest || publishing, original.as_mut()) {
            // The badged copy lost the old manifest; the original holds it.
            // A publisher's parent is always the file as received.
            original
                .seek(SeekFrom::Start(0))
                .map_err(|e| LabelError::io(path, e))?;
            builder
                .add_ingredient_from_stream(
                    json!({ "title": title, "relationship": "parentOf" }).to_string(),
                    mime,
                    original,
                )
                .map_err(|e| LabelError::c2pa(path, &e))?;
        }
        if self.format.is_image() {
            if let Some((fmt, bytes)) = thumbnail::make(&mut source, self.format, &self.thumbnail) {
                builder
                    .set_thumbnail(fmt, &mut std::io::Cursor::new(bytes))
                    .map_err(|e| LabelError::c2pa(path, &e))?;
            }
            source
                .seek(SeekFrom::Start(0))
                .map_err(|e| LabelError::io(path, e))?;
        }

        match self.placement {
            // WAV and MP3 are labelled streaming by tamga (c2pa holds them
            // whole); with a parent ingredient c2pa's own path keeps it.
            Placement::Embedded
                if matches!(self.format, MediaFormat::Wav | MediaFormat::Mp3) && !has_parent =>
            {
                let label = match self.format {
                    MediaFormat::Wav => crate::wav_stream::label,
                    _ => crate::mp3_stream::label,
                };
                write_atomically(&self.output, Some(&permissions), FileMode::Usual, |tmp| {
                    label(
                        &mut builder,
                        self.signer.as_ref().as_ref(),
                        path,
                        &mut source,
                        tmp,
                    )
                })?;
                Ok(JobDone {
                    kept: had_manifest,
                    sidecar: None,
                    warnings,
                    notice: applied,
                })
            }
            Placement::Embedded => {
                write_atomically(&self.output, Some(&permissions), FileMode::Usual, |tmp| {
                    builder
                        .sign(self.signer.as_ref().as_ref(), mime, &mut source, tmp)
                        .map(|_| ())
                        .map_err(|e| LabelError::c2pa(path, &e))
                })?;
                Ok(JobDone {
                    kept: had_manifest,
                    sidecar: None,
                    warnings,
                    notice: applied,
                })
            }
            Placement::Sidecar => {
                let hash = c2pa::hash_stream_by_alg("sha256", &mut source, None, true)
                    .map_err(|e| LabelError::c2pa(path, &e))?;
                let mut dh = DataHash::new("jumbf manifest", "sha256");
                dh.set_hash(hash);
                // The claim must hold the hard binding before signing; the
                // hash covers the whole file (no exclusions).
                builder
                    .add_assertion(DataHash::LABEL, &dh)
                    .map_err(|e| LabelError::c2pa(path, &e))?;
                let manifest = builder
                    .sign_data_hashed_embeddable(
                        self.signer.as_ref().as_ref(),
                        &dh,
                        "application/c2pa",
                    )
                    .map_err(|e| LabelError::c2pa(path, &e))?;
                if self.output != self.input {
                    source
                        .seek(SeekFrom::Start(0))
                        .map_err(|e| LabelError::io(path, e))?;
                    write_atomically(&self.output, Some(&permissions), FileMode::Usual, |tmp| {
                        std::io::copy(&mut source, tmp)
                            .map(|_| ())
                            .map_err(|e| LabelError::io(path, e))
                    })?;
                }
                let [sidecar, _] = input::sidecar_candidates(&self.output);
                write_atomically(&sidecar, Some(&permissions), FileMode::Usual, |tmp| {
                    tmp.write_all(&manifest)
                        .map_err(|e| LabelError::io(&sidecar, e))
                })?;
                Ok(JobDone {
                    kept: false,
                    sidecar: Some(sidecar),
                    warnings,
                    notice: applied,
                })
            }
        }
    }
}

impl Job {
    /// Text is read whole: the NFC check, the wrapper search and the hash
    /// all need every byte, and texts are small next to media files.
    fn run_text(self) -> Result<JobDone, LabelError> {
        let path = self.input.as_path();
        let input = std::fs::read(path).map_err(|e| LabelError::io(path, e))?;
        let permissions = std::fs::metadata(path)
            .map_err(|e| LabelError::io(path, e))?
            .permissions();
        let signer = self.signer.as_ref().as_ref();
        let labels = match &self.publish {
            Some(plan) => plan.labels.clone(),
            None => platform_meta::labels(&self.metadata, &self.disclosure, signer, path)?,
        };
        let labelled = text_sign::label(
            &self.context,
            signer,
            &self.disclosure,
            text_sign::Additions {
                notice: self.notice.as_ref(),
                labels: &labels,
                publisher: self.publish.as_ref().map(|p| p.organisation.as_str()),
            },
            self.format,
            path,
            &input,
        )?;
        write_atomically(&self.output, Some(&permissions), FileMode::Usual, |tmp| {
            tmp.write_all(&labelled.body)
                .and_then(|_| tmp.write_all(labelled.wrapper.as_bytes()))
                .map_err(|e| LabelError::io(&self.output, e))
        })?;
        let unwritten = match self.publish {
            Some(_) => None,
            None => platform_meta::unwritten(&self.metadata, self.format, self.placement),
        };
        Ok(JobDone {
            kept: labelled.kept_previous_manifest,
            sidecar: None,
            warnings: unwritten.into_iter().chain(labelled.warnings).collect(),
            notice: labelled.notice,
        })
    }
}

/// Whether two paths name the same existing file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
