//! The GB 45438-2025 Annex E implicit label: one field named `AIGC` whose
//! value is a JSON object. Writers emit the wrapped form
//! `{"AIGC":{...}}`; readers accept what real files carry: wrapped, bare,
//! JSON-escaped inside a string, entity-escaped, with numbers for strings.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// What the label says about the content (Annex E `Label`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AigcLabel {
    /// "1": the content is AI-generated or synthesized.
    Is,
    /// "2": it may be.
    MayBe,
    /// "3": it is suspected to be.
    Suspected,
}

impl AigcLabel {
    /// The code stored in the label.
    pub fn code(self) -> &'static str {
        match self {
            Self::Is => "1",
            Self::MayBe => "2",
            Self::Suspected => "3",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code.trim() {
            "1" => Some(Self::Is),
            "2" => Some(Self::MayBe),
            "3" => Some(Self::Suspected),
            _ => None,
        }
    }
}

/// A GB 45438 `AIGC` implicit label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aigc {
    /// `Label`: "1", "2" or "3" (see [`AigcLabel`]).
    #[serde(rename = "Label")]
    pub label: String,
    /// `ContentProducer`: who produced the content (a code or name).
    #[serde(rename = "ContentProducer", default)]
    pub content_producer: String,
    /// `ProduceID`: the producer's identifier for this content.
    #[serde(rename = "ProduceID", default)]
    pub produce_id: String,
    /// `ReservedCode1`: the producer's integrity value.
    #[serde(rename = "ReservedCode1", default)]
    pub reserved_code1: String,
    /// `ContentPropagator`: who distributed it.
    #[serde(rename = "ContentPropagator", default)]
    pub content_propagator: String,
    /// `PropagateID`: the propagator's identifier.
    #[serde(rename = "PropagateID", default)]
    pub propagate_id: String,
    /// `ReservedCode2`: the propagator's integrity value.
    #[serde(rename = "ReservedCode2", default)]
    pub reserved_code2: String,
}

/// A value GB 45438 Annex E does not allow in an `AIGC` field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "AIGC {field} {value:?} has {found:?}: GB 45438 allows printable ASCII without spaces, quotes or backslashes"
)]
pub struct ValueNotStorable {
    /// The field (`ContentProducer`, `ReservedCode1`…).
    pub field: &'static str,
    /// The value refused.
    pub value: String,
    /// The first character Annex E does not allow.
    pub found: char,
}

/// Why an `AIGC` value found in a file is not a label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AigcParseError {
    /// Neither the value nor a string inside it is JSON.
    #[error("the AIGC value is not JSON: {detail}")]
    NotJson {
        /// The JSON parser's words, with the line and column.
        detail: String,
    },
    /// An XML entity in the value cannot be decoded.
    #[error("the AIGC value has a bad entity: {detail}")]
    BadEntity {
        /// The XML unescaper's words.
        detail: String,
    },
    /// JSON strings inside JSON strings, past the depth real files use.
    #[error("the AIGC value is nested too deeply")]
    NestedTooDeeply,
    /// The JSON is not an object.
    #[error("the AIGC value is not a JSON object")]
    NotObject,
    /// `Label` is not one of Annex E's codes.
    #[error("Label {label:?} is not 1, 2 or 3")]
    BadLabel {
        /// The `Label` found.
        label: String,
    },
}

#[derive(Serialize)]
struct Wrapped<'a> {
    #[serde(rename = "AIGC")]
    aigc: &'a Aigc,
}

impl Aigc {
    /// A first-write label: the propagation fields equal the production
    /// fields, as Annex E asks.
    pub fn first_write(
        label: AigcLabel,
        producer: &str,
        produce_id: &str,
    ) -> Result<Self, ValueNotStorable> {
        for (name, value) in [("ContentProducer", producer), ("ProduceID", produce_id)] {
            check_value(name, value)?;
        }
        Ok(Self {
            label: label.code().into(),
            content_producer: producer.into(),
            produce_id: produce_id.into(),
            reserved_code1: String::new(),
            content_propagator: producer.into(),
            propagate_id: produce_id.into(),
            reserved_code2: String::new(),
        })
    }

    /// Sets the producer's (and, on first write, the propagator's)
    /// integrity value.
    pub fn set_reserved_code1(&mut self, code: String) -> Result<(), ValueNotStorable> {
        check_value("ReservedCode1", &code)?;
        if self.content_propagator == self.content_producer && self.propagate_id == self.produce_id
        {
            self.reserved_code2.clone_from(&code);
        }
        self.reserved_code1 = code;
        Ok(())
    }

    /// Hands the label on to a propagator (a platform publishing it):
    /// `ContentPropagator` and `PropagateID` become the propagator's, and
    /// `ReservedCode2` is cleared until the propagator signs
    /// [`Aigc::propagation_payload`] ([`Aigc::set_reserved_code2`]). The
    /// production fields and `ReservedCode1` stay the producer's.
    pub fn propagate(
        &mut self,
        propagator: &str,
        propagate_id: &str,
    ) -> Result<(), ValueNotStorable> {
        for (name, value) in [
            ("ContentPropagator", propagator),
            ("PropagateID", propagate_id),
        ] {
            check_value(name, value)?;
        }
        self.content_propagator = propagator.into();
        self.propagate_id = propagate_id.into();
        self.reserved_code2.clear();
        Ok(())
    }

