//! The notice badge on JPEG XL images: decoded by jxl-oxide (pure Rust).
//! A lossless source is re-encoded losslessly by zune-jpegxl (pure Rust),
//! so the badge costs no further quality. A lossy one (VarDCT, or XYB)
//! stays lossy within 1.5x of its size through libjxl's `cjxl`
//! ([`crate::images::jxl_lossy`]); lossless, it grew ~8x. Without cjxl it is
//! written lossless, and the note says why it grew.
//!
//! zune-jpegxl writes sRGB only and no ICC profile, so only sRGB images
//! are badged (others fail clearly rather than change colour), 8-bit RGB
//! or RGBA, one frame. Orientation is applied on decoding and the result
//! stored upright; EXIF is carried over in the container's `Exif` box.
//! libjxl (through jpegxl-rs) would keep more, but needs 0.8+, which
//! Debian bookworm does not have.

use std::io::Cursor;

use jxl_oxide::{frame::Encoding, AllocTracker, AuxBoxData, JxlImage, PixelFormat};
use zune_core::{bit_depth::BitDepth, colorspace::ColorSpace, options::EncoderOptions};
use zune_jpegxl::JxlSimpleEncoder;

use crate::{
    error::NoticeError, images::badge, images::Badged, options::NoticePosition, DecodeLimits,
    Unsupported,
};

/// CICP of sRGB: BT.709 primaries, sRGB transfer, RGB, full range.
const SRGB_CICP: [u8; 4] = [1, 13, 0, 1];

/// Badges the JPEG XL image in `input`.
pub(crate) fn apply(
    cjxl: &crate::Tool,
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
        return Err(Unsupported::Layout {
            format: "JPEG XL",
            layout: "non-sRGB".into(),
            why: "the JPEG XL encoder here cannot store a colour profile",
        }
        .into());
    }
    let bits = image.image_header().metadata.bit_depth.bits_per_sample();
    if bits > 8 {
        return Err(Unsupported::BitDepth {
            format: "JPEG XL",
            bits,
            supported: "8",
        }
        .into());
    }
    if image.num_loaded_keyframes() != 1 {
        return Err(Unsupported::Animation { format: "JPEG XL" }.into());
    }
    let alpha = match image.pixel_format() {
        PixelFormat::Rgb => false,
        PixelFormat::Rgba => true,
        other => {
            return Err(Unsupported::Layout {
                format: "JPEG XL",
                layout: format!("{other:?}"),
                why: "RGB and RGBA only",
            }
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
        return Err(NoticeError::Unexpected("JPEG XL: unexpected channel count"));
    }
    let len = u64::from(w) * u64::from(h) * u64::from(channels);
    limits.check(tamga_media::Limit::DecodedBytes, len)?;
    let len = usize::try_from(len).map_err(|_| TOO_LARGE)?;
    let mut pixels = Vec::new();
    pixels
        .try_reserve_exact(len)
        .map_err(|_| NoticeError::OutOfMemory {
            what: "the JPEG XL image",
        })?;
    pixels.resize(len, 0);
    stream.write_to_buffer(&mut pixels);

    let (badge, pixels) = badge::draw_rgb8(pixels, (w, h), alpha, candidates, corner)?;

    // Lossy: the colour is stored as XYB, or the frame is VarDCT (what
    // cjxl writes for any distance above 0).
    let lossy = image.image_header().metadata.xyb_encoded
        || image
            .frame_header(0)
            .is_some_and(|f| f.encoding == Encoding::VarDct);
    let budget = without_c2pa(input).saturating_mul(3) / 2;
    let lossy_encoded = if lossy {
        crate::images::jxl_lossy::encode(cjxl, &pixels, (w, h), alpha, budget)?
    } else {
        None
    };
    let (codestream, note) = match lossy_encoded {
        Some(done) => {
            let mut note = format!(
                "re-encoded as lossy JPEG XL with cjxl at distance {}",
                done.distance
            );
            if done.distance != crate::images::jxl_lossy::DISTANCES[0] {
                note.push_str(", raised from 1.0 to stay within 1.5x of the source's size");
            }
            if done.codestream.len() > budget {
                note.push_str(&format!(
                    ", still {:.1}x the source's size at the highest distance tried",
                    done.codestream.len() as f64 / input.len().max(1) as f64
                ));
            }
            (done.codestream, note)
        }
        None => {
            let codestream = lossless(&pixels, (w, h), alpha)?;
            let note = if lossy {
                format!(
                    "the source is lossy JPEG XL, but cjxl (libjxl's encoder) was not \
                     found, so it was re-encoded as lossless JPEG XL and grew {:.1}x: \
                     install cjxl (Debian: libjxl-tools){} to keep it lossy near its size",
                    codestream.len() as f64 / input.len().max(1) as f64,
                    cjxl.or_set()
                )
            } else {
                "re-encoded as lossless JPEG XL (no quality loss)".to_string()
            };
            (codestream, note)
        }
    };

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
        note: Some(note),
    })
}

/// The lossless codestream of the 8-bit sRGB `pixels`, by zune-jpegxl.
fn lossless(pixels: &[u8], (w, h): (u32, u32), alpha: bool) -> Result<Vec<u8>, NoticeError> {
    let colour = if alpha {
        ColorSpace::RGBA
    } else {
        ColorSpace::RGB
    };
    let options = EncoderOptions::new(w as usize, h as usize, colour, BitDepth::Eight);
    let mut codestream = Vec::new();
    JxlSimpleEncoder::new(pixels, options)
        .encode(&mut codestream)
        .map_err(|err| {
            NoticeError::encode("JPEG XL: cannot encode the image")(format!("{err:?}"))
        })?;
    Ok(codestream)
}

