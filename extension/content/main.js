/* Content script entry: watch the seller page, ask the service worker for an analysis, show the panel. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.started) return;
  Responde.started = true;
  const { registry } = Responde;
  const adapter = registry.match(location.hostname);
  const DEBOUNCE_MS = 120;
  let panel = null;
  let pageKey = null; // the page's own latest buyer message, as last analysed
  let requests = 0;
  let timer = null;
  let lastEditable = null;

  document.addEventListener("focusin", (event) => {
    if (Responde.insert.isEditable(event.target)) lastEditable = event.target;
  }, true);

  async function getPanel() {
    if (!panel) {
      const { uiLang } = await chrome.storage.local.get("uiLang");
      const send = (type, payload) => chrome.runtime.sendMessage({ type, ...payload }).catch(() => null);
      panel = new Responde.Panel(root.RespondeI18n.pickUiLang(uiLang, navigator.language), send);
    }
    return panel;
  }

  async function analyze(snapshot) {
    const requestNo = ++requests;
    const started = performance.now();
    const view = await getPanel();
    view.loading();
    const request = { text: snapshot.text, site: location.hostname, thread: snapshot.thread, context: snapshot.context };
    if (snapshot.receivedAt) request.received_at = snapshot.receivedAt;
    let result;
    try {
      result = await chrome.runtime.sendMessage({ type: "analyze", request });
    } catch {
      result = { ok: false, error: "extensionReloaded" };
    }
    if (requestNo !== requests) return; // a newer message arrived meanwhile
    if (result && result.ok) view.show(result.data, snapshot.replyBox);
    else view.error(result || { error: "serverError" });
    view.host.dataset.latencyMs = String(Math.round(performance.now() - started));
    view.host.dataset.readyAt = String(Math.round(performance.now()));
    view.host.dataset.adapter = adapter ? adapter.id : "generic";
  }

  function check() {
    timer = null;
    const snapshot = registry.read(adapter, document);
    if (!snapshot) return;
    if (snapshot.key + snapshot.text === pageKey) return;
    pageKey = snapshot.key + snapshot.text;
    analyze(snapshot);
  }

  function schedule() {
    if (!timer) timer = setTimeout(check, DEBOUNCE_MS);
  }

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (message.type === "pageInfo") {
      sendResponse({ adapter: adapter ? adapter.name : null });
    } else if (message.type === "analyzeSelection") {
      const page = adapter ? registry.read(adapter, document) : null;
      const box = lastEditable && document.contains(lastEditable) ? lastEditable : page && page.replyBox;
      const text = (message.text || Responde.insert.currentText(box)).trim().slice(0, 5000);
      if (text) analyze({ key: "selection", text, thread: [], context: page ? page.context : {}, replyBox: box || null });
    }
    return false;
  });

  if (adapter) {
    new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
    check();
  }
})(globalThis);
