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
    let mut cmd = Command::new(tools.ffmpeg.program());
    cmd.args(["-hide_banner", "-nostdin", "-loglevel", "error"])
        .args(["-ss", &format!("{at:.3}"), "-i"])
        .arg(super::file_url(path))
        .args(["-frames:v", "1", "-vf", &scale, "-q:v", "4"])
        .args(["-f", "image2pipe", "-c:v", "mjpeg", "pipe:1"]);
    let needed_for = "a video's poster frame needs ffmpeg";
    match super::run_tool(&tools.ffmpeg, "ffmpeg", needed_for, cmd)? {
        Ok(jpeg) if jpeg.starts_with(&[0xFF, 0xD8]) => Ok(jpeg),
        Ok(_) => Err(NoticeError::decode("the video's poster frame")(
            "no frame decoded",
        )),
        Err(why) => Err(NoticeError::decode("the video's poster frame")(why)),
    }
}
