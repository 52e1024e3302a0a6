//! The card as an HTML page: one section per language with its own `lang`,
//! real headings, a definition list, black on white (contrast 21:1), the QR
//! code and link, schema.org JSON-LD, and print styles. No script, no
//! outside resource: it prints and works offline.
//!
//! Printed, the page has its own 15 mm margins (the same from every browser
//! and headless PDF maker), the link turns black, a section (a language, or
//! the QR code with its heading) is not split across pages, and a long link
//! or file name wraps instead of widening the page, which would make
//! Chromium shrink the whole card to fit the paper.

use crate::{esc, qr_svg, words, Card, DiscloseError, Lang, Risks};

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;color:#000;background:#fff;\
max-width:42rem;margin:2rem auto;padding:0 1rem;overflow-wrap:anywhere}h1{font-size:1.6rem}\
h2{font-size:1.25rem;margin-top:2rem;border-top:2px solid #000;padding-top:1rem}\
dt{font-weight:700}dd{margin:0 0 .5rem 0}.declared{border:2px solid #000;padding:.5rem}\
.verify svg{width:10rem;height:10rem}a{color:#00e}@page{margin:15mm}\
@media print{body{margin:0}a{color:#000}section{break-inside:avoid}h2,h3{break-after:avoid}}";

pub(crate) fn page(card: &Card, langs: &[Lang], risks: &Risks) -> Result<String, DiscloseError> {
    let first = langs.first().copied().unwrap_or(Lang::En);
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {}</title>\n<style>{STYLE}</style>\n\
         <script type=\"application/ld+json\">{}</script>\n</head>\n<body>\n<main>\n",
        first.tag(),
        esc(words::words(first).title),
        esc(&card.title),
        // JSON-LD inside <script>: `</` must not end it early.
        card.json_ld().to_string().replace("</", "<\\/"),
    );
    h.push_str(&format!(
        "<h1>{}</h1>\n",
        langs
            .iter()
            .map(|&l| format!(
                "<span lang=\"{}\">{}</span>",
                l.tag(),
                esc(words::words(l).title)
            ))
            .collect::<Vec<_>>()
            .join(" · ")
    ));
    for &lang in langs {
        let w = words::words(lang);
        h.push_str(&format!(
            "<section lang=\"{}\">\n<h2>{}: {}</h2>\n",
            lang.tag(),
            esc(w.title),
            esc(&card.title)
        ));
        if !card.verified {
            h.push_str(&format!("<p class=\"declared\">{}</p>\n", esc(w.declared)));
        }
        h.push_str("<dl>\n");
        for (k, v) in card.lines(lang) {
            h.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", esc(k), esc(&v)));
        }
        h.push_str("</dl>\n");
        if let Some(r) = risks.get(lang) {
            for (head, items) in [(w.risks, &r.risks), (w.safe_use, &r.safe_use)] {
                if items.is_empty() {
                    continue;
                }
                h.push_str(&format!("<h3>{}</h3>\n<ul>\n", esc(head)));
                for i in items {
                    h.push_str(&format!("<li>{}</li>\n", esc(i)));
                }
                h.push_str("</ul>\n");
            }
        }
        h.push_str("</section>\n");
    }
    if let Some(url) = &card.verify_url {
        let label = langs
            .iter()
            .map(|&l| words::words(l).verify)
            .collect::<Vec<_>>()
            .join(" / ");
        h.push_str(&format!(
            "<section class=\"verify\">\n<h2>{}</h2>\n<figure role=\"img\" aria-label=\"QR: {}\">{}</figure>\n\
             <p><a href=\"{}\">{}</a></p>\n</section>\n",
            esc(&label),
            esc(url),
            // The renderer's own XML declaration has no place inside HTML.
            strip_xml_declaration(&qr_svg(url)?),
            esc(url),
            esc(url)
        ));
    }
    h.push_str("</main>\n</body>\n</html>\n");
    Ok(h)
}

pub(crate) fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => svg,
    }
}
