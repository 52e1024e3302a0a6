//! XMP packets: building one with tamga's properties, merging them into a
//! packet a file already has, and reading them back.
//!
//! Merging works on byte positions from a namespace-aware parse: our
//! properties are removed wherever they were (element or attribute form,
//! any prefix) and written once in a new `rdf:Description`, and every
//! other byte of the packet is kept as it was.

use quick_xml::{
    events::{BytesStart, Event},
    name::ResolveResult,
    NsReader,
};

/// `x:xmpmeta`.
pub const NS_X: &str = "adobe:ns:meta/";
/// RDF.
pub const NS_RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
/// IPTC Extension (DigitalSourceType, the 2025.1 AI fields).
pub const NS_IPTC_EXT: &str = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/";
/// TC260 (GB 45438 implicit label in XMP).
pub const NS_TC260: &str = "http://www.tc260.org.cn/ns/AIGC/1.0/";

/// The properties tamga writes and reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Property {
    /// `Iptc4xmpExt:DigitalSourceType`.
    DigitalSourceType,
    /// `Iptc4xmpExt:AISystemUsed` (IPTC 2025.1).
    AiSystemUsed,
    /// `Iptc4xmpExt:AISystemVersionUsed` (IPTC 2025.1).
    AiSystemVersionUsed,
    /// `TC260:AIGC`.
    Aigc,
}

impl Property {
    const ALL: [Self; 4] = [
        Self::DigitalSourceType,
        Self::AiSystemUsed,
        Self::AiSystemVersionUsed,
        Self::Aigc,
    ];

    fn ns(self) -> &'static str {
        match self {
            Self::Aigc => NS_TC260,
            _ => NS_IPTC_EXT,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Aigc => "TC260",
            _ => "Iptc4xmpExt",
        }
    }

    fn local(self) -> &'static str {
        match self {
            Self::DigitalSourceType => "DigitalSourceType",
            Self::AiSystemUsed => "AISystemUsed",
            Self::AiSystemVersionUsed => "AISystemVersionUsed",
            Self::Aigc => "AIGC",
        }
    }

    fn of(ns: &[u8], local: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.ns().as_bytes() == ns && p.local().as_bytes() == local)
    }
}

/// A property and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prop {
    property: Property,
    value: String,
}

impl Prop {
    /// A property with a value.
    pub fn new(property: Property, value: String) -> Self {
        Self { property, value }
    }
}

/// A complete XMP packet (with the `<?xpacket?>` wrapper) holding `props`.
pub fn packet(props: &[Prop]) -> String {
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n{}\n<?xpacket end=\"w\"?>",
        xmpmeta(props)
    )
}

/// An `x:xmpmeta` element holding `props`, for containers (SVG) that embed
/// XMP as XML rather than as a packet.
pub fn xmpmeta(props: &[Prop]) -> String {
    format!(
        "<x:xmpmeta xmlns:x=\"{NS_X}\">\n <rdf:RDF xmlns:rdf=\"{NS_RDF}\">\n{}\n </rdf:RDF>\n</x:xmpmeta>",
        description(props)
    )
}

fn description(props: &[Prop]) -> String {
    let mut namespaces: Vec<(&str, &str)> = props
        .iter()
        .map(|p| (p.property.prefix(), p.property.ns()))
        .collect();
    namespaces.dedup();
    let mut out = String::from("  <rdf:Description rdf:about=\"\"");
    for (prefix, ns) in namespaces {
        out.push_str(&format!("\n    xmlns:{prefix}=\"{ns}\""));
    }
    out.push('>');
    for p in props {
        let (prefix, local) = (p.property.prefix(), p.property.local());
        out.push_str(&format!(
            "\n   <{prefix}:{local}>{}</{prefix}:{local}>",
            quick_xml::escape::escape(p.value.as_str())
        ));
    }
    out.push_str("\n  </rdf:Description>");
    out
}

/// Why an existing XMP packet cannot take new properties.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XmpError {
    /// The packet is not well-formed XML.
    #[error(transparent)]
    Xml(#[from] quick_xml::Error),
    /// The packet has no `rdf:RDF` element to hold the properties.
    #[error("no rdf:RDF element")]
    NoRdf,
    /// Two edits of the packet overlap (elements nested in a way XMP does
    /// not allow, as `rdf:Description` inside one of our properties).
    #[error("overlapping XMP edits")]
    OverlappingEdits,
}

/// `existing` with `props` set: earlier copies of these properties are
/// removed, everything else is kept byte for byte.
pub fn merge(existing: &str, props: &[Prop]) -> Result<String, XmpError> {
    let ours = |ns: &[u8], local: &[u8]| Property::of(ns, local).is_some();
    edit(existing, &ours, Some(description(props)))
}

