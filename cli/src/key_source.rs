//! Finding the signing identity: flags, then environment (via clap), then the
//! config file, then the default key directory.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::Deserialize;
use tamga_keys::SigningIdentity;

use crate::{
    args::{KeyArgs, LimitArgs},
    out::eoutln,
};

/// `$XDG_CONFIG_HOME/tamga` (or the platform's config directory).
pub(crate) fn config_dir() -> PathBuf {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(dirs::config_dir)
        .unwrap_or_else(|| PathBuf::from(".config"))
        .join("tamga")
}

/// The default key directory.
pub(crate) fn default_key_dir() -> PathBuf {
    config_dir().join("keys")
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    keys: KeysTable,
    /// `[limits]`: what decoding a file for a notice may cost.
    #[serde(default)]
    limits: tamga_label::LimitsTable,
    /// `[label]`: how labels are signed.
    #[serde(default)]
    label: LabelTable,
    /// `[registry]`: where labels are recorded and looked up.
    #[serde(default)]
    registry: RegistryTable,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryTable {
    /// The registry URL (`sqlite:PATH`, `postgres://…`).
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelTable {
    /// The RFC 3161 time-stamp authority.
    tsa: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysTable {
    dir: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
}

fn read_config(explicit: Option<&Path>) -> Result<ConfigFile> {
    let path = explicit
        .map(Path::to_path_buf)
        .unwrap_or_else(|| config_dir().join("config.toml"));
    if !path.exists() {
        if explicit.is_some() {
            anyhow::bail!("{}: config file not found", path.display());
        }
        return Ok(ConfigFile::default());
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
    toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim()))
}

/// Loads and checks the signing identity the user pointed at.
pub(crate) fn load(args: &KeyArgs) -> Result<SigningIdentity> {
    let password = std::env::var("TAMGA_KEY_PASSWORD").ok();
    let pw = password.as_deref();
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        return Ok(SigningIdentity::load(cert, key, pw)?);
    }
    if let Some(dir) = &args.keys {
        return Ok(SigningIdentity::from_dir(dir, pw)?);
    }
    let config = read_config(args.config.as_deref())?;
    if let (Some(cert), Some(key)) = (&config.keys.cert, &config.keys.key) {
        return Ok(SigningIdentity::load(cert, key, pw)?);
    }
    let dir = config.keys.dir.unwrap_or_else(default_key_dir);
    Ok(SigningIdentity::from_dir(&dir, pw)?)
}

/// The decoding limits: the flags, else the config file's `[limits]`, else
/// the library's defaults.
pub(crate) fn decode_limits(
    args: &LimitArgs,
    config: Option<&Path>,
) -> Result<tamga_label::DecodeLimits> {
    let file = read_config(config)?.limits;
    Ok(args
        .table()
        .or(file)
        .apply(tamga_label::DecodeLimits::default()))
}

/// The time-stamp authority: `--tsa` (or `TAMGA_TSA`), else the config
/// file's `[label] tsa`.
pub(crate) fn tsa_url(flag: Option<&str>, config: Option<&Path>) -> Result<Option<String>> {
    match flag {
        Some(url) => Ok(Some(url.to_string())),
        None => Ok(read_config(config)?.label.tsa),
    }
}

/// The registry: `--registry` (or `TAMGA_REGISTRY`), else the config
/// file's `[registry] url`, opened (and migrated) once for the run. A
/// registry that cannot be opened stops the run before any file is
/// touched.
pub(crate) fn registry(
    flag: Option<&str>,
    config: Option<&Path>,
) -> Result<Option<tamga_label::SharedRegistry>> {
    let url = match flag {
        Some(url) => Some(url.to_string()),
        None => read_config(config)?.registry.url,
    };
    url.map(|url| {
        tamga_label::SharedRegistry::open(&url).map_err(|e| {
            anyhow::anyhow!(crate::advice::with_advice("registry-open", e.to_string()))
        })
    })
    .transpose()
}

/// The config file commands without `--config` read: `TAMGA_CONFIG`, else
/// the default.
pub(crate) fn env_config() -> Option<PathBuf> {
    std::env::var_os("TAMGA_CONFIG").map(PathBuf::from)
}

/// Said once per run before signing: what happens to these labels when
/// the signing certificate expires, and whether that is soon.
pub(crate) fn signing_notes(identity: &SigningIdentity, tsa: Option<&str>) -> Result<()> {
    let expiry = identity.expiry();
    let days = expiry.days_left_now();
    if days < EXPIRY_WARNING_DAYS {
        eoutln!(
            "tamga: warning: the signing certificate expires on {} (in {days} day{}); renew it \
             (tamga keys csr){}",
            expiry.date(),
            if days == 1 { "" } else { "s" },
            if tsa.is_some() {
                ""
            } else {
                ", or labels signed now stop validating then"
            }
        )?;
    }
    if tsa.is_none() {
        eoutln!(
            "tamga: note: no time-stamp authority configured (--tsa URL, TAMGA_TSA, or [label] tsa \
             in the config file): these labels stop validating when the signing certificate \
             expires on {}",
            expiry.date()
        )?;
    }
    Ok(())
}

/// How close to expiry the signing certificate must be for a warning.
const EXPIRY_WARNING_DAYS: i64 = 30;

/// The base of each file's time budget: `--timeout`, else the config
/// file's `timeout_secs` in `[limits]`, else `None` (the library's 30 s).
pub(crate) fn deadline(
    args: &LimitArgs,
    config: Option<&Path>,
) -> Result<Option<std::time::Duration>> {
    Ok(args.table().or(read_config(config)?.limits).deadline())
}
