//! The Image-Code: the ISCC reference's normalisation (iscc-sdk's
//! `image_normalize`), then iscc-lib's DCT hash of the 32×32 grey pixels.
//!
//! The normalisation, step by step as the reference does it:
//! 1. turn the image upright by its EXIF orientation;
//! 2. paint transparency onto white;
//! 3. trim near-uniform borders (a tolerance of 16 per channel against the
//!    top-left pixel, repeated up to 16 times; a cut on one side only must
//!    remove a flat band, so a sky's gradient is not eaten away);
//! 4. convert to grey with Pillow's integer weights (ITU-R 601);
//! 5. reduce to 32×32 with Pillow's antialiasing bicubic ([`crate::resample`]).
//!
//! Steps 4 and 5 run together, a row at a time, so the full-size image is
//! read once after decoding and no full-size grey or RGBA copy is made.
//!
//! Speed: a large JPEG (short side of [`SCALED_JPEG_FROM`] pixels or more,
//! i.e. every phone or camera photo) is decoded at 1/2 to 1/8 of its size
//! straight from the DCT (jpeg-decoder's scaled IDCT: each 8×8 block's
//! lowest frequencies), keeping at least 512 pixels on the short side —
//! sixteen times what the 32×32 reduction needs. Full decoding, colour
//! conversion and upsampling of 12 megapixels would cost more than the
//! whole 150 ms budget; the reduction averages those pixels away anyway.
//! The price: on such photos the code can differ from the reference's
//! full-size decode by a bit or two (`tests/reference.rs` measures it);
//! smaller images and other formats match it bit for bit.

use std::{
    borrow::Cow,
    io::{BufRead, Seek},
};

use image::{DynamicImage, ImageDecoder, ImageReader};
use tamga_media::DecodeLimits;

use crate::{resample, ContentCode, ContentKind, FingerprintError};

/// Short side, in pixels, from which a JPEG is decoded at reduced scale.
pub const SCALED_JPEG_FROM: u32 = 1024;
/// Short side a reduced-scale decode keeps at least.
const SCALED_MIN_SIDE: u32 = 512;

/// Per-channel difference from the border colour below which a pixel is
/// still border (iscc-sdk's `image_trim_tolerant` default).
const TRIM_TOLERANCE: u8 = 16;
/// Most trimming passes (iscc-sdk's `TRIM_MAX_PASSES`).
const TRIM_MAX_PASSES: usize = 16;

/// Decodes an image (any format the `image` crate reads here: JPEG, PNG,
/// GIF's first frame, WebP, TIFF, BMP) and computes its Image-Code. The
/// declared size is checked against `limits` before any pixel is decoded.
pub fn image<R: BufRead + Seek>(
    mut reader: R,
    limits: &DecodeLimits,
) -> Result<ContentCode, FingerprintError> {
    let bad = |e: std::io::Error| FingerprintError::decode(ContentKind::Image)(e.into());
    let start = reader.stream_position().map_err(bad)?;
    if reader
        .fill_buf()
        .map_err(bad)?
        .starts_with(&[0xFF, 0xD8, 0xFF])
    {
        if let Some(decoded) = large_jpeg(&mut reader, limits)? {
            return image_code(&decoded);
        }
        reader.seek(std::io::SeekFrom::Start(start)).map_err(bad)?;
    }
    let mut decoder = ImageReader::new(reader)
        .with_guessed_format()
        .map_err(bad)?
        .into_decoder()
        .map_err(|e| FingerprintError::decode(ContentKind::Image)(e.into()))?;
    let (width, height) = decoder.dimensions();
    let bytes_per_pixel = u64::from(decoder.color_type().bytes_per_pixel());
    limits.check_image(u64::from(width), u64::from(height), bytes_per_pixel)?;
    // The decoder's own allocation cap as well, in case a header lies.
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_decoded_bytes);
    decoder
        .set_limits(image_limits)
        .map_err(|e| FingerprintError::decode(ContentKind::Image)(e.into()))?;
    // A file whose EXIF cannot be read is still an image: upright as stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut decoded = DynamicImage::from_decoder(decoder)
        .map_err(|e| FingerprintError::decode(ContentKind::Image)(e.into()))?;
    decoded.apply_orientation(orientation);
    image_code(&decoded)
}

