// The editors' page of `tamga serve`: each chosen or dropped file is sent to
// POST /v1/verify and its report (schema tamga.verify/1) is shown as a card
// in the reader's language. Everything the server returns is inserted as
// text (textContent), never as HTML, so a hostile file name or manifest
// cannot run script here; the CSP allows only this origin anyway.
"use strict";

const STRINGS = {
  kk: {
    pageTitle: "tamga — ЖИ белгісін тексеру",
    title: "ЖИ белгісін тексеру",
    skip: "Тексеруге өту",
    intro: "Файлдарды таңдаңыз немесе осында сүйреп әкеліңіз: оларда қол қойылған ЖИ белгісі бар-жоғын, оған кім қол қойғанын және жасанды интеллект қалай қатысқанын көресіз.",
    dropTitle: "Тексерілетін файлдар",
    choose: "Файлдарды таңдау",
    dropHint: "…немесе оларды осы жерге сүйреп әкеліңіз. Файлдар осы серверде тексеріледі және сақталмайды.",
    results: "Нәтижелер",
    noscript: "Бұл бетке JavaScript қажет. Дәл осындай тексеру POST /v1/verify арқылы қолжетімді.",
    footer: "C2PA Content Credentials, IPTC цифрлық дереккөз түрі және GB 45438 AIGC белгілері тексеріледі. API: /openapi.json",
    checking: "Тексерілуде…",
    progress: "Тексерілген файлдар: {done}/{total}",
    "verdict.trusted": "✓ Сенімді белгі",
    "verdict.valid-untrusted": "? Жарамды, бірақ қол қоюшы белгісіз",
    "verdict.invalid": "✗ Белгі бүлінген немесе өзгертілген",
    "verdict.unlabelled": "– Белгі жоқ",
    "verdict.remote": "↗ Белгі сыртта сақталған, тексерілмеді",
    "verdict.error": "✗ Тексеру мүмкін болмады",
    "why.trusted": "Файл қол қойылғаннан бері өзгермеген, оған осы сервер сенетін ұйым қол қойған.",
    "why.valid-untrusted": "Файл қол қойылғаннан бері өзгермеген, бірақ қол қоюшы осы сервердің сенім тізімінде жоқ: оның кім екенін өзіңіз тексеріңіз.",
    "why.invalid": "Белгі бар, бірақ тексеруден өтпеді: файл қол қойылғаннан кейін өзгертілген немесе қолтаңба жарамсыз. Мұндай файлды жарияламаңыз.",
    "why.unlabelled": "Файлда C2PA белгісі жоқ. Егер ол ЖИ арқылы жасалса, заң бойынша оны белгісіз таратуға болмайды.",
    "why.remote": "Файлдың белгісі басқа мекенжайда сақталған және жүктелмеді, сондықтан ол тексерілмеді. Оны тексеру үшін сервер баптауында жүктеуді қосыңыз.",
    "why.error": "Файлды тексеру мүмкін болмады.",
    whyTitle: "Неге",
    details: "Толығырақ (ағылшынша)",
    "fact.signer": "Қол қойған",
    "fact.timeStamp": "Уақыт белгісі",
    "timeStamp.trusted": "сенімді уақыт белгісі қызметі берген",
    "timeStamp.untrusted": "қызметі сенім тізімінде жоқ",
    "timeStamp.validated": "қызметі тексерілмеді",
    "fact.detail": "Ескертпе",
    "detail.expired-without-timestamp": "Сертификаттың қолданылу мерзімі аяқталған, ал сенімді уақыт белгісі жоқ: белгінің сертификат жарамды кезде қойылғанын дәлелдеу мүмкін емес. Мазмұны мен қолтаңбасы бүтін.",
    "fact.published": "Жариялаған",
    "fact.identity": "Куәландырған тұлға",
    "identity.vouchedBy": "кепілдік берген: {by}",
    "identity.trusted": "сенімді",
    "identity.untrusted": "сенім тізімінде жоқ",
    "identity.valid": "қолтаңбасы жарамды",
    "identity.unverified": "тексерілмеген",
    "identity.invalid": "ЖАРАМСЫЗ",
    "fact.ai": "ЖИ қатысуы",
    "fact.generator": "ЖИ жүйесі",
    "fact.notice": "Ескерту",
    "fact.perceivable": "Көрінетін ескерту",
    "fact.format": "Пішім",
    "ai.generated": "ЖИ жасаған",
    "ai.edited": "ЖИ арқылы өзгертілген",
    "ai.composite": "ЖИ жасаған элементтері бар",
    "ai.algorithmic": "алгоритм жасаған",
    "ai.none": "ЖИ қатысқаны туралы мәлімет жоқ",
    "notice.generated": "Жасанды интеллект арқылы жасалған",
    "notice.edited": "Жасанды интеллект арқылы өзгертілген",
    "notice.composite": "Жасанды интеллект жасаған элементтері бар",
    "notice.algorithmic": "Жасанды интеллект арқылы жасалған",
    "perceivable.none": "жазылмаған",
    "recovered.none": "файлда белгі жоқ",
    "recovered.found": "тізілімде осы мазмұн үшін белгі табылды",
    "recovered.ai": "ЖИ арқылы жасалған{model}, қол қойған: {signer}",
    "recovered.notAi": "ЖИ қатысы мәлімделмеген, қол қойған: {signer}",
    "recovered.noDisclosure": "ЖИ туралы мәлімет жоқ, қол қойған: {signer}",
    "recovered.unnamed": "аты көрсетілмеген қол қоюшы",
    "recovered.fingerprint": "саусақ ізі (fingerprint) бойынша табылды, айырмашылығы {distance} бит",
    "recovered.exact": "файлдың дәл хэші бойынша табылды",
    "recovered.trusted": "сенімді",
    "recovered.valid-untrusted": "бүтін, қол қоюшы сенім тізімінде жоқ",
    "recovered.invalid": "жарамсыз",
    "recovered.changed": "қол қойылғаннан кейін мазмұны өзгерген",
    noPreview: "Алдын ала көрініс жоқ",
    previewOf: "{name} алдын ала көрінісі",
    busy: "Сервер бос емес, сәл кейін қайталаңыз.",
    tooBig: "Файл тым үлкен.",
    network: "Серверге қосылу мүмкін болмады."
  },
  ru: {
    pageTitle: "tamga — проверка ИИ-маркировки",
    title: "Проверка ИИ-маркировки",
    skip: "Перейти к проверке",
    intro: "Выберите или перетащите файлы: вы увидите, есть ли в них подписанная ИИ-маркировка, кто её подписал и как участвовал искусственный интеллект.",
    dropTitle: "Файлы для проверки",
    choose: "Выбрать файлы",
    dropHint: "…или перетащите их сюда. Файлы проверяются на этом сервере и не сохраняются.",
    results: "Результаты",
    noscript: "Для этой страницы нужен JavaScript. Та же проверка доступна через POST /v1/verify.",
    footer: "Проверяются C2PA Content Credentials, тип цифрового источника IPTC и метки AIGC по GB 45438. API: /openapi.json",
    checking: "Проверяется…",
    progress: "Проверено файлов: {done} из {total}",
    "verdict.trusted": "✓ Надёжная маркировка",
    "verdict.valid-untrusted": "? Действительна, но подписант неизвестен",
    "verdict.invalid": "✗ Маркировка повреждена или изменена",
    "verdict.unlabelled": "– Маркировки нет",
    "verdict.remote": "↗ Маркировка хранится удалённо, не проверена",
    "verdict.error": "✗ Проверить не удалось",
    "why.trusted": "Файл не изменялся после подписания, и его подписала организация, которой доверяет этот сервер.",
    "why.valid-untrusted": "Файл не изменялся после подписания, но подписанта нет в списке доверия этого сервера: проверьте, кто это.",
    "why.invalid": "Маркировка есть, но не прошла проверку: файл изменили после подписания или подпись недействительна. Не публикуйте такой файл.",
    "why.unlabelled": "В файле нет маркировки C2PA. Если он создан ИИ, закон не разрешает распространять его без маркировки.",
    "why.remote": "Маркировка файла хранится по внешнему адресу и не была загружена, поэтому она не проверена. Чтобы проверить её, включите загрузку в настройках сервера.",
    "why.error": "Файл не удалось проверить.",
    whyTitle: "Почему",
    details: "Подробности (на английском)",
    "fact.signer": "Подписал",
    "fact.timeStamp": "Метка времени",
    "timeStamp.trusted": "от доверенной службы меток времени",
    "timeStamp.untrusted": "службы нет в списке доверия",
    "timeStamp.validated": "служба не проверена",
    "fact.detail": "Уточнение",
    "detail.expired-without-timestamp": "Срок действия сертификата истёк, а доверенной метки времени нет: нельзя доказать, что метка подписана в период действия сертификата. Содержимое и подпись целы.",
    "fact.published": "Опубликовал",
    "fact.identity": "Удостоверяет",
    "identity.vouchedBy": "поручился: {by}",
    "identity.trusted": "доверенный",
    "identity.untrusted": "нет в списке доверия",
    "identity.valid": "подпись действительна",
    "identity.unverified": "не проверено",
    "identity.invalid": "НЕДЕЙСТВИТЕЛЬНО",
    "fact.ai": "Участие ИИ",
    "fact.generator": "Система ИИ",
    "fact.notice": "Предупреждение",
    "fact.perceivable": "Видимое предупреждение",
    "fact.format": "Формат",
    "ai.generated": "создано ИИ",
    "ai.edited": "изменено с помощью ИИ",
    "ai.composite": "содержит элементы, созданные ИИ",
    "ai.algorithmic": "создано алгоритмом",
    "ai.none": "сведений об участии ИИ нет",
    "notice.generated": "Создано с помощью ИИ",
    "notice.edited": "Изменено с помощью ИИ",
    "notice.composite": "Содержит элементы, созданные ИИ",
    "notice.algorithmic": "Создано с помощью ИИ",
    "perceivable.none": "не записано",
    "recovered.none": "в файле метки нет",
    "recovered.found": "в реестре найдена метка для этого содержимого",
    "recovered.ai": "создано с помощью ИИ{model}, подписант: {signer}",
    "recovered.notAi": "участие ИИ не заявлено, подписант: {signer}",
    "recovered.noDisclosure": "сведений об ИИ нет, подписант: {signer}",
    "recovered.unnamed": "подписант без имени",
    "recovered.fingerprint": "найдена по отпечатку (fingerprint), различие {distance} бит",
    "recovered.exact": "найдена по точному хешу файла",
    "recovered.trusted": "доверенная",
    "recovered.valid-untrusted": "цела, подписанта нет в списке доверия",
    "recovered.invalid": "недействительна",
    "recovered.changed": "содержимое изменено после подписания",
    noPreview: "Нет превью",
    previewOf: "Превью: {name}",
    busy: "Сервер занят, повторите чуть позже.",
    tooBig: "Файл слишком большой.",
    network: "Не удалось связаться с сервером."
  },
  en: {
    pageTitle: "tamga — AI label check",
    title: "AI label check",
    skip: "Skip to the check",
    intro: "Choose or drop files to see whether they carry a signed AI label, who signed it and how AI was involved.",
    dropTitle: "Files to check",
    choose: "Choose files",
    dropHint: "…or drag and drop them here. Files are checked on this server and not kept.",
    results: "Results",
    noscript: "This page needs JavaScript. The same check is available as POST /v1/verify.",
    footer: "Checks C2PA Content Credentials, IPTC digital source types and GB 45438 AIGC labels. API: /openapi.json",
    checking: "Checking…",
    progress: "Checked {done} of {total} files",
    "verdict.trusted": "✓ Trusted label",
    "verdict.valid-untrusted": "? Valid, but unknown signer",
    "verdict.invalid": "✗ Tampered or broken label",
    "verdict.unlabelled": "– No label",
    "verdict.remote": "↗ Label stored remotely, not checked",
    "verdict.error": "✗ Could not be checked",
    "why.trusted": "The file has not changed since it was signed, and it was signed by an organisation this server trusts.",
    "why.valid-untrusted": "The file has not changed since it was signed, but the signer is not on this server's trust list: check who they are.",
    "why.invalid": "There is a label, but it fails the check: the file was changed after signing or the signature is invalid. Do not publish it as it is.",
    "why.unlabelled": "The file carries no C2PA label. If it was made with AI, the law does not allow distributing it unlabelled.",
    "why.remote": "The file's label is stored at a web address and was not fetched, so it was not checked. To check it, turn on fetching in the server's settings.",
    "why.error": "The file could not be checked.",
    whyTitle: "Why",
    details: "Details",
    "fact.signer": "Signed by",
    "fact.timeStamp": "Time-stamp",
    "timeStamp.trusted": "from a trusted time-stamp authority",
    "timeStamp.untrusted": "authority not on the trust list",
    "timeStamp.validated": "authority not checked",
    "fact.detail": "Note",
    "detail.expired-without-timestamp": "The certificate has expired and there is no trusted time-stamp: it cannot be shown that the label was signed while the certificate was valid. Content and signature are intact.",
    "fact.published": "Published by",
    "fact.identity": "Identity",
    "identity.vouchedBy": "vouched for by {by}",
    "identity.trusted": "trusted",
    "identity.untrusted": "not on the trust list",
    "identity.valid": "validly signed",
    "identity.unverified": "not checked",
    "identity.invalid": "INVALID",
    "fact.ai": "How AI was involved",
    "fact.generator": "AI system",
    "fact.notice": "Notice",
    "fact.perceivable": "Perceivable notice",
    "fact.format": "Format",
    "ai.generated": "generated by AI",
    "ai.edited": "edited with AI",
    "ai.composite": "contains AI-generated elements",
    "ai.algorithmic": "made by an algorithm",
    "ai.none": "no statement of AI involvement",
    "notice.generated": "AI-generated",
    "notice.edited": "AI-modified",
    "notice.composite": "Contains AI-generated elements",
    "notice.algorithmic": "AI-generated",
    "perceivable.none": "none recorded",
    "recovered.none": "no label in the file",
    "recovered.found": "a label for this content was found in the registry",
    "recovered.ai": "made with AI{model} by {signer}",
    "recovered.notAi": "no AI involvement declared, signed by {signer}",
    "recovered.noDisclosure": "no AI disclosure, signed by {signer}",
    "recovered.unnamed": "an unnamed signer",
    "recovered.fingerprint": "found by fingerprint, {distance} bits apart",
    "recovered.exact": "found by exact hash",
    "recovered.trusted": "trusted",
    "recovered.valid-untrusted": "valid-untrusted",
    "recovered.invalid": "invalid",
    "recovered.changed": "content changed since signing",
    noPreview: "No preview",
    previewOf: "Preview of {name}",
    busy: "The server is busy; try again shortly.",
    tooBig: "The file is too large.",
    network: "The server could not be reached."
  }
};

