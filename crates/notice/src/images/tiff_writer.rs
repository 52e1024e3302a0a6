//! Writing a badged TIFF the way the source was written: the same bit
//! depth (1-bit bilevel stays 1-bit with its PhotometricInterpretation,
//! 16-bit stays 16-bit), the same compression where the `tiff` crate
//! encodes it (none, LZW, Deflate, PackBits; CCITT Group 4 through the
//! `fax` crate), the same predictor and resolution. `image`'s own TIFF
//! encoder writes everything uncompressed, which made a 1-bit Group 4
//! scan 8-bit and ~40× larger.
//!
//! What cannot be kept is said in the note: JPEG-in-TIFF and other
//! compressions the encoder lacks are written with Deflate (lossless),
//! CCITT Group 3 as Group 4, grey with alpha as RGBA.

use std::io::Cursor;

use image::{metadata::Orientation, DynamicImage, GrayImage};
use tiff::{
    decoder::{ifd::Value, Decoder, DecodingResult},
    encoder::{
        colortype::{self, ColorType as TiffColor},
        compression::{CompressionAlgorithm, Deflate, DeflateLevel, Lzw, Packbits, Uncompressed},
        Compression, Predictor, Rational, TiffEncoder, TiffValue,
    },
    tags::Tag,
    ColorType,
};

use crate::{
    error::NoticeError, images::badge, images::Badged, options::NoticePosition, DecodeLimits,
};

/// TIFF Compression tag values (TIFF 6.0 §3, and the Adobe Deflate code).
const NONE: u16 = 1;
const CCITT_G3: u16 = 3;
const CCITT_G4: u16 = 4;
const LZW: u16 = 5;
const DEFLATE: u16 = 8;
const DEFLATE_OLD: u16 = 32946;
const PACKBITS: u16 = 32773;

/// PhotometricInterpretation 0: a 1 bit is black (fax convention).
const WHITE_IS_ZERO: u16 = 0;

/// A TIFF decoder over bytes in memory.
type InMemory<'a> = Decoder<Cursor<&'a [u8]>>;

/// What the source's first image was written with.
struct Source {
    width: u32,
    height: u32,
    compression: u16,
    photometric: u16,
    predictor: u16,
    orientation: u16,
    resolution: Option<(Value, Value, u16)>,
    icc: Option<Vec<u8>>,
}

/// tiff's error on reading the source: damaged, or past a limit.
fn tiff_dec(e: tiff::TiffError) -> NoticeError {
    match e {
        tiff::TiffError::IoError(e) => NoticeError::io("TIFF")(e),
        tiff::TiffError::LimitsExceeded => NoticeError::TooLarge {
            what: "the TIFF",
            limit: "the TIFF decoder's limits",
        },
        e => NoticeError::decode("TIFF")(e),
    }
}

/// tiff's error on writing the result.
fn tiff_enc(e: tiff::TiffError) -> NoticeError {
    match e {
        tiff::TiffError::IoError(e) => NoticeError::io("TIFF")(e),
        e => NoticeError::encode("TIFF")(e),
    }
}

const OVER_4_GIB: NoticeError = NoticeError::TooLarge {
    what: "the TIFF",
    limit: "4 GiB",
};

impl Source {
    fn read(input: &[u8]) -> Result<(Self, InMemory<'_>), NoticeError> {
        let mut d = Decoder::new(Cursor::new(input)).map_err(tiff_dec)?;
        let (width, height) = d.dimensions().map_err(tiff_dec)?;
        let u16_tag = |d: &mut Decoder<_>, tag, default| {
            d.find_tag_unsigned::<u16>(tag)
                .ok()
                .flatten()
                .unwrap_or(default)
        };
        let compression = u16_tag(&mut d, Tag::Compression, NONE);
        let photometric = u16_tag(&mut d, Tag::PhotometricInterpretation, WHITE_IS_ZERO);
        let predictor = u16_tag(&mut d, Tag::Predictor, 1);
        let orientation = u16_tag(&mut d, Tag::Orientation, 1);
        let x = d.find_tag(Tag::XResolution).ok().flatten();
        let y = d.find_tag(Tag::YResolution).ok().flatten();
        let unit = u16_tag(&mut d, Tag::ResolutionUnit, 2);
        let resolution = x.zip(y).map(|(x, y)| (x, y, unit));
        let icc = d.get_tag_u8_vec(Tag::IccProfile).ok();
        Ok((
            Self {
                width,
                height,
                compression,
                photometric,
                predictor,
                orientation,
                resolution,
                icc,
            },
            d,
        ))
    }
}

