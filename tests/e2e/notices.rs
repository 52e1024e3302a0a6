//! Perceivable notices (issue 4): what exists so far is the text line.
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
    let out = sb.path("x.jpg");
    let o = sb.label(&sb.copy_sample("sample.jpg"), &out, &["--notice"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("badge notice cannot be added to jpeg"),
        "{}",
        text(&o.stdout)
    );
    assert!(!out.exists());
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
