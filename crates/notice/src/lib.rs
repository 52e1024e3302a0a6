//! The perceivable AI notice: the second layer the laws ask for beside the
//! machine-readable label (Kazakhstan AI Law art. 21 p.2, GB 45438's
//! explicit labels, the EU Code of Practice's visible mark).
//!
//! - [`images`]: a badge drawn on an image, written back in the source's
//!   own format, compression and bit depth (one module per format writer);
//! - [`audio`]: a spoken notice or GB 45438's Morse "AI" tone before and/or
//!   after the content (one module per format splicer);
//! - [`video`]: the badge burnt into a video's opening frames, or all of
//!   them (ffmpeg, as a separate process);
//! - [`text`]: a line at the start and/or end of a text;
//! - [`wording`]: the wording catalogue in Kazakh, Russian, English and
//!   Chinese, from the data files in `notices/`.
//!
//! It knows languages and wording keys ([`Wording`]), not C2PA or how the
//! caller models AI involvement; what was applied comes back as an
//! [`AppliedNotice`] record for the caller to keep.
//!
//! ```
//! use tamga_notice::{text, Lang, MediaFormat, NoticeOptions, NoticePosition, Wording};
//!
//! let mut options = NoticeOptions::default();
//! options.langs = vec![Lang::Kk, Lang::En];
//! let (labelled, record) = text::apply(
//!     "A story.\n",
//!     MediaFormat::Text,
//!     Wording::Generated,
//!     &options,
//!     NoticePosition::Start,
//! );
//! assert!(labelled.starts_with("Жасанды интеллект арқылы жасалған · AI-generated\n"));
//! assert_eq!(record.languages, ["kk", "en"]);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Tests may unwrap: a panic there is a test failure with a backtrace.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod audio;
mod error;
pub mod fuzzing;
pub mod images;
mod options;
pub mod text;
pub mod tools;
pub mod video;
pub mod wording;

pub use error::{CodecError, NoticeError, Unsupported};
pub use options::{
    AppliedNotice, NoticeOptions, NoticePosition, NoticeSpan, NoticeStyle, NOTICE_SCHEMA,
};
/// Why a codec library a notice needs could not be loaded.
pub use tamga_heif::LoadError as LibraryError;
pub use tamga_media::{DecodeLimits, MediaFormat};
pub use tools::{Tool, Tools};
pub use wording::{Lang, Length, Wording};
