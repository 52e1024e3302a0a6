//! The notice badge on a GIF, palette-exact: every frame keeps its own
//! palette and indices, and only the indices inside the badge change, to
//! the palette entries nearest the badge's colours. Re-quantizing whole
//! frames (what a decode to RGBA and a re-encode do) would change colours
//! everywhere and grow the file.
//!
//! A palette with no near-black or near-white entry gets them: appended
//! when it has room, else in entries that the frame uses only under the
//! badge (or not at all), as a local palette for that frame alone.
//!
//! Each frame's badge is computed on what the viewer shows at that frame
//! (the frames composited with their disposal methods), so transparent
//! pixels under the badge get the darkened colour of what shows through.
//! When a frame only partly covers the badge corner, or would uncover it,
//! the palette-exact path cannot keep the badge visible; the frames are
//! then re-encoded whole, as before, and the user is told.

use std::{collections::HashMap, io::Cursor};

use gif::{ColorOutput, DecodeOptions, DisposalMethod, Encoder, Frame, MemoryLimit};
use image::{
    codecs::gif::{GifDecoder, GifEncoder, Repeat},
    AnimationDecoder, Rgba, RgbaImage,
};

use tamga_media::Budget;

use crate::{
    error::NoticeError,
    images::badge::{self, Badge},
    images::Badged,
    options::NoticePosition,
    DecodeLimits,
};

/// A channel value at or below this counts as black for the box, at or
/// above `255 - NEAR` as white for the text.
const NEAR: u8 = 40;

/// Badges every frame of the GIF in `input`, decoding no more than
/// `limits` allow.
pub(crate) fn apply(
    input: &[u8],
    candidates: &[Vec<String>],
    corner: NoticePosition,
    limits: &DecodeLimits,
) -> Result<Badged, NoticeError> {
    match exact(input, candidates, corner, limits)? {
        Some(badged) => Ok(badged),
        None => requantized(input, candidates, corner, limits),
    }
}

/// What the RGBA picture of a `w` × `h` screen costs: the frames are
/// composited on one, with a copy for the badge and one for disposal.
fn screen_bytes(w: u64, h: u64) -> u64 {
    w.saturating_mul(h).saturating_mul(4 * 3)
}

type Rect = (u32, u32, u32, u32);

const NO_FRAMES: NoticeError = NoticeError::Missing {
    whole: "GIF",
    part: "frames",
};

