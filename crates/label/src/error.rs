use std::path::PathBuf;

use crate::MediaFormat;

/// Why an MP3's ID3v2 tag cannot carry the manifest store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Id3TagError {
    /// The existing tag cannot be read (its frames would be lost).
    #[error("its ID3v2 tag: {0}")]
    Unreadable(id3::Error),
    /// The tag cannot be written back with the store in it.
    #[error("its ID3v2 tag cannot be rewritten: {0}")]
    Unwritable(id3::Error),
    /// The tag with the store would pass the size tamga writes.
    #[error("its ID3v2 tag would grow past {max_mb} MB with the manifest")]
    TooLarge {
        /// The limit, in MB.
        max_mb: usize,
    },
    /// The store is not found verbatim in the tag written (the id3 crate
    /// changed how it writes frames).
    #[error("the manifest store is missing from the rewritten ID3v2 tag")]
    StoreMissing,
}

/// Why the platform metadata could not be written or carried over, by
/// cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// The container refused the metadata: damaged where it goes, a
    /// variant not supported, or past a size the format can hold.
    #[error(transparent)]
    Write(tamga_meta::MetaError),
    /// The metadata a notice's re-encoding lost could not be put back.
    #[error("keeping the file's metadata through the notice: {0}")]
    Keep(tamga_meta::MetaError),
    /// A value the AIGC label cannot hold (a producer with a space in it).
    #[error(transparent)]
    Value(#[from] tamga_meta::ValueNotStorable),
    /// The labeller's key did not sign the AIGC label.
    #[error("signing the AIGC label: {0}")]
    Sign(c2pa::Error),
}

