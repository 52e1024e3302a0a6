//! `tamga serve`'s configuration: a TOML file (every key optional, unknown
//! keys refused with line and column) and environment overrides, resolved
//! into one [`ServerConfig`] before the server starts.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use serde::Deserialize;

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A value that parses but cannot be used.
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    server: ServerTable,
    #[serde(default)]
    trust: TrustTable,
    #[serde(default)]
    label: LabelTable,
    #[serde(default)]
    verify: VerifyTable,
    #[serde(default)]
    registry: RegistryTable,
    #[serde(default)]
    /// `[limits]`: what decoding an upload for a notice may cost.
    limits: tamga_label::LimitsTable,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerTable {
    listen: Option<String>,
    max_upload_mb: Option<u64>,
    request_timeout_secs: Option<u64>,
    header_timeout_secs: Option<u64>,
    body_timeout_secs: Option<u64>,
    body_min_bytes_per_sec: Option<u64>,
    max_concurrent: Option<usize>,
    max_uploads: Option<usize>,
    workers: Option<usize>,
    trust_forwarded_headers: Option<bool>,
    log_format: Option<LogFormat>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustTable {
    anchors: Option<PathBuf>,
    allowed: Option<PathBuf>,
}

/// `[verify]`: how labels are read.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyTable {
    remote: Option<RemoteMode>,
}

/// What happens to a label stored at a URL (XMP `dcterms:provenance`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RemoteMode {
    /// Reported as the verdict `remote`, not fetched.
    #[default]
    Skip,
    /// Fetched (https only, or http on loopback) and verified.
    Fetch,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelTable {
    keys: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    tokens: Option<Vec<String>>,
    tokens_file: Option<PathBuf>,
    /// An RFC 3161 time-stamp authority for every label.
    tsa: Option<String>,
}

/// `[registry]`: where labels are recorded and looked up.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryTable {
    /// `sqlite:PATH` or `postgres://…` (docs/registry.md).
    url: Option<String>,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Where the labelling key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A directory made by `tamga keys init`.
    Dir(PathBuf),
    /// A PEM chain and a PKCS#8 key.
    Files {
        /// The chain, end-entity first.
        cert: PathBuf,
        /// The private key.
        key: PathBuf,
    },
}

