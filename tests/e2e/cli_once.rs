//! The command line defined once (issue 16 §5): `tamga label` and the
//! server's label route build the same request, completions and the man
//! page come from the clap definitions, `--version` names what tamga is
//! built on, and `keys show --json` is a versioned document.

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::{
    serve_http::{multipart, post, Server, TOKEN},
    util::{assert_ok, piped, sample, text, Sandbox},
};

/// The subcommands `tamga --help` lists, which completions and the man
/// page must all name.
const SUBCOMMANDS: [&str; 10] = [
    "keys",
    "label",
    "verify",
    "inspect",
    "check",
    "publish",
    "serve",
    "demo",
    "completions",
    "man",
];

/// The assertions of the file's active manifest that carry the
/// disclosure, by label, with the action's per-file parts (instance IDs,
/// times) left out.
fn disclosure_assertions(sb: &Sandbox, file: &Path) -> Value {
    let out = sb.run(&["inspect", "--json", file.to_str().unwrap()]);
    assert_ok(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let store = &doc["manifest_store"];
    let m = &store["manifests"][store["active_manifest"].as_str().unwrap()];
    let mut picked = serde_json::Map::new();
    for a in m["assertions"].as_array().unwrap() {
        let label = a["label"].as_str().unwrap();
        let data = &a["data"];
        let kept = match label {
            "org.tamga.ai-disclosure" | "cawg.training-mining" | "org.tamga.notice" => data.clone(),
            l if l.starts_with("c2pa.actions") => Value::Array(
                data["actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|act| {
                        serde_json::json!({
                            "action": act["action"],
                            "digitalSourceType": act["digitalSourceType"],
                            "softwareAgent": act["softwareAgent"],
                        })
                    })
                    .collect(),
            ),
            _ => continue,
        };
        picked.insert(label.to_string(), kept);
    }
    Value::Object(picked)
}

#[test]
fn cli_and_server_label_the_same_request_alike() {
    let sb = Sandbox::new();
    let input = sample("sample.png");
    // Every option both front ends take, away from its default.
    let options: [(&str, &str); 9] = [
        ("ai", "edited"),
        ("generator", "Model 2.1"),
        ("provider", "Example AI"),
        ("org", "Example Desk"),
        ("not_reviewed", "true"),
        ("profile", "eu"),
        ("notice_lang", "en,ru"),
        ("training_mining", "not-allowed"),
        ("notice", "true"),
    ];
    let mut flags: Vec<String> = Vec::new();
    for (k, v) in options {
        flags.push(format!("--{}", k.replace('_', "-")));
        if v != "true" {
            flags.push(v.to_string());
        }
    }
    let from_cli = sb.path("cli.png");
    let keys = sb.keys();
    let mut args = vec![
        "label",
        input.to_str().unwrap(),
        "-o",
        from_cli.to_str().unwrap(),
    ];
    args.extend(["--keys", keys.to_str().unwrap()]);
    args.extend(flags.iter().map(String::as_str));
    assert_ok(&sb.run(&args));

    let server = Server::start(&sb, "");
    let png = std::fs::read(&input).unwrap();
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = options
        .iter()
        .map(|(k, v)| (*k, None, v.as_bytes()))
        .collect();
    parts.push(("file", Some("sample.png"), &png));
    let (ct, body) = multipart(&parts);
    let auth = format!("\r\nAuthorization: Bearer {TOKEN}");
    let r = post(&server.addr, "/v1/label", &ct, &body, &auth);
    assert_eq!(r.status, 200, "{}", text(&r.body));
    let from_server = sb.path("server.png");
    std::fs::write(&from_server, &r.body).unwrap();

    let cli = disclosure_assertions(&sb, &from_cli);
    let served = disclosure_assertions(&sb, &from_server);
    // The options really arrived: a comparison of two empty sets proves nothing.
    let d = &cli["org.tamga.ai-disclosure"];
    assert_eq!(d["ai"], "edited", "{cli:#}");
    assert_eq!(d["organisation"], "Example Desk", "{cli:#}");
    assert_eq!(d["humanReview"]["reviewed"], false, "{cli:#}");
    assert!(cli.get("cawg.training-mining").is_some(), "{cli:#}");
    assert!(cli.get("org.tamga.notice").is_some(), "{cli:#}");
    assert_eq!(cli, served, "the CLI and the server disclose differently");
}

/// Runs `tamga ARGS` with `stdin` fed in, for tools reading a pipe.
fn pipe(program: &str, args: &[&str], stdin: &[u8]) -> std::process::Output {
    piped(Command::new(program).args(args), stdin)
}

