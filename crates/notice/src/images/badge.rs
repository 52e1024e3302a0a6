//! Drawing the notice badge onto pixels: the rules of GB 45438 and the EU
//! Code of Practice as geometry.
//!
//! - Text height (the height of capital letters) is at least 5 % of the
//!   image's shorter side, and never below [`MIN_CAP_PX`].
//! - The text sits in a semi-opaque dark box: white on the box is at least
//!   9:1 over a white background and 21:1 over black, so ≥ 4.5:1 anywhere.
//! - The box never leaves the image: if the preferred wording does not fit,
//!   the next candidate is tried (stacked lines, then the bare "AI" mark);
//!   if nothing fits, the image is too small for a legible notice.
//! - Only pixels inside the box change.
//!
//! Fonts are bundled subsets (see `fonts/README.md`): DejaVu Sans Bold for
//! Latin and Cyrillic (all Kazakh letters), Droid Sans Fallback for the CJK
//! glyphs of the notices.

use ab_glyph::{point, Font, FontRef, GlyphId, PxScale, ScaleFont};
use image::{ImageBuffer, Pixel};
#[cfg(test)]
use image::{Rgba, RgbaImage};

use crate::options::NoticePosition;

static LATIN_CYRILLIC: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold-subset.ttf");
static CJK: &[u8] = include_bytes!("../../fonts/DroidSansFallback-notice-subset.ttf");

/// The least share of the shorter side the text's capital height may take.
pub const MIN_SHARE: f32 = 0.05;
/// The least capital height in pixels, whatever the image size: smaller
/// text is not legible, however the law's share works out.
pub const MIN_CAP_PX: f32 = 7.0;
/// Opacity of the black box behind the text.
const BOX_ALPHA: f32 = 0.72;

/// Where the badge was drawn and how big its text is.
#[derive(Debug, Clone, PartialEq)]
pub struct Badge {
    /// The box: left, top, width, height in pixels.
    pub rect: (u32, u32, u32, u32),
    /// Capital height of the text in pixels.
    pub cap_height: f32,
    /// `cap_height` as a share of the shorter side.
    pub share: f32,
    /// The lines drawn.
    pub lines: Vec<String>,
}

/// Why no badge could be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadgeError {
    /// A character no bundled font has a glyph for.
    #[error("no bundled font can draw {0:?} (U+{1:04X})")]
    NoGlyph(char, u32),
    /// Even the smallest candidate does not fit at the least legible size.
    #[error("the image ({0}×{1}) is too small for a legible notice")]
    TooSmall(u32, u32),
    /// A corner was not given.
    #[error("a badge goes in a corner, not at {0:?}")]
    NotACorner(NoticePosition),
}

struct Fonts {
    main: FontRef<'static>,
    cjk: FontRef<'static>,
}

impl Fonts {
    fn load() -> Self {
        // Both files are compiled in and parsed by the unit tests, so a
        // failure here is a build that never passed them.
        #[allow(clippy::expect_used)]
        Self {
            main: FontRef::try_from_slice(LATIN_CYRILLIC).expect("bundled Latin/Cyrillic font"),
            cjk: FontRef::try_from_slice(CJK).expect("bundled CJK font"),
        }
    }

    /// The font that has `c`, and its glyph.
    fn pick(&self, c: char) -> Result<(&FontRef<'static>, GlyphId), BadgeError> {
        for font in [&self.main, &self.cjk] {
            let id = font.glyph_id(c);
            if id.0 != 0 {
                return Ok((font, id));
            }
        }
        Err(BadgeError::NoGlyph(c, c as u32))
    }
}

/// A channel type the badge can be blended in: 8 or 16 bits, so a 16-bit
/// image keeps its depth instead of being cut down to draw on it.
pub trait Channel: image::Primitive {
    /// The channel's full-scale value (opaque, white).
    const FULL: f32;
    /// The value as a float on the `0..=FULL` scale.
    fn to_f32(self) -> f32;
    /// The nearest value to `v`, clamped into range.
    fn from_f32(v: f32) -> Self;
}

