//! One labelling job, run under the watchdog: the label path (a producer
//! discloses) and the steps it shares with the publish path
//! ([`crate::publish_job`]): opening the media, the notice, the platform
//! metadata, the manifest and writing the labelled file or its sidecar.

use std::{
    fs::{File, Permissions},
    io::{Seek, SeekFrom, Write},
    path::PathBuf,
    sync::Arc,
};

use c2pa::{assertions::DataHash, Builder, Context};
use serde_json::json;
use tamga_fingerprint::ContentCode;
use tamga_media::{write_atomically, FileMode};
use tamga_notice::{AppliedNotice, NoticeOptions};

use crate::{
    input, manifest_map,
    register::Registration,
    soft_binding, text_sign, thumbnail,
    watermark::{self, AppliedWatermark, AudioMarking, Marking, WatermarkMode},
    xmp_aigc, AiDisclosure, DecodeLimits, LabelError, MediaFormat, MetadataOptions, Placement,
    ThumbnailOptions, Warning,
};

/// What a labelling job did besides writing its output.
pub(crate) struct JobDone {
    pub(crate) kept: bool,
    pub(crate) sidecar: Option<PathBuf>,
    pub(crate) warnings: Vec<Warning>,
    /// The perceivable notice added, if any.
    pub(crate) notice: Option<AppliedNotice>,
    /// Where the label was recorded, if anywhere.
    pub(crate) registered: Option<crate::Registered>,
    /// The invisible watermark put into the content, if any.
    pub(crate) watermark: Option<AppliedWatermark>,
    /// The personal data a publication took out, if it was asked to.
    pub(crate) redacted: Option<crate::Redacted>,
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
    /// Where the label is recorded, if anywhere.
    pub(crate) registry: Option<crate::SharedRegistry>,
    /// Whether the content gets tamga's invisible watermark.
    pub(crate) watermark: WatermarkMode,
    /// What the registry records about AI for this label: the producer's
    /// disclosure, or what a published file disclosed (`None`: nothing).
    pub(crate) recorded_ai: Option<crate::AiInvolvement>,
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
    /// The label the received file lost in transit, to re-attach as its
    /// parent instead of the file's own (empty) provenance.
    pub(crate) reattach: Option<crate::ReattachedLabel>,
    /// Personal data to take out of the file's own metadata.
    pub(crate) redact: Vec<crate::privacy::PrivacyKind>,
    /// Assertions of earlier manifests to redact, as JUMBF URIs.
    pub(crate) redactions: Vec<String>,
}

/// The media being labelled, between opening it and signing it.
pub(crate) struct Staged {
    /// What is signed: the input, or its copy with a notice and metadata.
    pub(crate) source: File,
    /// The input as received, once `source` is an edited copy.
    pub(crate) original: Option<File>,
    /// The input's permissions, which the labelled file gets (not the 0600
    /// of a fresh temporary file).
    pub(crate) permissions: Permissions,
    /// Whether the input already held a C2PA manifest.
    pub(crate) had_manifest: bool,
    pub(crate) warnings: Vec<Warning>,
    pub(crate) applied: Option<AppliedNotice>,
    /// The content code of `source` (the label's soft binding), once
    /// computed.
    pub(crate) content: Option<ContentCode>,
    /// The invisible watermark in `source`, if one was embedded.
    pub(crate) watermark: Option<AppliedWatermark>,
    /// A video's poster frame (JPEG) taken from the noticed copy, for the
    /// manifest's thumbnail.
    pub(crate) poster: Option<Vec<u8>>,
}

impl Job {
    pub(crate) fn run(mut self) -> Result<JobDone, LabelError> {
        match self.publish.take() {
            Some(plan) => self.run_publish(plan),
            None => self.run_label(),
        }
    }

    /// The label path: the producer's disclosure, their platform metadata.
    fn run_label(self) -> Result<JobDone, LabelError> {
        let path = self.input.as_path();
        let signer = self.signer.as_ref().as_ref();
        let unwritten = xmp_aigc::unwritten(&self.metadata, self.format, self.placement);
        if self.format.is_text() && self.placement == Placement::Embedded {
            let labels = xmp_aigc::labels(&self.metadata, &self.disclosure, signer, path)?;
            let mut done = self.run_text(&labels, None)?;
            done.warnings.splice(0..0, unwritten);
            if self.watermark == WatermarkMode::Asked {
                done.warnings.push(Warning::Note(
                    "no invisible watermark: texts cannot carry one (the label and its fingerprint still identify the text)".into(),
                ));
            }
            return Ok(done);
        }
        let mut staged = self.stage()?;
        // The metadata goes in after the notice (a re-encoded image would
        // drop it) and before signing (so the hard binding covers it). A
        // sidecar leaves the media file as it was.
        staged.warnings.extend(unwritten);
        if self.placement == Placement::Embedded {
            let labels = xmp_aigc::labels(&self.metadata, &self.disclosure, signer, path)?;
            self.embed_metadata(&mut staged, &labels)?;
        }
        // Fingerprinted last: the notice and the metadata are part of what
        // people receive and pass on.
        staged.content = soft_binding::media_code_or_warn(
            &mut staged.source,
            self.format,
            &self.limits,
            &mut staged.warnings,
        );
        let has_parent = staged.had_manifest || self.disclosure.ai.starts_from_existing_work();
        let statement = manifest_map::Statement::Disclose(&self.disclosure);
        // The badged copy lost the old manifest; the original holds it.
        let parent = staged.had_manifest;
        let builder = self.manifest(statement, has_parent, parent, &mut staged)?;
        self.write(builder, staged, has_parent)
    }

