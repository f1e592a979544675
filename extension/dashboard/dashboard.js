/* Responde dashboard, an extension page: it never holds the token. It asks the service worker, which checks
   the server's identity and calls /v1/dashboard, /v1/export and /v1/forget with the extension's Origin and the
   token. Built with DOM nodes and textContent only; page-sourced text (listings, sites) is bidi-isolated.
   It speaks the extension's interface language (chrome.storage `uiLang`, else the browser's), the one the popup
   and the panel use; the picker here changes this view only. */
((root) => {
  const STRINGS = root.RespondeDashboardStrings;
  const $ = (id) => document.getElementById(id);
  const { pickUiLang } = root.RespondeI18n;
  let lang = pickUiLang("", navigator.language); // until the extension's choice is read
  let labels = {};
  let data = null;
  const tr = (key) => STRINGS[lang][key] || STRINGS.en[key] || key;

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) k === "class" ? (node.className = v) : node.setAttribute(k, v);
    node.append(...children.filter((c) => c !== null && c !== undefined).map((c) => (c instanceof Node ? c : String(c))));
    return node;
  }

  /* One call through the service worker; throws an Error whose message says what is wrong and how to fix it. */
  async function api(type, extra = {}) {
    const result = await chrome.runtime.sendMessage({ type, ...extra });
    if (result && result.ok) return result.data;
    const error = (result && result.error) || "serverError";
    const vars = { command: (result && result.command) || "", status: (result && result.status) || "", server: (result && result.server) || "" };
    throw new Error(root.RespondeI18n.t(lang, error, vars));
  }

  function intentLabel(id) {
    if (id === "(abstain)") return tr("abstain");
    if (!labels[id]) return id;
    return lang === "zh-CN" ? labels[id]["zh-CN"] : `${labels[id][lang] || labels[id].en} · ${labels[id]["zh-CN"]}`;
  }

  function csv(rows) {
    const cols = Object.keys(rows[0] || {});
    const cell = (v) => `"${String(v ?? "").replace(/"/g, '""')}"`;
    return [cols.map(cell).join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\r\n");
  }

  function download(name, text, type) {
    const a = el("a", { download: name });
    a.href = URL.createObjectURL(new Blob([text], { type }));
    a.click();
    URL.revokeObjectURL(a.href);
  }

  function cellText(column, value) {
    if (column === "intent") return intentLabel(value);
    if (column === "due") return new Date(value).toLocaleString(lang);
    if (column === "urgency") return tr(`urgency_${value}`);
    if (column === "handoff") return tr(value ? "yes" : "no");
    if (typeof value === "number") return value.toLocaleString(lang);
    return value ?? "";
  }

  function table(name, rows) {
    const cols = Object.keys(rows[0] || {});
    const button = el("button", { type: "button" }, tr("csv"));
    button.addEventListener("click", () => download(`responde-${name}.csv`, csv(rows), "text/csv"));
    const head = el("tr", {}, ...cols.map((c) => el("th", {}, tr(c))));
    // dir=auto isolates each text cell: a listing title written right-to-left cannot reorder its row.
    const body = rows.map((r) => el("tr", {}, ...cols.map((c) => el("td", typeof r[c] === "number" ? { class: "n" } : { dir: "auto" },
      cellText(c, r[c])))));
    return el("section", { "data-table": name }, el("h2", {}, tr(name), button), el("table", {}, head, ...body));
  }

  function chart(perDay) {
    const days = [...new Set(perDay.map((r) => r.day))];
    const totals = days.map((d) => perDay.filter((r) => r.day === d).reduce((a, r) => [a[0] + r.messages, a[1] + r.handoffs], [0, 0]));
    const max = Math.max(1, ...totals.map((t) => t[0]));
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    const w = Math.max(300, days.length * 28 + 40);
    svg.setAttribute("width", w);
    svg.setAttribute("height", 200);
    days.forEach((day, i) => {
      for (const [value, color] of [[totals[i][0], "#0b5cad"], [totals[i][1], "#cf222e"]]) {
        const rect = document.createElementNS(ns, "rect");
        const h = (value / max) * 150;
        Object.entries({ x: 20 + i * 28 + (color === "#cf222e" ? 12 : 0), y: 170 - h, width: 11, height: h, fill: color })
          .forEach(([k, v]) => rect.setAttribute(k, v));
        svg.append(rect);
      }
      const text = document.createElementNS(ns, "text");
      text.setAttribute("x", 20 + i * 28);
      text.setAttribute("y", 186);
      text.textContent = day.slice(5);
      svg.append(text);
    });
    $("chart").replaceChildren(svg);
  }

  function render() {
    document.documentElement.lang = lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = tr(node.dataset.i18n);
    if ($("site").firstElementChild) $("site").firstElementChild.textContent = tr("allSites");
    if (!data) return;
    const messages = data.per_site.reduce((a, r) => a + r.messages, 0);
    const handoffs = data.per_site.reduce((a, r) => a + (r.handoffs || 0), 0);
    const inserted = data.outcomes.reduce((a, r) => a + r.inserted - Math.min(r.inserted, r.edited), 0);
    $("totals").replaceChildren(...[["messages", messages], ["handoffs", handoffs], ["inserted", inserted]]
      .map(([k, v]) => el("div", { class: "card", "data-total": k }, el("b", {}, v), tr(k))));
    chart(data.per_day);
    $("tables").replaceChildren(...["deadlines", "per_site", "per_product", "outcomes", "per_day"].map((n) => table(n, data[n])));
  }

  async function load() {
    const query = {};
    for (const id of ["since", "until", "site"]) if ($(id).value) query[id] = $(id).value;
    try {
      // The same health answer the popup shows: a store not set up yet gets the banner.
      $("setup").hidden = !(await api("status")).setup_required;
      if (!Object.keys(labels).length) {
        for (const i of (await api("intents")).intents) labels[i.id] = i.labels;
      }
      data = await api("dashboard", { query });
      const current = $("site").value;
      $("site").replaceChildren(el("option", { value: "" }, tr("allSites")),
        ...data.sites.map((s) => el("option", { value: s, dir: "auto" }, s)));
      $("site").value = current;
      $("status").textContent = `${tr("loaded")} ${new Date().toLocaleTimeString(lang)}`;
      $("status").className = "";
    } catch (error) {
      $("status").textContent = `${tr("failed")}: ${error.message}`;
      $("status").className = "error";
    }
    render();
  }

  const NAMES = { "zh-CN": "中文", es: "español", "pt-BR": "português", en: "English" };
  $("lang").replaceChildren(...Object.keys(STRINGS).map((l) => el("option", { value: l }, NAMES[l] || l)));
  $("lang").addEventListener("change", () => { lang = $("lang").value; render(); });
  function follow(uiLang) {
    lang = pickUiLang(uiLang, navigator.language);
    $("lang").value = lang;
    render();
  }
  // Only the language is read here: the token stays with the service worker.
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && changes.uiLang) follow(changes.uiLang.newValue || "");
  });
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("export").addEventListener("click", async () => {
    try {
      download("responde-export.json", JSON.stringify(await api("export"), null, 1), "application/json");
    } catch (error) {
      $("status").textContent = `${tr("failed")}: ${error.message}`;
      $("status").className = "error";
    }
  });
  function say(text, ok) {
    $("forget-status").textContent = text;
    $("forget-status").className = ok ? "" : "error";
  }
  $("forget").addEventListener("submit", (event) => {
    event.preventDefault();
    const filters = { everything: $("f-all").checked };
    for (const [key, id] of [["buyer_name", "f-buyer"], ["order_id", "f-order"], ["since", "f-since"], ["until", "f-until"]]) {
      if ($(id).value.trim()) filters[key] = $(id).value.trim();
    }
    if (!window.confirm(tr("confirmForget"))) return;
    api("forget", { filters }).then(
      (result) => {
        say(`${tr("forgotten")} ${result.forgotten}`, true);
        load();
      },
      (error) => say(`${tr("forgetFailed")}: ${error.message}`, false),
    );
  });
  chrome.storage.local.get("uiLang").then(({ uiLang }) => {
    follow(uiLang || "");
    load();
  });
})(globalThis);
