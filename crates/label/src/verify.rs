//! Verification: any file → one [`Verdict`] with reasons and the AI disclosure.

use std::{
    io::{Read, Seek, SeekFrom},
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use c2pa::{Context, Reader, ValidationState};
use tamga_keys::TrustList;

pub use crate::trust_file::TrustConfig;
use crate::{
    data_hash::HashCheck,
    explain, history, identity,
    input::{self, InputLimits, Source},
    remote::FetchManifest,
    report::{FileReport, ManifestSource, StatusCode, Verdict},
    signing_time, text_verify, watchdog, LabelError, MediaFormat,
};

/// Verification settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Trust anchors and allowed signers.
    pub trust: TrustConfig,
    /// Limits on inputs.
    pub limits: InputLimits,
    /// Watchdog base deadline per file.
    pub deadline: Duration,
    /// Treat every input as this format instead of detecting it.
    pub format: Option<MediaFormat>,
    /// Fetches remote manifest stores; `None` leaves them unfetched
    /// (verdict `remote`).
    pub remote: Option<Arc<dyn FetchManifest>>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            trust: TrustConfig::default(),
            limits: InputLimits::default(),
            deadline: Duration::from_secs(8),
            format: None,
            remote: None,
        }
    }
}

/// Verifies files; build once, share across threads.
pub struct Verifier {
    context: Arc<Context>,
    /// The same anchors as the context's, for the signers c2pa does not
    /// judge itself: those of earlier manifests in a published file's chain.
    trust_list: Option<Arc<TrustList>>,
    options: VerifyOptions,
}

impl Verifier {
    /// A verifier with the given trust configuration.
    pub fn new(options: VerifyOptions) -> Result<Self, LabelError> {
        let mut settings = c2pa::Settings::new();
        // Only the anchors the user gave count; c2pa ships none by default,
        // and nothing is fetched from the network while verifying.
        settings.trust.trust_anchors = options.trust.anchors_pem.clone();
        settings.trust.allowed_list = options.trust.allowed_pem.clone();
        // CAWG identity credentials are judged against the same lists.
        settings.cawg_trust.trust_anchors = options.trust.anchors_pem.clone();
        settings.cawg_trust.allowed_list = options.trust.allowed_pem.clone();
        settings.verify.remote_manifest_fetch = false;
        settings.verify.ocsp_fetch = false;
        let context = Context::new()
            .with_settings(settings)
            .map_err(|e| LabelError::c2pa("trust settings", &e))?;
        let trust = &options.trust;
        let trust_list = if trust.anchors_pem.is_some() || trust.allowed_pem.is_some() {
            let list = TrustList::new(trust.anchors_pem.as_deref(), trust.allowed_pem.as_deref())
                .map_err(|e| LabelError::C2pa {
                path: "trust settings".into(),
                message: e.to_string(),
            })?;
            Some(Arc::new(list))
        } else {
            None
        };
        Ok(Self {
            context: Arc::new(context),
            trust_list,
            options,
        })
    }

    /// The trust anchors and allowed signers it verifies against.
    pub fn trust_config(&self) -> &TrustConfig {
        &self.options.trust
    }

    /// Verifies one file. Errors are reserved for files that cannot be read
    /// at all (missing, empty, damaged container); everything about the
    /// label itself is in the report's verdict.
    pub fn verify(&self, path: &Path) -> Result<FileReport, LabelError> {
        Ok(self.check(path)?.0)
    }

    /// The whole manifest store as c2pa's JSON, plus the verdict.
    pub fn inspect(
        &self,
        path: &Path,
    ) -> Result<(FileReport, Option<serde_json::Value>), LabelError> {
        let (report, found) = self.check(path)?;
        let store = found.and_then(|f| serde_json::from_str(&f.reader.json()).ok());
        Ok((report, store))
    }

