//! `tamga keys …`

use std::process::ExitCode;

use anyhow::Result;
use tamga_keys::{
    init_dev_keys, make_csr, write_private_file, CsrOptions, DevKeyOptions, KeyAlgorithm,
};

use crate::{
    args::{CsrAlg, KeysCommand},
    key_source,
    out::outln,
};

pub(crate) fn run(cmd: KeysCommand) -> Result<ExitCode> {
    match cmd {
        KeysCommand::Init {
            org,
            dir,
            encrypt,
            alg,
        } => {
            let dir = dir.unwrap_or_else(key_source::default_key_dir);
            let mut options = DevKeyOptions::new(org);
            options.algorithm = key_alg(alg);
            if encrypt {
                let pw = std::env::var("TAMGA_KEY_PASSWORD").map_err(|_| {
                    anyhow::anyhow!("--encrypt needs the password in TAMGA_KEY_PASSWORD")
                })?;
                options.password = Some(pw);
            }
            let paths = init_dev_keys(&dir, &options)?;
            outln!(
                "Created development keys for {:?} in {}",
                options.organisation,
                paths.dir.display()
            )?;
            outln!("  signing chain   {}", paths.signing_chain.display())?;
            outln!(
                "  signing key     {} (private, mode 0600)",
                paths.signing_key.display()
            )?;
            outln!(
                "  root CA key     {} (private, mode 0600; keep offline)",
                paths.root_key.display()
            )?;
            outln!("Trust anchor to hand to distributors:")?;
            outln!("  {}", paths.trust_anchor.display())?;
            outln!(
                "They verify with: tamga verify --trust {} FILE…",
                paths.trust_anchor.display()
            )?;
            outln!("This is a development CA. For production, get a certificate from a CA on the C2PA trust list (tamga keys csr).")?;
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Csr {
            org,
            cn,
            country,
            alg,
            dir,
        } => {
            let mut options = CsrOptions::new(org);
            if let Some(cn) = cn {
                options.common_name = cn;
            }
            options.country = country;
            options.algorithm = key_alg(alg);
            let out = make_csr(&options)?;
            std::fs::create_dir_all(&dir)?;
            let key = dir.join(tamga_keys::layout::SIGNING_KEY);
            if key.exists() {
                anyhow::bail!(
                    "{}: already exists; refusing to overwrite a private key",
                    key.display()
                );
            }
            write_private_file(&key, out.key_pem.as_bytes())?;
            let csr = dir.join("request.csr");
            std::fs::write(&csr, out.csr_pem.as_bytes())?;
            outln!("Wrote {} (send this to your CA)", csr.display())?;
            outln!("and   {} (private, mode 0600)", key.display())?;
            outln!(
                "When the CA answers, save its chain as {} and sign with --keys {}",
                dir.join(tamga_keys::layout::SIGNING_CHAIN).display(),
                dir.display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Show { keys, json } => {
            let identity = key_source::load(&keys)?;
            let s = identity.summary();
            if json.json {
                let expiry = identity.expiry();
                // Only what the certificate says publicly: the private key
                // is checked against it, never printed.
                let doc = KeysShow {
                    schema: "tamga.keys/1",
                    certificate: s,
                    expires: expiry.date(),
                    days_left: expiry.days_left_now(),
                    expired: expiry.days_left_now() < 0,
                    meets_c2pa_profile: true,
                    key_matches_certificate: true,
                };
                outln!("{}", serde_json::to_string_pretty(&doc)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            outln!("organisation  {}", s.organisation)?;
            if let Some(cn) = &s.common_name {
                outln!("common name   {cn}")?;
            }
            outln!("issuer        {}", s.issuer)?;
            outln!("algorithm     {}", s.algorithm)?;
            let expiry = identity.expiry();
            let days = expiry.days_left_now();
            outln!(
                "valid until   {} ({})",
                expiry.date(),
                if days < 0 {
                    "expired".to_string()
                } else {
                    format!("{days} day{} left", if days == 1 { "" } else { "s" })
                }
            )?;
            outln!("status        meets the C2PA certificate profile; key matches certificate")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `tamga keys show --json` (schema `tamga.keys/1`, docs/json-schema.md).
/// Loading the key set already refused a certificate outside the C2PA
/// profile or a key that does not match it, so the two checks are true
/// whenever a document is printed; they are fields so readers need not know that.
#[derive(serde::Serialize)]
struct KeysShow<'a> {
    schema: &'static str,
    #[serde(flatten)]
    certificate: &'a tamga_keys::CertSummary,
    expires: String,
    days_left: i64,
    expired: bool,
    meets_c2pa_profile: bool,
    key_matches_certificate: bool,
}

fn key_alg(alg: CsrAlg) -> KeyAlgorithm {
    match alg {
        CsrAlg::Ed25519 => KeyAlgorithm::Ed25519,
        CsrAlg::P256 => KeyAlgorithm::EcdsaP256,
    }
}
