//! Perceivable notices (issue 4): the text line, the image badge and the
//! WAV tone (audio notices in every format: audio_notices.rs).
//! Each language's wording appears in the content, Markdown gets a real
//! Markdown element, the manifest records the notice, and the styles not
//! yet built fail clearly instead of labelling without the second layer.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::util::{assert_ok, sample, text, Sandbox};

fn label_with(sb: &Sandbox, name: &str, extra: &[&str]) -> (std::path::PathBuf, String) {
    let out = sb.path(&format!(
        "n-{}-{name}",
        extra.join("_").replace(['-', ','], "")
    ));
    let mut args = vec!["--notice"];
    args.extend_from_slice(extra);
    assert_ok(&sb.label(&sample(&format!("text/{name}")), &out, &args));
    let s = std::fs::read_to_string(&out).unwrap();
    (out, s)
}

#[test]
fn each_language_puts_its_wording_at_the_start_and_the_manifest_records_it() {
    let sb = Sandbox::new();
    for (lang, words) in [
        ("kk", "Жасанды интеллект арқылы жасалған"),
        ("ru", "Создано с помощью ИИ"),
        ("en", "AI-generated"),
        ("zh", "AI生成"),
    ] {
        let (out, s) = label_with(&sb, "ru.txt", &["--notice-lang", lang]);
        assert_eq!(s.lines().next(), Some(words), "{lang}");
        assert!(s.contains(
            std::fs::read_to_string(sample("text/ru.txt"))
                .unwrap()
                .as_str()
        ));
        let (entry, _) = sb.verify(&out, true);
        assert_eq!(entry["verdict"], "trusted", "{lang}: {entry}");
        let n = &entry["disclosure"]["perceivableNotice"];
        assert_eq!(n["style"], "line", "{lang}: {entry}");
        assert_eq!(n["position"], "start");
        assert_eq!(n["languages"], serde_json::json!([lang]));
        assert_eq!(n["text"], words);
    }
}

#[test]
fn markdown_gets_an_emphasised_blockquote_that_still_renders() {
    let sb = Sandbox::new();
    let (out, s) = label_with(&sb, "kk.md", &[]);
    let body = &s[..s.find('\u{feff}').unwrap()];
    let events: Vec<Event> = Parser::new(body).collect();
    assert!(
        matches!(events[0], Event::Start(Tag::BlockQuote(_))),
        "{:?}",
        &events[..3]
    );
    assert!(matches!(events[1], Event::Start(Tag::Paragraph)));
    assert!(matches!(events[2], Event::Start(Tag::Emphasis)));
    match &events[3] {
        Event::Text(t) => assert_eq!(
            t.as_ref(),
            "Жасанды интеллект арқылы жасалған · Создано с помощью ИИ · AI-generated"
        ),
        other => panic!("{other:?}"),
    }
    // The article's own heading still follows as a heading.
    let after = events
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::BlockQuote(_))))
        .unwrap();
    assert!(matches!(
        events[after + 1],
        Event::Start(Tag::Heading { .. })
    ));
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "trusted");
}

