//! Writing a badged WebP the way the source was: a lossy (VP8) source
//! stays lossy, at the quality its quantiser shows, through libwebp; a
//! lossless (VP8L) one stays lossless. Every chunk that is not image data
//! (ICCP, EXIF, XMP, and chunks this code does not know) is copied across
//! in its place and order, under a VP8X header whose flags say what is
//! there.
//!
//! `image` encodes lossless WebP only: a lossy photo became 5–9× larger.

use image::{codecs::webp::WebPEncoder, DynamicImage, ImageEncoder};

/// Lossy output may be at most this many halves of the input's size
/// (1.5×): a notice must not bloat the file. Past it the quality steps
/// down (and the note says so).
const MAX_GROWTH_HALVES: usize = 3;

/// Writes `img` (badged, in the source's orientation) as a WebP like the
/// one in `input`; returns the file and a note for the user.
pub(crate) fn encode(
    img: &DynamicImage,
    input: &[u8],
) -> Result<(Vec<u8>, String), crate::NoticeError> {
    let source = chunks(input).ok_or(crate::NoticeError::Inconsistent(
        "WebP: the RIFF chunks do not add up",
    ))?;
    let lossy = source.iter().any(|(id, _)| id == b"VP8 ");
    let animated = source.iter().any(|(id, _)| id == b"ANIM" || id == b"ANMF");
    let (encoded, mut note) = if lossy {
        let estimate = source
            .iter()
            .find(|(id, _)| id == b"VP8 ")
            .and_then(|(_, data)| vp8_quality(data));
        let quality = estimate.unwrap_or(85);
        let from = if estimate.is_some() {
            "estimated from the source's quantiser"
        } else {
            "the source's quantiser could not be read"
        };
        let (bytes, used) = encode_lossy(img, quality, input.len())?;
        let mut note = format!("re-encoded as lossy WebP at quality {used} ({from})");
        if used < quality {
            note.push_str(&format!(
                "; lowered from {quality} to stay within 1.5× the source's size"
            ));
        }
        (bytes, note)
    } else {
        let mut out = Vec::new();
        WebPEncoder::new_lossless(&mut out)
            .write_image(
                img.as_bytes(),
                img.width(),
                img.height(),
                img.color().into(),
            )
            .map_err(crate::images::image_error)?;
        (out, "re-encoded as lossless WebP, as the source was".into())
    };
    if animated {
        note.push_str("; animated WebP: only the first frame is kept");
    }
    let bytes = rewrap(&source, &encoded, (img.width(), img.height()))?;
    Ok((bytes, note))
}

/// Lossy VP8 at `quality`, stepping down by 10 while the result is more
/// than 1.5× `source_len`; returns the bytes and the quality used.
fn encode_lossy(
    img: &DynamicImage,
    quality: u8,
    source_len: usize,
) -> Result<(Vec<u8>, u8), crate::NoticeError> {
    let rgba;
    let rgb;
    let encoder = match img {
        DynamicImage::ImageRgb8(b) => webp::Encoder::from_rgb(b.as_raw(), b.width(), b.height()),
        DynamicImage::ImageRgba8(b) => webp::Encoder::from_rgba(b.as_raw(), b.width(), b.height()),
        other if other.color().has_alpha() => {
            rgba = other.to_rgba8();
            webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height())
        }
        other => {
            rgb = other.to_rgb8();
            webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height())
        }
    };
    let mut q = quality.clamp(1, 100);
    loop {
        let out = encoder
            .encode_simple(false, f32::from(q))
            .map_err(|e| {
                crate::NoticeError::encode("WebP: libwebp could not encode the image")(format!(
                    "{e:?}"
                ))
            })?
            .to_vec();
        if out.len() * 2 <= source_len * MAX_GROWTH_HALVES || q <= 10 {
            return Ok((out, q));
        }
        q = q.saturating_sub(10).max(10);
    }
}

/// A RIFF WebP's chunks: FourCC and payload, in file order.
fn chunks(file: &[u8]) -> Option<Vec<([u8; 4], &[u8])>> {
    if file.get(..4)? != b"RIFF" || file.get(8..12)? != b"WEBP" {
        return None;
    }
    let riff_len = u32::from_le_bytes(file.get(4..8)?.try_into().ok()?) as usize;
    let end = riff_len.checked_add(8)?.min(file.len());
    let mut at = 12;
    let mut out = Vec::new();
    while at + 8 <= end {
        let id: [u8; 4] = file.get(at..at + 4)?.try_into().ok()?;
        let len = u32::from_le_bytes(file.get(at + 4..at + 8)?.try_into().ok()?) as usize;
        let data = file.get(at + 8..at.checked_add(8)?.checked_add(len)?)?;
        out.push((id, data));
        // Chunks are padded to an even length.
        at += 8 + len + (len & 1);
    }
    Some(out)
}