    /// Reads and judges one file once; the store is kept for `inspect`.
    ///
    /// The file is opened and read once: the structural check, the platform
    /// metadata and c2pa all read the same bytes (in memory for all but
    /// large files), in that order. Both
    /// readers of untrusted bytes (tamga-meta's and c2pa's) run under the
    /// watchdog, so a parser bug in either is a report, not a crash.
    fn check(&self, path: &Path) -> Result<(FileReport, Option<Found>), LabelError> {
        watchdog::guard(path, || {
            let checked = input::open(path, &self.options.limits, self.options.format)?;
            let sidecar = input::sidecar_candidates(path)
                .into_iter()
                .find(|p| p.is_file());
            self.judge(path, checked, sidecar)
        })
    }

    /// Verifies a file held in memory, such as an upload, exactly as
    /// [`Verifier::verify`] verifies one on disk, without touching the
    /// filesystem: `name` stands for it in the report and in errors (and its
    /// extension marks text, `.txt` or `.md`, as for a file). No sidecar is
    /// looked for.
    pub fn verify_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<FileReport, LabelError> {
        let path = Path::new(name);
        watchdog::guard(path, || {
            let checked =
                input::from_bytes(path, bytes, &self.options.limits, self.options.format)?;
            Ok(self.judge(path, checked, None)?.0)
        })
    }

    /// Verifies the file at `path` as [`Verifier::verify_bytes`] verifies
    /// bytes: the report and errors call it `name`, and no sidecar is
    /// looked for. For uploads too large to hold in memory.
    pub fn verify_file_as(&self, path: &Path, name: &str) -> Result<FileReport, LabelError> {
        let shown = Path::new(name);
        watchdog::guard(shown, || {
            let checked = input::open_as(path, shown, &self.options.limits, self.options.format)?;
            Ok(self.judge(shown, checked, None)?.0)
        })
    }

    /// The verdict on an opened input; `path` names it in the report.
    fn judge(
        &self,
        path: &Path,
        checked: input::Input,
        sidecar: Option<PathBuf>,
    ) -> Result<(FileReport, Option<Found>), LabelError> {
        let context = self.context.clone();
        let owned = path.to_path_buf();
        let format = checked.format;
        let sidecar_for_job = sidecar.clone();
        let deadline = watchdog::deadline_for(checked.len, self.options.deadline);
        let source = checked.source;
        let fetcher = self.options.remote.clone();
        let (read, metadata) = watchdog::run(path, deadline, move || {
            let job = Job {
                context: &context,
                path: &owned,
                format,
                fetcher: fetcher.as_deref(),
            };
            read_store(&job, sidecar_for_job.as_deref(), source)
        })?;
        let mut report = report_for(path, format, &read, self.trust());
        if report.manifest_source == Some(ManifestSource::Sidecar) {
            report.sidecar = sidecar;
        }
        report.warnings.extend(checked.warnings);
        add_platform_metadata(&mut report, &read, metadata);
        Ok((report, read.found()))
    }

    /// Verifies a text held in memory (e.g. read from a pipe). `name`
    /// stands for the text in the report and in errors.
    pub fn verify_text(
        &self,
        name: &str,
        text: &[u8],
        format: MediaFormat,
    ) -> Result<FileReport, LabelError> {
        let path = Path::new(name);
        watchdog::guard(path, || {
            input::check_text_size(path, text, &self.options.limits)?;
            let read = StoreRead::from_text(text_verify::read(&self.context, path, text)?);
            let mut report = report_for(path, format, &read, self.trust());
            let metadata = crate::platform_meta::read(format, &mut std::io::Cursor::new(text));
            add_platform_metadata(&mut report, &read, metadata);
            Ok(report)
        })
    }

    fn trust(&self) -> Option<&TrustList> {
        self.trust_list.as_deref()
    }
}

/// The report for what reading the label gave.
fn report_for(
    path: &Path,
    format: MediaFormat,
    read: &StoreRead,
    trust: Option<&TrustList>,
) -> FileReport {
    match read {
        StoreRead::None => unlabelled(path, format),
        StoreRead::Broken { code, explanation } => broken(path, format, code, explanation),
        StoreRead::Remote(url) => crate::remote_verdict::not_fetched(unlabelled(path, format), url),
        StoreRead::Found(found) => {
            let mut report = from_reader(path, format, found, trust);
            report.remote_url.clone_from(&found.remote_url);
            report
        }
    }
}

