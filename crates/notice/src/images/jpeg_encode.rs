//! Writing a badged JPEG the way its source was written: the same chroma
//! subsampling, grey or colour, and the source's own quantisation tables.
//!
//! `image`'s JPEG encoder always writes 4:4:4 colour with the standard
//! tables scaled to a quality, so a 4:2:0 photo (what cameras and most
//! software write) came back 1.6–1.8 times the size of its image data: twice
//! the chroma samples, and tables shaped differently from the source's
//! (ffmpeg's, say, are flatter). Re-using the source's tables is also what
//! keeps generation loss lowest: unchanged blocks quantise to what they were.
//! `jpeg-encoder`, already used for thumbnails, takes both.
//!
//! Lossy stays near its size: a file whose Huffman tables were fitted to it
//! (ffmpeg, libjpeg's `-optimize`) can still come back past 1.5x with the
//! standard ones written here, so the tables are then made coarser step by
//! step ([`COARSER`]) until the image is within 1.5x of the source.

use image::DynamicImage;
use jpeg_encoder::{ColorType, Encoder, QuantizationTableType, SamplingFactor};

/// How much coarser than the source's each try quantises, in percent of
/// its table values: the first try is the source's own tables; each step
/// after costs another encode, and 2x coarser is about what IJG quality 90
/// to 80 is.
pub(crate) const COARSER: [u16; 4] = [100, 125, 160, 200];

/// Encodes `img` like `source` (see [`encode`]), from the source's own
/// tables on, coarser at each step of [`COARSER`] until the result is within
/// 1.5x of the source's size (its C2PA segments, which are replaced, not
/// counted). Returns the bytes and a note for the user saying what was done.
pub(crate) fn encode_near_size(
    img: &DynamicImage,
    source: &[u8],
    icc: Option<&[u8]>,
    exif: Option<&[u8]>,
) -> Result<(Vec<u8>, String), crate::NoticeError> {
    let q = estimated_quality(source).unwrap_or(90);
    let budget = size_without_c2pa(source).saturating_mul(3) / 2;
    let pixels = u64::from(img.width()) * u64::from(img.height());
    let mut tries = 0;
    let (out, same_tables, coarser) = loop {
        let coarser = COARSER[tries];
        let (out, same_tables) = encode(img, source, q, coarser, icc, exif)?;
        tries += 1;
        if out.len() <= budget || tries == COARSER.len() {
            break (out, same_tables, coarser);
        }
        // Each further try is another full encode: granted its own time.
        tamga_media::watchdog::allow_pixels(
            pixels,
            tamga_media::time_budget::MS_PER_MEGAPIXEL * (tries as u64 + 1),
        );
    };
    let tables = if same_tables {
        "the source's own quantisation tables"
    } else {
        "the standard quantisation tables"
    };
    let mut note = if coarser == 100 {
        if same_tables {
            format!("re-encoded at JPEG quality {q} with {tables}")
        } else {
            format!("re-encoded at JPEG quality {q}, estimated from the source")
        }
    } else {
        let now = estimated_quality(&out).unwrap_or(q);
        format!(
            "re-encoded with {tables} made {:.2}x coarser (JPEG quality about {now}, \
             the source's {q})",
            f64::from(coarser) / 100.0
        )
    };
    if coarser != 100 && out.len() <= budget {
        note.push_str(" to stay within 1.5x of the source's size");
    } else if out.len() > budget {
        note.push_str(&format!(
            ", still {:.2}x the source's size at the coarsest tables tried",
            out.len() as f64 / size_without_c2pa(source).max(1) as f64
        ));
    }
    Ok((out, note))
}

/// The size of `jpeg` without its APP11 segments (JUMBF: a C2PA manifest
/// from an earlier signing, which the new one replaces).
fn size_without_c2pa(jpeg: &[u8]) -> usize {
    let app11: usize = segments(jpeg)
        .filter(|(m, _)| *m == 0xEB)
        .map(|(_, body)| body.len() + 4)
        .sum();
    jpeg.len().saturating_sub(app11)
}

