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
    signing_time, text_verify,
    verify_report::{FileReport, ManifestSource, StatusCode, Verdict},
    watchdog, LabelError, MediaFormat,
};

mod from_reader;
mod recover;
mod signer_trust;
mod store_read;

pub use recover::{Recovered, RecoveredBy};

use from_reader::*;
use recover::Subject;
use store_read::*;

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
    /// Where a file without a label is looked up (by hash, then by
    /// fingerprint); `None` looks nowhere.
    pub registry: Option<crate::SharedRegistry>,
    /// Search an unlabelled image or recording for tamga's own watermark
    /// even without a registry (with one it is always searched: the
    /// payload is a lookup key). The search costs about 0.1-0.5 s a file,
    /// so a batch gate without a registry leaves it off unless asked.
    pub find_watermarks: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            trust: TrustConfig::default(),
            limits: InputLimits::default(),
            deadline: Duration::from_secs(8),
            format: None,
            remote: None,
            registry: None,
            find_watermarks: false,
        }
    }
}

/// Verifies files; build once, share across threads.
pub struct Verifier {
    /// c2pa's settings for verdicts: its signer-trust pass off.
    context: Arc<Context>,
    /// The same with c2pa's trust pass on, for `inspect`'s store JSON.
    inspect_context: Arc<Context>,
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
        // `inspect` shows c2pa's own results, its trust codes included.
        let inspect_context = Context::new()
            .with_settings(settings.clone())
            .map_err(|e| LabelError::c2pa("trust settings", &e))?;
        // The signer's trust is judged by `trust_list`, once per distinct
        // chain (verify/signer_trust.rs); c2pa's own pass would judge every
        // chain of every file again. The time-stamp authority's trust stays
        // c2pa's.
        settings
            .set_value("verify.verify_trust", false)
            .map_err(|e| LabelError::c2pa("trust settings", &e))?;
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
            inspect_context: Arc::new(inspect_context),
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
        Ok(self.check(path, &self.context)?.0)
    }

    /// The whole manifest store as c2pa's JSON, plus the verdict.
    pub fn inspect(
        &self,
        path: &Path,
    ) -> Result<(FileReport, Option<serde_json::Value>), LabelError> {
        let (report, found) = self.check(path, &self.inspect_context)?;
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
    fn check(
        &self,
        path: &Path,
        context: &Arc<Context>,
    ) -> Result<(FileReport, Option<Found>), LabelError> {
        watchdog::guard(path, || {
            let checked = input::open(path, &self.options.limits, self.options.format)?;
            let sidecar = input::sidecar_candidates(path)
                .into_iter()
                .find(|p| p.is_file());
            let len = checked.len;
            let (mut report, found) = self.judge(context, path, checked, sidecar)?;
            self.recover(&mut report, path, || Subject::File(path.to_path_buf()), len)?;
            Ok((report, found))
        })
    }

    /// For a file the report calls unlabelled: looks for tamga's watermark
    /// in its pixels (an image format that can carry one), then looks it
    /// up in the registry, if there is one, and puts what it finds in the
    /// report. `shown` names it; `subject` gives its bytes (asked for only
    /// when there is something to do). Decoding untrusted content runs
    /// under the watchdog like the reading of labels.
    fn recover(
        &self,
        report: &mut FileReport,
        shown: &Path,
        subject: impl FnOnce() -> Subject,
        len: u64,
    ) -> Result<(), LabelError> {
        if report.verdict != Verdict::Unlabelled {
            return Ok(());
        }
        let format = report.format;
        let registry = self.options.registry.clone();
        // Stable Diffusion's mark is cheap to read and always looked for;
        // tamga's own (a search over scales, or a whole recording) only
        // with a registry or when asked.
        let search = registry.is_some() || self.options.find_watermarks;
        let markable = recover::pixel_format(format) || (search && recover::audio_format(format));
        if registry.is_none() && !markable {
            return Ok(());
        }
        let (context, trust) = (self.context.clone(), self.trust_list.clone());
        let limits = self.options.limits.decode;
        let owned = shown.to_path_buf();
        let subject = subject();
        let deadline = watchdog::deadline_for(len, self.options.deadline);
        let (mark, recovered) = watchdog::run(shown, deadline, move || {
            let marks = subject.marks(format, &limits, search);
            let found = match marks.tamga {
                Some(d) => Some(crate::FoundWatermark::from_detection(&d)),
                None if search => subject
                    .audio_mark(format, &limits)
                    .map(|d| crate::FoundWatermark::from_audio(&d)),
                None => None,
            };
            let mark = found.clone();
            let recovered = match &registry {
                Some(registry) => recover::recover(
                    &context,
                    trust.as_deref(),
                    registry,
                    &owned,
                    &subject,
                    format,
                    &limits,
                    mark.as_ref(),
                )?,
                None => None,
            };
            Ok::<_, LabelError>(((marks.sd, found), recovered))
        })?;
        (report.sd_watermark, report.watermark) = mark;
        report.recovered = recovered;
        Ok(())
    }

    /// Verifies a file held in memory, such as an upload, exactly as
    /// [`Verifier::verify`] verifies one on disk, without touching the
    /// filesystem: `name` stands for it in the report and in errors (and its
    /// extension marks text, `.txt` or `.md`, as for a file). No sidecar is
    /// looked for. With a registry, an unlabelled upload is looked up by
    /// its bytes, as a file is.
    pub fn verify_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<FileReport, LabelError> {
        let path = Path::new(name);
        watchdog::guard(path, || {
            // Kept for the lookup only when there can be one: reading the
            // label consumes the bytes.
            // A raster image is kept too, for the watermark detector.
            let search = self.options.find_watermarks;
            let markable = MediaFormat::sniff(&bytes)
                .is_some_and(|f| recover::pixel_format(f) || (search && recover::audio_format(f)));
            let kept = (self.options.registry.is_some() || markable).then(|| bytes.clone());
            let len = bytes.len() as u64;
            let checked =
                input::from_bytes(path, bytes, &self.options.limits, self.options.format)?;
            let mut report = self.judge(&self.context, path, checked, None)?.0;
            if let Some(kept) = kept {
                self.recover(&mut report, path, || Subject::Bytes(kept), len)?;
            }
            Ok(report)
        })
    }

    /// Verifies the file at `path` as [`Verifier::verify_bytes`] verifies
    /// bytes: the report and errors call it `name`, and no sidecar is
    /// looked for. For uploads too large to hold in memory.
    pub fn verify_file_as(&self, path: &Path, name: &str) -> Result<FileReport, LabelError> {
        let shown = Path::new(name);
        watchdog::guard(shown, || {
            let checked = input::open_as(path, shown, &self.options.limits, self.options.format)?;
            let len = checked.len;
            let mut report = self.judge(&self.context, shown, checked, None)?.0;
            self.recover(
                &mut report,
                shown,
                || Subject::File(path.to_path_buf()),
                len,
            )?;
            Ok(report)
        })
    }

    /// The verdict on an opened input; `path` names it in the report.
    fn judge(
        &self,
        context: &Arc<Context>,
        path: &Path,
        checked: input::Input,
        sidecar: Option<PathBuf>,
    ) -> Result<(FileReport, Option<Found>), LabelError> {
        let context = context.clone();
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
            let metadata = crate::xmp_aigc::read(format, &mut std::io::Cursor::new(text));
            add_platform_metadata(&mut report, &read, metadata);
            let len = text.len() as u64;
            self.recover(&mut report, path, || Subject::Bytes(text.to_vec()), len)?;
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
    if let StoreRead::Found(f) = read {
        report.privacy = crate::privacy::from_reader(&f.reader);
    }
    let Some(mut metadata) = metadata else {
        return;
    };
    let personal = std::mem::take(&mut metadata.personal);
    report
        .privacy
        .splice(0..0, crate::privacy::from_file(personal));
    if metadata.is_empty() {
        return;
    }
    let signers = match read {
        StoreRead::Found(f) => history::signature_infos(&f.reader),
        _ => Vec::new(),
    };
    let found = crate::xmp_aigc::judge(metadata, &signers);
    let signed = report
        .disclosure
        .as_ref()
        .and_then(|d| d.digital_source_type.as_deref());
    report.warnings.extend(found.warnings(signed));
    report.platform_metadata = Some(found);
}