/// Everything the server needs, resolved.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// The largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// How long one request may take, upload and work together.
    pub request_timeout: Duration,
    /// How long a client may take to send a request's headers (and how
    /// long an idle connection is kept): a client trickling them holds a
    /// connection, never a slot, and only this long.
    pub header_timeout: Duration,
    /// The time every upload may take whatever its size; each
    /// `body_min_bytes_per_sec` bytes received earns one more second.
    pub body_timeout: Duration,
    /// The slowest average rate, in bytes per second, an upload may keep
    /// past `body_timeout`; slower ones get 408.
    pub body_min_bytes_per_sec: u64,
    /// How many verify or label requests are admitted to work at once
    /// (working or waiting for a worker), counted once their upload is
    /// received; more get 429.
    pub max_concurrent: usize,
    /// How many uploads may be received at once, before any work slot is
    /// taken; more get 429. Larger than `max_concurrent`, so clients
    /// still uploading (slowly or not) cannot keep others from working.
    pub max_uploads: usize,
    /// How many threads verify and label: one per core by default, since
    /// the work is CPU-bound and more threads only interleave it.
    pub workers: usize,
    /// Log the client address from `X-Forwarded-For` (behind a TLS proxy).
    pub trust_forwarded_headers: bool,
    /// Log format.
    pub log_format: LogFormat,
    /// Trust anchors (PEM) the verifier and gate use.
    pub anchors: Option<PathBuf>,
    /// Individually allowed signing certificates (PEM).
    pub allowed: Option<PathBuf>,
    /// The key `/v1/label` signs with; `None` disables labelling.
    pub keys: Option<KeySource>,
    /// Bearer tokens allowed to label. Never logged.
    pub tokens: Vec<String>,
    /// What decoding an upload for a notice may cost (`[limits]`); past
    /// a limit `/v1/label` answers 422.
    pub decode_limits: tamga_label::DecodeLimits,
    /// The RFC 3161 time-stamp authority `/v1/label` asks (`[label] tsa`,
    /// `TAMGA_TSA`): with one, labels outlive the signing certificate.
    pub tsa_url: Option<String>,
    /// Whether remote labels are fetched (`[verify] remote`).
    pub remote: RemoteMode,
    /// The base of each upload's time budget (`timeout_secs` in
    /// `[limits]`); `None` keeps the library's.
    pub label_deadline: Option<Duration>,
    /// The label registry (`[registry] url`, `TAMGA_REGISTRY`): the
    /// soft-binding API answers from it. `None`: those routes answer 503.
    pub registry: Option<String>,
    /// The programs and libraries `/v1/label`'s notices use (ffmpeg,
    /// cjxl, libheif), as the process that starts the server found them.
    pub tools: tamga_label::Tools,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_upload_bytes: 200 << 20,
            request_timeout: Duration::from_secs(120),
            header_timeout: Duration::from_secs(10),
            // Apache's mod_reqtimeout defaults (body=20,MinRate=500): an
            // upload on a poor mobile link passes, a trickle does not.
            body_timeout: Duration::from_secs(20),
            body_min_bytes_per_sec: 500,
            max_concurrent: 4 * cores(),
            // Uploads cost a connection and the bytes received so far
            // (memory within a global budget, then disk), not a core.
            max_uploads: 64,
            workers: cores(),
            trust_forwarded_headers: false,
            log_format: LogFormat::Text,
            anchors: None,
            allowed: None,
            keys: None,
            tokens: Vec::new(),
            decode_limits: tamga_label::DecodeLimits::default(),
            tsa_url: None,
            remote: RemoteMode::Skip,
            label_deadline: None,
            registry: None,
            tools: tamga_label::Tools::default(),
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The environment variables that override the file.
pub struct Env<'a> {
    /// `TAMGA_LISTEN`.
    pub listen: Option<&'a str>,
    /// `TAMGA_TRUST`.
    pub trust: Option<&'a str>,
    /// `TAMGA_KEYS`.
    pub keys: Option<&'a str>,
    /// `TAMGA_SERVE_TOKENS`, comma-separated.
    pub tokens: Option<&'a str>,
    /// `TAMGA_TSA`.
    pub tsa: Option<&'a str>,
    /// `TAMGA_REGISTRY`.
    pub registry: Option<&'a str>,
}

