//! `tamga keys`: what it creates, file modes, and refusing bad identities.

use std::path::Path;

use crate::util::{assert_ok, text, Sandbox};

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_writes_private_keys_0600_and_names_the_trust_anchor() {
    let sb = Sandbox::new();
    let dir = sb.path("k");
    let out = sb.run(&[
        "keys",
        "init",
        "--org",
        "Qazaq News",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("trust-anchor.pem"), "{stdout}");
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir.join("signing.key")), 0o600);
        assert_eq!(mode(&dir.join("root-ca.key")), 0o600);
    }
    let key = std::fs::read_to_string(dir.join("signing.key")).unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"));
    // The key never appears in output.
    let body: String = key.lines().nth(1).unwrap().to_string();
    assert!(!stdout.contains(&body) && !text(&out.stderr).contains(&body));

    let again = sb.run(&[
        "keys",
        "init",
        "--org",
        "Qazaq News",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("refusing to overwrite"));
}

#[test]
fn default_key_dir_is_under_xdg_config_home() {
    let sb = Sandbox::new();
    assert_ok(&sb.run(&["keys", "init", "--org", "Default Org"]));
    assert!(sb.path("config/tamga/keys/signing.key").exists());
    let input = sb.copy_sample("sample.jpg");
    let out = sb.run(&[
        "label",
        input.to_str().unwrap(),
        "--ai",
        "generated",
        "-o",
        sb.path("o.jpg").to_str().unwrap(),
    ]);
    assert_ok(&out);
    let show = sb.run(&["keys", "show"]);
    assert_ok(&show);
    assert!(text(&show.stdout).contains("Default Org"));
}

#[test]
fn encrypted_keys_need_the_right_password() {
    let sb = Sandbox::new();
    let dir = sb.path("enc");
    let out = sb
        .cmd()
        .args([
            "keys",
            "init",
            "--org",
            "Enc Org",
            "--encrypt",
            "--dir",
            dir.to_str().unwrap(),
        ])
        .env("TAMGA_KEY_PASSWORD", "correct horse")
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(std::fs::read_to_string(dir.join("signing.key"))
        .unwrap()
        .contains("ENCRYPTED PRIVATE KEY"));
    let input = sb.copy_sample("sample.png");
    let target = sb.path("o.png");
    let label = |pw: Option<&str>| {
        let mut c = sb.cmd();
        c.args([
            "label",
            input.to_str().unwrap(),
            "--ai",
            "generated",
            "--keys",
            dir.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ]);
        if let Some(pw) = pw {
            c.env("TAMGA_KEY_PASSWORD", pw);
        }
        c.output().unwrap()
    };
    let none = label(None);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        text(&none.stderr).contains("encrypted"),
        "{}",
        text(&none.stderr)
    );
    let wrong = label(Some("wrong"));
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        text(&wrong.stderr).contains("wrong password"),
        "{}",
        text(&wrong.stderr)
    );
    assert!(!target.exists());
    assert_ok(&label(Some("correct horse")));
    assert!(target.exists());
}

