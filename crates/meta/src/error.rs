//! Why metadata could not be written, by cause: the input is not the
//! container it should be, its structure is damaged, a size passes what the
//! format can hold, or an existing XMP packet cannot be merged.

use std::borrow::Cow;
use std::fmt;

use crate::Container;

/// A parser's own error (img-parts, id3, quick-xml), kept as the source.
pub type ParseSource = Box<dyn std::error::Error + Send + Sync>;

/// Why metadata could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetaError {
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The input is not the container it was said to be.
    #[error("{role}not a {container} file")]
    NotContainer {
        /// The container expected.
        container: Container,
        /// Which file, when two are involved.
        role: Role,
    },
    /// The container's parser refused the file.
    #[error("{container} structure{role:#}: {source}")]
    Parse {
        /// The container.
        container: Container,
        /// Which file, when two are involved.
        role: Role,
        /// The parser's error.
        source: ParseSource,
    },
    /// A structure is cut off: it claims bytes past the end of the file.
    #[error("{container} structure: {what} at byte {offset} runs past the end")]
    Truncated {
        /// The container.
        container: Container,
        /// The structure ("metadata block", "IFD0", a box or chunk type).
        what: Cow<'static, str>,
        /// Where it starts.
        offset: u64,
    },
    /// A structure holds what its format forbids.
    #[error("{container} structure: {what}")]
    Invalid {
        /// The container.
        container: Container,
        /// What is wrong, and where when known.
        what: Cow<'static, str>,
    },
    /// A part the metadata is placed by is missing.
    #[error("the {container} has no {what}")]
    Missing {
        /// The container.
        container: Container,
        /// The part ("IDAT chunk", "<svg> element").
        what: &'static str,
    },
    /// A variant of the container tamga does not edit.
    #[error("{what} is not supported")]
    Unsupported {
        /// The container.
        container: Container,
        /// The variant ("XMP in BigTIFF files").
        what: &'static str,
    },
    /// A part (or the result) passes a size the format can hold, or the
    /// bound tamga reads against crafted files.
    #[error("{what} is {size} bytes, more than the {limit} allowed")]
    TooLarge {
        /// What would grow too large.
        what: Cow<'static, str>,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A structure has more parts than the format can count (or than tamga
    /// walks, against loops).
    #[error("{count} {what} are more than the {limit} allowed")]
    TooMany {
        /// What is counted ("FLAC metadata blocks").
        what: &'static str,
        /// How many there are (or would be).
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// The text container is not UTF-8.
    #[error("{container} is not UTF-8: {source}")]
    NotUtf8 {
        /// The container (SVG, Markdown).
        container: Container,
        /// Where the first bad byte is.
        source: std::str::Utf8Error,
    },
    /// The existing XMP packet could not be merged.
    #[error("the existing XMP packet is not well-formed RDF: {0}")]
    XmpNotRdf(#[from] crate::xmp::XmpError),
}

impl MetaError {
    /// A short machine-readable kind, for JSON reports (the same words as
    /// tamga-media's for the same causes).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Io(_) => "io",
            Self::NotContainer { .. } => "not-container",
            Self::Parse { .. } | Self::Truncated { .. } | Self::Invalid { .. } => "malformed",
            Self::Missing { .. } => "missing-part",
            Self::Unsupported { .. } => "unsupported",
            Self::TooLarge { .. } | Self::TooMany { .. } => "too-large",
            Self::NotUtf8 { .. } => "not-utf8",
            Self::XmpNotRdf(_) => "xmp-not-rdf",
        }
    }

    pub(crate) fn parse(container: Container, source: impl Into<ParseSource>) -> Self {
        Self::Parse {
            container,
            role: Role::Input,
            source: source.into(),
        }
    }

    pub(crate) fn invalid(container: Container, what: impl Into<Cow<'static, str>>) -> Self {
        Self::Invalid {
            container,
            what: what.into(),
        }
    }

    pub(crate) fn truncated(
        container: Container,
        what: impl Into<Cow<'static, str>>,
        offset: u64,
    ) -> Self {
        Self::Truncated {
            container,
            what: what.into(),
            offset,
        }
    }

    pub(crate) fn too_large(what: impl Into<Cow<'static, str>>, size: u64, limit: u64) -> Self {
        Self::TooLarge {
            what: what.into(),
            size,
            limit,
        }
    }
}

