//! The uploader's declarations: a CSV or JSON file sent with a batch saying,
//! per file, whether AI made it. The weakest evidence, and under the
//! Labeling Measures art. 6 exactly what turns "no label" into "may be AI".
//!
//! CSV: a header row with `path` and `ai` columns (and optionally `note`);
//! JSON: an array of `{"path": …, "ai": …, "note": …}`. `ai` is a boolean,
//! `yes`/`no`, or an IPTC digital source type (AI ones mean yes). Paths are
//! relative to the declarations file's folder.

use std::{
    collections::HashMap,
    path::{Component, Path, PathBuf},
};

use serde::Deserialize;

/// What the uploader says about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// Whether AI made or changed it.
    pub ai: bool,
    /// Anything else they wrote.
    pub note: Option<String>,
}

/// All declarations of a batch, by normalised absolute path.
#[derive(Debug, Default)]
pub struct Declarations {
    by_path: HashMap<PathBuf, Declaration>,
}

/// A declarations file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {cause}")]
pub struct DeclarationsError {
    /// The file.
    pub path: String,
    /// Why, by cause.
    pub cause: DeclarationsCause,
}

/// Why a declarations file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeclarationsCause {
    /// The file cannot be read as text.
    #[error("cannot read it: {0}")]
    Read(std::io::Error),
    /// A `.json` file that is not an array of `{path, ai}` objects.
    #[error("not a JSON array of {{path, ai}}: {0}")]
    NotJsonArray(serde_json::Error),
    /// The CSV header row cannot be read.
    #[error("header: {0}")]
    CsvHeader(csv::Error),
    /// A CSV row cannot be read.
    #[error("line {line}: {source}")]
    CsvRow {
        /// Its line number, from 1 (the header).
        line: usize,
        /// The CSV reader's error.
        source: csv::Error,
    },
    /// A CSV row without a `path` or an `ai` value.
    #[error("line {line}: needs `path` and `ai` columns (header: path,ai[,note])")]
    MissingColumns {
        /// Its line number, from 1 (the header).
        line: usize,
    },
    /// An `ai` value that says neither yes nor no.
    #[error("{path}: `ai` must be true/false, yes/no or an IPTC digital source type, not {value}")]
    BadAi {
        /// The row's path.
        path: String,
        /// The value given.
        value: serde_json::Value,
    },
}

#[derive(Deserialize)]
struct Row {
    path: String,
    ai: serde_json::Value,
    #[serde(default)]
    note: Option<String>,
}

impl Declarations {
    /// Reads a `.csv` or `.json` declarations file.
    pub fn load(file: &Path) -> Result<Self, DeclarationsError> {
        let err = |cause| DeclarationsError {
            path: file.display().to_string(),
            cause,
        };
        let text = std::fs::read_to_string(file).map_err(|e| err(DeclarationsCause::Read(e)))?;
        let json = file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let base = file.parent().unwrap_or(Path::new("."));
        Self::parse(&text, json, base).map_err(err)
    }

    /// Parses the text of a declarations file (JSON when `json`, else CSV);
    /// paths are relative to `base`. The error is the message alone.
    pub(crate) fn parse(text: &str, json: bool, base: &Path) -> Result<Self, DeclarationsCause> {
        let rows: Vec<Row> = if json {
            serde_json::from_str(text).map_err(DeclarationsCause::NotJsonArray)?
        } else {
            let mut reader = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            let mut rows = Vec::new();
            let headers = reader
                .headers()
                .map_err(DeclarationsCause::CsvHeader)?
                .clone();
            for (i, rec) in reader.records().enumerate() {
                let line = i + 2;
                let rec = rec.map_err(|source| DeclarationsCause::CsvRow { line, source })?;
                let get = |name: &str| {
                    headers
                        .iter()
                        .position(|h| h.eq_ignore_ascii_case(name))
                        .and_then(|i| rec.get(i))
                        .map(str::to_string)
                };
                let (Some(path), Some(ai)) = (get("path"), get("ai")) else {
                    return Err(DeclarationsCause::MissingColumns { line });
                };
                rows.push(Row {
                    path,
                    ai: serde_json::Value::String(ai),
                    note: get("note").filter(|n| !n.is_empty()),
                });
            }
            rows
        };
        let mut by_path = HashMap::new();
        for row in rows {
            let Some(ai) = parse_ai(&row.ai) else {
                return Err(DeclarationsCause::BadAi {
                    path: row.path,
                    value: row.ai,
                });
            };
            by_path.insert(
                normalise(&base.join(&row.path)),
                Declaration { ai, note: row.note },
            );
        }
        Ok(Self { by_path })
    }

