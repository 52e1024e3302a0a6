//! The packaging label as a PNG: the SVG label's layout (`svg.rs`) drawn on
//! pixels, for printers and layout tools that take pictures. No SVG
//! rasterizer: the text is set in the notice badges' bundled fonts
//! (`tamga_notice::images::badge::set_line`, DejaVu Sans Bold with all of
//! Cyrillic, so Kazakh too) and the QR code is drawn module by module.
//!
//! - 1,800 px wide (3 px per SVG unit), 8-bit greyscale, marked 600 dpi
//!   (the PNG's pHYs): a label 76.2 mm wide, sharp on 300 and 600 dpi
//!   printers, which layout tools place at that size.
//! - Capital letters are 48 px (2 mm) tall: at least 5 % of the label's
//!   shorter side for one to three languages, as the badges' rule asks. A
//!   line too long for its room is narrowed, never made lower or clipped.
//! - QR modules are whole pixels (12 px, 0.5 mm, for a typical link), with
//!   the 4-module white quiet zone scanners need.

use image::{GrayImage, Luma};
use qrcode::{Color, QrCode};
use tamga_notice::images::badge::{cover, set_line, PlacedGlyph};

use crate::{svg, words, Card, DiscloseError, Lang};

/// Pixels per user unit of the SVG label: its 600 units become 1,800 px.
const SCALE: u32 = 3;
/// The print resolution written into the PNG.
const DPI: u32 = 600;
/// The capital height in pixels: 16 units, DejaVu Sans Bold's capitals
/// (0.73 em) at the SVG label's 22-unit font size.
const CAP: f32 = (16 * SCALE) as f32;
/// The black frame: the visible half of the SVG's 4-unit stroke.
const BORDER: u32 = 2 * SCALE;
/// Left end of the text lines.
const TEXT_X: u32 = 20 * SCALE;
/// The first baseline, and the step to the next one.
const FIRST_BASELINE: u32 = 40 * SCALE;
const PITCH: u32 = 36 * SCALE;
/// The square the QR code (with its quiet zone) is centred in: right of
/// the text, at the top.
const QR_X: u32 = 410 * SCALE;
const QR_Y: u32 = 20 * SCALE;
const QR_SIZE: u32 = 170 * SCALE;
/// The quiet zone around the code, in modules (ISO/IEC 18004).
const QUIET: u32 = 4;

const WHITE: Luma<u8> = Luma([255]);
const BLACK: Luma<u8> = Luma([0]);

/// The label for `card` in `langs`, as PNG bytes.
pub(crate) fn label(card: &Card, langs: &[Lang]) -> Result<Vec<u8>, DiscloseError> {
    encode(&draw(card, langs)?)
}

/// The label's pixels: white panel, black frame, the title and how AI was
/// involved in each language, the QR code when there is a link.
fn draw(card: &Card, langs: &[Lang]) -> Result<GrayImage, DiscloseError> {
    let (w, h) = (svg::WIDTH * SCALE, svg::height(langs.len()) * SCALE);
    let mut img = GrayImage::from_pixel(w, h, WHITE);
    for (x, y, p) in img.enumerate_pixels_mut() {
        if x < BORDER || y < BORDER || x >= w - BORDER || y >= h - BORDER {
            *p = BLACK;
        }
    }
    let code = card
        .verify_url
        .as_deref()
        .map(|url| QrCode::new(url.as_bytes()).map_err(|_| DiscloseError::LinkTooLong))
        .transpose()?;
    let room = text_room(code.is_some());
    let lines = langs
        .iter()
        .flat_map(|&lang| [words::words(lang).title, words::involvement(lang, card.ai)]);
    for (i, text) in lines.enumerate() {
        for g in set_fitted(text, room)? {
            ink(&mut img, &g, (TEXT_X as f32, baseline(i) as f32));
        }
    }
    if let Some(code) = code {
        draw_qr(&mut img, &code)?;
    }
    Ok(img)
}

/// The baseline of line `i` (two lines a language).
fn baseline(i: usize) -> u32 {
    FIRST_BASELINE + i as u32 * PITCH
}

/// How wide the text may be: up to the QR code's square, or the frame.
fn text_room(qr: bool) -> u32 {
    if qr {
        QR_X - 20 * SCALE - TEXT_X
    } else {
        svg::WIDTH * SCALE - 2 * TEXT_X
    }
}

