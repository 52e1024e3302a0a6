//! Shared helpers: a temp folder per test, running the real binary, tampering.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::OnceLock,
};

use serde_json::Value;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A bundled sample.
pub fn sample(name: &str) -> PathBuf {
    root().join("samples").join(name)
}

/// The conformance corpus (read-only, beside the repository).
pub fn shared() -> PathBuf {
    root().join("..").join("shared")
}

/// A test's own temporary folder with its own config dir, so no test sees the
/// user's keys or another test's files.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `tamga` with a clean environment pointing at this sandbox.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tamga"));
        for (k, _) in std::env::vars() {
            if k.starts_with("TAMGA_") {
                c.env_remove(k);
            }
        }
        c.env("XDG_CONFIG_HOME", self.path("config"));
        c.env("NO_COLOR", "1");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run tamga")
    }

    /// Copies a sample into the sandbox.
    pub fn copy_sample(&self, name: &str) -> PathBuf {
        let to = self.path(name);
        std::fs::copy(sample(name), &to).expect("copy sample");
        to
    }

    /// A c2pa signer over this sandbox's keys, for files made "by another
    /// tool" with c2pa's own Builder.
    pub fn c2pa_signer(&self) -> Box<dyn c2pa::Signer> {
        let keys = self.keys();
        let chain = std::fs::read(keys.join("signing-chain.pem")).unwrap();
        let key = std::fs::read(keys.join("signing.key")).unwrap();
        c2pa::create_signer::from_keys(&chain, &key, c2pa::SigningAlg::Ed25519, None).unwrap()
    }

    /// Development keys in `<sandbox>/keys`, made once per sandbox.
    pub fn keys(&self) -> PathBuf {
        self.keys_for("keys", "Tamga Test Newsroom")
    }

    /// Development keys for `org` in `<sandbox>/<dir>`, made once per
    /// sandbox: a second signer (a distributor) beside [`Self::keys`].
    pub fn keys_for(&self, dir: &str, org: &str) -> PathBuf {
        let dir = self.path(dir);
        if !dir.join("signing.key").exists() {
            let out = self.run(&["keys", "init", "--org", org, "--dir", dir.to_str().unwrap()]);
            assert_ok(&out);
        }
        dir
    }

    pub fn anchor(&self) -> PathBuf {
        self.keys().join("trust-anchor.pem")
    }

    /// One PEM bundle with the sandbox's anchor and the anchor of the key
    /// set in `other`.
    pub fn anchors_with(&self, other: &Path) -> PathBuf {
        let both = self.path("both-anchors.pem");
        let mut pem = std::fs::read_to_string(self.anchor()).unwrap();
        pem.push('\n');
        pem.push_str(&std::fs::read_to_string(other.join("trust-anchor.pem")).unwrap());
        std::fs::write(&both, pem).unwrap();
        both
    }

    /// `tamga publish --json --trust <sandbox anchor> --keys KEYS -o OUT
    /// EXTRA… INPUTS…`: a distributor publishing the sandbox's labels.
    pub fn publish(&self, keys: &Path, inputs: &[&Path], out: &Path, extra: &[&str]) -> Output {
        let anchor = self.anchor();
        let mut args = vec![
            "publish",
            "--json",
            "--trust",
            anchor.to_str().unwrap(),
            "--keys",
            keys.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
        self.run(&args)
    }

    /// Labels `input` to `output` with the sandbox keys.
    pub fn label(&self, input: &Path, output: &Path, extra: &[&str]) -> Output {
        let keys = self.keys();
        let mut args = vec![
            "label",
            input.to_str().unwrap(),
            "--ai",
            "generated",
            "--generator",
            "Test Model 2.1",
            "--keys",
            keys.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `tamga label INPUT --ai generated --keys <sandbox keys> -o OUTPUT`, nothing else.
    pub fn label_plain(&self, input: &Path, output: &Path) -> Output {
        self.label_ai(input, output, "generated")
    }

    /// `tamga label INPUT --ai AI --keys <sandbox keys> -o OUTPUT`.
    pub fn label_ai(&self, input: &Path, output: &Path, ai: &str) -> Output {
        let keys = self.keys();
        self.run(&[
            "label",
            input.to_str().unwrap(),
            "--ai",
            ai,
            "--keys",
            keys.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ])
    }

    /// `tamga verify --json FILE --trust ANCHORS`: the file's entry and the
    /// exit code.
    pub fn verify_trusting(&self, file: &Path, anchors: &Path) -> (Value, i32) {
        let o = self.run(&[
            "verify",
            "--json",
            file.to_str().unwrap(),
            "--trust",
            anchors.to_str().unwrap(),
        ]);
        let doc: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("verify JSON: {e}: {}", text(&o.stderr)));
        (doc["files"][0].clone(), o.status.code().unwrap_or(-1))
    }

    /// `tamga verify --json --registry REGISTRY --trust <anchor> FILE`: the
    /// whole document, after checking the run succeeded.
    pub fn verify_registry(&self, registry: &str, file: &Path) -> Value {
        let out = self.run(&[
            "verify",
            "--json",
            "--registry",
            registry,
            "--trust",
            self.anchor().to_str().unwrap(),
            file.to_str().unwrap(),
        ]);
        assert_ok(&out);
        serde_json::from_slice(&out.stdout).expect("verify JSON")
    }

    /// What c2pa-python (`tests/interop/c2pa_read.py`) reads in `file` of
    /// `mime`, trusting this sandbox's anchor.
    pub fn c2pa_read(&self, file: &Path, mime: &str) -> Value {
        let read = Command::new(python())
            .arg(root().join("tests/interop/c2pa_read.py"))
            .arg(file)
            .arg(mime)
            .arg(self.anchor())
            .output()
            .unwrap();
        assert!(
            read.status.success(),
            "{}: {}",
            file.display(),
            text(&read.stderr)
        );
        serde_json::from_slice(&read.stdout).expect("c2pa_read JSON")
    }

    /// `tamga verify --json` on one file; returns the file's entry and the exit code.
    pub fn verify(&self, file: &Path, trust: bool) -> (Value, i32) {
        let anchor = self.anchor();
        let mut args = vec!["verify", "--json", file.to_str().unwrap()];
        if trust {
            args.extend_from_slice(&["--trust", anchor.to_str().unwrap()]);
        }
        let out = self.run(&args);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "verify JSON: {e}\nstdout: {}\nstderr: {}",
                text(&out.stdout),
                text(&out.stderr)
            )
        });
        assert_eq!(doc["schema"], "tamga.verify/1");
        (doc["files"][0].clone(), out.status.code().unwrap_or(-1))
    }
}

