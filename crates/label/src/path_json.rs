//! File paths in JSON reports.
//!
//! JSON strings are Unicode; a Unix file name is any bytes. serde refuses a
//! path that is not UTF-8, and one such name once cost a whole batch its
//! report. Reports therefore carry every path twice when they must: `path`,
//! always a string (invalid bytes shown as U+FFFD, for people), and
//! `path_bytes` (`pathBytes` in the camelCase schemas), the exact bytes in
//! lowercase hex, present only when the name is not valid UTF-8 (for
//! programs: `bytes.fromhex(...)` in Python).
//!
//! Use with `#[serde(flatten, serialize_with = "path_json::fields")]` on a
//! `PathBuf` field named `path`, or `serialize_with = "path_json::lossy"` on
//! any other path.

use std::path::Path;

use serde::{ser::SerializeMap as _, Serializer};

/// The `path` and, for a name that is not UTF-8, `path_bytes` entries.
pub fn fields<S: Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    entries(path, "path_bytes", serializer)
}

/// [`fields`] for the camelCase schemas (`tamga.check/1`,
/// `tamga.publish/1`): `path` and `pathBytes`.
pub fn fields_camel<S: Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    entries(path, "pathBytes", serializer)
}

fn entries<S: Serializer>(
    path: &Path,
    bytes_key: &'static str,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let exact = exact_bytes(path);
    let mut map = serializer.serialize_map(Some(if exact.is_some() { 2 } else { 1 }))?;
    map.serialize_entry("path", &path.to_string_lossy())?;
    if let Some(hex) = exact {
        map.serialize_entry(bytes_key, &hex)?;
    }
    map.end()
}

/// A path as a string, lossily where it is not UTF-8.
pub fn lossy<S: Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string_lossy())
}

/// [`lossy`] for an optional path (use with `skip_serializing_if`).
pub fn lossy_opt<S: Serializer, P: AsRef<Path>>(
    path: &Option<P>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match path {
        Some(p) => lossy(p.as_ref(), serializer),
        None => serializer.serialize_none(),
    }
}

/// The path's bytes in hex when they are not valid UTF-8.
fn exact_bytes(path: &Path) -> Option<String> {
    if path.to_str().is_some() {
        return None;
    }
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt as _;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path.as_os_str().as_encoded_bytes().to_vec();
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde::Serialize;

    #[derive(Serialize)]
    struct Entry {
        #[serde(flatten, serialize_with = "super::fields")]
        path: PathBuf,
        verdict: &'static str,
    }

    #[test]
    fn a_utf8_path_is_a_plain_string() {
        let e = Entry {
            path: "a/ü.jpg".into(),
            verdict: "trusted",
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"path":"a/ü.jpg","verdict":"trusted"}"#
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_is_kept_exactly_beside_a_readable_one() {
        use std::{ffi::OsStr, os::unix::ffi::OsStrExt as _};
        let e = Entry {
            path: PathBuf::from(OsStr::from_bytes(b"d/x\xff.jpg")),
            verdict: "error",
        };
        let v: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(v["path"], "d/x\u{fffd}.jpg");
        assert_eq!(v["path_bytes"], "642f78ff2e6a7067");
        assert_eq!(v["verdict"], "error");
    }
}
