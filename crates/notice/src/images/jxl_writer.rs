//! The notice badge on JPEG XL images: decoded by jxl-oxide (pure Rust),
//! re-encoded losslessly by zune-jpegxl (pure Rust), so the badge costs
//! no further quality; the file may grow, as with lossless WebP.
//!
//! zune-jpegxl writes sRGB only and no ICC profile, so only sRGB images
//! are badged (others fail clearly rather than change colour), 8-bit RGB
//! or RGBA, one frame. Orientation is applied on decoding and the result
//! stored upright; EXIF is carried over in the container's `Exif` box.
//! libjxl (through jpegxl-rs) would keep more, but needs 0.8+, which
//! Debian bookworm does not have.

use std::io::Cursor;

use jxl_oxide::{AllocTracker, AuxBoxData, JxlImage, PixelFormat};
use zune_core::{bit_depth::BitDepth, colorspace::ColorSpace, options::EncoderOptions};
use zune_jpegxl::JxlSimpleEncoder;

use crate::{
    error::NoticeError, images::badge, images::Badged, options::NoticePosition, DecodeLimits,
};

/// CICP of sRGB: BT.709 primaries, sRGB transfer, RGB, full range.
const SRGB_CICP: [u8; 4] = [1, 13, 0, 1];

/// Badges the JPEG XL image in `input`.
pub(crate) fn apply(
    input: &[u8],
    candidates: &[Vec<String>],
    corner: NoticePosition,
    limits: &DecodeLimits,
) -> Result<Badged, NoticeError> {
    // jxl-oxide counts what its grids allocate against this tracker and
    // fails past it, so no frame of the file can take more.
    let tracker =
        AllocTracker::with_limit(usize::try_from(limits.max_decoded_bytes).unwrap_or(usize::MAX));
    let image = JxlImage::builder()
        .alloc_tracker(tracker)
        .read(Cursor::new(input))
        .map_err(e("cannot read the file"))?;
    // The header's size, before any pixel is rendered (RGBA at most).
    limits.check_image(u64::from(image.width()), u64::from(image.height()), 4)?;
    if image.original_icc().is_some() || image.rendered_cicp() != Some(SRGB_CICP) {
        return Err(
            "badges on JPEG XL images that are not plain sRGB are not supported yet \
                    (the JPEG XL encoder here cannot store a colour profile)"
                .into(),
        );
    }
    let bits = image.image_header().metadata.bit_depth.bits_per_sample();
    if bits > 8 {
        return Err(format!(
            "badges on {bits}-bit JPEG XL images are not supported yet (8-bit only)"
        )
        .into());
    }
    if image.num_loaded_keyframes() != 1 {
        return Err("badges on animated JPEG XL images are not supported yet".into());
    }
    let alpha = match image.pixel_format() {
        PixelFormat::Rgb => false,
        PixelFormat::Rgba => true,
        other => {
            return Err(format!(
                "badges on {other:?} JPEG XL images are not supported yet (RGB and RGBA only)"
            )
            .into())
        }
    };
    let render = image
        .render_frame(0)
        .map_err(e("cannot decode the image"))?;
    let mut stream = render.stream();
    let (w, h) = (stream.width(), stream.height());
    let channels = if alpha { 4 } else { 3 };
    if stream.channels() != channels {
        return Err("JPEG XL: unexpected channel count".into());
    }
    let len = u64::from(w) * u64::from(h) * u64::from(channels);
    limits.check(tamga_media::Limit::DecodedBytes, len)?;
    let len = usize::try_from(len).map_err(|_| "the JPEG XL image is too large")?;
    let mut pixels = Vec::new();
    pixels
        .try_reserve_exact(len)
        .map_err(|_| "not enough memory for the JPEG XL image")?;
    pixels.resize(len, 0);
    stream.write_to_buffer(&mut pixels);

    let (badge, pixels) = badge::draw_rgb8(pixels, (w, h), alpha, candidates, corner)?;

    let colour = if alpha {
        ColorSpace::RGBA
    } else {
        ColorSpace::RGB
    };
    let options = EncoderOptions::new(w as usize, h as usize, colour, BitDepth::Eight);
    let mut codestream = Vec::new();
    JxlSimpleEncoder::new(&pixels, options)
        .encode(&mut codestream)
        .map_err(|err| format!("JPEG XL: cannot encode the image: {err:?}"))?;

    let exif = match image.aux_boxes().first_exif() {
        Ok(AuxBoxData::Data(raw)) => {
            let mut b = raw.tiff_header_offset().to_be_bytes().to_vec();
            b.extend_from_slice(raw.payload());
            Some(b)
        }
        _ => None,
    };
    Ok(Badged {
        bytes: container(&codestream, exif.as_deref())?,
        badge,
        note: Some("re-encoded as lossless JPEG XL (no quality loss)".into()),
    })
}

