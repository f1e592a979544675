/* Responde dashboard: data comes from /v1/dashboard with the pairing token (read once from the URL
   fragment, which never reaches the server or its logs). Built with DOM nodes and textContent only. */
(() => {
  const STRINGS = {
    en: { title: "Responde — insight", from: "From", to: "To", site: "Site", language: "Language", apply: "Apply",
      exportAll: "Export everything (JSON)", allSites: "all sites", messages: "Messages", handoffs: "Hand-offs",
      inserted: "Inserted as-is", perDay: "Messages per day", per_day: "Intents per day", per_site: "Per site", per_product: "Intents per listing",
      outcomes: "What agents did with suggestions", deadlines: "Waiting for an answer, most urgent first", due: "due", urgency: "urgency", csv: "CSV", noToken: "Open the dashboard from the extension popup (it adds the pairing token).",
      failed: "Could not load the data", day: "day", intent: "intent", product: "listing", shown: "shown",
      edited: "edited", dismissed: "dismissed", corrected: "corrected", locale: "locale", handoff: "hand-off", loaded: "Loaded", forgetTitle: "Forget stored data (data-subject request)", buyer: "Buyer name", order: "Order id", everything: "everything",
      forget: "Forget", confirmForget: "Delete the matching analyses and their feedback? This cannot be undone.",
      forgotten: "Deleted analyses:", noExtension: "Open the dashboard from the extension popup to delete data (or run `responde forget`).",
      forgetFailed: "Nothing deleted" },
    es: { title: "Responde — panorama", from: "Desde", to: "Hasta", site: "Sitio", language: "Idioma", apply: "Aplicar",
      exportAll: "Exportar todo (JSON)", allSites: "todos los sitios", messages: "Mensajes", handoffs: "Derivados a persona",
      inserted: "Insertadas sin cambios", perDay: "Mensajes por día", per_day: "Intenciones por día", per_site: "Por sitio", per_product: "Intenciones por publicación",
      outcomes: "Qué hicieron los agentes con las sugerencias", deadlines: "Esperando respuesta, lo más urgente primero", due: "vence", urgency: "urgencia", csv: "CSV", noToken: "Abre el panel desde el popup de la extensión (agrega el token).",
      failed: "No se pudieron cargar los datos", day: "día", intent: "intención", product: "publicación", shown: "mostradas",
      edited: "editadas", dismissed: "descartadas", corrected: "corregidas", locale: "variante", handoff: "a persona", loaded: "Cargado", forgetTitle: "Olvidar datos guardados (derechos ARCO / LGPD)", buyer: "Nombre del comprador", order: "Número de pedido", everything: "todo",
      forget: "Olvidar", confirmForget: "¿Borrar los análisis que coinciden y sus acciones? No se puede deshacer.",
      forgotten: "Análisis borrados:", noExtension: "Abre el panel desde el popup de la extensión para borrar datos (o usa `responde forget`).",
      forgetFailed: "No se borró nada" },
    "pt-BR": { title: "Responde — visão geral", from: "De", to: "Até", site: "Site", language: "Idioma", apply: "Aplicar",
      exportAll: "Exportar tudo (JSON)", allSites: "todos os sites", messages: "Mensagens", handoffs: "Para atendimento humano",
      inserted: "Inseridas sem mudança", perDay: "Mensagens por dia", per_day: "Intenções por dia", per_site: "Por site", per_product: "Intenções por anúncio",
      outcomes: "O que os agentes fizeram com as sugestões", deadlines: "Aguardando resposta, os mais urgentes primeiro", due: "prazo", urgency: "urgência", csv: "CSV", noToken: "Abra o painel pelo popup da extensão (ele adiciona o token).",
      failed: "Não foi possível carregar os dados", day: "dia", intent: "intenção", product: "anúncio", shown: "mostradas",
      edited: "editadas", dismissed: "descartadas", corrected: "corrigidas", locale: "variante", handoff: "atendimento humano", loaded: "Carregado", forgetTitle: "Esquecer dados guardados (LGPD)", buyer: "Nome do comprador", order: "Número do pedido", everything: "tudo",
      forget: "Esquecer", confirmForget: "Apagar as análises correspondentes e suas ações? Não dá para desfazer.",
      forgotten: "Análises apagadas:", noExtension: "Abra o painel pelo popup da extensão para apagar dados (ou use `responde forget`).",
      forgetFailed: "Nada foi apagado" },
    "zh-CN": { title: "Responde 数据看板", from: "开始", to: "结束", site: "站点", language: "语言", apply: "应用",
      exportAll: "导出全部数据 (JSON)", allSites: "全部站点", messages: "消息数", handoffs: "转人工",
      inserted: "直接插入", perDay: "每日消息", per_day: "每日意图", per_site: "按站点", per_product: "按商品的意图",
      outcomes: "客服如何使用建议回复", deadlines: "待回复（最紧急在前）", due: "截止", urgency: "紧急程度", csv: "CSV", noToken: "请从扩展弹窗打开看板（会带上配对令牌）。",
      failed: "无法加载数据", day: "日期", intent: "意图", product: "商品", shown: "显示",
      edited: "已编辑", dismissed: "已忽略", corrected: "已纠正", locale: "语言变体", handoff: "转人工", loaded: "已加载", forgetTitle: "删除已存数据（数据主体请求）", buyer: "买家姓名", order: "订单号", everything: "全部",
      forget: "删除", confirmForget: "删除符合条件的分析记录及其操作记录？此操作无法撤销。",
      forgotten: "已删除分析记录：", noExtension: "请从扩展弹窗打开看板再删除数据（或运行 `responde forget`）。",
      forgetFailed: "未删除任何数据" },
  };
  const $ = (id) => document.getElementById(id);
  const hash = new URLSearchParams(location.hash.slice(1));
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

  function table(name, rows) {
    const cols = Object.keys(rows[0] || {});
    const button = el("button", { type: "button" }, tr("csv"));
    button.addEventListener("click", () => download(`responde-${name}.csv`, csv(rows), "text/csv"));
    const head = el("tr", {}, ...cols.map((c) => el("th", {}, tr(c))));
    const body = rows.map((r) => el("tr", {}, ...cols.map((c) => el("td", typeof r[c] === "number" ? { class: "n" } : {},
      c === "intent" ? intentLabel(r[c]) : c === "due" ? new Date(r[c]).toLocaleString(lang) : r[c] ?? ""))));
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

  $("lang").replaceChildren(...Object.keys(STRINGS).map((l) => el("option", { value: l }, l)));
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
