//! Manifest thumbnails, made fast.
//!
//! c2pa's built-in thumbnailer decodes the full image and resizes with a
//! high-quality filter: ~24 ms of the ~24.2 ms it takes to label a 61 KB
//! JPEG. A thumbnail is a preview, so tamga decodes JPEGs at reduced scale
//! straight from the DCT coefficients (1/2 … 1/8, jpeg-decoder's `scale`),
//! and shrinks with a cheap filter the rest of the way.

use std::io::{Cursor, Read, Seek};

use fast_image_resize as fr;
use image::{DynamicImage, ImageFormat, RgbImage};

use crate::MediaFormat;

/// Thumbnail settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThumbnailOptions {
    /// Whether to embed a thumbnail at all.
    pub enabled: bool,
    /// Longest edge in pixels.
    pub long_edge: u32,
    /// JPEG quality, 1–100.
    pub quality: u8,
}

impl Default for ThumbnailOptions {
    /// 256 px at quality 75: enough for a verifier's preview, ~10 KB in the manifest.
    fn default() -> Self {
        Self {
            enabled: true,
            long_edge: 256,
            quality: 75,
        }
    }
}

/// Decoded images bigger than this many pixels get no thumbnail (decompression bombs).
const MAX_PIXELS: u64 = 100_000_000;

/// A small JPEG preview of the image at `path`, for reports (the gate's
/// HTML page): `None` for formats decoded elsewhere or damaged images.
pub fn preview(path: &std::path::Path, format: MediaFormat, long_edge: u32) -> Option<Vec<u8>> {
    // The same checks as every other read of an untrusted file: a regular
    // file only (a FIFO would block), and a decoder's panic is no preview.
    crate::watchdog::guard(path, || {
        let (mut file, _) = crate::input::open_regular(path, path)?;
        let options = ThumbnailOptions {
            enabled: true,
            long_edge,
            quality: 70,
        };
        Ok::<_, tamga_media::MediaError>(make(&mut file, format, &options).map(|(_, bytes)| bytes))
    })
    .ok()
    .flatten()
}

/// A JPEG of a video's frame at 1 s as a player shows it, its longer side
/// `long_edge` pixels, made by ffmpeg (see `tamga_notice::video::poster`);
/// `None` without ffmpeg or for a video it cannot decode.
pub fn video_preview(
    tools: &tamga_notice::Tools,
    path: &std::path::Path,
    long_edge: u32,
) -> Option<Vec<u8>> {
    tamga_notice::video::poster(tools, path, long_edge).ok()
}

/// Makes a JPEG thumbnail of the image in `source`, or `None` when the format
/// cannot be decoded here (AVIF, HEIC, JPEG XL, SVG) or the image is damaged.
/// A missing thumbnail never fails labelling.
pub(crate) fn make<R: Read + Seek>(
    source: &mut R,
    format: MediaFormat,
    options: &ThumbnailOptions,
) -> Option<(&'static str, Vec<u8>)> {
    if !options.enabled {
        return None;
    }
    let mut bytes = Vec::new();
    source.read_to_end(&mut bytes).ok()?;
    if !format.spec().thumbnail {
        return None;
    }
    let img = if format == MediaFormat::Jpeg {
        // Decoded at a fraction of its size by the DCT: far less work.
        decode_jpeg_scaled(&bytes, options.long_edge)?
    } else {
        let fmt = ImageFormat::from_mime_type(format.mime())?;
        let mut reader = image::ImageReader::with_format(Cursor::new(&bytes), fmt);
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(MAX_PIXELS * 4);
        reader.limits(limits);
        reader.decode().ok()?
    };
    let rgb = shrink(img.into_rgb8(), options.long_edge)?;
    let mut out = Vec::new();
    let (w, h) = (
        u16::try_from(rgb.width()).ok()?,
        u16::try_from(rgb.height()).ok()?,
    );
    jpeg_encoder::Encoder::new(&mut out, options.quality.clamp(1, 100))
        .encode(rgb.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .ok()?;
    Some(("image/jpeg", out))
}

fn decode_jpeg_scaled(bytes: &[u8], long_edge: u32) -> Option<DynamicImage> {
    let mut dec = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    dec.read_info().ok()?;
    let info = dec.info()?;
    if u64::from(info.width) * u64::from(info.height) > MAX_PIXELS {
        return None;
    }
    let target = u16::try_from(long_edge).unwrap_or(u16::MAX);
    // Ask for the smallest DCT scale that is still at least the target size.
    let (w, h) = if info.width >= info.height {
        (
            target,
            (u32::from(target) * u32::from(info.height) / u32::from(info.width).max(1)) as u16,
        )
    } else {
        (
            (u32::from(target) * u32::from(info.width) / u32::from(info.height).max(1)) as u16,
            target,
        )
    };
    let (w, h) = dec.scale(w.max(1), h.max(1)).ok()?;
    let pixels = dec.decode().ok()?;
    let info = dec.info()?;
    let (w, h) = (u32::from(w), u32::from(h));
    match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            image::RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8)
        }
        jpeg_decoder::PixelFormat::L8 => {
            image::GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8)
        }
        // CMYK and 16-bit JPEGs are rare; fall back to a full decode.
        _ => image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).ok(),
    }
}

fn shrink(img: RgbImage, long_edge: u32) -> Option<RgbImage> {
    let (w, h) = (img.width(), img.height());
    if w.max(h) <= long_edge {
        return Some(img);
    }
    let (tw, th) = if w >= h {
        (
            long_edge,
            (u64::from(long_edge) * u64::from(h) / u64::from(w)).max(1) as u32,
        )
    } else {
        (
            (u64::from(long_edge) * u64::from(w) / u64::from(h)).max(1) as u32,
            long_edge,
        )
    };
    let src = fr::images::Image::from_vec_u8(w, h, img.into_raw(), fr::PixelType::U8x3).ok()?;
    let mut dst = fr::images::Image::new(tw, th, fr::PixelType::U8x3);
    // Bilinear is a good speed/quality trade for previews.
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
    fr::Resizer::new().resize(&src, &mut dst, &options).ok()?;
    RgbImage::from_raw(tw, th, dst.into_vec())
}