/// The size of the JPEG XL container in `file` without its `jumb` boxes
/// (a C2PA manifest from an earlier signing, which the new one replaces);
/// a bare codestream's whole size.
fn without_c2pa(file: &[u8]) -> usize {
    let (mut at, mut jumb) = (0usize, 0usize);
    while let (Some(head), Some(kind)) = (file.get(at..at + 4), file.get(at + 4..at + 8)) {
        let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        // 0 is "to the end", 1 a 64-bit size: either way the last box
        // counted here.
        if size < 8 {
            break;
        }
        if kind == b"jumb" {
            jumb = jumb.saturating_add(size.min(file.len() - at));
        }
        at = at.saturating_add(size);
    }
    file.len().saturating_sub(jumb)
}

const TOO_LARGE: NoticeError = NoticeError::TooLarge {
    what: "the JPEG XL image",
    limit: "4 GiB",
};

/// A decoder error, on doing `what`.
fn e<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> NoticeError {
    move |err| NoticeError::decode(format!("JPEG XL: {what}"))(err.to_string())
}

/// The ISO/IEC 18181-2 container: signature, `ftyp`, the EXIF (when
/// there is one) and the codestream.
pub(crate) fn container(codestream: &[u8], exif: Option<&[u8]>) -> Result<Vec<u8>, NoticeError> {
    let mut out = Vec::with_capacity(codestream.len() + 64);
    out.extend_from_slice(b"\0\0\0\x0CJXL \x0D\x0A\x87\x0A");
    out.extend_from_slice(b"\0\0\0\x14ftypjxl \0\0\0\0jxl ");
    if let Some(exif) = exif {
        put_box(&mut out, b"Exif", exif)?;
    }
    put_box(&mut out, b"jxlc", codestream)?;
    Ok(out)
}

fn put_box(out: &mut Vec<u8>, kind: &[u8; 4], body: &[u8]) -> Result<(), NoticeError> {
    let size = u32::try_from(body.len() + 8).map_err(|_| TOO_LARGE)?;
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

    fn badged(input: &[u8]) -> Badged {
        let lines = vec![vec!["AI-generated".to_string()]];
        apply(
            &crate::Tool::on_path("cjxl"),
            input,
            &lines,
            NoticePosition::BottomRight,
            &DecodeLimits::default(),
        )
        .unwrap()
    }

    /// Pixels outside the badge that differ, the largest difference there,
    /// and the pixels inside it that changed.
    fn compare(before: &image::RgbImage, after: &image::RgbImage, b: &Badged) -> (u32, u8, u32) {
        assert_eq!(before.dimensions(), after.dimensions());
        let (x, y, bw, bh) = b.badge.rect;
        let (mut outside, mut worst, mut inside) = (0, 0, 0);
        for (px, py, p) in before.enumerate_pixels() {
            let q = after.get_pixel(px, py);
            let differ = p != q;
            if px >= x && px < x + bw && py >= y && py < y + bh {
                inside += u32::from(differ);
            } else {
                outside += u32::from(differ);
                let d = p.0.iter().zip(q.0).map(|(a, b)| a.abs_diff(b)).max();
                worst = worst.max(d.unwrap_or(0));
            }
        }
        (outside, worst, inside)
    }

    fn sample() -> Vec<u8> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
        std::fs::read(root.join("sample.jxl")).unwrap()
    }

    #[test]
    fn a_lossless_source_gets_the_badge_and_every_other_pixel_is_kept() {
        // The (lossy) sample's pixels, written losslessly.
        let pixels = decode(&sample());
        let (w, h) = pixels.dimensions();
        let input = container(&lossless(pixels.as_raw(), (w, h), false).unwrap(), None).unwrap();
        let b = badged(&input);
        assert_eq!(
            crate::MediaFormat::sniff(&b.bytes),
            Some(crate::MediaFormat::Jxl)
        );
        assert_eq!(
            b.note.as_deref(),
            Some("re-encoded as lossless JPEG XL (no quality loss)")
        );
        let (x, y, bw, bh) = b.badge.rect;
        assert!(x > w / 2 && y > h / 2, "{:?}", b.badge);
        let (outside, _, inside) = compare(&pixels, &decode(&b.bytes), &b);
        assert_eq!(outside, 0, "every pixel outside the badge is kept");
        assert!(inside > bw * bh / 2);
    }

    #[test]
    fn a_lossy_source_stays_lossy_near_its_size() {
        // The sample is lossy (cjxl -d 1.0); this needs cjxl on PATH.
        let input = sample();
        let b = badged(&input);
        let note = b.note.clone().unwrap_or_default();
        assert!(
            note.starts_with("re-encoded as lossy JPEG XL with cjxl"),
            "{note}"
        );
        assert!(
            b.bytes.len() * 2 <= input.len() * 3,
            "{} from {}",
            b.bytes.len(),
            input.len()
        );
        let out = JxlImage::builder().read(Cursor::new(&b.bytes)).unwrap();
        assert!(out.image_header().metadata.xyb_encoded, "lossy: XYB");
        let (_, worst, inside) = compare(&decode(&input), &decode(&b.bytes), &b);
        let (_, _, bw, bh) = b.badge.rect;
        assert!(inside > bw * bh / 2);
        assert!(worst < 96, "outside the badge, off by up to {worst}");
    }

    #[test]
    fn the_size_to_keep_near_leaves_out_an_earlier_manifest() {
        let mut file = container(b"\xFF\x0Acode", None).unwrap();
        let plain = file.len();
        put_box(&mut file, b"jumb", &[0; 100]).unwrap();
        assert_eq!(without_c2pa(&file), plain);
        assert_eq!(without_c2pa(b"\xFF\x0Acode"), 6);
        assert_eq!(without_c2pa(b"\0\0\xFF\xFFjumb"), 0, "a box past the end");
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
