//! What the user can do about an error, in this command's flags: the
//! libraries say what happened and give a kind (`LabelError::kind`), and
//! only the CLI knows its own options. The server gives its own advice,
//! for API clients.

use tamga_gate::{PublishError, Reason, ReasonKind, ReportLang};
use tamga_keys::KeyError;
use tamga_label::{LabelError, Limit, MediaError, VerifyEntry, Warning};

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
        // Key errors (`KeyError::kind`).
        "no-keys" => {
            "create them with `tamga keys init --org \"…\"` or point --keys at a key directory"
        }
        "keys-exist" => "use another --dir, or delete them first",
        "password-required" => "give its password in TAMGA_KEY_PASSWORD",
        // A registration that failed: the file was left unwritten.
        "registry" => {
            "nothing was written; fix the registry (--registry URL, TAMGA_REGISTRY or [registry] \
             url in the config file) and run it again"
        }
        "registry-open" => {
            "check --registry (or TAMGA_REGISTRY, or [registry] url in the config file): \
             sqlite:PATH or postgres://user@host/db (docs/registry.md)"
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
        LabelError::Keys(k) => key_error(k),
        _ => with_advice(e.kind(), e.to_string()),
    }
}

/// A key error's line, with the advice for its kind.
pub(crate) fn key_error(e: &KeyError) -> String {
    with_advice(e.kind(), e.to_string())
}

/// Why `tamga publish` left a file out, with what to do about it: a file
/// the notice or a re-attached label would fix names the flags that make
/// those fixes.
pub(crate) fn publish_error(e: &PublishError) -> String {
    match e {
        PublishError::NeedsFix {
            notice_would_fix,
            reattach_would_fix,
            ..
        } => match (notice_would_fix, reattach_would_fix) {
            (true, false) => format!("{e} (give --fix to add the notice)"),
            (false, true) => format!("{e} (give --reattach to re-attach the stripped label)"),
            (true, true) => format!(
                "{e} (give --reattach --fix to re-attach the stripped label and add the notice)"
            ),
            (false, false) => e.to_string(),
        },
        PublishError::Label(e) => label_error(e),
        _ => e.to_string(),
    }
}

/// A labelling warning in this command's terms.
pub(crate) fn warning(w: &Warning) -> String {
    match w {
        Warning::AigcNotInSidecar => {
            "no AIGC label: with --sidecar the media file is left unchanged".into()
        }
        other => other.to_string(),
    }
}

/// `warnings` reworded in this command's terms, in place, so the JSON
/// report says what the terminal says.
pub(crate) fn word_warnings(warnings: &mut [Warning]) {
    for w in warnings {
        *w = Warning::Note(warning(w));
    }
}

/// What the reader of a check report can do about `reason`, in `lang`:
/// a missing notice is added by `tamga publish --fix`.
pub(crate) fn reason(lang: ReportLang, reason: &Reason) -> Option<&'static str> {
    match reason.kind {
        ReasonKind::NoticeMissing => Some(match lang {
            ReportLang::Kk => "(оны `tamga publish --fix` қосады)",
            ReportLang::Ru => "(его добавляет `tamga publish --fix`)",
            _ => "(`tamga publish --fix` adds one)",
        }),
        ReasonKind::PersonalData { .. } => Some(match lang {
            ReportLang::Kk => "(`tamga inspect --privacy` тізімін көрсетеді)",
            ReportLang::Ru => "(список: `tamga inspect --privacy`)",
            _ => "(`tamga inspect --privacy` lists them)",
        }),
        _ => None,
    }
}

/// A reason's English message for the terminal, with its advice.
pub(crate) fn reason_line(r: &Reason) -> String {
    match reason(ReportLang::En, r) {
        Some(a) => format!("{} {a}", r.message),
        None => r.message.clone(),
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

    #[test]
    fn a_file_the_notice_would_fix_names_the_flag_that_adds_it() {
        let needs = |notice_would_fix, reattach_would_fix| PublishError::NeedsFix {
            path: "in/x.png".into(),
            reasons: "no notice".into(),
            notice_would_fix,
            reattach_would_fix,
        };
        assert_eq!(
            publish_error(&needs(true, false)),
            "in/x.png: needs fixing before it may be published: no notice (give --fix to add \
             the notice)"
        );
        assert!(!publish_error(&needs(false, false)).contains("--"));
        let reattach = publish_error(&needs(false, true));
        assert!(
            reattach.ends_with("(give --reattach to re-attach the stripped label)"),
            "{reattach}"
        );
        let both = publish_error(&needs(true, true));
        assert!(both.contains("--reattach --fix"), "{both}");
    }

    #[test]
    fn a_sidecar_without_the_aigc_label_names_the_flag() {
        let mut warnings = vec![
            Warning::AigcNotInSidecar,
            Warning::AigcNoField {
                format: tamga_label::MediaFormat::Text,
            },
        ];
        word_warnings(&mut warnings);
        let texts: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "no AIGC label: with --sidecar the media file is left unchanged",
                "no AIGC label: text has no metadata field to carry it",
            ]
        );
    }

    #[test]
    fn a_missing_notice_names_the_command_that_adds_it_in_each_language() {
        let r = Reason {
            rule: tamga_gate::RuleId::Notice,
            verdict: tamga_gate::GateVerdict::Fix,
            message: "AI content without a perceivable notice recorded in its label".into(),
            clause: "c".into(),
            kind: ReasonKind::NoticeMissing,
        };
        assert_eq!(
            reason_line(&r),
            "AI content without a perceivable notice recorded in its label (`tamga publish \
             --fix` adds one)"
        );
        for (_, lang) in ReportLang::ALL {
            let a = reason(lang, &r).unwrap_or_default();
            assert!(a.contains("`tamga publish --fix`"), "{lang:?}: {a}");
        }
        let other = Reason {
            kind: ReasonKind::LabelMissing,
            ..r
        };
        assert_eq!(reason_line(&other), other.message);
    }

    #[test]
    fn key_errors_get_the_flags_and_commands_that_fix_them() {
        let dir = std::path::PathBuf::from("k");
        let e = KeyError::NoKeys { dir: dir.clone() };
        assert_eq!(
            key_error(&e),
            "k: no signing keys here; create them with `tamga keys init --org \"…\"` or point \
             --keys at a key directory"
        );
        // The same advice when the key error comes inside a labelling one.
        assert_eq!(
            label_error(&LabelError::Keys(e)),
            key_error(&KeyError::NoKeys { dir: dir.clone() })
        );
        let e = KeyError::AlreadyExists { dir: dir.clone() };
        assert!(
            key_error(&e).ends_with("; use another --dir, or delete them first"),
            "{e}"
        );
        let e = KeyError::PasswordRequired { path: dir };
        assert!(
            key_error(&e).ends_with("give its password in TAMGA_KEY_PASSWORD"),
            "{e}"
        );
    }
}
