// Drives the `tamga serve` page in Debian's headless Chromium through
// Playwright (playwright-core: no browser download; the system browser).
//
//   node serve_page.mjs URL LABELLED TAMPERED SCREENSHOT.png [IDENTITY [VIDEO]]
//
// IDENTITY, when given, is a capture carrying a CAWG identity of
// "Aigerim Photo" from a certificate the server does not trust. VIDEO, a
// labelled video with a notice, is previewed as a video.
//
// Uploads a labelled file and a tampered one the way an editor does (the
// file chooser), and checks what a person would see: the verdicts, who
// signed, how AI was involved and the notice in Kazakh, then in English
// after switching language; the security headers; accessible names and
// keyboard reachability; no console errors. Exits non-zero with the reason
// on the first failure; prints one JSON line on success.
import { launchChromium } from "./launch.mjs";

const [url, labelled, tampered, screenshot, identity, video] = process.argv.slice(2);
if (!screenshot) {
  console.error("usage: node serve_page.mjs URL LABELLED TAMPERED SCREENSHOT.png");
  process.exit(2);
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

const browser = await launchChromium();
const problems = [];
try {
  // A Kazakh reader: the page follows the browser's language.
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 }, locale: "kk-KZ" });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));

  const res = await page.goto(url, { waitUntil: "load" });
  check(res && res.ok(), `GET ${url}: ${res && res.status()}`);
  const h = res.headers();
  check((h["content-security-policy"] || "").includes("default-src 'none'"), `CSP: ${h["content-security-policy"]}`);
  check(h["x-content-type-options"] === "nosniff", `nosniff: ${h["x-content-type-options"]}`);

  // Accessible: the file input has a label, the language buttons names and
  // state, and the keyboard reaches them.
  await page.getByLabel("Файлдарды таңдау").waitFor();
  check(await page.getAttribute("html", "lang") === "kk", "default language kk");
  for (const name of ["Қазақша", "Русский", "English"]) {
    check(await page.getByRole("button", { name }).count() === 1, `language button ${name}`);
  }
  const focusable = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    focusable.push(await page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.dataset.lang || document.activeElement.tagName)));
  }
  check(focusable.includes("en") && focusable.includes("files"), `keyboard reaches the controls: ${focusable}`);

  const uploads = identity ? [labelled, tampered, identity] : [labelled, tampered];
  if (video) uploads.push(video);
  await page.setInputFiles("#files", uploads);
  await page.waitForFunction((n) => document.querySelectorAll('.card[data-state="done"]').length === n, uploads.length, { timeout: 30000 });
  const cards = page.locator(".card");
  const byName = async (suffix) => {
    for (let i = 0; i < await cards.count(); i++) {
      const c = cards.nth(i);
      if ((await c.locator("h3").innerText()).endsWith(suffix)) return c;
    }
    throw new Error(`no card for ${suffix}`);
  };
  const base = (p) => p.split("/").pop();
  const good = await byName(base(labelled));
  const bad = await byName(base(tampered));
  check(await good.getAttribute("data-verdict") === "trusted", `labelled: ${await good.getAttribute("data-verdict")}`);
  check(await bad.getAttribute("data-verdict") === "invalid", `tampered: ${await bad.getAttribute("data-verdict")}`);
  const goodKk = await good.innerText();
  check(goodKk.includes("✓ Сенімді белгі"), `kk verdict: ${goodKk}`);
  check(goodKk.includes("Жасанды интеллект арқылы жасалған"), `kk notice: ${goodKk}`);
  check(goodKk.includes("ЖИ жасаған"), `kk involvement: ${goodKk}`);
  const badKk = await bad.innerText();
  check(badKk.includes("✗ Белгі бүлінген немесе өзгертілген"), `kk tampered: ${badKk}`);
  check(/assertion\.dataHash\.mismatch/.test(badKk), `codes shown: ${badKk}`);
  // "Details" lists each reason on its own, never run together.
  const reasons = await bad.locator('[data-testid="details"] li').allInnerTexts();
  check(reasons.length >= 1 && reasons.every((r) => r.trim().length > 0), `details: ${reasons}`);
  check(new Set(reasons).size === reasons.length, `details repeat: ${reasons}`);
  check(await good.locator("img.thumb").count() === 1, "thumbnail of the labelled image");
  if (video) {
    const clip = await byName(base(video));
    check(await clip.getAttribute("data-verdict") === "trusted", `video: ${await clip.getAttribute("data-verdict")}`);
    check(await clip.locator("video.thumb").count() === 1, "a video preview");
    check((await clip.innerText()).includes("Жасанды интеллект арқылы жасалған"), `video notice: ${await clip.innerText()}`);
  }

  let idCard = null;
  if (identity) {
    idCard = await byName(base(identity));
    const idKk = await idCard.innerText();
    check(idKk.includes("Куәландырған тұлға") && idKk.includes("Aigerim Photo"), `kk identity: ${idKk}`);
    check(idKk.includes("сенім тізімінде жоқ"), `kk identity status: ${idKk}`);
  }

  await page.getByRole("button", { name: "English" }).click();
  if (idCard) {
    const idEn = await idCard.innerText();
    check(/Identity\s+Aigerim Photo · vouched for by Aigerim Photo tamga development root CA · not on the trust list/.test(idEn), `en identity: ${idEn}`);
  }
  check(await page.getAttribute("html", "lang") === "en", "language switched");
  const goodEn = await good.innerText();
  check(goodEn.includes("✓ Trusted label") && goodEn.includes("AI-generated"), `en: ${goodEn}`);
  check(goodEn.includes("generated by AI"), `en involvement: ${goodEn}`);
  check((await bad.innerText()).includes("✗ Tampered or broken label"), "en tampered");
  await page.getByRole("button", { name: "Русский" }).click();
  check((await good.innerText()).includes("Создано с помощью ИИ"), "ru notice");
  await page.getByRole("button", { name: "Қазақша" }).click();

  await page.screenshot({ path: screenshot, fullPage: true });
  check(problems.length === 0, problems.join("\n"));
  console.log(JSON.stringify({ ok: true, cards: await cards.count(), screenshot }));
} catch (e) {
  console.error(`${e.message}${problems.length ? "\n" + problems.join("\n") : ""}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
