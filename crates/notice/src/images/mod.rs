//! Putting the notice badge into an image file, keeping what makes the file
//! itself: format, colour type, ICC profile, EXIF (orientation included),
//! every frame of an animated GIF, 16 bits per channel where PNG and TIFF
//! have them, and a JPEG quality close to the source's.
//!
//! The badge goes in the corner as the image is *displayed*: the pixels are
//! turned upright by their EXIF orientation, badged, and turned back, so the
//! stored orientation stays valid and viewers show the badge where asked.

pub mod badge;
mod gif_writer;
mod heif_depth;
mod heif_writer;
mod jpeg_encode;
mod jxl_lossy;
mod jxl_writer;
mod svg_error;
pub(crate) mod svg_writer;
mod tiff_writer;
mod webp_writer;

pub use svg_error::SvgError;

use std::io::Cursor;

use image::{
    codecs::png::{CompressionType, FilterType, PngEncoder},
    metadata::Orientation,
    ColorType, DynamicImage, ImageDecoder, ImageEncoder, ImageReader,
};

use tamga_media::BadgeWriter;

use crate::{
    error::NoticeError, images::badge::Badge, options::NoticePosition, DecodeLimits, MediaFormat,
    Unsupported,
};

/// The badged file, and the badge drawn.
pub struct Badged {
    /// The whole file, in the source's format.
    pub bytes: Vec<u8>,
    /// What was drawn, and where.
    pub badge: Badge,
    /// What changed in the encoding that a user should know, e.g. the JPEG
    /// quality chosen.
    pub note: Option<String>,
}

/// Loads the codec library a badge on `format` needs, if any (libheif
/// for HEIC and AVIF, from `libheif` or the system's), so that a missing
/// one is said before any work.
pub fn load_codecs(
    format: MediaFormat,
    libheif: Option<&std::path::Path>,
) -> Result<(), crate::LibraryError> {
    if format.spec().badge == Some(BadgeWriter::Heif) {
        tamga_heif::Libheif::load(libheif)?;
    }
    Ok(())
}

/// Whether tamga can badge `format` and write it back in the same format
/// (the format table's `badge`). HEIC and AVIF go through libheif, loaded
/// when the notice is made: a machine without it is told then, before any
/// other work.
pub fn supported(format: MediaFormat) -> bool {
    format.spec().badge.is_some()
}

/// What [`edit`] does to the pixels: the badge, then the caller's own
/// change (an invisible watermark), which so covers the badge too.
#[derive(Default)]
pub struct Edit<'a> {
    /// The badge's candidate wordings and its corner.
    pub badge: Option<(&'a [Vec<String>], NoticePosition)>,
    /// A change made to the upright pixels after the badge; it reports its
    /// own outcome to its owner.
    pub then: Option<&'a mut dyn FnMut(&mut DynamicImage)>,
}

/// The edited file.
pub struct Edited {
    /// The whole file, in the source's format.
    pub bytes: Vec<u8>,
    /// The badge drawn, when one was asked for.
    pub badge: Option<Badge>,
    /// What changed in the encoding that a user should know.
    pub note: Option<String>,
}

/// Draws the first fitting candidate in `corner` of the image in `input`,
/// decoding no more than `limits` allow; HEIC and AVIF through libheif
/// and lossy JPEG XL through cjxl, as `tools` say.
pub fn apply(
    tools: &crate::Tools,
    input: &[u8],
    format: MediaFormat,
    candidates: &[Vec<String>],
    corner: NoticePosition,
    limits: &DecodeLimits,
) -> Result<Badged, NoticeError> {
    let plan = Edit {
        badge: Some((candidates, corner)),
        then: None,
    };
    let edited = edit(tools, input, format, plan, limits)?;
    match edited.badge {
        Some(badge) => Ok(Badged {
            bytes: edited.bytes,
            badge,
            note: edited.note,
        }),
        None => Err(NoticeError::Inconsistent("the badge was not drawn")),
    }
}

