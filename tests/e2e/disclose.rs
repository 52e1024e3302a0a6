//! Disclosure cards for consumers (issue 21): made from a verified label
//! in kk/ru/en, opened in headless Chromium (no console errors, headings,
//! `lang`, contrast, JSON-LD, and no axe-core violation of WCAG 2.x A/AA or
//! its best practices), printed to A4 (within the paper, black on white,
//! the QR code whole, two pages at most), the QR code decoded back by
//! zbarimg to the link given; refused for an invalid label, and for an
//! unlabelled file without declared facts.

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::util::{assert_ok, root, text, Sandbox};

const URL: &str = "https://verify.example.kz/check?file=card-test";

/// Opens `card` in Chromium; the page's facts, and the screenshot's path.
fn open(card: &Path, shot: &str) -> (Value, std::path::PathBuf) {
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join(shot);
    let _ = std::fs::remove_file(&shot);
    let o = Command::new("node")
        .arg(root().join("tests/browser/disclosure_card.mjs"))
        .arg(card)
        .arg(&shot)
        .output()
        .expect("node (installed by .ci/run, with tests/browser's playwright-core)");
    assert!(
        o.status.success(),
        "browser: {}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    (serde_json::from_slice(&o.stdout).unwrap(), shot)
}

/// What zbarimg (Debian's zbar-tools) reads from the QR code in `png`.
fn qr_in(png: &Path) -> String {
    let o = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(png)
        .output()
        .expect("zbarimg (apt-get install zbar-tools)");
    assert!(o.status.success(), "zbarimg: {}", text(&o.stderr));
    text(&o.stdout).trim().to_string()
}

fn disclose(sb: &Sandbox, file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    disclose_linking(sb, file, out, Some(URL), extra)
}

/// `tamga disclose FILE --trust … [--verify-url URL] -o OUT EXTRA…`.
fn disclose_linking(
    sb: &Sandbox,
    file: &Path,
    out: &Path,
    url: Option<&str>,
    extra: &[&str],
) -> std::process::Output {
    let anchor = sb.anchor();
    let mut args = vec![
        "disclose",
        file.to_str().unwrap(),
        "--trust",
        anchor.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    if let Some(url) = url {
        args.extend(["--verify-url", url]);
    }
    args.extend_from_slice(extra);
    sb.run(&args)
}

#[test]
fn a_card_in_three_languages_passes_the_browser_checks_and_its_qr_code_reads_back() {
    let sb = Sandbox::new();
    let labelled = sb.path("photo.jpg");
    assert_ok(&sb.label(&sb.copy_sample("sample.jpg"), &labelled, &["--notice"]));
    let risks = sb.path("risks.toml");
    std::fs::write(
        &risks,
        "[kk]\nrisks = [\"Сурет шынайы оқиғаны көрсетпейді\"]\n\
         [ru]\nsafe_use = [\"Не используйте как доказательство\"]\n\
         [en]\nrisks = [\"It does not show a real event\"]\n",
    )
    .unwrap();
    let html = sb.path("card.html");
    assert_ok(&disclose(
        &sb,
        &labelled,
        &html,
        &["--risks", risks.to_str().unwrap()],
    ));
    let (page, shot) = open(&html, "disclose-card.png");
    assert_eq!(page["lang"], "kk");
    assert_eq!(page["sections"], serde_json::json!(["kk", "ru", "en"]));
    let body = page["text"].as_str().unwrap();
    for words in [
        "Жасанды интеллект қолданылды",
        "Использован искусственный интеллект",
        "Artificial intelligence was used",
        "Test Model 2.1",
        "Сурет шынайы оқиғаны көрсетпейді",
        "Не используйте как доказательство",
    ] {
        assert!(body.contains(words), "{words} missing: {body}");
    }
    assert_eq!(
        page["jsonLd"]["digitalSourceType"],
        "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    );
    assert_eq!(page["jsonLd"]["url"], URL);
    assert_eq!(qr_in(&shot), URL);
    // axe-core: no violation (the script fails on one), nothing it could not
    // decide, and the rules this card is about ran and passed (34 of them
    // with axe-core 4.14.1).
    let axe = &page["axe"];
    assert_eq!(axe["violations"], 0, "{axe}");
    assert_eq!(axe["incomplete"], serde_json::json!([]), "{axe}");
    assert!(axe["passes"].as_u64().unwrap() >= 30, "{axe}");
    for rule in [
        "color-contrast",
        "html-lang-valid",
        "valid-lang",
        "heading-order",
        "page-has-heading-one",
        "role-img-alt",
        "definition-list",
        "link-name",
        "landmark-one-main",
    ] {
        assert!(
            axe["passed"].as_array().unwrap().contains(&rule.into()),
            "{rule} did not pass: {axe}"
        );
    }
    // Printed on A4 inside its own margins (at least 10 mm: 718 px of 794
    // at 96 dpi): nothing wider than the paper, black text on white, the QR
    // code at least 4 cm, on one page and in a section not split across
    // pages, the link printed in full, two pages for three languages.
    let print = &page["print"];
    let width = print["width"].as_f64().unwrap();
    assert!(width <= 718.0, "{print}");
    assert!(print["right"].as_f64().unwrap() <= width, "{print}");
    assert_eq!(print["colors"], serde_json::json!(["rgb(0, 0, 0)"]));
    assert_eq!(
        print["backgrounds"],
        serde_json::json!(["rgb(255, 255, 255)"])
    );
    let qr = &print["qr"];
    assert_eq!(qr["visible"], true, "{print}");
    assert_eq!(qr["breakInside"], "avoid", "{print}");
    assert!(qr["width"].as_f64().unwrap() >= 151.0, "{print}");
    assert!(qr["height"].as_f64().unwrap() < print["height"].as_f64().unwrap());
    assert_eq!(print["link"], URL);
    let pages = print["pdfPages"].as_u64().unwrap();
    assert!((1..=2).contains(&pages), "{pages} A4 pages");
    // A long link (a signed token, say) wraps on paper instead of widening
    // the page, which Chromium would shrink to fit.
    let long = sb.path("long-link.html");
    let url = format!("{URL}&token={}", "a".repeat(160));
    assert_ok(&disclose_linking(&sb, &labelled, &long, Some(&url), &[]));
    let (page, _) = open(&long, "disclose-long-link.png");
    let print = &page["print"];
    assert!(
        print["right"].as_f64().unwrap() <= print["width"].as_f64().unwrap(),
        "{print}"
    );
    assert_eq!(print["link"], url.as_str());

    // The packaging label: SVG, its QR code read back too.
    let svg = sb.path("label.svg");
    assert_ok(&disclose(
        &sb,
        &labelled,
        &svg,
        &["--format", "svg", "--lang", "kk,ru"],
    ));
    let (label, shot) = open(&svg, "disclose-label.png");
    assert_eq!(qr_in(&shot), URL);
    // axe-core on the SVG document: its role="img" is named by its <title>
    // and each text's `lang` is valid.
    assert_eq!(label["axe"]["violations"], 0);
    for rule in ["svg-img-alt", "valid-lang"] {
        assert!(
            label["axe"]["passed"]
                .as_array()
                .unwrap()
                .contains(&rule.into()),
            "{rule} did not pass: {label}"
        );
    }
    // JSON and Markdown carry the same facts.
    let json = sb.path("card.json");
    assert_ok(&disclose(&sb, &labelled, &json, &["--format", "json"]));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["schema"], "tamga.disclose/1");
    assert_eq!(doc["ai"], "generated");
    assert_eq!(doc["verified"], true);
    assert!(doc["text"]["kk"]["title"].is_string());
}

#[test]
fn invalid_and_undeclared_files_get_no_card_and_declared_facts_are_marked() {
    let sb = Sandbox::new();
    let labelled = sb.path("photo.jpg");
    assert_ok(&sb.label(&sb.copy_sample("sample.jpg"), &labelled, &[]));
    crate::util::tamper_jpeg_image_data(&labelled);
    let out = sb.path("cards");
    let plain = sb.copy_sample("sample.png");
    let o = disclose(&sb, &labelled, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("label is invalid"),
        "{}",
        text(&o.stderr)
    );
    let o = disclose(&sb, &plain, &sb.path("plain.html"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("declare"), "{}", text(&o.stderr));
    let md = sb.path("plain.md");
    let o = disclose(
        &sb,
        &plain,
        &md,
        &[
            "--format",
            "md",
            "--declare",
            "ai=edited,system=Retouch AI,org=Shop LLP",
        ],
    );
    assert_ok(&o);
    let card = std::fs::read_to_string(&md).unwrap();
    assert!(
        card.contains("Declared by the seller (no signed label)"),
        "{card}"
    );
    assert!(
        card.contains("edited with AI") && card.contains("Retouch AI"),
        "{card}"
    );
    // A risks file with a typo is refused with its line and column.
    let risks = sb.path("risks.toml");
    std::fs::write(&risks, "[kk]\nrisk = [\"x\"]\n").unwrap();
    let o = disclose(&sb, &plain, &md, &["--risks", risks.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        text(&o.stderr).contains("risks.toml:2:1"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn every_labelled_sample_format_gets_a_card() {
    let sb = Sandbox::new();
    // Every format with an embedded label (the samples folder also holds
    // formats only a sidecar can label).
    let src = sb.path("samples");
    std::fs::create_dir(&src).unwrap();
    for ext in [
        "jpg", "png", "webp", "gif", "tif", "avif", "heic", "jxl", "svg", "wav", "mp3", "flac",
        "m4a",
    ] {
        let name = format!("sample.{ext}");
        std::fs::copy(crate::util::sample(&name), src.join(&name)).unwrap();
    }
    for text in ["kk.md", "ru.txt"] {
        let from = crate::util::root().join("samples/text").join(text);
        std::fs::copy(from, src.join(text)).unwrap();
    }
    let dir = sb.path("labelled");
    let keys = sb.keys();
    let o = sb.run(&[
        "label",
        src.to_str().unwrap(),
        "--ai",
        "generated",
        "--keys",
        keys.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_ok(&o);
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert_eq!(files.len(), 15, "{files:?}");
    let cards = sb.path("cards");
    let anchor = sb.anchor();
    let mut args = vec![
        "disclose",
        "--format",
        "json",
        "--trust",
        anchor.to_str().unwrap(),
    ];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    args.extend(["-o", cards.to_str().unwrap()]);
    let o = sb.run(&args);
    assert_ok(&o);
    for f in &files {
        let name = format!("{}.json", f.file_name().unwrap().to_str().unwrap());
        let card: Value =
            serde_json::from_str(&std::fs::read_to_string(cards.join(&name)).unwrap()).unwrap();
        assert_eq!(card["ai"], "generated", "{name}");
        assert_eq!(card["verified"], true, "{name}");
        for lang in ["kk", "ru", "en"] {
            assert!(card["text"][lang]["title"].is_string(), "{name} {lang}");
        }
    }
}

#[test]
fn a_png_label_is_a_600_dpi_raster_whose_qr_code_reads_back_and_none_without_a_link() {
    use std::ops::Range;
    let sb = Sandbox::new();
    let labelled = sb.path("photo.jpg");
    assert_ok(&sb.label(&sb.copy_sample("sample.jpg"), &labelled, &[]));
    let png = sb.path("label.png");
    assert_ok(&disclose(&sb, &labelled, &png, &["--format", "png"]));
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(qr_in(&png), URL);
    // kk, ru, en: 600 × 276 units of the SVG label, 3 px a unit.
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .unwrap()
        .to_luma8();
    assert_eq!(img.dimensions(), (1800, 828));
    // Black ink in each line's band left of the QR code (baselines at
    // 120 px and every 108 px), white between the bands, and the QR
    // code's modules in its square (x 1230-1740, y 60-570) between them.
    let dark_in = |img: &image::GrayImage, rows: Range<u32>, cols: Range<u32>| {
        rows.flat_map(|y| cols.clone().map(move |x| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 64)
            .count()
    };
    for line in 0..6 {
        let base = 120 + 108 * line;
        assert!(
            dark_in(&img, base - 48..base, 60..1170) > 2000,
            "line {line}: no text"
        );
        assert_eq!(dark_in(&img, base + 20..base + 36, 60..1170), 0);
    }
    let gaps_in_the_qr_square = (0..4)
        .map(|line| 120 + 108 * line + 20)
        .map(|y| dark_in(&img, y..y + 16, 1230..1740))
        .sum::<usize>();
    assert!(gaps_in_the_qr_square > 2000, "{gaps_in_the_qr_square}");

    // Without --verify-url: no QR code, the same size, white where it was.
    let plain = sb.path("plain.png");
    assert_ok(&disclose_linking(
        &sb,
        &labelled,
        &plain,
        None,
        &["--format", "png"],
    ));
    // zbarimg exits 4 when it finds no symbol.
    let o = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&plain)
        .output()
        .expect("zbarimg (apt-get install zbar-tools)");
    assert_eq!(o.status.code(), Some(4), "zbarimg: {}", text(&o.stdout));
    assert!(o.stdout.is_empty(), "{}", text(&o.stdout));
    let img = image::open(&plain).unwrap().to_luma8();
    assert_eq!(img.dimensions(), (1800, 828));
    for line in 0..6 {
        let base = 120 + 108 * line;
        assert!(dark_in(&img, base - 48..base, 60..1740) > 2000);
        assert_eq!(dark_in(&img, base + 20..base + 36, 60..1740), 0);
    }
}