const LANGS = Object.keys(STRINGS);
// One entry per file checked: what the card is rebuilt from when the
// language changes.
const checks = [];
let lang = pickLanguage();

function pickLanguage() {
  try {
    const saved = window.localStorage.getItem("tamga.lang");
    if (LANGS.includes(saved)) return saved;
  } catch (_) { /* storage may be off; fall through */ }
  for (const l of navigator.languages || []) {
    const short = String(l).slice(0, 2).toLowerCase();
    if (LANGS.includes(short)) return short;
  }
  return "kk";
}

function t(key, vars) {
  let s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  // A function, so a `$&` in a value (a signer's name) stays as written.
  for (const [k, v] of Object.entries(vars || {})) s = s.replace(`{${k}}`, () => String(v));
  return s;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function setLanguage(next) {
  lang = next;
  try { window.localStorage.setItem("tamga.lang", next); } catch (_) { /* ignore */ }
  document.documentElement.lang = next;
  document.title = t("pageTitle");
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const b of document.querySelectorAll("button[data-lang]")) {
    b.setAttribute("aria-pressed", String(b.dataset.lang === next));
  }
  for (const c of checks) render(c);
  updateStatus();
}

function updateStatus() {
  const done = checks.filter((c) => c.state === "done").length;
  document.getElementById("status").textContent =
    checks.length ? t("progress", { done, total: checks.length }) : "";
}

