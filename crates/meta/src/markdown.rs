//! Markdown: the AIGC label as the `AIGC` key of the YAML front matter, the
//! place static-site generators and CMSs keep per-document metadata.
//!
//! The value is a single-quoted YAML scalar: the label's JSON has no single
//! quotes (GB 45438 values exclude them), so it needs no escaping.

use crate::{AigcPlace, Container, Found, MetaError};

const FENCE: &str = "---";

/// The front matter's line range (between the fences) and where the body
/// starts, if the text has front matter.
fn front_matter(text: &str) -> Option<(usize, usize, usize)> {
    let first = text.strip_prefix('\u{feff}').unwrap_or(text);
    let after_open = first.strip_prefix(FENCE)?;
    let after_open = after_open
        .strip_prefix("\r\n")
        .or_else(|| after_open.strip_prefix('\n'))?;
    let start = text.len() - after_open.len();
    let mut at = start;
    for line in after_open.split_inclusive('\n') {
        if matches!(line.trim_end(), "---" | "...") {
            return Some((start, at, at + line.len()));
        }
        at += line.len();
    }
    None
}

fn is_aigc_line(line: &str) -> bool {
    line.trim_start()
        .strip_prefix("AIGC")
        .is_some_and(|rest| rest.trim_start().starts_with(':'))
}

pub(crate) fn write(input: &[u8], aigc: Option<&str>) -> Result<Vec<u8>, MetaError> {
    let Some(aigc) = aigc else {
        return Ok(input.to_vec());
    };
    let text = std::str::from_utf8(input).map_err(|source| MetaError::NotUtf8 {
        container: Container::Markdown,
        source,
    })?;
    let line = format!("AIGC: '{aigc}'\n");
    let mut out = String::with_capacity(text.len() + line.len() + 8);
    match front_matter(text) {
        Some((start, end, _)) => {
            out.push_str(&text[..start]);
            for l in text[start..end].split_inclusive('\n') {
                if !is_aigc_line(l) {
                    out.push_str(l);
                }
            }
            out.push_str(&line);
            out.push_str(&text[end..]);
        }
        None => {
            out.push_str("---\n");
            out.push_str(&line);
            out.push_str("---\n");
            out.push_str(text);
        }
    }
    Ok(out.into_bytes())
}

pub(crate) fn read(input: &[u8], found: &mut Found) {
    let text = String::from_utf8_lossy(input);
    let Some((start, end, _)) = front_matter(&text) else {
        return;
    };
    for l in text[start..end].lines().filter(|l| is_aigc_line(l)) {
        let value = l.split_once(':').map_or("", |(_, v)| v).trim();
        let value = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .map(|v| v.replace("''", "'"))
            .unwrap_or_else(|| value.to_owned());
        found.add_aigc(AigcPlace::FrontMatter, value);
    }
}
