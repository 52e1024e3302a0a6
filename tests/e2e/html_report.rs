//! The gate's HTML report (issue 15 §8): in the policy's language (or
//! `--lang`), rejects first, grouped by reason with counts, no word broken
//! in the verdict column at 1280 px, and usable at 10,000 files. Checked in
//! headless Chromium; screenshots are kept in the test output folder.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::Value;

use crate::util::{root, text, Sandbox};

/// A small batch: two tampered files, one unreadable, one to fix, two to
/// publish.
fn batch(sb: &Sandbox) -> PathBuf {
    crate::util::gate_batch(sb, &["tampered-1.jpg", "tampered-2.jpg"])
}

fn check_html(sb: &Sandbox, dir: &Path, html: &Path, extra: &[&str]) {
    let anchor = sb.anchor();
    let mut args = vec![
        "check",
        "--trust",
        anchor.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.push(dir.to_str().unwrap());
    let o = sb.run(&args);
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        text(&o.stderr)
    );
}

/// Runs tests/browser/html_report.mjs on `html`; its JSON line.
fn open_in_chromium(html: &Path, shot: &str, lang: &str, rows: usize) -> Value {
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join(shot);
    let _ = std::fs::remove_file(&shot);
    let o = Command::new("node")
        .arg(root().join("tests/browser/html_report.mjs"))
        .arg(html)
        .arg(&shot)
        .arg(lang)
        .arg(rows.to_string())
        .output()
        .expect("node (installed by .ci/run, with tests/browser's playwright-core)");
    assert!(
        o.status.success(),
        "browser: {}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "screenshot at {}",
        shot.display()
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn the_report_speaks_the_policys_language_and_lists_rejects_first_by_reason() {
    let sb = Sandbox::new();
    let dir = batch(&sb);
    for (policy, extra, lang, reject_word) in [
        ("kz", None, "kk", "қабылданбады"),
        ("eu", None, "en", "reject"),
        ("kz", Some("ru"), "ru", "отклонить"),
    ] {
        let html = sb.path(&format!("{policy}-{lang}.html"));
        let mut args = vec!["--policy", policy];
        if let Some(l) = extra {
            args.extend(["--lang", l]);
        }
        check_html(&sb, &dir, &html, &args);
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(
            page.contains(&format!("<html lang=\"{lang}\">")),
            "{policy}/{lang}"
        );
        assert!(page.contains(reject_word), "{policy}/{lang}");
        // The two tampered files form one group of two, listed first.
        let first_group = page.find("<tr class=\"group\">").unwrap();
        let heading = &page[first_group..page[first_group..].find("</tr>").unwrap() + first_group];
        assert!(
            heading.contains(reject_word) && heading.ends_with(": 2</th>"),
            "{heading}"
        );
        let first_row = page.find("<tr><td>").unwrap();
        assert!(page[first_row..].find("tampered-") < page[first_row..].find("ok.jpg"));
        let shot = format!("html-report-{policy}-{lang}.png");
        let seen = open_in_chromium(&html, &shot, lang, 6);
        assert_eq!(seen["groups"][0]["verdict"], "reject", "{seen}");
        assert_eq!(seen["groups"][0]["count"], 2, "{seen}");
    }
    let bad = sb.run(&[
        "check",
        "--policy",
        "kz",
        "--lang",
        "zh",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("kk, ru, en"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn a_report_of_ten_thousand_files_loads_and_stays_usable() {
    let sb = Sandbox::new();
    let dir = sb.path("many");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..9_900 {
        std::fs::write(
            dir.join(format!("note-{i:05}.txt")),
            format!("plain words {i}\n"),
        )
        .unwrap();
    }
    for i in 0..100 {
        std::fs::write(
            dir.join(format!("broken-{i:03}.jpg")),
            b"\xFF\xD8\xFF\xE1\x00\x10Exif",
        )
        .unwrap();
    }
    let html = sb.path("many.html");
    check_html(&sb, &dir, &html, &["--policy", "eu"]);
    let size = std::fs::metadata(&html).unwrap().len();
    assert!(size < 20 << 20, "{size} bytes");
    let seen = open_in_chromium(&html, "html-report-10000.png", "en", 10_000);
    assert_eq!(seen["groups"][0]["verdict"], "reject", "{seen}");
    assert_eq!(seen["groups"][0]["count"], 100, "{seen}");
    let load = seen["loadMs"].as_u64().unwrap();
    // Generous for a shared CI machine; the figure is in the test output.
    assert!(load < 30_000, "loaded in {load} ms");
    eprintln!("10,000-file report: {size} bytes, loaded in {load} ms");
}
