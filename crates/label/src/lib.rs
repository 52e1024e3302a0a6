//! Signed "this is AI-generated" labels for images, audio and text, their
//! verification, and a distributor's publication stamp on labelled files.
//!
//! tamga-label turns an [`AiDisclosure`] into a C2PA manifest (the IPTC
//! digital source type on the `c2pa.created` or `c2pa.edited` action, the
//! generator as `softwareAgent`, the responsible organisation, human review,
//! a localized notice) signed with a [`tamga_keys::SigningIdentity`], and
//! verifies labels from tamga or any other C2PA tool into one [`Verdict`].
//!
//! ```no_run
//! use std::path::Path;
//! use tamga_keys::SigningIdentity;
//! use tamga_label::{AiDisclosure, AiInvolvement, Generator, Labeller, LabelOptions, Placement,
//!                   Verifier, VerifyOptions, TrustConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let identity = SigningIdentity::from_dir(Path::new("keys"), None)?;
//! let labeller = Labeller::new(&identity, LabelOptions::default())?;
//! let mut disclosure = AiDisclosure::new(AiInvolvement::Generated);
//! disclosure.generator = Some(Generator::parse("Model 2.1"));
//! labeller.label(Path::new("in.jpg"), Path::new("out.jpg"), &disclosure, Placement::Embedded)?;
//!
//! let mut options = VerifyOptions::default();
//! options.trust.anchors_pem = Some(std::fs::read_to_string("keys/trust-anchor.pem")?);
//! let report = Verifier::new(options)?.verify(Path::new("out.jpg"))?;
//! println!("{}: {}", report.verdict, report.reason);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Tests may unwrap: a panic there is a test failure with a backtrace.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod atomic_write;
mod audio_decode;
mod audio_notice;
// RIFF chunks are walked by tamga-meta's walker, shared with the WAV
// writers here.
use tamga_meta::riff;
pub mod badge;
mod data_hash;
mod disclosure;
mod error;
mod exclusion_check;
pub mod explain;
mod flac_notice;
mod format;
#[doc(hidden)]
pub mod fuzzing;
mod gif_notice;
pub mod guard;
mod heif_depth;
mod heif_notice;
mod history;
pub mod identity;
mod image_notice;
mod input;
mod jpeg_encode;
mod jxl_notice;
mod keep_metadata;
mod limits;
mod m4a_notice;
pub mod manifest_map;
mod mp3_notice;
mod mp3_stream;
pub mod notice;
mod notice_apply;
pub mod notice_text;
pub mod path_json;
mod platform_meta;
mod profile;
mod publish;
pub mod remote;
mod remote_verdict;
pub mod report;
mod sign;
pub mod signing_time;
mod store_span;
mod svg_notice;
mod text_notice;
mod text_sign;
mod text_verify;
mod thumbnail;
mod tiff_notice;
pub mod time_budget;
mod trailing_spaces;
mod trust_file;
mod verify;
mod voice;
pub mod watchdog;
mod wav_notice;
mod wav_stream;
mod webp_notice;

pub use atomic_write::{write_bytes_atomically, FileMode};
pub use disclosure::{
    AiDisclosure, AiInvolvement, Generator, HumanReview, TrainingMining, IPTC_DST_BASE,
};
pub use error::LabelError;
pub use format::MediaFormat;
pub use input::{file_kind, sidecar_candidates, InputLimits};
pub use limits::{DecodeLimits, Limit, LimitsTable};
pub use notice::{AppliedNotice, NoticeOptions, NoticePosition, NoticeStyle};
pub use notice_text::Lang;
pub use platform_meta::{
    AigcOptions, AigcReport, AigcSignature, MetadataOptions, PlatformMetadata,
};
pub use profile::Profile;
pub use publish::{Propagation, PublishOptions, PublishOutcome};
pub use report::{ChainLink, FileReport, Verdict, VerifyEntry, VerifyReport, VerifySummary};
pub use sign::{LabelOptions, LabelOutcome, Labeller, Placement};
pub use signing_time::{TimeStampInfo, VerdictDetail};
pub use text_sign::LabelledText;
pub use thumbnail::{preview, ThumbnailOptions};
pub use time_budget::TimeBudget;
pub use verify::{TrustConfig, Verifier, VerifyOptions};
