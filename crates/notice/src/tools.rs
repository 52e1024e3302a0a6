//! Where the separate programs some notices run are found: ffmpeg (the
//! AAC encoder for M4A) and cjxl (libjxl's encoder, for lossy JPEG XL).
//! Each is looked up on `PATH` unless its environment variable names it.
//!
//! Both lookups are here, the only place the library reads the
//! environment for them, so that they can move to the caller together
//! (the library should be told where its tools are, not read it).

use std::ffi::OsString;

/// Environment variable naming the ffmpeg to run.
pub(crate) const FFMPEG_ENV: &str = "TAMGA_FFMPEG";

/// Environment variable naming the cjxl to run.
pub(crate) const CJXL_ENV: &str = "TAMGA_CJXL";

/// The ffmpeg to run.
pub(crate) fn ffmpeg() -> OsString {
    std::env::var_os(FFMPEG_ENV).unwrap_or_else(|| "ffmpeg".into())
}

/// The cjxl to run.
pub(crate) fn cjxl() -> OsString {
    std::env::var_os(CJXL_ENV).unwrap_or_else(|| "cjxl".into())
}
