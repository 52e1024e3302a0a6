//! `tamga --version`: tamga's version, the c2pa library it signs and
//! verifies with, and the optional pieces it looks for at run time. Those
//! are only named here, never loaded: loading libheif pulls in its codecs
//! and costs start-up time every command would pay.

use std::sync::LazyLock;

/// `-V`: one line.
pub(crate) fn short() -> &'static str {
    static SHORT: LazyLock<String> = LazyLock::new(|| {
        format!(
            "{} (c2pa {})",
            env!("CARGO_PKG_VERSION"),
            tamga_label::C2PA_VERSION
        )
    });
    &SHORT
}

/// `--version`: the line, then what is looked up when a file needs it.
pub(crate) fn long() -> &'static str {
    static LONG: LazyLock<String> = LazyLock::new(|| {
        format!(
            "{}\n\
             Looked up at run time, only when a file needs them:\n  \
             libheif 1.14+  notices on HEIC/AVIF images (TAMGA_LIBHEIF names its file; default libheif.so.1)\n  \
             ffmpeg         notices on M4A audio (TAMGA_FFMPEG, else on PATH)\n  \
             cjxl           lossy JPEG XL notices (TAMGA_CJXL, else on PATH)",
            short()
        )
    });
    &LONG
}