#[test]
fn end_and_both_positions_and_the_edit_is_an_action() {
    let sb = Sandbox::new();
    let (out, s) = label_with(
        &sb,
        "en.md",
        &["--notice-position", "both", "--notice-lang", "en"],
    );
    let body = &s[..s.find('\u{feff}').unwrap()];
    assert!(body.starts_with("> *AI-generated*\n\n"));
    assert!(body.ends_with("\n\n> *AI-generated*\n"));
    let o = sb.run(&["inspect", "--json", out.to_str().unwrap()]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let store = doc["manifest_store"].to_string();
    assert!(
        store.contains("added a perceivable AI notice: line at both (en)"),
        "{store}"
    );
}

#[test]
fn styles_not_built_yet_fail_clearly_and_write_nothing() {
    let sb = Sandbox::new();
    for (sample_name, extra) in [
        ("sample.ogg", "--notice"),
        ("sample.aac", "--notice-style=tone"),
        ("sample.png", "--notice-style=line"),
    ] {
        let out = sb.path(&format!("x-{sample_name}"));
        let o = sb.label(&sb.copy_sample(sample_name), &out, &[extra]);
        assert_eq!(o.status.code(), Some(1), "{sample_name}");
        assert!(
            text(&o.stdout).contains("notice cannot be added to"),
            "{sample_name}: {}",
            text(&o.stdout)
        );
        assert!(!out.exists());
    }
    let o = sb.label(
        &sample("text/en.md"),
        &sb.path("y.md"),
        &["--notice-position", "top-left"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("does not apply"),
        "{}",
        text(&o.stdout)
    );
}

// ---- image badges ----

use image::{DynamicImage, GenericImageView, ImageDecoder, ImageEncoder, ImageReader};

fn decode(path: &std::path::Path) -> DynamicImage {
    image::open(path).unwrap()
}

/// Bounding box (x0, y0, x1, y1) of pixels that differ by more than `tol`.
fn changed_box(a: &DynamicImage, b: &DynamicImage, tol: i32) -> Option<(u32, u32, u32, u32)> {
    assert_eq!(a.dimensions(), b.dimensions());
    let (a, b) = (a.to_rgba8(), b.to_rgba8());
    let mut bx: Option<(u32, u32, u32, u32)> = None;
    for (x, y, p) in a.enumerate_pixels() {
        let q = b.get_pixel(x, y);
        let diff = (0..4)
            .map(|c| (i32::from(p.0[c]) - i32::from(q.0[c])).abs())
            .max()
            .unwrap();
        if diff > tol {
            bx = Some(match bx {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
    }
    bx
}

/// Bounding box of the 8x8 blocks whose mean absolute difference (the
/// largest over the channels) exceeds `tol`.
fn changed_blocks_box(
    a: &DynamicImage,
    b: &DynamicImage,
    tol: u32,
) -> Option<(u32, u32, u32, u32)> {
    assert_eq!(a.dimensions(), b.dimensions());
    let (a, b) = (a.to_rgba8(), b.to_rgba8());
    let (w, h) = a.dimensions();
    let mut bx: Option<(u32, u32, u32, u32)> = None;
    for by in (0..h).step_by(8) {
        for bxx in (0..w).step_by(8) {
            let (x1, y1) = ((bxx + 8).min(w), (by + 8).min(h));
            let mut sums = [0u32; 4];
            for y in by..y1 {
                for x in bxx..x1 {
                    let (p, q) = (a.get_pixel(x, y), b.get_pixel(x, y));
                    for (sum, (u, v)) in sums.iter_mut().zip(p.0.iter().zip(q.0)) {
                        *sum += u32::from(u.abs_diff(v));
                    }
                }
            }
            let n = (x1 - bxx) * (y1 - by);
            if sums.iter().any(|s| s / n > tol) {
                bx = Some(match bx {
                    None => (bxx, by, x1 - 1, y1 - 1),
                    Some((x0, y0, xe, ye)) => {
                        (x0.min(bxx), y0.min(by), xe.max(x1 - 1), ye.max(y1 - 1))
                    }
                });
            }
        }
    }
    bx
}

/// PSNR between two images outside the rectangle `skip` (inclusive).
fn psnr_outside(a: &DynamicImage, b: &DynamicImage, skip: (u32, u32, u32, u32)) -> f64 {
    let (a, b) = (a.to_rgb8(), b.to_rgb8());
    let (mut se, mut n) = (0f64, 0f64);
    for (x, y, p) in a.enumerate_pixels() {
        if x >= skip.0 && x <= skip.2 && y >= skip.1 && y <= skip.3 {
            continue;
        }
        let q = b.get_pixel(x, y);
        for c in 0..3 {
            let d = f64::from(p.0[c]) - f64::from(q.0[c]);
            se += d * d;
            n += 1.0;
        }
    }
    if se == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / (se / n)).log10()
    }
}

fn assert_badged(sb: &Sandbox, input: &std::path::Path, out: &std::path::Path, lossless: bool) {
    let what = input.display().to_string();
    let (entry, _) = sb.verify(out, true);
    assert_eq!(entry["verdict"], "trusted", "{what}: {entry}");
    let n = &entry["disclosure"]["perceivableNotice"];
    assert_eq!(n["style"], "badge", "{what}: {entry}");
    assert_eq!(n["position"], "bottom-right");
    assert!(n["sizeShare"].as_f64().unwrap() >= 0.05, "{what}: {n}");
    let (before, after) = (decode(input), decode(out));
    let (w, h) = before.dimensions();
    // Lossy formats are compared block by block: re-encoding at 4:2:0
    // moves single pixels at sharp colour edges far more than it moves any
    // 8x8 block, and the badge moves whole blocks.
    let bx = if lossless {
        changed_box(&before, &after, 0)
    } else {
        changed_blocks_box(&before, &after, 24)
    }
    .expect("badge drawn");
    // The badge is in the bottom-right corner, inside the image.
    assert!(
        bx.0 > w / 3 && bx.1 > h / 3,
        "{what}: changes at {bx:?} in {w}x{h}"
    );
    let psnr = psnr_outside(&before, &after, bx);
    if lossless {
        assert!(
            psnr.is_infinite(),
            "{what}: pixels outside the badge changed ({psnr:.1} dB)"
        );
    } else {
        assert!(psnr > 34.0, "{what}: PSNR outside the badge {psnr:.1} dB");
    }
}

#[test]
fn every_badgeable_format_gets_a_corner_badge_and_keeps_the_rest() {
    let sb = Sandbox::new();
    for (name, lossless, extra) in [
        ("sample.png", true, None),
        ("sample.tif", true, None),
        // A lossy WebP: re-encoded lossy (notice_keeps_format.rs).
        ("sample.webp", false, None),
        ("sample.bmp", true, Some("--sidecar")),
        ("sample.jpg", false, None),
        ("sample.gif", true, None),
    ] {
        let input = sb.copy_sample(name);
        let out = sb.path(&format!("badged-{name}"));
        let mut args = vec!["--notice"];
        args.extend(extra);
        let o = sb.label(&input, &out, &args);
        assert_ok(&o);
        assert_badged(&sb, &input, &out, lossless);
        // Same format out as in.
        assert_eq!(
            image::ImageFormat::from_path(&out).unwrap(),
            ImageReader::open(&out)
                .unwrap()
                .with_guessed_format()
                .unwrap()
                .format()
                .unwrap(),
            "{name}"
        );
    }
}

/// Renders an SVG at its own size to straight RGBA.
fn render_svg(bytes: &[u8]) -> image::RgbaImage {
    let tree = resvg::usvg::Tree::from_data(bytes, &resvg::usvg::Options::default()).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    image::RgbaImage::from_raw(size.width(), size.height(), pixmap.take()).unwrap()
}

#[test]
fn an_svg_gets_a_vector_badge_on_top_and_keeps_its_drawing() {
    let sb = Sandbox::new();
    let input = sb.copy_sample("sample.svg");
    let out = sb.path("badged.svg");
    assert_ok(&sb.label(&input, &out, &["--notice"]));
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
    let n = &entry["disclosure"]["perceivableNotice"];
    assert_eq!(n["style"], "badge", "{n}");
    assert!(n["sizeShare"].as_f64().unwrap() >= 0.05, "{n}");

    let (before, after) = (std::fs::read(&input).unwrap(), std::fs::read(&out).unwrap());
    let (src, res) = (text(&before), text(&after));
    // The drawing's own elements are there byte for byte, and the badge
    // (text as outlines, no <text>) comes after them.
    let body = &src[src.find("<title>").unwrap()..src.rfind("</svg>").unwrap()];
    let at = res.find(body).expect("original content unchanged");
    let g = res.find("<g id=\"tamga-ai-notice\"").unwrap();
    assert!(g >= at + body.len(), "badge drawn last");
    assert!(!res[g..].contains("<text"), "no font needed");
    // Still XML that a renderer reads.
    let (a, b) = (render_svg(&before), render_svg(&after));
    let (da, db) = (
        DynamicImage::ImageRgba8(a),
        DynamicImage::ImageRgba8(b.clone()),
    );
    let bx = changed_box(&da, &db, 0).expect("badge rendered");
    let (w, h) = da.dimensions();
    assert!(
        bx.0 > w / 2 && bx.1 > h / 2 && bx.2 < w - 1 && bx.3 < h - 1,
        "badge at {bx:?} in {w}x{h}"
    );
    assert!(psnr_outside(&da, &db, bx).is_infinite());
    // Dark box with white letters.
    let inside: Vec<_> = (bx.1..=bx.3)
        .flat_map(|y| (bx.0..=bx.2).map(move |x| (x, y)))
        .map(|(x, y)| b.get_pixel(x, y).0)
        .collect();
    let white = inside
        .iter()
        .filter(|p| p[..3].iter().all(|&c| c > 230))
        .count();
    let dark = inside
        .iter()
        .filter(|p| p[..3].iter().all(|&c| c < 90))
        .count();
    assert!(
        white > inside.len() / 20,
        "{white} white of {}",
        inside.len()
    );
    assert!(dark > inside.len() / 3, "{dark} dark of {}", inside.len());
}

#[test]
fn every_gif_frame_keeps_every_pixel_outside_the_badge() {
    use image::AnimationDecoder;
    let sb = Sandbox::new();
    let input = sb.copy_sample("sample.gif");
    let out = sb.path("badged.gif");
    assert_ok(&sb.label(&input, &out, &["--notice"]));
    let frames = |p: &std::path::Path| {
        image::codecs::gif::GifDecoder::new(std::io::BufReader::new(
            std::fs::File::open(p).unwrap(),
        ))
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap()
    };
    let (before, after) = (frames(&input), frames(&out));
    assert_eq!(before.len(), after.len());
    assert!(before.len() > 1, "an animation");
    let mut boxes = Vec::new();
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(a.delay(), b.delay());
        let (a, b) = (
            DynamicImage::ImageRgba8(a.buffer().clone()),
            DynamicImage::ImageRgba8(b.buffer().clone()),
        );
        let bx = changed_box(&a, &b, 0).expect("badge on every frame");
        assert!(psnr_outside(&a, &b, bx).is_infinite(), "{bx:?}");
        boxes.push(bx);
    }
    let (w, h) = before[0].buffer().dimensions();
    assert!(
        boxes.iter().all(|b| b.0 > w / 2 && b.1 > h / 2),
        "{boxes:?}"
    );
}

/// Pixels are checked in tamga-label's unit tests (decoding needs libheif
/// and jxl-oxide); here: the file keeps its format, verifies, and records
/// the badge.
#[test]
fn heic_avif_and_jxl_get_a_badge_and_verify() {
    let sb = Sandbox::new();
    for (name, brands) in [
        ("sample.heic", &[&b"heic"[..], b"heix", b"mif1"][..]),
        ("sample.avif", &[&b"avif"[..]][..]),
        // The JPEG XL container's signature box.
        ("sample.jxl", &[&b"\r\n\x87\n"[..]][..]),
    ] {
        let input = sb.copy_sample(name);
        let out = sb.path(&format!("badged-{name}"));
        assert_ok(&sb.label(&input, &out, &["--notice"]));
        let (entry, _) = sb.verify(&out, true);
        assert_eq!(entry["verdict"], "trusted", "{name}: {entry}");
        let n = &entry["disclosure"]["perceivableNotice"];
        assert_eq!(n["style"], "badge", "{name}: {n}");
        assert!(n["sizeShare"].as_f64().unwrap() >= 0.05, "{name}: {n}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(&bytes[4..8] == b"ftyp" || &bytes[4..8] == b"JXL ", "{name}");
        assert!(
            brands.contains(&&bytes[8..12]),
            "{name}: major brand {:?}",
            &bytes[8..12]
        );
    }
}

fn write_png(path: &std::path::Path, w: u32, h: u32, icc: Option<Vec<u8>>) {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8])
    });
    let mut bytes = Vec::new();
    let mut enc = image::codecs::png::PngEncoder::new(&mut bytes);
    if let Some(icc) = icc {
        enc.set_icc_profile(icc).unwrap();
    }
    enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn tall_wide_tiny_and_large_images_get_legible_badges_and_keep_their_icc_profile() {
    let sb = Sandbox::new();
    let icc: Vec<u8> = (0..200u8).collect();
    for (w, h) in [(200, 900), (1200, 160), (64, 64)] {
        let input = sb.path(&format!("in-{w}x{h}.png"));
        write_png(&input, w, h, Some(icc.clone()));
        let out = sb.path(&format!("out-{w}x{h}.png"));
        assert_ok(&sb.label(&input, &out, &["--notice"]));
        assert_badged(&sb, &input, &out, true);
        let mut dec = ImageReader::open(&out)
            .unwrap()
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(dec.icc_profile().unwrap(), Some(icc.clone()), "{w}x{h}");
    }
    // A 24-megapixel JPEG.
    let big = image::RgbImage::from_fn(6000, 4000, |x, y| {
        image::Rgb([(x / 24) as u8, (y / 16) as u8, 128])
    });
    let input = sb.path("big.jpg");
    big.save(&input).unwrap();
    let out = sb.path("big-out.jpg");
    assert_ok(&sb.label(&input, &out, &["--notice"]));
    assert_badged(&sb, &input, &out, false);
}