impl Channel for u8 {
    const FULL: f32 = 255.0;
    fn to_f32(self) -> f32 {
        f32::from(self)
    }
    fn from_f32(v: f32) -> Self {
        v.round().clamp(0.0, Self::FULL) as u8
    }
}

impl Channel for u16 {
    const FULL: f32 = 65535.0;
    fn to_f32(self) -> f32 {
        f32::from(self)
    }
    fn from_f32(v: f32) -> Self {
        v.round().clamp(0.0, Self::FULL) as u16
    }
}

/// Where the badge goes and how its text is set, before anything is drawn:
/// the raster drawing and the SVG outlines share it, so both follow the
/// same size rules.
pub struct Layout {
    /// The badge as it will be drawn.
    pub badge: Badge,
    fonts: Fonts,
    scale: PxScale,
    /// Pen start (x, baseline) of each line.
    origins: Vec<(f32, f32)>,
}

/// One glyph at its place: the font it comes from, its id, scale and
/// baseline origin in pixels.
pub struct PlacedGlyph {
    /// The bundled font that has the glyph.
    pub font: FontRef<'static>,
    /// The glyph in that font.
    pub id: GlyphId,
    /// Pixel scale of the text.
    pub scale: PxScale,
    /// Pen position: left end of the baseline.
    pub origin: ab_glyph::Point,
}

/// Places the first of `candidates` (each a list of lines) that fits in
/// `corner` of a `w`×`h` pixel canvas.
pub fn layout(
    (w, h): (u32, u32),
    candidates: &[Vec<String>],
    corner: NoticePosition,
) -> Result<Layout, BadgeError> {
    let short = w.min(h) as f32;
    let fonts = Fonts::load();
    let cap = (short * MIN_SHARE).ceil().max(MIN_CAP_PX);
    let scale = scale_for_cap(&fonts.main, cap);
    let main = fonts.main.as_scaled(scale);
    let line_h = (main.ascent() - main.descent()).ceil();
    let ascent = main.ascent();
    let pad = (cap * 0.45).ceil();
    let margin = (short * 0.02).ceil().max(2.0);

    for lines in candidates {
        let mut widest = 0f32;
        for line in lines {
            widest = widest.max(line_width(&fonts, scale, line)?);
        }
        let box_w = (widest + 2.0 * pad).ceil();
        let box_h = (lines.len() as f32 * line_h + 2.0 * pad).ceil();
        if box_w + 2.0 * margin > w as f32 || box_h + 2.0 * margin > h as f32 {
            continue;
        }
        let (bw, bh, m) = (box_w as u32, box_h as u32, margin as u32);
        let (x, y) = match corner {
            NoticePosition::TopLeft => (m, m),
            NoticePosition::TopRight => (w - m - bw, m),
            NoticePosition::BottomLeft => (m, h - m - bh),
            NoticePosition::BottomRight => (w - m - bw, h - m - bh),
            other => return Err(BadgeError::NotACorner(other)),
        };
        let origins = (0..lines.len())
            .map(|i| (x as f32 + pad, y as f32 + pad + i as f32 * line_h + ascent))
            .collect();
        return Ok(Layout {
            badge: Badge {
                rect: (x, y, bw, bh),
                cap_height: cap,
                share: cap / short,
                lines: lines.clone(),
            },
            fonts,
            scale,
            origins,
        });
    }
    Err(BadgeError::TooSmall(w, h))
}

impl Layout {
    /// Every glyph of the text at its place, for drawing it some other way
    /// than on pixels (SVG outlines).
    pub fn glyphs(&self) -> Result<Vec<PlacedGlyph>, BadgeError> {
        let mut out = Vec::new();
        for (line, &(mut x, baseline)) in self.badge.lines.iter().zip(&self.origins) {
            for c in line.chars() {
                let (font, id) = self.fonts.pick(c)?;
                out.push(PlacedGlyph {
                    font: font.clone(),
                    id,
                    scale: self.scale,
                    origin: point(x, baseline),
                });
                x += font.as_scaled(self.scale).h_advance(id);
            }
        }
        Ok(out)
    }
}