#[test]
fn mismatched_key_and_missing_keys_are_one_line_errors() {
    let sb = Sandbox::new();
    let a = sb.path("a");
    let b = sb.path("b");
    assert_ok(&sb.run(&["keys", "init", "--org", "A", "--dir", a.to_str().unwrap()]));
    assert_ok(&sb.run(&["keys", "init", "--org", "B", "--dir", b.to_str().unwrap()]));
    let input = sb.copy_sample("sample.jpg");
    let target = sb.path("o.jpg");
    let out = sb.run(&[
        "label",
        input.to_str().unwrap(),
        "--ai",
        "generated",
        "--cert",
        a.join("signing-chain.pem").to_str().unwrap(),
        "--key",
        b.join("signing.key").to_str().unwrap(),
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("does not match the certificate") && err.lines().count() == 1,
        "{err}"
    );
    assert!(!target.exists());

    let out = sb.run(&[
        "label",
        input.to_str().unwrap(),
        "--ai",
        "generated",
        "--keys",
        sb.path("nowhere").to_str().unwrap(),
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no signing keys here"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn certificates_c2pa_would_reject_are_refused_with_the_rule() {
    let sb = Sandbox::new();
    let a = sb.path("a");
    assert_ok(&sb.run(&["keys", "init", "--org", "A", "--dir", a.to_str().unwrap()]));
    let input = sb.copy_sample("sample.jpg");
    let target = sb.path("o.jpg");
    // Signing with the root CA itself: a CA, and self-signed.
    let out = sb.run(&[
        "label",
        input.to_str().unwrap(),
        "--ai",
        "generated",
        "--cert",
        a.join("trust-anchor.pem").to_str().unwrap(),
        "--key",
        a.join("root-ca.key").to_str().unwrap(),
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("is a CA certificate") && err.contains("self-signed"),
        "{err}"
    );
    assert!(!target.exists());
}

#[test]
fn csr_is_written_with_a_private_key() {
    let sb = Sandbox::new();
    let dir = sb.path("csr");
    let out = sb.run(&[
        "keys",
        "csr",
        "--org",
        "Real Org",
        "--country",
        "KZ",
        "--alg",
        "p256",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let csr = std::fs::read_to_string(dir.join("request.csr")).unwrap();
    assert!(csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    #[cfg(unix)]
    assert_eq!(mode(&dir.join("signing.key")), 0o600);
}

#[test]
fn ecdsa_p256_chains_sign_and_verify() {
    let sb = Sandbox::new();
    let dir = sb.path("p256");
    assert_ok(&sb.run(&[
        "keys",
        "init",
        "--org",
        "P256 Org",
        "--alg",
        "p256",
        "--dir",
        dir.to_str().unwrap(),
    ]));
    let input = sb.copy_sample("sample.jpg");
    let target = sb.path("o.jpg");
    // Given as an explicit chain + key, the way a user brings a CA-issued pair.
    let out = sb
        .cmd()
        .args([
            "label",
            input.to_str().unwrap(),
            "--ai",
            "generated",
            "-o",
            target.to_str().unwrap(),
        ])
        .env("TAMGA_CERT", dir.join("signing-chain.pem"))
        .env("TAMGA_KEY", dir.join("signing.key"))
        .output()
        .unwrap();
    assert_ok(&out);
    let v = sb.run(&[
        "verify",
        "--json",
        "--trust",
        dir.join("trust-anchor.pem").to_str().unwrap(),
        target.to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(doc["files"][0]["verdict"], "trusted", "{doc}");
    assert_eq!(doc["files"][0]["signer"]["algorithm"], "es256");
}

#[test]
fn keys_come_from_the_config_file_and_allowed_lists_trust_single_signers() {
    let sb = Sandbox::new();
    let dir = sb.path("cfgkeys");
    assert_ok(&sb.run(&[
        "keys",
        "init",
        "--org",
        "Config Org",
        "--dir",
        dir.to_str().unwrap(),
    ]));
    std::fs::create_dir_all(sb.path("config/tamga")).unwrap();
    std::fs::write(
        sb.path("config/tamga/config.toml"),
        format!(
            "[keys]\ncert = {:?}\nkey = {:?}\n",
            dir.join("signing-chain.pem"),
            dir.join("signing.key")
        ),
    )
    .unwrap();
    let input = sb.copy_sample("sample.webp");
    let target = sb.path("o.webp");
    assert_ok(&sb.run(&[
        "label",
        input.to_str().unwrap(),
        "--ai",
        "composite",
        "-o",
        target.to_str().unwrap(),
    ]));

    // Trust just this signer (its end-entity certificate), not its CA.
    let chain = std::fs::read_to_string(dir.join("signing-chain.pem")).unwrap();
    let leaf_end =
        chain.find("-----END CERTIFICATE-----").unwrap() + "-----END CERTIFICATE-----\n".len();
    std::fs::write(sb.path("allowed.pem"), &chain[..leaf_end]).unwrap();
    let v = sb.run(&[
        "verify",
        "--json",
        "--allowed",
        sb.path("allowed.pem").to_str().unwrap(),
        target.to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(doc["files"][0]["verdict"], "trusted", "{doc}");
    assert_eq!(doc["files"][0]["disclosure"]["ai"], "composite");

    // A broken config file is a one-line error naming it.
    std::fs::write(sb.path("config/tamga/config.toml"), "[keys]\nbogus = 1\n").unwrap();
    let out = sb.run(&[
        "label",
        input.to_str().unwrap(),
        "--ai",
        "generated",
        "-o",
        sb.path("x.webp").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("config.toml"),
        "{}",
        text(&out.stderr)
    );
}