/// A JPEG with a short side of [`SCALED_JPEG_FROM`] or more, decoded at
/// reduced scale and turned upright; `None` for smaller or unusual ones
/// (CMYK, 16-bit), which take the full decode, and `None` too for a file
/// jpeg-decoder refuses: the full decoder (zune-jpeg) is more lenient, and
/// the file's verdict is its.
fn large_jpeg(
    reader: &mut impl BufRead,
    limits: &DecodeLimits,
) -> Result<Option<DynamicImage>, FingerprintError> {
    let mut decoder = jpeg_decoder::Decoder::new(reader);
    if decoder.read_info().is_err() {
        return Ok(None);
    }
    let Some(info) = decoder.info() else {
        return Ok(None);
    };
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    // The limits hold for the file as declared, whatever scale it is
    // decoded at: a file past them is refused the same either way.
    limits.check_image(u64::from(w), u64::from(h), 3)?;
    let short = w.min(h);
    if short < SCALED_JPEG_FROM
        || info.pixel_format != jpeg_decoder::PixelFormat::RGB24
            && info.pixel_format != jpeg_decoder::PixelFormat::L8
    {
        return Ok(None);
    }
    // jpeg-decoder picks the smallest DCT scale at least this large.
    let want =
        |side: u32| (u64::from(side) * u64::from(SCALED_MIN_SIDE)).div_ceil(u64::from(short));
    let Ok((sw, sh)) = decoder.scale(
        u16::try_from(want(w)).unwrap_or(u16::MAX),
        u16::try_from(want(h)).unwrap_or(u16::MAX),
    ) else {
        return Ok(None);
    };
    decoder.set_max_decoding_buffer_size(
        usize::try_from(limits.max_decoded_bytes).unwrap_or(usize::MAX),
    );
    let Ok(pixels) = decoder.decode() else {
        return Ok(None);
    };
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let short_of = || FingerprintError::Empty {
        kind: ContentKind::Image,
        what: "fewer pixels than the header declares",
    };
    let mut decoded = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => image::GrayImage::from_raw(sw, sh, pixels)
            .map(DynamicImage::ImageLuma8)
            .ok_or_else(short_of)?,
        _ => image::RgbImage::from_raw(sw, sh, pixels)
            .map(DynamicImage::ImageRgb8)
            .ok_or_else(short_of)?,
    };
    if let Some(o) = decoder
        .exif_data()
        .and_then(image::metadata::Orientation::from_exif_chunk)
    {
        decoded.apply_orientation(o);
    }
    Ok(Some(decoded))
}

/// The Image-Code of decoded pixels, already upright (steps 2–5 above): for
/// callers that decode formats this crate does not (HEIF, AVIF, JPEG XL,
/// SVG rasterised).
pub fn image_code(image: &DynamicImage) -> Result<ContentCode, FingerprintError> {
    let pixels = normalize(image)?;
    let unit = iscc_lib::gen_image_code_v0(&pixels, 64)?;
    let code = ContentCode::from_unit(ContentKind::Image, unit.iscc, false)?;
    Ok(ContentCode {
        featureless: is_featureless(code.bits),
        ..code
    })
}

/// The 1024 grey values the Image-Code hashes (steps 2–5 above).
pub fn normalize(image: &DynamicImage) -> Result<[u8; 1024], FingerprintError> {
    let plane = Plane::new(image);
    if plane.width == 0 || plane.height == 0 {
        return Err(FingerprintError::Empty {
            kind: ContentKind::Image,
            what: "no pixels",
        });
    }
    let r = trim(&plane);
    Ok(resample::to_32x32(r.x1 - r.x0, r.y1 - r.y0, |y, line| {
        plane.grey_row(r.x0, r.y0 + y, line)
    }))
}

/// Whether an Image-Code carries too little to match on: a uniform image,
/// a one-axis gradient, plain stripes. Their codes are nearly all alike,
/// so a registry must not match them (iscc-sdk's rule: the 64-bit body
/// has fewer than 8 bits set; a DCT median split sets 32).
pub fn is_featureless(bits: u64) -> bool {
    bits.count_ones() < 8
}