/// Why labelling or verifying a file failed (as opposed to a file that
/// verified and turned out invalid, which is a [`crate::Verdict`]).
///
/// Every variant names the file, so one line tells the user what happened.
/// Advice on what to do (which option to use) is the caller's, keyed by
/// [`LabelError::kind`]: a library does not know the caller's flags.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LabelError {
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
    #[error("{path}: metadata: {source}")]
    Metadata {
        /// The file.
        path: PathBuf,
        /// Why, by cause (boxed: the largest cause, and a rare one).
        source: Box<MetadataError>,
    },
    /// An MP3's ID3v2 tag cannot take the manifest store.
    #[error("{path}: damaged mp3 file: {source}")]
    Id3Tag {
        /// The file.
        path: PathBuf,
        /// Why, by cause (boxed: id3's errors are large, and rare here).
        source: Box<Id3TagError>,
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
    /// A trust list (anchors or allowed signers) holds no certificate, or
    /// one that cannot be read: with it every signer would look unknown.
    #[error("{path}: not a trust list: {reason}")]
    TrustList {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Why the media layer could not read the file: I/O, an empty or
    /// unknown file, a damaged structure, a size or decoding limit, the
    /// time budget, a caught panic. Its kinds are the media layer's own.
    #[error(transparent)]
    Media(#[from] tamga_media::MediaError),
    /// The label could not be recorded in (or looked up from) the
    /// registry. When labelling, nothing was written: a label that was
    /// meant to be registered is never left unregistered without a word.
    #[error("{path}: {source}")]
    Registry {
        /// The file.
        path: PathBuf,
        /// The registry's error, by cause (its own `kind()`); boxed, as
        /// it is large next to the other causes.
        #[source]
        source: Box<tamga_registry::RegistryError>,
    },
    /// Personal data asked to be redacted cannot be: it sits in what
    /// carries the AI disclosure.
    #[error("{path}: {message}")]
    Redaction {
        /// The file.
        path: PathBuf,
        /// What and why.
        message: String,
    },
    /// The output would overwrite the input, and the caller did not say
    /// it may.
    #[error("{path}: refusing to overwrite the input")]
    WouldOverwriteInput {
        /// The file.
        path: PathBuf,
    },
}

impl LabelError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Media(tamga_media::MediaError::io(path, source))
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
            Self::NotEmbeddable { path, .. }
            | Self::Notice { path, .. }
            | Self::NoticeLibrary { path, .. }
            | Self::Id3Tag { path, .. }
            | Self::Metadata { path, .. }
            | Self::C2pa { path, .. }
            | Self::TimeStamp { path, .. }
            | Self::RemoteManifest { path, .. }
            | Self::TrustList { path, .. }
            | Self::Registry { path, .. }
            | Self::Redaction { path, .. }
            | Self::WouldOverwriteInput { path } => Some(path),
            Self::Media(e) => e.path_mut(),
            Self::Keys(_) => None,
        }
    }

    /// A short machine-readable kind, for JSON reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotEmbeddable { .. } => "not-embeddable",
            Self::Notice { .. } => "notice",
            Self::NoticeLibrary { .. } => "notice-library",
            Self::Metadata { .. } => "metadata",
            // The same kind as before it had its own variant: a tag that
            // cannot be read is a damaged file.
            Self::Id3Tag { .. } => "malformed",
            Self::Keys(_) => "keys",
            Self::C2pa { .. } => "c2pa",
            Self::TimeStamp { .. } => "time-stamp",
            Self::RemoteManifest { .. } => "remote-manifest",
            Self::WouldOverwriteInput { .. } => "would-overwrite-input",
            Self::TrustList { .. } => "trust-list",
            Self::Registry { .. } => "registry",
            Self::Redaction { .. } => "redaction",
            // The media layer's kinds are the same words this type used
            // for the same causes before it wrapped them.
            Self::Media(e) => e.kind(),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each cause from a real bad input, checked by variant and by the kind
    //! the CLI and the server key their advice and statuses off.
    use super::*;
    use crate::{MediaError, MediaFormat, Verifier, VerifyOptions};

    #[test]
    fn media_causes_are_wrapped_and_keep_their_kinds() {
        let v = Verifier::new(VerifyOptions::default()).unwrap();
        let e = v
            .verify_text("<stdin>", b"", MediaFormat::Text)
            .unwrap_err();
        assert!(
            matches!(e, LabelError::Media(MediaError::Empty { .. })),
            "{e:?}"
        );
        assert_eq!(e.kind(), "empty");
        let e = e.with_name("upload.txt");
        assert_eq!(e.to_string(), "upload.txt: the file is empty");

        // A PNG whose first chunk claims far more bytes than the file has.
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("cut.png");
        let mut bytes = b"\x89PNG\r\n\x1a\n\x70\x00\x00\x00caBX".to_vec();
        bytes.extend_from_slice(&[0; 16]);
        std::fs::write(&png, bytes).unwrap();
        let e = v.verify(&png).unwrap_err();
        assert!(
            matches!(&e, LabelError::Media(MediaError::Malformed { source, .. })
                if matches!(source.rule, crate::guard::Rule::PngChunkPastEnd { .. })),
            "{e:?}"
        );
        assert_eq!(e.kind(), "malformed");
    }

    /// A signer that cannot sign: the AIGC label's value is checked first.
    struct Refusing;

    impl c2pa::Signer for Refusing {
        fn sign(&self, _: &[u8]) -> c2pa::Result<Vec<u8>> {
            Err(c2pa::Error::BadParam("no key".into()))
        }
        fn alg(&self) -> c2pa::SigningAlg {
            c2pa::SigningAlg::Ed25519
        }
        fn certs(&self) -> c2pa::Result<Vec<Vec<u8>>> {
            Ok(Vec::new())
        }
        fn reserve_size(&self) -> usize {
            0
        }
    }

    #[test]
    fn aigc_metadata_failures_say_their_cause() {
        let received =
            tamga_meta::Aigc::first_write(tamga_meta::AigcLabel::Is, "Maker", "1").unwrap();
        let e =
            crate::xmp_aigc::propagated(&received, "Our Platform", "p-1", &Refusing).unwrap_err();
        assert!(
            matches!(&e, MetadataError::Value(v) if v.field == "ContentPropagator" && v.found == ' '),
            "{e:?}"
        );
        let e = crate::xmp_aigc::propagated(&received, "Platform", "p-1", &Refusing).unwrap_err();
        assert!(matches!(e, MetadataError::Sign(_)), "{e:?}");
        let e = LabelError::Metadata {
            path: "a.png".into(),
            source: Box::new(e),
        };
        assert_eq!(e.kind(), "metadata");
        assert_eq!(
            e.to_string(),
            "a.png: metadata: signing the AIGC label: bad parameter: no key"
        );
    }
}
