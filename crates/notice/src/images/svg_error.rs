//! Why a badge could not be added to an SVG, by cause (as image-png's
//! decoding errors are): each says what in the file stands in the way.

use crate::images::badge::BadgeError;

/// Why the SVG writer refused a drawing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SvgError {
    /// The file is UTF-16, which the writer does not edit.
    #[error("badges on UTF-16 SVG files are not supported (save it as UTF-8)")]
    Utf16,
    /// The XML is broken at byte `at`.
    #[error("the SVG is not well-formed XML at byte {at}: {source}")]
    NotWellFormed {
        /// Where the parser stopped.
        at: u64,
        /// What it found.
        source: quick_xml::Error,
    },
    /// A second element at the top level.
    #[error("the SVG has more than one root element")]
    SeveralRoots,
    /// The document is XML but not a drawing.
    #[error("the file's root element is not <svg>")]
    RootNotSvg,
    /// An attribute of the root that cannot be read.
    #[error("the <svg> element's {name}: {source}")]
    Attribute {
        /// Which attribute.
        name: &'static str,
        /// Why it cannot be read.
        source: quick_xml::Error,
    },
    /// The file ends inside the root element.
    #[error("the SVG ends before its root element is closed")]
    Unclosed,
    /// No element at all.
    #[error("the file has no <svg> element")]
    NoRoot,
    /// An offset past what this machine can address.
    #[error("the SVG is too large")]
    TooLarge,
    /// A `viewBox` that is not a list of numbers.
    #[error("the SVG's viewBox {0:?} is not four numbers")]
    ViewBoxNotNumbers(String),
    /// A `viewBox` with the wrong count, or an empty or infinite area.
    #[error("the SVG's viewBox {0:?} is not four numbers with a positive width and height")]
    ViewBoxEmpty(String),
    /// Nothing fixes where the drawing's corners are.
    #[error(
        "the SVG has neither a viewBox nor an absolute width and height, so its corners are \
         unknown (add a viewBox)"
    )]
    NoSize,
    /// The rendered size is zero, infinite or past the writer's maximum.
    #[error("the SVG's size ({width} × {height} px) is out of range")]
    SizeOutOfRange {
        /// Rendered width in pixels.
        width: f64,
        /// Rendered height in pixels.
        height: f64,
    },
    /// A side needs the `viewBox` to follow from, and there is none.
    #[error("the SVG has no viewBox")]
    NoViewBox,
    /// The badge could not be laid out on the drawing.
    #[error(transparent)]
    Badge(#[from] BadgeError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_says_what_in_the_file_stands_in_the_way() {
        for (e, want) in [
            (
                SvgError::Utf16,
                "UTF-16 SVG files are not supported (save it as UTF-8)",
            ),
            (SvgError::SeveralRoots, "more than one root element"),
            (SvgError::RootNotSvg, "root element is not <svg>"),
            (SvgError::Unclosed, "ends before its root element is closed"),
            (SvgError::NoRoot, "the file has no <svg> element"),
            (SvgError::TooLarge, "the SVG is too large"),
            (
                SvgError::ViewBoxNotNumbers("0 0 a b".into()),
                "viewBox \"0 0 a b\" is not four numbers",
            ),
            (
                SvgError::ViewBoxEmpty("0 0 0 5".into()),
                "with a positive width and height",
            ),
            (SvgError::NoSize, "(add a viewBox)"),
            (
                SvgError::SizeOutOfRange {
                    width: 0.0,
                    height: 5.0,
                },
                "size (0 × 5 px) is out of range",
            ),
            (SvgError::NoViewBox, "the SVG has no viewBox"),
        ] {
            let said = e.to_string();
            assert!(said.contains(want), "{said}");
        }
    }
}