impl ServerConfig {
    /// The file at `path` (if any), then the environment.
    pub fn load(path: Option<&Path>, env: &Env<'_>) -> Result<Self, ConfigError> {
        let (file, base) = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Io {
                    path: p.into(),
                    source,
                })?;
                let base = p.parent().map(Path::to_path_buf).unwrap_or_default();
                (parse(&text, p)?, base)
            }
            None => (File::default(), PathBuf::new()),
        };
        // Paths in the file are relative to the file, like a policy's.
        let rel = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let mut c = Self::default();
        let s = file.server;
        if let Some(l) = env.listen.or(s.listen.as_deref()) {
            c.listen = l
                .parse()
                .map_err(|e| ConfigError::Invalid(format!("listen = {l:?}: {e}")))?;
        }
        if let Some(mb) = s.max_upload_mb {
            c.max_upload_bytes = mb.saturating_mul(1 << 20);
        }
        if let Some(t) = s.request_timeout_secs {
            c.request_timeout = Duration::from_secs(t.max(1));
        }
        if let Some(t) = s.header_timeout_secs {
            c.header_timeout = Duration::from_secs(t.max(1));
        }
        if let Some(t) = s.body_timeout_secs {
            c.body_timeout = Duration::from_secs(t.max(1));
        }
        if let Some(r) = s.body_min_bytes_per_sec {
            if r == 0 {
                return Err(ConfigError::Invalid(
                    "body_min_bytes_per_sec must be at least 1".into(),
                ));
            }
            c.body_min_bytes_per_sec = r;
        }
        if let Some(n) = s.max_uploads {
            if n == 0 {
                return Err(ConfigError::Invalid(
                    "max_uploads must be at least 1".into(),
                ));
            }
            c.max_uploads = n;
        }
        if let Some(n) = s.max_concurrent {
            if n == 0 {
                return Err(ConfigError::Invalid(
                    "max_concurrent must be at least 1".into(),
                ));
            }
            c.max_concurrent = n;
        }
        if let Some(n) = s.workers {
            if n == 0 {
                return Err(ConfigError::Invalid("workers must be at least 1".into()));
            }
            c.workers = n;
        }
        c.trust_forwarded_headers = s.trust_forwarded_headers.unwrap_or(false);
        c.log_format = s.log_format.unwrap_or_default();
        c.anchors = env.trust.map(PathBuf::from).or(file.trust.anchors.map(rel));
        c.allowed = file.trust.allowed.map(rel);
        c.remote = file.verify.remote.unwrap_or_default();
        let l = file.label;
        c.keys = match (env.keys, l.keys, l.cert, l.key) {
            (Some(dir), ..) => Some(KeySource::Dir(dir.into())),
            (None, Some(dir), None, None) => Some(KeySource::Dir(rel(dir))),
            (None, None, Some(cert), Some(key)) => Some(KeySource::Files {
                cert: rel(cert),
                key: rel(key),
            }),
            (None, None, None, None) => None,
            _ => {
                return Err(ConfigError::Invalid(
                    "[label]: give either keys = DIR or both cert and key".into(),
                ))
            }
        };
        c.tsa_url = env.tsa.map(str::to_string).or(l.tsa);
        c.registry = env
            .registry
            .map(str::to_string)
            .or(file.registry.url)
            .filter(|u| !u.is_empty());
        let mut tokens = l.tokens.unwrap_or_default();
        if let Some(f) = l.tokens_file.map(rel) {
            let text = std::fs::read_to_string(&f)
                .map_err(|source| ConfigError::Io { path: f, source })?;
            tokens.extend(text.lines().map(str::to_string));
        }
        if let Some(t) = env.tokens {
            tokens = t.split(',').map(str::to_string).collect();
        }
        tokens = tokens
            .into_iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if let Some(short) = tokens.iter().find(|t| t.len() < 16) {
            // Said without the token itself: it must never reach a log.
            return Err(ConfigError::Invalid(format!(
                "a bearer token of {} characters is too short to be secret (16 at least)",
                short.len()
            )));
        }
        c.tokens = tokens;
        c.decode_limits = file.limits.apply(c.decode_limits);
        c.label_deadline = file.limits.deadline();
        Ok(c)
    }
}

