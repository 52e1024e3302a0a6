//! The C2PA plain-text manifest wrapper (C2PA 2.4, Annex A.8).
//!
//! Plain text has no container to hold a C2PA manifest store, so the annex
//! hides the store's bytes in the text itself as invisible characters:
//!
//! * one U+FEFF (zero-width no-break space) marks the start, then
//! * a contiguous run of Unicode variation selectors, one per byte: a byte
//!   `b` in `0x00–0x0F` is U+FE00 + b, a byte in `0x10–0xFF` is
//!   U+E0100 + (b − 16).
//!
//! The bytes carried are the magic `C2PATXT\0` ([`MAGIC`]), a version byte
//! ([`VERSION`]), the manifest length as a big-endian `u32`, the JUMBF manifest
//! store itself (opaque to this crate) and optional padding that the length
//! does not count. Padding exists so that the wrapper's size, and hence the
//! hard-binding exclusion range, is known before the manifest is signed; see
//! [`wrapper_len`] and [`encode_padded_to`].
//!
//! [`scan`] reports every wrapper in a text, well-formed or not, [`find`]
//! applies the annex's "at most one wrapper per asset" rule and [`strip`]
//! removes them all. Decoding works on raw bytes and is linear in the text's
//! length.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = b"\x00\x00\x00\x10jumbc2pa-manifest"; // a JUMBF store in real use
//! let visible = "Жасанды интеллект жазған мәтін.";
//!
//! let mut text = String::from(visible);
//! text.push_str(&tamga_text::encode(store)?);
//! assert_eq!(text.len(), visible.len() + tamga_text::wrapper_len(store.len()));
//!
//! let wrapper = tamga_text::find(text.as_bytes())?.ok_or("no wrapper")?;
//! assert_eq!(wrapper.manifest, store);
//! assert_eq!(wrapper.range, visible.len()..text.len());
//! assert_eq!(tamga_text::strip(text.as_bytes()), visible.as_bytes());
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Tests may unwrap: a panic there is a test failure with a backtrace.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod decode;
mod encode;
#[cfg(test)]
mod tests;

pub use decode::{
    find, scan, strip, Corrupted, Corruption, Scan, Wrapper, WrapperError, CORRUPTED_WRAPPER,
    MULTIPLE_WRAPPERS,
};
pub use encode::{encode, encode_padded_to, encode_unpadded, wrapper_len, EncodeError};

/// The eight bytes every wrapper starts with, `C2PATXT\0`.
pub const MAGIC: [u8; 8] = *b"C2PATXT\0";

/// The wrapper version this crate writes and the only one it accepts.
pub const VERSION: u8 = 1;

/// Magic, version and the four length bytes.
const HEADER_LEN: usize = MAGIC.len() + 1 + 4;

/// U+FEFF in UTF-8.
const MARKER: [u8; 3] = [0xEF, 0xBB, 0xBF];