/// Whether [`edit`] can make a pixel change besides the badge in `format`:
/// the formats decoded to pixels and encoded back by `image` (JPEG, PNG,
/// WebP, TIFF, BMP). GIF palettes, drawings, JPEG XL and HEIF go through
/// their own writers, which only draw badges.
pub fn editable(format: MediaFormat) -> bool {
    format.spec().badge == Some(BadgeWriter::Raster)
}

/// Decodes the image in `input`, applies `plan` to its pixels as
/// displayed (turned upright by their EXIF orientation) and encodes it
/// back in its own format, keeping its metadata, bit depth and a JPEG
/// quality close to the source's.
pub fn edit(
    tools: &crate::Tools,
    input: &[u8],
    format: MediaFormat,
    plan: Edit<'_>,
    limits: &DecodeLimits,
) -> Result<Edited, NoticeError> {
    let badged = |b: Badged| Edited {
        bytes: b.bytes,
        badge: Some(b.badge),
        note: b.note,
    };
    let own_writer = match format.spec().badge {
        Some(BadgeWriter::Raster)
            if !(format == MediaFormat::Tiff && crate::images::tiff_writer::is_bilevel(input)) =>
        {
            false
        }
        None => return Err(no_badges(format)),
        Some(_) => true,
    };
    if own_writer {
        let Some((candidates, corner)) = plan.badge else {
            return Err(no_pixel_edits(format));
        };
        if plan.then.is_some() {
            return Err(no_pixel_edits(format));
        }
        return own_writer_badge(tools, input, format, candidates, corner, limits).map(badged);
    }
    let err = image_error;
    let mut reader = ImageReader::new(Cursor::new(input))
        .with_guessed_format()
        .map_err(NoticeError::io(""))?;
    // image's own cap on what its decoders allocate, as a second line
    // behind the header check below.
    reader.limits(image_limits(limits));
    let mut decoder = reader.into_decoder().map_err(err)?;
    // The header's size, before a single pixel is decoded.
    let (w, h) = decoder.dimensions();
    let bpp = u64::from(decoder.color_type().bytes_per_pixel());
    limits.check_image(u64::from(w), u64::from(h), bpp)?;
    let icc = decoder.icc_profile().map_err(err)?;
    let exif = decoder.exif_metadata().map_err(err)?;
    let orientation = decoder.orientation().map_err(err)?;
    let color = decoder.color_type();
    if !matches!(
        color,
        ColorType::L8
            | ColorType::La8
            | ColorType::Rgb8
            | ColorType::Rgba8
            | ColorType::L16
            | ColorType::La16
            | ColorType::Rgb16
            | ColorType::Rgba16
    ) {
        return Err(Unsupported::Layout {
            format: "floating-point",
            layout: format!("{color:?}"),
            why: "8- and 16-bit samples can",
        }
        .into());
    }
    let mut img = DynamicImage::from_decoder(decoder).map_err(err)?;
    // Draw where viewers show the corner: turn upright, draw, turn back.
    // TIFF and BMP are written without EXIF (image's encoders cannot carry
    // it), so there the pixels stay upright: turned back, they would show
    // rotated once the orientation tag is gone.
    img.apply_orientation(orientation);
    let badge = match plan.badge {
        Some((candidates, corner)) => Some(draw_on(&mut img, candidates, corner)?),
        None => None,
    };
    if let Some(then) = plan.then {
        then(&mut img);
    }
    if matches!(
        format,
        MediaFormat::Jpeg | MediaFormat::Png | MediaFormat::Webp
    ) {
        img.apply_orientation(inverse(orientation));
    }

    let mut out = Vec::new();
    let mut note = None;
    let (w, h) = (img.width(), img.height());
    match format {
        MediaFormat::Jpeg => {
            // The source's subsampling and tables, coarser only where
            // needed to stay within 1.5x of its size.
            let said;
            (out, said) = crate::images::jpeg_encode::encode_near_size(
                &img,
                input,
                icc.as_deref(),
                exif.as_deref(),
            )?;
            note = Some(said);
        }
        MediaFormat::Png => {
            let mut enc = PngEncoder::new_with_quality(
                &mut out,
                CompressionType::Default,
                FilterType::Adaptive,
            );
            set_metadata(&mut enc, icc, exif);
            enc.write_image(img.as_bytes(), w, h, color.into())
                .map_err(err)?;
        }
        MediaFormat::Webp => {
            // Lossy stays lossy; ICC, EXIF and every other chunk are
            // copied from the source.
            let (bytes, said) = crate::images::webp_writer::encode(&img, input)?;
            (out, note) = (bytes, Some(said));
        }
        MediaFormat::Tiff => {
            // The source's compression, predictor and ICC profile.
            (out, note) = crate::images::tiff_writer::encode(&img, input)?;
        }
        MediaFormat::Bmp => {
            img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Bmp)
                .map_err(err)?;
        }
        other => return Err(no_badges(other)),
    }
    Ok(Edited {
        bytes: out,
        badge,
        note,
    })
}