/// Puts the file's IPTC XMP and AIGC labels into the report, checking
/// AIGC signatures against the active manifest's signer.
fn add_platform_metadata(
    report: &mut FileReport,
    read: &StoreRead,
    metadata: Option<tamga_meta::Found>,
) {
    let Some(metadata) = metadata else {
        return;
    };
    let signers = match read {
        StoreRead::Found(f) => history::signature_infos(&f.reader),
        _ => Vec::new(),
    };
    let found = crate::platform_meta::judge(metadata, &signers);
    let signed = report
        .disclosure
        .as_ref()
        .and_then(|d| d.digital_source_type.as_deref());
    report.warnings.extend(found.warnings(signed));
    report.platform_metadata = Some(found);
}

/// What reading a file's label gave.
enum StoreRead {
    None,
    /// A label that cannot even be parsed (a damaged text wrapper).
    Broken {
        code: &'static str,
        explanation: String,
    },
    /// A remote label that was not fetched: its URL.
    Remote(String),
    Found(Box<Found>),
}

impl StoreRead {
    fn found(self) -> Option<Found> {
        match self {
            Self::Found(f) => Some(*f),
            _ => None,
        }
    }

    fn from_text(label: text_verify::TextLabel) -> Self {
        match label {
            text_verify::TextLabel::None => Self::None,
            text_verify::TextLabel::Broken { code, explanation } => {
                Self::Broken { code, explanation }
            }
            text_verify::TextLabel::Found {
                reader,
                check,
                diagnosis,
            } => Self::Found(Box::new(Found {
                reader: *reader,
                source: ManifestSource::Embedded,
                data_hash: Some(check),
                diagnosis,
                too_wide: None,
                remote_url: None,
            })),
        }
    }
}

/// A manifest store that was found, and how.
struct Found {
    reader: Reader,
    source: ManifestSource,
    /// Set when tamga checked the data hash itself instead of c2pa.
    data_hash: Option<HashCheck>,
    /// What broke the binding, in plain words, when tamga could tell.
    diagnosis: Option<String>,
    /// Bytes the data hash skips that are not the store (C2PA §15.12).
    too_wide: Option<crate::exclusion_check::TooWide>,
    /// Where a fetched remote store came from.
    remote_url: Option<String>,
}

impl Found {
    fn new(reader: Reader, source: ManifestSource) -> Self {
        Self {
            reader,
            source,
            data_hash: None,
            diagnosis: None,
            too_wide: None,
            remote_url: None,
        }
    }
}

/// What the watchdog job hands back: the manifest store, and the platform
/// metadata found in the file (None when there is none).
type StoreAndMetadata = (StoreRead, Option<tamga_meta::Found>);

/// What reading one file's store needs.
struct Job<'a> {
    context: &'a Arc<Context>,
    path: &'a Path,
    format: MediaFormat,
    fetcher: Option<&'a dyn FetchManifest>,
}

/// Reads the platform metadata from `file`, then the manifest store from
/// the sidecar if there is one, else from the file.
fn read_store(
    job: &Job<'_>,
    sidecar: Option<&Path>,
    mut file: Source,
) -> Result<StoreAndMetadata, LabelError> {
    let (context, path, format) = (job.context, job.path, job.format);
    if format.is_text() && sidecar.is_none() {
        // Text is read whole anyway (the wrapper is at its end and the hash
        // covers all of it); the metadata reader gets the same bytes.
        let mut text = Vec::new();
        file.rewind()
            .and_then(|()| file.read_to_end(&mut text))
            .map_err(|e| LabelError::io(path, e))?;
        let metadata = crate::platform_meta::read(format, &mut std::io::Cursor::new(&text));
        let read = StoreRead::from_text(text_verify::read(context, path, &text)?);
        return Ok((read, metadata));
    }
    let metadata = crate::platform_meta::read(format, &mut file);
    let read = read_media_store(job, sidecar, file)?;
    Ok((read, metadata))
}