/// Which file an error is about, when metadata is carried from one file to
/// another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// The only file.
    Input,
    /// The file the metadata is carried from.
    Original,
    /// The file the metadata is carried to.
    Edited,
}

impl fmt::Display for Role {
    /// Nothing for the only file; otherwise "the original file: " or, in
    /// the alternate form, " of the original file".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = match self {
            Self::Input => return Ok(()),
            Self::Original => "original",
            Self::Edited => "edited",
        };
        if f.alternate() {
            write!(f, " of the {which} file")
        } else {
            write!(f, "the {which} file: ")
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each cause from a real malformed input, checked by variant: callers
    //! match on them, so a cause that changes variant must fail here.
    use super::*;
    use crate::testing::{labels, sample};
    use crate::{write, Labels};

    fn fails(container: Container, input: &[u8]) -> MetaError {
        match write(container, input, &labels()) {
            Ok(_) => panic!("{container} input was accepted"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_cut_flac_block_is_truncated_where_it_starts() {
        let mut flac = sample("sample.flac");
        flac.truncate(4 + 4 + 10); // fLaC, STREAMINFO's header, part of its body
        let e = fails(Container::Flac, &flac);
        assert!(
            matches!(
                &e,
                MetaError::Truncated {
                    container: Container::Flac,
                    offset: 4,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.kind(), "malformed");
    }

    #[test]
    fn another_format_is_not_the_container() {
        let e = fails(Container::Gif, &sample("sample.png"));
        assert!(
            matches!(
                e,
                MetaError::NotContainer {
                    container: Container::Gif,
                    role: Role::Input
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.to_string(), "not a GIF file");
    }

    #[test]
    fn a_damaged_png_keeps_the_parser_error_as_its_source() {
        let mut png = sample("sample.png");
        png[20] ^= 0x55; // inside IHDR: its CRC no longer matches
        let e = fails(Container::Png, &png);
        assert!(
            matches!(
                e,
                MetaError::Parse {
                    container: Container::Png,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn bigtiff_is_unsupported() {
        let mut tif = sample("sample.tif");
        let magic = if tif.starts_with(b"II") {
            [43, 0]
        } else {
            [0, 43]
        };
        tif[2..4].copy_from_slice(&magic);
        let e = fails(Container::Tiff, &tif);
        assert!(
            matches!(
                e,
                MetaError::Unsupported {
                    container: Container::Tiff,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn an_xmp_packet_too_big_for_one_jpeg_segment_is_too_large() {
        let mut big = labels();
        big.ai_system = Some("x".repeat(70_000));
        let e = write(Container::Jpeg, &sample("sample.jpg"), &big).unwrap_err();
        assert!(
            matches!(e, MetaError::TooLarge { size, limit, .. } if size > limit),
            "{e:?}"
        );
    }

    #[test]
    fn existing_xmp_without_rdf_cannot_be_merged() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><metadata><x:xmpmeta xmlns:x="adobe:ns:meta/"><nothing/></x:xmpmeta></metadata></svg>"#;
        let e = fails(Container::Svg, svg);
        assert!(
            matches!(e, MetaError::XmpNotRdf(crate::xmp::XmpError::NoRdf)),
            "{e:?}"
        );
        assert_eq!(e.kind(), "xmp-not-rdf");
    }

    #[test]
    fn text_containers_must_be_utf8() {
        let e = fails(Container::Markdown, b"# caf\xe9\n");
        assert!(
            matches!(&e, MetaError::NotUtf8 { container: Container::Markdown, source } if source.valid_up_to() == 5),
            "{e:?}"
        );
    }

    #[test]
    fn a_bmff_box_past_the_end_is_truncated() {
        let mut heic = sample("sample.heic");
        heic[0..4].copy_from_slice(&u32::MAX.to_be_bytes()); // ftyp claims 4 GiB
        let e = write(
            Container::Bmff,
            &heic,
            &Labels {
                aigc: None,
                ..labels()
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                MetaError::Truncated {
                    container: Container::Bmff,
                    offset: 0,
                    ..
                }
            ),
            "{e:?}"
        );
    }
}
