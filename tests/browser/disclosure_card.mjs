// Opens a `tamga disclose` card (HTML, or an SVG label) in Debian's
// headless Chromium through Playwright, as a shop's customer would, and
// checks what an accessibility review checks first:
//
//   node disclosure_card.mjs CARD SCREENSHOT.png
//
// axe-core (Deque's engine: the WCAG 2.0, 2.1 and 2.2 A and AA rules and
// its best practices) finds no violation, and there are no console or page
// errors. For HTML, also: a `lang` on every section, exactly one <h1> (axe
// asks for at least one), text contrast of at least 4.5:1 for every text
// element (axe allows 3:1 for large text) and the JSON-LD parses. Then the
// HTML as printed: laid out at the width of A4 paper inside the card's own
// @page margins, it reports the rightmost edge, the text and background
// colours, the QR code's size and whether its section may be split across
// pages, the link as printed, and the pages of an A4 PDF (the caller
// asserts those). Screenshots the card on screen (the caller decodes its QR
// code). Prints one JSON line of facts on success; exits non-zero with the
// reason.
import { launchChromium } from "./launch.mjs";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [card, screenshot] = process.argv.slice(2);
if (!screenshot) {
  console.error("usage: node disclosure_card.mjs CARD SCREENSHOT.png");
  process.exit(2);
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

function check(cond, what) {
  if (!cond) throw new Error(what);
}

// axe-core's verdict on the open page: fails on any violation, with each
// rule's id, impact and the elements it names.
async function axeFacts(page) {
  // An SVG document has no <head> for page.addScriptTag: the source is
  // evaluated instead, which defines `axe` the same way.
  await page.evaluate(AXE);
  const r = await page.evaluate(
    (tags) =>
      axe.run(document, { runOnly: { type: "tag", values: tags } }).then((r) => ({
        passed: r.passes.map((p) => p.id),
        incomplete: r.incomplete.map((p) => p.id),
        violations: r.violations.map(
          (v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
        ),
      })),
    AXE_TAGS,
  );
  check(r.violations.length === 0, `axe: ${r.violations.join("\n")}`);
  return { passed: r.passed, passes: r.passed.length, violations: 0, incomplete: r.incomplete };
}

// The HTML card as printed on A4 paper.
async function printFacts(page) {
  await page.emulateMedia({ media: "print" });
  // The printable area inside the card's own @page margins, in CSS pixels
  // (96 to the inch).
  const area = await page.evaluate(() => {
    const rule = Array.from(document.styleSheets)
      .flatMap((s) => Array.from(s.cssRules))
      .find((r) => r instanceof CSSPageRule);
    if (!rule) return null;
    const m = rule.style;
    const probe = document.createElement("div");
    probe.style.cssText = `position:absolute;width:calc(210mm - ${m.marginLeft || "0px"} - ${m.marginRight || "0px"});height:calc(297mm - ${m.marginTop || "0px"} - ${m.marginBottom || "0px"})`;
    document.body.append(probe);
    const { width, height } = probe.getBoundingClientRect();
    probe.remove();
    return { margin: m.margin, width: Math.floor(width), height: Math.floor(height) };
  });
  check(area, "no @page rule: the printed card's margins would be each browser's own");
  await page.setViewportSize({ width: area.width, height: area.height });
  const laid = await page.evaluate(() => {
    const all = Array.from(document.body.querySelectorAll("*"));
    const texts = all.filter((e) =>
      Array.from(e.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()),
    );
    const qr = document.querySelector("svg");
    const box = qr.getBoundingClientRect();
    // The nearest box around the QR code that says whether it may be split.
    let breakInside = "auto";
    for (let e = qr; e && e !== document.body; e = e.parentElement) {
      const b = getComputedStyle(e).breakInside;
      if (b !== "auto") {
        breakInside = b;
        break;
      }
    }
    return {
      right: Math.max(document.documentElement.scrollWidth, ...all.map((e) => e.getBoundingClientRect().right)),
      colors: [...new Set(texts.map((e) => getComputedStyle(e).color))],
      backgrounds: [
        ...new Set(
          [document.documentElement, document.body, ...all]
            .map((e) => getComputedStyle(e).backgroundColor)
            .filter((c) => !c.startsWith("rgba(0, 0, 0, 0)")),
        ),
      ],
      qr: {
        width: box.width,
        height: box.height,
        visible: box.width > 0 && box.height > 0 && getComputedStyle(qr).visibility === "visible",
        breakInside,
      },
      link: document.querySelector("a[href]")?.innerText ?? null,
    };
  });
  // page.pdf lays the page out for print itself, with the @page margins.
  const pdf = await page.pdf({ format: "A4" });
  // Chromium writes each page's dictionary uncompressed.
  const pdfPages = (pdf.toString("latin1").match(/\/Type\s*\/Page\b/g) || []).length;
  check(pdf.subarray(0, 5).toString() === "%PDF-" && pdfPages > 0, "page.pdf made no PDF pages");
  return { ...area, ...laid, pdfPages };
}

const browser = await launchChromium();
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(pathToFileURL(card).href, { waitUntil: "load" });
  // An SVG that does not parse shows Chromium's error page, not an error
  // event.
  check(!(await page.$("parsererror")), "the card does not parse");
  const html = card.endsWith(".html");
  let facts = {};
  if (html) {
    facts = await page.evaluate(() => {
      const lum = (rgb) => {
        const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((c) => {
          c /= 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const bg = (el) => {
        for (let e = el; e; e = e.parentElement) {
          const c = getComputedStyle(e).backgroundColor;
          if (!c.startsWith("rgba(0, 0, 0, 0)")) return c;
        }
        return "rgb(255, 255, 255)";
      };
      const texts = Array.from(document.querySelectorAll("h1,h2,h3,dt,dd,li,p,a"));
      const contrasts = texts.map((el) => {
        const [a, b] = [lum(getComputedStyle(el).color), lum(bg(el))];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      });
      const sections = Array.from(document.querySelectorAll("section[lang]")).map((s) => s.lang);
      let jsonLd = null;
      try { jsonLd = JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent); } catch (e) {}
      return {
        lang: document.documentElement.lang,
        sections,
        h1: document.querySelectorAll("h1").length,
        minContrast: Math.min(...contrasts),
        jsonLd,
        text: document.body.innerText,
      };
    });
    // A `lang` on <html> and headings in order are axe's html-has-lang and
    // heading-order.
    check(facts.h1 === 1, `${facts.h1} h1`);
    check(facts.minContrast >= 4.5, `contrast ${facts.minContrast}`);
    check(facts.jsonLd && facts.jsonLd["@type"], "JSON-LD does not parse");
  }
  facts.axe = await axeFacts(page);
  // An SVG document has no body to measure a full page by.
  const shot = { path: screenshot, fullPage: html };
  try {
    await page.screenshot(shot);
  } catch (e) {
    await page.waitForTimeout(500);
    await page.screenshot(shot);
  }
  if (html) facts.print = await printFacts(page);
  check(problems.length === 0, problems.join("\n"));
  console.log(JSON.stringify({ ok: true, ...facts }));
} catch (e) {
  console.error(`${e.message}${problems.length ? "\n" + problems.join("\n") : ""}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