function signerName(s) {
  if (!s) return null;
  return s.organisation || s.common_name || null;
}

// The notice in the reader's language: the label's own text when it has
// one in that language, else tamga's wording for the stated involvement.
function noticeText(d) {
  if (!d || !d.ai) return null;
  return (d.notice && d.notice[lang]) || t(`notice.${d.ai}`);
}

// The label the server's registry holds for a file that carries none, in
// the words of `tamga verify` and the HTML report: "no label in the file; a
// label for this content was found in the registry: made with AI (MODEL) by
// ORG; found by fingerprint, 3 bits apart: urn:c2pa:… (trusted; content
// changed since signing)".
function recoveredText(found) {
  const d = found.disclosure;
  const s = found.signer;
  const signer = (s && (s.organisation || s.common_name)) || (d && d.organisation) || t("recovered.unnamed");
  let made;
  if (d && d.ai) {
    const g = d.generator;
    const name = g ? [g.name, g.version].filter(Boolean).join(" ") + (g.provider ? ` (${g.provider})` : "") : "";
    made = t("recovered.ai", { model: name ? ` (${name})` : "", signer });
  } else {
    made = t(d ? "recovered.notAi" : "recovered.noDisclosure", { signer });
  }
  const how = found.how === "fingerprint" && Number.isInteger(found.distance)
    ? t("recovered.fingerprint", { distance: found.distance })
    : t("recovered.exact");
  let state = t(`recovered.${found.verdict}`);
  if (found.content_changed) state += `; ${t("recovered.changed")}`;
  return `${t("recovered.none")}; ${t("recovered.found")}: ${made}; ${how}: ${found.manifest} (${state})`;
}