/// The pixels after step 2: grey or RGB, 8 bits, opaque.
struct Plane<'a> {
    data: Cow<'a, [u8]>,
    width: usize,
    height: usize,
    channels: usize,
}

/// Paints `value` with opacity `alpha` onto white, with Pillow's rounding
/// (`Image.paste` with a mask, as the reference does).
fn onto_white(value: u8, alpha: u8) -> u8 {
    let (v, a) = (u32::from(value), u32::from(alpha));
    let t = v * a + 255 * (255 - a) + 128;
    (((t >> 8) + t) >> 8) as u8
}

impl<'a> Plane<'a> {
    fn new(image: &'a DynamicImage) -> Self {
        let (width, height) = (image.width() as usize, image.height() as usize);
        let (data, channels): (Cow<'a, [u8]>, usize) = match image {
            DynamicImage::ImageLuma8(b) => (Cow::Borrowed(b.as_raw()), 1),
            DynamicImage::ImageRgb8(b) => (Cow::Borrowed(b.as_raw()), 3),
            DynamicImage::ImageLumaA8(b) => (
                b.as_raw()
                    .chunks_exact(2)
                    .map(|p| onto_white(p[0], p[1]))
                    .collect(),
                1,
            ),
            DynamicImage::ImageRgba8(b) => (rgba_onto_white(b.as_raw()), 3),
            // 16-bit and float images: reduced to 8 bits first, as the
            // reference's Pillow modes are.
            other if other.color().has_alpha() => (rgba_onto_white(&other.to_rgba8()), 3),
            other => (Cow::Owned(other.to_rgb8().into_raw()), 3),
        };
        Self {
            data,
            width,
            height,
            channels,
        }
    }

    fn pixel(&self, x: usize, y: usize) -> &[u8] {
        let at = (y * self.width + x) * self.channels;
        self.data.get(at..at + self.channels).unwrap_or_default()
    }

    /// Grey row `y` from column `x0` on, into `line` (Pillow's `L` from
    /// `RGB`: weights 0.299, 0.587, 0.114 in 16-bit fixed point).
    fn grey_row(&self, x0: usize, y: usize, line: &mut [u8]) {
        let at = (y * self.width + x0) * self.channels;
        let src = self
            .data
            .get(at..at + line.len() * self.channels)
            .unwrap_or_default();
        if self.channels == 1 {
            line.copy_from_slice(src);
            return;
        }
        for (out, p) in line.iter_mut().zip(src.chunks_exact(3)) {
            let sum = u32::from(p[0]) * 19595 + u32::from(p[1]) * 38470 + u32::from(p[2]) * 7471;
            *out = ((sum + 0x8000) >> 16) as u8;
        }
    }
}

fn rgba_onto_white(rgba: &[u8]) -> Cow<'static, [u8]> {
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for p in rgba.chunks_exact(4) {
        rgb.extend([p[0], p[1], p[2]].map(|v| onto_white(v, p[3])));
    }
    Cow::Owned(rgb)
}

/// A rectangle of the plane, half-open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rect {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
}

/// Step 3: the region left after trimming near-uniform borders.
fn trim(plane: &Plane<'_>) -> Rect {
    let mut r = Rect {
        x0: 0,
        y0: 0,
        x1: plane.width,
        y1: plane.height,
    };
    for _ in 0..TRIM_MAX_PASSES {
        let Some(b) = content_box(plane, r, TRIM_TOLERANCE) else {
            break;
        };
        if b == r {
            break;
        }
        let sides = usize::from(b.x0 > r.x0)
            + usize::from(b.y0 > r.y0)
            + usize::from(b.x1 < r.x1)
            + usize::from(b.y1 < r.y1);
        // One side only: trim only if the band is flat even at half the
        // tolerance, so a smooth gradient is not mistaken for a border.
        if sides == 1 && content_box(plane, r, TRIM_TOLERANCE / 2) != Some(b) {
            break;
        }
        r = b;
    }
    r
}

