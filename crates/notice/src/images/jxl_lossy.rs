//! Lossy JPEG XL for a notice on a lossy (VarDCT or XYB) source, through
//! libjxl's `cjxl` run as a separate process.
//!
//! Why a process: no Rust encoder writes lossy JPEG XL, and libjxl's
//! library (through jpegxl-rs) needs 0.8+, which Debian bookworm does not
//! have; its `cjxl` 0.7 (package `libjxl-tools`) does the work, and as a
//! process it links nothing into tamga, as ffmpeg does for M4A. It is found
//! as the caller's [`crate::Tool`] says; without it the caller falls back to
//! lossless and says why the file grew.
//!
//! cjxl reads a PNG of the badged pixels and writes into a private
//! temporary directory; no name taken from the input reaches it.

use crate::NoticeError;
use std::process::Command;

use image::{codecs::png::PngEncoder, ExtendedColorType, ImageEncoder};

/// Butteraugli distances tried in turn until the output is within 1.5x of
/// the source's size: 1.0 is cjxl's "visually lossless" default.
pub(crate) const DISTANCES: [&str; 3] = ["1.0", "2.0", "3.0"];

/// What cjxl made.
pub(crate) struct Encoded {
    /// The bare codestream.
    pub(crate) codestream: Vec<u8>,
    /// The distance it was made at.
    pub(crate) distance: &'static str,
}

/// Encodes the 8-bit sRGB `pixels` (RGB, or RGBA with `alpha`) of `w`×`h`
/// lossily, from distance 1.0 up until the codestream is within `budget`
/// bytes (the last distance's result otherwise). `Ok(None)` when cjxl
/// cannot be found.
pub(crate) fn encode(
    cjxl: &crate::Tool,
    pixels: &[u8],
    (w, h): (u32, u32),
    alpha: bool,
    budget: usize,
) -> Result<Option<Encoded>, NoticeError> {
    let dir = tempfile::tempdir().map_err(NoticeError::io("cannot make a temporary directory"))?;
    let png = dir.path().join("badged.png");
    let out = dir.path().join("badged.jxl");
    {
        let file = std::fs::File::create(&png).map_err(NoticeError::io("cannot write a PNG"))?;
        let colour = if alpha {
            ExtendedColorType::Rgba8
        } else {
            ExtendedColorType::Rgb8
        };
        // Fast: cjxl reads it once, and sRGB is what a PNG without a
        // colour chunk means, as zune-jpegxl's output does.
        PngEncoder::new_with_quality(
            std::io::BufWriter::new(file),
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        )
        .write_image(pixels, w, h, colour)
        .map_err(NoticeError::encode("cannot write a PNG for cjxl"))?;
    }
    let pixels = u64::from(w) * u64::from(h);
    for (i, distance) in DISTANCES.iter().enumerate() {
        // Each try is another full encode, as slow as HEVC's: its own time.
        tamga_media::watchdog::allow_pixels(
            pixels,
            tamga_media::time_budget::HEIF_MS_PER_MEGAPIXEL * (i as u64 + 1),
        );
        let run = tamga_media::child_process::output(
            Command::new(cjxl.program())
                .arg(&png)
                .arg(&out)
                .args(["-d", distance, "--quiet"]),
        );
        let run = match run {
            Ok(run) => run,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(NoticeError::io("cannot start cjxl")(e)),
        };
        if !run.status.success() {
            let said = String::from_utf8_lossy(&run.stderr);
            return Err(
                NoticeError::encode(format!("cjxl failed ({})", run.status))(
                    said.trim().to_string(),
                ),
            );
        }
        let written = std::fs::read(&out).map_err(NoticeError::io("cannot read cjxl's output"))?;
        let codestream = codestream(written)?;
        if codestream.len() <= budget || i + 1 == DISTANCES.len() {
            return Ok(Some(Encoded {
                codestream,
                distance,
            }));
        }
    }
    Err(NoticeError::Unexpected("no JPEG XL distance to try"))
}

/// The codestream of what cjxl wrote: the file itself when bare, else
/// its `jxlc` box (cjxl uses a container when it has metadata to store).
fn codestream(file: Vec<u8>) -> Result<Vec<u8>, NoticeError> {
    if file.starts_with(&[0xFF, 0x0A]) {
        return Ok(file);
    }
    let mut at = 0usize;
    while at + 8 <= file.len() {
        let size = u32::from_be_bytes([file[at], file[at + 1], file[at + 2], file[at + 3]]);
        let kind = &file[at + 4..at + 8];
        // 0 means "to the end"; 1 (a 64-bit size) cjxl never writes here.
        let end = if size == 0 {
            file.len()
        } else {
            at.saturating_add(size as usize)
        };
        if end > file.len() || end < at + 8 {
            break;
        }
        if kind == b"jxlc" {
            return Ok(file[at + 8..end].to_vec());
        }
        at = end;
    }
    Err(NoticeError::Unexpected(
        "cjxl wrote a JPEG XL file without a single codestream box",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs cjxl on PATH (libjxl-tools, which `.ci/run` installs).
    #[test]
    fn the_distance_rises_until_the_budget_is_met() {
        let (w, h) = (96u32, 64u32);
        let pixels: Vec<u8> = (0..w * h * 3)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let first = encode(
            &crate::Tool::on_path("cjxl"),
            &pixels,
            (w, h),
            false,
            usize::MAX,
        )
        .unwrap()
        .unwrap();
        assert_eq!(first.distance, "1.0");
        assert!(first.codestream.starts_with(&[0xFF, 0x0A]));
        // Just under what distance 1.0 makes: a higher distance fits.
        let next = encode(
            &crate::Tool::on_path("cjxl"),
            &pixels,
            (w, h),
            false,
            first.codestream.len() - 1,
        )
        .unwrap()
        .unwrap();
        assert_ne!(next.distance, "1.0");
        assert!(next.codestream.len() < first.codestream.len());
        // Nothing fits: the last distance's result, for the note to say so.
        let last = encode(&crate::Tool::on_path("cjxl"), &pixels, (w, h), false, 0)
            .unwrap()
            .unwrap();
        assert_eq!(last.distance, DISTANCES[DISTANCES.len() - 1]);
    }

    #[test]
    fn the_codestream_is_found_bare_or_boxed() {
        let bare = b"\xFF\x0Acode".to_vec();
        assert_eq!(codestream(bare.clone()).unwrap(), bare);
        let boxed =
            crate::images::jxl_writer::container(b"\xFF\x0Acode", Some(b"\0\0\0\0MM")).unwrap();
        assert_eq!(codestream(boxed).unwrap(), bare);
        assert!(codestream(b"\0\0\0\x0CJXL \x0D\x0A\x87\x0A".to_vec()).is_err());
        assert!(codestream(b"\0\0\0\x04jxlc".to_vec()).is_err());
    }
}
