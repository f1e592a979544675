/* Options: server address, pairing token (with a connection test), UI language, reply locale per site. */
const { t, pickUiLang, UI_LANGS } = RespondeI18n;
const SITES = {
  "www.mercadolibre.com.mx": ["es-MX"],
  "www.mercadolibre.com.ar": ["es-AR"],
  "www.mercadolibre.com.co": ["es-CO"],
  "www.mercadolibre.cl": ["es-CL"],
  "www.mercadolivre.com.br": ["pt-BR"],
  "sellercentral.amazon.com.mx": ["es-MX", "en-US"],
  "sellercentral.amazon.com.br": ["pt-BR", "en-US"],
  "sellercentral.amazon.com": ["en-US", "es-MX"],
  "seller.shopee.com.br": ["pt-BR"],
};
const $ = (id) => document.getElementById(id);
let lang = "en";

function option(value, label, selected) {
  const el = document.createElement("option");
  el.value = value;
  el.textContent = label;
  el.selected = value === selected;
  return el;
}

function translate() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(lang, el.dataset.i18n);
}

function render(settings) {
  lang = pickUiLang(settings.uiLang, navigator.language);
  translate();
  $("server").value = settings.server;
  $("token").value = settings.token;
  const names = { "zh-CN": "中文", es: "español", "pt-BR": "português", en: "English" };
  $("uiLang").replaceChildren(option("", t(lang, "auto"), settings.uiLang), ...UI_LANGS.map((l) => option(l, names[l] || l, settings.uiLang)));
  const rows = Object.entries(SITES).map(([site, locales]) => {
    const select = document.createElement("select");
    select.dataset.site = site;
    select.append(option("", t(lang, "auto"), settings.localeBySite[site] || ""), ...locales.map((l) => option(l, l, settings.localeBySite[site])));
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.textContent = site;
    label.append(name, select);
    return label;
  });
  $("locales").replaceChildren($("locales").firstElementChild, ...rows);
  for (const el of $("form").elements) el.disabled = false;
}

function show(text, ok) {
  $("result").textContent = text;
  $("result").className = ok ? "ok" : "fail";
}

async function save() {
  const localeBySite = {};
  for (const select of document.querySelectorAll("select[data-site]")) if (select.value) localeBySite[select.dataset.site] = select.value;
  const settings = await RespondeSettings.save({ server: $("server").value, token: $("token").value, uiLang: $("uiLang").value, localeBySite });
  render(settings);
  return settings;
}

$("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  await save();
  show(t(lang, "saved"), true);
});

$("test").addEventListener("click", async () => {
  if (!$("form").reportValidity()) return;
  await save();
  const result = await chrome.runtime.sendMessage({ type: "testConnection" });
  const connected = result.ok && t(lang, "connectedVersion", { version: result.data.version, intents: result.data.intents });
  if (result.ok) show(result.data.setup_required ? `${connected}. ${t(lang, "notSetUp")}` : connected, true);
  else show(t(lang, result.error, { command: result.command || "", status: result.status || "", server: result.server || "" }), false);
});

RespondeSettings.load().then(render);
