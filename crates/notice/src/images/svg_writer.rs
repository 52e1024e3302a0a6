//! The notice badge on an SVG drawing, as vector elements: a `<g>` with the
//! semi-opaque box and the text as path outlines taken from the bundled
//! fonts, so a viewer needs no font and shows the same letters as on a
//! raster badge. It is inserted right before the root's closing tag, so it
//! is drawn last (on top); every other byte of the file stays as it was.
//!
//! The size rules are those of [`crate::images::badge`], applied to the drawing's
//! rendered size: the `width`/`height` of the root when they are absolute
//! lengths, mapped onto the `viewBox` as `preserveAspectRatio`'s default
//! (`xMidYMid meet`) does. A drawing with no absolute size scales to any
//! size, so only the proportions (text ≥ 5 % of the shorter side) apply.

use std::fmt::Write as _;

use ab_glyph::{Font, OutlineCurve};
use quick_xml::{events::Event, Reader, XmlVersion};

use crate::{
    images::badge::{self, Layout},
    images::{Badged, SvgError},
    options::NoticePosition,
};

/// The canvas shorter side used to lay out a drawing with no absolute
/// size: large enough that the pixel minimums never apply, so the badge is
/// sized by proportion alone.
const SCALABLE_SHORT_SIDE: f64 = 1000.0;
/// Past this many pixels a side, the size is not a real drawing's.
const MAX_SIDE: f64 = 1.0e7;
/// Opacity of the box, as on raster badges.
const BOX_OPACITY: &str = "0.72";

/// What the root `<svg>` element tells about the coordinate system.
#[derive(Debug, PartialEq)]
pub(crate) struct Root {
    /// The tag's qualified name (`svg` or `prefix:svg`).
    pub(crate) name: String,
    pub(crate) view_box: Option<[f64; 4]>,
    width: Option<String>,
    height: Option<String>,
    /// Byte range of the root's closing `</svg>` tag, or of the `/>` of a
    /// self-closing root.
    pub(crate) close: (usize, usize),
    self_closing: bool,
}

