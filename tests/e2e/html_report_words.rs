//! The HTML report words its reasons, and each label's time-stamp and
//! verdict detail, in its own language (issue 15 §1, §8): a Kazakh or
//! Russian report shows no English reason sentence, while `--json` keeps
//! the English messages and stable codes.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{
    tsa::{bundle, tamga_later, Authority},
    util::{assert_ok, sample, text, Sandbox},
};

/// Every kind of reason the gate gives a plain batch: broken, a notice to
/// add, labelled, no AI evidence, unreadable.
fn batch(sb: &Sandbox) -> PathBuf {
    crate::util::gate_batch(sb, &["tampered.jpg"])
}

/// `tamga check` (with the clock `days` ahead when not 0) writing the HTML
/// report in `lang`; the page and the `--json` report.
fn check(sb: &Sandbox, days: u32, trust: &Path, lang: &str, dir: &Path) -> (String, Value) {
    let html = sb.path(&format!("report-{lang}-{days}.html"));
    let args = [
        "check",
        "--json",
        "--policy",
        "kz",
        "--lang",
        lang,
        "--trust",
        trust.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        dir.to_str().unwrap(),
    ];
    let o = if days == 0 {
        sb.run(&args)
    } else {
        tamga_later(sb, days, &args)
    };
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        text(&o.stderr)
    );
    let json = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&o.stdout), text(&o.stderr)));
    (std::fs::read_to_string(&html).unwrap(), json)
}

/// `s` as the report escapes it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
}

/// Every reason message in the JSON report, by rule.
fn messages(json: &Value) -> Vec<(String, String)> {
    json["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["reasons"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn kazakh_and_russian_reports_word_every_reason_in_their_language() {
    let sb = Sandbox::new();
    let dir = batch(&sb);
    let anchor = sb.anchor();
    let (en, en_json) = check(&sb, 0, &anchor, "en", &dir);
    let english = messages(&en_json);
    // The English report and the JSON keep the English sentences.
    for (_, m) in &english {
        assert!(en.contains(&esc(m)), "en report lacks {m:?}");
    }
    assert!(
        english.iter().any(|(r, _)| r == "intact")
            && english.iter().any(|(r, _)| r == "notice")
            && english.iter().any(|(r, _)| r == "label")
            && english.iter().any(|(r, _)| r == "unlabelled"),
        "{english:?}"
    );
    for (lang, expected) in [
        (
            "kk",
            [
                "C2PA белгісі бүлінген: файл қол қойылғаннан кейін өзгертілген",
                "ЖИ контентінің белгісінде көрінетін ескерту жазылмаған",
                "ЖИ контенті (дәлел: c2pa), белгіленген және көрінетін ескертуі бар",
                "ЖИ дәлелі де, белгі де жоқ",
                "Файлды оқу мүмкін болмады: ",
            ],
        ),
        (
            "ru",
            [
                "Метка C2PA повреждена: файл изменён после подписания",
                "В метке ИИ-контента не записано видимое предупреждение",
                "ИИ-контент (доказательство: c2pa), помечен и снабжён видимым предупреждением",
                "Нет ни признаков ИИ, ни метки",
                "Файл не удалось прочитать: ",
            ],
        ),
    ] {
        let (page, json) = check(&sb, 0, &anchor, lang, &dir);
        for want in expected {
            assert!(page.contains(&esc(want)), "{lang} report lacks {want:?}");
        }
        // JSON stays English whatever the report's language.
        assert_eq!(messages(&json), english, "{lang}");
        // No English reason sentence is left, except the reader's own
        // error inside the unreadable file's translated reason.
        for (rule, m) in &english {
            if rule != "readable" {
                assert!(!page.contains(&esc(m)), "{lang} report still says {m:?}");
            }
        }
        for fragment in [
            "the C2PA label is broken",
            "perceivable notice",
            "no AI evidence",
        ] {
            assert!(
                !page.contains(fragment),
                "{lang} report still says {fragment:?}"
            );
        }
    }
}

#[test]
fn the_report_shows_each_labels_time_stamp_and_verdict_detail_in_its_language() {
    let sb = Sandbox::new();
    let tsa = Authority::start();
    let dir = sb.path("stamped");
    std::fs::create_dir_all(&dir).unwrap();
    assert_ok(&sb.label(
        &sample("sample.jpg"),
        &dir.join("stamped.jpg"),
        &["--notice", "--tsa", &tsa.url],
    ));
    assert_ok(&sb.label(&sample("sample.jpg"), &dir.join("plain.jpg"), &["--notice"]));
    let trust = bundle(&sb.path("both.pem"), &[&sb.anchor(), &tsa.root]);
    // Two years on: the stamped label outlives its certificate, the
    // other is intact but expired without a time-stamp.
    let later = 730;
    for (lang, stamp, detail, expired) in [
        (
            "kk",
            "уақыт белгісі",
            "сертификаттың мерзімі өткен, сенімді уақыт белгісі жоқ",
            "қол қоюшы сертификатының қолданылу мерзімі",
        ),
        (
            "ru",
            "метка времени",
            "срок сертификата истёк, доверенной метки времени нет",
            "срок действия сертификата подписанта истёк",
        ),
        (
            "en",
            "time-stamped",
            "certificate expired, no trusted time-stamp",
            "expired on",
        ),
    ] {
        let (page, json) = check(&sb, later, &trust, lang, &dir);
        let files = json["files"].as_array().unwrap();
        let stamped = files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with("stamped.jpg"))
            .unwrap();
        let ts = &stamped["verification"]["time_stamp"];
        assert_eq!(ts["code"], "timeStamp.trusted", "{stamped:#}");
        let time = ts["time"].as_str().expect("the time-stamp's time");
        // The row of each file.
        let row = |name: &str| {
            let at = page.find(&format!("{name}</td>")).unwrap();
            page[at..at + page[at..].find("</tr>").unwrap()].to_string()
        };
        let s = row("stamped.jpg");
        assert!(
            s.contains(&format!("{stamp} {time}")) && s.contains("(timeStamp.trusted)"),
            "{lang}: {s}"
        );
        let p = row("plain.jpg");
        assert!(
            p.contains(&esc(detail)) && p.contains("(expired-without-timestamp)"),
            "{lang}: {p}"
        );
        assert!(p.contains(expired), "{lang}: {p}");
        assert!(!p.contains("timeStamp."), "{lang}: {p}");
        if lang != "en" {
            assert!(!p.contains("has no trusted time-stamp"), "{lang}: {p}");
        }
    }
}
