//! AI evidence in the pixels of an unlabelled image: other generators'
//! open watermarks (today Stable Diffusion's, [`tamga_watermark`]).
//!
//! Only images without a C2PA label are decoded: a label already says
//! what the file is, and decoding every labelled upload would cost time
//! for nothing the verdict needs. A match makes the file *suspected* AI
//! (GB 45438's lowest certainty): the bits prove which pipeline's code
//! wrote them, not that no one copied them.

use std::{
    io::{BufReader, Cursor},
    path::Path,
};

use tamga_label::{DecodeLimits, FileReport, MediaFormat, Verdict};
use tamga_watermark::SdMark;

/// Where the pixels are.
pub(crate) enum Pixels<'a> {
    /// A file on disk.
    File(&'a Path),
    /// An upload held in memory.
    Bytes(&'a [u8]),
}

/// Whether `report`'s file is an unlabelled image whose pixels are worth
/// reading: a format the `image` crate decodes, and no C2PA label.
pub(crate) fn wanted(report: &FileReport) -> bool {
    report.verdict == Verdict::Unlabelled && decodable(report.format)
}

/// The formats `image` decodes here (as for the Image-Code).
pub(crate) fn decodable(format: MediaFormat) -> bool {
    matches!(
        format,
        MediaFormat::Jpeg
            | MediaFormat::Png
            | MediaFormat::Gif
            | MediaFormat::Webp
            | MediaFormat::Tiff
            | MediaFormat::Bmp
    )
}

/// The Stable Diffusion mark in `pixels`, if any. A file that cannot be
/// decoded here (or would pass a decode limit) simply gives no evidence:
/// its verification has already judged whether it is readable, and a
/// watermark is only ever an extra signal.
pub(crate) fn sd_mark(pixels: Pixels<'_>, limits: &DecodeLimits) -> Option<SdMark> {
    let read = match pixels {
        Pixels::File(path) => {
            let file = std::fs::File::open(path).ok()?;
            tamga_watermark::read_sd_mark(BufReader::new(file), limits)
        }
        Pixels::Bytes(bytes) => tamga_watermark::read_sd_mark(Cursor::new(bytes), limits),
    };
    read.ok().flatten()
}

#[cfg(test)]
mod tests {
    use tamga_watermark::{SdMark, SdPayload, SdPipeline};

    use crate::evidence::{self, Certainty, EvidenceKind};

    #[test]
    fn a_mark_is_suspected_ai_and_no_label() {
        let mark = SdMark {
            payload: SdPayload::Sdxl,
            pipeline: SdPipeline::Float,
            bit_errors: 1,
            confidence: 47.0 / 48.0,
        };
        let e = evidence::sd_watermark(&mark);
        assert_eq!(e.kind, EvidenceKind::SdWatermark);
        assert_eq!(e.certainty, Some(Certainty::Suspected));
        assert!(e.says_ai);
        assert!(
            e.detail
                .starts_with("suspected AI (Stable Diffusion watermark)")
                && e.detail
                    .contains("payload SDXL, 47 of 48 bits match (float pipeline)"),
            "{}",
            e.detail
        );
        // Listed after every label, before the uploader's word.
        assert!(EvidenceKind::Aigc < e.kind && e.kind < EvidenceKind::Declaration);
    }
}
