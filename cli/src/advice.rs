//! What the user can do about an error, in this command's flags: the
//! libraries say what happened and give a kind (`LabelError::kind`), and
//! only the CLI knows its own options. The server gives its own advice,
//! for API clients.

use tamga_label::{LabelError, Limit, MediaError, VerifyEntry};

/// The advice for an error of `kind`, if the CLI has any.
pub(crate) fn advice(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "unknown-format" => "for UTF-8 text with another extension, use --format text",
        "not-utf8" => NOT_UTF8,
        "not-embeddable" => "use --sidecar to write a detached .c2pa manifest beside it",
        "would-overwrite-input" => "use --in-place or choose another output",
        "timeout" => {
            "raise the base with --timeout SECONDS or timeout_secs in the config file's [limits]"
        }
        _ => return None,
    })
}

/// For text in another encoding; the server says the same.
const NOT_UTF8: &str = "convert it to UTF-8 first, e.g. with iconv";

/// `message` with the advice for `kind` after it.
pub(crate) fn with_advice(kind: &str, message: String) -> String {
    match advice(kind) {
        Some(a) => format!("{message}; {a}"),
        None => message,
    }
}

/// A labelling error's line, with the advice for its kind; a passed
/// decoding limit names the flag that raises it.
pub(crate) fn label_error(e: &LabelError) -> String {
    match e {
        LabelError::Media(MediaError::LimitExceeded { limit, .. }) => {
            format!("{e} (raise it with {})", limit_flag(*limit))
        }
        _ => with_advice(e.kind(), e.to_string()),
    }
}

/// A verification report's entry, with advice on its error if it has one.
pub(crate) fn entry(entry: VerifyEntry) -> VerifyEntry {
    match entry {
        VerifyEntry::Error {
            path, kind, error, ..
        } if advice(kind).is_some() => VerifyEntry::error(path, kind, with_advice(kind, error)),
        other => other,
    }
}

/// The flag that raises `limit`, for advice after a refused file.
pub(crate) fn limit_flag(limit: Limit) -> &'static str {
    match limit {
        Limit::Pixels => "--max-pixels",
        Limit::DecodedBytes => "--max-decoded-mb",
        Limit::Frames => "--max-frames",
        _ => "--max-audio-seconds",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_gets_advice_on_raising_the_base() {
        let m = with_advice("timeout", "x.heic: the notice on 48 MP took longer".into());
        assert!(
            m.contains("--timeout SECONDS") && m.contains("timeout_secs"),
            "{m}"
        );
        assert_eq!(with_advice("io", "x: gone".into()), "x: gone");
    }

    #[test]
    fn media_causes_keep_their_kinds_and_advice_through_the_label_error() {
        let e = LabelError::Media(MediaError::NotUtf8 {
            path: "latin1.txt".into(),
            offset: 3,
        });
        assert_eq!(e.kind(), "not-utf8");
        assert_eq!(
            label_error(&e),
            "latin1.txt: not UTF-8 text (invalid byte at offset 3); convert it to UTF-8 \
             first, e.g. with iconv"
        );
        let e = LabelError::Media(MediaError::LimitExceeded {
            path: "big.png".into(),
            limit: Limit::Pixels,
            value: 2,
            max: 1,
        });
        assert_eq!(e.kind(), "limit-exceeded");
        assert!(
            label_error(&e).ends_with("(raise it with --max-pixels)"),
            "{e}"
        );
    }

    #[test]
    fn the_flags_the_library_no_longer_names_come_from_the_cli() {
        let path = std::path::PathBuf::from("a.bmp");
        let e = LabelError::NotEmbeddable {
            path: path.clone(),
            format: tamga_label::MediaFormat::Bmp,
        };
        assert!(!e.to_string().contains("--"), "{e}");
        assert_eq!(
            label_error(&e),
            "a.bmp: C2PA cannot embed a label inside bmp files; use --sidecar to write a \
             detached .c2pa manifest beside it"
        );
        let e = LabelError::Media(MediaError::UnknownFormat { path: path.clone() });
        assert!(label_error(&e).ends_with("use --format text"), "{e}");
        let e = LabelError::WouldOverwriteInput { path };
        assert!(label_error(&e).contains("use --in-place"), "{e}");
        let entry = super::entry(VerifyEntry::error(
            "x".into(),
            "unknown-format",
            "x: ?".into(),
        ));
        let VerifyEntry::Error { error, .. } = entry else {
            panic!("an error entry stays one")
        };
        assert!(error.ends_with("use --format text"), "{error}");
    }
}
