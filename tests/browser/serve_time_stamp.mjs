// Uploads one file to the `tamga serve` page in headless Chromium and
// prints, as one JSON line, the text of its card in each language
// ({"kk": ..., "ru": ..., "en": ...}); the Rust test checks the words.
//
//   node serve_time_stamp.mjs URL FILE
import { launchChromium } from "./launch.mjs";

const [url, file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node serve_time_stamp.mjs URL FILE");
  process.exit(2);
}

const browser = await launchChromium();
try {
  const page = await browser.newPage({ locale: "kk-KZ" });
  const res = await page.goto(url, { waitUntil: "load" });
  if (!res || !res.ok()) throw new Error(`GET ${url}: ${res && res.status()}`);
  await page.setInputFiles("#files", [file]);
  await page.waitForFunction(() => document.querySelector('.card[data-state="done"]'), null, { timeout: 30000 });
  const out = {};
  for (const [lang, name] of [["kk", "Қазақша"], ["ru", "Русский"], ["en", "English"]]) {
    await page.getByRole("button", { name }).click();
    out[lang] = await page.locator(".card").first().innerText();
  }
  console.log(JSON.stringify(out));
} catch (e) {
  console.error(String(e && e.stack || e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