#[test]
fn completions_parse_and_name_every_subcommand() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = sb.run(&["completions", shell]);
        assert_ok(&out);
        let script = text(&out.stdout);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let bash = sb.run(&["completions", "bash"]).stdout;
    // `--ai`'s words come from the library's values, and are offered.
    assert!(text(&bash).contains("generated edited composite algorithmic"));
    let checked = pipe("bash", &["-n"], &bash);
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    // And the script works: sourced, it completes `tamga la` to `label`.
    let probe = format!(
        "{}\nCOMP_WORDS=(tamga la); COMP_CWORD=1; COMP_LINE='tamga la'; COMP_POINT=8\n\
         _tamga tamga la tamga; printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        text(&bash)
    );
    let ran = pipe("bash", &[], probe.as_bytes());
    assert!(
        text(&ran.stdout).lines().any(|l| l == "label"),
        "{}{}",
        text(&ran.stdout),
        text(&ran.stderr)
    );
    assert_eq!(sb.run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_man_page_renders_with_every_subcommand() {
    let sb = Sandbox::new();
    let out = sb.run(&["man"]);
    assert_ok(&out);
    let roff = out.stdout;
    assert!(text(&roff).starts_with(".ie") || text(&roff).contains(".TH tamga"));
    let rendered = pipe(
        "groff",
        &["-k", "-man", "-Tutf8", "-ww", "-rLL=200n"],
        &roff,
    );
    assert!(rendered.status.success(), "{}", text(&rendered.stderr));
    assert!(
        rendered.stderr.is_empty(),
        "groff warns: {}",
        text(&rendered.stderr)
    );
    // groff's terminal output emboldens by overstriking; strip that.
    let page = text(&rendered.stdout);
    let plain: String = {
        let mut s = String::new();
        for c in page.chars() {
            if c == '\u{8}' {
                s.pop();
            } else {
                s.push(c);
            }
        }
        s
    };
    for sub in SUBCOMMANDS {
        assert!(
            plain.contains(&format!("TAMGA {}", sub.to_uppercase())),
            "no section for {sub}:\n{plain}"
        );
    }
    // The subcommands' own flags are in it too, not just their names.
    assert!(plain.contains("--training-mining"), "{plain}");
    assert!(plain.contains("--notice-position"), "{plain}");
}

#[test]
fn version_names_c2pa_and_the_run_time_pieces() {
    let sb = Sandbox::new();
    let out = sb.run(&["--version"]);
    assert_ok(&out);
    let v = text(&out.stdout);
    let first = v.lines().next().unwrap();
    assert!(first.starts_with("tamga 0."), "{v}");
    // The c2pa version is the one in the lock file, not a stale literal.
    let lock = std::fs::read_to_string(crate::util::root().join("Cargo.lock")).unwrap();
    let c2pa = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"c2pa\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"'))
        .unwrap();
    assert!(first.contains(&format!("c2pa {c2pa}")), "{v}");
    for piece in [
        "libheif",
        "HEIC/AVIF",
        "ffmpeg",
        "M4A",
        "cjxl",
        "JPEG XL",
        "run time",
    ] {
        assert!(v.contains(piece), "--version does not name {piece}: {v}");
    }
    let short = text(&sb.run(&["-V"]).stdout);
    assert_eq!(short.trim(), first);
}

#[test]
fn version_does_not_load_libheif() {
    // A libheif that cannot load would fail anything that loads it; a
    // --version that loads it would fail or slow down with it.
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .arg("--version")
        .env("TAMGA_LIBHEIF", "/nonexistent/libheif.so.1")
        .env("LD_DEBUG", "libs")
        .output()
        .unwrap();
    assert_ok(&out);
    let loader = text(&out.stderr);
    assert!(
        !loader.contains("libheif"),
        "--version loaded libheif: {loader}"
    );
}

#[test]
fn keys_show_json_is_versioned_and_has_no_private_key() {
    let sb = Sandbox::new();
    let keys = sb.keys();
    let out = sb.run(&["keys", "show", "--keys", keys.to_str().unwrap(), "--json"]);
    assert_ok(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "tamga.keys/1", "{doc:#}");
    assert_eq!(doc["organisation"], "Tamga Test Newsroom", "{doc:#}");
    assert_eq!(doc["algorithm"], "ed25519", "{doc:#}");
    assert_eq!(doc["expired"], false);
    assert!(doc["days_left"].as_i64().unwrap() > 300, "{doc:#}");
    assert!(doc["not_after"].as_str().unwrap().len() >= 10);
    assert_eq!(doc["key_matches_certificate"], true);
    let raw = text(&out.stdout);
    let key = std::fs::read_to_string(keys.join("signing.key")).unwrap();
    let body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(!raw.contains("PRIVATE") && !raw.contains(&body[..40.min(body.len())]));
    // The text form is unchanged.
    let plain = sb.run(&["keys", "show", "--keys", keys.to_str().unwrap()]);
    assert!(text(&plain.stdout).starts_with("organisation  "));
}