/// `text` set at [`CAP`], narrowed to `room` pixels if wider (as the SVG's
/// `textLength`): the capitals keep their height. Origins are relative to
/// the left end of the baseline.
fn set_fitted(text: &str, room: u32) -> Result<Vec<PlacedGlyph>, DiscloseError> {
    let line = set_line(text, CAP).map_err(DiscloseError::Text)?;
    let mut glyphs = line.glyphs;
    if line.width > room as f32 {
        let k = room as f32 / line.width;
        for g in &mut glyphs {
            g.scale.x *= k;
            g.origin.x *= k;
        }
    }
    Ok(glyphs)
}

/// Draws `g` in black, its line's baseline starting at `at`.
fn ink(img: &mut GrayImage, g: &PlacedGlyph, at: (f32, f32)) {
    let size = img.dimensions();
    cover(g, at, size, |x, y, coverage| {
        let p = img.get_pixel_mut(x, y);
        let light = f32::from(p.0[0]) * (1.0 - coverage);
        p.0[0] = light.round().clamp(0.0, 255.0) as u8;
    });
}

/// Where the code of `modules` modules a side goes: the top-left corner
/// of its quiet zone, and the module size in whole pixels.
fn qr_place(modules: usize) -> Result<(u32, u32, u32), DiscloseError> {
    let side = u32::try_from(modules)
        .ok()
        .and_then(|n| n.checked_add(2 * QUIET))
        .ok_or(DiscloseError::LinkTooLong)?;
    // Version 40 (177 modules) still gets 2 px modules.
    let module = QR_SIZE / side;
    if module == 0 {
        return Err(DiscloseError::LinkTooLong);
    }
    let offset = (QR_SIZE - module * side) / 2;
    Ok((QR_X + offset, QR_Y + offset, module))
}

/// Draws `code`: its dark modules as black squares of whole pixels, inside
/// a white quiet zone of [`QUIET`] modules.
fn draw_qr(img: &mut GrayImage, code: &QrCode) -> Result<(), DiscloseError> {
    let n = code.width();
    let (x0, y0, module) = qr_place(n)?;
    let side = (n as u32 + 2 * QUIET) * module;
    for y in y0..y0 + side {
        for x in x0..x0 + side {
            img.put_pixel(x, y, WHITE);
        }
    }
    for (i, colour) in code.to_colors().into_iter().enumerate() {
        if colour != Color::Dark {
            continue;
        }
        let (mx, my) = ((i % n) as u32 + QUIET, (i / n) as u32 + QUIET);
        for y in 0..module {
            for x in 0..module {
                img.put_pixel(x0 + mx * module + x, y0 + my * module + y, BLACK);
            }
        }
    }
    Ok(())
}