/// [`read_store`] for media files.
fn read_media_store(
    job: &Job<'_>,
    sidecar: Option<&Path>,
    mut file: Source,
) -> Result<StoreRead, LabelError> {
    let (context, path, format) = (job.context, job.path, job.format);
    let found = |f| Ok(StoreRead::Found(Box::new(f)));
    file.rewind().map_err(|e| LabelError::io(path, e))?;
    if let Some(sc) = sidecar {
        let data = std::fs::read(sc).map_err(|e| LabelError::io(sc, e))?;
        let reader = Reader::from_shared_context(context)
            .with_manifest_data_and_stream(&data, format.mime(), file)
            .map_err(|e| LabelError::c2pa(sc, &e))?;
        return found(Found {
            too_wide: crate::exclusion_check::detached(&reader),
            ..Found::new(reader, ManifestSource::Sidecar)
        });
    }
    if !format.embeddable() {
        return Ok(StoreRead::None);
    }
    if matches!(format, MediaFormat::Wav | MediaFormat::Mp3) {
        if let Some(f) = read_streaming(context, path, format, &mut file)? {
            return found(f);
        }
        file.rewind().map_err(|e| LabelError::io(path, e))?;
    }
    match Reader::from_shared_context(context).with_stream(format.mime(), &mut file) {
        Ok(reader) => {
            let too_wide = crate::exclusion_check::of_reader(format, &mut file, &reader)
                .map_err(|e| LabelError::io(path, e))?;
            found(Found {
                too_wide,
                ..Found::new(reader, ManifestSource::Embedded)
            })
        }
        Err(c2pa::Error::JumbfNotFound) | Err(c2pa::Error::ProvenanceMissing) => {
            Ok(StoreRead::None)
        }
        Err(c2pa::Error::RemoteManifestUrl(url)) => match job.fetcher {
            None => Ok(StoreRead::Remote(url)),
            Some(fetcher) => {
                let reader = crate::remote_verdict::fetch_and_read(
                    context, path, format, fetcher, &url, file,
                )?;
                found(Found {
                    too_wide: crate::exclusion_check::detached(&reader),
                    remote_url: Some(url),
                    ..Found::new(reader, ManifestSource::Remote)
                })
            }
        },
        Err(e) => match damaged_label(&e) {
            Some((code, why)) => Ok(StoreRead::Broken {
                code,
                explanation: format!("{why} ({})", crate::explain::c2pa_error(&e)),
            }),
            None => Err(LabelError::c2pa(path, &e)),
        },
    }
}

/// Whether c2pa refused to read a label because the label itself is
/// damaged — then the file is not unreadable but tampered with (verdict
/// `invalid`, as c2pa's own validation would say had it got that far):
/// the C2PA failure code to report and why, in plain words. Errors about
/// the file or the system stay errors.
fn damaged_label(err: &c2pa::Error) -> Option<(&'static str, &'static str)> {
    use c2pa::Error as E;
    match err {
        // c2pa reports unparseable COSE (CBOR) as CoseTimeStampGeneration.
        E::CoseSignature
        | E::CoseTimeStampGeneration
        | E::CoseNoCerts
        | E::ClaimUnsigned
        | E::ClaimMissingSignatureBox => Some((
            "claimSignature.mismatch",
            "the label's signature is damaged and cannot be checked",
        )),
        E::ClaimDecoding(_)
        | E::ClaimMissing { .. }
        | E::ClaimInvalidContent
        | E::InvalidClaim(_)
        | E::JumbfParseError(_)
        | E::JumbfBoxNotFound
        | E::MissingDataBox
        | E::JumbfCreationError
        | E::CborError(_) => Some(("claim.malformed", "the label is damaged and cannot be read")),
        E::CoseSignatureAlgorithmNotSupported => Some((
            "algorithm.unsupported",
            "the label is signed with an algorithm C2PA does not allow, so its signature cannot be checked",
        )),
        E::PrereleaseError => Some((
            explain::PRERELEASE,
            "the label was made by a pre-release C2PA tool (before C2PA 1.0) and cannot be validated",
        )),
        E::CoseInvalidCert => Some((
            "signingCredential.invalid",
            "the signing certificate in the label is damaged or does not meet C2PA rules",
        )),
        E::AssertionMissing { .. } => Some((
            "assertion.missing",
            "a statement the label refers to is missing or was altered",
        )),
        E::AssertionDecoding(_) => Some((
            "assertion.cbor.invalid",
            "a statement in the label is damaged and cannot be read",
        )),
        _ => None,
    }
}

