//! Plain-language explanations of C2PA status codes and c2pa errors.

use crate::MediaFormat;

/// What a C2PA failure code means for someone deciding whether to publish.
pub fn status_code(code: &str, format: MediaFormat) -> String {
    let content = if format.is_text() {
        "the text"
    } else if format.is_image() {
        "the pixels or image data"
    } else if matches!(format, MediaFormat::Svg) {
        "the drawing"
    } else if format.family() == tamga_media::Family::Video {
        "the video, its sound or file data"
    } else {
        "the audio or file data"
    };
    match code {
        "assertion.dataHash.mismatch"
        | "assertion.bmffHash.mismatch"
        | "assertion.boxesHash.mismatch" => {
            format!("{content} changed after labelling")
        }
        "assertion.dataHash.malformed" if format.is_text() => {
            "the label no longer lines up with the text (text was added, removed or re-encoded)"
                .into()
        }
        "assertion.dataHash.malformed" => "the label's data hash is malformed".into(),
        "manifest.text.corruptedWrapper" => {
            "the label hidden at the end of the text is damaged or cut off".into()
        }
        "manifest.text.multipleWrappers" => {
            "the text carries more than one label (labelled texts were pasted together)".into()
        }
        "assertion.hashedURI.mismatch" => {
            "a statement inside the label was altered after signing".into()
        }
        "assertion.missing" => "a statement the label refers to has been removed".into(),
        "claimSignature.mismatch" => {
            "the label's signature does not match its contents (forged or damaged)".into()
        }
        "claimSignature.missing" => "the label has no signature".into(),
        "algorithm.unsupported" => {
            "the label is signed with an algorithm C2PA does not allow, so its signature cannot be checked"
                .into()
        }
        PRERELEASE => {
            "the label was made by a pre-release C2PA tool (before C2PA 1.0) and cannot be validated"
                .into()
        }
        "signingCredential.untrusted" => "the signer is not on your trust list".into(),
        "signingCredential.expired" => {
            // With a trusted time-stamp this means it was signed after expiry;
            // without one, `signing_time` replaces it with the dated sentence.
            "the signing certificate was not valid at the time the label was signed, as far as \
             can be shown"
                .into()
        }
        "signingCredential.revoked" => "the signing certificate has been revoked".into(),
        "signingCredential.invalid" => "the signing certificate does not meet C2PA rules".into(),
        "ingredient.manifest.missing" => {
            "the label refers to an earlier label that is missing".into()
        }
        "ingredient.hashedURI.mismatch" | "ingredient.claimSignature.mismatch" => {
            "an earlier label in the history was altered".into()
        }
        "ingredient.manifest.mismatch" => {
            "an earlier label in the history no longer matches what the label recorded of it: \
             it was altered after it was signed"
                .into()
        }
        "claim.missing" | "claim.malformed" | "manifest.malformed" | "claim.cbor.invalid" => {
            "the label is damaged and cannot be read".into()
        }
        "assertion.action.ingredientMismatch" => {
            "the edit history does not match its ingredients".into()
        }
        "timeStamp.mismatch" | "timeStamp.malformed" => "the trusted timestamp is damaged".into(),
        "manifest.timeout" => {
            "the label could not be checked in time (possibly crafted to stall verifiers)".into()
        }
        other if other.starts_with("assertion.") => {
            format!("a statement in the label failed its check ({other})")
        }
        other => format!("C2PA check failed: {other}"),
    }
}

/// The code c2pa gives a claim from before C2PA 1.0 (a JSON claim, or
/// assertions hashed the old way); C2PA defines none.
pub const PRERELEASE: &str = "com.adobe.prerelease";

/// [`status_code`] for a failure c2pa found in an ingredient (an earlier
/// label in the file's history) rather than in the active manifest.
pub fn ingredient_status_code(code: &str, format: MediaFormat) -> String {
    let plain = status_code(code, format);
    if code.starts_with("ingredient.") {
        plain
    } else {
        format!("in an earlier label in the history: {plain}")
    }
}

/// The codes that explain why a label is invalid, each once, in order:
/// `signingCredential.untrusted` says nothing about tampering, so it is
/// left out when any other code is there (a verdict that lists only it
/// would hide what broke the label, such as an ingredient's
/// `assertion.hashedURI.mismatch`). Ingredient codes are included.
pub fn invalid_codes(failures: &[crate::verify_report::StatusCode]) -> Vec<&str> {
    const UNTRUSTED: &str = "signingCredential.untrusted";
    let mut out: Vec<&str> = Vec::new();
    for f in failures {
        if f.code != UNTRUSTED && !out.contains(&f.code.as_str()) {
            out.push(&f.code);
        }
    }
    if out.is_empty() && failures.iter().any(|f| f.code == UNTRUSTED) {
        out.push(UNTRUSTED);
    }
    out
}

/// Turns a c2pa error into a sentence for an error line.
pub fn c2pa_error(err: &c2pa::Error) -> String {
    use c2pa::Error as E;
    match err {
        E::JumbfNotFound => "no C2PA manifest".into(),
        E::UnsupportedType => "c2pa does not support this file type".into(),
        E::CoseInvalidCert => "the signing certificate is not acceptable to C2PA".into(),
        E::InvalidAsset(why) => format!("the file is damaged or not what it claims to be ({why})"),
        E::IoError(e) => format!("read/write failed: {e}"),
        other => {
            let s = other.to_string();
            if s.is_empty() {
                format!("{other:?}")
            } else {
                s
            }
        }
    }
}
