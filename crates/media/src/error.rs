//! Why an input could not be opened or processed, by cause.

use std::path::PathBuf;

use crate::{Limit, TimeBudget};

/// Why reading, checking or writing a file failed. Every variant names the
/// file, so one line tells the user what happened. Advice on what to do
/// (which option to use) is the caller's: see [`MediaError::kind`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
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
    /// A text input is not valid UTF-8.
    #[error("{path}: not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the first invalid byte is.
        offset: usize,
    },
    /// The file's structure is broken (truncated, lengths past the end, loops).
    #[error("{path}: damaged {format} file: {source}", format = source.format)]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What the structural check found: the format, where, which rule.
        source: crate::guard::StructureError,
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
    /// Decoding the file would go past a [`crate::DecodeLimits`] limit.
    #[error("{path}: the {limit} limit is {max}; this file needs {value}")]
    LimitExceeded {
        /// The file.
        path: PathBuf,
        /// Which limit.
        limit: Limit,
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
        budget: Box<TimeBudget>,
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
}

impl MediaError {
    /// A short machine-readable kind, for JSON reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Io { .. } => "io",
            Self::Empty { .. } => "empty",
            Self::UnknownFormat { .. } => "unknown-format",
            Self::NotUtf8 { .. } => "not-utf8",
            Self::Malformed { .. } => "malformed",
            Self::TooLarge { .. } => "too-large",
            Self::LimitExceeded { .. } => "limit-exceeded",
            Self::Timeout { .. } => "timeout",
            Self::Panicked { .. } => "panicked",
            Self::NotRegularFile { .. } => "not-a-file",
        }
    }

    /// The file the error names, to name it otherwise (an upload's name
    /// for its temporary file).
    /// `None` for a cause that names no file.
    pub fn path_mut(&mut self) -> Option<&mut PathBuf> {
        match self {
            Self::Io { path, .. }
            | Self::Empty { path }
            | Self::UnknownFormat { path }
            | Self::NotUtf8 { path, .. }
            | Self::Malformed { path, .. }
            | Self::TooLarge { path, .. }
            | Self::LimitExceeded { path, .. }
            | Self::Timeout { path, .. }
            | Self::Panicked { path }
            | Self::NotRegularFile { path, .. } => Some(path),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