function render(c) {
  const card = c.card;
  card.replaceChildren();
  const verdict = c.state === "done" ? c.verdict : "checking";
  card.dataset.verdict = verdict;
  card.dataset.state = c.state;

  // A video previews as its first frame: muted, nothing played until asked.
  const preview = !c.previewUrl
    ? el("div", { class: "nothumb", role: "img", "aria-label": t("noPreview") }, t("noPreview"))
    : c.video
      ? el("video", { class: "thumb", src: c.previewUrl, muted: "", preload: "metadata", controls: "", "aria-label": t("previewOf", { name: c.name }) })
      : el("img", { class: "thumb", src: c.previewUrl, alt: t("previewOf", { name: c.name }) });
  const body = el("div", { class: "body" }, el("h3", {}, c.name));
  card.append(preview, body);

  if (c.state !== "done") {
    body.append(el("span", { class: "verdict checking" }, t("checking")));
    return;
  }
  body.append(el("span", { class: `verdict ${verdict}`, "data-testid": "verdict" }, t(`verdict.${verdict}`)));
  const r = c.report || {};
  if (r.recovered) {
    body.append(el("p", { class: "recovered", "data-testid": "recovered" }, recoveredText(r.recovered)));
  }

  const facts = el("dl", { class: "facts" });
  const fact = (key, value, cls) => {
    if (value === null || value === undefined || value === "") return;
    facts.append(el("dt", {}, t(key)), el("dd", cls ? { class: cls } : {}, value));
  };
  const d = r.disclosure;
  fact("fact.signer", signerName(r.signer));
  if (r.published_by) fact("fact.published", r.published_by);
  // The RFC 3161 time-stamp: when the label was signed, and whether its
  // authority is trusted (the code says; `trusted` is absent without a
  // trust list).
  const ts = r.time_stamp;
  if (ts && ts.code) {
    const whose = t(`timeStamp.${ts.code.replace("timeStamp.", "")}`);
    fact("fact.timeStamp", [ts.time, whose].filter(Boolean).join(" · "), "time-stamp");
  }
  if (r.detail) fact("fact.detail", t(`detail.${r.detail}`), "detail");
  // CAWG identities: who vouches for the content besides the signer.
  for (const id of r.identities || []) {
    const parts = [id.namedActor || "?"];
    if (id.vouchedBy) parts.push(t("identity.vouchedBy", { by: id.vouchedBy }));
    parts.push(t(`identity.${id.status}`));
    fact("fact.identity", parts.join(" · "), `identity ${id.status}`);
  }
  if (r.verdict && r.verdict !== "unlabelled") {
    fact("fact.ai", d && d.ai ? t(`ai.${d.ai}`) : t("ai.none"));
  }
  if (d && d.generator) {
    fact("fact.generator", [d.generator.name, d.generator.version].filter(Boolean).join(" "));
  }
  const notice = noticeText(d);
  if (notice) fact("fact.notice", notice, "notice");
  if (d && d.ai) {
    fact("fact.perceivable", d.perceivableNotice ? d.perceivableNotice.text : t("perceivable.none"));
  }
  if (r.format) fact("fact.format", r.format.toUpperCase());
  if (facts.childElementCount) body.append(facts);

  const why = el("div", { class: "why" }, el("h4", {}, t("whyTitle")), el("p", {}, t(`why.${verdict}`)));
  const details = [];
  if (c.error) details.push(c.error);
  if (r.reason) details.push(r.reason);
  for (const f of r.failures || []) {
    if (f.explanation && !details.includes(f.explanation)) details.push(f.explanation);
  }
  if (details.length) {
    // One reason per item: run together, the sentences of different
    // reasons read as one.
    why.append(
      el("p", { class: "details-title" }, `${t("details")}:`),
      el("ul", { class: "details", "data-testid": "details" }, ...details.map((d) => el("li", {}, d)))
    );
  }
  const codes = (r.failures || []).map((f) => f.code).filter(Boolean);
  if (codes.length && verdict === "invalid") {
    why.append(el("p", { class: "codes" }, codes.join(", ")));
  }
  body.append(why);
}