/// The image chunks of `encoded` (ALPH, VP8, VP8L) in place of the
/// source's, with every other chunk of the source kept in order.
fn rewrap(
    source: &[([u8; 4], &[u8])],
    encoded: &[u8],
    (w, h): (u32, u32),
) -> Result<Vec<u8>, crate::NoticeError> {
    let new = chunks(encoded).ok_or(crate::NoticeError::Unexpected(
        "WebP: the encoder's output does not parse",
    ))?;
    let image: Vec<_> = new
        .iter()
        .filter(|(id, _)| matches!(id, b"ALPH" | b"VP8 " | b"VP8L"))
        .collect();
    let extended = source.iter().any(|(id, _)| id == b"VP8X");
    if !extended {
        // A simple file has nothing but its image: the encoder's own
        // file is already right.
        return Ok(encoded.to_vec());
    }
    let kept = |id: &[u8; 4]| {
        !matches!(
            id,
            b"VP8X" | b"ALPH" | b"VP8 " | b"VP8L" | b"ANIM" | b"ANMF"
        )
    };
    let has = |id: &[u8; 4]| source.iter().any(|(i, _)| i == id);
    let alpha = image.iter().any(|(id, data)| {
        id == b"ALPH" || (id == b"VP8L" && data.get(4).is_some_and(|b| b & 0x10 != 0))
    });
    // VP8X flags (WebP container spec): ICC, alpha, EXIF, XMP.
    let flags = u8::from(has(b"ICCP")) << 5
        | u8::from(alpha) << 4
        | u8::from(has(b"EXIF")) << 3
        | u8::from(has(b"XMP ")) << 2;
    let mut vp8x = vec![flags, 0, 0, 0];
    for side in [w, h] {
        vp8x.extend_from_slice(&side.saturating_sub(1).to_le_bytes()[..3]);
    }
    let mut body = Vec::with_capacity(encoded.len() + 1024);
    body.extend_from_slice(b"WEBP");
    push(&mut body, b"VP8X", &vp8x);
    let mut placed = false;
    for (id, data) in source {
        if kept(id) {
            push(&mut body, id, data);
        } else if matches!(id, b"ALPH" | b"VP8 " | b"VP8L" | b"ANMF") && !placed {
            for (id, data) in &image {
                push(&mut body, id, data);
            }
            placed = true;
        }
    }
    let len = u32::try_from(body.len()).map_err(|_| crate::NoticeError::TooLarge {
        what: "the WebP",
        limit: "4 GiB",
    })?;
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

fn push(out: &mut Vec<u8>, id: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(id);
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
}

/// The libwebp quality (1–100) that gives the quantiser of the VP8 key
/// frame in `data`: its reference quantiser mapped back through libwebp's
/// quality-to-quantiser curve.
pub(crate) fn vp8_quality(data: &[u8]) -> Option<u8> {
    let q = vp8_quantiser(data)?;
    // libwebp (src/enc/quant_enc.c): c = cbrt(linear(quality)) and
    // q = 127 (1 − c), where linear(x) = 2x/3 below 0.75, else 2x − 1.
    let c = 1.0 - q / 127.0;
    let linear = c * c * c;
    let quality = if linear < 0.5 {
        linear * 1.5
    } else {
        (linear + 1.0) / 2.0
    };
    Some((quality * 100.0).round().clamp(1.0, 100.0) as u8)
}

/// The AC luma quantiser index (0–127) of a VP8 key frame's first segment
/// (RFC 6386 §9.3 and §9.6), read from its first partition.
fn vp8_quantiser(data: &[u8]) -> Option<f64> {
    let tag = data.get(..10)?;
    if tag[0] & 1 != 0 || tag[3..6] != [0x9d, 0x01, 0x2a] {
        return None; // not a key frame
    }
    let mut d = BoolDecoder::new(data.get(10..)?);
    d.literal(2); // colour space, clamping
    let mut segments: Option<(bool, [i32; 4])> = None;
    if d.flag() {
        let update_map = d.flag();
        if d.flag() {
            let absolute = d.flag();
            let mut q = [0i32; 4];
            for v in &mut q {
                *v = d.optional_signed(7);
            }
            for _ in 0..4 {
                d.optional_signed(6); // loop filter levels
            }
            segments = Some((absolute, q));
        }
        if update_map {
            for _ in 0..3 {
                if d.flag() {
                    d.literal(8);
                }
            }
        }
    }
    d.literal(1 + 6 + 3); // filter type, level, sharpness
    if d.flag() && d.flag() {
        for _ in 0..8 {
            d.optional_signed(6); // reference and mode deltas
        }
    }
    d.literal(2); // partitions
    let base = d.literal(7) as i32;
    // Segment 0 is libwebp's reference segment, the one its quality maps
    // to (the others are moved up and down by how busy their blocks are,
    // not evenly: their mean overstates the quality by up to 20).
    let q = match segments {
        Some((true, q)) => q[0],
        Some((false, dq)) => base + dq[0],
        None => base,
    };
    Some(f64::from(q.clamp(0, 127)))
}

/// The VP8 boolean entropy decoder (RFC 6386 §7.3), for the frame header.
struct BoolDecoder<'a> {
    data: &'a [u8],
    at: usize,
    value: u32,
    range: u32,
    bits: u32,
}

