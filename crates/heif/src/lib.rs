//! HEIC and AVIF through the system's libheif, opened at run time.
//!
//! tamga needs libheif only to draw a notice badge on a HEIC or AVIF image
//! (decode, re-encode with x265 or libaom). Linking it would make every
//! build need libheif's development files and every tamga process load
//! libheif, x265, libde265, libaom, dav1d and libstdc++ at start-up. So it
//! is opened with the dynamic loader when such a notice is asked for
//! ([`Libheif::load`]), and a machine without it gets a clear
//! [`LoadError`] instead of a build or start-up failure.
//!
//! All unsafe code is in the `ffi` module; this API is safe: every object
//! is freed once, and borrowing ties each to what it reads.
//!
//! ```no_run
//! use tamga_heif::{Chroma, Libheif};
//! # fn main() -> Result<(), tamga_heif::Error> {
//! let heif = Libheif::load(None)?;
//! let bytes = std::fs::read("photo.heic").unwrap_or_default();
//! let file = heif.read(&bytes)?;
//! let image = file.primary_image()?.decode(Chroma::Rgb)?;
//! println!("{} x {}", image.width(), image.height());
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

use std::path::PathBuf;

mod ffi;

pub use ffi::{Context, Encoder, Handle, Image, Libheif, Nclx, Plane};

/// What every missing-library error says first.
const NEED: &str = "HEIC/AVIF notices need libheif 1.14+ (Debian: libheif1)";

/// Why libheif could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The dynamic loader did not find or could not open it.
    #[error("{NEED}; {} could not be loaded: {reason}", library.display())]
    NotFound {
        /// The name or path tried.
        library: PathBuf,
        /// The loader's words.
        reason: String,
    },
    /// The library lacks a function tamga calls (not libheif, or too old).
    #[error("{NEED}; {} has no {function}: {reason}", library.display())]
    MissingFunction {
        /// The name or path tried.
        library: PathBuf,
        /// The C function missing.
        function: &'static str,
        /// The loader's words.
        reason: String,
    },
    /// libheif older than 1.14.
    #[error("{NEED}; {} is libheif {version}", library.display())]
    TooOld {
        /// The name or path tried.
        library: PathBuf,
        /// Its major.minor version.
        version: String,
    },
    /// `heif_init` failed.
    #[error("libheif could not start: {0}")]
    Init(String),
}

/// A failure of libheif or of a call into it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The library is not there.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// libheif reported an error (`heif_error`).
    #[error("{message}")]
    Libheif {
        /// `heif_error_code`.
        code: i32,
        /// `heif_suberror_code`.
        subcode: i32,
        /// libheif's message.
        message: String,
    },
    /// libheif returned no object where it reported success.
    #[error("libheif returned no {0}")]
    Null(&'static str),
    /// A size beyond libheif's `int`.
    #[error("{0} is too large for libheif")]
    TooLarge(u64),
    /// A parameter name or value with a NUL byte.
    #[error("a parameter for libheif contains a NUL byte")]
    Nul,
}

/// Interleaved RGB sample layouts (`heif_chroma`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chroma {
    /// 8-bit RGB.
    Rgb,
    /// 8-bit RGBA.
    Rgba,
    /// 16-bit little-endian RGB samples holding the image's depth.
    RgbLe16,
    /// 16-bit little-endian RGBA samples holding the image's depth.
    RgbaLe16,
}

impl Chroma {
    /// The `heif_chroma` value (heif.h).
    fn code(self) -> std::ffi::c_int {
        match self {
            Self::Rgb => 10,
            Self::Rgba => 11,
            Self::RgbLe16 => 14,
            Self::RgbaLe16 => 15,
        }
    }
}

/// Compression formats (`heif_compression_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// HEVC (HEIC).
    Hevc,
    /// AV1 (AVIF).
    Av1,
}

impl Compression {
    /// The `heif_compression_format` value (heif.h).
    fn code(self) -> std::ffi::c_int {
        match self {
            Self::Hevc => 1,
            Self::Av1 => 4,
        }
    }
}

/// An image's colour profile.
pub enum ColorProfile {
    /// An ICC profile: its `colr` kind (`rICC` or `prof`) and bytes.
    Icc {
        /// The four-character kind.
        kind: [u8; 4],
        /// The profile.
        data: Vec<u8>,
    },
    /// An NCLX colour description.
    Nclx(Nclx),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_missing_library_is_a_clear_typed_error() {
        let e = Libheif::load(Some(Path::new("/nonexistent/libheif.so.1"))).unwrap_err();
        assert!(matches!(e, LoadError::NotFound { .. }), "{e:?}");
        let said = e.to_string();
        assert!(
            said.starts_with("HEIC/AVIF notices need libheif 1.14+ (Debian: libheif1)"),
            "{said}"
        );
        assert!(said.contains("/nonexistent/libheif.so.1"), "{said}");
    }

    #[test]
    fn a_library_that_is_not_libheif_is_refused() {
        // libc is loaded in every process and has none of libheif's names.
        let e = Libheif::load(Some(Path::new("libc.so.6"))).unwrap_err();
        assert!(matches!(e, LoadError::MissingFunction { .. }), "{e:?}");
    }

    #[test]
    fn the_system_libheif_round_trips_an_image_with_its_metadata() {
        let heif = Libheif::load(None).unwrap();
        assert!(heif.version().starts_with("1."), "{}", heif.version());
        let (w, h) = (64u32, 48u32);
        let mut img = heif.new_image(w, h, Chroma::Rgb).unwrap();
        img.add_interleaved_plane(w, h, 8).unwrap();
        {
            let plane = img.plane_mut().unwrap();
            for y in 0..h as usize {
                for x in 0..w as usize {
                    let at = y * plane.stride + x * 3;
                    plane.data[at..at + 3].copy_from_slice(&[(x * 4) as u8, (y * 5) as u8, 128]);
                }
            }
        }
        let mut enc = heif.encoder(Compression::Hevc).unwrap();
        enc.set_quality(90).unwrap();
        let mut ctx = heif.new_context().unwrap();
        let handle = ctx.encode(&img, &mut enc).unwrap();
        ctx.add_exif(&handle, b"MM\0*\0\0\0\x08\0\0").unwrap();
        let bytes = ctx.write().unwrap();
        assert_eq!(&bytes[4..8], b"ftyp");

        let file = heif.read(&bytes).unwrap();
        let primary = file.primary_image().unwrap();
        assert_eq!((primary.width(), primary.height()), (w, h));
        assert_eq!(primary.luma_bits(), Some(8));
        assert!(!primary.has_alpha());
        let exif = primary.metadata("Exif");
        assert_eq!(exif.len(), 1);
        assert!(exif[0].ends_with(b"MM\0*\0\0\0\x08\0\0"), "{:?}", exif[0]);
        let decoded = primary.decode(Chroma::Rgb).unwrap();
        let plane = decoded.plane().unwrap();
        let at = 20 * plane.stride + 30 * 3;
        let px = &plane.data[at..at + 3];
        for (got, want) in px.iter().zip([120u8, 100, 128]) {
            assert!(got.abs_diff(want) < 12, "{px:?}");
        }
        // A bad parameter is libheif's typed error, not a crash.
        let e = enc.set_int("no-such-parameter", 1).unwrap_err();
        assert!(matches!(e, Error::Libheif { .. }), "{e:?}");
        // Garbage is refused the same way.
        assert!(matches!(
            heif.read(b"not a heif file at all").map(|_| ()),
            Err(Error::Libheif { .. })
        ));
    }
}
