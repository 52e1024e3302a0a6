//! `tamga check` on unlabelled images carrying the Stable Diffusion
//! watermark, embedded by the real `invisible-watermark` package
//! (`tests/interop/sd_watermark.py`): suspected AI, with the evidence
//! named; an unmarked image gets no such evidence.

use std::process::Command;

use serde_json::Value;

use crate::util::{python, root, text, Sandbox};

/// Whether the venv has invisible-watermark; in CI it must.
fn have_imwatermark() -> bool {
    let probe = "import sys, types; sys.modules.setdefault('torch', types.ModuleType('torch')); \
                 import imwatermark, cv2, pywt";
    let ok = Command::new(python())
        .args(["-c", probe])
        .output()
        .is_ok_and(|o| o.status.success());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        ok || !ci,
        "invisible-watermark is missing; .ci/run installs it"
    );
    if !ok {
        eprintln!(
            "SKIPPED: invisible-watermark is missing in the venv; CI=true makes this a failure"
        );
    }
    ok
}

#[test]
fn an_sd_marked_unlabelled_image_is_suspected_ai_and_an_unmarked_one_is_not() {
    if !have_imwatermark() {
        return;
    }
    let sb = Sandbox::new();
    let dir = sb.path("marked");
    let out = Command::new(python())
        .arg(root().join("tests/interop/sd_watermark.py"))
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for (file, payload) in [
        ("sdxl-float-0.png", "SDXL"),
        ("sdv2-uint8-1.png", "SDV2"),
        ("sdv1-uint8-2.png", "StableDiffusionV1"),
    ] {
        for policy in ["cn", "kz"] {
            let path = dir.join(file);
            let o = sb.run(&[
                "check",
                "--policy",
                policy,
                "--json",
                path.to_str().unwrap(),
            ]);
            let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
            let f = &doc["files"][0];
            assert_eq!(f["ai"]["certainty"], "suspected", "{file} {policy}: {f}");
            assert_eq!(f["ai"]["basis"], "sd-watermark", "{file} {policy}: {f}");
            let evidence = f["evidence"].as_array().unwrap();
            let sd = evidence
                .iter()
                .find(|e| e["kind"] == "sd-watermark")
                .unwrap_or_else(|| panic!("{file}: {f}"));
            let detail = sd["detail"].as_str().unwrap();
            assert!(
                detail.starts_with("suspected AI (Stable Diffusion watermark)")
                    && detail.contains(&format!("payload {payload},")),
                "{detail}"
            );
            assert_eq!(sd["certainty"], "suspected");
            assert!(sd["confidence"].as_f64().unwrap() > 0.9, "{sd}");
            // Unlabelled AI content is not published as it is.
            assert_ne!(f["verdict"], "publish", "{f}");
        }
    }
    let plain = dir.join("plain0.png");
    let o = sb.run(&["check", "--policy", "cn", "--json", plain.to_str().unwrap()]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &doc["files"][0];
    assert!(f["ai"].get("certainty").is_none(), "{f}");
    assert_eq!(f["evidence"].as_array().unwrap().len(), 0, "{f}");
}