/// Whether the TIFF in `input` is 1-bit bilevel, which [`apply_bilevel`]
/// handles (`image` would widen it to 8 bits).
pub(crate) fn is_bilevel(input: &[u8]) -> bool {
    Decoder::new(Cursor::new(input))
        .and_then(|mut d| d.colortype())
        .is_ok_and(|c| c == ColorType::Gray(1))
}

/// Badges a 1-bit bilevel TIFF and writes it back 1-bit, with the same
/// PhotometricInterpretation and compression (Group 4 for CCITT).
pub(crate) fn apply_bilevel(
    input: &[u8],
    candidates: &[Vec<String>],
    corner: NoticePosition,
    limits: &DecodeLimits,
) -> Result<Badged, NoticeError> {
    let (src, mut decoder) = Source::read(input)?;
    let (w, h) = (src.width, src.height);
    // One byte per pixel while drawing.
    limits.check_image(u64::from(w), u64::from(h), 1)?;
    let mut packed = match decoder.read_image().map_err(tiff_dec)? {
        DecodingResult::U8(b) => b,
        _ => {
            return Err(NoticeError::Unexpected(
                "TIFF: a 1-bit image decoded to wider samples",
            ))
        }
    };
    if src.compression == CCITT_G4 {
        // The `tiff` crate's Group 4 reader gives 1 for the coder's white
        // runs, the opposite of the stored bits every other decoder
        // (libtiff, ffmpeg) and every other compression gives: checked
        // against ffmpeg on a file `group4` wrote.
        packed.iter_mut().for_each(|b| *b = !*b);
    }
    // A 1 bit is black under WhiteIsZero, white under BlackIsZero.
    let one_is_white = src.photometric != WHITE_IS_ZERO;
    let row_bytes = w.div_ceil(8) as usize;
    if packed.len() < row_bytes * h as usize {
        return Err(NoticeError::Inconsistent(
            "TIFF: the image data is shorter than its size",
        ));
    }
    let grey = GrayImage::from_fn(w, h, |x, y| {
        let byte = packed[y as usize * row_bytes + x as usize / 8];
        let bit = byte >> (7 - x % 8) & 1 == 1;
        image::Luma([if bit == one_is_white { 255 } else { 0 }])
    });
    // Drawn where viewers show the corner; stored upright, as for the
    // other TIFFs (the orientation tag is not written back).
    let mut img = DynamicImage::ImageLuma8(grey);
    img.apply_orientation(
        Orientation::from_exif(src.orientation.min(8) as u8).unwrap_or(Orientation::NoTransforms),
    );
    let mut grey = img.into_luma8();
    let badge = badge::draw(&mut grey, candidates, corner)?;
    let (w, h) = grey.dimensions();
    let row_bytes = w.div_ceil(8) as usize;
    let mut bits = vec![0u8; row_bytes * h as usize];
    for (x, y, p) in grey.enumerate_pixels() {
        // The badge's anti-aliased edges go to the nearer of the two.
        if (p.0[0] >= 128) == one_is_white {
            bits[y as usize * row_bytes + x as usize / 8] |= 0x80 >> (x % 8);
        }
    }
    let (compression, data, note) = compress_bilevel(&bits, w, h, src.compression)?;
    let mut out = Vec::new();
    {
        let mut enc = TiffEncoder::new(Cursor::new(&mut out)).map_err(tiff_enc)?;
        let mut dir = enc.image_directory().map_err(tiff_enc)?;
        let offset = dir.write_data(&data[..]).map_err(tiff_enc)?;
        let offset = u32::try_from(offset).map_err(|_| OVER_4_GIB)?;
        let len = u32::try_from(data.len()).map_err(|_| OVER_4_GIB)?;
        dir.write_tag(Tag::ImageWidth, w).map_err(tiff_enc)?;
        dir.write_tag(Tag::ImageLength, h).map_err(tiff_enc)?;
        dir.write_tag(Tag::BitsPerSample, 1u16).map_err(tiff_enc)?;
        dir.write_tag(Tag::Compression, compression)
            .map_err(tiff_enc)?;
        dir.write_tag(Tag::PhotometricInterpretation, src.photometric)
            .map_err(tiff_enc)?;
        dir.write_tag(Tag::StripOffsets, offset).map_err(tiff_enc)?;
        dir.write_tag(Tag::SamplesPerPixel, 1u16)
            .map_err(tiff_enc)?;
        dir.write_tag(Tag::RowsPerStrip, h).map_err(tiff_enc)?;
        dir.write_tag(Tag::StripByteCounts, len).map_err(tiff_enc)?;
        write_common(&mut dir, &src).map_err(tiff_enc)?;
        dir.finish().map_err(tiff_enc)?;
    }
    Ok(Badged {
        bytes: out,
        badge,
        note,
    })
}