#[test]
fn sixteen_bit_png_and_tiff_stay_sixteen_bit_and_exact_outside_the_badge() {
    let sb = Sandbox::new();
    let icc: Vec<u8> = (0..180u8).rev().collect();
    // Values that are not multiples of 257, which 8 bits cannot hold.
    let rgb = image::ImageBuffer::<image::Rgb<u16>, Vec<u16>>::from_fn(320, 240, |x, y| {
        image::Rgb([
            (x * 203 + 1) as u16,
            (y * 271 + 3) as u16,
            ((x * y) % 65521) as u16,
        ])
    });
    let la = image::ImageBuffer::<image::LumaA<u16>, Vec<u16>>::from_fn(240, 320, |x, y| {
        image::LumaA([(x * 257 + y) as u16, if x < 20 { 0 } else { 40000 }])
    });
    let cases: Vec<(&str, DynamicImage, image::ImageFormat)> = vec![
        (
            "rgb16.png",
            DynamicImage::ImageRgb16(rgb.clone()),
            image::ImageFormat::Png,
        ),
        (
            "la16.png",
            DynamicImage::ImageLumaA16(la),
            image::ImageFormat::Png,
        ),
        (
            "rgb16.tif",
            DynamicImage::ImageRgb16(rgb),
            image::ImageFormat::Tiff,
        ),
    ];
    for (name, img, format) in cases {
        let input = sb.path(name);
        let mut bytes = Vec::new();
        let (w, h) = img.dimensions();
        let mut cursor = std::io::Cursor::new(&mut bytes);
        if format == image::ImageFormat::Png {
            let mut enc = image::codecs::png::PngEncoder::new(&mut cursor);
            enc.set_icc_profile(icc.clone()).unwrap();
            enc.write_image(img.as_bytes(), w, h, img.color().into())
        } else {
            let mut enc = image::codecs::tiff::TiffEncoder::new(&mut cursor);
            enc.set_icc_profile(icc.clone()).unwrap();
            enc.write_image(img.as_bytes(), w, h, img.color().into())
        }
        .unwrap();
        std::fs::write(&input, &bytes).unwrap();
        let out = sb.path(&format!("out-{name}"));
        assert_ok(&sb.label(&input, &out, &["--notice"]));
        let (entry, _) = sb.verify(&out, true);
        assert_eq!(entry["verdict"], "trusted", "{name}: {entry}");

        let mut dec = ImageReader::open(&out)
            .unwrap()
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(dec.icc_profile().unwrap(), Some(icc.clone()), "{name}");
        let after = DynamicImage::from_decoder(dec).unwrap();
        assert_eq!(after.color(), img.color(), "{name}: bit depth kept");
        // Compare the 16-bit samples themselves, not an 8-bit view.
        let (a, b) = (img.to_rgba16(), after.to_rgba16());
        let mut bx: Option<(u32, u32, u32, u32)> = None;
        for (x, y, p) in a.enumerate_pixels() {
            if p != b.get_pixel(x, y) {
                bx = Some(match bx {
                    None => (x, y, x, y),
                    Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
                });
            }
        }
        let bx = bx.expect("badge drawn");
        assert!(bx.0 > w / 3 && bx.1 > h / 3, "{name}: badge at {bx:?}");
        for (x, y, p) in a.enumerate_pixels() {
            if x < bx.0 || x > bx.2 || y < bx.1 || y > bx.3 {
                assert_eq!(p, b.get_pixel(x, y), "{name}: pixel {x},{y}");
            }
        }
        // The text is full-scale white in 16 bits, not 255 × 257 by chance.
        let top = (bx.1..=bx.3)
            .flat_map(|y| (bx.0..=bx.2).map(move |x| (x, y)))
            .filter(|&(x, y)| b.get_pixel(x, y).0[0] == 65535)
            .count();
        assert!(top > 20, "{name}: {top} full-white samples");
    }
}

