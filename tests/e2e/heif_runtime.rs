//! libheif is opened at run time, only for HEIC/AVIF notices: the binary
//! links no codec library, and a machine without libheif still labels
//! HEIC and AVIF files, refusing only the notice, in one clear line.

use crate::util::{assert_ok, text, Sandbox};

/// The codec libraries libheif brings (and libstdc++ for x265/libde265).
const CODECS: [&str; 6] = ["libheif", "x265", "de265", "libaom", "dav1d", "libstdc++"];

#[cfg(target_os = "linux")]
#[test]
fn the_tamga_binary_links_no_codec_library() {
    // ldd lists every library the loader maps at start-up, direct or not.
    let o = std::process::Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_tamga"))
        .output()
        .expect("ldd runs");
    let listed = text(&o.stdout);
    assert!(o.status.success() && listed.contains("libc.so"), "{listed}");
    for codec in CODECS {
        assert!(!listed.contains(codec), "tamga links {codec}:\n{listed}");
    }
}

#[test]
fn without_libheif_a_heif_notice_says_what_to_install_and_plain_labels_work() {
    let sb = Sandbox::new();
    let keys = sb.keys();
    let missing = sb.path("nowhere/libheif.so.1");
    for sample in ["sample.heic", "sample.avif"] {
        let input = sb.copy_sample(sample);
        let out = sb.path(&format!("out-{sample}"));
        let label = |libheif: &std::path::Path, notice: bool| {
            let mut c = sb.cmd();
            c.env("TAMGA_LIBHEIF", libheif)
                .args(["label", "--ai", "generated", "--keys"])
                .arg(&keys)
                .arg(&input)
                .arg("-o")
                .arg(&out);
            if notice {
                c.arg("--notice");
            }
            c.output().unwrap()
        };

        let o = label(&missing, true);
        assert!(!o.status.success(), "{sample}: the notice cannot be made");
        let err = text(&o.stderr);
        assert!(
            err.contains("HEIC/AVIF notices need libheif 1.14+ (Debian: libheif1)")
                && err.contains(sample)
                && err.contains("nowhere/libheif.so.1"),
            "{sample}: {err}"
        );
        assert!(!out.exists(), "{sample}: nothing written");

        // Without a notice, libheif is not needed: c2pa embeds the label.
        assert_ok(&label(&missing, false));
        let (entry, code) = sb.verify(&out, true);
        assert_eq!(
            (entry["verdict"].as_str(), code),
            (Some("trusted"), 0),
            "{sample}: {entry}"
        );
        std::fs::remove_file(&out).unwrap();

        // The variable is what was tried: the system's name works.
        let o = label(std::path::Path::new("libheif.so.1"), true);
        assert_ok(&o);
        // The encoding note is a warning, on stderr.
        assert!(
            text(&o.stderr).contains("at quality"),
            "{sample}: {}",
            text(&o.stderr)
        );
        std::fs::remove_file(&out).unwrap();
    }
}
