//! Writing wrappers.

use crate::{HEADER_LEN, MAGIC, MARKER, VERSION};

/// Why a wrapper could not be written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// The manifest does not fit the wrapper's 32-bit length field.
    #[error("the manifest is {len} bytes, more than a text wrapper can hold (4 GiB)")]
    TooLarge {
        /// The manifest's length in bytes.
        len: usize,
    },
    /// No padding makes the wrapper exactly `target` bytes long.
    #[error("a wrapper of {unpadded} bytes cannot be padded to exactly {target} bytes")]
    UnreachableTarget {
        /// The size asked for, in UTF-8 bytes.
        target: usize,
        /// The wrapper's size without padding, in UTF-8 bytes.
        unpadded: usize,
    },
}

/// Padded wrapper size in UTF-8 bytes (U+FEFF included) for a manifest of
/// `manifest_len` bytes: `3 + (13 + M)·4 + 6`.
///
/// That is the size if every header and manifest byte took the 4-byte form,
/// plus 6 so that the padding rule can always close the gap (3a + 4b cannot
/// make 1, 2 or 5). It saturates at `usize::MAX` instead of overflowing, a
/// size [`encode`] refuses anyway.
pub fn wrapper_len(manifest_len: usize) -> usize {
    checked_wrapper_len(manifest_len).unwrap_or(usize::MAX)
}

/// The padded wrapper (U+FEFF and the variation-selector run) as UTF-8; its
/// length is exactly [`wrapper_len`]`(manifest.len())`.
///
/// This is the form to sign: the wrapper's byte length, and so the data-hash
/// exclusion, depends only on the manifest's length, not its contents.
pub fn encode(manifest: &[u8]) -> Result<String, EncodeError> {
    let plan = Plan::new(manifest)?;
    let target = checked_wrapper_len(manifest.len()).ok_or(EncodeError::TooLarge {
        len: manifest.len(),
    })?;
    plan.padded_to(target)
}

/// A wrapper padded to exactly `target` UTF-8 bytes, with the same padding
/// rule as [`encode`] (`a` bytes 0x00 then `b` bytes 0x10, where
/// gap = target − unpadded, b = gap mod 3, a = (gap − 4b) / 3).
///
/// Used when a signed manifest came out shorter than the size planned before
/// signing, so that the wrapper still fills the exclusion already hashed
/// around. Fails with [`EncodeError::UnreachableTarget`] if the target is
/// smaller than the unpadded wrapper, if the gap is 1, 2 or 5 bytes (which no
/// mix of 3- and 4-byte selectors makes), or if a string that long cannot be
/// allocated.
pub fn encode_padded_to(manifest: &[u8], target: usize) -> Result<String, EncodeError> {
    Plan::new(manifest)?.padded_to(target)
}

/// The wrapper without padding, the form c2pa-text's `embed_manifest` writes.
pub fn encode_unpadded(manifest: &[u8]) -> Result<String, EncodeError> {
    let plan = Plan::new(manifest)?;
    let unpadded = plan.unpadded;
    plan.padded_to(unpadded)
}

/// `None` where the size would not fit in `usize`, so callers can tell a
/// saturated [`wrapper_len`] from a real one.
fn checked_wrapper_len(manifest_len: usize) -> Option<usize> {
    manifest_len
        .checked_add(HEADER_LEN)?
        .checked_mul(4)?
        .checked_add(MARKER.len() + 6)
}

/// One variation selector per byte value, built at compile time so that
/// encoding has no fallible `char::from_u32` at run time.
const SELECTORS: [char; 256] = {
    let mut table = ['\0'; 256];
    let mut b = 0;
    while b < 256 {
        let code = if b < 0x10 {
            0xFE00 + b
        } else {
            0xE0100 + (b - 0x10)
        };
        table[b as usize] = match char::from_u32(code) {
            Some(c) => c,
            None => panic!("variation selectors are Unicode scalar values"),
        };
        b += 1;
    }
    table
};

fn push_selector(out: &mut String, b: u8) {
    out.push(SELECTORS[usize::from(b)]);
}

/// UTF-8 length of the selectors for `bytes`.
fn selectors_len(bytes: &[u8]) -> usize {
    // Every byte takes 3 UTF-8 bytes, and those from 0x10 up one more.
    bytes.len() * 3 + bytes.iter().filter(|&&b| b >= 0x10).count()
}

/// A manifest checked to fit a wrapper, with its header and unpadded size.
struct Plan<'a> {
    header: [u8; HEADER_LEN],
    manifest: &'a [u8],
    unpadded: usize,
}

impl<'a> Plan<'a> {
    fn new(manifest: &'a [u8]) -> Result<Self, EncodeError> {
        let too_large = || EncodeError::TooLarge {
            len: manifest.len(),
        };
        let declared = u32::try_from(manifest.len()).map_err(|_| too_large())?;
        // On 32-bit targets a manifest under 4 GiB can still have a wrapper
        // larger than usize; refusing it here keeps the sums below exact.
        if checked_wrapper_len(manifest.len()).is_none() {
            return Err(too_large());
        }
        let mut header = [0u8; HEADER_LEN];
        let (magic, rest) = header.split_at_mut(MAGIC.len());
        magic.copy_from_slice(&MAGIC);
        let (version, length) = rest.split_at_mut(1);
        version.copy_from_slice(&[VERSION]);
        length.copy_from_slice(&declared.to_be_bytes());
        let unpadded = MARKER.len() + selectors_len(&header) + selectors_len(manifest);
        Ok(Plan {
            header,
            manifest,
            unpadded,
        })
    }

    fn padded_to(&self, target: usize) -> Result<String, EncodeError> {
        let unreachable = || EncodeError::UnreachableTarget {
            target,
            unpadded: self.unpadded,
        };
        let gap = target.checked_sub(self.unpadded).ok_or_else(unreachable)?;
        let sixteens = gap % 3;
        let zeros = gap.checked_sub(4 * sixteens).ok_or_else(unreachable)? / 3;

        let mut out = String::new();
        // The target is caller-supplied; an absurd one must be an error, not
        // an allocation abort.
        out.try_reserve_exact(target).map_err(|_| unreachable())?;
        out.push('\u{FEFF}');
        for &b in self.header.iter().chain(self.manifest) {
            push_selector(&mut out, b);
        }
        for _ in 0..zeros {
            push_selector(&mut out, 0x00);
        }
        for _ in 0..sixteens {
            push_selector(&mut out, 0x10);
        }
        debug_assert_eq!(out.len(), target);
        Ok(out)
    }
}