#[test]
fn the_badge_goes_where_the_image_is_displayed_under_exif_rotation() {
    let sb = Sandbox::new();
    // EXIF (big-endian TIFF) with one tag: Orientation = 6 (rotate 90° clockwise to display).
    let exif: Vec<u8> = [
        &b"MM\0*\0\0\0\x08"[..],
        &[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0],
    ]
    .concat();
    let stored =
        image::RgbImage::from_fn(400, 200, |x, y| image::Rgb([(x % 256) as u8, y as u8, 90]));
    let mut bytes = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 92);
    enc.set_exif_metadata(exif).unwrap();
    enc.encode_image(&stored).unwrap();
    let input = sb.path("rotated.jpg");
    std::fs::write(&input, &bytes).unwrap();
    let out = sb.path("rotated-out.jpg");
    assert_ok(&sb.label(&input, &out, &["--notice"]));

    let upright = |p: &std::path::Path| {
        let mut dec = ImageReader::open(p)
            .unwrap()
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        let o = dec.orientation().unwrap();
        assert_eq!(
            o,
            image::metadata::Orientation::Rotate90,
            "orientation kept"
        );
        let mut img = DynamicImage::from_decoder(dec).unwrap();
        img.apply_orientation(o);
        img
    };
    let (before, after) = (upright(&input), upright(&out));
    assert_eq!(after.dimensions(), (200, 400), "displayed portrait");
    let bx = changed_box(&before, &after, 40).unwrap();
    assert!(
        bx.0 > 200 / 3 && bx.1 > 400 / 3,
        "badge at {bx:?} of the displayed image"
    );
}

