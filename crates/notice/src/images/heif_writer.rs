//! The notice badge on HEIC and AVIF images, through the system libheif
//! (Debian's `libheif1`: HEVC decoding by libde265 and encoding by x265,
//! AV1 by dav1d/libaom), opened at run time by [`tamga_heif`] only when
//! such a notice is made. No pure-Rust crate encodes either format.
//!
//! The primary image is decoded with its rotation and mirroring applied,
//! so the badge lands in the corner people see; the new file stores it
//! upright. Its ICC or NCLX colour profile, EXIF and XMP are carried over.
//! 10- and 12-bit (HDR) images stay 10- and 12-bit ([`crate::images::heif_depth`]).

use std::path::Path;

use tamga_heif::{Chroma, Compression, Image, Libheif};

use crate::{
    error::NoticeError, images::badge, images::Badged, options::NoticePosition, DecodeLimits,
    MediaFormat, Unsupported,
};

/// Encoder quality (0–100) for the re-encoded image: high, as the source
/// was already lossy once.
const QUALITY: u8 = 90;

/// The qualities tried in turn until the output is within 1.5x of the
/// source's size (libheif cannot read back the source's quality).
const QUALITIES: [u8; 3] = [QUALITY, 70, 50];

/// Badges the primary image of the HEIC or AVIF file in `input`, with
/// libheif loaded from `libheif` (`None`: the system's).
pub(crate) fn apply(
    libheif: Option<&Path>,
    input: &[u8],
    format: MediaFormat,
    candidates: &[Vec<String>],
    corner: NoticePosition,
    limits: &DecodeLimits,
) -> Result<Badged, NoticeError> {
    let name = match format {
        MediaFormat::Heic => "HEIC",
        _ => "AVIF",
    };
    // libheif's errors on reading the source and on writing the result.
    let d = |what: &'static str| {
        move |err: tamga_heif::Error| NoticeError::decode(format!("{name}: {what}"))(err)
    };
    let e = |what: String| {
        move |err: tamga_heif::Error| NoticeError::encode(format!("{name}: {what}"))(err)
    };
    let (codec, codec_name) = match format {
        MediaFormat::Heic => (Compression::Hevc, "HEVC (x265)"),
        MediaFormat::Avif => (Compression::Av1, "AV1 (libaom)"),
        _ => {
            return Err(NoticeError::Unexpected(
                "a HEIF writer called for another format",
            ))
        }
    };
    let lib = Libheif::load(libheif)?;
    let src = lib.read(input).map_err(d("cannot read the file"))?;
    let handle = src.primary_image().map_err(d("no primary image"))?;
    // The header's size, before libheif decodes a pixel (RGBA at most;
    // libheif's decoder and the badged copy each hold one).
    limits.check_image(u64::from(handle.width()), u64::from(handle.height()), 4 * 2)?;
    // HEVC and AV1 encoding are the slow part: more time per pixel.
    tamga_media::watchdog::allow_pixels(
        u64::from(handle.width()) * u64::from(handle.height()),
        tamga_media::time_budget::HEIF_MS_PER_MEGAPIXEL,
    );
    // 10- and 12-bit (HDR) images stay at their depth: decoded to 16-bit
    // samples, badged, and encoded at the same depth (x265 and libaom
    // both encode 10 and 12 bits).
    let bits = handle.luma_bits().ok_or(NoticeError::Missing {
        whole: name,
        part: "bit depth",
    })?;
    if bits > 12 {
        return Err(Unsupported::BitDepth {
            format: name,
            bits: bits.into(),
            supported: "8 to 12",
        }
        .into());
    }
    let hdr = bits > 8;
    let depth = if hdr { bits } else { 8 };
    let alpha = handle.has_alpha();
    let chroma = match (alpha, hdr) {
        (false, false) => Chroma::Rgb,
        (true, false) => Chroma::Rgba,
        (false, true) => Chroma::RgbLe16,
        (true, true) => Chroma::RgbaLe16,
    };
    let decoded = handle
        .decode(chroma)
        .map_err(d("cannot decode the image"))?;
    let (w, h) = (decoded.width(), decoded.height());
    let channels = if alpha { 4 } else { 3 };
    let bytes_per_sample = if hdr { 2 } else { 1 };
    let pixels = rows(&decoded, w, h, channels * bytes_per_sample).ok_or(
        NoticeError::Unexpected("the decoded image has no pixel plane"),
    )?;

    let (badge, pixels) = if hdr {
        crate::images::heif_depth::draw_deep(pixels, (w, h), depth, alpha, candidates, corner)?
    } else {
        badge::draw_rgb8(pixels, (w, h), alpha, candidates, corner)?
    };

    let mut out = lib
        .new_image(w, h, chroma)
        .map_err(e("cannot make the image".into()))?;
    out.add_interleaved_plane(w, h, depth)
        .map_err(e("cannot make the image".into()))?;
    {
        let plane = out
            .plane_mut()
            .ok_or(NoticeError::Unexpected("libheif made no interleaved plane"))?;
        let row = w as usize * channels * bytes_per_sample;
        for (y, src_row) in pixels.chunks_exact(row).enumerate() {
            let at = y * plane.stride;
            plane
                .data
                .get_mut(at..at + row)
                .ok_or(NoticeError::Unexpected(
                    "libheif's plane is smaller than the image",
                ))?
                .copy_from_slice(src_row);
        }
    }
    // The colour profile: an ICC profile, or else the NCLX description.
    if let Some(profile) = handle.color_profile() {
        out.set_color_profile(&profile)
            .map_err(e("cannot keep the colour profile".into()))?;
    }

    let encode_at = |quality: u8| -> Result<(Vec<u8>, &'static str), NoticeError> {
        let mut encoder = lib
            .encoder(codec)
            .map_err(e(format!("this libheif has no {codec_name} encoder")))?;
        encoder
            .set_quality(quality)
            .map_err(e("cannot set the quality".into()))?;
        // libaom's default speed takes minutes on a large photo; 6 is its
        // usual real-world setting. x265 has no such parameter: ignored.
        if format == MediaFormat::Avif {
            let _ = encoder.set_int("speed", 6);
        }
        let mut chroma_note = "";
        if format == MediaFormat::Avif && hdr {
            // libheif 1.15 asks libaom for AV1 profile 2 for every image over
            // 8 bits, and libaom takes 10-bit profile 2 only as 4:2:2 (at
            // 4:2:0 it aborts the process on an assertion). 4:2:2 keeps more
            // colour than 4:2:0, never less.
            encoder
                .set_string("chroma", "422")
                .map_err(e("cannot choose 4:2:2 chroma".into()))?;
            chroma_note = ", 4:2:2 chroma (libheif's AV1 path needs it above 8 bits)";
        }
        let mut ctx = lib.new_context().map_err(e("cannot start a file".into()))?;
        let new_handle = ctx
            .encode(&out, &mut encoder)
            .map_err(e("cannot encode the image".into()))?;
        for exif in handle.metadata("Exif") {
            ctx.add_exif(&new_handle, exif_tiff(&exif))
                .map_err(e("cannot keep the EXIF".into()))?;
        }
        for block in handle.metadata("mime") {
            if block.windows(9).any(|w| w == b"x:xmpmeta") {
                ctx.add_xmp(&new_handle, &block)
                    .map_err(e("cannot keep the XMP".into()))?;
            }
        }
        let bytes = ctx.write().map_err(e("cannot write the file".into()))?;
        Ok((bytes, chroma_note))
    };
    // Lossy stays near its size: from quality 90 down, the first encoding
    // within 1.5x of the source is kept. Each further try is another full
    // encode, so it is granted its own time.
    let pixels = u64::from(handle.width()) * u64::from(handle.height());
    let mut tried = Vec::new();
    let (bytes, chroma_note, quality) = loop {
        let quality = QUALITIES[tried.len()];
        let (bytes, chroma_note) = encode_at(quality)?;
        tried.push(quality);
        if bytes.len() * 2 <= input.len() * 3 || tried.len() == QUALITIES.len() {
            break (bytes, chroma_note, quality);
        }
        tamga_media::watchdog::allow_pixels(
            pixels,
            tamga_media::time_budget::HEIF_MS_PER_MEGAPIXEL * (tried.len() as u64 + 1),
        );
    };
    let size_note = if tried.len() == 1 {
        String::new()
    } else if bytes.len() * 2 <= input.len() * 3 {
        format!(", lowered from {QUALITY} to stay within 1.5x of the source's size")
    } else {
        format!(
            ", still {:.1}x the source's size at the lowest quality tried",
            bytes.len() as f64 / input.len().max(1) as f64
        )
    };
    Ok(Badged {
        bytes,
        badge,
        note: Some(format!(
            "re-encoded as {depth}-bit {name} with {codec_name} at quality \
             {quality}{chroma_note}{size_note}"
        )),
    })
}

