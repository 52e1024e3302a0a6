//! The HTML report says in words what the registry recovered for a file
//! whose label was stripped (issue 17): no label in the file, a label for
//! its content in the registry, what it says about AI and who signed it,
//! and how it was found — in Kazakh, Russian and English, as `tamga
//! verify` says it on the terminal.

use std::path::Path;

use serde_json::Value;

use crate::{
    serve_registry::strip,
    util::{assert_ok, text, Sandbox},
};

/// `tamga check --registry URL --html` in `lang`: the page's row for the
/// file, and the file's entry in the `--json` report.
fn check(sb: &Sandbox, url: &str, lang: &str, file: &Path) -> (String, Value) {
    let html = sb.path(&format!("report-{lang}.html"));
    let anchor = sb.anchor();
    let o = sb.run(&[
        "check",
        "--json",
        "--policy",
        "kz",
        "--lang",
        lang,
        "--trust",
        anchor.to_str().unwrap(),
        "--registry",
        url,
        "--html",
        html.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&o.stdout), text(&o.stderr)));
    let page = std::fs::read_to_string(&html).unwrap();
    // The file's row: from its path cell to the end of the row.
    let name = file.file_name().unwrap().to_str().unwrap();
    let at = page
        .find(&format!("{name}</td>"))
        .unwrap_or_else(|| panic!("no row for {name}: {page}"));
    let row = &page[at..];
    let row = &row[..row.find("</tr>").unwrap()];
    (row.to_string(), json["files"][0].clone())
}

#[test]
fn the_html_report_words_a_recovered_label_in_every_language() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let photo = sb.copy_sample("sample.jpg");
    let labelled = sb.path("labelled.jpg");
    assert_ok(&sb.label(&photo, &labelled, &["--registry", &url]));
    let stripped = strip(&sb, &labelled, "stripped.jpg");

    let (row, entry) = check(&sb, &url, "en", &stripped);
    let found = &entry["verification"]["recovered"];
    let manifest = found["manifest"]
        .as_str()
        .unwrap_or_else(|| panic!("{entry:#}"));
    let distance = found["distance"].as_u64().unwrap();
    let org = found["signer"]["organisation"].as_str().unwrap();
    assert_eq!(entry["verdict"], "fix", "{entry:#}");
    for words in [
        "no label in the file; a label for this content was found in the registry: \
         made with AI (Test Model"
            .to_string(),
        format!(" by {org}; found by fingerprint, {distance} bits apart: {manifest} (trusted"),
        "content changed since signing".to_string(),
        // The AI disclosure column: the registry's label is the evidence.
        "<td>AI generated (evidence: registry), by Test Model".to_string(),
        format!("AI label stripped in transit: the file has none, but the registry holds one for this content ({manifest})"),
    ] {
        assert!(row.contains(&words), "{words:?} not in {row}");
    }
    assert!(!row.contains("no AI evidence"), "{row}");

    for (lang, words) in [
        (
            "kk",
            vec![
                "файлда белгі жоқ; тізілімде осы мазмұн үшін белгі табылды: ЖИ арқылы жасалған",
                "саусақ ізі (fingerprint) бойынша табылды",
                "<td>ЖИ generated (дәлел: тізілім)",
                "ЖИ белгісі жіберу кезінде жойылған: файлда ол жоқ, бірақ тізілімде осы мазмұн",
            ],
        ),
        (
            "ru",
            vec![
                "в файле метки нет; в реестре найдена метка для этого содержимого: создано с \
                 помощью ИИ",
                "найдена по отпечатку (fingerprint)",
                "<td>ИИ generated (доказательство: реестр)",
                "Метка ИИ удалена при передаче: в файле её нет, но реестр хранит её для этого",
            ],
        ),
    ] {
        let (row, _) = check(&sb, &url, lang, &stripped);
        for w in words {
            assert!(row.contains(w), "{lang}: {w:?} not in {row}");
        }
        assert!(row.contains(manifest), "{lang}: {row}");
        assert!(row.contains(&format!("{distance} бит")), "{lang}: {row}");
        // Nothing of the English sentence is left in a translated report.
        assert!(!row.contains("found in the registry"), "{lang}: {row}");
    }
}
