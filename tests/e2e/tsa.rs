//! A real RFC 3161 time-stamp authority on 127.0.0.1 for the tests, and
//! running tamga with the clock moved: OpenSSL's `openssl ts -reply` signs
//! each request behind a tiny HTTP handler, with a test CA and a TSA
//! certificate carrying the critical `timeStamping` EKU; `faketime` moves
//! the clock tamga (and c2pa-python) see. `.ci/run` installs both tools; a
//! missing one fails the test, never skips it.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use crate::util::{text, Sandbox};

/// A tool the tests need on PATH.
pub fn tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("`{name}` is not installed; .ci/run installs it (apt-get install {name})")
    })
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new(tool("openssl"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        text(&out.stderr)
    );
}

const EXTENSIONS: &str = "\
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[tsa]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
";

/// A running authority: its URL and the root to trust it by.
pub struct Authority {
    pub url: String,
    /// The authority's root CA certificate (PEM): a trust anchor.
    pub root: PathBuf,
    /// Requests answered so far (probes and real tokens alike).
    pub hits: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

impl Authority {
    /// How many requests it has answered.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Authority {
    /// Makes a CA and a TSA certificate (ECDSA P-256, ten years), and
    /// serves RFC 3161 requests on a free loopback port until the test ends.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        std::fs::write(d.join("ext.cnf"), EXTENSIONS).unwrap();
        openssl(
            d,
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                "ca.key",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-new",
                "-x509",
                "-key",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "3650",
                "-subj",
                "/CN=Tamga Test TSA Root/O=Tamga Test TSA",
                "-config",
                "ext.cnf",
                "-extensions",
                "ca",
            ],
        );
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "tsa.key",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                "tsa.key",
                "-subj",
                "/CN=Tamga Test TSA/O=Tamga Test TSA",
                "-config",
                "ext.cnf",
                "-out",
                "tsa.csr",
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "tsa.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "3650",
                "-extfile",
                "ext.cnf",
                "-extensions",
                "tsa",
                "-out",
                "tsa.pem",
            ],
        );
        std::fs::write(d.join("serial"), "01\n").unwrap();
        let config = format!(
            "[tsa]\ndefault_tsa = tsa1\n[tsa1]\ndir = {}\nserial = $dir/serial\n\
             crypto_device = builtin\nsigner_cert = $dir/tsa.pem\ncerts = $dir/ca.pem\n\
             signer_key = $dir/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n\
             other_policies = 1.2.3.4.2\ndigests = sha256, sha384, sha512\naccuracy = secs:1\n\
             ordering = yes\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n",
            d.display()
        );
        std::fs::write(d.join("ts.cnf"), config).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        let served = d.to_path_buf();
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                // One at a time: openssl's serial file is not safe to share.
                // Counted before answering, so a client that has its reply
                // always sees its request counted.
                counted.fetch_add(1, Ordering::SeqCst);
                answer(stream, &served);
            }
        });
        Self {
            url,
            root: d.join("ca.pem"),
            hits,
            _dir: dir,
        }
    }
}

/// Reads one POST, has `openssl ts -reply` answer it.
fn answer(stream: TcpStream, dir: &Path) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let (mut line, mut length) = (String::new(), 0usize);
    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        line.clear();
    }
    let mut query = vec![0; length];
    if reader.read_exact(&mut query).is_err() {
        return;
    }
    let n = N.fetch_add(1, Ordering::SeqCst);
    let (q, r) = (dir.join(format!("q{n}.tsq")), dir.join(format!("r{n}.tsr")));
    std::fs::write(&q, &query).unwrap();
    let out = Command::new(tool("openssl"))
        .args(["ts", "-reply", "-config"])
        .arg(dir.join("ts.cnf"))
        .arg("-queryfile")
        .arg(&q)
        .arg("-out")
        .arg(&r)
        .output()
        .expect("openssl ts -reply");
    let (status, body) = match std::fs::read(&r) {
        Ok(body) if out.status.success() => ("200 OK", body),
        _ => ("500 Internal Server Error", text(&out.stderr).into_bytes()),
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

/// A PEM bundle of `parts` written to `to`.
pub fn bundle(to: &Path, parts: &[&Path]) -> PathBuf {
    let mut pem = String::new();
    for p in parts {
        pem.push_str(&std::fs::read_to_string(p).unwrap());
        pem.push('\n');
    }
    std::fs::write(to, pem).unwrap();
    to.to_path_buf()
}

/// `faketime -f +DAYSd`, with the sandbox's environment, around `program`.
fn later_cmd(sb: &Sandbox, days: u32, program: &Path) -> Command {
    let mut c = Command::new(tool("faketime"));
    for (k, _) in std::env::vars() {
        if k.starts_with("TAMGA_") {
            c.env_remove(k);
        }
    }
    c.env("XDG_CONFIG_HOME", sb.path("config"))
        .env("NO_COLOR", "1")
        // Only the wall clock moves: timeouts keep their real length.
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .arg("-f")
        .arg(format!("+{days}d"))
        .arg(program);
    c
}

/// `tamga ARGS` with the clock `days` ahead.
pub fn tamga_later(sb: &Sandbox, days: u32, args: &[&str]) -> Output {
    later_cmd(sb, days, Path::new(env!("CARGO_BIN_EXE_tamga")))
        .args(args)
        .output()
        .expect("run faketime tamga")
}

/// c2pa-python's reading of `file` with the clock `days` ahead.
pub fn python_later(
    sb: &Sandbox,
    days: u32,
    file: &Path,
    mime: &str,
    anchors: &Path,
) -> serde_json::Value {
    let out = later_cmd(sb, days, &crate::util::python())
        .arg(crate::util::root().join("tests/interop/c2pa_read.py"))
        .arg(file)
        .arg(mime)
        .arg(anchors)
        .output()
        .expect("run faketime python");
    assert!(out.status.success(), "c2pa-python: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json from c2pa_read.py")
}
