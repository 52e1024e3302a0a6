// Opens a `tamga check --html` report in Debian's headless Chromium at
// 1280 px through Playwright (playwright-core: the system browser), as an
// editor would, and checks what they would see:
//
//   node html_report.mjs REPORT.html SCREENSHOT.png LANG ROWS
//
// the page's language; that no verdict word wraps (the verdict column once
// read "rej/ec/t"); that rejects come first, in groups whose counts add up;
// that all ROWS file rows are there; and how long it took to load. Prints one
// JSON line on success; exits non-zero with the reason on the first failure.
import { launchChromium } from "./launch.mjs";
import { pathToFileURL } from "node:url";

const [report, screenshot, lang, rows] = process.argv.slice(2);
if (!rows) {
  console.error("usage: node html_report.mjs REPORT.html SCREENSHOT.png LANG ROWS");
  process.exit(2);
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

const browser = await launchChromium();
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const started = Date.now();
  await page.goto(pathToFileURL(report).href, { waitUntil: "load" });
  const loadMs = Date.now() - started;
  check(await page.getAttribute("html", "lang") === lang, `lang: ${await page.getAttribute("html", "lang")}`);

  const facts = await page.evaluate(() => {
    // A word wraps when its text needs more than one line box.
    const lines = (el) => {
      const r = document.createRange();
      r.selectNodeContents(el);
      return new Set(Array.from(r.getClientRects()).map((b) => Math.round(b.top))).size;
    };
    const fileRows = Array.from(document.querySelectorAll("tbody tr:not(.group)"));
    // Every verdict word in the first rows (laid out now) and every heading.
    const words = [
      ...document.querySelectorAll(".summary .v, ul.groups .v, tr.group .v"),
      ...fileRows.slice(0, 300).map((tr) => tr.querySelector("td.verdict .v")),
    ];
    const wrapped = words.filter((el) => lines(el) > 1).map((el) => el.textContent);
    const groups = Array.from(document.querySelectorAll("tr.group")).map((g) => ({
      verdict: g.querySelector(".v").className.replace("v ", ""),
      count: Number(g.textContent.trim().split(": ").pop()),
    }));
    const order = fileRows.map((tr) => tr.querySelector("td.verdict .v").className.replace("v ", ""));
    return { rows: fileRows.length, wrapped, groups, order, checked: words.length };
  });
  check(facts.rows === Number(rows), `rows: ${facts.rows}, want ${rows}`);
  check(facts.wrapped.length === 0, `verdict words wrap at 1280 px: ${facts.wrapped.slice(0, 5)}`);
  const rank = { reject: 0, fix: 1, publish: 2 };
  for (let i = 1; i < facts.order.length; i++) {
    check(rank[facts.order[i - 1]] <= rank[facts.order[i]], `row ${i}: ${facts.order[i]} after ${facts.order[i - 1]}`);
  }
  const total = facts.groups.reduce((n, g) => n + g.count, 0);
  check(total === facts.rows, `group counts add up to ${total}, not ${facts.rows}`);

  // Headless Chromium's capture of a full page fails now and then on a
  // loaded machine ("Unable to capture screenshot") with the page intact:
  // one retry after a moment; a second failure stands.
  const shot = { path: screenshot, fullPage: facts.rows < 200 };
  try {
    await page.screenshot(shot);
  } catch (e) {
    await page.waitForTimeout(500);
    await page.screenshot(shot);
  }
  check(problems.length === 0, problems.join("\n"));
  console.log(JSON.stringify({ ok: true, rows: facts.rows, groups: facts.groups, checkedWords: facts.checked, loadMs, screenshot }));
} catch (e) {
  console.error(`${e.message}${problems.length ? "\n" + problems.join("\n") : ""}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
