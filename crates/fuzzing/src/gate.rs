//! The gate's policy TOML and declarations files, and the service's
//! sanitising of uploaded file names.

use tamga_gate::{fuzzing, policy::line_column, Policy};
use tamga_media::MediaFormat;
use tamga_server::upload::sanitize;

use crate::split;

/// Any text as a policy: an error or a policy that answers for every
/// format; and every byte offset maps to a line and column inside the text.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(policy) = Policy::from_toml(text, "fuzz") {
        for format in MediaFormat::ALL {
            let _ = policy.label_required(Some(format));
            let _ = policy.notice_required(Some(format));
        }
        let _ = policy.label_required(None);
    }
    let lines = text.matches('\n').count() + 1;
    for offset in [0, text.len() / 2, text.len(), text.len() + 1] {
        let (line, column) = line_column(text, offset);
        assert!(line >= 1 && line <= lines && column >= 1, "{offset}");
    }
}

/// Any text as a CSV or JSON declarations file (the first byte picks):
/// an error or declarations that can be looked up, a CSV one with no
/// more rows than it has lines.
pub fn declarations(data: &[u8]) {
    let Some((pick, body)) = split(data) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let json = pick & 1 == 1;
    if let Ok(d) = fuzzing::declarations(text, json) {
        let _ = d.get(std::path::Path::new("/declared/a.png"));
        if !json {
            // A CSV row takes at least one line, after the header's.
            let lines = text.split(['\n', '\r']).count();
            assert!(
                d.len() < lines.max(1),
                "{} rows from {lines} lines",
                d.len()
            );
        }
    }
}

/// An uploaded file's name reduced for reports: never empty, a base name
/// (no separators, no control characters, not hidden), at most 120
/// characters, and sanitising it again changes nothing.
pub fn upload_name(data: &[u8]) {
    let name = String::from_utf8_lossy(data);
    let clean = sanitize(&name);
    assert!(!clean.is_empty());
    assert!(!clean.contains(['/', '\\']), "{clean:?}");
    assert!(!clean.chars().any(char::is_control), "{clean:?}");
    assert!(!clean.starts_with('.'), "{clean:?}");
    assert!(clean.chars().count() <= 120, "{clean:?}");
    assert_eq!(sanitize(&clean), clean, "not idempotent");
}
