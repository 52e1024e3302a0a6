//! Decoding a file's pixels for the watermark reader, within the same
//! limits as every other decode in tamga: a header claiming a huge image
//! is refused before anything is allocated.

use std::io::{BufRead, Seek};

use image::ImageReader;
use tamga_media::{DecodeLimits, Exceeded};

use crate::{
    sd_dwtdct::{self, SdMark},
    tamga_mark::{self, Detection, MarkKey},
};

/// Why an image could not be read for watermarks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WatermarkError {
    /// The bytes are not an image `image` can decode (bad input).
    #[error("cannot decode the image: {0}")]
    Decode(#[from] image::ImageError),
    /// The image would go past a decode limit.
    #[error("{0}")]
    Limit(#[from] Exceeded),
    /// Reading the input failed.
    #[error("cannot read the image: {0}")]
    Io(#[from] std::io::Error),
}

/// Decodes the image in `reader` (any format the `image` crate reads
/// here) and looks for the Stable Diffusion watermark. The EXIF
/// orientation is not applied: the mark was embedded in the stored pixels.
pub fn read_sd_mark<R: BufRead + Seek>(
    reader: R,
    limits: &DecodeLimits,
) -> Result<Option<SdMark>, WatermarkError> {
    let (img, _) = decode(reader, limits, 3)?;
    Ok(sd_dwtdct::decode(&img.into_rgb8()))
}

/// Decodes the image in `reader` and looks for tamga's own watermark in
/// it as displayed (turned upright by its EXIF orientation, as tamga
/// embeds it).
pub fn read_tamga_mark<R: BufRead + Seek>(
    reader: R,
    limits: &DecodeLimits,
) -> Result<Option<Detection>, WatermarkError> {
    // The detector's planes: luma, two box means, the residual and its
    // energy, each 4 bytes a pixel.
    let (mut img, orientation) = decode(reader, limits, 20)?;
    img.apply_orientation(orientation);
    Ok(tamga_mark::detect(&img, MarkKey::TAMGA))
}

/// The marks one decode of an image found.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Marks {
    /// tamga's own, read upright.
    pub tamga: Option<Detection>,
    /// Stable Diffusion's, read in the stored pixels.
    pub sd: Option<SdMark>,
}

/// Decodes the image in `reader` once and looks for Stable Diffusion's
/// mark in the stored pixels and, when `tamga` is set, for tamga's in the
/// pixels as displayed (a search over scales: the costlier of the two).
pub fn read_marks<R: BufRead + Seek>(
    reader: R,
    limits: &DecodeLimits,
    tamga: bool,
) -> Result<Marks, WatermarkError> {
    // An RGB copy, and the detector's luma plane before it keeps the centre.
    let (mut img, orientation) = decode(reader, limits, 3 + 4)?;
    if !tamga {
        // The gate's usual case: the pixels are only needed once, so an
        // RGB8 image is handed over without a copy.
        let sd = sd_dwtdct::decode(&img.into_rgb8());
        return Ok(Marks { tamga: None, sd });
    }
    let sd = sd_dwtdct::decode(&img.to_rgb8());
    img.apply_orientation(orientation);
    Ok(Marks {
        tamga: tamga_mark::detect(&img, MarkKey::TAMGA),
        sd,
    })
}

/// Decodes within `limits`, counting `extra` bytes a pixel for what the
/// caller makes of the pixels.
fn decode<R: BufRead + Seek>(
    reader: R,
    limits: &DecodeLimits,
    extra: u64,
) -> Result<(image::DynamicImage, image::metadata::Orientation), WatermarkError> {
    let mut decoder = ImageReader::new(reader)
        .with_guessed_format()?
        .into_decoder()?;
    let (width, height) = image::ImageDecoder::dimensions(&decoder);
    let bytes_per_pixel = u64::from(image::ImageDecoder::color_type(&decoder).bytes_per_pixel());
    limits.check_image(
        u64::from(width),
        u64::from(height),
        bytes_per_pixel.saturating_add(extra),
    )?;
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_decoded_bytes);
    image::ImageDecoder::set_limits(&mut decoder, image_limits)?;
    let orientation = image::ImageDecoder::orientation(&mut decoder)?;
    Ok((image::DynamicImage::from_decoder(decoder)?, orientation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_is_a_decode_error_and_a_huge_header_a_limit() {
        let junk = std::io::Cursor::new(b"not an image at all".to_vec());
        let e = read_sd_mark(junk, &DecodeLimits::default()).unwrap_err();
        assert!(matches!(e, WatermarkError::Decode(_)), "{e:?}");

        let mut png = Vec::new();
        image::RgbImage::new(300, 300)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let mut small = DecodeLimits::default();
        small.max_pixels = 1000;
        let e = read_sd_mark(std::io::Cursor::new(png), &small).unwrap_err();
        assert!(matches!(e, WatermarkError::Limit(_)), "{e:?}");
    }
}