// ---- audio: the GB 45438 tone ----

fn wav_samples(path: &std::path::Path) -> (hound::WavSpec, Vec<i32>) {
    let r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    (spec, r.into_samples::<i32>().map(Result::unwrap).collect())
}

#[test]
fn a_wav_gets_the_tone_and_keeps_its_audio_sample_for_sample() {
    let sb = Sandbox::new();
    let input = sb.copy_sample("sample.wav");
    let (spec, original) = wav_samples(&input);
    for position in ["start", "end", "both"] {
        let out = sb.path(&format!("tone-{position}.wav"));
        assert_ok(&sb.label(
            &input,
            &out,
            &["--notice-style", "tone", "--notice-position", position],
        ));
        let (entry, _) = sb.verify(&out, true);
        assert_eq!(entry["verdict"], "trusted", "{position}: {entry}");
        let n = &entry["disclosure"]["perceivableNotice"];
        assert_eq!(n["style"], "tone", "{n}");
        let secs = n["durationSeconds"].as_f64().unwrap();

        let (out_spec, samples) = wav_samples(&out);
        assert_eq!(out_spec, spec, "rate, channels and format kept");
        let per =
            (secs * f64::from(spec.sample_rate)).round() as usize * usize::from(spec.channels);
        let copies = if position == "both" { 2 } else { 1 };
        assert_eq!(samples.len(), original.len() + copies * per, "{position}");
        let (head, tail) = match position {
            "start" => (per, 0),
            "end" => (0, per),
            _ => (per, per),
        };
        assert_eq!(
            &samples[head..samples.len() - tail],
            &original[..],
            "{position}"
        );
        // The notice itself is sound, not silence.
        let notice = if head > 0 {
            &samples[..head]
        } else {
            &samples[samples.len() - tail..]
        };
        let loud = notice.iter().filter(|s| s.unsigned_abs() > 1000).count();
        assert!(
            loud > notice.len() / 5,
            "{position}: {loud} loud samples of {}",
            notice.len()
        );
    }
}
