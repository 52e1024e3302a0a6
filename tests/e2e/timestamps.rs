//! Labels that outlive their certificate: RFC 3161 time-stamps from a real
//! authority on 127.0.0.1 ([`crate::tsa`]), verified with the clock moved
//! past the signing certificate's expiry (`tamga keys init` certificates
//! last 365 days; the tests look 730 days ahead).

use serde_json::Value;

use crate::{
    serve_http::{post, Server, TOKEN},
    tsa::{bundle, python_later, tamga_later, Authority},
    util::{assert_ok, codes, sample, text, Sandbox},
};

const LATER: u32 = 730;

/// `tamga verify --json` with the clock `days` ahead (0: now).
fn verify_at(sb: &Sandbox, days: u32, file: &std::path::Path, trust: &std::path::Path) -> Value {
    let args = [
        "verify",
        "--json",
        file.to_str().unwrap(),
        "--trust",
        trust.to_str().unwrap(),
    ];
    let out = if days == 0 {
        sb.run(&args)
    } else {
        tamga_later(sb, days, &args)
    };
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    doc["files"][0].clone()
}

/// The signer's anchor and the authority's root together.
fn both(sb: &Sandbox, tsa: &Authority) -> std::path::PathBuf {
    bundle(&sb.path("both.pem"), &[&sb.anchor(), &tsa.root])
}