/// The packed rows compressed as `source` was, where possible: the tag
/// written, the bytes, and a note when the compression had to change.
fn compress_bilevel(
    bits: &[u8],
    w: u32,
    h: u32,
    source: u16,
) -> Result<(u16, Vec<u8>, Option<String>), NoticeError> {
    let mut out = Vec::new();
    let io = NoticeError::io("TIFF");
    let note = match source {
        NONE => {
            Uncompressed.write_to(&mut out, bits).map_err(&io)?;
            None
        }
        LZW => {
            Lzw.write_to(&mut out, bits).map_err(&io)?;
            None
        }
        DEFLATE | DEFLATE_OLD => {
            Deflate::with_level(DeflateLevel::Balanced)
                .write_to(&mut out, bits)
                .map_err(&io)?;
            None
        }
        PACKBITS => {
            Packbits.write_to(&mut out, bits).map_err(&io)?;
            None
        }
        other => {
            out = group4(bits, w, h)?;
            match other {
                CCITT_G4 => None,
                CCITT_G3 => {
                    Some("CCITT Group 3 written as Group 4 (the encoder has Group 4 only)".into())
                }
                _ => Some(format!(
                    "1-bit TIFF compression {other} written as CCITT Group 4 \
                     (the encoder has no such codec)"
                )),
            }
        }
    };
    let tag = match source {
        NONE | LZW | PACKBITS => source,
        DEFLATE | DEFLATE_OLD => DEFLATE,
        _ => CCITT_G4,
    };
    Ok((tag, out, note))
}