/// One line of text set by [`set_line`].
pub struct Line {
    /// Each glyph, its origin relative to the left end of the baseline.
    pub glyphs: Vec<PlacedGlyph>,
    /// How far the pen moves over the whole line, in pixels.
    pub width: f32,
}

/// Sets `text` in the bundled fonts with capital letters `cap` pixels
/// tall, the pen starting at (0, 0) on the baseline: the badge's fonts and
/// size measure for text drawn elsewhere than in an image's corner (the
/// disclosure card's PNG label). A character no bundled font has is an
/// error, never a gap.
pub fn set_line(text: &str, cap: f32) -> Result<Line, BadgeError> {
    let fonts = Fonts::load();
    let scale = scale_for_cap(&fonts.main, cap);
    let mut glyphs = Vec::new();
    let mut x = 0.0;
    for c in text.chars() {
        let (font, id) = fonts.pick(c)?;
        glyphs.push(PlacedGlyph {
            font: font.clone(),
            id,
            scale,
            origin: point(x, 0.0),
        });
        x += font.as_scaled(scale).h_advance(id);
    }
    Ok(Line { glyphs, width: x })
}

/// Draws the first of `candidates` (each a list of lines) that fits, in
/// `corner` of `img`. Any 8- or 16-bit pixel type: the image is drawn on
/// as it was decoded, without a conversion of the whole picture.
pub fn draw<P>(
    img: &mut ImageBuffer<P, Vec<P::Subpixel>>,
    candidates: &[Vec<String>],
    corner: NoticePosition,
) -> Result<Badge, BadgeError>
where
    P: Pixel,
    P::Subpixel: Channel,
{
    let layout = layout(img.dimensions(), candidates, corner)?;
    darken(img, layout.badge.rect);
    for g in layout.glyphs()? {
        draw_glyph(img, &g);
    }
    Ok(layout.badge)
}

/// [`draw`] on a raw interleaved 8-bit RGB or RGBA buffer, as decoders
/// outside `image` (libheif, jxl-oxide) hand them over; returns the buffer.
pub(crate) fn draw_rgb8(
    pixels: Vec<u8>,
    (w, h): (u32, u32),
    alpha: bool,
    candidates: &[Vec<String>],
    corner: NoticePosition,
) -> Result<(Badge, Vec<u8>), crate::NoticeError> {
    let bad = crate::NoticeError::Inconsistent("the decoded pixels do not fill the image");
    if alpha {
        let mut img = image::RgbaImage::from_raw(w, h, pixels).ok_or(bad)?;
        let b = draw(&mut img, candidates, corner)?;
        Ok((b, img.into_raw()))
    } else {
        let mut img = image::RgbImage::from_raw(w, h, pixels).ok_or(bad)?;
        let b = draw(&mut img, candidates, corner)?;
        Ok((b, img.into_raw()))
    }
}

/// The pixel scale at which capital letters are `cap` pixels tall.
fn scale_for_cap(font: &FontRef<'static>, cap: f32) -> PxScale {
    const PROBE: f32 = 100.0;
    let probe = PxScale::from(PROBE);
    let glyph = font
        .glyph_id('H')
        .with_scale_and_position(probe, point(0.0, 0.0));
    let cap_at_probe = font
        .outline_glyph(glyph)
        .map(|g| g.px_bounds().height())
        .filter(|h| *h > 0.0)
        .unwrap_or(PROBE * 0.73);
    PxScale::from(PROBE * cap / cap_at_probe)
}

fn line_width(fonts: &Fonts, scale: PxScale, line: &str) -> Result<f32, BadgeError> {
    let mut width = 0.0;
    for c in line.chars() {
        let (font, id) = fonts.pick(c)?;
        width += font.as_scaled(scale).h_advance(id);
    }
    Ok(width)
}

