//! A poster frame: one frame of a video as a small JPEG, as a player shows
//! it (rotated), for the manifest's thumbnail and the HTML report. ffmpeg
//! decodes and scales it, as a separate process.

use std::{path::Path, process::Command};

use crate::{error::NoticeError, Tools};

/// The frame shown at 1 s (or halfway through a shorter video), its longer
/// side scaled to `long_edge` pixels, as JPEG bytes.
pub fn poster(tools: &Tools, path: &Path, long_edge: u32) -> Result<Vec<u8>, NoticeError> {
    let info = super::probe::probe(&tools.ffprobe, path)?;
    let at = (info.duration / 2.0).min(1.0);
    let edge = long_edge.max(2);
    // Whichever side is longer (after rotation) becomes `edge`; the other
    // keeps the aspect, rounded to an even number as encoders like.
    let scale = format!("scale=w='if(gt(iw,ih),{edge},-2)':h='if(gt(iw,ih),-2,{edge})'");
    let output = Command::new(tools.ffmpeg.program())
        .args(["-hide_banner", "-nostdin", "-loglevel", "error"])
        .args(["-ss", &format!("{at:.3}"), "-i"])
        .arg(super::file_url(path))
        .args(["-frames:v", "1", "-vf", &scale, "-q:v", "4"])
        .args(["-f", "image2pipe", "-c:v", "mjpeg", "pipe:1"])
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                NoticeError::ToolMissing {
                    tool: "ffmpeg",
                    needed_for: "a video's poster frame needs ffmpeg",
                    setting: tools.ffmpeg.setting(),
                }
            } else {
                NoticeError::io("cannot start ffmpeg")(e)
            }
        })?;
    if !output.status.success() || !output.stdout.starts_with(&[0xFF, 0xD8]) {
        let why = String::from_utf8_lossy(&output.stderr);
        let why = why
            .lines()
            .last()
            .unwrap_or("no frame decoded")
            .trim()
            .to_string();
        return Err(NoticeError::decode("the video's poster frame")(why));
    }
    Ok(output.stdout)
}
