use std::path::PathBuf;

use crate::MediaFormat;

/// Why labelling or verifying a file failed (as opposed to a file that
/// verified and turned out invalid, which is a [`crate::Verdict`]).
///
/// Every variant names the file, so one line tells the user what happened.
/// Advice on what to do (which option to use) is the caller's, keyed by
/// [`LabelError::kind`]: a library does not know the caller's flags.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LabelError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("{path}: the file is empty")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The content is not a media format tamga knows.
    #[error("{path}: unrecognised content (not an image, audio or text format tamga supports)")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// C2PA cannot embed a manifest in this format.
    #[error("{path}: C2PA cannot embed a label inside {format} files")]
    NotEmbeddable {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: MediaFormat,
    },
    /// The requested perceivable notice cannot be applied to this file.
    #[error("{path}: {source}")]
    Notice {
        /// The file.
        path: PathBuf,
        /// Why, by cause.
        source: tamga_notice::NoticeError,
    },
    /// The notice needs a codec library this machine lacks (libheif, for
    /// HEIC and AVIF badges). Labelling without a notice still works.
    #[error("{path}: {source}")]
    NoticeLibrary {
        /// The file.
        path: PathBuf,
        /// What was tried and why it failed.
        source: tamga_notice::LibraryError,
    },
    /// The platform metadata (IPTC XMP, GB 45438 AIGC) cannot be written.
    #[error("{path}: metadata: {reason}")]
    Metadata {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A text input is not valid UTF-8.
    #[error("{path}: not UTF-8 text (invalid byte at offset {offset}); convert it to UTF-8 first, e.g. with iconv")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the first invalid byte is.
        offset: usize,
    },
    /// The file's structure is broken (truncated, lengths past the end, loops).
    #[error("{path}: damaged {format} file: {reason}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: MediaFormat,
        /// What the structural check found.
        reason: String,
    },
    /// The file is bigger than the configured limit.
    #[error("{path}: {size} bytes is more than the {limit}-byte limit")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Decoding the file (for a perceivable notice) would go past a
    /// [`crate::DecodeLimits`] limit: its header declares, or its content
    /// turned out to have, more pixels, frames, bytes or seconds than allowed.
    #[error("{path}: the {limit} limit is {max}; this file needs {value}")]
    LimitExceeded {
        /// The file.
        path: PathBuf,
        /// Which limit.
        limit: crate::Limit,
        /// What the file needs.
        value: u64,
        /// The limit.
        max: u64,
    },
    /// Processing took longer than its time budget: a base, plus time for
    /// the file's size, pixels and audio. The message names each share.
    #[error("{path}: {work} took longer than its {budget}", work = budget.work())]
    Timeout {
        /// The file.
        path: PathBuf,
        /// The budget that ran out.
        budget: crate::TimeBudget,
    },
    /// The signing keys could not be used.
    #[error(transparent)]
    Keys(#[from] tamga_keys::KeyError),
    /// c2pa refused to sign or read the file.
    #[error("{path}: {message}")]
    C2pa {
        /// The file.
        path: PathBuf,
        /// c2pa's message, made readable.
        message: String,
    },
    /// The time-stamp authority gave no usable time-stamp, so nothing was
    /// signed (a label without the time-stamp asked for is not written).
    #[error("{path}: {message}")]
    TimeStamp {
        /// The file.
        path: PathBuf,
        /// What went wrong; it names the authority's URL.
        message: String,
    },
    /// The file's remote manifest store could not be fetched or used.
    #[error("{path}: the label is stored remotely at {url}; {message}")]
    RemoteManifest {
        /// The file.
        path: PathBuf,
        /// Where its store should be.
        url: String,
        /// Why the fetch failed, naming the cause.
        message: String,
    },
    /// A parser panicked on the file (a bug, in tamga or a dependency, that
    /// the file triggers); the panic was caught and only this file fails.
    #[error("{path}: a parser failed on this file (internal panic caught); the file is probably damaged or crafted")]
    Panicked {
        /// The file.
        path: PathBuf,
    },
    /// The path names something that is not a regular file (a FIFO, a
    /// device, a socket): reading it could block forever or never end.
    #[error("{path}: not a regular file (it is a {kind}); only regular files are read")]
    NotRegularFile {
        /// The path.
        path: PathBuf,
        /// What it is instead: "FIFO", "socket", "character device"…
        kind: &'static str,
    },
    /// A trust list (anchors or allowed signers) holds no certificate, or
    /// one that cannot be read: with it every signer would look unknown.
    #[error("{path}: not a trust list: {reason}")]
    TrustList {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Any other reason the media layer gave.
    #[error(transparent)]
    Media(tamga_media::MediaError),
    /// The output would overwrite the input, and the caller did not say
    /// it may.
    #[error("{path}: refusing to overwrite the input")]
    WouldOverwriteInput {
        /// The file.
        path: PathBuf,
    },
}

impl From<tamga_media::MediaError> for LabelError {
    /// The same cause, with the advice a labelling tool adds to it.
    fn from(e: tamga_media::MediaError) -> Self {
        use tamga_media::MediaError as M;
        match e {
            M::Io { path, source } => Self::Io { path, source },
            M::Empty { path } => Self::Empty { path },
            M::UnknownFormat { path } => Self::UnknownFormat { path },
            M::NotUtf8 { path, offset } => Self::NotUtf8 { path, offset },
            M::Malformed { path, source } => Self::Malformed {
                path,
                format: source.format,
                reason: source.to_string(),
            },
            M::TooLarge { path, size, limit } => Self::TooLarge { path, size, limit },
            M::LimitExceeded {
                path,
                limit,
                value,
                max,
            } => Self::LimitExceeded {
                path,
                limit,
                value,
                max,
            },
            M::Timeout { path, budget } => Self::Timeout { path, budget },
            M::Panicked { path } => Self::Panicked { path },
            M::NotRegularFile { path, kind } => Self::NotRegularFile { path, kind },
            // A cause tamga-media adds later, until it is given its own.
            other => Self::Media(other),
        }
    }
}

impl LabelError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn c2pa(path: impl Into<PathBuf>, err: &c2pa::Error) -> Self {
        use c2pa::crypto::time_stamp::TimeStampError as Tst;
        // tamga's signer reports a failed time-stamp request (a
        // `tamga_keys::TimeStampError`, naming the authority) and c2pa
        // carries it back as text inside its own time-stamp error.
        if let c2pa::Error::TimeStampError(e) = err {
            return Self::TimeStamp {
                path: path.into(),
                message: match e {
                    Tst::InternalError(m) => m.clone(),
                    other => format!("time-stamp: {other}"),
                },
            };
        }
        Self::C2pa {
            path: path.into(),
            message: crate::explain::c2pa_error(err),
        }
    }

    /// The same error naming the file `name` instead of the path it was
    /// read from: a server names the upload, never its temporary file.
    pub fn with_name(mut self, name: impl Into<PathBuf>) -> Self {
        if let Some(path) = self.path_mut() {
            *path = name.into();
        }
        self
    }

    /// The file the error names, where it names one.
    fn path_mut(&mut self) -> Option<&mut PathBuf> {
        match self {
            Self::Io { path, .. }
            | Self::Empty { path }
            | Self::UnknownFormat { path }
            | Self::NotEmbeddable { path, .. }
            | Self::Notice { path, .. }
            | Self::NoticeLibrary { path, .. }
            | Self::Metadata { path, .. }
            | Self::NotUtf8 { path, .. }
            | Self::Malformed { path, .. }
            | Self::TooLarge { path, .. }
            | Self::LimitExceeded { path, .. }
            | Self::Timeout { path, .. }
            | Self::C2pa { path, .. }
            | Self::TimeStamp { path, .. }
            | Self::RemoteManifest { path, .. }
            | Self::Panicked { path }
            | Self::NotRegularFile { path, .. }
            | Self::TrustList { path, .. }
            | Self::WouldOverwriteInput { path } => Some(path),
            Self::Media(e) => e.path_mut(),
            Self::Keys(_) => None,
        }
    }

    /// A short machine-readable kind, for JSON reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Io { .. } => "io",
            Self::Empty { .. } => "empty",
            Self::UnknownFormat { .. } => "unknown-format",
            Self::NotEmbeddable { .. } => "not-embeddable",
            Self::Malformed { .. } => "malformed",
            Self::NotUtf8 { .. } => "not-utf8",
            Self::Notice { .. } => "notice",
            Self::NoticeLibrary { .. } => "notice-library",
            Self::Metadata { .. } => "metadata",
            Self::TooLarge { .. } => "too-large",
            Self::LimitExceeded { .. } => "limit-exceeded",
            Self::Timeout { .. } => "timeout",
            Self::Keys(_) => "keys",
            Self::C2pa { .. } => "c2pa",
            Self::TimeStamp { .. } => "time-stamp",
            Self::RemoteManifest { .. } => "remote-manifest",
            Self::WouldOverwriteInput { .. } => "would-overwrite-input",
            Self::Panicked { .. } => "panicked",
            Self::NotRegularFile { .. } => "not-a-file",
            Self::TrustList { .. } => "trust-list",
            Self::Media(_) => "media",
        }
    }
}