/// Adds the badge in `corner` of the SVG in `input`.
pub(crate) fn apply(
    input: &[u8],
    candidates: &[Vec<String>],
    corner: NoticePosition,
) -> Result<Badged, SvgError> {
    if input.starts_with(&[0xFE, 0xFF]) || input.starts_with(&[0xFF, 0xFE]) {
        return Err(SvgError::Utf16);
    }
    let root = parse_root(input)?;
    let (origin, size, k) = coordinates(&root)?;
    let canvas = (
        (size.0 * k).floor() as u32, // both checked finite and ≤ MAX_SIDE
        (size.1 * k).floor() as u32,
    );
    let layout = badge::layout(canvas, candidates, corner)?;
    let prefix = root
        .name
        .rsplit_once(':')
        .map(|(p, _)| format!("{p}:"))
        .unwrap_or_default();
    let group = group(&layout, &prefix, origin, 1.0 / k)?;

    let (start, end) = root.close;
    let mut out = Vec::with_capacity(input.len() + group.len() + 16);
    out.extend_from_slice(&input[..start]);
    if root.self_closing {
        out.extend_from_slice(format!(">{group}</{}>", root.name).as_bytes());
    } else {
        out.extend_from_slice(group.as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(&input[start..end][usize::from(root.self_closing) * 2..]);
    out.extend_from_slice(&input[end..]);
    Ok(Badged {
        bytes: out,
        badge: layout.badge,
        note: None,
    })
}

/// Reads the whole document (so a malformed file fails here, not in a
/// viewer) and returns the root's attributes and where it closes.
pub(crate) fn parse_root(input: &[u8]) -> Result<Root, SvgError> {
    let bad = |source: quick_xml::Error, at: u64| SvgError::NotWellFormed { at, source };
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut root: Option<Root> = None;
    loop {
        let before = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| bad(e, reader.error_position()))?;
        let after = reader.buffer_position();
        let span = (to_usize(before)?, to_usize(after)?);
        let self_closing = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) if depth == 0 => {
                if root.is_some() {
                    return Err(SvgError::SeveralRoots);
                }
                if e.local_name().as_ref() != b"svg" {
                    return Err(SvgError::RootNotSvg);
                }
                let attr = |name: &'static str| -> Result<Option<String>, SvgError> {
                    let failed = |source: quick_xml::Error| SvgError::Attribute { name, source };
                    e.try_get_attribute(name)
                        .map_err(|err| failed(err.into()))?
                        .map(|a| {
                            a.normalized_value(XmlVersion::Implicit1_0)
                                .map(|v| v.into_owned())
                                .map_err(failed)
                        })
                        .transpose()
                };
                let view_box = attr("viewBox")?.map(|v| parse_view_box(&v)).transpose()?;
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                root = Some(Root {
                    name,
                    view_box,
                    width: attr("width")?,
                    height: attr("height")?,
                    // A self-closing tag ends in "/>".
                    close: (span.1.saturating_sub(2), span.1),
                    self_closing,
                });
                if !self_closing {
                    depth = 1;
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some(r) = root.as_mut() {
                        r.close = span;
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if depth != 0 {
        return Err(SvgError::Unclosed);
    }
    root.ok_or(SvgError::NoRoot)
}

fn to_usize(v: u64) -> Result<usize, SvgError> {
    usize::try_from(v).map_err(|_| SvgError::TooLarge)
}

fn parse_view_box(v: &str) -> Result<[f64; 4], SvgError> {
    let nums: Vec<f64> = v
        .split(|c: char| c.is_ascii_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| SvgError::ViewBoxNotNumbers(v.to_string()))?;
    match nums[..] {
        [x, y, w, h] if [x, y, w, h].iter().all(|n| n.is_finite()) && w > 0.0 && h > 0.0 => {
            Ok([x, y, w, h])
        }
        _ => Err(SvgError::ViewBoxEmpty(v.to_string())),
    }
}

/// An absolute SVG length in CSS pixels; `None` for a relative one
/// (`%`, `em`, …) or a malformed one, which fixes no size.
fn absolute_px(v: &str) -> Option<f64> {
    let v = v.trim();
    let split = v
        .find(|c: char| c.is_ascii_alphabetic() || c == '%')
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = num.trim().parse().ok()?;
    let per_unit = match unit {
        "" | "px" => 1.0,
        "in" => 96.0,
        "cm" => 96.0 / 2.54,
        "mm" => 96.0 / 25.4,
        "pt" => 96.0 / 72.0,
        "pc" => 16.0,
        _ => return None,
    };
    let px = n * per_unit;
    (px.is_finite() && px > 0.0).then_some(px)
}

/// The area the badge goes in: user-space origin and size, and the
/// rendered pixels per user unit.
type Space = ((f64, f64), (f64, f64), f64);

fn coordinates(root: &Root) -> Result<Space, SvgError> {
    let width = root.width.as_deref().and_then(absolute_px);
    let height = root.height.as_deref().and_then(absolute_px);
    let (origin, size, k) = match (root.view_box, width, height) {
        (Some([x, y, w, h]), Some(pw), Some(ph)) => ((x, y), (w, h), (pw / w).min(ph / h)),
        // The missing side follows the viewBox's aspect ratio.
        (Some([x, y, w, _]), Some(pw), None) => ((x, y), (w, root_h(root)?), pw / w),
        (Some([x, y, _, h]), None, Some(ph)) => ((x, y), (root_w(root)?, h), ph / h),
        (Some([x, y, w, h]), None, None) => ((x, y), (w, h), SCALABLE_SHORT_SIDE / w.min(h)),
        // Without a viewBox, one user unit is one pixel.
        (None, Some(pw), Some(ph)) => ((0.0, 0.0), (pw, ph), 1.0),
        _ => return Err(SvgError::NoSize),
    };
    let ok = |v: f64| v.is_finite() && v > 0.0 && v <= MAX_SIDE;
    if !(ok(size.0 * k) && ok(size.1 * k) && k.is_finite() && k > 0.0) {
        return Err(SvgError::SizeOutOfRange {
            width: size.0 * k,
            height: size.1 * k,
        });
    }
    Ok((origin, size, k))
}

fn root_w(root: &Root) -> Result<f64, SvgError> {
    root.view_box.map(|v| v[2]).ok_or(SvgError::NoViewBox)
}

fn root_h(root: &Root) -> Result<f64, SvgError> {
    root.view_box.map(|v| v[3]).ok_or(SvgError::NoViewBox)
}

/// The badge as one `<g>`: laid out in canvas pixels, which its transform
/// maps into the drawing's user units. Styles are inline `style`
/// attributes, which beat a stylesheet in the file that targets `rect` or
/// `path`; the text is also in `aria-label` for screen readers.
fn group(
    layout: &Layout,
    prefix: &str,
    origin: (f64, f64),
    scale: f64,
) -> Result<String, SvgError> {
    let b = &layout.badge;
    let (x, y, w, h) = b.rect;
    let text = xml_ascii(&b.lines.join(" · "));
    let mut d = String::new();
    for g in layout.glyphs()? {
        let Some(outline) = g.font.outline(g.id) else {
            continue; // a space
        };
        let sf = g.font.as_scaled(g.scale);
        let (hs, vs) = (
            ab_glyph::ScaleFont::h_scale_factor(&sf),
            ab_glyph::ScaleFont::v_scale_factor(&sf),
        );
        // Font units are y-up from the baseline; SVG is y-down.
        let at = |p: ab_glyph::Point| (g.origin.x + p.x * hs, g.origin.y - p.y * vs);
        // Each contour is a run of curves that ends where it began.
        let mut pen: Option<ab_glyph::Point> = None;
        let mut contour_start = ab_glyph::point(0.0, 0.0);
        for curve in &outline.curves {
            let (start, end) = match *curve {
                // The font closes contours with a zero-length line: nothing to draw.
                OutlineCurve::Line(a, b) if a == b => continue,
                OutlineCurve::Line(a, b) | OutlineCurve::Quad(a, _, b) => (a, b),
                OutlineCurve::Cubic(a, _, _, b) => (a, b),
            };
            if pen != Some(start) {
                if pen.is_some() {
                    d.push('Z');
                }
                let _ = write!(d, "M{}", xy(at(start)));
                contour_start = start;
            }
            let _ = match *curve {
                OutlineCurve::Line(_, b) => write!(d, "L{}", xy(at(b))),
                OutlineCurve::Quad(_, c, b) => write!(d, "Q{} {}", xy(at(c)), xy(at(b))),
                OutlineCurve::Cubic(_, c1, c2, b) => {
                    write!(d, "C{} {} {}", xy(at(c1)), xy(at(c2)), xy(at(b)))
                }
            };
            if end == contour_start {
                d.push('Z');
                pen = None;
            } else {
                pen = Some(end);
            }
        }
        if pen.is_some() {
            d.push('Z');
        }
    }
    let p = prefix;
    Ok(format!(
        "<{p}g id=\"tamga-ai-notice\" role=\"img\" aria-label=\"{text}\" \
         transform=\"translate({}) scale({})\" \
         style=\"display:inline;visibility:visible;opacity:1\">\
         <{p}title>{text}</{p}title>\
         <{p}rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" \
         style=\"fill:#000000;fill-opacity:{BOX_OPACITY};stroke:none\"/>\
         <{p}path d=\"{d}\" style=\"fill:#ffffff;fill-opacity:1;fill-rule:nonzero;stroke:none\"/>\
         </{p}g>",
        pair(origin.0 as f32, origin.1 as f32),
        short_num(scale),
    ))
}

fn xy((x, y): (f32, f32)) -> String {
    pair(x, y)
}

/// A coordinate pair at 1/100 pixel, which is below what any viewer shows.
fn pair(x: f32, y: f32) -> String {
    format!("{},{}", trim(format!("{x:.2}")), trim(format!("{y:.2}")))
}

/// A scale factor with enough digits that the badge lands within a
/// fraction of a pixel even on a large drawing.
fn short_num(v: f64) -> String {
    trim(format!("{v:.9}"))
}

fn trim(mut s: String) -> String {
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

/// Text for an attribute or element, escaped and in ASCII only (other
/// characters as references), so the insertion is right in any
/// ASCII-compatible encoding the file declares.
fn xml_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let _ = write!(out, "&#x{:X};", c as u32);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates() -> Vec<Vec<String>> {
        crate::images::badge::test_candidates()
    }

    fn badge(svg: &str) -> Result<(String, Badged), SvgError> {
        let b = apply(svg.as_bytes(), &candidates(), NoticePosition::BottomRight)?;
        Ok((String::from_utf8(b.bytes.clone()).unwrap(), b))
    }

    /// The one `<g>` added, and the file with it taken out.
    fn split(out: &str) -> (&str, String) {
        let start = out.find("<g id=\"tamga-ai-notice\"").unwrap();
        let end = out[start..].find("</g>").unwrap() + start + "</g>\n".len();
        (
            &out[start..end],
            format!("{}{}", &out[..start], &out[end..]),
        )
    }

    fn well_formed(s: &str) {
        parse_root(s.as_bytes()).unwrap();
    }

    fn attr_num(g: &str, name: &str) -> f64 {
        let at = g.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        g[at..at + g[at..].find('"').unwrap()].parse().unwrap()
    }

    #[test]
    fn the_group_goes_last_and_everything_else_is_byte_identical() {
        let svg = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/sample.svg"),
        )
        .unwrap();
        let (out, b) = badge(&svg).unwrap();
        well_formed(&out);
        let (g, rest) = split(&out);
        assert_eq!(rest, svg);
        assert!(out.trim_end().ends_with("</g>\n</svg>"), "{out}");
        assert!(g.contains("<path d=\"M"), "{g}");
        assert!(
            g.contains("&#x421;&#x43E;&#x437;&#x434;&#x430;&#x43D;&#x43E;"),
            "the text (Создано…) is kept for screen readers: {g}"
        );
        assert!(g.is_ascii());
        // 400×300 px: text ≥ 15 px, box in the bottom-right quarter.
        assert!(
            b.badge.share >= 0.05 && b.badge.cap_height >= 15.0,
            "{:?}",
            b.badge
        );
        let (x, y, w, h) = b.badge.rect;
        assert!(
            x > 200 && y > 150 && x + w < 400 && y + h < 300,
            "{:?}",
            b.badge
        );
        assert!(g.contains("translate(0,0) scale(1)"), "{g}");
        // For a reviewer (committed as `docs/notice-examples/badge.svg`).
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/notice-examples");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("badge.svg"), &out).unwrap();
    }

    #[test]
    fn the_viewbox_places_the_badge_and_the_size_scales_it() {
        // 20 user units rendered at 400 px: laid out in pixels, scaled back.
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="-10 5 20 15" width="400px" height="300"><rect width="20" height="15"/></svg>"#;
        let (out, b) = badge(svg).unwrap();
        well_formed(&out);
        let (g, _) = split(&out);
        assert!(g.contains("translate(-10,5) scale(0.05)"), "{g}");
        assert_eq!(b.badge.cap_height, 15.0);
        // The box stays inside the viewBox once scaled.
        let (x, y) = (attr_num(g, "x"), attr_num(g, "y"));
        let (w, h) = (attr_num(g, "width"), attr_num(g, "height"));
        assert!(x + w <= 400.0 && y + h <= 300.0 && x > 200.0 && y > 150.0);
    }

    #[test]
    fn a_drawing_without_a_size_is_sized_by_proportion() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1"/>"#;
        let (out, b) = badge(svg).unwrap();
        well_formed(&out);
        assert!(out.ends_with("</g></svg>"), "{out}");
        assert!(out.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1">"#));
        assert_eq!(b.badge.share, 0.05);
        assert!(out.contains("scale(0.001)"), "{out}");
    }

    #[test]
    fn a_prefixed_root_gets_prefixed_elements() {
        let svg = r#"<?xml version="1.0"?><!-- c --><s:svg xmlns:s="http://www.w3.org/2000/svg" width="10cm" height="5cm"><s:g/></s:svg>"#;
        let (out, _) = badge(svg).unwrap();
        well_formed(&out);
        assert!(out.contains("<s:g id=\"tamga-ai-notice\""), "{out}");
        assert!(out.contains("<s:path d="), "{out}");
        assert!(out.ends_with("</s:g>\n</s:svg>"), "{out}");
    }

    #[test]
    fn unknown_corners_and_broken_files_fail_clearly() {
        for (svg, says) in [
            (
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%"/>"#,
                "add a viewBox",
            ),
            (
                r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#,
                "add a viewBox",
            ),
            (
                r#"<svg viewBox="0 0 0 10" width="1" height="1"/>"#,
                "positive width",
            ),
            (r#"<svg viewBox="0 0 a 10"/>"#, "four numbers"),
            (r#"<html><svg/></html>"#, "not <svg>"),
            (r#"<svg viewBox="0 0 10 10"><g></svg>"#, "not well-formed"),
            (r#"<svg viewBox="0 0 10 10"><g>"#, "before its root"),
            ("", "no <svg>"),
            (r#"<svg width="4" height="4"><rect/></svg>"#, "too small"),
        ] {
            let e = badge(svg)
                .err()
                .unwrap_or_else(|| panic!("{svg} badged"))
                .to_string();
            assert!(e.contains(says), "{svg}: {e}");
            assert!(!e.contains('\n'), "one line: {e}");
        }
    }

    #[test]
    fn lengths_convert_to_pixels() {
        assert_eq!(absolute_px("12"), Some(12.0));
        assert_eq!(absolute_px(" 12px "), Some(12.0));
        assert_eq!(absolute_px("1in"), Some(96.0));
        assert_eq!(absolute_px("72pt"), Some(96.0));
        assert_eq!(absolute_px("50%"), None);
        assert_eq!(absolute_px("2em"), None);
        assert_eq!(absolute_px("-3"), None);
        assert_eq!(
            xml_ascii("a<b & \"ИИ\""),
            "a&lt;b &amp; &quot;&#x418;&#x418;&quot;"
        );
    }
}