/// WAV and MP3 verification in constant memory (see [`crate::wav_stream`],
/// [`crate::mp3_stream`]): c2pa validates the manifest store (claim,
/// signature, certificate and trust, assertion hashes, ingredients) against
/// an empty stand-in asset, and tamga recomputes the one check that needs
/// the asset — the data hash — streaming. Anything unusual (several hard
/// bindings, other exclusions, unknown algorithm) falls back to c2pa
/// reading the whole file.
fn read_streaming(
    context: &Arc<Context>,
    path: &Path,
    format: MediaFormat,
    file: &mut Source,
) -> Result<Option<Found>, LabelError> {
    let io = |e| LabelError::io(path, e);
    // (where the store is, what the hard binding must exclude): the WAV
    // chunk's body and the whole chunk; the MP3 GEOB frame's data for both.
    let span = match format {
        MediaFormat::Wav => crate::wav_stream::find_chunk(file)
            .map_err(io)?
            .map(|(at, len)| ((at + 8, len.saturating_sub(8)), (at, len))),
        _ => crate::mp3_stream::find_store(file)
            .map_err(io)?
            .map(|store| (store, store)),
    };
    let Some(((store_at, store_len), chunk)) = span else {
        return Ok(None);
    };
    if store_len > 64 << 20 {
        return Ok(None);
    }
    let mut jumbf = vec![0u8; store_len as usize];
    file.seek(SeekFrom::Start(store_at)).map_err(io)?;
    file.read_exact(&mut jumbf).map_err(io)?;
    let Ok(reader) = Reader::from_shared_context(context).with_manifest_data_and_stream(
        &jumbf,
        format.mime(),
        std::io::Cursor::new(Vec::new()),
    ) else {
        return Ok(None);
    };
    let detailed: serde_json::Value =
        serde_json::from_str(&reader.detailed_json()).unwrap_or_default();
    let Some(active) = reader.active_label().map(str::to_string) else {
        return Ok(None);
    };
    match crate::wav_stream::check_data_hash(&detailed, &active, file, chunk).map_err(io)? {
        None => Ok(None),
        Some(check) => Ok(Some(Found {
            reader,
            source: ManifestSource::Embedded,
            data_hash: Some(check),
            diagnosis: None,
            too_wide: None,
            remote_url: None,
        })),
    }
}

fn unlabelled(path: &Path, format: MediaFormat) -> FileReport {
    FileReport {
        path: path.to_path_buf(),
        format,
        verdict: Verdict::Unlabelled,
        reason: "no C2PA label in or beside this file".into(),
        detail: None,
        time_stamp: None,
        failures: Vec::new(),
        manifest_source: None,
        remote_url: None,
        sidecar: None,
        active_manifest: None,
        signer: None,
        claim_generator: None,
        disclosure: None,
        manifests: 0,
        history: Vec::new(),
        published_by: None,
        identities: Vec::new(),
        platform_metadata: None,
        warnings: Vec::new(),
    }
}