    /// Sets the propagator's integrity value.
    pub fn set_reserved_code2(&mut self, code: String) -> Result<(), ValueNotStorable> {
        check_value("ReservedCode2", &code)?;
        self.reserved_code2 = code;
        Ok(())
    }

    /// Whether the propagation fields are still the producer's own (Annex
    /// E's first write: nobody has propagated it yet).
    pub fn is_first_write(&self) -> bool {
        self.content_propagator == self.content_producer
            && self.propagate_id == self.produce_id
            && self.reserved_code2 == self.reserved_code1
    }

    /// The bytes `ReservedCode2` signs: every field but the two codes, so
    /// the propagator vouches for the production fields it received too.
    pub fn propagation_payload(&self) -> Vec<u8> {
        format!(
            "GB45438-AIGC-propagation/1\n{}\n{}\n{}\n{}\n{}",
            self.label,
            self.content_producer,
            self.produce_id,
            self.content_propagator,
            self.propagate_id
        )
        .into_bytes()
    }

    /// What the label says, if `Label` is a known code.
    pub fn kind(&self) -> Option<AigcLabel> {
        AigcLabel::from_code(&self.label)
    }

    /// The bytes `ReservedCode1` signs: the production fields, so a label
    /// copied onto other content under another ID fails to verify.
    pub fn signing_payload(&self) -> Vec<u8> {
        format!(
            "GB45438-AIGC/1\n{}\n{}\n{}",
            self.label, self.content_producer, self.produce_id
        )
        .into_bytes()
    }

    /// The wrapped JSON written into files.
    pub fn to_json(&self) -> String {
        // Serializing plain strings cannot fail.
        serde_json::to_string(&Wrapped { aigc: self }).unwrap_or_default()
    }

    /// Parses any form seen in real files: `{"AIGC":{…}}`, the bare object,
    /// either of them as a JSON string, or with `&quot;` entities.
    pub fn parse(raw: &str) -> Result<Self, AigcParseError> {
        let value = decode(raw.trim(), 0)?;
        let object = match value.get("AIGC").or_else(|| value.get("aigc")) {
            Some(Value::String(inner)) => decode(inner.trim(), 1)?,
            Some(inner) => inner.clone(),
            None => value,
        };
        let Value::Object(map) = object else {
            return Err(AigcParseError::NotObject);
        };
        let field = |name: &str| -> String {
            match map.get(name) {
                Some(Value::String(s)) => s.trim().to_owned(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }
        };
        let label = field("Label");
        if AigcLabel::from_code(&label).is_none() {
            return Err(AigcParseError::BadLabel { label });
        }
        Ok(Self {
            label,
            content_producer: field("ContentProducer"),
            produce_id: field("ProduceID"),
            reserved_code1: field("ReservedCode1"),
            content_propagator: field("ContentPropagator"),
            propagate_id: field("PropagateID"),
            reserved_code2: field("ReservedCode2"),
        })
    }
}

/// Decodes JSON, unwrapping a JSON string or XML entities around it.
fn decode(text: &str, depth: u8) -> Result<Value, AigcParseError> {
    if depth > 3 {
        return Err(AigcParseError::NestedTooDeeply);
    }
    let text = if text.contains("&quot;") || text.contains("&#34;") {
        quick_xml::escape::unescape(text)
            .map_err(|e| AigcParseError::BadEntity {
                detail: e.to_string(),
            })?
            .into_owned()
    } else {
        text.to_owned()
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::String(inner)) => decode(inner.trim(), depth + 1),
        Ok(v) => Ok(v),
        Err(e) => Err(AigcParseError::NotJson {
            detail: e.to_string(),
        }),
    }
}

/// Annex E values are printable ASCII without spaces, quotes or backslashes.
fn check_value(field: &'static str, value: &str) -> Result<(), ValueNotStorable> {
    match value
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '"' | '\'' | '\\'))
    {
        Some(found) => Err(ValueNotStorable {
            field,
            value: value.into(),
            found,
        }),
        None => Ok(()),
    }
}

