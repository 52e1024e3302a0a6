//! Help text computed from the library, so that what `--help` says a
//! default is cannot drift from the default tamga applies.

use tamga_label::{Family, MediaFormat, NoticePosition, NoticeStyle};

/// Whether a format is of a kind.
type IsKind = fn(MediaFormat) -> bool;

/// The kinds of media, as help text names them, and whether a format is one.
const KINDS: [(&str, IsKind); 4] = [
    ("images", MediaFormat::is_image),
    ("texts", MediaFormat::is_text),
    ("video", |f| f.family() == Family::Video),
    ("audio", |f| f.family() == Family::Audio),
];

/// "bottom-right for images; start for texts, video and audio": the
/// default `of` each kind of media, kinds with the same default together.
fn defaults_by_kind(of: impl Fn(MediaFormat) -> &'static str) -> String {
    let mut groups: Vec<(&'static str, Vec<String>)> = Vec::new();
    for (kind, is) in KINDS {
        let mut words: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
        for f in MediaFormat::ALL.into_iter().filter(|f| is(*f)) {
            let w = of(f);
            match words.iter_mut().find(|(x, _)| *x == w) {
                Some((_, names)) => names.push(f.name()),
                None => words.push((w, vec![f.name()])),
            }
        }
        // A kind whose formats differ is named format by format.
        let whole = words.len() == 1;
        for (w, names) in words {
            let who = if whole {
                kind.to_string()
            } else {
                names.join(", ")
            };
            match groups.iter_mut().find(|(x, _)| *x == w) {
                Some((_, whos)) => whos.push(who),
                None => groups.push((w, vec![who])),
            }
        }
    }
    groups
        .into_iter()
        .map(|(w, whos)| format!("{w} for {}", and_list(&whos)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `label --notice-position`'s help.
pub(crate) fn notice_position() -> String {
    format!(
        "Where it goes: start, end, both (texts, audio) or a corner: top-left, top-right, \
         bottom-left, bottom-right (images, video) [default: {}; implies --notice]",
        defaults_by_kind(|f| NoticePosition::default_for(f).word())
    )
}

/// `label --notice-style`'s help.
pub(crate) fn notice_style() -> String {
    format!(
        "The perceivable notice's kind: badge, ai-icon, tone, voice, line [default: {}; implies \
         --notice]",
        defaults_by_kind(|f| NoticeStyle::default_for(f).word())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_states_each_kinds_real_default() {
        let help = notice_position();
        for (kind, format) in [
            ("images", MediaFormat::Jpeg),
            ("texts", MediaFormat::Markdown),
            ("audio", MediaFormat::Wav),
        ] {
            let said = format!("{} for", NoticePosition::default_for(format).word());
            let at = help.find(&said).unwrap_or_else(|| panic!("{help}"));
            let clause = help[at..].split(';').next().unwrap_or_default();
            assert!(clause.contains(kind), "{kind}: {help}");
        }
    }
}
