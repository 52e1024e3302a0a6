//! A notice keeps the file what it was (issue 15 §7): a 1-bit Group 4
//! scan stays 1-bit Group 4, a lossy WebP stays lossy at about its size
//! with its unknown chunks, a 10-bit HEIC or AVIF stays 10-bit. Inputs
//! are made here: the `tiff`/`fax` crates, ffmpeg, libheif and cjxl.

use std::{io::Cursor, path::Path, process::Command};

use tiff::{decoder::Decoder, tags::Tag, ColorType};

use crate::util::{assert_ok, ffmpeg, text, Sandbox};

/// Labels `input` with a notice and checks the output verifies as trusted;
/// returns the output's bytes and what tamga said.
fn label_with_notice(sb: &Sandbox, input: &Path, out: &Path) -> (Vec<u8>, String) {
    let o = sb.label(input, out, &["--notice"]);
    assert_ok(&o);
    let (entry, _) = sb.verify(out, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
    assert!(
        !entry["disclosure"]["perceivableNotice"].is_null(),
        "the notice is recorded: {entry}"
    );
    // The notes on the encoding are warnings, on stderr.
    let said = text(&o.stdout) + &text(&o.stderr);
    (std::fs::read(out).unwrap(), said)
}

/// (colour type, Compression, PhotometricInterpretation, image data bytes).
fn tiff_tags(bytes: &[u8]) -> (ColorType, u16, u16, u64) {
    let mut d = Decoder::new(Cursor::new(bytes)).unwrap();
    let c = d.colortype().unwrap();
    let comp = d.get_tag_unsigned::<u16>(Tag::Compression).unwrap();
    let photo = d
        .get_tag_unsigned::<u16>(Tag::PhotometricInterpretation)
        .unwrap();
    let data = d
        .get_tag_u64_vec(Tag::StripByteCounts)
        .unwrap()
        .iter()
        .sum();
    (c, comp, photo, data)
}

#[test]
fn a_1_bit_group4_tiff_stays_1_bit_group4_with_its_photometric() {
    let sb = Sandbox::new();
    // A page of "text": short strokes in lines, as a 200 dpi fax scan.
    let (w, h) = (1728u32, 2200u32);
    let mut enc = fax::encoder::Encoder::new(fax::VecWriter::new());
    for y in 0..h {
        let pels = (0..w).map(|x| {
            let word = (x / 23 + y / 40 * 7) % 5 != 0;
            let ink = y % 40 >= 10 && y % 40 < 26 && word && (x * 31 + y * 17) % 11 < 6;
            if ink {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        let Ok(()) = enc.encode_line(pels, w as u16);
    }
    let Ok(writer) = enc.finish();
    let input_bytes = fax::tiff::wrap(&writer.finish(), w, h);
    let (c, comp, photo, _) = tiff_tags(&input_bytes);
    assert_eq!((c, comp, photo), (ColorType::Gray(1), 4, 0), "the input");
    let input = sb.path("scan.tif");
    std::fs::write(&input, &input_bytes).unwrap();

    let (out, _) = label_with_notice(&sb, &input, &sb.path("out.tif"));
    let (c, comp, photo, _) = tiff_tags(&out);
    assert_eq!(
        (c, comp, photo),
        (ColorType::Gray(1), 4, 0),
        "1-bit, Group 4, WhiteIsZero"
    );
    eprintln!("size: {} -> {} bytes", input_bytes.len(), out.len());
    assert!(
        out.len() * 2 <= input_bytes.len() * 3,
        "{} bytes from {}",
        out.len(),
        input_bytes.len()
    );
    // The page still reads as a page: mostly white, the badge dark.
    let img = image::load_from_memory(&out).unwrap().to_luma8();
    assert_eq!(img.dimensions(), (w, h));
    let white = img.pixels().filter(|p| p.0[0] == 255).count();
    assert!(white * 10 > (w * h) as usize * 7, "{white} white pixels");
}

/// A photo-like image: smooth gradients with texture, as a camera makes.
fn photo(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        let n = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) % 23;
        image::Rgb([
            (x * 200 / w + n) as u8,
            (y * 180 / h + n) as u8,
            ((x + y) * 120 / (w + h) + 60) as u8,
        ])
    })
}

/// The RIFF chunks of a WebP: FourCC and payload.
fn webp_chunks(file: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    let mut at = 12;
    let mut out = Vec::new();
    while at + 8 <= file.len() {
        let id: [u8; 4] = file[at..at + 4].try_into().unwrap();
        let len = u32::from_le_bytes(file[at + 4..at + 8].try_into().unwrap()) as usize;
        out.push((id, file[at + 8..at + 8 + len].to_vec()));
        at += 8 + len + (len & 1);
    }
    out
}

fn riff(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
    let mut body = b"WEBP".to_vec();
    for (id, data) in chunks {
        body.extend_from_slice(*id);
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn a_lossy_webp_stays_lossy_near_its_size_and_keeps_unknown_chunks() {
    let sb = Sandbox::new();
    let (w, h) = (960u32, 640u32);
    let png = sb.path("photo.png");
    photo(w, h).save(&png).unwrap();
    let simple = sb.path("simple.webp");
    ffmpeg(&[
        "-i",
        png.to_str().unwrap(),
        "-c:v",
        "libwebp",
        "-lossless",
        "0",
        "-quality",
        "70",
        simple.to_str().unwrap(),
    ]);
    // Extended format, with a chunk no one here knows after the image.
    let chunks = webp_chunks(&std::fs::read(&simple).unwrap());
    let vp8 = &chunks.iter().find(|(id, _)| id == b"VP8 ").unwrap().1;
    let mut vp8x = vec![0u8, 0, 0, 0];
    vp8x.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
    let input_bytes = riff(&[
        (b"VP8X", &vp8x),
        (b"VP8 ", vp8),
        (b"ZZZZ", b"a private chunk, kept"),
    ]);
    let input = sb.path("photo.webp");
    std::fs::write(&input, &input_bytes).unwrap();

    let (out, stdout) = label_with_notice(&sb, &input, &sb.path("out.webp"));
    let ids: Vec<[u8; 4]> = webp_chunks(&out).iter().map(|(id, _)| *id).collect();
    assert!(
        ids.contains(b"VP8 ") && !ids.contains(b"VP8L"),
        "lossy: {ids:?}"
    );
    let kept = webp_chunks(&out)
        .into_iter()
        .find(|(id, _)| id == b"ZZZZ")
        .map(|(_, d)| d);
    assert_eq!(kept.as_deref(), Some(&b"a private chunk, kept"[..]));
    eprintln!("size: {} -> {} bytes", input_bytes.len(), out.len());
    assert!(
        out.len() * 2 <= input_bytes.len() * 3,
        "{} bytes from {}",
        out.len(),
        input_bytes.len()
    );
    assert!(
        stdout.contains("lossy WebP at quality"),
        "the quality is said: {stdout}"
    );
}

/// The luma bit depth and size of a HEIF file's primary image, by libheif.
fn heif_depth(bytes: &[u8]) -> (u8, u32, u32) {
    let heif = tamga_heif::Libheif::load(None).unwrap();
    let ctx = heif.read(bytes).unwrap();
    let handle = ctx.primary_image().unwrap();
    (handle.luma_bits().unwrap(), handle.width(), handle.height())
}

#[test]
fn a_10_bit_and_a_12_bit_avif_get_a_notice_and_keep_their_depth() {
    let sb = Sandbox::new();
    for (pix_fmt, depth) in [("yuv420p10le", 10u8), ("yuv420p12le", 12)] {
        let input = sb.path(&format!("hdr{depth}.avif"));
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240",
            "-frames:v",
            "1",
            "-c:v",
            "libaom-av1",
            "-pix_fmt",
            pix_fmt,
            "-still-picture",
            "1",
            "-cpu-used",
            "8",
            input.to_str().unwrap(),
        ]);
        assert_eq!(
            heif_depth(&std::fs::read(&input).unwrap()).0,
            depth,
            "input"
        );
        let out = sb.path(&format!("out{depth}.avif"));
        let (out, said) = label_with_notice(&sb, &input, &out);
        assert_eq!(heif_depth(&out), (depth, 320, 240));
        assert!(said.contains(&format!("{depth}-bit AVIF")), "{said}");
    }
}

#[test]
fn a_10_bit_and_a_12_bit_heic_get_a_notice_and_keep_their_depth() {
    use tamga_heif::{Chroma, Compression, Libheif};
    let heif = Libheif::load(None).unwrap();
    let sb = Sandbox::new();
    let (w, h) = (256u32, 192u32);
    for depth in [10u8, 12] {
        let mut img = heif.new_image(w, h, Chroma::RgbLe16).unwrap();
        img.add_interleaved_plane(w, h, depth).unwrap();
        {
            let plane = img.plane_mut().unwrap();
            let top = (1u16 << depth) - 1;
            for y in 0..h as usize {
                for x in 0..w as usize {
                    let v = [(x * 4) as u16 & top, (y * 5) as u16 & top, top / 3 * 2];
                    for (c, s) in v.iter().enumerate() {
                        let at = y * plane.stride + (x * 3 + c) * 2;
                        plane.data[at..at + 2].copy_from_slice(&s.to_le_bytes());
                    }
                }
            }
        }
        let mut encoder = heif.encoder(Compression::Hevc).unwrap();
        let mut ctx = heif.new_context().unwrap();
        ctx.encode(&img, &mut encoder).unwrap();
        let input_bytes = ctx.write().unwrap();
        assert_eq!(heif_depth(&input_bytes).0, depth, "input");
        let input = sb.path(&format!("hdr{depth}.heic"));
        std::fs::write(&input, &input_bytes).unwrap();

        let out = sb.path(&format!("out{depth}.heic"));
        let (out, said) = label_with_notice(&sb, &input, &out);
        assert_eq!(heif_depth(&out), (depth, w, h));
        assert!(said.contains(&format!("{depth}-bit HEIC")), "{said}");
    }
}

#[test]
fn the_time_budget_base_can_be_set_in_the_config_file() {
    let sb = Sandbox::new();
    let config = sb.path("tamga.toml");
    std::fs::write(&config, "[limits]\ntimeout_secs = 120\n").unwrap();
    let png = sb.path("p.png");
    photo(64, 48).save(&png).unwrap();
    let keys = sb.keys();
    let out = sb.path("out.png");
    let run = |cfg: &Path| {
        sb.run(&[
            "label",
            png.to_str().unwrap(),
            "--ai",
            "generated",
            "--notice",
            "--keys",
            keys.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
    };
    assert_ok(&run(&config));
    // A typo is refused, naming the file: the key is really read.
    std::fs::write(&config, "[limits]\ntimeout_sec = 120\n").unwrap();
    let o = run(&config);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("tamga.toml"),
        "{}",
        text(&o.stderr)
    );
}

/// The bytes of a JPEG outside its APP11 (C2PA) segments, the luma
/// sampling factors of its frame header, and its quantisation tables (the
/// DQT segments' payloads, in order).
fn jpeg_layout(jpeg: &[u8]) -> (usize, (u8, u8), Vec<Vec<u8>>) {
    let (mut i, mut kept, mut hv, mut dqt) = (2, 2, (0, 0), Vec::new());
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        if marker == 0xDA {
            kept += jpeg.len() - i;
            break;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        let body = &jpeg[i + 4..i + 2 + len];
        if (0xC0..=0xC2).contains(&marker) {
            hv = (body[7] >> 4, body[7] & 0x0F);
        }
        if marker == 0xDB {
            dqt.push(body.to_vec());
        }
        if marker != 0xEB {
            kept += 2 + len;
        }
        i += 2 + len;
    }
    (kept, hv, dqt)
}

/// The quantisation values of every table, whatever their segmenting.
fn table_values(dqt: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for seg in dqt {
        let mut j = 0;
        while j < seg.len() {
            let n = if seg[j] >> 4 == 1 { 128 } else { 64 };
            out.extend_from_slice(&seg[j + 1..j + 1 + n]);
            j += 1 + n;
        }
    }
    out
}

#[test]
fn a_jpeg_keeps_its_subsampling_and_tables_and_stays_near_its_size() {
    let sb = Sandbox::new();
    // A noisy ffmpeg-made 4:2:0 photo, with ffmpeg's own (flat) tables.
    let png = sb.path("photo.png");
    photo(960, 640).save(&png).unwrap();
    let made = sb.path("photo.jpg");
    ffmpeg(&[
        "-i",
        png.to_str().unwrap(),
        "-pix_fmt",
        "yuvj420p",
        "-q:v",
        "4",
        made.to_str().unwrap(),
    ]);
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/sample.jpg");
    for input in [made.as_path(), samples.as_path()] {
        let what = input.display().to_string();
        let before = std::fs::read(input).unwrap();
        let (in_bytes, in_hv, in_dqt) = jpeg_layout(&before);
        assert_eq!(in_hv, (2, 2), "{what}: the input is 4:2:0");
        let (out, stdout) = label_with_notice(&sb, input, &sb.path("out.jpg"));
        let (out_bytes, out_hv, out_dqt) = jpeg_layout(&out);
        assert_eq!(out_hv, (2, 2), "{what}: still 4:2:0");
        assert!(
            stdout.contains("with the source's own quantisation tables"),
            "{what}: {stdout}"
        );
        // The source's luma table, as it was or made coarser by the step
        // the note names (the noisy photo's source has Huffman tables fitted
        // to it, which the encoder cannot write: as it was, it lands past
        // 1.5x).
        let percent = stdout
            .split_once("tables made ")
            .and_then(|(_, rest)| rest.split_once("x coarser"))
            .map_or(100, |(x, _)| {
                (x.parse::<f64>().unwrap() * 100.0).round() as u32
            });
        let expected: Vec<u8> = table_values(&in_dqt)[..64]
            .iter()
            .map(|&v| ((u32::from(v) * percent + 50) / 100).clamp(1, 255) as u8)
            .collect();
        assert_eq!(
            table_values(&out_dqt)[..64],
            expected[..],
            "{what}: the source's luma table at {percent}%"
        );
        eprintln!("{what}: image data {in_bytes} -> {out_bytes} bytes ({percent}%)");
        assert!(
            out_bytes * 2 <= in_bytes * 3,
            "{what}: {out_bytes} bytes of image data from {in_bytes}"
        );
        if percent != 100 {
            assert!(
                stdout.contains("to stay within 1.5x of the source's size"),
                "{what}: {stdout}"
            );
        }
    }
}

/// Runs libjxl's `cjxl` or `djxl` (Debian: libjxl-tools, which `.ci/run`
/// installs).
fn jxl_tool(tool: &str, args: &[&Path], extra: &[&str]) {
    let o = Command::new(tool)
        .args(args)
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (libjxl-tools): {e}"));
    assert!(o.status.success(), "{tool}: {}", text(&o.stderr));
}

/// The pixels of a JPEG XL file, as libjxl's own decoder sees them.
fn djxl(sb: &Sandbox, jxl: &Path) -> image::RgbImage {
    let png = sb.path("decoded.png");
    jxl_tool("djxl", &[jxl, &png], &["--quiet"]);
    image::open(&png).unwrap().to_rgb8()
}

/// The size of a JPEG XL container without its C2PA manifest (`jumb`
/// boxes).
fn without_c2pa(file: &[u8]) -> usize {
    let (mut at, mut jumb) = (0, 0);
    while at + 8 <= file.len() {
        let size = u32::from_be_bytes(file[at..at + 4].try_into().unwrap()) as usize;
        let size = if size == 0 { file.len() - at } else { size };
        if &file[at + 4..at + 8] == b"jumb" {
            jumb += size;
        }
        at += size.max(8);
    }
    file.len() - jumb
}

/// Whether the JPEG XL in `file` is lossy, as libjxl's jxlinfo says (from
/// the image header's XYB colour).
fn is_lossy_jxl(file: &Path) -> bool {
    let o = Command::new("jxlinfo").arg(file).output().expect("jxlinfo");
    text(&o.stdout).contains("lossy")
}

/// (PSNR outside the box, pixels that changed inside it) between `a` and
/// `b`; the box is the bottom-right corner the badge is drawn in, found
/// as the blocks that changed by more than re-encoding moves them.
fn badge_and_rest(a: &image::RgbImage, b: &image::RgbImage) -> (f64, (u32, u32), u64) {
    let (w, h) = a.dimensions();
    let (mut x0, mut y0) = (w, h);
    for by in (0..h).step_by(8) {
        for bx in (0..w).step_by(8) {
            let (mut sum, mut n) = (0u64, 0u64);
            for y in by..(by + 8).min(h) {
                for x in bx..(bx + 8).min(w) {
                    let (p, q) = (a.get_pixel(x, y), b.get_pixel(x, y));
                    sum +=
                        p.0.iter()
                            .zip(q.0)
                            .map(|(u, v)| u64::from(u.abs_diff(v)))
                            .sum::<u64>();
                    n += 3;
                }
            }
            if sum > 24 * n {
                x0 = x0.min(bx);
                y0 = y0.min(by);
            }
        }
    }
    let (mut se, mut n, mut changed) = (0f64, 0f64, 0u64);
    for (x, y, p) in a.enumerate_pixels() {
        let q = b.get_pixel(x, y);
        if x >= x0 && y >= y0 {
            changed += u64::from(p != q);
            continue;
        }
        for c in 0..3 {
            let d = f64::from(p.0[c]) - f64::from(q.0[c]);
            se += d * d;
            n += 1.0;
        }
    }
    let psnr = 10.0 * (255.0f64 * 255.0 / (se / n.max(1.0)).max(1e-9)).log10();
    (psnr, (x0, y0), changed)
}

#[test]
fn a_lossy_jpeg_xl_stays_lossy_near_its_size_and_verifies() {
    let sb = Sandbox::new();
    // The sample (cjxl -d 1.0 from the master PNG) and a noisy photo.
    let png = sb.path("photo.png");
    photo(960, 640).save(&png).unwrap();
    let made = sb.path("photo.jxl");
    jxl_tool("cjxl", &[&png, &made], &["-d", "1.0", "--quiet"]);
    let sample = sb.copy_sample("sample.jxl");
    for input in [made.as_path(), sample.as_path()] {
        let what = input.display().to_string();
        assert!(is_lossy_jxl(input), "{what}: the input is lossy");
        let out = sb.path("out.jxl");
        let (bytes, said) = label_with_notice(&sb, input, &out);
        assert!(
            said.contains("re-encoded as lossy JPEG XL with cjxl"),
            "{what}: {said}"
        );
        assert!(is_lossy_jxl(&out), "{what}: still lossy");
        let in_len = without_c2pa(&std::fs::read(input).unwrap());
        let out_len = without_c2pa(&bytes);
        eprintln!("{what}: {in_len} -> {out_len} bytes without the manifest");
        // Within 1.5x, as for JPEG without the manifest (which on the
        // 13 kB sample is most of the growth).
        assert!(
            out_len * 2 <= in_len * 3,
            "{what}: {out_len} bytes from {in_len}"
        );
        let (before, after) = (djxl(&sb, input), djxl(&sb, &out));
        assert_eq!(before.dimensions(), after.dimensions());
        let (w, h) = before.dimensions();
        let (psnr, corner, changed) = badge_and_rest(&before, &after);
        assert!(
            corner.0 > w / 2 && corner.1 > h / 2,
            "{what}: changes from {corner:?} in {w}x{h}"
        );
        assert!(
            changed > 500,
            "{what}: {changed} pixels of the badge changed"
        );
        assert!(psnr > 34.0, "{what}: PSNR outside the badge {psnr:.1} dB");
        let py = crate::interop::py_read(&out, "image/jxl", Some(&sb.anchor()), None);
        assert_eq!(py["validation_state"], "Trusted", "{what}: {py}");
    }
}

#[test]
fn without_cjxl_a_lossy_jpeg_xl_is_written_lossless_and_the_note_says_why() {
    let sb = Sandbox::new();
    let input = sb.copy_sample("sample.jxl");
    let out = sb.path("out.jxl");
    let o = sb
        .cmd()
        .env("TAMGA_CJXL", sb.path("no-such-cjxl"))
        .args([
            "label",
            input.to_str().unwrap(),
            "--ai",
            "generated",
            "--keys",
        ])
        .arg(sb.keys())
        .args(["--notice", "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_ok(&o);
    let said = text(&o.stdout) + &text(&o.stderr);
    for words in [
        "cjxl (libjxl's encoder) was not found",
        "re-encoded as lossless JPEG XL and grew",
        "libjxl-tools",
        "TAMGA_CJXL",
    ] {
        assert!(said.contains(words), "{words:?} in: {said}");
    }
    assert!(!is_lossy_jxl(&out), "written lossless");
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
}
