// Opens a `tamga disclose` card (HTML, or an SVG label) in Debian's
// headless Chromium through Playwright, as a shop's customer would, and
// checks what an accessibility review checks first:
//
//   node disclosure_card.mjs CARD SCREENSHOT.png
//
// no console or page errors; for HTML: a `lang` on <html> and on every
// section, one <h1> and an <h2> per section, headings in order, text
// contrast of at least 4.5:1 (WCAG AA) for every text element, and the
// JSON-LD parses. Screenshots the card (the caller decodes its QR code).
// Prints one JSON line on success; exits non-zero with the reason.
import { launchChromium } from "./launch.mjs";
import { pathToFileURL } from "node:url";

const [card, screenshot] = process.argv.slice(2);
if (!screenshot) {
  console.error("usage: node disclosure_card.mjs CARD SCREENSHOT.png");
  process.exit(2);
}

function check(cond, what) {
  if (!cond) throw new Error(what);
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
  let facts = {};
  if (card.endsWith(".html")) {
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
      const levels = Array.from(document.querySelectorAll("h1,h2,h3")).map((h) => Number(h.tagName[1]));
      let jsonLd = null;
      try { jsonLd = JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent); } catch (e) {}
      return {
        lang: document.documentElement.lang,
        sections,
        h1: document.querySelectorAll("h1").length,
        levels,
        minContrast: Math.min(...contrasts),
        jsonLd,
        text: document.body.innerText,
      };
    });
    check(facts.lang, "no lang on <html>");
    check(facts.h1 === 1, `${facts.h1} h1`);
    for (let i = 1; i < facts.levels.length; i++) {
      check(facts.levels[i] <= facts.levels[i - 1] + 1, `heading levels skip: ${facts.levels}`);
    }
    check(facts.minContrast >= 4.5, `contrast ${facts.minContrast}`);
    check(facts.jsonLd && facts.jsonLd["@type"], "JSON-LD does not parse");
  }
  // An SVG document has no body to measure a full page by.
  const shot = { path: screenshot, fullPage: card.endsWith(".html") };
  try {
    await page.screenshot(shot);
  } catch (e) {
    await page.waitForTimeout(500);
    await page.screenshot(shot);
  }
  check(problems.length === 0, problems.join("\n"));
  console.log(JSON.stringify({ ok: true, ...facts }));
} catch (e) {
  console.error(`${e.message}${problems.length ? "\n" + problems.join("\n") : ""}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
