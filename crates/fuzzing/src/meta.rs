//! tamga-meta's readers and writers for every container.

use tamga_meta::{
    carry_over, read, read_from, rebase_item_locations, write, Aigc, AigcLabel, Container, Found,
    Labels,
};

use crate::{split, Trickle};

/// Every container, picked by the input's first byte.
const CONTAINERS: [Container; 12] = [
    Container::Jpeg,
    Container::Png,
    Container::Webp,
    Container::Gif,
    Container::Tiff,
    Container::Svg,
    Container::Bmff,
    Container::Jxl,
    Container::Wav,
    Container::Mp3,
    Container::Flac,
    Container::Markdown,
];

const DST: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

fn pick(data: &[u8]) -> Option<(Container, &[u8])> {
    split(data).map(|(b, rest)| (CONTAINERS[usize::from(b) % CONTAINERS.len()], rest))
}

fn as_json(found: &Found) -> String {
    serde_json::to_string(found).unwrap_or_else(|e| panic!("Found serializes: {e}"))
}

/// Reading any bytes as the picked container: never panics, and reading
/// from a stream one byte at a time finds exactly what reading the bytes in
/// memory finds.
pub fn meta_read(data: &[u8]) {
    let Some((container, body)) = pick(data) else {
        return;
    };
    let whole = read(container, body);
    let trickled = read_from(container, &mut Trickle::new(body));
    assert_eq!(as_json(&whole), as_json(&trickled), "{container:?}");
}

fn labels() -> Labels {
    // Values with XML and JSON metacharacters, so escaping is exercised.
    let aigc = Aigc::first_write(AigcLabel::Is, "Tamga<Fuzz>&co", "id-1")
        .unwrap_or_else(|e| panic!("a fixed AIGC label: {e}"));
    Labels {
        digital_source_type: Some(DST.into()),
        ai_system: Some("Model <2> & 'co'".into()),
        ai_system_version: Some("2.1".into()),
        aigc: Some(aigc),
    }
}

/// Writing the labels into any bytes either fails with an error or gives a
/// file from which exactly one copy of each label reads back; writing again
/// into that file still gives exactly one.
pub fn meta_roundtrip(data: &[u8]) {
    let Some((container, body)) = pick(data) else {
        return;
    };
    let labels = labels();
    let Ok(once) = write(container, body, &labels) else {
        return;
    };
    check_one_copy(container, &once, &labels, "once");
    let twice = write(container, &once, &labels)
        .unwrap_or_else(|e| panic!("{container:?}: writing into its own output failed: {e}"));
    check_one_copy(container, &twice, &labels, "twice");
}

fn check_one_copy(container: Container, bytes: &[u8], labels: &Labels, when: &str) {
    let found = read(container, bytes);
    if container.carries_xmp() {
        assert_eq!(
            found.iptc.digital_source_types,
            [DST],
            "{container:?} written {when}"
        );
        assert_eq!(found.iptc.ai_system, labels.ai_system, "{container:?}");
    }
    let aigc: Vec<_> = found.aigc.iter().map(|a| a.parsed.as_ref().ok()).collect();
    assert_eq!(
        aigc,
        [labels.aigc.as_ref()],
        "{container:?} written {when}: {found:?}"
    );
}

/// Carrying the metadata of one file (the bytes after a 2-byte length)
/// over to another (the rest) either fails with an error or gives a file
/// that carrying again leaves as it is; rewriting BMFF item locations never
/// panics, and a rewritten file needs no second rewrite.
pub fn meta_keep(data: &[u8]) {
    let Some((container, body)) = pick(data) else {
        return;
    };
    let Some((len, rest)) = body.split_first_chunk::<2>() else {
        return;
    };
    let (original, edited) = rest.split_at(usize::from(u16::from_be_bytes(*len)).min(rest.len()));
    if let Ok(once) = carry_over(container, original, edited) {
        let twice = carry_over(container, original, &once)
            .unwrap_or_else(|e| panic!("{container:?}: carrying into its own output failed: {e}"));
        assert!(
            twice == once,
            "{container:?}: carrying twice changed the file"
        );
    }
    let mut out = std::io::Cursor::new(Vec::new());
    if let Ok(true) = rebase_item_locations(&mut std::io::Cursor::new(original), &mut out) {
        let rebased = out.into_inner();
        let mut again = std::io::Cursor::new(Vec::new());
        let changed = rebase_item_locations(&mut std::io::Cursor::new(&rebased), &mut again);
        assert!(matches!(changed, Ok(false)), "rebasing twice: {changed:?}");
    }
}

/// Finding and removing personal data in any bytes never panics; a
/// removal that takes nothing leaves the bytes as they were, the
/// containers edited in place keep their length, and a second removal
/// finds nothing left to take.
pub fn meta_personal(data: &[u8]) {
    use tamga_meta::personal::{find, redact, PersonalKind};
    let Some((b, body)) = split(data) else {
        return;
    };
    // The containers the others pick from, and Ogg (its header is only
    // read and redacted, never labelled).
    let container = CONTAINERS
        .get(usize::from(b) % (CONTAINERS.len() + 1))
        .copied()
        .unwrap_or(Container::Ogg);
    let _ = find(container, body);
    let kinds = [
        PersonalKind::Gps,
        PersonalKind::Device,
        PersonalKind::Identity,
    ];
    let Ok((out, n)) = redact(container, body, &kinds) else {
        return;
    };
    if n == 0 {
        assert!(out == body, "{container:?}: nothing removed, yet changed");
    }
    if matches!(
        container,
        Container::Bmff | Container::Wav | Container::Jxl | Container::Gif | Container::Tiff
    ) {
        assert_eq!(
            out.len(),
            body.len(),
            "{container:?}: an in-place edit moved bytes"
        );
        let again = redact(container, &out, &kinds).map(|(_, n)| n);
        assert!(
            matches!(again, Ok(0)),
            "{container:?}: a second pass: {again:?}"
        );
    }
}
