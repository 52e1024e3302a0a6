//! tamga's image watermark on real photographs (the C2PA public test
//! files in ../shared/conformance) and generated scenes: the payload comes
//! back bit-exact after what platforms do to images, and unmarked images
//! show none. The transformations here are the `image` crate's; the
//! committed measurement (`examples/wm_measure.rs`, docs/watermark.md)
//! uses ImageMagick's on a larger corpus.

// In tests an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use image::{imageops::FilterType, DynamicImage, ImageFormat};
use tamga_watermark::tamga_mark::{detect, embed, Detection, MarkKey, MAX_ATTEMPTS};

fn photos() -> Vec<DynamicImage> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/c2pa-public-testfiles");
    let mut out = Vec::new();
    for name in [
        "adobe-20220124-A.jpg",
        "adobe-20220124-I.jpg",
        "nikon-20221019-building.jpeg",
    ] {
        let path = dir.join(name);
        match image::open(&path) {
            // The 11-megapixel photo as a 1600-pixel-wide copy: the same
            // content, at a test's cost.
            Ok(img) if img.width() > 2000 => out.push(img.resize(1600, 1600, FilterType::Triangle)),
            Ok(img) => out.push(img),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    // A generated scene: smooth gradients, soft shapes and fine noise.
    out.push(DynamicImage::ImageRgb8(image::RgbImage::from_fn(
        900,
        600,
        |x, y| {
            let (fx, fy) = (x as f32, y as f32);
            let n = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 13) as f32;
            let disc = if (fx - 450.0).hypot(fy - 300.0) < 180.0 {
                60.0
            } else {
                0.0
            };
            image::Rgb([
                (40.0 + fx / 6.0 + disc + n) as u8,
                (90.0 + fy / 5.0 + n) as u8,
                (160.0 - fx / 10.0 + disc / 2.0) as u8,
            ])
        },
    )));
    out
}

/// What a platform does to an image.
type Transform = fn(&DynamicImage) -> DynamicImage;

fn jpeg(img: &DynamicImage, quality: u8) -> DynamicImage {
    let mut bytes = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
    img.to_rgb8().write_with_encoder(enc).unwrap();
    image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg).unwrap()
}

fn png(img: &DynamicImage) -> DynamicImage {
    let mut bytes = Vec::new();
    img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .unwrap();
    image::load_from_memory(&bytes).unwrap()
}

fn scaled(img: &DynamicImage, share: f32) -> DynamicImage {
    let (w, h) = (img.width() as f32 * share, img.height() as f32 * share);
    img.resize_exact(w.round() as u32, h.round() as u32, FilterType::CatmullRom)
}

/// 10 % off the left and the top.
fn cropped(img: &DynamicImage) -> DynamicImage {
    let (x, y) = (img.width() / 10, img.height() / 10);
    img.crop_imm(x, y, img.width() - x, img.height() - y)
}

#[test]
fn payloads_survive_what_platforms_do_and_unmarked_images_show_none() {
    let transforms: [(&str, Transform); 6] = [
        ("PNG round trip", png),
        ("JPEG 75", |i| jpeg(i, 75)),
        ("JPEG 50", |i| jpeg(i, 50)),
        ("resize 50 %", |i| scaled(i, 0.5)),
        ("crop 10 % left and top", cropped),
        ("resize 70 % + JPEG 75", |i| jpeg(&scaled(i, 0.7), 75)),
    ];
    for (n, original) in photos().into_iter().enumerate() {
        assert!(
            detect(&original, MarkKey::TAMGA).is_none(),
            "photo {n} unmarked"
        );
        let payload = 0xA5A5_0000_0000 | (n as u64 * 0x1_0203);
        let mut marked = original.clone();
        let report = embed(&mut marked, payload, MarkKey::TAMGA).unwrap();
        assert!(report.psnr_db >= 40.0, "photo {n}: PSNR {}", report.psnr_db);
        for (name, t) in &transforms {
            let found = detect(&t(&marked), MarkKey::TAMGA);
            assert_eq!(
                found.map(|d| d.payload),
                Some(payload),
                "photo {n}, {name}: {found:?}"
            );
        }
        // Another key reads nothing.
        assert!(detect(&marked, MarkKey(7)).is_none(), "photo {n}");
    }
}

#[test]
fn the_scale_is_reported_and_16_bit_and_grey_images_carry_the_mark() {
    let base = &photos()[0];
    let mut grey = DynamicImage::ImageLuma8(base.to_luma8());
    embed(&mut grey, 42, MarkKey::TAMGA).unwrap();
    let d: Detection = detect(&scaled(&grey, 0.5), MarkKey::TAMGA).unwrap();
    assert_eq!(d.payload, 42);
    assert!((d.scale - 0.5).abs() < 0.01, "{d:?}");
    let mut deep = DynamicImage::ImageRgb16(base.to_rgb16());
    embed(&mut deep, 43, MarkKey::TAMGA).unwrap();
    assert_eq!(detect(&deep, MarkKey::TAMGA).map(|d| d.payload), Some(43));
}

#[test]
fn flat_and_tiny_images_are_refused_or_show_nothing() {
    let mut tiny = DynamicImage::ImageRgb8(image::RgbImage::new(200, 600));
    assert!(embed(&mut tiny, 1, MarkKey::TAMGA).is_err());
    let flat = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        800,
        600,
        image::Rgb([128, 128, 128]),
    ));
    assert!(detect(&flat, MarkKey::TAMGA).is_none());
    // The bound the docs quote: at most 1e-9 a image by construction.
    assert!(Detection::false_positive_bound() <= 1e-9);
    const { assert!(MAX_ATTEMPTS <= 10) };
}

/// A dense cellular-automaton texture (the `cellauto` images of
/// docs/watermark.md): random cells, each row the one above shifted by a
/// pixel, blurred. Every 128-pixel tile holds the same diagonal stripes,
/// so the picture folds up as coherently as the mark does.
fn diagonal_texture(w: u32, h: u32) -> DynamicImage {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let cells: Vec<f32> = (0..(w + h + 8))
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x % 5 < 2 {
                40.0
            } else {
                190.0
            }
        })
        .collect();
    // A 5-tap blur along the stripes' cross-section.
    let blur = |i: usize| {
        (cells[i] + 2.0 * cells[i + 1] + 3.0 * cells[i + 2] + 2.0 * cells[i + 3] + cells[i + 4])
            / 9.0
    };
    DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
        let v = blur((x + h - 1 - y) as usize) as u8;
        image::Rgb([v, v, v])
    }))
}

#[test]
fn a_texture_that_folds_like_the_tile_still_carries_the_mark() {
    let mut img = diagonal_texture(768, 576);
    assert!(detect(&img, MarkKey::TAMGA).is_none());
    let report = embed(&mut img, 0x0BAD_CAFE_0001, MarkKey::TAMGA).unwrap();
    assert!(report.psnr_db >= 40.0);
    for (name, t) in [
        ("PNG round trip", png as Transform),
        ("JPEG 75", |i| jpeg(i, 75)),
        ("resize 50 %", |i| scaled(i, 0.5)),
    ] {
        let found = detect(&t(&img), MarkKey::TAMGA);
        assert_eq!(
            found.map(|d| d.payload),
            Some(0x0BAD_CAFE_0001),
            "{name}: {found:?}"
        );
    }
}
