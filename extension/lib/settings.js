/* Settings in chrome.storage.local: the only state; the service worker keeps none between events. */
(function (root) {
  const DEFAULTS = {
    server: "http://127.0.0.1:8765",
    token: "",
    uiLang: "",
    localeBySite: {},
  };
  const START_COMMAND = "make run  (or: responde serve)";

  async function load() {
    const stored = await chrome.storage.local.get(Object.keys(DEFAULTS));
    return { ...DEFAULTS, ...stored };
  }

  async function save(changes) {
    const clean = {};
    if ("server" in changes) clean.server = String(changes.server).trim().replace(/\/+$/, "");
    if ("token" in changes) clean.token = String(changes.token).trim();
    if ("uiLang" in changes) clean.uiLang = String(changes.uiLang);
    if ("localeBySite" in changes) clean.localeBySite = { ...changes.localeBySite };
    await chrome.storage.local.set(clean);
    return load();
  }

  root.RespondeSettings = { DEFAULTS, START_COMMAND, load, save };
})(globalThis);
