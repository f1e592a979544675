/* Popup: connection status, the current page's adapter, the last trace id. */
(async () => {
  const { t, pickUiLang } = RespondeI18n;
  const settings = await RespondeSettings.load();
  const lang = pickUiLang(settings.uiLang, navigator.language);
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(lang, el.dataset.i18n);
  document.getElementById("options").addEventListener("click", () => chrome.runtime.openOptionsPage());
  document.getElementById("dashboard").addEventListener("click", () => {
    // The token travels in the fragment: the page reads it, the server and its logs never see the URL part.
    chrome.tabs.create({ url: `${settings.server}/#token=${encodeURIComponent(settings.token)}` });
  });

  const status = await chrome.runtime.sendMessage({ type: "status" });
  const statusEl = document.getElementById("status");
  statusEl.textContent = status.ok ? `${t(lang, "connected")} (${settings.server})` : t(lang, status.error, { command: status.command || "", status: status.status || "" });
  statusEl.className = status.ok ? "ok" : "fail";
  document.getElementById("trace").textContent = status.lastTrace || t(lang, "none");

  let adapter = null;
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    adapter = (await chrome.tabs.sendMessage(tab.id, { type: "pageInfo" })).adapter;
  } catch {
    adapter = null; // no content script on this page
  }
  document.getElementById("adapter").textContent = adapter || t(lang, "noAdapter");
})();