/// A JPEG whose EXIF segment claims more bytes than it has: no reader
/// gets past it.
pub const CORRUPT_JPEG: &[u8] = b"\xFF\xD8\xFF\xE1\x00\x10Exif\x00\x00broken";

/// The gate's usual small batch in `<sandbox>/batch`: the sample JPEG
/// labelled with the notice and then tampered with as each of `tampered`,
/// an unreadable `corrupt.jpg`, a labelled `no-notice.png` (to fix), a
/// labelled `ok.jpg` and an unlabelled `plain.wav` (to publish).
pub fn gate_batch(sb: &Sandbox, tampered: &[&str]) -> PathBuf {
    let dir = sb.path("batch");
    std::fs::create_dir_all(&dir).unwrap();
    for name in tampered {
        let p = dir.join(name);
        assert_ok(&sb.label(&sample("sample.jpg"), &p, &["--notice"]));
        tamper_jpeg_image_data(&p);
    }
    std::fs::write(dir.join("corrupt.jpg"), CORRUPT_JPEG).unwrap();
    assert_ok(&sb.label(&sample("sample.png"), &dir.join("no-notice.png"), &[]));
    assert_ok(&sb.label(&sample("sample.jpg"), &dir.join("ok.jpg"), &["--notice"]));
    std::fs::copy(sample("sample.wav"), dir.join("plain.wav")).unwrap();
    dir
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "tamga failed ({:?})\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Failure codes of a verify entry.
pub fn codes(entry: &Value) -> Vec<String> {
    entry["failures"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["code"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The python of the venv `.ci/run` made, holding c2pa-python.
pub fn python() -> PathBuf {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let p = std::env::var_os("TAMGA_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join(".venv/bin/python"));
        assert!(
            p.exists(),
            "{}: no Python venv with c2pa-python; run .ci/run (or set TAMGA_PYTHON)",
            p.display()
        );
        p
    })
    .clone()
}

/// Changes one byte of a JPEG's image data at or after `len * 3 / 4` so
/// the file stays a well-formed JPEG: a byte in 0x10..=0xEF not preceded
/// by 0xFF, flipped in its lowest bit, can neither become nor start a
/// marker. (Flipping any byte with 0x55 can make 0xFF, a marker the
/// structural check then reports as damage instead of the hash mismatch
/// these tests are about.)
pub fn tamper_jpeg_image_data(path: &std::path::Path) {
    let mut b = std::fs::read(path).unwrap();
    let i = (b.len() * 3 / 4..b.len() - 2)
        .find(|&i| (0x10..=0xEF).contains(&b[i]) && b[i - 1] != 0xFF)
        .expect("a byte of image data to change");
    b[i] ^= 0x01;
    std::fs::write(path, b).unwrap();
}

/// The manifest definition of a file another tool created: `generator`
/// 1.0 made it (`c2pa.created`) as IPTC digital source type `source_type`
/// (the term after the vocabulary's base), titled `title` when given.
pub fn created_by(title: Option<&str>, generator: &str, source_type: &str) -> String {
    let mut def = serde_json::json!({
        "claim_generator_info": [{"name": generator, "version": "1.0"}],
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [{
            "action": "c2pa.created",
            "digitalSourceType": format!("http://cv.iptc.org/newscodes/digitalsourcetype/{source_type}")
        }]}}]
    });
    if let Some(t) = title {
        def["title"] = t.into();
    }
    def.to_string()
}

/// Runs `cmd` with `stdin` fed through a pipe, capturing its output.
pub fn piped(cmd: &mut Command, stdin: &[u8]) -> Output {
    use std::{io::Write, process::Stdio};
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{:?}: {e}", cmd.get_program()));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// Makes the SQLite registry at `db` refuse every new record from now on
/// (through the independent sqlite3 of Python), as a full disk or a
/// revoked grant would: it still opens, so a run or a server starts.
pub fn refuse_registry_writes(db: &Path) {
    let out = Command::new(python())
        .arg("-c")
        .arg(
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); \
             c.execute(\"CREATE TRIGGER refuse BEFORE INSERT ON manifests \
             BEGIN SELECT RAISE(ABORT, 'disk quota exceeded'); END\"); c.commit()",
        )
        .arg(db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `s` percent-encoded for a URL's query string.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// ffmpeg with `args`, which must succeed.
pub fn ffmpeg(args: &[&str]) {
    let o = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed by .ci/run");
    assert!(o.status.success(), "ffmpeg {args:?}: {}", text(&o.stderr));
}