    /// Opens the input and adds the notice, if any.
    pub(crate) fn stage(&self) -> Result<Staged, LabelError> {
        let path = self.input.as_path();
        let io = |e| LabelError::io(path, e);
        let mut source = File::open(path).map_err(io)?;
        let permissions = source.metadata().map_err(io)?.permissions();
        let had_manifest = self.format.embeddable()
            && c2pa::jumbf_io::load_jumbf_from_stream(self.format.mime(), &mut source).is_ok();
        source.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut staged = Staged {
            source,
            original: None,
            permissions,
            had_manifest,
            warnings: Vec::new(),
            applied: None,
            content: None,
            watermark: None,
            poster: None,
        };
        // The watermark goes into the same decode and encode as the badge,
        // after it: one re-encode, and the mark covers the badge too. A
        // recording's content is marked in the same pass as its notice (a
        // tone or voice, itself left unmarked).
        let sound = tamga_notice::audio::supported(self.format);
        let mut audio_mark =
            (self.watermark != WatermarkMode::Off && sound).then(AudioMarking::new);
        let mut marking = match self.watermark {
            WatermarkMode::Off => None,
            _ if sound => None,
            mode => match Marking::for_format(self.format) {
                Ok(m) => Some(m),
                Err(why) => {
                    if mode == WatermarkMode::Asked {
                        staged.warnings.push(Warning::Note(why));
                    }
                    None
                }
            },
        };
        // A badge re-encodes the image, and the re-encoded pixels are what
        // gets signed; the original stays open as the parent ingredient.
        if let Some(notice) = &self.notice {
            let noticed = self.add_notice(
                &mut staged.source,
                notice,
                marking.as_mut(),
                audio_mark.as_mut(),
            )?;
            let (badged, record, note) = (noticed.file, noticed.record, noticed.note);
            staged.poster = noticed.poster;
            staged.warnings.extend(note.map(Warning::from));
            staged.applied = Some(record);
            staged.original = Some(std::mem::replace(&mut staged.source, badged));
        } else if let Some(m) = marking.as_mut() {
            if let Some((marked, note)) = self.add_watermark(&mut staged.source, m)? {
                staged.warnings.extend(note.map(Warning::from));
                staged.original = Some(std::mem::replace(&mut staged.source, marked));
            }
        } else if let Some(m) = audio_mark.as_mut() {
            match self.add_audio_watermark(&mut staged.source, m)? {
                Ok((marked, note)) => {
                    staged.warnings.extend(note.map(Warning::from));
                    staged.original = Some(std::mem::replace(&mut staged.source, marked));
                }
                Err(why) => {
                    staged.warnings.push(Warning::Note(why));
                    audio_mark = None;
                }
            }
        }
        if let Some(m) = &audio_mark {
            match m.applied() {
                Ok(applied) => staged.watermark = Some(applied),
                Err(why) => staged.warnings.push(Warning::Note(why)),
            }
        }
        if let Some(m) = &marking {
            match m.applied() {
                Ok(applied) => staged.watermark = Some(applied),
                Err(why) => staged.warnings.push(Warning::Note(why)),
            }
        }
        Ok(staged)
    }

    /// Writes `labels` into the staged media, and moves HEIF items so that
    /// c2pa's insertion keeps their EXIF/XMP in place.
    pub(crate) fn embed_metadata(
        &self,
        staged: &mut Staged,
        labels: &tamga_meta::Labels,
    ) -> Result<(), LabelError> {
        let path = self.input.as_path();
        if let Some(tagged) = xmp_aigc::apply(self.format, &mut staged.source, labels, path)? {
            let before = std::mem::replace(&mut staged.source, tagged);
            staged.original.get_or_insert(before);
        }
        let rebased =
            crate::keep_metadata::rebase_item_locations(self.format, &mut staged.source, path)?;
        if let Some(rebased) = rebased {
            let before = std::mem::replace(&mut staged.source, rebased);
            staged.original.get_or_insert(before);
        }
        Ok(())
    }

