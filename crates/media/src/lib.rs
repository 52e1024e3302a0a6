//! The media formats tamga knows, and reading them safely.
//!
//! Everything that touches an untrusted file's bytes before a codec or
//! c2pa does lives here: the one format table ([`FORMATS`], one
//! [`FormatSpec`] per [`MediaFormat`]), sniffing,
//! opening inputs (regular files only, never blocking on a FIFO), the
//! structural guard that walks every container's lengths before any parser
//! trusts them ([`guard`]), the decoding limits a notice must respect
//! ([`DecodeLimits`]), the per-file deadline ([`watchdog`], [`TimeBudget`])
//! and outputs written through a temporary file and a rename.
//!
//! It knows nothing of C2PA, notices or policies.
//!
//! ```
//! use tamga_media::{guard, MediaFormat};
//!
//! // A PNG whose first chunk claims more bytes than the file holds.
//! let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
//! png.extend_from_slice(&1000u32.to_be_bytes());
//! png.extend_from_slice(b"IHDR");
//! let format = MediaFormat::sniff(&png).expect("a PNG signature");
//! let len = png.len() as u64;
//! let refused = guard::check(&mut std::io::Cursor::new(png), len, format, guard::Limits::default());
//! assert!(refused.is_err());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Tests may unwrap: a panic there is a test failure with a backtrace.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod atomic_write;
pub mod child_process;
mod error;
mod format;
mod format_table;
pub mod guard;
pub mod input;
mod limits;
pub mod time_budget;
pub mod watchdog;

pub use atomic_write::{remove_stale, write_atomically, write_bytes_atomically, FileMode};
pub use error::MediaError;
pub use format::MediaFormat;
pub use format_table::{BadgeWriter, Container, Family, FormatSpec, FORMATS};
pub use input::{file_kind, sidecar_candidates, InputLimits};
pub use limits::{Budget, DecodeLimits, Exceeded, Limit, LimitsTable};
pub use time_budget::TimeBudget;
