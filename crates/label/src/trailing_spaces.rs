//! Spaces at line ends, removed: editors, chat apps and `git` hooks trim
//! them, and Markdown uses two of them for a line break, so a labelled
//! Markdown text often loses them on the way. The signed bytes cannot be
//! rebuilt in general (nothing says which lines had how many), but the
//! usual patterns can be tried, and otherwise the shape of the change (the
//! text shorter, no line ending in a space any more) points to it.

/// How many spaces a line break's trailing run is tried with (Markdown
/// uses two; some editors indent with up to four).
const MAX_RUN: usize = 4;

/// The text as it may have been before its line ends were trimmed, with
/// what was done to it in words: `k` spaces put back on every line, or only
/// on lines followed by another line of text (where Markdown line breaks
/// go), for `k` in 1..=4. Only candidates `signed_len` bytes long (the
/// length that was signed) are built.
pub(crate) fn restorations(text: &[u8], signed_len: usize) -> Vec<(Vec<u8>, String)> {
    let mut out = Vec::new();
    if !probably_trimmed(text) {
        return out;
    }
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    for k in 1..=MAX_RUN {
        for breaks_only in [true, false] {
            let lines_changed = (0..lines.len().saturating_sub(1))
                .filter(|&i| {
                    !is_blank(lines[i])
                        && (!breaks_only || lines.get(i + 1).is_some_and(|n| !is_blank(n)))
                })
                .count();
            if text.len() + lines_changed * k != signed_len {
                continue;
            }
            let mut candidate = Vec::with_capacity(text.len() + lines.len() * k);
            let mut changed = 0;
            for (i, line) in lines.iter().enumerate() {
                let last = i + 1 == lines.len();
                let next_has_text = lines.get(i + 1).is_some_and(|n| !is_blank(n));
                let (body, cr) = match line.strip_suffix(b"\r") {
                    Some(b) => (b, true),
                    None => (*line, false),
                };
                candidate.extend_from_slice(body);
                if !last && !is_blank(body) && (!breaks_only || next_has_text) {
                    candidate.extend(std::iter::repeat_n(b' ', k));
                    changed += 1;
                }
                if cr {
                    candidate.push(b'\r');
                }
                if !last {
                    candidate.push(b'\n');
                }
            }
            if changed > 0 {
                let what = if breaks_only {
                    format!("{k} on each of {changed} lines followed by another, as Markdown line breaks")
                } else {
                    format!("{k} on each of {changed} lines")
                };
                out.push((candidate, what));
            }
        }
    }
    out
}

/// Whether `text`, `missing` bytes shorter than what was signed, looks
/// trimmed: no line ends in a space or tab, and no more is missing than a
/// few spaces on every line break.
pub(crate) fn looks_trimmed(text: &[u8], missing: usize) -> bool {
    let breaks = text.iter().filter(|&&b| b == b'\n').count();
    missing > 0 && missing <= breaks * MAX_RUN && probably_trimmed(text)
}

/// Whether the text could have been trimmed: it has several lines and none
/// of them ends in a space or tab.
fn probably_trimmed(text: &[u8]) -> bool {
    let mut lines = text.split(|&b| b == b'\n').peekable();
    let mut count = 0;
    while let Some(line) = lines.next() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if lines.peek().is_some() && matches!(line.last(), Some(b' ' | b'\t')) {
            return false;
        }
        count += 1;
    }
    count > 1
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_line_breaks_are_put_back_where_they_go() {
        let signed = b"Roses are red,  \nviolets are blue.  \nfor you.\n\nNext.\n";
        let trimmed = b"Roses are red,\nviolets are blue.\nfor you.\n\nNext.\n";
        let found = restorations(trimmed, signed.len());
        let hit = found.iter().find(|(c, _)| c == signed).map(|(_, w)| w);
        assert_eq!(
            hit.map(String::as_str),
            Some("2 on each of 2 lines followed by another, as Markdown line breaks")
        );
    }

    #[test]
    fn a_text_with_trailing_spaces_left_is_not_taken_for_trimmed() {
        assert!(!probably_trimmed(b"a  \nb\n"));
        assert!(!probably_trimmed(b"one line"));
        assert!(probably_trimmed(b"a\r\nb\r\n"));
        assert!(restorations(b"a  \nb\n", 9).is_empty());
        assert!(looks_trimmed(b"a\nb\nc\n", 5));
        assert!(!looks_trimmed(b"a\nb\nc\n", 500), "a cut, not a trim");
    }
}