#[test]
fn a_time_stamped_label_stays_trusted_after_the_certificate_expires() {
    let sb = Sandbox::new();
    let tsa = Authority::start();
    let out = sb.path("stamped.jpg");
    assert_ok(&sb.label(&sample("sample.jpg"), &out, &["--tsa", &tsa.url]));
    let trust = both(&sb, &tsa);
    for days in [0, LATER] {
        let v = verify_at(&sb, days, &out, &trust);
        assert_eq!(v["verdict"], "trusted", "+{days}d: {v:#}");
        assert_eq!(v["time_stamp"]["code"], "timeStamp.trusted", "{v:#}");
        assert_eq!(v["time_stamp"]["trusted"], true, "{v:#}");
        assert!(v["time_stamp"]["time"].as_str().is_some(), "{v:#}");
        assert!(v.get("detail").is_none(), "{v:#}");
    }
    let plain = sb.run(&[
        "verify",
        out.to_str().unwrap(),
        "--trust",
        trust.to_str().unwrap(),
    ]);
    let said = text(&plain.stdout);
    assert!(
        said.contains("by an authority on your trust list (timeStamp.trusted)"),
        "{said}"
    );
    // The reference SDK agrees, with the clock moved too.
    let py = python_later(&sb, LATER, &out, "image/jpeg", &trust);
    assert_eq!(py["validation_state"], "Trusted", "{py}");
    assert!(py["successes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "timeStamp.trusted"));
}

#[test]
fn a_time_stamp_fits_in_every_format_that_is_signed() {
    let sb = Sandbox::new();
    let tsa = Authority::start();
    let trust = both(&sb, &tsa);
    for name in [
        "sample.jpg",
        "sample.png",
        "sample.webp",
        "sample.gif",
        "sample.tif",
        "sample.svg",
        "sample.jxl",
        "sample.heic",
        "sample.wav",
        "sample.mp3",
        "sample.flac",
        "sample.m4a",
        "text/en.md",
        "text/ru.txt",
    ] {
        let file = name.rsplit('/').next().unwrap();
        let out = sb.path(&format!("stamped-{file}"));
        let plain = sb.path(&format!("plain-{file}"));
        assert_ok(&sb.label(&sample(name), &out, &["--tsa", &tsa.url]));
        assert_ok(&sb.label(&sample(name), &plain, &[]));
        let v = verify_at(&sb, LATER, &out, &trust);
        assert_eq!(v["verdict"], "trusted", "{name}: {v:#}");
        assert_eq!(v["time_stamp"]["trusted"], true, "{name}: {v:#}");
        let size = |p: &std::path::Path| std::fs::metadata(p).unwrap().len();
        let grown = size(&out) - size(&plain);
        eprintln!(
            "{name}: {} bytes without a time-stamp, {} with",
            size(&plain),
            size(&out)
        );
        // The room reserved is one real token plus slack, not c2pa's 10 KB
        // (which in text costs 40 KB of invisible characters).
        if name.starts_with("text/") {
            assert!(grown < 16_000, "{name}: a time-stamp added {grown} bytes");
        }
    }
}

#[test]
fn a_time_stamp_from_an_authority_not_on_the_trust_list_is_reported() {
    let sb = Sandbox::new();
    let tsa = Authority::start();
    let out = sb.path("stamped.png");
    assert_ok(&sb.label(&sample("sample.png"), &out, &["--tsa", &tsa.url]));
    // Only the signer's anchor: the signer is trusted, its time-stamp is not.
    let anchor = sb.anchor();
    let v = verify_at(&sb, 0, &out, &anchor);
    assert_eq!(v["verdict"], "trusted", "{v:#}");
    assert_eq!(v["time_stamp"]["code"], "timeStamp.untrusted", "{v:#}");
    assert_eq!(v["time_stamp"]["trusted"], false, "{v:#}");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("time-stamp is from an authority not on your trust list"),
        "{warnings}"
    );
    // Once the certificate expires, that time-stamp proves nothing.
    let v = verify_at(&sb, LATER, &out, &anchor);
    assert_eq!(v["verdict"], "invalid", "{v:#}");
    assert_eq!(v["detail"], "expired-without-timestamp", "{v:#}");
    let reason = v["reason"].as_str().unwrap();
    assert!(reason.contains("not on your trust list"), "{reason}");
    // c2pa-python: validated but not trusted, and so expired.
    let py = python_later(&sb, LATER, &out, "image/png", &anchor);
    assert_eq!(py["validation_state"], "Invalid", "{py}");
    let successes = py["successes"].to_string();
    assert!(successes.contains("timeStamp.validated"), "{py}");
    assert!(!successes.contains("timeStamp.trusted"), "{py}");
}

#[test]
fn an_expired_label_without_a_time_stamp_says_so_and_is_not_called_tampered() {
    let sb = Sandbox::new();
    let out = sb.path("plain.jpg");
    assert_ok(&sb.label(&sample("sample.jpg"), &out, &["--notice"]));
    let anchor = sb.anchor();
    let expiry = {
        let show = sb.run(&["keys", "show", "--keys", sb.keys().to_str().unwrap()]);
        assert_ok(&show);
        let line = text(&show.stdout)
            .lines()
            .find(|l| l.starts_with("valid until"))
            .unwrap()
            .to_string();
        line.split_whitespace().nth(2).unwrap().to_string()
    };
    let v = verify_at(&sb, LATER, &out, &anchor);
    assert_eq!(v["verdict"], "invalid", "{v:#}");
    assert_eq!(v["detail"], "expired-without-timestamp", "{v:#}");
    assert!(codes(&v).contains(&"signingCredential.expired".to_string()));
    assert_eq!(
        v["reason"],
        format!(
            "the signer's certificate expired on {expiry} and the label has no trusted \
             time-stamp, so it cannot be shown that it was signed while the certificate was valid"
        )
    );
    let plain = tamga_later(
        &sb,
        LATER,
        &[
            "verify",
            out.to_str().unwrap(),
            "--trust",
            anchor.to_str().unwrap(),
        ],
    );
    assert!(
        !text(&plain.stdout).contains("had expired when"),
        "{}",
        text(&plain.stdout)
    );
    // The presets: not "broken"; an unvouched signer where trust is required.
    for (policy, verdict, rule) in [
        ("kz", "reject", "trust"),
        ("eu", "reject", "trust"),
        ("cn", "publish", "label"),
    ] {
        let o = tamga_later(
            &sb,
            LATER,
            &[
                "check",
                "--json",
                "--policy",
                policy,
                "--trust",
                anchor.to_str().unwrap(),
                out.to_str().unwrap(),
            ],
        );
        let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
        let f = &doc["files"][0];
        assert_eq!(f["verdict"], verdict, "{policy}: {f:#}");
        assert_eq!(f["reasons"][0]["rule"], rule, "{policy}: {f:#}");
        assert!(
            !f["reasons"].to_string().contains("broken"),
            "{policy}: {f:#}"
        );
    }
    // c2pa-python reads the same file the same way: Invalid, expired.
    let py = python_later(&sb, LATER, &out, "image/jpeg", &anchor);
    assert_eq!(py["validation_state"], "Invalid", "{py}");
    assert!(
        py["failures"]
            .to_string()
            .contains("signingCredential.expired"),
        "{py}"
    );
}

#[test]
fn the_authority_comes_from_the_flag_the_environment_or_the_config_file() {
    let sb = Sandbox::new();
    let tsa = Authority::start();
    let trust = both(&sb, &tsa);
    let keys = sb.keys();
    let input = sample("sample.png");
    let label = |out: &str, env: Option<&str>, config: Option<&std::path::Path>| {
        let out = sb.path(out);
        let mut c = sb.cmd();
        c.args([
            "label",
            input.to_str().unwrap(),
            "--ai",
            "generated",
            "--keys",
        ])
        .arg(&keys)
        .arg("-o")
        .arg(&out);
        if let Some(url) = env {
            c.env("TAMGA_TSA", url);
        }
        if let Some(cfg) = config {
            c.arg("--config").arg(cfg);
        }
        let o = c.output().unwrap();
        assert_ok(&o);
        (out, text(&o.stderr))
    };
    let (env_out, env_err) = label("env.png", Some(&tsa.url), None);
    let cfg = sb.path("tamga.toml");
    std::fs::write(&cfg, format!("[label]\ntsa = \"{}\"\n", tsa.url)).unwrap();
    let (cfg_out, cfg_err) = label("cfg.png", None, Some(&cfg));
    for (out, err) in [(env_out, env_err), (cfg_out, cfg_err)] {
        let v = verify_at(&sb, 0, &out, &trust);
        assert_eq!(v["time_stamp"]["trusted"], true, "{v:#}");
        assert!(!err.contains("no time-stamp authority"), "{err}");
    }
    // Without one, a batch is told once, not once per file.
    let dir = sb.path("batch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(sample("sample.png"), dir.join("a.png")).unwrap();
    std::fs::copy(sample("sample.jpg"), dir.join("b.jpg")).unwrap();
    let o = sb.run(&[
        "label",
        dir.to_str().unwrap(),
        "--ai",
        "generated",
        "--keys",
        keys.to_str().unwrap(),
        "-o",
        sb.path("batch-out").to_str().unwrap(),
    ]);
    assert_ok(&o);
    assert_eq!(
        text(&o.stderr)
            .matches("no time-stamp authority configured")
            .count(),
        1,
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn an_unreachable_authority_fails_the_label_and_names_it() {
    let sb = Sandbox::new();
    // Nothing listens on a port just released.
    let url = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/tsa", l.local_addr().unwrap())
    };
    let out = sb.path("never.jpg");
    let o = sb.label(&sample("sample.jpg"), &out, &["--tsa", &url, "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(!out.exists());
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["failed"][0]["kind"], "time-stamp", "{doc:#}");
    assert!(
        doc["failed"][0]["error"].as_str().unwrap().contains(&url),
        "{doc:#}"
    );
}

#[test]
fn label_and_keys_show_warn_before_the_certificate_expires() {
    let sb = Sandbox::new();
    let keys = sb.keys();
    let show = sb.run(&["keys", "show", "--keys", keys.to_str().unwrap()]);
    assert!(
        text(&show.stdout).contains("days left)"),
        "{}",
        text(&show.stdout)
    );
    // 340 days on, a 365-day certificate has 24 or 25 days left.
    let o = tamga_later(
        &sb,
        340,
        &[
            "label",
            sample("sample.png").to_str().unwrap(),
            "--ai",
            "generated",
            "--keys",
            keys.to_str().unwrap(),
            "-o",
            sb.path("late.png").to_str().unwrap(),
        ],
    );
    assert_ok(&o);
    let err = text(&o.stderr);
    assert!(
        err.contains("warning: the signing certificate expires on"),
        "{err}"
    );
    assert!(
        err.contains("in 24 days") || err.contains("in 25 days"),
        "{err}"
    );
    let o = sb.label(&sample("sample.png"), &sb.path("now.png"), &[]);
    assert!(!text(&o.stderr).contains("warning: the signing certificate expires"));
}

#[test]
fn a_publication_stamp_is_time_stamped_too() {
    let sb = Sandbox::new();
    let tsa = Authority::start();
    let inbox = sb.path("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    assert_ok(&sb.label(&sample("sample.png"), &inbox.join("a.png"), &["--notice"]));
    let anchor = sb.anchor();
    let out = sb.path("published");
    let o = sb.run(&[
        "publish",
        "--policy",
        "cn",
        "--trust",
        anchor.to_str().unwrap(),
        "--keys",
        sb.keys().to_str().unwrap(),
        "--tsa",
        &tsa.url,
        "-o",
        out.to_str().unwrap(),
        inbox.to_str().unwrap(),
    ]);
    assert_ok(&o);
    let v = verify_at(&sb, 0, &out.join("a.png"), &both(&sb, &tsa));
    assert_eq!(v["time_stamp"]["trusted"], true, "{v:#}");
}

#[test]
fn the_server_time_stamps_labels_and_answers_502_when_the_authority_fails() {
    let sb = Sandbox::new();
    let tsa = Authority::start();
    let png = std::fs::read(sample("sample.png")).unwrap();
    let auth = format!("\r\nAuthorization: Bearer {TOKEN}");
    let server = Server::start_with_env(&sb, "", &[("TAMGA_TSA", &tsa.url)]);
    let r = post(
        &server.addr,
        "/v1/label?ai=generated",
        "image/png",
        &png,
        &auth,
    );
    assert_eq!(r.status, 200, "{}", text(&r.body));
    let out = sb.path("served.png");
    std::fs::write(&out, &r.body).unwrap();
    let v = verify_at(&sb, LATER, &out, &both(&sb, &tsa));
    assert_eq!(v["verdict"], "trusted", "{v:#}");
    assert_eq!(v["time_stamp"]["trusted"], true, "{v:#}");
    drop(server);

    let down = Server::start_with_env(&sb, "", &[("TAMGA_TSA", "http://127.0.0.1:1/tsa")]);
    let r = post(
        &down.addr,
        "/v1/label?ai=generated",
        "image/png",
        &png,
        &auth,
    );
    assert_eq!(r.status, 502, "{}", text(&r.body));
    assert_eq!(r.json()["kind"], "time-stamp", "{}", text(&r.body));
}

/// The server measures the authority's token size once, not before every
/// label: two labels cost one probe and two tokens, and both carry a
/// trusted time-stamp (the shared size still fits each real token).
#[test]
fn the_server_probes_the_authority_once_for_many_labels() {
    let sb = Sandbox::new();
    let tsa = Authority::start();
    let png = std::fs::read(sample("sample.png")).unwrap();
    let jpg = std::fs::read(sample("sample.jpg")).unwrap();
    let auth = format!("\r\nAuthorization: Bearer {TOKEN}");
    let server = Server::start_with_env(&sb, "", &[("TAMGA_TSA", &tsa.url)]);
    let trust = both(&sb, &tsa);
    for (i, (mime, body)) in [("image/png", &png), ("image/jpeg", &jpg)]
        .into_iter()
        .enumerate()
    {
        let r = post(&server.addr, "/v1/label?ai=generated", mime, body, &auth);
        assert_eq!(r.status, 200, "{}", text(&r.body));
        assert_eq!(
            tsa.hits(),
            2 + i,
            "label {i}: one probe, then one token per label"
        );
        let out = sb.path(&format!(
            "served-{i}.{}",
            if i == 0 { "png" } else { "jpg" }
        ));
        std::fs::write(&out, &r.body).unwrap();
        let v = verify_at(&sb, LATER, &out, &trust);
        assert_eq!(v["verdict"], "trusted", "{v:#}");
        assert_eq!(v["time_stamp"]["trusted"], true, "{v:#}");
    }
    assert_eq!(tsa.hits(), 3);
}

/// The page's card for `file` in each language, from headless Chromium.
fn page_card(server: &Server, file: &std::path::Path) -> Value {
    let o = std::process::Command::new("node")
        .arg(crate::util::root().join("tests/browser/serve_time_stamp.mjs"))
        .arg(server.url("/"))
        .arg(file)
        .output()
        .expect("node (installed by .ci/run, with tests/browser's playwright-core)");
    assert!(
        o.status.success(),
        "browser: {}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The server's JSON and its page show a label's time-stamp (when, and
/// whether its authority is trusted) and the verdict detail of a label
/// whose certificate expired without one, in the reader's language. The
/// server runs two years ahead under libfaketime (as `faketime` does).
#[test]
fn the_server_and_its_page_show_the_time_stamp_and_the_verdict_detail() {
    let sb = Sandbox::new();
    let tsa = Authority::start();
    let stamped = sb.path("stamped.jpg");
    let plain = sb.path("plain.jpg");
    assert_ok(&sb.label(&sample("sample.jpg"), &stamped, &["--tsa", &tsa.url]));
    assert_ok(&sb.label(&sample("sample.jpg"), &plain, &[]));
    let trust = both(&sb, &tsa);
    let preload = std::fs::read_dir("/usr/lib")
        .unwrap()
        .flatten()
        .map(|d| d.path().join("faketime/libfaketime.so.1"))
        .find(|p| p.is_file())
        .expect("libfaketime (apt-get install faketime; .ci/run does)");
    // Verifying only: the server refuses to sign with an expired key.
    let server = Server::start_config(
        &sb,
        &format!(
            "[server]\nlisten = \"127.0.0.1:0\"\n[trust]\nanchors = \"{}\"\n",
            trust.display()
        ),
        &[
            ("LD_PRELOAD", preload.to_str().unwrap()),
            ("FAKETIME", &format!("+{LATER}d")),
            ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
        ],
    );
    let verify = |file: &std::path::Path| {
        let r = post(
            &server.addr,
            "/v1/verify",
            "image/jpeg",
            &std::fs::read(file).unwrap(),
            "",
        );
        assert_eq!(r.status, 200, "{}", text(&r.body));
        r.json()["files"][0].clone()
    };
    let s = verify(&stamped);
    assert_eq!(s["verdict"], "trusted", "{s:#}");
    assert_eq!(s["time_stamp"]["code"], "timeStamp.trusted", "{s:#}");
    let time = s["time_stamp"]["time"].as_str().unwrap().to_string();
    let p = verify(&plain);
    assert_eq!(p["detail"], "expired-without-timestamp", "{p:#}");
    assert!(p.get("time_stamp").is_none(), "{p:#}");

    let card = page_card(&server, &stamped);
    for (lang, label, whose) in [
        (
            "kk",
            "Уақыт белгісі",
            "сенімді уақыт белгісі қызметі берген",
        ),
        ("ru", "Метка времени", "от доверенной службы меток времени"),
        ("en", "Time-stamp", "from a trusted time-stamp authority"),
    ] {
        let c = card[lang].as_str().unwrap();
        assert!(
            c.contains(label) && c.contains(&format!("{time} · {whose}")),
            "{lang}: {c}"
        );
    }
    let card = page_card(&server, &plain);
    for (lang, label, detail) in [
        (
            "kk",
            "Ескертпе",
            "Сертификаттың қолданылу мерзімі аяқталған",
        ),
        ("ru", "Уточнение", "Срок действия сертификата истёк"),
        (
            "en",
            "Note",
            "The certificate has expired and there is no trusted time-stamp",
        ),
    ] {
        let c = card[lang].as_str().unwrap();
        assert!(c.contains(label) && c.contains(detail), "{lang}: {c}");
    }
}
