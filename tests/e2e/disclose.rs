//! Disclosure cards for consumers (issue 21): made from a verified label
//! in kk/ru/en, opened in headless Chromium (no console errors, headings,
//! `lang`, contrast, JSON-LD), the QR code decoded back by zbarimg to the
//! link given; refused for an invalid label, and for an unlabelled file
//! without declared facts.

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
    let anchor = sb.anchor();
    let mut args = vec![
        "disclose",
        file.to_str().unwrap(),
        "--trust",
        anchor.to_str().unwrap(),
        "--verify-url",
        URL,
        "-o",
        out.to_str().unwrap(),
    ];
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

    // The packaging label: SVG, its QR code read back too.
    let svg = sb.path("label.svg");
    assert_ok(&disclose(
        &sb,
        &labelled,
        &svg,
        &["--format", "svg", "--lang", "kk,ru"],
    ));
    let (_, shot) = open(&svg, "disclose-label.png");
    assert_eq!(qr_in(&shot), URL);
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
