//! SVG: XMP as an `x:xmpmeta` element inside `<metadata>`, the place the
//! SVG spec gives to metadata and where exiftool and Adobe tools look.

use quick_xml::{events::Event, NsReader};

use crate::{xmp, Container, Found, MetaError};

/// Where the root element's start tag ends, and the byte range of an
/// existing `x:xmpmeta` element.
fn scan(text: &str) -> Result<(usize, Option<(usize, usize)>), MetaError> {
    let parse = |e: quick_xml::Error| MetaError::parse(Container::Svg, e);
    let no_svg = || MetaError::Missing {
        container: Container::Svg,
        what: "<svg> element",
    };
    let mut reader = NsReader::from_str(text);
    let mut root_end = None;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let (ns, event) = reader.read_resolved_event().map_err(parse)?;
        let is_xmpmeta = |local: &[u8]| {
            matches!(&ns, quick_xml::name::ResolveResult::Bound(n) if n.as_ref() == xmp::NS_X.as_bytes())
                && local == b"xmpmeta"
        };
        match event {
            Event::Start(e) if root_end.is_none() => {
                if e.local_name().as_ref() != b"svg" {
                    return Err(MetaError::invalid(
                        Container::Svg,
                        "the root element is not <svg>",
                    ));
                }
                root_end = Some(usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX));
            }
            Event::Empty(_) if root_end.is_none() => {
                return Err(MetaError::invalid(
                    Container::Svg,
                    "the <svg> element is empty",
                ));
            }
            Event::Start(e) if is_xmpmeta(e.local_name().as_ref()) => {
                let name = e.name().as_ref().to_vec();
                reader
                    .read_to_end(quick_xml::name::QName(&name))
                    .map_err(parse)?;
                let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
                let root = root_end.ok_or_else(no_svg)?;
                return Ok((root, Some((start, end))));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((root_end.ok_or_else(no_svg)?, None))
}

pub(crate) fn write(input: &[u8], props: &[xmp::Prop]) -> Result<Vec<u8>, MetaError> {
    if props.is_empty() {
        return Ok(input.to_vec());
    }
    let text = std::str::from_utf8(input).map_err(|source| MetaError::NotUtf8 {
        container: Container::Svg,
        source,
    })?;
    let (root_end, existing) = scan(text)?;
    let mut out = String::with_capacity(text.len() + 1024);
    match existing {
        Some((s, e)) => {
            let merged = xmp::merge(&text[s..e], props)?;
            out.push_str(&text[..s]);
            out.push_str(&merged);
            out.push_str(&text[e..]);
        }
        None => {
            out.push_str(&text[..root_end]);
            out.push_str("\n<metadata>");
            out.push_str(&xmp::xmpmeta(props));
            out.push_str("</metadata>");
            out.push_str(&text[root_end..]);
        }
    }
    Ok(out.into_bytes())
}

/// The byte range of the `x:xmpmeta` element, if there is one.
pub(crate) fn xmp_range(input: &[u8]) -> Option<(usize, usize)> {
    let text = std::str::from_utf8(input).ok()?;
    scan(text).ok()?.1
}

pub(crate) fn read(input: &[u8], found: &mut Found) {
    if let Ok(text) = std::str::from_utf8(input) {
        if let Ok((_, Some((s, e)))) = scan(text) {
            found.add_xmp(&text[s..e]);
        }
    }
}