/// The palette-exact path; `None` when a frame's placement rules it out.
fn exact(
    input: &[u8],
    candidates: &[Vec<String>],
    corner: NoticePosition,
    limits: &DecodeLimits,
) -> Result<Option<Badged>, NoticeError> {
    let err = |e: gif::DecodingError| NoticeError::decode("the GIF cannot be read")(e);
    let mut opts = DecodeOptions::new();
    opts.set_color_output(ColorOutput::Indexed);
    // gif's own cap on one frame's buffer (indexed: a byte a pixel), so a
    // frame header claiming 65535 × 65535 is refused before its buffer.
    if let Some(n) = std::num::NonZeroU64::new(limits.max_pixels.min(limits.max_decoded_bytes)) {
        opts.set_memory_limit(MemoryLimit::Bytes(n));
    }
    let mut dec = opts.read_info(input).map_err(err)?;
    let (w, h) = (dec.width(), dec.height());
    // The logical screen, checked before the RGBA canvas is made.
    limits.check_image(u64::from(w), u64::from(h), 4)?;
    let mut budget = Budget::new(*limits);
    budget.spend(screen_bytes(u64::from(w), u64::from(h)))?;
    // Black and white go into the global palette when it has room, so the
    // frames that use it need no local copy.
    let global = dec.global_palette().map(|g| {
        let mut g = g.to_vec();
        for target in [[0u8, 0, 0], [255, 255, 255]] {
            if g.len() < 256 * 3 && !has_near(&g, None, target) {
                g.extend_from_slice(&target);
            }
        }
        g
    });
    let repeat = dec.repeat();
    let layout = badge::layout((u32::from(w), u32::from(h)), candidates, corner)?;
    let rect = layout.badge.rect;

    // What the viewer shows before each frame, without the badge.
    let mut shown = RgbaImage::new(u32::from(w), u32::from(h));
    let mut badge_visible = false;
    let mut frames: Vec<Frame<'static>> = Vec::new();
    let mut first: Option<Badge> = None;
    while let Some(frame) = dec.read_next_frame().map_err(|e| match e {
        gif::DecodingError::MemoryLimit => NoticeError::TooLarge {
            what: "a GIF frame",
            limit: "the pixel limit",
        },
        e => err(e),
    })? {
        // Every frame is kept until all are written.
        budget.frame(frame.buffer.len() as u64)?;
        let mut frame = frame.clone();
        let fr = frame_rect(&frame);
        let palette = match frame.palette.as_ref().or(global.as_ref()) {
            Some(p) => p.clone(),
            None => {
                return Err(NoticeError::Missing {
                    whole: "GIF frame",
                    part: "colour palette",
                })
            }
        };
        let saved = (frame.dispose == DisposalMethod::Previous).then(|| shown.clone());
        paint(&mut shown, &frame, &palette);
        if contains(fr, rect) {
            let mut badged = shown.clone();
            let b = badge::draw(&mut badged, candidates, corner)?;
            first.get_or_insert(b);
            recolour(&mut frame, fr, rect, &badged, palette);
            badge_visible = true;
        } else if overlaps(fr, rect) || !badge_visible {
            return Ok(None);
        }
        // The disposal must not take the badge away before the next frame.
        match frame.dispose {
            DisposalMethod::Background => {
                clear(&mut shown, fr);
                badge_visible &= !overlaps(fr, rect);
            }
            DisposalMethod::Previous => {
                if let Some(s) = saved {
                    shown = s;
                }
                badge_visible &= !overlaps(fr, rect);
            }
            _ => {}
        }
        // The decoder has de-interlaced the rows.
        frame.interlaced = false;
        frames.push(frame);
    }
    let badge = first.ok_or(NO_FRAMES)?;

    let enc_err = |e: gif::EncodingError| NoticeError::encode("the GIF cannot be written")(e);
    let mut out = Vec::new();
    {
        let mut enc =
            Encoder::new(&mut out, w, h, global.as_deref().unwrap_or(&[])).map_err(enc_err)?;
        enc.set_repeat(repeat).map_err(enc_err)?;
        for f in &frames {
            enc.write_frame(f).map_err(enc_err)?;
        }
    }
    Ok(Some(Badged {
        bytes: out,
        badge,
        note: None,
    }))
}

/// Where `frame` sits on the screen.
fn frame_rect(frame: &Frame<'_>) -> Rect {
    (
        u32::from(frame.left),
        u32::from(frame.top),
        u32::from(frame.width),
        u32::from(frame.height),
    )
}

/// The screen points of `rect`, row by row: the order of a frame's buffer.
fn points((x0, y0, w, h): Rect) -> impl Iterator<Item = (u32, u32)> {
    (y0..y0 + h).flat_map(move |y| (x0..x0 + w).map(move |x| (x, y)))
}

/// Whether the point `x`, `y` is inside `rect`.
fn holds((x0, y0, w, h): Rect, x: u32, y: u32) -> bool {
    x >= x0 && x < x0 + w && y >= y0 && y < y0 + h
}

fn contains(outer: Rect, inner: Rect) -> bool {
    inner.0 >= outer.0
        && inner.1 >= outer.1
        && inner.0 + inner.2 <= outer.0 + outer.2
        && inner.1 + inner.3 <= outer.1 + outer.3
}

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