/// A badge through a format's own writer (GIF, SVG, JPEG XL, HEIF, 1-bit
/// TIFF).
fn own_writer_badge(
    tools: &crate::Tools,
    input: &[u8],
    format: MediaFormat,
    candidates: &[Vec<String>],
    corner: NoticePosition,
    limits: &DecodeLimits,
) -> Result<Badged, NoticeError> {
    match format.spec().badge {
        Some(BadgeWriter::Gif) => {
            crate::images::gif_writer::apply(input, candidates, corner, limits)
        }
        // A drawing is edited as text, never rasterized.
        Some(BadgeWriter::Svg) => Ok(crate::images::svg_writer::apply(input, candidates, corner)?),
        Some(BadgeWriter::Jxl) => {
            crate::images::jxl_writer::apply(&tools.cjxl, input, candidates, corner, limits)
        }
        Some(BadgeWriter::Heif) => crate::images::heif_writer::apply(
            tools.libheif.as_deref(),
            input,
            format,
            candidates,
            corner,
            limits,
        ),
        // 1-bit scans: `image` would widen them to 8 bits.
        Some(BadgeWriter::Raster) => {
            crate::images::tiff_writer::apply_bilevel(input, candidates, corner, limits)
        }
        None => Err(no_badges(format)),
    }
}

/// image's error by cause: a limit its decoder enforces, an encoder's
/// refusal, or content it cannot decode.
pub(crate) fn image_error(e: image::ImageError) -> NoticeError {
    match e {
        image::ImageError::Limits(_) => NoticeError::TooLarge {
            what: "the decoded image",
            limit: "the decoding limits",
        },
        image::ImageError::Encoding(_) => NoticeError::encode("the image cannot be written")(e),
        image::ImageError::IoError(e) => NoticeError::io("")(e),
        e => NoticeError::decode("the image cannot be read")(e),
    }
}

/// `limits` as image's own, for its decoders' allocations.
pub(crate) fn image_limits(limits: &DecodeLimits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_alloc = Some(limits.max_decoded_bytes);
    l
}

/// Draws on the image in its own 8- or 16-bit pixel type, so the file
/// keeps its bit depth.
fn draw_on(
    img: &mut DynamicImage,
    candidates: &[Vec<String>],
    corner: NoticePosition,
) -> Result<Badge, NoticeError> {
    let drawn = match img {
        DynamicImage::ImageLuma8(b) => badge::draw(b, candidates, corner),
        DynamicImage::ImageLumaA8(b) => badge::draw(b, candidates, corner),
        DynamicImage::ImageRgb8(b) => badge::draw(b, candidates, corner),
        DynamicImage::ImageRgba8(b) => badge::draw(b, candidates, corner),
        DynamicImage::ImageLuma16(b) => badge::draw(b, candidates, corner),
        DynamicImage::ImageLumaA16(b) => badge::draw(b, candidates, corner),
        DynamicImage::ImageRgb16(b) => badge::draw(b, candidates, corner),
        DynamicImage::ImageRgba16(b) => badge::draw(b, candidates, corner),
        other => {
            return Err(Unsupported::Layout {
                format: "floating-point",
                layout: format!("{:?}", other.color()),
                why: "8- and 16-bit samples can",
            }
            .into())
        }
    };
    Ok(drawn?)
}

fn no_pixel_edits(format: MediaFormat) -> NoticeError {
    Unsupported::Format {
        format,
        notice: "an invisible watermark",
    }
    .into()
}

