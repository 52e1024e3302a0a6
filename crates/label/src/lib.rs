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

// RIFF chunks are walked by tamga-meta's walker, shared with the WAV
// signer here.
use tamga_meta::riff;
mod bmff_hash;
mod bmff_signer;
pub mod content_match;
mod data_hash;
mod disclosure;
mod error;
mod exclusion_check;
pub mod explain;
#[doc(hidden)]
pub mod fuzzing;
mod history;
pub mod identity;
mod keep_metadata;
pub mod manifest_map;
mod mp3_signer;
mod notice_apply;
pub mod path_json;
mod placeholder_sign;
pub mod privacy;
mod profile;
mod publish_job;
mod publish_redact;
mod publish_sign;
mod reattach;
mod register;
pub mod remote;
mod remote_verdict;
mod request;
mod shared_signer;
mod sign;
mod sign_job;
pub mod signing_time;
mod soft_binding;
mod store_span;
mod text_sign;
mod text_verify;
mod thumbnail;
mod trailing_spaces;
mod trust_file;
mod verify;
pub mod verify_report;
mod warning;
pub mod watermark;
mod wav_signer;
mod xmp_aigc;

use tamga_media::input;

// The media layer, re-exported where tamga-label's API speaks of it.
pub use disclosure::{
    AiDisclosure, AiInvolvement, Generator, HumanReview, TrainingMining, IPTC_DST_BASE,
};
pub use error::{Id3TagError, LabelError, MetadataError};
pub use profile::Profile;
pub use publish_redact::Redacted;
pub use publish_sign::{Propagation, PublishOptions, PublishOutcome};
pub use reattach::ReattachedLabel;
pub use register::{Registered, SharedRegistry};
pub use request::{LabelRequest, RequestError};
pub use sign::{LabelOptions, LabelOutcome, Labeller, Placement};
pub use signing_time::{TimeStampInfo, VerdictDetail};
pub use soft_binding::ISCC_ALG;
pub use tamga_media::{
    file_kind, guard, sidecar_candidates, time_budget, watchdog, write_bytes_atomically,
    DecodeLimits, Family, FileMode, InputLimits, Limit, LimitsTable, MediaError, MediaFormat,
    TimeBudget,
};
pub use tamga_notice::{
    AppliedNotice, Lang, NoticeOptions, NoticePosition, NoticeSpan, NoticeStyle, Tool, Tools,
};
pub use text_sign::LabelledText;
pub use thumbnail::{preview, video_preview, ThumbnailOptions};
pub use verify::{Recovered, RecoveredBy, TrustConfig, Verifier, VerifyOptions};
pub use verify_report::{
    ChainLink, FileReport, FoundWatermark, Verdict, VerifyEntry, VerifyReport, VerifySummary,
};
pub use warning::Warning;
pub use watermark::{AppliedWatermark, WatermarkMode, AUDIO_MARK_ALG, IMAGE_MARK_ALG};
pub use xmp_aigc::{AigcOptions, AigcReport, AigcSignature, MetadataOptions, PlatformMetadata};

/// The c2pa crate's version (labels are made and read with it), for
/// front ends' `--version`.
pub const C2PA_VERSION: &str = c2pa::VERSION;
