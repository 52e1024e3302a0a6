//! Where the separate programs and libraries some notices use are found:
//! ffmpeg (the AAC encoder for M4A, the video encoders) and ffprobe, cjxl (libjxl's encoder, for lossy
//! JPEG XL) and libheif (HEIC and AVIF badges).
//!
//! The caller says where they are (the CLI from its environment, the
//! server from its configuration): the library reads no environment, so
//! two callers in one process can use different tools, and a test can
//! point at a missing one without touching global state.

use std::{ffi::OsString, path::PathBuf};

/// One external program a notice may run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    program: OsString,
    setting: Option<String>,
}

impl Tool {
    /// The program `name`, looked up on `PATH` when run.
    pub fn on_path(name: &str) -> Self {
        Self {
            program: name.into(),
            setting: None,
        }
    }

    /// The program at `program` (a path, or a name looked up on `PATH`).
    pub fn at(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            setting: None,
        }
    }

    /// Names the setting a user changes to point at another program (an
    /// environment variable, a configuration key): a "not found" message
    /// then says to set it.
    pub fn set_by(mut self, setting: impl Into<String>) -> Self {
        self.setting = Some(setting.into());
        self
    }

    /// What to run.
    pub fn program(&self) -> &std::ffi::OsStr {
        &self.program
    }

    /// " or set SETTING", for the end of an "install it" sentence; empty
    /// when the caller named no setting.
    pub(crate) fn setting(&self) -> Option<String> {
        self.setting.clone()
    }

    /// " or set SETTING" (see [`Tool::setting`]).
    pub(crate) fn or_set(&self) -> String {
        self.setting
            .as_ref()
            .map(|s| format!(" or set {s}"))
            .unwrap_or_default()
    }
}

/// The external tools notices use.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tools {
    /// ffmpeg, for notices in M4A (its AAC encoder) and on video.
    pub ffmpeg: Tool,
    /// ffprobe (it comes with ffmpeg), to read a video before its notice.
    pub ffprobe: Tool,
    /// cjxl, to keep a lossy JPEG XL lossy; without it the badged image
    /// is written lossless.
    pub cjxl: Tool,
    /// Where to load libheif from for HEIC and AVIF badges; `None` asks
    /// the system's loader for `libheif.so.1`.
    pub libheif: Option<PathBuf>,
}

impl Default for Tools {
    /// `ffmpeg` and `cjxl` on `PATH`, the system's libheif.
    fn default() -> Self {
        Self {
            ffmpeg: Tool::on_path("ffmpeg"),
            ffprobe: Tool::on_path("ffprobe"),
            cjxl: Tool::on_path("cjxl"),
            libheif: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tool_names_its_setting_only_when_the_caller_gave_one() {
        assert_eq!(Tool::on_path("cjxl").or_set(), "");
        let t = Tool::at("/opt/cjxl").set_by("TAMGA_CJXL");
        assert_eq!(t.or_set(), " or set TAMGA_CJXL");
        assert_eq!(t.program(), "/opt/cjxl");
    }
}
