//! The XMP properties that can identify a person: GPS and location
//! (`exif:GPS…`, IPTC locations), serial numbers (`aux:`, `exifEX:`), and
//! owner, author and creator names (`dc:creator`, `tiff:Artist`…).

use quick_xml::{events::Event, name::ResolveResult, NsReader};

use super::{PersonalField, PersonalKind, Place};

const NS_EXIF: &str = "http://ns.adobe.com/exif/1.0/";
const NS_EXIF_EX: &str = "http://cipa.jp/exif/1.0/";
const NS_AUX: &str = "http://ns.adobe.com/exif/1.0/aux/";
const NS_TIFF: &str = "http://ns.adobe.com/tiff/1.0/";
const NS_DC: &str = "http://purl.org/dc/elements/1.1/";
const NS_IPTC_CORE: &str = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/";
const NS_IPTC_EXT: &str = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/";
const NS_RIGHTS: &str = "http://ns.adobe.com/xap/1.0/rights/";

/// What the property `local` in namespace `ns` reveals, if anything, and
/// its usual prefixed name.
fn kind_of(ns: &[u8], local: &[u8]) -> Option<(PersonalKind, &'static str)> {
    use PersonalKind::*;
    let ns = std::str::from_utf8(ns).ok()?;
    let local = std::str::from_utf8(local).ok()?;
    Some(match (ns, local) {
        (NS_EXIF, l) if l.starts_with("GPS") => (Gps, "exif"),
        (NS_IPTC_EXT, "LocationCreated" | "LocationShown") => (Gps, "Iptc4xmpExt"),
        (NS_IPTC_CORE, "Location") => (Gps, "Iptc4xmpCore"),
        (NS_AUX, "SerialNumber" | "LensSerialNumber") => (Device, "aux"),
        (NS_EXIF_EX, "BodySerialNumber" | "LensSerialNumber") => (Device, "exifEX"),
        (NS_AUX, "OwnerName") => (Identity, "aux"),
        (NS_EXIF_EX, "CameraOwnerName") => (Identity, "exifEX"),
        (NS_TIFF, "Artist") => (Identity, "tiff"),
        (NS_DC, "creator") => (Identity, "dc"),
        (NS_IPTC_CORE, "CreatorContactInfo") => (Identity, "Iptc4xmpCore"),
        (NS_RIGHTS, "Owner") => (Identity, "xmpRights"),
        _ => return None,
    })
}

fn bound(ns: &ResolveResult<'_>) -> Option<Vec<u8>> {
    match ns {
        ResolveResult::Bound(n) => Some(n.as_ref().to_vec()),
        _ => None,
    }
}

/// The personal properties in `packet`, in element or attribute form;
/// an element's value is its text (a list's items joined).
pub(crate) fn fields(packet: &str) -> Vec<PersonalField> {
    let mut found = Vec::new();
    let mut reader = NsReader::from_str(packet);
    // The property being read: its entry in `found` and nesting depth.
    let mut open: Option<(usize, usize)> = None;
    let mut depth = 0usize;
    let field = |kind, prefix: &str, local: &[u8]| PersonalField {
        kind,
        place: Place::Xmp,
        field: format!("{prefix}:{}", String::from_utf8_lossy(local)),
        value: String::new(),
    };
    while let Ok((ns, event)) = reader.read_resolved_event() {
        let ns = bound(&ns);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(event, Event::Start(_));
                for a in e.attributes().with_checks(false).flatten() {
                    let (ans, local) = reader.resolver().resolve_attribute(a.key);
                    if let Some((kind, prefix)) =
                        bound(&ans).and_then(|n| kind_of(&n, local.as_ref()))
                    {
                        let mut f = field(kind, prefix, local.as_ref());
                        f.value = String::from_utf8_lossy(&a.value).into_owned();
                        found.push(f);
                    }
                }
                if open.is_none() {
                    if let Some((kind, prefix)) = ns
                        .as_ref()
                        .and_then(|n| kind_of(n, e.local_name().as_ref()))
                    {
                        found.push(field(kind, prefix, e.local_name().as_ref()));
                        if is_start {
                            open = Some((found.len() - 1, depth));
                        }
                    }
                }
                if is_start {
                    depth += 1;
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if open.is_some_and(|(_, d)| d == depth) {
                    open = None;
                }
            }
            Event::Text(t) => {
                if let Some((i, _)) = open {
                    let text = t.decode().map(|s| s.trim().to_string()).unwrap_or_default();
                    if !text.is_empty() {
                        let v = &mut found[i].value;
                        if !v.is_empty() {
                            v.push_str(", ");
                        }
                        v.push_str(&text);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// `packet` without the properties of `kinds`, and how many there were;
/// `None` when it has none of them (or cannot be edited).
pub(crate) fn without(packet: &str, kinds: &[PersonalKind]) -> Option<(String, usize)> {
    let n = fields(packet)
        .iter()
        .filter(|f| kinds.contains(&f.kind))
        .count();
    if n == 0 {
        return None;
    }
    let picked =
        |ns: &[u8], local: &[u8]| kind_of(ns, local).is_some_and(|(k, _)| kinds.contains(&k));
    crate::xmp::remove(packet, &picked).ok().map(|p| (p, n))
}