fn from_reader(
    path: &Path,
    format: MediaFormat,
    found: &Found,
    trust: Option<&TrustList>,
) -> FileReport {
    let (reader, source) = (&found.reader, found.source);
    let mut failures = failures(reader, format);
    let history = history::chain(reader, trust);
    let identities = identity::read(reader, format);
    let verdict = match found.data_hash {
        // c2pa's state counts an identity's statuses as the claim's (an
        // unknown identity certificate would make a trusted signer look
        // unknown): judged from the claim's own codes instead.
        None if identity::has_identity_status(reader) => verdict_from(reader, &failures),
        None => {
            let verdict = match reader.validation_state() {
                ValidationState::Trusted => Verdict::Trusted,
                ValidationState::Valid => Verdict::ValidUntrusted,
                ValidationState::Invalid => Verdict::Invalid,
            };
            // Belt and braces: a verdict of "trusted" needs c2pa's explicit
            // signingCredential.trusted, never just the absence of failures.
            if verdict == Verdict::Trusted && !has_success(reader, "signingCredential.trusted") {
                Verdict::ValidUntrusted
            } else {
                verdict
            }
        }
        Some(check) => {
            // c2pa saw an empty stand-in asset, so its data-hash verdict is
            // meaningless; ours replaces it.
            failures.retain(|f| {
                f.ingredient || !(f.code == DATA_HASH_MISMATCH || f.code == DATA_HASH_MALFORMED)
            });
            let code = match check {
                HashCheck::Match => None,
                HashCheck::Mismatch => Some(DATA_HASH_MISMATCH),
                HashCheck::Misplaced => Some(DATA_HASH_MALFORMED),
            };
            if let Some(code) = code {
                // The binding failure is the headline: it goes first.
                failures.insert(
                    0,
                    StatusCode {
                        code: code.into(),
                        url: None,
                        ingredient: false,
                        explanation: found
                            .diagnosis
                            .clone()
                            .unwrap_or_else(|| explain::status_code(code, format)),
                    },
                );
            }
            verdict_from(reader, &failures)
        }
    };
    let verdict = match found.too_wide {
        Some(wide) => {
            failures.insert(0, wide.failure());
            Verdict::Invalid
        }
        None => verdict,
    };
    let active = reader.active_manifest();
    // c2pa judges the active signer; an earlier signer in the chain (the
    // producer of a published file) must be on the list too, or "trusted"
    // would vouch for content nobody on the list made. c2pa alone can miss
    // it: it drops an ingredient's "untrusted" that the publisher recorded.
    let untrusted_earlier = history
        .iter()
        .skip(1)
        .find(|l| l.trusted == Some(false))
        .map(|l| {
            l.signer
                .as_ref()
                .and_then(|s| s.organisation.clone().or(s.common_name.clone()))
                .unwrap_or_else(|| "an unnamed signer".into())
        });
    let verdict = match (verdict, &untrusted_earlier) {
        (Verdict::Trusted, Some(_)) => Verdict::ValidUntrusted,
        (v, _) => v,
    };
    // The disclosure comes from the newest manifest that states the source;
    // a publisher's says nothing about it, so the producer's shows through.
    let disclosure = history::disclosure(reader);
    let published_by = history
        .iter()
        .find(|l| l.is_publication())
        .and_then(|l| l.signer.as_ref())
        .and_then(|s| s.organisation.clone());
    let reason = match verdict {
        Verdict::Trusted if history.len() > 1 => {
            "intact, and every signer in its history is on your trust list".to_string()
        }
        Verdict::Trusted => "intact, and signed by a signer on your trust list".to_string(),
        Verdict::ValidUntrusted if untrusted_earlier.is_some() => format!(
            "intact and validly signed, but an earlier signer in its history ({}) is not on your trust list",
            untrusted_earlier.as_deref().unwrap_or_default()
        ),
        Verdict::ValidUntrusted => {
            "intact and validly signed, but the signer is not on your trust list".into()
        }
        Verdict::Invalid => failures
            .iter()
            .find(|f| f.code != "signingCredential.untrusted")
            .or(failures.first())
            .map(|f| f.explanation.clone())
            .unwrap_or_else(|| "the label failed validation".into()),
        Verdict::Unlabelled | Verdict::Remote => "no C2PA label".into(),
    };
    let mut report = FileReport {
        path: path.to_path_buf(),
        format,
        verdict,
        reason,
        detail: None,
        time_stamp: None,
        failures,
        manifest_source: Some(source),
        remote_url: None,
        sidecar: None::<PathBuf>,
        active_manifest: reader.active_label().map(str::to_string),
        signer: active.and_then(history::signer),
        claim_generator: active.and_then(history::claim_generator_name),
        disclosure,
        manifests: reader.manifests().len(),
        history,
        published_by,
        identities,
        platform_metadata: None,
        warnings: Vec::new(),
    };
    signing_time::apply(&mut report, reader, trust.is_some());
    report
}

