//! What ffprobe says about a video: the first video track's codec, size,
//! rotation, bitrate and colour, and the file's duration. ffprobe is run
//! as a separate process, like ffmpeg, and its JSON read with serde.

use std::{path::Path, process::Command};

use serde::Deserialize;

use crate::{error::NoticeError, Tool};

/// The facts a spoken or tone notice in a video's sound needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AudioInfo {
    /// ffmpeg's codec name ("aac", "opus", "mp3").
    pub codec: String,
    pub rate: u32,
    pub channels: u16,
    /// Bits per second, when known.
    pub bit_rate: Option<u64>,
}

/// The facts a notice on a video needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VideoInfo {
    /// ffmpeg's codec name ("h264", "hevc", "vp9", "av1").
    pub codec: String,
    /// The sample entry's tag ("avc1", "hvc1", "hev1"), kept on re-encode.
    pub tag: Option<String>,
    /// Stored frame size.
    pub width: u32,
    pub height: u32,
    /// The display matrix's rotation in degrees, as ffprobe gives it
    /// (counter-clockwise): 0, 90, 180 or 270.
    pub rotation: u32,
    /// The video track's bitrate, bits per second, when known.
    pub bit_rate: Option<u64>,
    pub pix_fmt: Option<String>,
    /// Colour description, passed through to the encoder unchanged.
    pub color: Vec<(&'static str, String)>,
    /// Where the video track's timestamps start, seconds.
    pub start: f64,
    /// The file's duration, seconds.
    pub duration: f64,
    /// The first audio track, if any.
    pub audio: Option<AudioInfo>,
    /// Frames in the video track, when the container says.
    pub frames: Option<u64>,
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<Stream>,
    format: Option<Format>,
}

#[derive(Deserialize)]
struct Stream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    codec_tag_string: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    pix_fmt: Option<String>,
    bit_rate: Option<String>,
    start_time: Option<String>,
    nb_frames: Option<String>,
    sample_rate: Option<String>,
    channels: Option<u16>,
    color_range: Option<String>,
    color_space: Option<String>,
    color_transfer: Option<String>,
    color_primaries: Option<String>,
    #[serde(default)]
    side_data_list: Vec<SideData>,
    #[serde(default)]
    disposition: Disposition,
}

#[derive(Deserialize, Default)]
struct Disposition {
    #[serde(default)]
    attached_pic: u8,
}

#[derive(Deserialize)]
struct SideData {
    rotation: Option<f64>,
}

#[derive(Deserialize)]
struct Format {
    duration: Option<String>,
}

/// Runs ffprobe on `path`.
pub(crate) fn probe(ffprobe: &Tool, path: &Path) -> Result<VideoInfo, NoticeError> {
    let mut cmd = Command::new(ffprobe.program());
    cmd.args([
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_streams",
        "-show_format",
    ])
    .arg(super::file_url(path));
    let needed_for = "a notice on a video needs ffprobe (it comes with ffmpeg)";
    match super::run_tool(ffprobe, "ffprobe", needed_for, cmd)? {
        Ok(json) => parse(&json),
        Err(why) => Err(NoticeError::decode("the video cannot be read")(why)),
    }
}