    /// The manifest to sign: `statement`, the notice's action, the input
    /// as parent ingredient when `parent` (and it was edited), and an
    /// image's thumbnail.
    pub(crate) fn manifest(
        &self,
        statement: manifest_map::Statement<'_>,
        has_parent: bool,
        parent: bool,
        staged: &mut Staged,
    ) -> Result<Builder, LabelError> {
        let path = self.input.as_path();
        let mime = self.format.mime();
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
        manifest_map::apply(&mut builder, statement, has_parent, staged.applied.as_ref())
            .map_err(|e| LabelError::c2pa(path, &e))?;
        if let Some(code) = &staged.content {
            soft_binding::add_assertion(&mut builder, code)
                .map_err(|e| LabelError::c2pa(path, &e))?;
        }
        if let Some(mark) = &staged.watermark {
            watermark::add_to_manifest(&mut builder, mark)
                .map_err(|e| LabelError::c2pa(path, &e))?;
        }
        if let (true, Some(original)) = (parent, staged.original.as_mut()) {
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
        if self.format.family() == tamga_media::Family::Video && self.thumbnail.enabled {
            // A frame of what is signed: the noticed copy's, else the
            // input's (metadata aside, the same pictures). Without ffmpeg
            // there is no thumbnail, as for formats not decoded here.
            let tools = self
                .notice
                .as_ref()
                .map(|n| n.tools.clone())
                .unwrap_or_default();
            let poster = staged.poster.clone().or_else(|| {
                crate::thumbnail::video_preview(&tools, path, self.thumbnail.long_edge)
            });
            if let Some(jpeg) = poster {
                builder
                    .set_thumbnail("image/jpeg", &mut std::io::Cursor::new(jpeg))
                    .map_err(|e| LabelError::c2pa(path, &e))?;
            }
        }
        if self.format.is_image() {
            let source = &mut staged.source;
            if let Some((fmt, bytes)) = thumbnail::make(source, self.format, &self.thumbnail) {
                builder
                    .set_thumbnail(fmt, &mut std::io::Cursor::new(bytes))
                    .map_err(|e| LabelError::c2pa(path, &e))?;
            }
            source
                .seek(SeekFrom::Start(0))
                .map_err(|e| LabelError::io(path, e))?;
        }
        Ok(builder)
    }

    /// Signs and writes the labelled file, or the untouched file and its
    /// sidecar manifest.
    pub(crate) fn write(
        &self,
        mut builder: Builder,
        staged: Staged,
        has_parent: bool,
    ) -> Result<JobDone, LabelError> {
        let path = self.input.as_path();
        let signer = self.signer.as_ref().as_ref();
        let Staged {
            mut source,
            permissions,
            had_manifest,
            warnings,
            applied,
            content,
            watermark,
            ..
        } = staged;
        let registration = self.registry.as_ref().map(|registry| Registration {
            registry,
            context: &self.context,
            path,
            format: self.format,
            content: content.as_ref(),
            watermark: watermark.map(|w| (w.alg, w.payload_bytes())),
            ai: self.recorded_ai,
        });
        let mut registered = None;
        let write =
            |to: &std::path::Path, fill: &mut dyn FnMut(&mut File) -> Result<(), LabelError>| {
                write_atomically(to, Some(&permissions), FileMode::Usual, fill)
            };
        if self.placement == Placement::Embedded {
            // WAV and MP3 are labelled streaming by tamga (c2pa holds them
            // whole); with a parent ingredient c2pa's own path keeps it.
            let streaming = match self.format {
                MediaFormat::Wav if !has_parent => Some(Streaming::Own(crate::wav_signer::label)),
                MediaFormat::Mp3 if !has_parent => Some(Streaming::Own(crate::mp3_signer::label)),
                MediaFormat::Mp4 | MediaFormat::M4a if !had_manifest => Some(Streaming::Bmff),
                _ => None,
            };
            match streaming {
                Some(how) => write(&self.output, &mut |tmp| {
                    match how {
                        Streaming::Own(label) => {
                            label(&mut builder, signer, path, &mut source, tmp)?
                        }
                        Streaming::Bmff => crate::bmff_signer::label(
                            &mut builder,
                            path,
                            self.format,
                            &mut source,
                            tmp,
                        )?,
                    }
                    if let Some(r) = &registration {
                        // tamga's own signers place the store themselves:
                        // read it back as any reader would.
                        tmp.seek(SeekFrom::Start(0))
                            .map_err(|e| LabelError::io(path, e))?;
                        let store = c2pa::jumbf_io::load_jumbf_from_stream(self.format.mime(), tmp)
                            .map_err(|e| LabelError::c2pa(path, &e))?;
                        registered = Some(r.record(store, tmp)?);
                    }
                    Ok(())
                })?,
                None => write(&self.output, &mut |tmp| {
                    let store = builder
                        .sign(signer, self.format.mime(), &mut source, tmp)
                        .map_err(|e| LabelError::c2pa(path, &e))?;
                    if let Some(r) = &registration {
                        registered = Some(r.record(store, tmp)?);
                    }
                    Ok(())
                })?,
            }
            return Ok(JobDone {
                kept: had_manifest,
                sidecar: None,
                warnings,
                notice: applied,
                registered,
                watermark,
                redacted: None,
            });
        }
        // The whole file, streaming (c2pa's hash reads 256 MB at a time).
        source
            .seek(SeekFrom::Start(0))
            .map_err(|e| LabelError::io(path, e))?;
        let hash = crate::data_hash::hash_reader(crate::data_hash::Alg::Sha256, &mut source)
            .map_err(|e| LabelError::io(path, e))?;
        let mut dh = DataHash::new("jumbf manifest", "sha256");
        dh.set_hash(hash);
        // The claim must hold the hard binding before signing; the hash
        // covers the whole file (no exclusions).
        builder
            .add_assertion(DataHash::LABEL, &dh)
            .map_err(|e| LabelError::c2pa(path, &e))?;
        let manifest = builder
            .sign_data_hashed_embeddable(signer, &dh, "application/c2pa")
            .map_err(|e| LabelError::c2pa(path, &e))?;
        // Registered before anything is written: the media file is
        // written unchanged, so `source` holds its bytes.
        if let Some(r) = &registration {
            registered = Some(r.record(manifest.clone(), &mut source)?);
        }
        if self.output != self.input {
            source
                .seek(SeekFrom::Start(0))
                .map_err(|e| LabelError::io(path, e))?;
            write(&self.output, &mut |tmp| {
                std::io::copy(&mut source, tmp)
                    .map(|_| ())
                    .map_err(|e| LabelError::io(path, e))
            })?;
        }
        let [sidecar, _] = input::sidecar_candidates(&self.output);
        write(&sidecar, &mut |tmp| {
            tmp.write_all(&manifest)
                .map_err(|e| LabelError::io(&sidecar, e))
        })?;
        Ok(JobDone {
            kept: false,
            sidecar: Some(sidecar),
            warnings,
            notice: applied,
            registered,
            watermark,
            redacted: None,
        })
    }

    /// An embedded text label. Text is read whole: the NFC check, the
    /// wrapper search and the hash all need every byte, and texts are
    /// small next to media files.
    pub(crate) fn run_text(
        &self,
        labels: &tamga_meta::Labels,
        publisher: Option<&str>,
    ) -> Result<JobDone, LabelError> {
        let path = self.input.as_path();
        let input = std::fs::read(path).map_err(|e| LabelError::io(path, e))?;
        let permissions = std::fs::metadata(path)
            .map_err(|e| LabelError::io(path, e))?
            .permissions();
        let labelled = text_sign::label(
            &self.context,
            self.signer.as_ref().as_ref(),
            &self.disclosure,
            text_sign::Additions {
                notice: self.notice.as_ref(),
                labels,
                publisher,
            },
            self.format,
            path,
            &input,
        )?;
        let mut registered = None;
        write_atomically(&self.output, Some(&permissions), FileMode::Usual, |tmp| {
            tmp.write_all(&labelled.body)
                .and_then(|_| tmp.write_all(labelled.wrapper.as_bytes()))
                .map_err(|e| LabelError::io(&self.output, e))?;
            let Some(registry) = &self.registry else {
                return Ok::<(), LabelError>(());
            };
            let r = Registration {
                registry,
                context: &self.context,
                path,
                format: self.format,
                content: Some(&labelled.content),
                watermark: None,
                ai: self.recorded_ai,
            };
            registered = Some(r.record_text(&labelled.wrapper, tmp)?);
            Ok(())
        })?;
        Ok(JobDone {
            kept: labelled.kept_previous_manifest,
            sidecar: None,
            warnings: labelled.warnings.into_iter().map(Warning::from).collect(),
            notice: labelled.notice,
            registered,
            watermark: None,
            redacted: None,
        })
    }
}

/// How a file is labelled in bounded memory.
#[derive(Clone, Copy)]
enum Streaming {
    /// tamga places the store itself (WAV, MP3).
    Own(StreamLabel),
    /// c2pa's placeholder workflow, hashed by tamga (MP4, M4A).
    Bmff,
}

/// tamga's own streaming signers' entry point (WAV, MP3).
type StreamLabel = fn(
    &mut Builder,
    &dyn c2pa::Signer,
    &std::path::Path,
    &mut File,
    &mut File,
) -> Result<(), LabelError>;
