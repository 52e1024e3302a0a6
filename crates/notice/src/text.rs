//! The perceivable notice for texts: a line at the start and/or the end.
//!
//! Plain text gets the words as a line of their own; Markdown gets an
//! emphasised blockquote, so it renders as a visible aside rather than as
//! part of the first paragraph. YAML front matter stays first, or it would
//! stop being front matter.

use crate::{
    options::{AppliedNotice, NoticeOptions, NoticePosition, NoticeStyle},
    wording::{Length, Wording},
    MediaFormat,
};

/// `body` with the notice added, and the record of it. A notice that is
/// already there (a relabelled text) is not added twice.
pub fn apply(
    body: &str,
    format: MediaFormat,
    wording: Wording,
    options: &NoticeOptions,
    position: NoticePosition,
) -> (String, AppliedNotice) {
    let words = options.words(wording, Length::Full);
    let line = if format == MediaFormat::Markdown {
        format!("> *{words}*")
    } else {
        words.clone()
    };
    let (front, rest) = split_front_matter(body, format);
    let mut out = String::with_capacity(body.len() + 2 * line.len() + 8);
    out.push_str(front);
    let at_start = matches!(position, NoticePosition::Start | NoticePosition::Both);
    let at_end = matches!(position, NoticePosition::End | NoticePosition::Both);
    if at_start && !rest.starts_with(&format!("{line}\n")) {
        out.push_str(&line);
        out.push_str("\n\n");
    }
    out.push_str(rest);
    if at_end && !rest.trim_end().ends_with(&line) {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&line);
        out.push('\n');
    }
    let record = AppliedNotice::new(NoticeStyle::Line, position, &options.langs, words);
    (out, record)
}

/// Markdown front matter (`---` … `---` at the very start) and the rest.
fn split_front_matter(body: &str, format: MediaFormat) -> (&str, &str) {
    if format != MediaFormat::Markdown || !body.starts_with("---\n") {
        return ("", body);
    }
    match body[4..].find("\n---\n") {
        Some(i) => body.split_at(4 + i + 5),
        None => ("", body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    fn opts(langs: &[Lang]) -> NoticeOptions {
        NoticeOptions {
            langs: langs.to_vec(),
            ..NoticeOptions::default()
        }
    }

    #[test]
    fn plain_and_markdown_lines_in_every_position() {
        let d = Wording::Generated;
        let o = opts(&[Lang::Kk, Lang::En]);
        let (t, rec) = apply("Body.\n", MediaFormat::Text, d, &o, NoticePosition::Start);
        assert_eq!(
            t,
            "Жасанды интеллект арқылы жасалған · AI-generated\n\nBody.\n"
        );
        assert_eq!(rec.languages, ["kk", "en"]);
        let (t, _) = apply("Body.", MediaFormat::Markdown, d, &o, NoticePosition::End);
        assert_eq!(
            t,
            "Body.\n\n> *Жасанды интеллект арқылы жасалған · AI-generated*\n"
        );
        let (t, _) = apply(
            "B\n",
            MediaFormat::Text,
            d,
            &opts(&[Lang::Zh]),
            NoticePosition::Both,
        );
        assert_eq!(t, "AI生成\n\nB\n\nAI生成\n");
    }

    #[test]
    fn front_matter_stays_first_and_notices_are_not_doubled() {
        let d = Wording::Generated;
        let o = opts(&[Lang::En]);
        let md = "---\ntitle: x\n---\n# Head\n";
        let (t, _) = apply(md, MediaFormat::Markdown, d, &o, NoticePosition::Start);
        assert_eq!(t, "---\ntitle: x\n---\n> *AI-generated*\n\n# Head\n");
        let (again, _) = apply(&t, MediaFormat::Markdown, d, &o, NoticePosition::Start);
        assert_eq!(again, t);
        let (end, _) = apply("x\n", MediaFormat::Text, d, &o, NoticePosition::End);
        let (end2, _) = apply(&end, MediaFormat::Text, d, &o, NoticePosition::End);
        assert_eq!(end, end2);
    }
}