async function check(file) {
  const c = {
    name: file.name || "upload",
    state: "checking",
    verdict: null,
    report: null,
    error: null,
    previewUrl: /^(image|video)\//.test(file.type) ? URL.createObjectURL(file) : null,
    video: /^video\//.test(file.type),
    card: el("li", { class: "card" })
  };
  checks.push(c);
  document.getElementById("results").append(c.card);
  render(c);
  updateStatus();
  try {
    const form = new FormData();
    form.append("file", file, c.name);
    const res = await fetch("/v1/verify", { method: "POST", body: form });
    const doc = await res.json().catch(() => ({}));
    if (!res.ok) {
      c.verdict = "error";
      c.error = res.status === 429 ? t("busy") : res.status === 413 ? t("tooBig") : doc.error || `HTTP ${res.status}`;
    } else {
      const entry = (doc.files || [])[0] || {};
      c.report = entry;
      c.verdict = ["trusted", "valid-untrusted", "invalid", "unlabelled"].includes(entry.verdict)
        ? entry.verdict
        : "error";
      if (entry.error) c.error = entry.error;
    }
  } catch (_) {
    c.verdict = "error";
    c.error = t("network");
  }
  c.state = "done";
  render(c);
  updateStatus();
}

function checkAll(files) {
  // One request per file, so each result shows as soon as it is known.
  for (const f of files) check(f);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll("button[data-lang]")) {
    b.addEventListener("click", () => setLanguage(b.dataset.lang));
  }
  const input = document.getElementById("files");
  input.addEventListener("change", () => {
    checkAll(Array.from(input.files || []));
    input.value = "";
  });
  const drop = document.getElementById("drop");
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    drop.addEventListener(type, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    checkAll(Array.from((e.dataTransfer && e.dataTransfer.files) || []));
  });
  setLanguage(lang);
});
