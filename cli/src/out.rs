//! Writing for people: what tamga prints to the terminal.
//!
//! File names and messages come from strangers. A name holding an escape
//! sequence once changed the terminal's colours, so control characters are
//! shown escaped (`\x1b`), never sent raw. And a reader that goes away
//! (`tamga verify … | head -1`) is not an error: each write returns the
//! broken pipe as an `io::Error`, which `main` turns into a quiet exit 0,
//! as ripgrep does, instead of the panic `println!` would raise.

use std::{
    borrow::Cow,
    fmt::Write as _,
    io::{self, Write as _},
    path::Path,
};

/// Prints a line to standard output, with control characters escaped.
macro_rules! outln {
    () => { $crate::out::line("") };
    ($($arg:tt)*) => { $crate::out::line(&format!($($arg)*)) };
}
pub(crate) use outln;

/// Prints a line to standard error, with control characters escaped.
macro_rules! eoutln {
    ($($arg:tt)*) => { $crate::out::error_line(&format!($($arg)*)) };
}
pub(crate) use eoutln;

/// Writes `text` and a newline to standard output, escaping control
/// characters other than line breaks and tabs (which layout needs).
pub(crate) fn line(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(escape(text, &['\n', '\t']).as_bytes())?;
    stdout.write_all(b"\n")
}

/// Writes `text` and a newline to standard error, escaped like [`line`].
/// A closed standard error is ignored: nothing sensible is left to do, and
/// the work itself (and its report on standard output) is not affected.
pub(crate) fn error_line(text: &str) -> io::Result<()> {
    let _ = writeln!(io::stderr().lock(), "{}", escape(text, &['\n', '\t']));
    Ok(())
}

/// A path as shown in a terminal: lossy where it is not UTF-8, and with
/// every control character escaped, line breaks too, so a crafted name
/// cannot forge a line of the report.
pub(crate) fn shown(path: &Path) -> String {
    escape(&path.to_string_lossy(), &[]).into_owned()
}

/// `text` with control characters (C0, DEL, C1) written as `\xNN`, except
/// those in `keep`.
fn escape<'a>(text: &'a str, keep: &[char]) -> Cow<'a, str> {
    let risky = |c: char| c.is_control() && !keep.contains(&c);
    if !text.chars().any(risky) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if risky(c) {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_text_is_kept() {
        assert_eq!(escape("plain ü.jpg", &[]), "plain ü.jpg");
        assert_eq!(escape("a\x1b[31mred.jpg", &[]), "a\\x1b[31mred.jpg");
        assert_eq!(escape("x\u{9b}y\x7f", &[]), "x\\x9by\\x7f");
        assert_eq!(escape("two\nlines\tok", &['\n', '\t']), "two\nlines\tok");
        assert_eq!(
            shown(Path::new("fake\ntrusted.jpg")),
            "fake\\x0atrusted.jpg"
        );
    }
}