impl<'a> BoolDecoder<'a> {
    fn new(data: &'a [u8]) -> Self {
        let byte = |i: usize| u32::from(data.get(i).copied().unwrap_or(0));
        Self {
            data,
            at: 2,
            value: byte(0) << 8 | byte(1),
            range: 255,
            bits: 0,
        }
    }

    fn bool(&mut self, prob: u32) -> bool {
        let split = 1 + (((self.range - 1) * prob) >> 8);
        let big_split = split << 8;
        let bit = if self.value >= big_split {
            self.range -= split;
            self.value -= big_split;
            true
        } else {
            self.range = split;
            false
        };
        while self.range < 128 {
            self.value <<= 1;
            self.range <<= 1;
            self.bits += 1;
            if self.bits == 8 {
                self.bits = 0;
                // Past the end reads zeros, as libvpx does.
                self.value |= u32::from(self.data.get(self.at).copied().unwrap_or(0));
                self.at += 1;
            }
        }
        bit
    }

    fn flag(&mut self) -> bool {
        self.bool(128)
    }

    fn literal(&mut self, n: u32) -> u32 {
        (0..n).fold(0, |v, _| v << 1 | u32::from(self.flag()))
    }

    /// A flag, then if set an `n`-bit magnitude and a sign; 0 if unset.
    fn optional_signed(&mut self, n: u32) -> i32 {
        if !self.flag() {
            return 0;
        }
        let v = self.literal(n) as i32;
        if self.flag() {
            -v
        } else {
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(w: u32, h: u32) -> image::RgbImage {
        image::RgbImage::from_fn(w, h, |x, y| {
            let v = ((x * 7 + y * 3) % 256) as u8;
            image::Rgb([v, (x * y % 251) as u8, 255 - v])
        })
    }

    #[test]
    fn the_quality_is_read_back_from_the_quantiser() {
        let img = photo(128, 96);
        for q in [10u8, 20, 30, 40, 50, 60, 75, 90, 95] {
            let out = webp::Encoder::from_rgb(img.as_raw(), 128, 96)
                .encode_simple(false, f32::from(q))
                .unwrap()
                .to_vec();
            let src = chunks(&out).unwrap();
            let (_, vp8) = src.iter().find(|(id, _)| id == b"VP8 ").unwrap();
            let est = vp8_quality(vp8).unwrap();
            assert!(est.abs_diff(q) <= 5, "quality {q} estimated as {est}");
        }
        assert_eq!(vp8_quality(&[1, 0, 0, 0x9d, 1, 0x2a, 0, 0, 0, 0]), None);
    }

    #[test]
    fn unknown_chunks_and_metadata_keep_their_place() {
        let img = photo(64, 48);
        let simple = webp::Encoder::from_rgb(img.as_raw(), 64, 48)
            .encode_simple(false, 80.0)
            .unwrap()
            .to_vec();
        let vp8 = chunks(&simple).unwrap()[0].1.to_vec();
        let mut body = b"WEBP".to_vec();
        push(&mut body, b"VP8X", &[0x0c, 0, 0, 0, 63, 0, 0, 47, 0, 0]);
        push(&mut body, b"VP8 ", &vp8);
        push(&mut body, b"EXIF", b"II*\0odd");
        push(&mut body, b"ZZZZ", b"keep me");
        push(&mut body, b"XMP ", b"<x:xmpmeta/>");
        let mut file = b"RIFF".to_vec();
        file.extend_from_slice(&(body.len() as u32).to_le_bytes());
        file.extend_from_slice(&body);
        let (out, note) = encode(&DynamicImage::ImageRgb8(img), &file).unwrap();
        assert!(note.contains("lossy WebP at quality"), "{note}");
        let ids = chunks(&out).unwrap();
        let names: Vec<&[u8]> = ids.iter().map(|(id, _)| &id[..]).collect();
        assert_eq!(names, [&b"VP8X"[..], b"VP8 ", b"EXIF", b"ZZZZ", b"XMP "]);
        assert_eq!(ids[2].1, b"II*\0odd");
        assert_eq!(ids[3].1, b"keep me");
        // The container spec's bits: EXIF 0x08, XMP 0x04, nothing else.
        assert_eq!(ids[0].1[0], 0x0c, "the EXIF and XMP flags");
        assert!(out.len() * 2 <= file.len() * 3);
        assert_eq!(image::load_from_memory(&out).unwrap().width(), 64);
    }
}
