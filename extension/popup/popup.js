/* Popup: connection status, the current page's adapter, the last trace id. */
(async () => {
  const { t, pickUiLang, span } = RespondeI18n;
  // Links work at once, before anything is loaded.
  document.getElementById("options").addEventListener("click", () => chrome.runtime.openOptionsPage());
  document.getElementById("dashboard").addEventListener("click", () => {
    // An extension page: no token in any URL; it asks the service worker, which alone holds the token,
    // and reads the interface language from chrome.storage like the popup does.
    chrome.tabs.create({ url: chrome.runtime.getURL("dashboard/dashboard.html") });
  });
  const settings = await RespondeSettings.load();
  const lang = pickUiLang(settings.uiLang, navigator.language);
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(lang, el.dataset.i18n);

  const status = await chrome.runtime.sendMessage({ type: "status" });
  const statusEl = document.getElementById("status");
  statusEl.textContent = status.ok ? `${t(lang, "connected")} (${settings.server})` : t(lang, status.error, { command: status.command || "", status: status.status || "", server: status.server || "" });
  statusEl.className = status.ok ? "ok" : "fail";
  if (status.ok && status.data.setup_required) {
    statusEl.textContent = t(lang, "notSetUp");
    statusEl.className = "fail";
  }
  document.getElementById("trace").textContent = status.lastTrace || t(lang, "none");

  let adapter = null;
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    adapter = (await chrome.tabs.sendMessage(tab.id, { type: "pageInfo" })).adapter;
  } catch {
    adapter = null; // no content script on this page
  }
  document.getElementById("adapter").textContent = adapter || t(lang, "noAdapter");

  // Unanswered messages, most urgent and closest to the marketplace deadline first.
  const [waiting, intents] = await Promise.all([
    chrome.runtime.sendMessage({ type: "waiting" }),
    chrome.runtime.sendMessage({ type: "intents" }),
  ]);
  const labels = {};
  for (const i of (intents && intents.ok ? intents.data.intents : [])) labels[i.id] = i.labels[lang] || i.labels.en;
  const list = document.getElementById("waiting");
  const rows = waiting && waiting.ok ? waiting.data.deadlines.slice(0, 5) : [];
  list.replaceChildren(...rows.map((row) => {
    const minutes = Math.round((new Date(row.due) - Date.now()) / 60000);
    const item = document.createElement("li");
    item.className = minutes < 60 ? "late" : "";
    item.textContent = `${labels[row.intent] || row.intent} · ${row.site} · ${t(lang, minutes < 0 ? "overdue" : "timeLeft", { span: span(lang, minutes) })}`;
    return item;
  }));
  if (!rows.length) list.textContent = t(lang, "none");
})();