/// Turns an arbitrary name (a certificate's organisation, say) into a valid
/// Annex E value.
pub fn sanitize_value(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub(crate) fn serialize_parsed<S: Serializer>(
    parsed: &Result<Aigc, AigcParseError>,
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    enum Parsed<'a> {
        Label(&'a Aigc),
        Error(String),
    }
    match parsed {
        Ok(a) => Parsed::Label(a).serialize(s),
        Err(e) => Parsed::Error(e.to_string()).serialize(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn propagation_keeps_the_producer_and_signs_all_fields() {
        let mut a = Aigc::first_write(AigcLabel::Is, "Maker", "id-1").unwrap();
        a.set_reserved_code1("c2ln".into()).unwrap();
        assert!(a.is_first_write());
        let produced = a.signing_payload();
        a.propagate("Platform", "p-9").unwrap();
        assert!(!a.is_first_write());
        assert_eq!(
            a.signing_payload(),
            produced,
            "ReservedCode1 still verifies"
        );
        assert_eq!(a.reserved_code1, "c2ln");
        assert!(a.reserved_code2.is_empty());
        let payload = String::from_utf8(a.propagation_payload()).unwrap();
        assert!(payload.ends_with("Maker\nid-1\nPlatform\np-9"), "{payload}");
        assert!(a.propagate("two words", "x").is_err());
        a.set_reserved_code2("c2ln".into()).unwrap();
        let back = Aigc::parse(&a.to_json()).unwrap();
        assert_eq!(back, a);
    }

    fn sample() -> Aigc {
        Aigc::first_write(AigcLabel::Is, "Tamga_Demo", "0f3c").unwrap()
    }

    #[test]
    fn writes_the_wrapped_form_in_annex_e_order() {
        let mut a = sample();
        a.set_reserved_code1("c2lnbmF0dXJl".into()).unwrap();
        assert_eq!(
            a.to_json(),
            r#"{"AIGC":{"Label":"1","ContentProducer":"Tamga_Demo","ProduceID":"0f3c","ReservedCode1":"c2lnbmF0dXJl","ContentPropagator":"Tamga_Demo","PropagateID":"0f3c","ReservedCode2":"c2lnbmF0dXJl"}}"#
        );
    }

    #[test]
    fn reads_every_form_seen_in_files() {
        let want = sample();
        let wrapped = want.to_json();
        let bare = wrapped
            .strip_prefix(r#"{"AIGC":"#)
            .and_then(|s| s.strip_suffix('}'))
            .unwrap()
            .to_owned();
        let escaped = serde_json::to_string(&wrapped).unwrap();
        let entities = wrapped.replace('"', "&quot;");
        let inner_string = format!(r#"{{"AIGC":{}}}"#, serde_json::to_string(&bare).unwrap());
        let number = r#"{"AIGC":{"Label":1,"ContentProducer":"Tamga_Demo","ProduceID":"0f3c"}}"#;
        for form in [&wrapped, &bare, &escaped, &entities, &inner_string] {
            let got = Aigc::parse(form).unwrap();
            assert_eq!(got.label, "1", "{form}");
            assert_eq!(got.content_producer, "Tamga_Demo", "{form}");
            assert_eq!(got.produce_id, "0f3c", "{form}");
        }
        assert_eq!(Aigc::parse(number).unwrap().kind(), Some(AigcLabel::Is));
    }

    #[test]
    fn rejects_what_is_not_a_label() {
        for bad in [
            "",
            "AIGC",
            "[1]",
            r#"{"AIGC":{"Label":"7"}}"#,
            r#"{"Label":""}"#,
        ] {
            assert!(Aigc::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_unreadable_label_says_why() {
        // `[]` inside five JSON strings: one more than readers unwrap.
        let nested = (0..5).fold("[]".to_owned(), |s, _| serde_json::to_string(&s).unwrap());
        let cases = [
            ("AIGC", "not JSON"),
            ("[1]", "not an object"),
            (r#"{"AIGC":{"Label":"7"}}"#, "bad label"),
            ("&quot;&bogus;", "bad entity"),
            (nested.as_str(), "nested"),
        ];
        for (raw, want) in cases {
            let got = Aigc::parse(raw).unwrap_err();
            let ok = match want {
                "not JSON" => matches!(got, AigcParseError::NotJson { .. }),
                "not an object" => got == AigcParseError::NotObject,
                "bad label" => got == AigcParseError::BadLabel { label: "7".into() },
                "bad entity" => matches!(got, AigcParseError::BadEntity { .. }),
                _ => got == AigcParseError::NestedTooDeeply,
            };
            assert!(ok, "{raw}: {got:?}, wanted {want}");
        }
    }

    #[test]
    fn values_must_be_printable_ascii() {
        assert_eq!(
            Aigc::first_write(AigcLabel::Is, "Tamga Demo", "1").unwrap_err(),
            ValueNotStorable {
                field: "ContentProducer",
                value: "Tamga Demo".into(),
                found: ' ',
            }
        );
        assert!(Aigc::first_write(AigcLabel::Is, "a\"b", "1").is_err());
        assert!(Aigc::first_write(AigcLabel::Is, "Тамга", "1").is_err());
        assert_eq!(sanitize_value("Tamga Demo \"Ltd\""), "Tamga_Demo__Ltd_");
    }

    #[test]
    fn the_payload_binds_label_producer_and_id() {
        let a = sample();
        let mut b = sample();
        b.produce_id = "other".into();
        assert_ne!(a.signing_payload(), b.signing_payload());
    }
}
