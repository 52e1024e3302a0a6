//! Expanding command-line paths into files, and mapping them to outputs.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

/// One file to process: where it is, and its path relative to the argument
/// it came from (for mirroring a folder tree into an output folder).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) path: PathBuf,
    pub(crate) relative: PathBuf,
}

impl Item {
    /// A file named on its own: its relative path is its name.
    pub(crate) fn named(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            relative: path
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| path.to_path_buf()),
        }
    }
}

/// Files named directly, and every file under named directories.
///
/// In directories, hidden files (tamga's temporary files among them) and
/// `.c2pa` sidecars (read with the file they describe) are left out by rule;
/// every other entry is accounted for. Symbolic links are followed, to
/// files and to directories alike, with loops detected; whatever cannot be
/// read as a file (a FIFO, a socket, a device, a dangling link, a loop, an
/// unreadable folder) is an `Err` item with the reason, so a batch reports
/// it and goes on: nothing in a tree is skipped without a line.
/// A file named directly is always taken; the library refuses it if it is
/// not a regular file.
pub(crate) fn expand(paths: &[PathBuf]) -> Vec<Result<Item, (PathBuf, String)>> {
    walk(paths, false)
}

/// Whether an input named on the command line does not exist (nor, for a
/// glob pattern, matches anything). The exit-code table makes that an I/O
/// error, 2, in every command, whatever else the batch did: a typo in a
/// path is not a file that failed its check.
pub(crate) fn any_missing(paths: &[PathBuf]) -> bool {
    paths.iter().any(|p| {
        if p.as_os_str() == "-" || std::fs::symlink_metadata(p).is_ok() {
            return false;
        }
        let text = p.to_string_lossy();
        !(text.contains(['*', '?', '[']) && glob::glob(&text).is_ok_and(|mut m| m.next().is_some()))
    })
}

/// As [`expand`], for the gate: glob patterns are expanded (for shells and
/// CI systems that do not), and directories honour `.gitignore` and
/// `.ignore` files, so a publishing tree can keep drafts out of a check.
pub(crate) fn expand_for_check(paths: &[PathBuf]) -> Vec<Result<Item, (PathBuf, String)>> {
    let mut expanded = Vec::new();
    let mut out = Vec::new();
    for p in paths {
        let text = p.to_string_lossy();
        if p.exists() || !text.contains(['*', '?', '[']) {
            expanded.push(p.clone());
            continue;
        }
        match glob::glob(&text) {
            Ok(matches) => {
                let before = expanded.len();
                for m in matches {
                    match m {
                        Ok(path) => expanded.push(path),
                        Err(e) => out.push(Err((e.path().to_path_buf(), e.error().to_string()))),
                    }
                }
                if expanded.len() == before {
                    out.push(Err((p.clone(), "no file matches this pattern".into())));
                }
            }
            Err(e) => out.push(Err((p.clone(), format!("not a valid pattern: {e}")))),
        }
    }
    out.extend(walk(&expanded, true));
    out
}

/// The walk behind both: `ignore` (ripgrep's walker) with or without the
/// ignore files.
fn walk(paths: &[PathBuf], honour_ignore_files: bool) -> Vec<Result<Item, (PathBuf, String)>> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            out.push(Ok(Item::named(p)));
            continue;
        }
        let walker = ignore::WalkBuilder::new(p)
            .follow_links(true)
            .hidden(true)
            .git_ignore(honour_ignore_files)
            .git_exclude(honour_ignore_files)
            .git_global(false)
            .ignore(honour_ignore_files)
            .parents(honour_ignore_files)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    out.push(Err(walk_error(p, &err)));
                    continue;
                }
            };
            let path = entry.path();
            // With links followed, this is the type of what a link points to.
            match entry.file_type() {
                Some(t) if t.is_dir() => {}
                Some(t) if t.is_file() => {
                    if path.extension().is_some_and(|x| x == "c2pa") {
                        continue;
                    }
                    let relative = path.strip_prefix(p).unwrap_or(path).to_path_buf();
                    out.push(Ok(Item {
                        path: path.to_path_buf(),
                        relative,
                    }));
                }
                Some(t) => out.push(Err((
                    path.to_path_buf(),
                    format!(
                        "not a regular file (it is a {}); not checked",
                        tamga_label::file_kind(&t)
                    ),
                ))),
                None => out.push(Err((path.to_path_buf(), "cannot tell what it is".into()))),
            }
        }
    }
    out
}

/// The entry a walk error stands for, and why it could not be read: the
/// path inside the tree where there is one, else the folder walked.
fn walk_error(root: &Path, err: &ignore::Error) -> (PathBuf, String) {
    match err {
        ignore::Error::WithPath { path, err } => {
            let why = match err.as_ref() {
                ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                    "a dangling symbolic link (what it points to does not exist); not checked"
                        .to_string()
                }
                other => format!("cannot be read: {}; not checked", io_words(other)),
            };
            (path.clone(), why)
        }
        ignore::Error::Loop { ancestor, child } => (
            child.clone(),
            format!(
                "a symbolic link loop (it leads back to {}); not checked",
                ancestor.display()
            ),
        ),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(root, err)
        }
        other => (
            root.to_path_buf(),
            format!("cannot be read: {}; not checked", io_words(other)),
        ),
    }
}

/// An error's words without the path `ignore` prefixes them with.
fn io_words(err: &ignore::Error) -> String {
    match err {
        ignore::Error::Io(io) => io.to_string(),
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => io_words(err),
        other => other.to_string(),
    }
}

/// Where each input's labelled version goes.
#[derive(Debug, Clone)]
pub(crate) enum OutputPlan {
    /// Replace each input.
    InPlace,
    /// One input, one named output file.
    File(PathBuf),
    /// Mirror the inputs' trees under this directory.
    Dir(PathBuf),
}

impl OutputPlan {
    /// Decides the plan from the flags and the inputs.
    pub(crate) fn new(output: Option<&Path>, in_place: bool, args: &[PathBuf]) -> Result<Self> {
        if in_place {
            return Ok(Self::InPlace);
        }
        let Some(output) = output else {
            bail!("say where the labelled files go: -o OUT, or --in-place to replace the inputs");
        };
        let single_file = args.len() == 1 && !args[0].is_dir();
        if single_file && !output.is_dir() {
            Ok(Self::File(output.to_path_buf()))
        } else {
            Ok(Self::Dir(output.to_path_buf()))
        }
    }

    /// The output path for one item.
    pub(crate) fn target(&self, item: &Item) -> PathBuf {
        match self {
            Self::InPlace => item.path.clone(),
            Self::File(f) => f.clone(),
            Self::Dir(d) => d.join(&item.relative),
        }
    }
}