/// Draws the frame's opaque pixels onto what is shown.
fn paint(shown: &mut RgbaImage, frame: &Frame<'_>, palette: &[u8]) {
    let screen = (0, 0, shown.width(), shown.height());
    for ((x, y), &idx) in points(frame_rect(frame)).zip(frame.buffer.iter()) {
        if Some(idx) == frame.transparent || !holds(screen, x, y) {
            continue;
        }
        let at = usize::from(idx) * 3;
        // An index past the palette shows black, as browsers do.
        let c = palette.get(at..at + 3).unwrap_or(&[0, 0, 0]);
        shown.put_pixel(x, y, Rgba([c[0], c[1], c[2], 255]));
    }
}

fn clear(shown: &mut RgbaImage, (x0, y0, w, h): Rect) {
    // Clipped to the screen: a frame may claim to reach past it.
    let w = w.min(shown.width().saturating_sub(x0));
    let h = h.min(shown.height().saturating_sub(y0));
    for (x, y) in points((x0, y0, w, h)) {
        shown.put_pixel(x, y, Rgba([0, 0, 0, 0]));
    }
}

/// Sets the frame's indices inside `rect` to the palette entries nearest
/// the badged picture, first making sure the palette has black and white.
fn recolour(frame: &mut Frame<'_>, fr: Rect, rect: Rect, badged: &RgbaImage, palette: Vec<u8>) {
    let fw = fr.2 as usize;
    let mut palette = palette;
    let mut changed = false;
    for target in [[0u8, 0, 0], [255, 255, 255]] {
        if has_near(&palette, frame.transparent, target) {
            continue;
        }
        if palette.len() < 256 * 3 {
            palette.extend_from_slice(&target);
            changed = true;
            continue;
        }
        // A full palette: reuse an entry seen only under the badge.
        let mut used = [false; 256];
        for ((x, y), &idx) in points(fr).zip(frame.buffer.iter()) {
            if !holds(rect, x, y) {
                used[usize::from(idx)] = true;
            }
        }
        let free = (0..256usize).find(|&i| !used[i] && frame.transparent != Some(i as u8));
        if let Some(i) = free {
            palette[i * 3..i * 3 + 3].copy_from_slice(&target);
            changed = true;
        }
    }
    if changed {
        frame.palette = Some(palette.clone());
    }
    let mut nearest: HashMap<[u8; 3], u8> = HashMap::new();
    let buf = frame.buffer.to_mut();
    for (x, y) in points(rect) {
        let p = badged.get_pixel(x, y).0;
        let rgb = [p[0], p[1], p[2]];
        let idx = *nearest
            .entry(rgb)
            .or_insert_with(|| nearest_index(&palette, frame.transparent, rgb));
        let i = ((y - fr.1) as usize) * fw + (x - fr.0) as usize;
        if let Some(slot) = buf.get_mut(i) {
            *slot = idx;
        }
    }
}

fn has_near(palette: &[u8], transparent: Option<u8>, target: [u8; 3]) -> bool {
    palette.chunks_exact(3).enumerate().any(|(i, c)| {
        Some(i as u8) != transparent && c.iter().zip(target).all(|(&a, b)| a.abs_diff(b) <= NEAR)
    })
}

/// The opaque palette entry closest to `rgb` (squared RGB distance).
fn nearest_index(palette: &[u8], transparent: Option<u8>, rgb: [u8; 3]) -> u8 {
    palette
        .chunks_exact(3)
        .take(256)
        .enumerate()
        .filter(|(i, _)| Some(*i as u8) != transparent)
        .min_by_key(|(_, c)| {
            c.iter()
                .zip(rgb)
                .map(|(&a, b)| (i32::from(a) - i32::from(b)).pow(2))
                .sum::<i32>()
        })
        .map_or(0, |(i, _)| i as u8)
}

