//! What in a file could identify a person (Kazakhstan's Personal Data Law;
//! biometric data are personal data): the file's own metadata (EXIF, XMP,
//! audio and video tags: GPS, serial numbers, owner and author names) and, inside its C2PA manifests,
//! CAWG identities, `stds.exif`/`stds.iptc` metadata, creative-work
//! authors, AI prompts and ingredient thumbnails (faces). Each item says
//! where it sits, so a publisher can review it and redact it.

use serde::Serialize;
use tamga_meta::personal::{PersonalField, PersonalKind};

/// What an item reveals, in the words `--redact` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrivacyKind {
    /// Where: GPS coordinates, a location.
    Gps,
    /// Which device: serial numbers, maker notes.
    Device,
    /// Who: names of owners, authors, creators; identity assertions.
    Identity,
    /// What someone typed: AI prompts, which may quote people.
    Prompts,
    /// Thumbnails of the ingredients (faces, places).
    IngredientThumbnails,
}

impl PrivacyKind {
    /// Every kind (`--redact personal`).
    pub const ALL: [Self; 5] = [
        Self::Gps,
        Self::Device,
        Self::Identity,
        Self::Prompts,
        Self::IngredientThumbnails,
    ];

    /// The name `--redact` and reports use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gps => "gps",
            Self::Device => "device",
            Self::Identity => "identity",
            Self::Prompts => "prompts",
            Self::IngredientThumbnails => "ingredient-thumbnails",
        }
    }

    /// The kind called `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The file-metadata kind, for the kinds file metadata has.
    pub(crate) fn file_kind(self) -> Option<PersonalKind> {
        match self {
            Self::Gps => Some(PersonalKind::Gps),
            Self::Device => Some(PersonalKind::Device),
            Self::Identity => Some(PersonalKind::Identity),
            _ => None,
        }
    }

    fn of_file(kind: PersonalKind) -> Self {
        match kind {
            PersonalKind::Gps => Self::Gps,
            PersonalKind::Device => Self::Device,
            PersonalKind::Identity => Self::Identity,
        }
    }
}

/// One thing in a file that could identify a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrivacyItem {
    /// What it reveals.
    pub kind: PrivacyKind,
    /// Where: `EXIF`, `XMP` or `ID3` (the file's own metadata) or `manifest`.
    #[serde(rename = "where")]
    pub place: String,
    /// The manifest holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    /// The assertion holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion: Option<String>,
    /// The field ("GPSLatitude", "dc:creator", "actions[0].parameters.prompt").
    pub field: String,
    /// Its value, shortened, when it is text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether `publish --redact` can take it out: false for what sits in
    /// `c2pa.actions` (the AI disclosure, which C2PA forbids redacting).
    pub redactable: bool,
}

impl PrivacyItem {
    /// The JUMBF URI of its assertion, for a claim's `redacted_assertions`.
    pub fn assertion_uri(&self) -> Option<String> {
        Some(format!(
            "self#jumbf=/c2pa/{}/c2pa.assertions/{}",
            self.manifest.as_ref()?,
            self.assertion.as_ref()?
        ))
    }
}

fn short(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The items of a file's own metadata.
pub(crate) fn from_file(fields: Vec<PersonalField>) -> Vec<PrivacyItem> {
    fields
        .into_iter()
        .map(|f| PrivacyItem {
            kind: PrivacyKind::of_file(f.kind),
            place: f.place.name().into(),
            manifest: None,
            assertion: None,
            field: f.field,
            value: (!f.value.is_empty()).then(|| short(&f.value)),
            redactable: true,
        })
        .collect()
}

/// Keys of `stds.exif`/`stds.iptc` JSON-LD that reveal a person.
fn metadata_key(key: &str) -> Option<PrivacyKind> {
    let local = key.rsplit(':').next().unwrap_or(key);
    Some(match local {
        l if key.starts_with("exif:GPS") || l.starts_with("GPS") => PrivacyKind::Gps,
        "LocationCreated" | "LocationShown" | "Location" => PrivacyKind::Gps,
        "SerialNumber" | "BodySerialNumber" | "LensSerialNumber" | "CameraSerialNumber" => {
            PrivacyKind::Device
        }
        "creator" | "Artist" | "CameraOwnerName" | "OwnerName" | "CreatorContactInfo" | "Owner"
        | "author" => PrivacyKind::Identity,
        _ => return None,
    })
}

fn text_of(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(short(s)),
        serde_json::Value::Null => None,
        other => Some(short(&other.to_string())),
    }
}

/// The items inside a reader's manifests.
pub(crate) fn from_reader(reader: &c2pa::Reader) -> Vec<PrivacyItem> {
    from_manifests(&store_view(reader))
}

/// The manifests' assertions as c2pa's detailed JSON lays them out
/// (`manifests/<label>/assertion_store/<assertion>`), built from the parsed
/// manifests: the detailed report itself costs a serialisation of the
/// whole store per file. Ingredient thumbnails come from the ingredients'
/// references.
fn store_view(reader: &c2pa::Reader) -> serde_json::Value {
    let mut manifests = serde_json::Map::new();
    for (label, m) in reader.manifests() {
        let mut store = serde_json::Map::new();
        for a in m.assertions() {
            let value = a.value().ok().cloned().unwrap_or(serde_json::Value::Null);
            store.insert(a.label().to_string(), value);
        }
        manifests.insert(
            label.clone(),
            serde_json::json!({ "assertion_store": store }),
        );
        for i in m.ingredients() {
            let Some(id) = i.thumbnail_ref().map(|r| r.identifier.clone()) else {
                continue;
            };
            // `self#jumbf=/c2pa/<manifest>/c2pa.assertions/<thumbnail>`.
            let Some((manifest, thumb)) = id
                .split_once("/c2pa/")
                .and_then(|(_, rest)| rest.split_once("/c2pa.assertions/"))
            else {
                continue;
            };
            if thumb.starts_with("c2pa.thumbnail.ingredient") {
                let entry = manifests
                    .entry(manifest.to_string())
                    .or_insert_with(|| serde_json::json!({ "assertion_store": {} }));
                if let Some(s) = entry
                    .get_mut("assertion_store")
                    .and_then(|s| s.as_object_mut())
                {
                    s.insert(thumb.to_string(), serde_json::json!({}));
                }
            }
        }
    }
    serde_json::json!({ "manifests": manifests })
}