/// The interleaved pixel rows without the plane's row padding.
fn rows(img: &Image, w: u32, h: u32, channels: usize) -> Option<Vec<u8>> {
    let plane = img.plane()?;
    let row = w as usize * channels;
    let mut out = Vec::with_capacity(row * h as usize);
    for y in 0..h as usize {
        out.extend_from_slice(plane.data.get(y * plane.stride..y * plane.stride + row)?);
    }
    Some(out)
}

/// A HEIF Exif item starts with the offset of the TIFF header (ISO/IEC
/// 23008-12 A.2.1); libheif adds its own when writing, so it gets the TIFF
/// data alone.
fn exif_tiff(item: &[u8]) -> &[u8] {
    let offset = item
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize);
    match offset.and_then(|o| item.get(4 + o..)) {
        Some(tiff) if tiff.starts_with(b"MM") || tiff.starts_with(b"II") => tiff,
        _ => item,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> image::RgbImage {
        let lib = Libheif::load(None).unwrap();
        let ctx = lib.read(bytes).unwrap();
        let handle = ctx.primary_image().unwrap();
        let img = handle.decode(Chroma::Rgb).unwrap();
        let (w, h) = (img.width(), img.height());
        image::RgbImage::from_raw(w, h, rows(&img, w, h, 3).unwrap()).unwrap()
    }

    #[test]
    fn heic_and_avif_get_the_badge_and_keep_the_rest_close() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
        for (file, format) in [
            ("sample.heic", MediaFormat::Heic),
            ("sample.avif", MediaFormat::Avif),
        ] {
            let input = std::fs::read(root.join(file)).unwrap();
            let lines = vec![vec!["AI-generated".to_string()]];
            let b = apply(
                None,
                &input,
                format,
                &lines,
                NoticePosition::BottomRight,
                &DecodeLimits::default(),
            )
            .unwrap();
            assert_eq!(
                MediaFormat::sniff(&b.bytes),
                Some(format),
                "{file}: same format"
            );
            let (before, after) = (decode(&input), decode(&b.bytes));
            assert_eq!(before.dimensions(), after.dimensions(), "{file}");
            let (x, y, bw, bh) = b.badge.rect;
            let (w, h) = before.dimensions();
            assert!(x > w / 2 && y > h / 2, "{file}: {:?}", b.badge);
            let (mut se, mut n, mut dark) = (0f64, 0f64, 0u64);
            for (px, py, p) in before.enumerate_pixels() {
                let q = after.get_pixel(px, py);
                let inside = px >= x && px < x + bw && py >= y && py < y + bh;
                if inside {
                    dark += u64::from(q.0.iter().all(|&c| c < 100));
                    continue;
                }
                // Away from the badge's edge, where the codec's blocks blur it.
                if px + 16 >= x && py + 16 >= y {
                    continue;
                }
                for c in 0..3 {
                    let d = f64::from(p.0[c]) - f64::from(q.0[c]);
                    se += d * d;
                    n += 1.0;
                }
            }
            let psnr = 10.0 * (255.0f64 * 255.0 / (se / n).max(1e-9)).log10();
            assert!(psnr > 32.0, "{file}: PSNR outside the badge {psnr:.1} dB");
            assert!(dark > u64::from(bw * bh) / 3, "{file}: a dark box");
            // Lossy stays near its size (quality 90 alone made these 2-3x).
            assert!(
                b.bytes.len() * 2 <= input.len() * 3,
                "{file}: {} bytes from {}",
                b.bytes.len(),
                input.len()
            );
            let note = b.note.unwrap_or_default();
            assert!(note.contains("at quality"), "{file}: {note}");
        }
    }

    #[test]
    fn the_exif_offset_is_stripped() {
        assert_eq!(exif_tiff(b"\0\0\0\0MM\0*rest"), b"MM\0*rest");
        assert_eq!(exif_tiff(b"\0\0\0\x06Exif\0\0II*\0"), b"II*\0");
        assert_eq!(exif_tiff(b"junk"), b"junk");
    }
}
