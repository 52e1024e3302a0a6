//! An MP3's ID3v2 frames that name people (performers, composer, lyricist,
//! owner, the people lists) and the XMP packet it may carry in `PRIV`.

use id3::{frame::Private, Content, Tag, TagLike};

use super::{xmp_fields, PersonalField, PersonalKind, Place};

/// The text frames that name a person.
const PEOPLE: &[&str] = &[
    "TPE1", "TPE2", "TPE3", "TPE4", "TCOM", "TEXT", "TOLY", "TOPE", "TOWN", "TIPL", "TMCL", "IPLS",
];

fn is_xmp(c: &Content) -> Option<&Private> {
    match c {
        Content::Private(p) if p.owner_identifier == "XMP" => Some(p),
        _ => None,
    }
}

/// The personal fields of `tag`.
pub(crate) fn in_id3(tag: &Tag) -> Vec<PersonalField> {
    let mut found = Vec::new();
    for f in tag.frames() {
        if PEOPLE.contains(&f.id()) {
            found.push(PersonalField {
                kind: PersonalKind::Identity,
                place: Place::Id3,
                field: f.id().to_string(),
                value: f.content().to_string(),
            });
        } else if let Some(p) = is_xmp(f.content()) {
            found.extend(xmp_fields::fields(&String::from_utf8_lossy(
                &p.private_data,
            )));
        }
    }
    found
}

/// Removes the fields of `kinds` from `tag`; how many.
pub(crate) fn redact(tag: &mut Tag, kinds: &[PersonalKind]) -> usize {
    let mut n = 0;
    if kinds.contains(&PersonalKind::Identity) {
        for id in PEOPLE {
            n += tag.remove(*id).len();
        }
    }
    let packets: Vec<String> = tag
        .frames()
        .filter_map(|f| is_xmp(f.content()))
        .map(|p| String::from_utf8_lossy(&p.private_data).into_owned())
        .collect();
    for packet in packets {
        if let Some((new, removed)) = xmp_fields::without(&packet, kinds) {
            // Only the XMP PRIV frame is replaced; other PRIV frames stay.
            let others: Vec<_> = tag
                .frames()
                .filter(|f| f.id() == "PRIV" && is_xmp(f.content()).is_none())
                .cloned()
                .collect();
            tag.remove("PRIV");
            for f in others {
                tag.add_frame(f);
            }
            tag.add_frame(Private {
                owner_identifier: "XMP".into(),
                private_data: new.into_bytes(),
            });
            n += removed;
        }
    }
    n
}