const DATA_HASH_MISMATCH: &str = "assertion.dataHash.mismatch";
const DATA_HASH_MALFORMED: &str = "assertion.dataHash.malformed";

/// A label that is there but cannot be read: invalid, with its one code.
fn broken(path: &Path, format: MediaFormat, code: &str, explanation: &str) -> FileReport {
    let mut report = unlabelled(path, format);
    report.verdict = Verdict::Invalid;
    report.reason = explanation.to_string();
    report.manifest_source = Some(ManifestSource::Embedded);
    report.failures = vec![StatusCode {
        code: code.to_string(),
        url: None,
        ingredient: false,
        explanation: explanation.to_string(),
    }];
    report
}

/// C2PA's validation states (§15.3) from success codes and a failure list,
/// the same rules c2pa's `ValidationResults::validation_state` applies.
fn verdict_from(reader: &Reader, failures: &[StatusCode]) -> Verdict {
    let signed = has_success(reader, "claimSignature.validated")
        && has_success(reader, "claimSignature.insideValidity");
    let only_untrusted = failures
        .iter()
        .all(|f| f.code == "signingCredential.untrusted");
    if !signed || !only_untrusted {
        Verdict::Invalid
    } else if failures.is_empty() && has_success(reader, "signingCredential.trusted") {
        Verdict::Trusted
    } else {
        Verdict::ValidUntrusted
    }
}

/// Whether the active manifest's results hold `code` as a success of the
/// claim (not of an identity assertion).
fn has_success(reader: &Reader, code: &str) -> bool {
    reader
        .validation_results()
        .and_then(|r| r.active_manifest())
        .is_some_and(|a| {
            a.success()
                .iter()
                .any(|s| s.code() == code && !identity::is_identity_status(s.code(), s.url()))
        })
}

/// Every failure code c2pa reported, active manifest first, then ingredients.
fn failures(reader: &Reader, format: MediaFormat) -> Vec<StatusCode> {
    let mut out: Vec<StatusCode> = Vec::new();
    let mut push = |code: &str, url: Option<&str>, ingredient: bool| {
        // An identity's statuses are reported with the identity.
        if identity::is_identity_status(code, url) {
            return;
        }
        if out
            .iter()
            .any(|s| s.code == code && s.ingredient == ingredient)
        {
            return;
        }
        out.push(StatusCode {
            code: code.to_string(),
            url: url.map(str::to_string),
            ingredient,
            explanation: if ingredient {
                explain::ingredient_status_code(code, format)
            } else {
                explain::status_code(code, format)
            },
        });
    };
    if let Some(results) = reader.validation_results() {
        if let Some(active) = results.active_manifest() {
            for s in active.failure() {
                push(s.code(), s.url(), false);
            }
        }
        for delta in results.ingredient_deltas().into_iter().flatten() {
            for s in delta.validation_deltas().failure() {
                push(s.code(), s.url(), true);
            }
        }
    } else if let Some(statuses) = reader.validation_status() {
        for s in statuses {
            if !c2pa::validation_results::validation_codes::is_success(s.code()) {
                push(s.code(), s.url(), false);
            }
        }
    }
    out
}
