//! Why a fingerprint could not be computed, sorted by who caused it: the
//! file (bad or oversized content), the caller (a format with no content
//! code), or the system (I/O).

use std::{io, path::PathBuf};

use tamga_media::{Exceeded, MediaFormat};

use crate::ContentKind;

/// A codec library's own error, kept as the source so the chain says what
/// exactly was wrong with the file.
pub type CodecError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong computing fingerprints.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FingerprintError {
    /// The file could not be read (the system's fault, not the content's).
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The content is not a valid image, recording or text of its format.
    #[error("cannot decode the {kind}")]
    Decode {
        /// What was being decoded.
        kind: ContentKind,
        /// The decoder's own error.
        #[source]
        source: CodecError,
    },
    /// The content decodes but has nothing to fingerprint: an image of
    /// zero pixels, a recording with no samples or no audio track.
    #[error("the {kind} has no content to fingerprint: {what}")]
    Empty {
        /// What was being fingerprinted.
        kind: ContentKind,
        /// What is missing.
        what: &'static str,
    },
    /// The content is past a decoding limit; nothing was allocated for it.
    #[error(transparent)]
    LimitExceeded(#[from] Exceeded),
    /// The caller asked for a content code of a format that has none here
    /// (video, or an image format the `image` crate does not decode; the
    /// caller can decode it and call [`crate::image_code`]).
    #[error("no content code for {} files", format.name())]
    Unsupported {
        /// The format.
        format: MediaFormat,
    },
    /// iscc-lib refused its input. Every input tamga passes is checked
    /// first, so this is a bug in tamga, reported rather than panicking.
    #[error("ISCC code generation failed: {0}")]
    Iscc(#[from] iscc_lib::IsccError),
}

impl FingerprintError {
    /// Whether the input file is to blame (bad, empty or oversized
    /// content), as opposed to the caller or the system.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Self::Decode { .. } | Self::Empty { .. } | Self::LimitExceeded(_)
        )
    }

    pub(crate) fn decode(
        kind: ContentKind,
    ) -> impl FnOnce(Box<dyn std::error::Error + Send + Sync + 'static>) -> Self {
        move |source| Self::Decode { kind, source }
    }
}
