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

use image::DynamicImage;
use jpeg_encoder::{ColorType, Encoder, QuantizationTableType, SamplingFactor};

/// Encodes `img` like `source`: its luma sampling factors and its
/// quantisation tables where they can be read, else 4:2:0 at quality `q`;
/// `icc` and `exif` are carried over. Says whether the source's tables were
/// used.
pub(crate) fn encode(
    img: &DynamicImage,
    source: &[u8],
    q: u8,
    icc: Option<&[u8]>,
    exif: Option<&[u8]>,
) -> Result<(Vec<u8>, bool), String> {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, q.clamp(1, 100));
    let tables = source_tables(source);
    if let Some((luma, chroma)) = tables {
        enc.set_quantization_tables(
            QuantizationTableType::Custom(Box::new(luma)),
            QuantizationTableType::Custom(Box::new(chroma)),
        );
    }
    // Not `set_optimized_huffman_tables`: jpeg-encoder 0.6's optimised
    // tables decode as noise in image's decoder (measured: mean error 106
    // of 255), though ffmpeg reads them; the standard tables cost ~5%.
    if let Some(sampling) = luma_sampling(source).and_then(factor) {
        enc.set_sampling_factor(sampling);
    }
    if let Some(icc) = icc {
        enc.add_icc_profile(icc).map_err(|e| e.to_string())?;
    }
    if let Some(exif) = exif {
        // APP1 carries "Exif\0\0" before the TIFF structure `image` hands us.
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(exif);
        enc.add_app_segment(1, &app1).map_err(|e| e.to_string())?;
    }
    let (w, h) = (
        u16::try_from(img.width()).map_err(|_| "wider than JPEG allows")?,
        u16::try_from(img.height()).map_err(|_| "taller than JPEG allows")?,
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
    result.map_err(|e| e.to_string())?;
    Ok((out, tables.is_some()))
}

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
            let (out, same_tables) = encode(&img, &source, 80, None, None).unwrap();
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
        let (out, _) = encode(&img, &source, 90, None, None).unwrap();
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
            encode(&grey, b"", 90, None, Some(b"II*\0\x08\0\0\0\0\0")).unwrap();
        assert!(!same_tables, "no source, no tables to keep");
        assert_eq!(luma_sampling(&out), Some((1, 1)));
        let decoded = image::load_from_memory(&out).unwrap();
        assert_eq!(decoded.color(), image::ColorType::L8);
        assert!(out.windows(6).any(|w| w == b"Exif\0\0"));
    }

    #[test]
    fn a_truncated_header_gives_no_sampling_not_a_panic() {
        assert_eq!(luma_sampling(b"\xFF\xD8\xFF\xC0\x00\x11\x08"), None);
        assert_eq!(luma_sampling(b""), None);
        assert_eq!(source_tables(b"\xFF\xD8\xFF\xDB\x00\x43\x00\x01"), None);
    }
}
