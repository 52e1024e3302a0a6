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

/// Files named directly, and every regular file under named directories.
/// Hidden files, tamga's temporary files and `.c2pa` sidecars are skipped in
/// directories (a named file is always taken). Unreadable paths become
/// `Err` items so a batch can report them and go on.
pub(crate) fn expand(paths: &[PathBuf]) -> Vec<Result<Item, (PathBuf, String)>> {
    walk(paths, false)
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
        if p.is_dir() {
            let walker = ignore::WalkBuilder::new(p)
                .follow_links(false)
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
                match entry {
                    Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                        if e.path().extension().is_some_and(|x| x == "c2pa") {
                            continue;
                        }
                        let relative = e.path().strip_prefix(p).unwrap_or(e.path()).to_path_buf();
                        out.push(Ok(Item {
                            path: e.path().to_path_buf(),
                            relative,
                        }));
                    }
                    Ok(_) => {}
                    Err(err) => out.push(Err((p.clone(), err.to_string()))),
                }
            }
        } else {
            out.push(Ok(Item::named(p)));
        }
    }
    out
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