/// `packet` without its padding: the whitespace before `<?xpacket end`
/// and after the XML (XMP part 1, 7.3.2), which an in-place writer gives
/// back as room.
pub fn without_padding(packet: &str) -> String {
    let packet = packet.trim_end_matches(|c: char| c.is_ascii_whitespace() || c == '\0');
    match packet.rfind("<?xpacket end") {
        Some(end) => format!("{}\n{}", packet[..end].trim_end(), &packet[end..]),
        None => packet.to_string(),
    }
}

/// `existing` without the properties `remove` picks (by namespace URI and
/// local name), in element or attribute form; everything else is kept
/// byte for byte.
pub fn remove(existing: &str, remove: &dyn Fn(&[u8], &[u8]) -> bool) -> Result<String, XmpError> {
    edit(existing, remove, None)
}

/// The edit behind [`merge`] and [`remove`]: the properties `removed`
/// picks go, and `add` (an `rdf:Description`) goes in before `</rdf:RDF>`.
fn edit(
    existing: &str,
    removed: &dyn Fn(&[u8], &[u8]) -> bool,
    add: Option<String>,
) -> Result<String, XmpError> {
    let mut reader = NsReader::from_str(existing);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut insert_at = None;
    // Open elements; for an rdf:Description, where it started, whether it
    // holds anything but our properties, and the edits made inside it, so a
    // description left empty (tamga's own, from an earlier label) goes whole.
    let mut open: Vec<Option<(usize, bool, usize)>> = Vec::new();
    loop {
        let start = position(&reader);
        let (ns, event) = reader.read_resolved_event()?;
        let ns = bound(&ns);
        let ours = |local: &[u8]| ns.as_ref().is_some_and(|n| removed(n, local));
        let is_description =
            |local: &[u8]| ns.as_deref() == Some(NS_RDF.as_bytes()) && local == b"Description";
        match event {
            Event::Start(e) if ours(e.local_name().as_ref()) => {
                let end = e.name().as_ref().to_vec();
                reader.read_to_end(quick_xml::name::QName(&end))?;
                edits.push((start, position(&reader), String::new()));
            }
            Event::Empty(e) if ours(e.local_name().as_ref()) => {
                edits.push((start, position(&reader), String::new()));
            }
            Event::Start(e) => {
                if let Some(Some((_, other, _))) = open.last_mut() {
                    *other = true;
                }
                let (tag, other_attrs) = without_our_attributes(&reader, &e, false, removed);
                // A description that ends up empty goes whole, start tag
                // edit included.
                let edits_before = edits.len();
                if let Some(tag) = tag {
                    edits.push((start, position(&reader), tag));
                }
                open.push(is_description(e.local_name().as_ref()).then_some((
                    start,
                    other_attrs,
                    edits_before,
                )));
            }
            Event::Empty(e) => {
                if let Some(Some((_, other, _))) = open.last_mut() {
                    *other = true;
                }
                let (tag, other_attrs) = without_our_attributes(&reader, &e, true, removed);
                if is_description(e.local_name().as_ref()) && !other_attrs {
                    edits.push((start, position(&reader), String::new()));
                } else if let Some(tag) = tag {
                    edits.push((start, position(&reader), tag));
                }
            }
            Event::End(e) => {
                if let Some(Some((from, false, edits_before))) = open.pop() {
                    edits.truncate(edits_before);
                    let from = existing[..from].trim_end().len();
                    edits.push((from, position(&reader), String::new()));
                }
                if ns.as_deref() == Some(NS_RDF.as_bytes()) && e.local_name().as_ref() == b"RDF" {
                    insert_at = Some(existing[..start].trim_end().len());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(add) = add {
        let insert_at = insert_at.ok_or(XmpError::NoRdf)?;
        edits.push((insert_at, insert_at, format!("\n{add}")));
    }
    edits.sort_by_key(|(from, to, _)| (*from, *to));
    let mut out = String::with_capacity(existing.len() + 512);
    let mut at = 0;
    for (from, to, text) in edits {
        out.push_str(existing.get(at..from).ok_or(XmpError::OverlappingEdits)?);
        out.push_str(&text);
        at = to;
    }
    out.push_str(existing.get(at..).unwrap_or_default());
    Ok(out)
}

fn position(reader: &NsReader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

fn bound(ns: &ResolveResult<'_>) -> Option<Vec<u8>> {
    match ns {
        ResolveResult::Bound(n) => Some(n.as_ref().to_vec()),
        _ => None,
    }
}

/// The start tag rewritten without our properties in attribute form
/// (`<rdf:Description Iptc4xmpExt:DigitalSourceType="…">`), or None when
/// it has none; and whether it has attributes that are property values
/// other than ours (namespace declarations and `rdf:about` are not).
fn without_our_attributes(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
    empty: bool,
    removed: &dyn Fn(&[u8], &[u8]) -> bool,
) -> (Option<String>, bool) {
    let kind = |key: quick_xml::name::QName<'_>| {
        let (ns, local) = reader.resolver().resolve_attribute(key);
        let ns = bound(&ns);
        if ns.as_ref().is_some_and(|n| removed(n, local.as_ref())) {
            AttrKind::Ours
        } else if key.as_ref().starts_with(b"xmlns")
            || (ns.as_deref() == Some(NS_RDF.as_bytes()) && local.as_ref() == b"about")
        {
            AttrKind::Structural
        } else {
            AttrKind::Other
        }
    };
    let attrs: Vec<_> = e.attributes().with_checks(false).flatten().collect();
    let other = attrs.iter().any(|a| kind(a.key) == AttrKind::Other);
    if !attrs.iter().any(|a| kind(a.key) == AttrKind::Ours) {
        return (None, other);
    }
    let mut tag = format!("<{}", String::from_utf8_lossy(e.name().as_ref()));
    for a in attrs.iter().filter(|a| kind(a.key) != AttrKind::Ours) {
        tag.push_str(&format!(
            " {}=\"{}\"",
            String::from_utf8_lossy(a.key.as_ref()),
            String::from_utf8_lossy(&a.value).replace('"', "&quot;")
        ));
    }
    tag.push_str(if empty { "/>" } else { ">" });
    (Some(tag), other)
}

#[derive(PartialEq, Eq)]
enum AttrKind {
    Ours,
    Structural,
    Other,
}

/// What an XMP packet says about AI involvement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmpFound {
    /// The IPTC fields.
    pub iptc: crate::IptcFields,
    /// Every `TC260:AIGC` value (any element or attribute named `AIGC`).
    pub aigc: Vec<String>,
}

/// Reads our properties from a packet; a malformed packet yields what was
/// read before the error.
pub fn read(packet: &str) -> XmpFound {
    let mut found = XmpFound::default();
    let mut reader = NsReader::from_str(packet);
    let mut open: Option<(Property, String)> = None;
    while let Ok((ns, event)) = reader.read_resolved_event() {
        let ns = bound(&ns);
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let mut resource = None;
                for a in e.attributes().with_checks(false).flatten() {
                    let (ans, local) = reader.resolver().resolve_attribute(a.key);
                    let Some(ans) = bound(&ans) else { continue };
                    let Ok(v) = a.normalized_value(quick_xml::XmlVersion::Implicit1_0) else {
                        continue;
                    };
                    if ans == NS_RDF.as_bytes() && local.as_ref() == b"resource" {
                        resource = Some(v.into_owned());
                    } else if let Some(p) = Property::of(&ans, local.as_ref()) {
                        record(&mut found, p, v.into_owned());
                    }
                }
                if let Some(p) = ns.and_then(|n| Property::of(&n, e.local_name().as_ref())) {
                    match resource {
                        // `<Iptc4xmpExt:DigitalSourceType rdf:resource="…"/>`
                        Some(uri) => record(&mut found, p, uri),
                        None => open = Some((p, String::new())),
                    }
                }
            }
            Event::Text(t) => {
                if let (Some((_, text)), Ok(s)) = (open.as_mut(), t.decode()) {
                    text.push_str(&s);
                }
            }
            // `&lt;` and `&#233;` arrive as their own events.
            Event::GeneralRef(r) => {
                if let (Some((_, text)), Ok(name)) = (open.as_mut(), r.decode()) {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => text.push(c),
                        _ => text.push_str(
                            quick_xml::escape::resolve_predefined_entity(&name).unwrap_or_default(),
                        ),
                    }
                }
            }
            Event::CData(t) => {
                if let (Some((_, text)), Ok(s)) = (open.as_mut(), t.decode()) {
                    text.push_str(&s);
                }
            }
            Event::End(e) => {
                if let Some(p) = ns.and_then(|n| Property::of(&n, e.local_name().as_ref())) {
                    if let Some((open_p, text)) = open.take() {
                        if open_p == p {
                            record(&mut found, p, text.trim().to_owned());
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

fn record(found: &mut XmpFound, p: Property, value: String) {
    if value.is_empty() {
        return;
    }
    match p {
        Property::DigitalSourceType => found.iptc.digital_source_types.push(value),
        Property::AiSystemUsed => {
            found.iptc.ai_system = found.iptc.ai_system.take().or(Some(value));
        }
        Property::AiSystemVersionUsed => {
            let v = &mut found.iptc.ai_system_version;
            *v = v.take().or(Some(value));
        }
        Property::Aigc => found.aigc.push(value),
    }
}