/// `table` with every value scaled by `percent`, rounded, kept within
/// what a baseline (8-bit) table holds.
fn scaled(table: [u16; 64], percent: u16) -> [u16; 64] {
    table.map(|v| ((u32::from(v) * u32::from(percent) + 50) / 100).clamp(1, 255) as u16)
}

/// The IJG quality whose scaling of the standard tables is `percent` of
/// quality `q`'s: how a coarser step is taken when the source's tables
/// cannot be read.
fn coarser_quality(q: u8, percent: u16) -> u8 {
    let q = f64::from(q.clamp(1, 100));
    let scale = if q < 50.0 {
        5000.0 / q
    } else {
        200.0 - 2.0 * q
    };
    let scale = scale * f64::from(percent) / 100.0;
    let q = if scale <= 100.0 {
        (200.0 - scale) / 2.0
    } else {
        5000.0 / scale
    };
    q.round().clamp(1.0, 100.0) as u8
}

/// Encodes `img` like `source`: its luma sampling factors and its
/// quantisation tables where they can be read (scaled by `coarser`
/// percent), else 4:2:0 at quality `q` (made as much coarser); `icc` and
/// `exif` are carried over. Says whether the source's tables were used.
pub(crate) fn encode(
    img: &DynamicImage,
    source: &[u8],
    q: u8,
    coarser: u16,
    icc: Option<&[u8]>,
    exif: Option<&[u8]>,
) -> Result<(Vec<u8>, bool), crate::NoticeError> {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, coarser_quality(q, coarser));
    let tables = source_tables(source);
    if let Some((luma, chroma)) = tables {
        enc.set_quantization_tables(
            QuantizationTableType::Custom(Box::new(scaled(luma, coarser))),
            QuantizationTableType::Custom(Box::new(scaled(chroma, coarser))),
        );
    }
    // Not `set_optimized_huffman_tables`: jpeg-encoder 0.6.1's optimised
    // tables for 4:2:0 decode as noise in image 0.25's decoder (zune-jpeg
    // 0.5; measured again: mean error 104 of 255, 4:4:4 is fine), though
    // ffmpeg decodes them identically; the standard tables cost ~5-8%.
    if let Some(sampling) = luma_sampling(source).and_then(factor) {
        enc.set_sampling_factor(sampling);
    }
    if let Some(icc) = icc {
        enc.add_icc_profile(icc).map_err(jpeg_err)?;
    }
    if let Some(exif) = exif {
        // APP1 carries "Exif\0\0" before the TIFF structure `image` hands us.
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(exif);
        enc.add_app_segment(1, &app1).map_err(jpeg_err)?;
    }
    let (w, h) = (
        u16::try_from(img.width()).map_err(|_| TOO_LARGE)?,
        u16::try_from(img.height()).map_err(|_| TOO_LARGE)?,
    );
    let grey = matches!(
        img,
        DynamicImage::ImageLuma8(_)
            | DynamicImage::ImageLumaA8(_)
            | DynamicImage::ImageLuma16(_)
            | DynamicImage::ImageLumaA16(_)
    );
    let result = if grey {
        enc.encode(img.to_luma8().as_raw(), w, h, ColorType::Luma)
    } else {
        enc.encode(img.to_rgb8().as_raw(), w, h, ColorType::Rgb)
    };
    result.map_err(jpeg_err)?;
    Ok((out, tables.is_some()))
}

fn jpeg_err(e: jpeg_encoder::EncodingError) -> crate::NoticeError {
    crate::NoticeError::encode("the JPEG cannot be written")(e)
}

const TOO_LARGE: crate::NoticeError = crate::NoticeError::TooLarge {
    what: "a JPEG side",
    limit: "65535 pixels",
};

