//! Reading a Content-Code back from its ISCC unit, as a client of the
//! soft-binding API sends it (the value of a `c2pa.soft-binding` block).

use crate::{body, ContentCode, ContentKind};

/// Why a string is not a usable Content-Code unit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnitError {
    /// Not an ISCC unit at all (bad base32, header or length).
    #[error("not an ISCC unit")]
    Invalid(#[source] iscc_lib::IsccError),
    /// A valid unit of another kind (Meta, Data, Instance, a video code…).
    #[error("an ISCC unit of main type {main} / subtype {sub}, not an image, audio or text Content-Code")]
    NotContent {
        /// The unit's main type number.
        main: u8,
        /// The unit's subtype number.
        sub: u8,
    },
}

impl ContentCode {
    /// Parses an ISCC Content-Code unit (`ISCC:EEA…`; the prefix may be
    /// left out): the kind from its header, the first 64 bits of its body.
    pub fn parse(unit: &str) -> Result<Self, UnitError> {
        let (main, sub, _, _, _) = iscc_lib::iscc_decode(unit).map_err(UnitError::Invalid)?;
        // ISO 24138: main type 2 is Content; its subtypes 0, 1, 2 are text,
        // image and audio.
        let kind = match (main, sub) {
            (2, 0) => ContentKind::Text,
            (2, 1) => ContentKind::Image,
            (2, 2) => ContentKind::Audio,
            _ => return Err(UnitError::NotContent { main, sub }),
        };
        let bits = body(unit).map_err(UnitError::Invalid)?;
        let iscc = if unit.starts_with("ISCC:") {
            unit.to_string()
        } else {
            format!("ISCC:{unit}")
        };
        Ok(Self {
            kind,
            bits,
            iscc,
            featureless: false,
            // A unit holds no features: a match on it cannot be confirmed.
            confirm: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_reads_back_as_the_code_it_was_made_from() {
        let made = crate::text("The quick brown fox jumps over the lazy dog, twice over.");
        let read = ContentCode::parse(&made.iscc).expect("own unit parses");
        assert_eq!((read.kind, read.bits), (made.kind, made.bits));
        let bare = made.iscc.trim_start_matches("ISCC:");
        assert_eq!(ContentCode::parse(bare).expect("no prefix").bits, made.bits);
    }

    #[test]
    fn other_units_and_garbage_are_refused_by_cause() {
        let data = iscc_lib::gen_data_code_v0(b"some bytes", 64).expect("data code");
        assert!(matches!(
            ContentCode::parse(&data.iscc),
            Err(UnitError::NotContent { main: 3, .. })
        ));
        assert!(matches!(
            ContentCode::parse("ISCC:!!!not-base32"),
            Err(UnitError::Invalid(_))
        ));
    }
}
