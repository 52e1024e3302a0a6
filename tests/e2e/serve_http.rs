//! A `tamga serve` for tests, and a raw HTTP/1.1 client: requests are sent
//! exactly as written, so malformed or slow ones can be sent too.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::PathBuf,
    process::{Child, Stdio},
    time::Duration,
};

use serde_json::Value;

use crate::util::{text, Sandbox};

pub const TOKEN: &str = "0123456789abcdef-cms-token";

/// A running server, killed on drop.
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    /// Starts `tamga serve` with `extra` lines in its `[server]` table and
    /// the sandbox's anchor and keys.
    pub fn start(sb: &Sandbox, extra: &str) -> Self {
        Self::start_with_env(sb, extra, &[])
    }

    /// [`Server::start`] with environment variables set.
    pub fn start_with_env(sb: &Sandbox, extra: &str, env: &[(&str, &str)]) -> Self {
        let keys = sb.keys();
        Self::start_config(
            sb,
            &format!(
                "[server]\nlisten = \"127.0.0.1:0\"\n{extra}\n[trust]\nanchors = \"{}\"\n\
                 [label]\nkeys = \"{}\"\ntokens = [\"{TOKEN}\"]\n",
                sb.anchor().display(),
                keys.display()
            ),
            env,
        )
    }

    /// Starts `tamga serve` with the whole `config` file given.
    pub fn start_config(sb: &Sandbox, config_text: &str, env: &[(&str, &str)]) -> Self {
        let config = sb.path("serve.toml");
        std::fs::write(&config, config_text).unwrap();
        let mut child = sb
            .cmd()
            .args(["serve", "--config", config.to_str().unwrap()])
            .env("TMPDIR", sb.path(""))
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Self { child, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response.
pub struct Res {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Res {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", self.status, text(&self.body)))
    }
}

/// Sends `head` (request line and headers, without the blank line) and
/// `body` as they are; reads the whole response (the server closes).
pub fn raw(addr: &str, head: &str, body: &[u8]) -> Res {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes();
    req.extend_from_slice(body);
    // The server may answer (413) and close before the whole body is sent.
    let _ = s.write_all(&req);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head: {}", text(&out)));
    let head = text(&out[..split]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = out[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Res {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(nl) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(text(&b[..nl]).trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + n]);
        b = &b[nl + 2 + n + 2..];
    }
    out
}

pub fn get(addr: &str, path: &str) -> Res {
    raw(addr, &format!("GET {path} HTTP/1.1"), b"")
}

pub fn post(addr: &str, path: &str, content_type: &str, body: &[u8], extra: &str) -> Res {
    raw(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nContent-Type: {content_type}\r\nContent-Length: {}{extra}",
            body.len()
        ),
        body,
    )
}

/// A multipart body with these (name, filename?, bytes) parts.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "tamga-test-boundary-7f3a";
    let mut b = Vec::new();
    for (name, file, bytes) in parts {
        b.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => b.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => b.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

/// The servers' upload folders in the sandbox (its TMPDIR).
pub fn upload_folders(sb: &Sandbox) -> Vec<PathBuf> {
    std::fs::read_dir(sb.path(""))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("tamga-serve-"))
        .map(|e| e.path())
        .collect()
}