/// Turns a decoder error into the user's message.
fn e<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> String {
    move |err| format!("JPEG XL: {what}: {err}")
}

/// The ISO/IEC 18181-2 container: signature, `ftyp`, the EXIF (when
/// there is one) and the codestream.
fn container(codestream: &[u8], exif: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(codestream.len() + 64);
    out.extend_from_slice(b"\0\0\0\x0CJXL \x0D\x0A\x87\x0A");
    out.extend_from_slice(b"\0\0\0\x14ftypjxl \0\0\0\0jxl ");
    if let Some(exif) = exif {
        put_box(&mut out, b"Exif", exif)?;
    }
    put_box(&mut out, b"jxlc", codestream)?;
    Ok(out)
}

fn put_box(out: &mut Vec<u8>, kind: &[u8; 4], body: &[u8]) -> Result<(), String> {
    let size = u32::try_from(body.len() + 8).map_err(|_| "the JPEG XL image is too large")?;
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MediaFormat;

    fn decode(bytes: &[u8]) -> image::RgbImage {
        let image = JxlImage::builder().read(Cursor::new(bytes)).unwrap();
        let render = image.render_frame(0).unwrap();
        let mut stream = render.stream_no_alpha();
        let (w, h) = (stream.width(), stream.height());
        let mut px = vec![0u8; (w * h * 3) as usize];
        stream.write_to_buffer(&mut px);
        image::RgbImage::from_raw(w, h, px).unwrap()
    }

    #[test]
    fn the_sample_gets_the_badge_and_every_other_pixel_is_kept() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
        let input = std::fs::read(root.join("sample.jxl")).unwrap();
        let lines = vec![vec!["AI-generated".to_string()]];
        let b = apply(
            &input,
            &lines,
            NoticePosition::BottomRight,
            &DecodeLimits::default(),
        )
        .unwrap();
        assert_eq!(MediaFormat::sniff(&b.bytes), Some(MediaFormat::Jxl));
        let (before, after) = (decode(&input), decode(&b.bytes));
        assert_eq!(before.dimensions(), after.dimensions());
        let (x, y, bw, bh) = b.badge.rect;
        let (w, h) = before.dimensions();
        assert!(x > w / 2 && y > h / 2, "{:?}", b.badge);
        let mut changed = 0;
        for (px, py, p) in before.enumerate_pixels() {
            let inside = px >= x && px < x + bw && py >= y && py < y + bh;
            if inside {
                changed += u32::from(p != after.get_pixel(px, py));
            } else {
                assert_eq!(p, after.get_pixel(px, py), "pixel {px},{py}");
            }
        }
        assert!(changed > bw * bh / 2);
    }

    #[test]
    fn the_container_carries_the_exif() {
        let c = container(b"\xFF\x0Acode", Some(b"\0\0\0\0MM\0*")).unwrap();
        assert_eq!(MediaFormat::sniff(&c), Some(MediaFormat::Jxl));
        let exif_at = c.windows(4).position(|w| w == b"Exif").unwrap();
        let jxlc_at = c.windows(4).position(|w| w == b"jxlc").unwrap();
        assert!(exif_at < jxlc_at);
        assert!(c.ends_with(b"\xFF\x0Acode"));
    }
}