fn parse(text: &str, path: &Path) -> Result<File, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |s| tamga_gate::policy::line_column(text, s.start));
        ConfigError::Syntax {
            path: path.into(),
            line,
            column,
            message: e.message().trim().replace('\n', " "),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_ENV: Env<'static> = Env {
        listen: None,
        trust: None,
        keys: None,
        tokens: None,
        tsa: None,
        registry: None,
    };

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("serve.toml");
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    #[test]
    fn remote_labels_are_fetched_only_when_verify_remote_says_fetch() {
        let (_d, p) = write("[server]\n");
        let c = ServerConfig::load(Some(&p), &NO_ENV).unwrap();
        assert_eq!(c.remote, RemoteMode::Skip);
        let (_d, p) = write("[verify]\nremote = \"fetch\"\n");
        let c = ServerConfig::load(Some(&p), &NO_ENV).unwrap();
        assert_eq!(c.remote, RemoteMode::Fetch);
        let (_d, p) = write("[verify]\nremote = \"always\"\n");
        let err = ServerConfig::load(Some(&p), &NO_ENV)
            .unwrap_err()
            .to_string();
        assert!(err.contains("serve.toml:2:"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused_with_line_and_column() {
        let (_d, p) = write("[server]\nlisten = \"127.0.0.1:9000\"\nmax_uplaod_mb = 5\n");
        let err = ServerConfig::load(Some(&p), &NO_ENV)
            .unwrap_err()
            .to_string();
        assert!(err.contains("serve.toml:3:1:"), "{err}");
        assert!(err.contains("max_uplaod_mb"), "{err}");
    }

    #[test]
    fn file_values_paths_and_environment_resolve() {
        let (d, p) = write(
            "[server]\nmax_upload_mb = 3\nmax_concurrent = 4\nworkers = 3\nlog_format = \"json\"\n\
             header_timeout_secs = 2\nbody_timeout_secs = 0\nbody_min_bytes_per_sec = 100\n\
             max_uploads = 9\n\
             [trust]\nanchors = \"anchors.pem\"\n[label]\nkeys = \"keys\"\n\
             tokens = [\"0123456789abcdef-cms\"]\ntsa = \"http://tsa.example/file\"\n",
        );
        let c = ServerConfig::load(Some(&p), &NO_ENV).unwrap();
        assert_eq!(c.tsa_url.as_deref(), Some("http://tsa.example/file"));
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.max_upload_bytes, 3 << 20);
        assert_eq!(c.max_concurrent, 4);
        assert_eq!(c.workers, 3);
        assert_eq!(c.header_timeout, Duration::from_secs(2));
        assert_eq!(c.body_timeout, Duration::from_secs(1), "0 is raised to 1 s");
        assert_eq!(c.body_min_bytes_per_sec, 100);
        assert_eq!(c.max_uploads, 9);
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.anchors, Some(d.path().join("anchors.pem")));
        assert_eq!(c.keys, Some(KeySource::Dir(d.path().join("keys"))));
        assert_eq!(c.tokens, ["0123456789abcdef-cms"]);

        let env = Env {
            listen: Some("127.0.0.1:0"),
            trust: None,
            keys: None,
            tokens: Some("aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2"),
            tsa: Some("http://tsa.example/env"),
            registry: None,
        };
        let c = ServerConfig::load(Some(&p), &env).unwrap();
        assert_eq!(c.tsa_url.as_deref(), Some("http://tsa.example/env"));
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.tokens, ["aaaaaaaaaaaaaaaa1", "bbbbbbbbbbbbbbbb2"]);
    }

    #[test]
    fn short_tokens_and_bad_values_are_errors_that_never_show_the_token() {
        let (_d, p) = write("[label]\ntokens = [\"secret1\"]\n");
        let err = ServerConfig::load(Some(&p), &NO_ENV)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("too short") && !err.contains("secret1"),
            "{err}"
        );
        let (_d, p) = write("[server]\nlisten = \"nowhere\"\n");
        assert!(ServerConfig::load(Some(&p), &NO_ENV).is_err());
        for zero in ["max_concurrent", "max_uploads", "body_min_bytes_per_sec"] {
            let (_d, p) = write(&format!("[server]\n{zero} = 0\n"));
            let err = ServerConfig::load(Some(&p), &NO_ENV)
                .unwrap_err()
                .to_string();
            assert!(err.contains(zero), "{err}");
        }
    }

    #[test]
    fn the_registry_comes_from_the_file_or_the_environment() {
        let (_d, p) = write("[registry]\nurl = \"sqlite:labels.sqlite\"\n");
        let c = ServerConfig::load(Some(&p), &NO_ENV).unwrap();
        assert_eq!(c.registry.as_deref(), Some("sqlite:labels.sqlite"));
        let env = Env {
            registry: Some("postgres://db/tamga"),
            ..NO_ENV
        };
        let c = ServerConfig::load(Some(&p), &env).unwrap();
        assert_eq!(c.registry.as_deref(), Some("postgres://db/tamga"));
        let c = ServerConfig::load(None, &NO_ENV).unwrap();
        assert_eq!(c.registry, None);
    }
}
