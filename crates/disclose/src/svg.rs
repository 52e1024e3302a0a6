//! The card as a label for packaging: a white panel with the title in each
//! language, how AI was involved, and the QR code to verify it. Text is at
//! least 5 % of the label's shorter side high (the rule the badges follow,
//! GB 45438's for images), so it stays legible when the label is printed
//! small.

use crate::{esc, html::strip_xml_declaration, qr_svg, words, Card, DiscloseError, Lang};

/// The label's size in user units (printed at any size: it scales).
pub(crate) const WIDTH: u32 = 600;
/// Height: a line per language, twice.
pub(crate) fn height(langs: usize) -> u32 {
    (60 + 2 * 36 * langs as u32).max(220)
}

/// The font size (user units) of every line.
const FONT: u32 = 22;
/// Characters that fit beside the QR code at that size (about 0.55 em each).
const FITS: usize = 28;

/// `svg` (a complete `<svg>` element) as a nested one at (`x`, `y`),
/// `size` units square: its own width and height go, its viewBox stays.
fn placed(svg: &str, x: u32, y: u32, size: u32) -> String {
    let end = svg.find('>').unwrap_or(0);
    let head: String = svg[..end]
        .split(' ')
        .filter(|a| !a.starts_with("width=") && !a.starts_with("height="))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{head} x=\"{x}\" y=\"{y}\" width=\"{size}\" height=\"{size}\"{}",
        &svg[end..]
    )
}

pub(crate) fn label(card: &Card, langs: &[Lang]) -> Result<String, DiscloseError> {
    let h = height(langs.len());
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {h}\" width=\"{WIDTH}\" height=\"{h}\" role=\"img\" lang=\"{}\">\n\
         <title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"4\"/>\n",
        langs.first().copied().unwrap_or(Lang::En).tag(),
        esc(words::words(langs.first().copied().unwrap_or(Lang::En)).title)
    );
    let text_width = if card.verify_url.is_some() {
        WIDTH - 230
    } else {
        WIDTH - 40
    };
    let mut y = 40;
    for &lang in langs {
        let w = words::words(lang);
        for (line, weight) in [
            (w.title.to_string(), "700"),
            (words::involvement(lang, card.ai).to_string(), "400"),
        ] {
            s.push_str(&format!(
                "<text x=\"20\" y=\"{y}\" font-family=\"sans-serif\" font-size=\"{FONT}\" font-weight=\"{weight}\"{} lang=\"{}\">{}</text>\n",
                // A long line is fitted to the space left of the QR code;
                // a short one keeps its natural width.
                if line.chars().count() > FITS {
                    format!(" textLength=\"{text_width}\" lengthAdjust=\"spacingAndGlyphs\"")
                } else {
                    String::new()
                },
                lang.tag(),
                esc(&line)
            ));
            y += 36;
        }
    }
    if let Some(url) = &card.verify_url {
        let qr = qr_svg(url)?;
        s.push_str(&placed(strip_xml_declaration(&qr), WIDTH - 190, 20, 170));
        s.push('\n');
    }
    s.push_str("</svg>\n");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_at_least_5_percent_of_the_shorter_side_for_any_number_of_languages() {
        for langs in 1..=3 {
            let h = height(langs);
            let share = f64::from(FONT) / f64::from(h.min(WIDTH));
            assert!(share >= 0.05, "{langs} languages: {share}");
        }
    }
}