/// Every frame decoded whole, badged, and re-quantized by `image`'s
/// encoder: for frame layouts the palette-exact path cannot keep.
fn requantized(
    input: &[u8],
    candidates: &[Vec<String>],
    corner: NoticePosition,
    limits: &DecodeLimits,
) -> Result<Badged, NoticeError> {
    let err = crate::images::image_error;
    let mut decoder = GifDecoder::new(Cursor::new(input)).map_err(err)?;
    let (w, h) = image::ImageDecoder::dimensions(&decoder);
    limits.check_image(u64::from(w), u64::from(h), 4)?;
    image::ImageDecoder::set_limits(&mut decoder, crate::images::image_limits(limits))
        .map_err(err)?;
    // Each frame comes composited on the whole screen, in RGBA.
    let frame_bytes = u64::from(w) * u64::from(h) * 4;
    let mut budget = Budget::new(*limits);
    let mut out = Vec::new();
    let mut first = None;
    let mut badged = Vec::new();
    for frame in decoder.into_frames() {
        budget.frame(frame_bytes)?;
        let frame = frame.map_err(err)?;
        let (left, top, delay) = (frame.left(), frame.top(), frame.delay());
        let mut buf = frame.into_buffer();
        let b = badge::draw(&mut buf, candidates, corner)?;
        first.get_or_insert(b);
        badged.push(image::Frame::from_parts(buf, left, top, delay));
    }
    {
        let mut enc = GifEncoder::new(&mut out);
        enc.set_repeat(Repeat::Infinite).map_err(err)?;
        enc.encode_frames(badged).map_err(err)?;
    }
    let badge = first.ok_or(NO_FRAMES)?;
    Ok(Badged {
        bytes: out,
        badge,
        note: Some(
            "the GIF's frames do not all cover the badge corner, so every frame was \
             re-encoded with a new palette"
                .into(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn candidates() -> Vec<Vec<String>> {
        vec![vec!["AI-generated".into()], vec!["AI".into()]]
    }

    /// A frame: rect, local palette, transparent index, disposal.
    type Spec = (Rect, Option<Vec<u8>>, Option<u8>, DisposalMethod);

    /// A GIF of `frames`, each with the index `pattern(x, y)` at x, y.
    fn gif(
        (w, h): (u16, u16),
        global: &[u8],
        frames: &[Spec],
        pattern: impl Fn(u32, u32) -> u8,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = Encoder::new(&mut out, w, h, global).unwrap();
            for (r, pal, transparent, dispose) in frames {
                let buffer: Vec<u8> = points(*r).map(|(x, y)| pattern(x, y)).collect();
                enc.write_frame(&Frame {
                    left: r.0 as u16,
                    top: r.1 as u16,
                    width: r.2 as u16,
                    height: r.3 as u16,
                    palette: pal.clone(),
                    transparent: *transparent,
                    dispose: *dispose,
                    delay: 7,
                    buffer: Cow::Owned(buffer),
                    ..Frame::default()
                })
                .unwrap();
            }
        }
        out
    }

    /// The frames, each with the palette it uses in `palette`.
    fn frames(bytes: &[u8]) -> Vec<Frame<'static>> {
        let mut opts = DecodeOptions::new();
        opts.set_color_output(ColorOutput::Indexed);
        let mut dec = opts.read_info(bytes).unwrap();
        let global = dec.global_palette().map(<[u8]>::to_vec);
        let mut v = Vec::new();
        while let Some(f) = dec.read_next_frame().unwrap() {
            let mut f = f.clone();
            f.palette = f.palette.or(global.clone());
            v.push(f);
        }
        v
    }

    /// A palette of 16 mid-tones: no black, no white.
    fn mid_palette() -> Vec<u8> {
        (0..16u8)
            .flat_map(|i| [60 + i * 8, 100, 180 - i * 5])
            .collect()
    }

    #[test]
    fn indices_outside_the_badge_are_kept_and_black_and_white_are_added() {
        let (w, h) = (200u16, 120u16);
        let input = gif(
            (w, h),
            &mid_palette(),
            &[
                ((0, 0, 200, 120), None, None, DisposalMethod::Keep),
                // A local palette and a transparent index on the second.
                (
                    (0, 0, 200, 120),
                    Some(mid_palette()),
                    Some(3),
                    DisposalMethod::Keep,
                ),
            ],
            |x, y| ((x / 7 + y / 5) % 16) as u8,
        );
        let b = apply(
            &input,
            &candidates(),
            NoticePosition::BottomRight,
            &DecodeLimits::default(),
        )
        .unwrap();
        assert_eq!(b.note, None, "palette-exact path");
        let rect = b.badge.rect;
        let (before, after) = (frames(&input), frames(&b.bytes));
        assert_eq!(before.len(), after.len());
        for (n, (f0, f1)) in before.iter().zip(&after).enumerate() {
            assert_eq!((f1.delay, f1.transparent), (f0.delay, f0.transparent));
            let pal = f1.palette.as_ref().unwrap();
            // The old entries are where they were; black and white follow.
            assert_eq!(&pal[..48], &mid_palette()[..], "frame {n}");
            assert_eq!(&pal[48..54], &[0, 0, 0, 255, 255, 255], "frame {n}");
            let mut seen = std::collections::HashSet::new();
            let screen = points((0, 0, u32::from(w), u32::from(h)));
            for ((x, y), (&a, &c)) in screen.zip(f0.buffer.iter().zip(f1.buffer.iter())) {
                if holds(rect, x, y) {
                    seen.insert(c);
                } else {
                    assert_eq!(a, c, "frame {n} pixel {x},{y}");
                }
            }
            assert!(
                seen.contains(&16) && seen.contains(&17),
                "frame {n}: {seen:?}"
            );
            if n == 1 {
                // Transparent pixels under the badge became opaque badge.
                assert!(!seen.contains(&3), "frame {n}");
            }
        }
    }

    #[test]
    fn a_full_palette_reuses_an_entry_only_the_badge_area_had() {
        let full: Vec<u8> = (0..=255u8).flat_map(|i| [i / 2 + 60, 128, 128]).collect();
        let input = gif(
            (160, 100),
            &full,
            &[((0, 0, 160, 100), None, None, DisposalMethod::Keep)],
            // Index 255 appears only in the bottom-right corner.
            |x, y| {
                if x > 120 && y > 70 {
                    255
                } else {
                    ((x + y) % 200) as u8
                }
            },
        );
        let b = apply(
            &input,
            &candidates(),
            NoticePosition::BottomRight,
            &DecodeLimits::default(),
        )
        .unwrap();
        let f = &frames(&b.bytes)[0];
        let pal = f.palette.as_ref().unwrap();
        assert!(
            pal.chunks_exact(3)
                .any(|c| c == [0, 0, 0] || c == [255, 255, 255]),
            "{pal:?}"
        );
    }

    #[test]
    fn frames_that_miss_the_corner_fall_back_to_a_reencode() {
        let input = gif(
            (200, 120),
            &mid_palette(),
            &[
                ((0, 0, 200, 120), None, None, DisposalMethod::Background),
                // Only the top-left: the badge corner was cleared by the
                // first frame's disposal, and this frame does not redraw it.
                ((0, 0, 50, 40), None, None, DisposalMethod::Keep),
            ],
            |x, _| (x % 16) as u8,
        );
        let b = apply(
            &input,
            &candidates(),
            NoticePosition::BottomRight,
            &DecodeLimits::default(),
        )
        .unwrap();
        assert!(b.note.unwrap().contains("re-encoded"));
        // Small frames away from the corner over a kept one are fine.
        let input = gif(
            (200, 120),
            &mid_palette(),
            &[
                ((0, 0, 200, 120), None, None, DisposalMethod::Keep),
                ((0, 0, 50, 40), None, None, DisposalMethod::Background),
            ],
            |x, _| (x % 16) as u8,
        );
        let b = apply(
            &input,
            &candidates(),
            NoticePosition::BottomRight,
            &DecodeLimits::default(),
        )
        .unwrap();
        assert_eq!(b.note, None);
        assert_eq!(frames(&b.bytes)[1].buffer, frames(&input)[1].buffer);
    }
}