/// The items inside the manifests of c2pa's detailed JSON.
pub(crate) fn from_manifests(detailed: &serde_json::Value) -> Vec<PrivacyItem> {
    let mut items = Vec::new();
    let Some(manifests) = detailed.get("manifests").and_then(|m| m.as_object()) else {
        return items;
    };
    for (manifest, m) in manifests {
        let Some(store) = m.get("assertion_store").and_then(|s| s.as_object()) else {
            continue;
        };
        for (label, data) in store {
            let item = |kind, field: String, value: Option<String>, redactable| PrivacyItem {
                kind,
                place: "manifest".into(),
                manifest: Some(manifest.clone()),
                assertion: Some(label.clone()),
                field,
                value,
                redactable,
            };
            if label.starts_with("c2pa.thumbnail.ingredient") {
                items.push(item(
                    PrivacyKind::IngredientThumbnails,
                    "thumbnail".into(),
                    None,
                    true,
                ));
            } else if label.starts_with("cawg.identity") {
                items.push(item(PrivacyKind::Identity, "identity".into(), None, true));
            } else if label.starts_with("c2pa.actions") {
                // A prompt in an action's parameters: reported, never
                // redacted (the actions carry the AI disclosure).
                let actions = data.get("actions").and_then(|a| a.as_array());
                for (i, a) in actions.into_iter().flatten().enumerate() {
                    let params = a.get("parameters").and_then(|p| p.as_object());
                    for (k, v) in params.into_iter().flatten() {
                        if k.to_ascii_lowercase().contains("prompt") {
                            let field = format!("actions[{i}].parameters.{k}");
                            items.push(item(PrivacyKind::Prompts, field, text_of(v), false));
                        }
                    }
                }
            } else if label.starts_with("stds.")
                || label.starts_with("c2pa.metadata")
                || label.starts_with("cawg.metadata")
            {
                for (k, v) in data.as_object().into_iter().flatten() {
                    if let Some(kind) = metadata_key(k) {
                        items.push(item(kind, k.clone(), text_of(v), true));
                    }
                }
            } else if !label.starts_with("c2pa.") {
                // Another vendor's assertion that holds a prompt.
                let keys = data.as_object().into_iter().flatten();
                let prompt = label.to_ascii_lowercase().contains("prompt")
                    || keys
                        .clone()
                        .any(|(k, _)| k.to_ascii_lowercase().contains("prompt"));
                if prompt {
                    let value = keys
                        .filter(|(k, _)| k.to_ascii_lowercase().contains("prompt"))
                        .find_map(|(_, v)| text_of(v));
                    items.push(item(PrivacyKind::Prompts, label.clone(), value, true));
                }
            }
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_items_are_found_where_they_sit() {
        let detailed = serde_json::json!({"manifests": {"urn:a": {"assertion_store": {
            "c2pa.actions.v2": {"actions": [{"action": "c2pa.created",
                "parameters": {"com.vendor.prompt": "a photo of Aigerim"}}]},
            "stds.exif": {"exif:GPSLatitude": "43,14.4N", "exifEX:BodySerialNumber": "SN1",
                          "exif:ExposureTime": "1/125"},
            "cawg.identity": {"signer_payload": {}},
            "c2pa.thumbnail.ingredient.jpeg": {},
            "com.vendor.generation": {"prompt": "Aigerim at the lake"},
            "c2pa.hash.data": {"hash": "x"}
        }}}});
        let items = from_manifests(&detailed);
        let seen: Vec<(PrivacyKind, &str, bool)> = items
            .iter()
            .map(|i| (i.kind, i.field.as_str(), i.redactable))
            .collect();
        assert_eq!(items.len(), 6, "{seen:?}");
        assert!(seen.contains(&(
            PrivacyKind::Prompts,
            "actions[0].parameters.com.vendor.prompt",
            false
        )));
        assert!(seen.contains(&(PrivacyKind::Gps, "exif:GPSLatitude", true)));
        assert!(seen.contains(&(PrivacyKind::Device, "exifEX:BodySerialNumber", true)));
        assert!(seen.contains(&(PrivacyKind::Identity, "identity", true)));
        assert!(seen.contains(&(PrivacyKind::IngredientThumbnails, "thumbnail", true)));
        assert!(seen.contains(&(PrivacyKind::Prompts, "com.vendor.generation", true)));
        let thumb = items
            .iter()
            .find(|i| i.kind == PrivacyKind::IngredientThumbnails)
            .unwrap();
        assert_eq!(
            thumb.assertion_uri().unwrap(),
            "self#jumbf=/c2pa/urn:a/c2pa.assertions/c2pa.thumbnail.ingredient.jpeg"
        );
    }

    #[test]
    fn kinds_have_the_names_redact_takes() {
        for k in PrivacyKind::ALL {
            assert_eq!(PrivacyKind::parse(k.name()), Some(k));
        }
        assert_eq!(PrivacyKind::parse("faces"), None);
    }
}
