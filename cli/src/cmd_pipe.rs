//! `tamga label -` and `tamga verify -`: one text through a pipe, so a CMS
//! can label copy without temporary files.

use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::{bail, Context as _, Result};
use tamga_label::{AiDisclosure, InputLimits, Labeller, MediaFormat, Verifier};

use crate::out::eoutln;
use tamga_label::VerifyEntry as Entry;

/// The name a piped text goes by in manifests, reports and errors.
const STDIN_NAME: &str = "<stdin>";

/// Whether the arguments ask for standard input; `-` must then be alone.
pub(crate) fn wants_stdin(paths: &[PathBuf]) -> Result<bool> {
    let dash = paths.iter().filter(|p| p.as_os_str() == "-").count();
    match (dash, paths.len()) {
        (0, _) => Ok(false),
        (1, 1) => Ok(true),
        _ => bail!("`-` (standard input) must be the only input"),
    }
}

/// A piped input is text: the wrapper format is the one tamga can place
/// without a file. `--format` may say Markdown.
fn text_format(format: Option<MediaFormat>) -> Result<MediaFormat> {
    match format {
        None => Ok(MediaFormat::Text),
        Some(f) if f.is_text() => Ok(f),
        Some(f) => bail!("standard input can only carry text (--format text or markdown), not {f}"),
    }
}

/// Reads standard input, stopping one byte past the text limit so an
/// endless pipe cannot exhaust memory (the library then reports the size).
fn read_stdin() -> Result<Vec<u8>> {
    let limit = InputLimits::default().max_text_bytes;
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut buf)
        .context("<stdin>: cannot read")?;
    Ok(buf)
}

/// Labels standard input to standard output (or `-o FILE`). Everything
/// but the text goes to standard error, so the pipe carries only the text.
pub(crate) fn label(
    labeller: &Labeller,
    disclosure: &AiDisclosure,
    format: Option<MediaFormat>,
    output: Option<&Path>,
    json: bool,
) -> Result<ExitCode> {
    let format = text_format(format)?;
    let input = read_stdin()?;
    let labelled = match labeller.label_text(STDIN_NAME, &input, format, disclosure) {
        Ok(l) => l,
        Err(e) => {
            eoutln!("tamga: {}", crate::advice::label_error(&e))?;
            return Ok(ExitCode::from(1));
        }
    };
    for w in &labelled.warnings {
        eoutln!("tamga: warning: {STDIN_NAME}: {w}")?;
    }
    let output = output.filter(|o| o.as_os_str() != "-");
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&labelled.bytes)?;
            out.flush()?;
        }
        Some(path) => tamga_label::write_bytes_atomically(
            path,
            &labelled.bytes,
            tamga_label::FileMode::Usual,
        )?,
    }
    if json {
        let mut doc = serde_json::json!({
            "schema": "tamga.label/1",
            "labelled": [{
                "input": STDIN_NAME,
                "output": output.map_or("<stdout>".into(), |o| o.display().to_string()),
                "format": format,
                "kept_previous_manifest": labelled.kept_previous_manifest,
                "warnings": labelled.warnings,
            }],
            "failed": [],
        });
        if let Some(r) = &labelled.registered {
            doc["labelled"][0]["registered"] = serde_json::to_value(r)?;
        }
        eoutln!("{}", serde_json::to_string_pretty(&doc)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Verifies standard input as text.
pub(crate) fn verify(verifier: &Verifier, format: Option<MediaFormat>) -> Result<Entry> {
    let format = text_format(format)?;
    let input = read_stdin()?;
    Ok(crate::advice::entry(Entry::from_result(
        STDIN_NAME.into(),
        verifier.verify_text(STDIN_NAME, &input, format),
    )))
}