/// CCITT T.6 (Group 4) coding of packed rows, 1 bits as the coder's black
/// runs (libtiff's convention, which the `tiff` decoder follows).
fn group4(bits: &[u8], w: u32, h: u32) -> Result<Vec<u8>, NoticeError> {
    let width = u16::try_from(w).map_err(|_| NoticeError::TooLarge {
        what: "a TIFF Group 4 line",
        limit: "65535 pixels",
    })?;
    let row_bytes = w.div_ceil(8) as usize;
    let mut enc = fax::encoder::Encoder::new(fax::VecWriter::new());
    for row in bits.chunks_exact(row_bytes).take(h as usize) {
        let pels = (0..w as usize).map(|x| {
            if row[x / 8] & (0x80 >> (x % 8)) != 0 {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        // The VecWriter cannot fail.
        let Ok(()) = enc.encode_line(pels, width);
    }
    let Ok(writer) = enc.finish();
    Ok(writer.finish())
}

/// Resolution and ICC profile, as the source had them.
fn write_common<W: std::io::Write + std::io::Seek, K: tiff::encoder::TiffKind>(
    dir: &mut tiff::encoder::DirectoryEncoder<'_, W, K>,
    src: &Source,
) -> tiff::TiffResult<()> {
    if let Some((Value::Rational(xn, xd), Value::Rational(yn, yd), unit)) = &src.resolution {
        dir.write_tag(Tag::XResolution, Rational { n: *xn, d: *xd })?;
        dir.write_tag(Tag::YResolution, Rational { n: *yn, d: *yd })?;
        dir.write_tag(Tag::ResolutionUnit, *unit)?;
    }
    if let Some(icc) = &src.icc {
        dir.write_tag(Tag::IccProfile, icc.as_slice())?;
    }
    Ok(())
}

/// Writes the badged `img` (8 or 16 bits per sample, upright) as a TIFF
/// with the source's compression, predictor, resolution and ICC profile;
/// returns the bytes and a note when something could not be kept.
pub(crate) fn encode(
    img: &DynamicImage,
    input: &[u8],
) -> Result<(Vec<u8>, Option<String>), NoticeError> {
    let (src, _) = Source::read(input)?;
    let mut notes = Vec::new();
    let compression = match src.compression {
        NONE => Compression::Uncompressed,
        LZW => Compression::Lzw,
        DEFLATE | DEFLATE_OLD => Compression::Deflate(DeflateLevel::Balanced),
        PACKBITS => Compression::Packbits,
        other => {
            notes.push(format!(
                "TIFF compression {other} written as Deflate (lossless): the encoder has no {}",
                if other == 7 || other == 6 {
                    "JPEG"
                } else {
                    "such codec"
                }
            ));
            Compression::Deflate(DeflateLevel::Balanced)
        }
    };
    let predictor = if src.predictor == 2
        && !matches!(
            compression,
            Compression::Uncompressed | Compression::Packbits
        ) {
        Predictor::Horizontal
    } else {
        Predictor::None
    };
    let mut out = Vec::new();
    let enc = TiffEncoder::new(Cursor::new(&mut out))
        .map_err(tiff_enc)?
        .with_compression(compression)
        .with_predictor(predictor);
    let (w, h) = (img.width(), img.height());
    match img {
        DynamicImage::ImageLuma8(b) => write::<colortype::Gray8, _>(enc, w, h, b.as_raw(), &src),
        DynamicImage::ImageLuma16(b) => write::<colortype::Gray16, _>(enc, w, h, b.as_raw(), &src),
        DynamicImage::ImageRgb8(b) => write::<colortype::RGB8, _>(enc, w, h, b.as_raw(), &src),
        DynamicImage::ImageRgb16(b) => write::<colortype::RGB16, _>(enc, w, h, b.as_raw(), &src),
        DynamicImage::ImageRgba8(b) => write::<colortype::RGBA8, _>(enc, w, h, b.as_raw(), &src),
        DynamicImage::ImageRgba16(b) => write::<colortype::RGBA16, _>(enc, w, h, b.as_raw(), &src),
        DynamicImage::ImageLumaA8(_) => {
            notes.push(
                "grey with alpha written as RGBA (the TIFF encoder has no grey + alpha)".into(),
            );
            let b = img.to_rgba8();
            write::<colortype::RGBA8, _>(enc, w, h, b.as_raw(), &src)
        }
        DynamicImage::ImageLumaA16(_) => {
            notes.push(
                "grey with alpha written as RGBA (the TIFF encoder has no grey + alpha)".into(),
            );
            let b = img.to_rgba16();
            write::<colortype::RGBA16, _>(enc, w, h, b.as_raw(), &src)
        }
        other => Err(crate::Unsupported::Layout {
            format: "TIFF",
            layout: format!("{:?}", other.color()),
            why: "8- and 16-bit samples can",
        }
        .into()),
    }?;
    Ok((out, (!notes.is_empty()).then(|| notes.join("; "))))
}

fn write<C: TiffColor, W: std::io::Write + std::io::Seek>(
    mut enc: TiffEncoder<W>,
    w: u32,
    h: u32,
    data: &[C::Inner],
    src: &Source,
) -> Result<(), NoticeError>
where
    [C::Inner]: TiffValue,
{
    let mut image = enc.new_image::<C>(w, h).map_err(tiff_enc)?;
    write_common(image.encoder(), src).map_err(tiff_enc)?;
    image.write_data(data).map_err(tiff_enc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(bytes: &[u8]) -> (ColorType, u16, u16, u16) {
        let mut d = Decoder::new(Cursor::new(bytes)).unwrap();
        let c = d.colortype().unwrap();
        let mut t = |tag| d.find_tag_unsigned::<u16>(tag).unwrap().unwrap_or(0);
        (
            c,
            t(Tag::Compression),
            t(Tag::PhotometricInterpretation),
            t(Tag::Predictor),
        )
    }

    /// A scanned page: black strokes (1 bits, WhiteIsZero) on white.
    fn page(w: u32, h: u32) -> Vec<u8> {
        let row_bytes = w.div_ceil(8) as usize;
        let mut bits = vec![0u8; row_bytes * h as usize];
        for y in 0..h {
            for x in 0..w {
                if (y % 12 < 2 && x % 40 < 30) || (x % 97 == 3) {
                    bits[y as usize * row_bytes + x as usize / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        bits
    }

    #[test]
    fn a_group4_scan_stays_1_bit_group4_with_its_photometric() {
        let (w, h) = (600, 400);
        let bits = page(w, h);
        let input = fax::tiff::wrap(&group4(&bits, w, h).unwrap(), w, h);
        assert_eq!(tags(&input), (ColorType::Gray(1), 4, 0, 0));
        let lines = vec![vec!["AI-generated".to_string()]];
        let b = apply_bilevel(
            &input,
            &lines,
            NoticePosition::BottomRight,
            &DecodeLimits::default(),
        )
        .unwrap();
        assert_eq!(b.note, None);
        assert_eq!(tags(&b.bytes), (ColorType::Gray(1), 4, 0, 0));
        assert!(
            b.bytes.len() * 2 <= input.len() * 3,
            "{} bytes from {}",
            b.bytes.len(),
            input.len()
        );
        // Every pixel outside the badge is as it was (1 bits black); the
        // badge is there. Read back by `image`, which shows it as drawn.
        let out = image::load_from_memory(&b.bytes).unwrap().to_luma8();
        let (bx, by, bw, bh) = b.badge.rect;
        let row_bytes = w.div_ceil(8);
        let black =
            |x: u32, y: u32| bits[(y * row_bytes + x / 8) as usize] & (0x80 >> (x % 8)) != 0;
        let (mut changed, mut dark) = (0, 0);
        for (x, y, p) in out.enumerate_pixels() {
            let inside = x >= bx && x < bx + bw && y >= by && y < by + bh;
            if inside {
                dark += u32::from(p.0[0] == 0);
            } else if (p.0[0] == 0) != black(x, y) {
                changed += 1;
            }
        }
        assert_eq!(changed, 0, "pixels outside the badge changed");
        assert!(dark > bw * bh / 2, "a dark box: {dark} of {bw}×{bh}");
    }

    #[test]
    fn black_is_zero_and_packbits_are_kept_too() {
        let (w, h) = (300, 200);
        let bits = page(w, h);
        let mut input = Vec::new();
        {
            let mut enc = TiffEncoder::new(Cursor::new(&mut input)).unwrap();
            let mut dir = enc.image_directory().unwrap();
            let mut data = Vec::new();
            Packbits.write_to(&mut data, &bits).unwrap();
            let off = dir.write_data(&data[..]).unwrap() as u32;
            dir.write_tag(Tag::ImageWidth, w).unwrap();
            dir.write_tag(Tag::ImageLength, h).unwrap();
            dir.write_tag(Tag::BitsPerSample, 1u16).unwrap();
            dir.write_tag(Tag::Compression, PACKBITS).unwrap();
            dir.write_tag(Tag::PhotometricInterpretation, 1u16).unwrap();
            dir.write_tag(Tag::StripOffsets, off).unwrap();
            dir.write_tag(Tag::RowsPerStrip, h).unwrap();
            dir.write_tag(Tag::StripByteCounts, data.len() as u32)
                .unwrap();
            dir.finish().unwrap();
        }
        let lines = vec![vec!["AI".to_string()]];
        let b = apply_bilevel(
            &input,
            &lines,
            NoticePosition::TopLeft,
            &DecodeLimits::default(),
        )
        .unwrap();
        assert_eq!(tags(&b.bytes), (ColorType::Gray(1), PACKBITS, 1, 0));
    }

    #[test]
    fn a_16_bit_lzw_tiff_with_a_predictor_stays_so() {
        let img = DynamicImage::ImageRgb16(image::ImageBuffer::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 1000) as u16, (y * 1300) as u16, 40_000])
        }));
        let mut input = Vec::new();
        TiffEncoder::new(Cursor::new(&mut input))
            .unwrap()
            .with_compression(Compression::Lzw)
            .with_predictor(Predictor::Horizontal)
            .write_image::<colortype::RGB16>(64, 48, img.as_rgb16().unwrap().as_raw())
            .unwrap();
        let (out, note) = encode(&img, &input).unwrap();
        assert_eq!(note, None);
        assert_eq!(tags(&out), (ColorType::RGB(16), LZW, 2, 2));
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!(back, img, "lossless");
    }
}