/// The zig-zag scan position of each coefficient in natural (row-major)
/// order is `ZIGZAG[natural]`; DQT segments list values in scan order.
const ZIGZAG: [usize; 64] = [
    0, 1, 5, 6, 14, 15, 27, 28, 2, 4, 7, 13, 16, 26, 29, 42, 3, 8, 12, 17, 25, 30, 41, 43, 9, 11,
    18, 24, 31, 40, 44, 53, 10, 19, 23, 32, 39, 45, 52, 54, 20, 22, 33, 38, 46, 51, 55, 60, 21, 34,
    37, 47, 50, 56, 59, 61, 35, 36, 48, 49, 57, 58, 62, 63,
];

/// The luma and chroma quantisation tables of `jpeg`, in natural order:
/// the tables its frame header assigns to the first and second component
/// (the luma table twice for a grey image).
fn source_tables(jpeg: &[u8]) -> Option<([u16; 64], [u16; 64])> {
    let mut tables: [Option<[u16; 64]>; 4] = [None; 4];
    let mut assigned = None;
    for (marker, body) in segments(jpeg) {
        if marker == 0xDB {
            let mut j = 0;
            while j < body.len() {
                let (wide, id) = (body[j] >> 4 == 1, usize::from(body[j] & 0x0F));
                let width = if wide { 2 } else { 1 };
                let values = body.get(j + 1..j + 1 + 64 * width)?;
                let mut natural = [0u16; 64];
                for (n, slot) in natural.iter_mut().enumerate() {
                    let k = ZIGZAG[n] * width;
                    *slot = if wide {
                        u16::from_be_bytes([values[k], values[k + 1]])
                    } else {
                        u16::from(values[k])
                    };
                }
                *tables.get_mut(id)? = Some(natural);
                j += 1 + 64 * width;
            }
        } else if (0xC0..=0xC2).contains(&marker) {
            let components = usize::from(*body.get(5)?);
            let luma = usize::from(*body.get(8)?);
            let chroma = if components >= 3 {
                usize::from(*body.get(11)?)
            } else {
                luma
            };
            assigned = Some((luma, chroma));
        }
    }
    let (luma, chroma) = assigned?;
    Some(((*tables.get(luma)?)?, (*tables.get(chroma)?)?))
}

/// The segments of `jpeg` before its scan, as (marker, body), ending at the
/// first thing that is not a well-formed segment. The guard has already
/// checked the structure; this never reads past the end.
fn segments(jpeg: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut i = 2;
    std::iter::from_fn(move || {
        if i + 4 > jpeg.len() || jpeg[i] != 0xFF || jpeg[i + 1] == 0xDA {
            return None;
        }
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        let body = jpeg.get(i + 4..(i + 2 + len).max(i + 4))?;
        i += 2 + len;
        Some((marker, body))
    })
}

/// The IJG quality (1–100) whose scaled standard luminance table is
/// closest to the file's luma quantisation table, the usual estimate (as
/// ImageMagick's `identify -format %Q` makes it).
pub(crate) fn estimated_quality(jpeg: &[u8]) -> Option<u8> {
    // ITU-T T.81 Annex K, table K.1: the luminance table IJG scales.
    const STD_LUMA: [u16; 64] = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69,
        56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
        104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];
    let std_sum: u32 = STD_LUMA.iter().map(|&v| u32::from(v)).sum();
    let (luma, _) = source_tables(jpeg)?;
    let sum: u32 = luma.iter().map(|&v| u32::from(v)).sum();
    let scale = 100.0 * f64::from(sum) / f64::from(std_sum);
    let q = if scale <= 100.0 {
        (200.0 - scale) / 2.0
    } else {
        5000.0 / scale
    };
    Some(q.round().clamp(1.0, 100.0) as u8)
}

/// The first component's (luma's) horizontal and vertical sampling factors
/// from the frame header (SOF0–SOF15 except DHT, JPG and DAC).
fn luma_sampling(jpeg: &[u8]) -> Option<(u8, u8)> {
    let (_, body) = segments(jpeg)
        .find(|(m, _)| (0xC0..=0xCF).contains(m) && !matches!(m, 0xC4 | 0xC8 | 0xCC))?;
    // precision, height, width, components, then per component: id,
    // H<<4|V, table.
    if *body.get(5)? == 1 {
        return Some((1, 1));
    }
    let hv = *body.get(7)?;
    Some((hv >> 4, hv & 0x0F))
}