fn no_badges(format: MediaFormat) -> NoticeError {
    Unsupported::Format {
        format,
        notice: "badges",
    }
    .into()
}

/// The orientation that undoes `o`. Rotations pair up; flips and the two
/// diagonal reflections undo themselves.
fn inverse(o: Orientation) -> Orientation {
    match o {
        Orientation::Rotate90 => Orientation::Rotate270,
        Orientation::Rotate270 => Orientation::Rotate90,
        other => other,
    }
}

fn set_metadata(enc: &mut dyn ImageEncoder, icc: Option<Vec<u8>>, exif: Option<Vec<u8>>) {
    // An encoder that cannot carry a profile or EXIF says so; the image
    // is still right, so that is not worth failing the label for.
    if let Some(icc) = icc {
        let _ = enc.set_icc_profile(icc);
    }
    if let Some(exif) = exif {
        let _ = enc.set_exif_metadata(exif);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotated_tiff_is_written_upright_with_the_badge_where_it_was_seen() {
        use tiff::encoder::{colortype::RGB8, TiffEncoder as Raw};
        // Stored 60×40, Orientation 6: shown 40×60, turned 90° clockwise.
        let (w, h) = (60u32, 40u32);
        let data: Vec<u8> = (0..w * h)
            .flat_map(|i| [(i % 251) as u8, 90, 200])
            .collect();
        let mut bytes = Vec::new();
        {
            let mut enc = Raw::new(std::io::Cursor::new(&mut bytes)).unwrap();
            let mut img = enc.new_image::<RGB8>(w, h).unwrap();
            img.encoder()
                .write_tag(tiff::tags::Tag::Orientation, 6u16)
                .unwrap();
            img.write_data(&data).unwrap();
        }
        let lines = vec![vec!["AI".to_string()]];
        let b = apply(
            &crate::Tools::default(),
            &bytes,
            MediaFormat::Tiff,
            &lines,
            NoticePosition::BottomRight,
            &DecodeLimits::default(),
        )
        .unwrap();
        let out = image::load_from_memory(&b.bytes).unwrap();
        assert_eq!((out.width(), out.height()), (40, 60), "stored upright");
        let (x, y, bw, bh) = b.badge.rect;
        assert!(
            x + bw <= 40 && y + bh <= 60 && x > 10 && y > 20,
            "{:?}",
            b.badge
        );
        let p = out.to_rgb8().get_pixel(x, y).0;
        assert!(
            p.iter().all(|&c| c < 80),
            "dark box at the shown corner: {p:?}"
        );
    }

    #[test]
    fn a_png_header_claiming_too_many_pixels_is_refused_before_decoding() {
        // A valid 1×1 PNG whose IHDR then claims 60000×60000.
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(&[0, 0, 0], 1, 1, ColorType::Rgb8.into())
            .unwrap();
        png[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let lines = vec![vec!["AI".to_string()]];
        let err = apply(
            &crate::Tools::default(),
            &png,
            MediaFormat::Png,
            &lines,
            NoticePosition::TopLeft,
            &DecodeLimits::default(),
        )
        .err()
        .unwrap();
        match err {
            NoticeError::Limit(e) => {
                assert_eq!(
                    (e.limit, e.value),
                    (tamga_media::Limit::Pixels, 3_600_000_000)
                )
            }
            other => panic!("{other}"),
        }
    }

    /// CRC-32 (ISO-HDLC), for patching PNG chunks.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    #[test]
    fn inverse_orientation_restores_the_pixels() {
        let img = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(5, 3, |x, y| {
            image::Rgba([x as u8, y as u8, 0, 255])
        }));
        for o in [
            Orientation::NoTransforms,
            Orientation::Rotate90,
            Orientation::Rotate180,
            Orientation::Rotate270,
            Orientation::FlipHorizontal,
            Orientation::FlipVertical,
            Orientation::Rotate90FlipH,
            Orientation::Rotate270FlipH,
        ] {
            let mut t = img.clone();
            t.apply_orientation(o);
            t.apply_orientation(inverse(o));
            assert_eq!(t, img, "{o:?}");
        }
    }
}