/// Blends the box: black at [`BOX_ALPHA`] over whatever is there.
fn darken<P>(img: &mut ImageBuffer<P, Vec<P::Subpixel>>, (x, y, w, h): (u32, u32, u32, u32))
where
    P: Pixel,
    P::Subpixel: Channel,
{
    for py in y..y + h {
        for px in x..x + w {
            let ch = img.get_pixel_mut(px, py).channels_mut();
            let colours = colour_channels::<P>(ch.len());
            for c in &mut ch[..colours] {
                *c = Channel::from_f32(c.to_f32() * (1.0 - BOX_ALPHA));
            }
            if P::HAS_ALPHA {
                // A transparent pixel becomes part of a visible box.
                if let Some(a) = ch.last_mut() {
                    let floor = P::Subpixel::from_f32((P::Subpixel::FULL * BOX_ALPHA).floor());
                    if *a < floor {
                        *a = floor;
                    }
                }
            }
        }
    }
}

/// How many of a pixel's channels are colour (the rest is alpha).
fn colour_channels<P: Pixel>(len: usize) -> usize {
    if P::HAS_ALPHA {
        len.saturating_sub(1)
    } else {
        len
    }
}

fn draw_glyph<P>(img: &mut ImageBuffer<P, Vec<P::Subpixel>>, g: &PlacedGlyph)
where
    P: Pixel,
    P::Subpixel: Channel,
{
    let size = img.dimensions();
    cover(g, (0.0, 0.0), size, |x, y, coverage| {
        blend_white(img.get_pixel_mut(x, y), coverage);
    });
}

/// Calls `paint` with every pixel of a `size` image that the glyph `g`
/// covers (its origin moved by `offset`) and the coverage, 0 to 1; pixels
/// outside the image are skipped. Spaces cover nothing.
pub fn cover(
    g: &PlacedGlyph,
    offset: (f32, f32),
    (w, h): (u32, u32),
    mut paint: impl FnMut(u32, u32, f32),
) {
    let glyph =
        g.id.with_scale_and_position(g.scale, point(g.origin.x + offset.0, g.origin.y + offset.1));
    if let Some(outlined) = g.font.outline_glyph(glyph) {
        let b = outlined.px_bounds();
        outlined.draw(|gx, gy, coverage| {
            let (px, py) = (
                b.min.x as i64 + i64::from(gx),
                b.min.y as i64 + i64::from(gy),
            );
            if px < 0 || py < 0 || px >= i64::from(w) || py >= i64::from(h) {
                return;
            }
            paint(px as u32, py as u32, coverage.clamp(0.0, 1.0));
        });
    }
}

fn blend_white<P>(p: &mut P, a: f32)
where
    P: Pixel,
    P::Subpixel: Channel,
{
    let full = P::Subpixel::FULL;
    let ch = p.channels_mut();
    let colours = colour_channels::<P>(ch.len());
    for c in &mut ch[..colours] {
        *c = Channel::from_f32(c.to_f32() * (1.0 - a) + full * a);
    }
    if P::HAS_ALPHA {
        if let Some(alpha) = ch.last_mut() {
            let floor = P::Subpixel::from_f32((full * a).floor());
            if *alpha < floor {
                *alpha = floor;
            }
        }
    }
}