fn factor((h, v): (u8, u8)) -> Option<SamplingFactor> {
    Some(match (h, v) {
        (1, 1) => SamplingFactor::F_1_1,
        (2, 1) => SamplingFactor::F_2_1,
        (1, 2) => SamplingFactor::F_1_2,
        (2, 2) => SamplingFactor::F_2_2,
        (4, 1) => SamplingFactor::F_4_1,
        (4, 2) => SamplingFactor::F_4_2,
        (1, 4) => SamplingFactor::F_1_4,
        (2, 4) => SamplingFactor::F_2_4,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([
                (x * 7 % 256) as u8,
                (y * 5 % 256) as u8,
                ((x ^ y) % 256) as u8,
            ])
        }))
    }

    #[test]
    fn the_sources_subsampling_is_kept() {
        let img = photo(64, 48);
        for (sampling, hv) in [
            (SamplingFactor::R_4_2_0, (2, 2)),
            (SamplingFactor::R_4_2_2, (2, 1)),
            (SamplingFactor::R_4_4_4, (1, 1)),
        ] {
            let mut source = Vec::new();
            let mut enc = Encoder::new(&mut source, 80);
            enc.set_sampling_factor(sampling);
            enc.encode(img.to_rgb8().as_raw(), 64, 48, ColorType::Rgb)
                .unwrap();
            assert_eq!(luma_sampling(&source), Some(hv));
            let (out, same_tables) = encode(&img, &source, 80, 100, None, None).unwrap();
            assert_eq!(luma_sampling(&out), Some(hv));
            assert!(same_tables);
            assert_eq!(source_tables(&out), source_tables(&source));
        }
    }

    #[test]
    fn the_quality_is_estimated_from_the_luma_table() {
        let img = photo(32, 32);
        for q in [50u8, 75, 90, 95] {
            let mut out = Vec::new();
            Encoder::new(&mut out, q)
                .encode(img.to_rgb8().as_raw(), 32, 32, ColorType::Rgb)
                .unwrap();
            let est = estimated_quality(&out).unwrap();
            assert!(est.abs_diff(q) <= 2, "quality {q} estimated as {est}");
        }
        assert_eq!(estimated_quality(b"\xFF\xD8\xFF\xDA"), None);
    }

    #[test]
    fn what_is_written_decodes_close_to_what_was_drawn() {
        let img = photo(64, 48);
        let mut source = Vec::new();
        Encoder::new(&mut source, 90)
            .encode(img.to_rgb8().as_raw(), 64, 48, ColorType::Rgb)
            .unwrap();
        let (out, _) = encode(&img, &source, 90, 100, None, None).unwrap();
        let back = image::load_from_memory(&out).unwrap().to_rgb8();
        let total: u64 = back
            .as_raw()
            .iter()
            .zip(img.to_rgb8().as_raw())
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum();
        let mean = total / back.as_raw().len() as u64;
        assert!(mean <= 8, "mean error {mean}");
    }

    #[test]
    fn grey_stays_grey_and_exif_is_carried() {
        let grey = DynamicImage::ImageLuma8(image::GrayImage::from_fn(32, 32, |x, _| {
            image::Luma([(x * 8) as u8])
        }));
        let (out, same_tables) =
            encode(&grey, b"", 90, 100, None, Some(b"II*\0\x08\0\0\0\0\0")).unwrap();
        assert!(!same_tables, "no source, no tables to keep");
        assert_eq!(luma_sampling(&out), Some((1, 1)));
        let decoded = image::load_from_memory(&out).unwrap();
        assert_eq!(decoded.color(), image::ColorType::L8);
        assert!(out.windows(6).any(|w| w == b"Exif\0\0"));
    }

    /// Pixels of `noise` 0..amplitude around mid-grey, from a fixed
    /// generator: what a grainy photo costs to encode.
    fn noisy(w: u32, h: u32, amplitude: u32) -> DynamicImage {
        let mut seed = 0x2545_f491_u32;
        DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |_, _| {
            let mut n = || {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (128 - amplitude / 2 + seed % amplitude.max(1)) as u8
            };
            image::Rgb([n(), n(), n()])
        }))
    }

    fn jpeg_420(img: &DynamicImage, q: u8) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = Encoder::new(&mut out, q);
        enc.set_sampling_factor(SamplingFactor::R_4_2_0);
        enc.encode(
            img.to_rgb8().as_raw(),
            img.width() as u16,
            img.height() as u16,
            ColorType::Rgb,
        )
        .unwrap();
        out
    }

    #[test]
    fn within_the_size_the_sources_tables_are_kept_as_they_are() {
        let img = noisy(128, 96, 40);
        let source = jpeg_420(&img, 85);
        let (out, note) = encode_near_size(&img, &source, None, None).unwrap();
        assert_eq!(source_tables(&out), source_tables(&source));
        assert_eq!(
            note,
            "re-encoded at JPEG quality 85 with the source's own quantisation tables"
        );
    }

    #[test]
    fn past_the_size_the_tables_are_made_coarser_until_it_fits() {
        // The source is a little noisier than the image of the same size
        // before it, so the first try lands past 1.5x.
        let source = jpeg_420(&noisy(128, 96, 24), 85);
        let img = noisy(128, 96, 40);
        let (first, _) = encode(&img, &source, 85, 100, None, None).unwrap();
        assert!(
            first.len() * 2 > source.len() * 3,
            "the test needs a first try past 1.5x"
        );
        let (out, note) = encode_near_size(&img, &source, None, None).unwrap();
        assert!(
            out.len() * 2 <= source.len() * 3,
            "{} from {}",
            out.len(),
            source.len()
        );
        let (luma, chroma) = source_tables(&source).unwrap();
        let step = COARSER[1..]
            .iter()
            .find(|&&p| source_tables(&out) == Some((scaled(luma, p), scaled(chroma, p))))
            .expect("the tables are the source's, scaled by a step");
        let said = format!("made {:.2}x coarser", f64::from(*step) / 100.0);
        assert!(note.contains(&said), "{note}");
        assert!(
            note.contains("to stay within 1.5x of the source's size"),
            "{note}"
        );
        assert_eq!(luma_sampling(&out), Some((2, 2)));
    }

    #[test]
    fn when_no_step_fits_the_note_says_how_far_off_it_is() {
        // A flat source, a pure-noise image: no table gets that near.
        let source = jpeg_420(&noisy(128, 96, 1), 85);
        let img = noisy(128, 96, 255);
        let (out, note) = encode_near_size(&img, &source, None, None).unwrap();
        assert!(out.len() * 2 > source.len() * 3);
        let (luma, _) = source_tables(&source).unwrap();
        assert_eq!(source_tables(&out).unwrap().0, scaled(luma, 200));
        assert!(note.contains("made 2.00x coarser"), "{note}");
        assert!(
            note.contains("x the source's size at the coarsest tables tried"),
            "{note}"
        );
    }

    #[test]
    fn coarser_steps_follow_the_ijg_scale_and_stay_baseline() {
        assert_eq!(coarser_quality(90, 100), 90);
        assert_eq!(coarser_quality(90, 200), 80);
        assert_eq!(coarser_quality(50, 200), 25);
        assert_eq!(scaled([200; 64], 200), [255; 64]);
        assert_eq!(scaled([1; 64], 125), [1; 64]);
        assert_eq!(scaled([4; 64], 125), [5; 64]);
    }

    #[test]
    fn a_truncated_header_gives_no_sampling_not_a_panic() {
        assert_eq!(luma_sampling(b"\xFF\xD8\xFF\xC0\x00\x11\x08"), None);
        assert_eq!(luma_sampling(b""), None);
        assert_eq!(source_tables(b"\xFF\xD8\xFF\xDB\x00\x43\x00\x01"), None);
    }
}
