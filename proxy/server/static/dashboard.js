/* Responde dashboard: data comes from /v1/dashboard with the pairing token (read once from the URL
   fragment, which never reaches the server or its logs). Built with DOM nodes and textContent only. */
(() => {
  const { STRINGS } = globalThis.RespondeDashboardI18n;
  const $ = (id) => document.getElementById(id);
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("lang") && STRINGS[hash.get("lang")]) localStorage.setItem("respondeLang", hash.get("lang")); // the extension's
  if (hash.get("token")) {
    sessionStorage.setItem("respondeToken", hash.get("token"));
    if (hash.get("ext")) sessionStorage.setItem("respondeExtension", hash.get("ext"));
    history.replaceState(null, "", location.pathname);
  }
  const token = sessionStorage.getItem("respondeToken");
  const extension = sessionStorage.getItem("respondeExtension");
  const pick = (l) => (STRINGS[l] ? l : l.startsWith("zh") ? "zh-CN" : l.startsWith("pt") ? "pt-BR" : l.startsWith("es") ? "es" : "en");
  let lang = pick(localStorage.getItem("respondeLang") || navigator.language || "en");
  let labels = {};
  let data = null;
  const tr = (key) => STRINGS[lang][key] || STRINGS.en[key] || key;

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) k === "class" ? (node.className = v) : node.setAttribute(k, v);
    node.append(...children.filter((c) => c !== null && c !== undefined).map((c) => (c instanceof Node ? c : String(c))));
    return node;
  }

  async function api(path) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`${response.status}`);
    return response.json();
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
    const body = rows.map((r) => el("tr", {}, ...cols.map((c) => el("td", typeof r[c] === "number" ? { class: "n" } : {},
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
    if (!token) {
      $("status").textContent = tr("noToken");
      $("status").className = "error";
      return;
    }
    const params = new URLSearchParams();
    for (const id of ["since", "until", "site"]) if ($(id).value) params.set(id, $(id).value);
    try {
      const health = await api("/v1/health");
      $("setup").hidden = !health.setup_required;
      if (!Object.keys(labels).length) {
        for (const i of (await api("/v1/intents")).intents) labels[i.id] = i.labels;
      }
      data = await api(`/v1/dashboard?${params}`);
      const current = $("site").value;
      $("site").replaceChildren(el("option", { value: "" }, tr("allSites")),
        ...data.sites.map((s) => el("option", { value: s }, s)));
      $("site").value = current;
      $("status").textContent = `${tr("loaded")} ${new Date().toLocaleTimeString(lang)}`;
      $("status").className = "";
    } catch (error) {
      $("status").textContent = `${tr("failed")} (${error.message})`;
      $("status").className = "error";
    }
    render();
  }

  const NAMES = { "zh-CN": "中文", es: "español", "pt-BR": "português", en: "English" };
  $("lang").replaceChildren(...Object.keys(STRINGS).map((l) => el("option", { value: l }, NAMES[l] || l)));
  $("lang").value = lang;
  $("lang").addEventListener("change", () => { lang = $("lang").value; localStorage.setItem("respondeLang", lang); render(); });
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("export").addEventListener("click", async () => download("responde-export.json", JSON.stringify(await api("/v1/export"), null, 1), "application/json"));
  /* Erasure is a POST, which the server takes only from the extension's origin: the page asks the
     extension (externally_connectable), which checks that the page is its paired server's. */
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
    if (!extension || !(window.chrome && chrome.runtime && chrome.runtime.sendMessage)) return say(tr("noExtension"), false);
    if (!window.confirm(tr("confirmForget"))) return;
    chrome.runtime.sendMessage(extension, { type: "forget", filters }, (response) => {
      if (chrome.runtime.lastError || !response) return say(tr("noExtension"), false);
      if (!response.ok) return say(`${tr("forgetFailed")} (${response.error}${response.status ? ` ${response.status}` : ""})`, false);
      say(`${tr("forgotten")} ${response.data.forgotten}`, true);
      load();
    });
  });
  render();
  load();
})();