/// The default kk/ru/en candidates, for the badge tests of every format.
#[cfg(test)]
pub(crate) fn test_candidates() -> Vec<Vec<String>> {
    let words = ["ЖИ жасаған", "Создано ИИ", "AI-generated"];
    vec![
        vec![words.join(" · ")],
        words.iter().map(|s| s.to_string()).collect(),
        vec!["AI".into()],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates() -> Vec<Vec<String>> {
        test_candidates()
    }

    fn patterned(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            Rgba([
                (x * 7 % 256) as u8,
                (y * 13 % 256) as u8,
                ((x ^ y) % 256) as u8,
                255,
            ])
        })
    }

    fn luminance(p: &Rgba<u8>) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(p.0[0]) + 0.7152 * lin(p.0[1]) + 0.0722 * lin(p.0[2])
    }

    fn inside(rect: (u32, u32, u32, u32), x: u32, y: u32) -> bool {
        x >= rect.0 && x < rect.0 + rect.2 && y >= rect.1 && y < rect.1 + rect.3
    }

    #[test]
    fn text_is_at_least_five_percent_never_clipped_and_nothing_else_changes() {
        for (w, h) in [
            (300, 1200),
            (1600, 400),
            (64, 64),
            (6000, 4000),
            (1024, 1024),
        ] {
            let before = patterned(w, h);
            let corners: &[NoticePosition] = if w * h > 4_000_000 {
                // One corner is enough to show a large image works.
                &[NoticePosition::BottomRight]
            } else {
                &[
                    NoticePosition::BottomRight,
                    NoticePosition::TopLeft,
                    NoticePosition::TopRight,
                    NoticePosition::BottomLeft,
                ]
            };
            for &corner in corners {
                let mut img = before.clone();
                let badge = draw(&mut img, &candidates(), corner).unwrap();
                let short = w.min(h) as f32;
                assert!(badge.cap_height >= short * MIN_SHARE, "{w}x{h}: {badge:?}");
                let (x, y, bw, bh) = badge.rect;
                assert!(
                    x >= 1 && y >= 1 && x + bw < w && y + bh < h,
                    "{w}x{h}: {badge:?}"
                );
                // Outside the box: untouched. Inside: changed.
                let mut changed_inside = 0u64;
                for (px, py, p) in img.enumerate_pixels() {
                    let orig = before.get_pixel(px, py);
                    if inside(badge.rect, px, py) {
                        changed_inside += u64::from(p != orig);
                    } else {
                        assert_eq!(p, orig, "{w}x{h} {corner:?}: pixel {px},{py}");
                    }
                }
                assert!(changed_inside > u64::from(bw * bh) / 2, "{w}x{h}");
            }
        }
    }

    #[test]
    fn sixteen_bit_images_are_drawn_in_sixteen_bits() {
        // Values that are not multiples of 257: a round trip through 8 bits
        // would change them.
        let before = image::ImageBuffer::<image::Rgb<u16>, Vec<u16>>::from_fn(300, 200, |x, y| {
            image::Rgb([(x * 211) as u16, (y * 331) as u16, 12345])
        });
        let mut img = before.clone();
        let badge = draw(&mut img, &candidates(), NoticePosition::BottomRight).unwrap();
        let mut lit = 0;
        for (x, y, p) in img.enumerate_pixels() {
            let orig = before.get_pixel(x, y);
            if inside(badge.rect, x, y) {
                lit += u32::from(p.0[0] > 60000);
            } else {
                assert_eq!(p, orig, "pixel {x},{y}");
            }
        }
        assert!(lit > 50, "white text is full-scale in 16 bits");
        // The box's corner has no text: the darkening is exact in 16 bits.
        let (x, y, _, _) = badge.rect;
        let expect = (12345.0 * (1.0 - BOX_ALPHA)).round() as u16;
        assert_eq!(img.get_pixel(x, y).0[2], expect);
        let mut grey = image::ImageBuffer::<image::LumaA<u16>, Vec<u16>>::new(200, 200);
        let badge = draw(&mut grey, &candidates(), NoticePosition::TopLeft).unwrap();
        let (x, y, _, _) = badge.rect;
        assert_eq!(
            grey.get_pixel(x, y).0[1],
            (65535.0 * BOX_ALPHA).floor() as u16,
            "a transparent pixel becomes part of a visible box"
        );
    }

    #[test]
    fn the_measured_ink_is_as_tall_as_promised() {
        // One line, white background: rows holding fully lit text pixels.
        let mut img = RgbaImage::from_pixel(800, 600, Rgba([0, 0, 0, 255]));
        let badge = draw(&mut img, &[vec!["НЖ HI".into()]], NoticePosition::TopLeft).unwrap();
        let (x, y, bw, bh) = badge.rect;
        let rows: Vec<u32> = (y..y + bh)
            .filter(|&py| (x..x + bw).any(|px| img.get_pixel(px, py).0[0] > 200))
            .collect();
        let ink = (rows.last().unwrap() - rows.first().unwrap() + 1) as f32;
        assert!(ink >= 600.0 * MIN_SHARE, "ink {ink} px for {badge:?}");
        assert!(
            (ink - badge.cap_height).abs() <= 2.0,
            "ink {ink} vs {badge:?}"
        );
    }

    #[test]
    fn contrast_is_at_least_4_5_to_1_on_white_and_on_black() {
        for bg in [255u8, 0, 128] {
            let mut img = RgbaImage::from_pixel(640, 480, Rgba([bg, bg, bg, 255]));
            let badge = draw(&mut img, &candidates(), NoticePosition::BottomRight).unwrap();
            let (x, y, bw, bh) = badge.rect;
            let lums: Vec<f64> = (y..y + bh)
                .flat_map(|py| (x..x + bw).map(move |px| (px, py)))
                .map(|(px, py)| luminance(img.get_pixel(px, py)))
                .collect();
            let (lo, hi) = lums
                .iter()
                .fold((f64::MAX, f64::MIN), |(lo, hi), &l| (lo.min(l), hi.max(l)));
            let ratio = (hi + 0.05) / (lo + 0.05);
            assert!(ratio >= 4.5, "background {bg}: contrast {ratio:.2}");
        }
    }

    /// Writes badges on the bundled photo to `target/notice-examples/` for
    /// a reviewer to look at (committed as `docs/notice-examples/`).
    #[test]
    fn renders_examples_for_review() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let photo = image::open(root.join("samples/sample.jpg"))
            .unwrap()
            .to_rgba8();
        let dir = root.join("target/notice-examples");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, lines) in [
            ("badge-kk-ru-en", candidates()),
            ("badge-zh", vec![vec!["AI生成".to_string()]]),
            ("ai-icon", vec![vec!["AI".to_string()]]),
        ] {
            let mut img = photo.clone();
            draw(&mut img, &lines, NoticePosition::BottomRight).unwrap();
            img.save(dir.join(format!("{name}.png"))).unwrap();
        }
    }

    #[test]
    fn small_images_fall_back_and_every_notice_script_has_glyphs() {
        let mut img = patterned(64, 64);
        let badge = draw(&mut img, &candidates(), NoticePosition::BottomRight).unwrap();
        assert_ne!(
            badge.lines,
            candidates()[0],
            "64 px cannot hold the joined line"
        );
        let mut tiny = patterned(12, 12);
        assert_eq!(
            draw(&mut tiny, &candidates(), NoticePosition::BottomRight),
            Err(BadgeError::TooSmall(12, 12))
        );
        let fonts = Fonts::load();
        for text in [
            "Жасанды интеллект арқылы жасалған ӘҒҚҢӨҰҮҺІ әғқңөұүһі",
            "Создано с помощью ИИ · Ёё",
            "AI生成 AI合成 人工智能",
            "AI-generated · AI-modified",
        ] {
            for c in text.chars() {
                fonts.pick(c).unwrap();
            }
        }
        assert_eq!(
            fonts.pick('😀').unwrap_err(),
            BadgeError::NoGlyph('😀', 0x1F600)
        );
    }

    #[test]
    fn a_set_line_is_as_wide_as_the_badge_measures_it_and_refuses_missing_glyphs() {
        let line = set_line("Жасанды AI生成", 30.0).unwrap();
        let fonts = Fonts::load();
        let scale = scale_for_cap(&fonts.main, 30.0);
        let expect = line_width(&fonts, scale, "Жасанды AI生成").unwrap();
        assert!(
            (line.width - expect).abs() < 1e-3,
            "{} vs {expect}",
            line.width
        );
        assert_eq!(line.glyphs.len(), "Жасанды AI生成".chars().count());
        assert!(line.glyphs.iter().all(|g| g.origin.y == 0.0));
        assert_eq!(
            set_line("AI 😀", 30.0).err(),
            Some(BadgeError::NoGlyph('😀', 0x1F600))
        );
    }
}