/// The bounding box, within `r`, of the pixels that differ from `r`'s
/// top-left pixel by more than `tolerance` in some channel; `None` if none
/// does. Scans inward from each edge, so the cost is the border's size,
/// not the image's.
fn content_box(plane: &Plane<'_>, r: Rect, tolerance: u8) -> Option<Rect> {
    let reference = plane.pixel(r.x0, r.y0).to_vec();
    let differs = |x: usize, y: usize| {
        plane
            .pixel(x, y)
            .iter()
            .zip(&reference)
            .any(|(&v, &c)| v.abs_diff(c) > tolerance)
    };
    let row_differs = |y: usize| (r.x0..r.x1).any(|x| differs(x, y));
    let y0 = (r.y0..r.y1).find(|&y| row_differs(y))?;
    let y1 = (y0..r.y1).rev().find(|&y| row_differs(y))? + 1;
    let column_differs = |x: usize| (y0..y1).any(|y| differs(x, y));
    let x0 = (r.x0..r.x1).find(|&x| column_differs(x))?;
    let x1 = (x0..r.x1).rev().find(|&x| column_differs(x))? + 1;
    Some(Rect { x0, y0, x1, y1 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma, Rgba, RgbaImage};

    fn pattern(w: u32, h: u32) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| Luma([((x * 37 + y * 91) % 251) as u8]))
    }

    #[test]
    fn a_uniform_frame_is_trimmed_away() {
        let inner = pattern(64, 48);
        let mut framed = GrayImage::from_pixel(100, 80, Luma([250]));
        image::imageops::replace(&mut framed, &inner, 10, 20);
        let a = normalize(&DynamicImage::ImageLuma8(inner)).unwrap();
        let b = normalize(&DynamicImage::ImageLuma8(framed)).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_gradient_on_one_side_is_not_a_border() {
        // Columns brighten slowly left to right: the left edge is within the
        // tolerance of the corner, but the band is no flat border.
        let img = GrayImage::from_fn(200, 50, |x, _| Luma([(x / 2) as u8]));
        let img = DynamicImage::ImageLuma8(img);
        let plane = Plane::new(&img);
        assert_eq!(
            trim(&plane),
            Rect {
                x0: 0,
                y0: 0,
                x1: 200,
                y1: 50
            }
        );
    }

    #[test]
    fn transparency_is_white() {
        let clear = RgbaImage::from_pixel(40, 40, Rgba([0, 0, 0, 0]));
        let plane = DynamicImage::ImageRgba8(clear);
        assert!(normalize(&plane).unwrap().iter().all(|&v| v == 255));
        assert_eq!(onto_white(0, 255), 0);
        assert_eq!(onto_white(0, 128), 127);
    }

    #[test]
    fn an_image_without_pixels_is_an_error_value() {
        let empty = DynamicImage::ImageLuma8(GrayImage::new(0, 5));
        assert!(matches!(
            image_code(&empty),
            Err(FingerprintError::Empty { .. })
        ));
    }

    /// PNG's chunk checksum (CRC-32, as zlib's).
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn garbage_and_bombs_are_errors_not_panics() {
        let limits = DecodeLimits::default();
        let junk = std::io::Cursor::new(b"\xff\xd8\xff\xe0 not really a jpeg".to_vec());
        assert!(image(junk, &limits).unwrap_err().is_bad_input());
        // A PNG header claiming 60000x60000: refused before decoding.
        let mut png = Vec::new();
        png.extend_from_slice(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        png.extend_from_slice(&60_000u32.to_be_bytes());
        png.extend_from_slice(&60_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0]);
        let crc = crc32(&png[12..]);
        png.extend_from_slice(&crc.to_be_bytes());
        // The decoder reads up to the first image data before it answers.
        png.extend_from_slice(b"\0\0\0\0IDAT");
        png.extend_from_slice(&crc32(b"IDAT").to_be_bytes());
        let e = image(std::io::Cursor::new(png), &limits).unwrap_err();
        assert!(matches!(e, FingerprintError::LimitExceeded(_)), "{e:?}");
    }
}