/// Reads ffprobe's JSON.
pub(crate) fn parse(json: &[u8]) -> Result<VideoInfo, NoticeError> {
    let probe: Probe = serde_json::from_slice(json)
        .map_err(NoticeError::decode("ffprobe's description of the video"))?;
    let audio = probe
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("audio"))
        .and_then(|a| {
            Some(AudioInfo {
                codec: a.codec_name.clone()?,
                rate: a.sample_rate.as_ref()?.parse().ok().filter(|r| *r > 0)?,
                channels: a.channels.filter(|c| *c > 0)?,
                bit_rate: a.bit_rate.as_ref().and_then(|b| b.parse().ok()),
            })
        });
    // A cover picture is a "video" stream too; the content is the first
    // real one.
    let video = probe
        .streams
        .into_iter()
        .find(|s| s.codec_type.as_deref() == Some("video") && s.disposition.attached_pic == 0)
        .ok_or(NoticeError::Missing {
            whole: "video",
            part: "video track",
        })?;
    let (Some(codec), Some(width), Some(height)) = (video.codec_name, video.width, video.height)
    else {
        return Err(NoticeError::Missing {
            whole: "video",
            part: "frame size or codec",
        });
    };
    let seconds = |s: Option<&String>| {
        s.and_then(|s| s.parse::<f64>().ok())
            .filter(|v| v.is_finite())
    };
    let duration = probe
        .format
        .as_ref()
        .and_then(|f| seconds(f.duration.as_ref()))
        .filter(|d| *d >= 0.0)
        .ok_or(NoticeError::Missing {
            whole: "video",
            part: "duration",
        })?;
    let rotation = video
        .side_data_list
        .iter()
        .find_map(|d| d.rotation)
        .map_or(0, |r| (r.round() as i64).rem_euclid(360) as u32);
    let color = [
        ("-color_range", video.color_range),
        ("-colorspace", video.color_space),
        ("-color_trc", video.color_transfer),
        ("-color_primaries", video.color_primaries),
    ]
    .into_iter()
    .filter_map(|(flag, v)| v.filter(|v| v != "unknown").map(|v| (flag, v)))
    .collect();
    Ok(VideoInfo {
        codec,
        tag: video
            .codec_tag_string
            .filter(|t| t.chars().all(|c| c.is_ascii_alphanumeric())),
        width,
        height,
        rotation,
        bit_rate: video.bit_rate.and_then(|b| b.parse().ok()),
        pix_fmt: video.pix_fmt,
        color,
        start: seconds(video.start_time.as_ref()).unwrap_or(0.0),
        duration,
        audio,
        frames: video.nb_frames.and_then(|n| n.parse().ok()),
    })
}

/// Whether the MP4 at `path` is fragmented: a `moof` box among the top-level
/// boxes (read header by header, at most [`MAX_TOP_BOXES`] of them).
pub(crate) fn is_fragmented(path: &Path) -> Result<bool, NoticeError> {
    use std::io::{Read, Seek, SeekFrom};
    let io = NoticeError::io("cannot read the video");
    let mut file = std::fs::File::open(path).map_err(&io)?;
    let len = file.metadata().map_err(&io)?.len();
    let mut at = 0u64;
    for _ in 0..MAX_TOP_BOXES {
        let mut header = [0u8; 16];
        if at + 8 > len {
            break;
        }
        file.seek(SeekFrom::Start(at)).map_err(&io)?;
        let got = file.read(&mut header).map_err(&io)?;
        if got < 8 {
            break;
        }
        if &header[4..8] == b"moof" {
            return Ok(true);
        }
        let size = match u32::from_be_bytes([header[0], header[1], header[2], header[3]]) {
            0 => break,
            1 if got >= 16 => u64::from_be_bytes([
                header[8], header[9], header[10], header[11], header[12], header[13], header[14],
                header[15],
            ]),
            n => u64::from(n),
        };
        if size < 8 {
            break;
        }
        at = at.saturating_add(size);
    }
    Ok(false)
}

/// Top-level boxes looked at for a `moof`: a fragmented file has its first
/// within a few.
const MAX_TOP_BOXES: usize = 64;

/// How far past the span a key frame is looked for: a longer GOP than
/// this and the whole track is re-encoded.
const KEY_FRAME_SEARCH: f64 = 60.0;

/// Where copying may start: a key frame, and how many frames come before
/// it (the head re-encoded is cut by count: ffmpeg's `-t` drops or adds a
/// frame when the timestamps do not start at zero).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cut {
    /// The key frame's time, seconds.
    pub at: f64,
    /// Frames of the track before it.
    pub frames_before: u64,
}

