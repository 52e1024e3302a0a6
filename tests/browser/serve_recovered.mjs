// The `tamga serve` page for a file that arrives without its label when
// the server's registry holds one for its content, in headless Chromium.
//
//   node serve_recovered.mjs URL STRIPPED MANIFEST_ID
//
// Uploads STRIPPED through the file chooser and checks that its card says,
// in Kazakh and then in Russian and English, that the file has no label
// but the registry holds one for it (made with AI by whom, found how,
// which manifest, trusted or not, content changed) — worded as
// `tamga verify` and the HTML report word it, and as plain text. Exits
// non-zero with the reason on the first failure; prints one JSON line on
// success.
import { launchChromium } from "./launch.mjs";

const [url, stripped, manifest] = process.argv.slice(2);
if (!manifest) {
  console.error("usage: node serve_recovered.mjs URL STRIPPED MANIFEST_ID");
  process.exit(2);
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

const browser = await launchChromium();
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: "kk-KZ" });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const res = await page.goto(url, { waitUntil: "load" });
  check(res && res.ok(), `GET ${url}: ${res && res.status()}`);

  await page.setInputFiles("#files", [stripped]);
  await page.waitForFunction(() => document.querySelector('.card[data-state="done"]'), null, { timeout: 30000 });
  const card = page.locator(".card").first();
  check(await card.getAttribute("data-verdict") === "unlabelled", `verdict: ${await card.getAttribute("data-verdict")}`);
  const said = card.locator('[data-testid="recovered"]');
  check(await said.count() === 1, `no recovered sentence: ${await card.innerText()}`);
  // Text only: the manifest's strings never become markup.
  check(await said.evaluate((n) => n.childElementCount) === 0, "the sentence holds elements");

  const kk = await said.innerText();
  check(kk.startsWith("файлда белгі жоқ; тізілімде осы мазмұн үшін белгі табылды: ЖИ арқылы жасалған (Studio Model), қол қойған: "), `kk: ${kk}`);
  check(/саусақ ізі \(fingerprint\) бойынша табылды, айырмашылығы \d+ бит/.test(kk), `kk how: ${kk}`);
  check(kk.endsWith(`: ${manifest} (сенімді; қол қойылғаннан кейін мазмұны өзгерген)`), `kk state: ${kk}`);

  await page.getByRole("button", { name: "Русский" }).click();
  const ru = await said.innerText();
  check(ru.startsWith("в файле метки нет; в реестре найдена метка для этого содержимого: создано с помощью ИИ (Studio Model), подписант: "), `ru: ${ru}`);
  check(ru.endsWith(`(доверенная; содержимое изменено после подписания)`), `ru state: ${ru}`);

  await page.getByRole("button", { name: "English" }).click();
  const en = await said.innerText();
  const want = new RegExp(
    "^no label in the file; a label for this content was found in the registry: " +
    "made with AI \\(Studio Model\\) by [^;]+; found by fingerprint, \\d+ bits apart: " +
    manifest.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") +
    " \\(trusted; content changed since signing\\)$"
  );
  check(want.test(en), `en: ${en}`);
  check(problems.length === 0, problems.join("\n"));
  console.log(JSON.stringify({ ok: true, recovered: en }));
} catch (e) {
  console.error(`${e.message}${problems.length ? "\n" + problems.join("\n") : ""}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
