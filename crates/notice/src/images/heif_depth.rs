//! Drawing the badge on 10- and 12-bit HEIC/AVIF pixels, which libheif
//! hands over as 16-bit little-endian samples holding `depth` bits.
//!
//! The samples are scaled up to the full 16-bit range for [`badge::draw`]
//! (whose box and text colours are fractions of the full scale), and back
//! down afterwards, so every sample keeps its value outside the badge.

use image::{ImageBuffer, Rgb, Rgba};

use crate::{images::badge, options::NoticePosition};

/// Badges the interleaved little-endian `depth`-bit samples in `pixels`
/// (RGB, or RGBA with `alpha`); returns the badge and the samples.
pub(crate) fn draw_deep(
    pixels: Vec<u8>,
    (w, h): (u32, u32),
    depth: u8,
    alpha: bool,
    candidates: &[Vec<String>],
    corner: NoticePosition,
) -> Result<(badge::Badge, Vec<u8>), crate::NoticeError> {
    let shift = 16u32.saturating_sub(u32::from(depth));
    let samples: Vec<u16> = pixels
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]) << shift)
        .collect();
    let bad = || crate::NoticeError::Inconsistent("the decoded pixels do not fill the image");
    let (badge, samples) = if alpha {
        let mut img: ImageBuffer<Rgba<u16>, _> =
            ImageBuffer::from_raw(w, h, samples).ok_or_else(bad)?;
        let b = badge::draw(&mut img, candidates, corner)?;
        (b, img.into_raw())
    } else {
        let mut img: ImageBuffer<Rgb<u16>, _> =
            ImageBuffer::from_raw(w, h, samples).ok_or_else(bad)?;
        let b = badge::draw(&mut img, candidates, corner)?;
        (b, img.into_raw())
    };
    let bytes = samples
        .iter()
        .flat_map(|v| (v >> shift).to_le_bytes())
        .collect();
    Ok((badge, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_outside_the_badge_keep_their_10_bit_values() {
        let (w, h) = (200u32, 120u32);
        let values: Vec<u16> = (0..w * h * 3).map(|i| (i % 1024) as u16).collect();
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let lines = vec![vec!["AI".to_string()]];
        let (b, out) =
            draw_deep(bytes, (w, h), 10, false, &lines, NoticePosition::TopLeft).unwrap();
        let out: Vec<u16> = out
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert!(out.iter().all(|&v| v < 1024), "still 10-bit values");
        let (bx, by, bw, bh) = b.rect;
        for y in 0..h {
            for x in 0..w {
                let inside = x >= bx && x < bx + bw && y >= by && y < by + bh;
                let i = ((y * w + x) * 3) as usize;
                if !inside {
                    assert_eq!(out[i..i + 3], values[i..i + 3], "({x},{y})");
                }
            }
        }
    }
}