/// The first key frame of the video track at or after `at` seconds, from
/// the packet index alone (nothing is decoded); `None` when there is none
/// within [`KEY_FRAME_SEARCH`] seconds.
pub(crate) fn key_frame_from(
    ffprobe: &Tool,
    path: &Path,
    at: f64,
) -> Result<Option<Cut>, NoticeError> {
    let output = tamga_media::child_process::output(
        Command::new(ffprobe.program())
            .args(["-v", "error", "-select_streams", "v:0"])
            .args(["-show_entries", "packet=pts_time,flags", "-of", "csv=p=0"])
            .args([
                "-read_intervals",
                &format!("%+{:.3}", at + KEY_FRAME_SEARCH),
            ])
            .arg(super::file_url(path)),
    )
    .map_err(NoticeError::io("cannot start ffprobe"))?;
    if !output.status.success() {
        return Ok(None);
    }
    Ok(first_key_frame(
        &String::from_utf8_lossy(&output.stdout),
        at,
    ))
}

/// In ffprobe's `pts_time,flags` lines, the earliest key frame at or after
/// `at` (packets come in decoding order, so the least is taken), and the
/// packets shown before it.
fn first_key_frame(lines: &str, at: f64) -> Option<Cut> {
    let packets: Vec<(f64, bool)> = lines
        .lines()
        .filter_map(|l| {
            let (pts, flags) = l.split_once(',')?;
            Some((pts.trim().parse().ok()?, flags.starts_with('K')))
        })
        .collect();
    let cut = packets
        .iter()
        .filter(|(pts, key)| *key && *pts >= at - 1e-6)
        .map(|(pts, _)| *pts)
        .min_by(f64::total_cmp)?;
    Some(Cut {
        at: cut,
        frames_before: packets.iter().filter(|(pts, _)| *pts < cut - 1e-6).count() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_clip_is_read_with_its_rotation_and_a_cover_is_skipped() {
        let json = br#"{"streams":[
            {"codec_type":"video","codec_name":"mjpeg","width":300,"height":300,"disposition":{"attached_pic":1}},
            {"codec_type":"video","codec_name":"h264","codec_tag_string":"avc1","width":1920,"height":1080,
             "pix_fmt":"yuv420p","bit_rate":"8000000","start_time":"0.000000","color_primaries":"bt709",
             "color_space":"unknown","side_data_list":[{"rotation":-90}]},
            {"codec_type":"audio","codec_name":"aac","sample_rate":"48000","channels":2,"bit_rate":"128000"}],
            "format":{"duration":"12.5"}}"#;
        let info = parse(json).unwrap();
        assert_eq!(info.codec, "h264");
        assert_eq!((info.width, info.height, info.rotation), (1920, 1080, 270));
        assert_eq!(info.bit_rate, Some(8_000_000));
        assert_eq!(info.color, vec![("-color_primaries", "bt709".to_string())]);
        let audio = info.audio.unwrap();
        assert_eq!(
            (audio.codec.as_str(), audio.rate, audio.channels),
            ("aac", 48_000, 2)
        );
        assert_eq!(info.duration, 12.5);
    }

    #[test]
    fn the_key_frame_at_or_after_the_span_is_found_in_packet_order() {
        let lines =
            "0.000000,K_\n0.080000,__\n1.920000,K_\n2.880000,K_\n2.800000,__\n3.840000,K_\n";
        let at = |t| first_key_frame(lines, t).map(|c| c.at);
        assert_eq!(at(2.0), Some(2.88));
        assert_eq!(at(1.92), Some(1.92));
        assert_eq!(at(4.0), None);
        // Frames shown before the cut, B-frame order notwithstanding.
        let before = |t| first_key_frame(lines, t).map(|c| c.frames_before);
        assert_eq!(before(2.0), Some(4));
        assert_eq!(before(1.92), Some(2));
        assert_eq!(first_key_frame("garbage\nN/A,K_\n", 0.0), None);
    }

    #[test]
    fn no_video_track_or_no_duration_says_which() {
        let audio_only =
            br#"{"streams":[{"codec_type":"audio","codec_name":"aac"}],"format":{"duration":"3"}}"#;
        assert!(parse(audio_only)
            .unwrap_err()
            .to_string()
            .contains("video track"));
        let no_duration = br#"{"streams":[{"codec_type":"video","codec_name":"h264","width":2,"height":2}],"format":{}}"#;
        assert!(parse(no_duration)
            .unwrap_err()
            .to_string()
            .contains("duration"));
        assert!(parse(b"not json").is_err());
    }
}