/// `img` as an 8-bit greyscale PNG marked [`DPI`].
fn encode(img: &GrayImage) -> Result<Vec<u8>, DiscloseError> {
    // Pixels per metre: 600 dpi is 23,622.
    let ppm = (f64::from(DPI) / 0.0254).round() as u32;
    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut out, img.width(), img.height());
    encoder.set_color(::png::ColorType::Grayscale);
    encoder.set_depth(::png::BitDepth::Eight);
    // fdeflate's PNG-tuned mode: a white label with black text compresses
    // about as well as with the default zlib level, in a fraction of the
    // time (deflate was half of a label's cost).
    encoder.set_compression(::png::Compression::Fast);
    encoder.set_pixel_dims(Some(::png::PixelDimensions {
        xppu: ppm,
        yppu: ppm,
        unit: ::png::Unit::Meter,
    }));
    let mut writer = encoder.write_header().map_err(DiscloseError::Png)?;
    writer
        .write_image_data(img.as_raw())
        .map_err(DiscloseError::Png)?;
    writer.finish().map_err(DiscloseError::Png)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::{Font as _, ScaleFont as _};
    use tamga_label::AiInvolvement;

    const URL: &str = "https://verify.example.kz/check?file=card-test";
    const EVERY_AI: [AiInvolvement; 4] = [
        AiInvolvement::Generated,
        AiInvolvement::Edited,
        AiInvolvement::Composite,
        AiInvolvement::Algorithmic,
    ];

    fn card(ai: AiInvolvement, url: Option<&str>) -> Card {
        Card {
            title: "photo.jpg".into(),
            ai,
            digital_source_type: ai.iptc_uri(),
            system: None,
            organisation: None,
            when: None,
            reviewed: None,
            verified: true,
            verify_url: url.map(str::to_string),
        }
    }

    fn dark(img: &GrayImage, x: u32, y: u32) -> bool {
        img.get_pixel(x, y).0[0] < 128
    }

    /// Every line the label can show, in `lang`.
    fn every_line(lang: Lang) -> Vec<&'static str> {
        let mut lines = vec![words::words(lang).title];
        lines.extend(EVERY_AI.map(|ai| words::involvement(lang, ai)));
        lines
    }

    #[test]
    fn every_character_of_the_cards_words_has_a_glyph_that_draws_ink() {
        for lang in Lang::ALL {
            let w = words::words(lang);
            let mut texts = every_line(lang);
            // The rest of the card's words too, should the label show them.
            texts.extend([
                w.how, w.system, w.for_whom, w.when, w.reviewed, w.yes, w.no, w.unknown, w.risks,
                w.safe_use, w.verify, w.declared,
            ]);
            for text in texts {
                let line = set_line(text, CAP).unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(line.glyphs.len(), text.chars().count(), "{text}");
                for (c, g) in text.chars().zip(&line.glyphs) {
                    let outline = g.font.outline_glyph(g.id.with_scale(g.scale));
                    assert_eq!(outline.is_some(), !c.is_whitespace(), "{c:?} in {text}");
                }
            }
        }
        // A character outside the fonts is an error, not a gap.
        assert!(matches!(
            set_fitted("AI ✓", text_room(true)),
            Err(DiscloseError::Text(_))
        ));
    }

    #[test]
    fn the_png_is_1800_px_wide_marked_600_dpi_and_holds_the_drawn_pixels() {
        for n in 1..=3 {
            let c = card(AiInvolvement::Generated, Some(URL));
            let bytes = label(&c, &Lang::ALL[..n]).unwrap();
            let reader = ::png::Decoder::new(std::io::Cursor::new(&bytes))
                .read_info()
                .unwrap();
            let info = reader.info();
            assert_eq!(
                (info.width, info.height),
                (1800, svg::height(n) * 3),
                "{n} languages"
            );
            assert_eq!(info.color_type, ::png::ColorType::Grayscale);
            let dims = info.pixel_dims.unwrap();
            assert_eq!((dims.xppu, dims.yppu), (23622, 23622));
            assert_eq!(dims.unit, ::png::Unit::Meter);
            // 1,800 px at 600 dpi: 76.2 mm.
            let mm = f64::from(info.width) * 1000.0 / f64::from(dims.xppu);
            assert!((mm - 76.2).abs() < 0.01, "{mm} mm");
            let decoded = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
                .unwrap()
                .to_luma8();
            assert_eq!(decoded, draw(&c, &Lang::ALL[..n]).unwrap());
        }
    }

    #[test]
    fn capitals_are_at_least_5_percent_of_the_shorter_side_measured_in_ink() {
        for langs in [
            &Lang::ALL[..1],
            &Lang::ALL[..2],
            &Lang::ALL[..],
            &[Lang::En][..],
            &[Lang::Ru, Lang::En][..],
        ] {
            let img = draw(&card(AiInvolvement::Generated, Some(URL)), langs).unwrap();
            let short = img.width().min(img.height()) as f32;
            for (i, &lang) in langs.iter().enumerate() {
                // Each title starts with a capital (Ж, И, A): the rows of
                // ink under that letter are its capital height.
                let title = words::words(lang).title;
                let glyphs = set_fitted(title, text_room(true)).unwrap();
                let (x0, x1) = (TEXT_X - 4, TEXT_X + glyphs[1].origin.x.floor() as u32);
                let base = baseline(2 * i);
                let rows: Vec<u32> = (base - 3 * CAP as u32 / 2..base + 8)
                    .filter(|&y| (x0..x1).any(|x| dark(&img, x, y)))
                    .collect();
                let ink = (rows[rows.len() - 1] - rows[0] + 1) as f32;
                assert!(
                    ink >= short * 0.05,
                    "{langs:?} {title}: {ink} px of {short}"
                );
                assert!((ink - CAP).abs() <= 2.0, "{title}: {ink} px, set at {CAP}");
            }
        }
    }

    #[test]
    fn a_white_panel_a_black_frame_and_black_text_only_where_the_lines_go() {
        for ai in EVERY_AI {
            let img = draw(&card(ai, None), &Lang::ALL).unwrap();
            let (w, h) = img.dimensions();
            let boxes: Vec<(u32, u32, u32, u32)> = (0..6)
                .map(|i| {
                    let b = baseline(i);
                    (
                        TEXT_X - 4,
                        b - 3 * CAP as u32 / 2,
                        text_room(false) + 8,
                        2 * CAP as u32,
                    )
                })
                .collect();
            let mut dark_in = [0u32; 6];
            for (x, y, p) in img.enumerate_pixels() {
                let frame = x < BORDER || y < BORDER || x >= w - BORDER || y >= h - BORDER;
                let line = boxes
                    .iter()
                    .position(|&(bx, by, bw, bh)| x >= bx && x < bx + bw && y >= by && y < by + bh);
                match (frame, line) {
                    (true, _) => assert_eq!(p.0[0], 0, "frame at {x},{y}"),
                    (false, Some(i)) => dark_in[i] += u32::from(p.0[0] < 128),
                    (false, None) => assert_eq!(p.0[0], 255, "{ai:?}: stray ink at {x},{y}"),
                }
            }
            // Every line has solid black ink, no QR code without a link.
            assert!(dark_in.iter().all(|&d| d > 2000), "{ai:?}: {dark_in:?}");
            assert!(img.pixels().any(|p| p.0[0] == 0));
        }
    }

    #[test]
    fn long_lines_are_narrowed_to_their_room_not_lowered_or_clipped() {
        let mut narrowest = 1.0f32;
        for lang in Lang::ALL {
            for text in every_line(lang) {
                for qr in [true, false] {
                    let room = text_room(qr) as f32;
                    let natural = set_line(text, CAP).unwrap().width;
                    let glyphs = set_fitted(text, text_room(qr)).unwrap();
                    let last = glyphs.last().unwrap();
                    let end = last.origin.x + last.font.as_scaled(last.scale).h_advance(last.id);
                    assert!(end <= room + 0.5, "{text}: {end} > {room}");
                    assert!(glyphs.iter().all(|g| g.scale.y >= CAP), "{text}");
                    narrowest = narrowest.min((room / natural).min(1.0));
                }
            }
        }
        // Narrowed, still legible: no line is squeezed below 70 %.
        assert!(narrowest >= 0.7, "{narrowest}");
    }

    #[test]
    fn the_qr_code_has_whole_pixel_modules_inside_a_4_module_quiet_zone() {
        let img = draw(&card(AiInvolvement::Generated, Some(URL)), &[Lang::Kk]).unwrap();
        let code = QrCode::new(URL.as_bytes()).unwrap();
        let n = code.width();
        let (x0, y0, module) = qr_place(n).unwrap();
        assert!(module >= 10, "{module} px modules for a short link");
        let colours = code.to_colors();
        let side = n as u32 + 2 * QUIET;
        for my in 0..side {
            for mx in 0..side {
                let (cx, cy) = (mx.wrapping_sub(QUIET), my.wrapping_sub(QUIET));
                let is_dark = (cx as usize) < n
                    && (cy as usize) < n
                    && colours[cy as usize * n + cx as usize] == Color::Dark;
                let want = if is_dark { 0 } else { 255 };
                for y in 0..module {
                    for x in 0..module {
                        let p = img.get_pixel(x0 + mx * module + x, y0 + my * module + y);
                        assert_eq!(p.0[0], want, "module {mx},{my}");
                    }
                }
            }
        }
        // The quiet zone clears the text's room and the frame.
        assert!(x0 >= TEXT_X + text_room(true));
        assert!(x0 + side * module <= img.width() - BORDER);
        assert!(y0 + side * module <= img.height() - BORDER);
        // The longest link a code holds still gets whole-pixel modules.
        assert!(qr_place(177).unwrap().2 >= 2);
        let long = card(AiInvolvement::Generated, Some(&"x".repeat(8000)));
        assert!(matches!(
            draw(&long, &[Lang::En]),
            Err(DiscloseError::LinkTooLong)
        ));
    }
}