    /// The declaration for `path`, if any.
    pub fn get(&self, path: &Path) -> Option<&Declaration> {
        self.by_path.get(&normalise(path))
    }

    /// How many files are declared.
    pub fn len(&self) -> usize {
        self.by_path.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }
}

fn parse_ai(v: &serde_json::Value) -> Option<bool> {
    match v {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => {
            let s = s.trim();
            match s.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" | "ai" => Some(true),
                "false" | "no" | "n" | "0" | "none" => Some(false),
                _ if s.contains('/') || s.chars().all(|c| c.is_ascii_alphabetic()) => {
                    let uri = if s.contains('/') {
                        s.to_string()
                    } else {
                        format!("{}{s}", tamga_label::IPTC_DST_BASE)
                    };
                    tamga_label::AiInvolvement::from_iptc(&uri)
                        .map(|_| true)
                        .or_else(|| is_known_non_ai(s).then_some(false))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Non-AI IPTC digital source types a declaration may give.
fn is_known_non_ai(s: &str) -> bool {
    let term = s.rsplit('/').next().unwrap_or(s);
    [
        "digitalCapture",
        "computationalCapture",
        "negativeFilm",
        "positiveFilm",
        "print",
        "humanEdits",
        "composite",
        "minorHumanEdits",
        "dataDrivenMedia",
        "digitalArt",
        "virtualRecording",
        "compositeCapture",
    ]
    .contains(&term)
}

/// An absolute path with `.` and `..` resolved lexically (the files may
/// not all exist, and symlinks must not make two names of one file differ
/// from what the uploader wrote).
fn normalise(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json_declarations_are_read_relative_to_their_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let csv = dir.join("batch.csv");
        std::fs::write(
            &csv,
            "\u{feff}path,ai,note\na.jpg,yes,made with a model\nsub/b.png, trainedAlgorithmicMedia ,\nc.wav,digitalCapture,\n",
        )
        .unwrap();
        let d = Declarations::load(&csv).unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(
            d.get(&dir.join("./a.jpg")),
            Some(&Declaration {
                ai: true,
                note: Some("made with a model".into())
            })
        );
        assert!(d.get(&dir.join("sub/../sub/b.png")).unwrap().ai);
        assert!(!d.get(&dir.join("c.wav")).unwrap().ai);
        assert!(d.get(&dir.join("x.jpg")).is_none());

        let json = dir.join("batch.json");
        std::fs::write(&json, r#"[{"path":"a.jpg","ai":false},{"path":"b.md","ai":"http://cv.iptc.org/newscodes/digitalsourcetype/compositeSynthetic"}]"#).unwrap();
        let d = Declarations::load(&json).unwrap();
        assert!(!d.get(&dir.join("a.jpg")).unwrap().ai);
        assert!(d.get(&dir.join("b.md")).unwrap().ai);
    }

    #[test]
    fn bad_declarations_are_one_line_errors_naming_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for (name, body, want) in [
            ("x.csv", "file,ai\na.jpg,yes\n", "needs `path` and `ai`"),
            ("y.csv", "path,ai\na.jpg,perhaps\n", "`ai` must be"),
            ("z.json", "{\"path\":1}", "not a JSON array"),
        ] {
            let p = dir.join(name);
            std::fs::write(&p, body).unwrap();
            let e = Declarations::load(&p).unwrap_err().to_string();
            assert!(e.contains(name) && e.contains(want), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn each_bad_declaration_has_its_cause() {
        let base = Path::new("/d");
        let cause = |text: &str, json: bool| Declarations::parse(text, json, base).unwrap_err();
        assert!(matches!(
            cause("file,ai\na.jpg,yes\n", false),
            DeclarationsCause::MissingColumns { line: 2 }
        ));
        assert!(matches!(
            cause("path,ai\na.jpg,perhaps\n", false),
            DeclarationsCause::BadAi { path, .. } if path == "a.jpg"
        ));
        assert!(matches!(
            cause("path,ai\na.jpg,yes,extra\n", false),
            DeclarationsCause::CsvRow { line: 2, .. }
        ));
        assert!(matches!(
            cause("{\"path\":1}", true),
            DeclarationsCause::NotJsonArray(_)
        ));
        let missing = Declarations::load(Path::new("/no/such/declarations.csv")).unwrap_err();
        assert!(matches!(missing.cause, DeclarationsCause::Read(_)));
    }
}
