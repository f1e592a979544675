/* Service worker: every server call goes through here. Stateless: settings and the last trace id live in
   chrome.storage, because MV3 stops this worker whenever it is idle. */
importScripts("lib/settings.js", "lib/i18n.js", "lib/identity.js", "lib/hosts.js");

const CONTENT_FILES = [
  "lib/i18n.js",
  "content/registry.js",
  "content/adapters/generic.js",
  "content/identity.js",
  "content/nested.js",
  "content/replybox.js",
  "content/insert.js",
  "content/drawn.js",
  "content/pick.js",
  "content/panel-style.js",
  "content/panel.js",
  "content/main.js",
];
const MENU_ID = "responde-analyze";
const TIMEOUT_MS = 8000;

/* The token (and any buyer text) goes only to a server that has just proved it knows the token. */
async function callServer(path, body, { fresh = false } = {}) {
  const settings = await RespondeSettings.load();
  if (!settings.token) return { ok: false, error: "notPaired" };
  const verified = await RespondeIdentity.ensure(settings, { fresh });
  if (!verified.ok) return { ...verified, server: settings.server, command: RespondeSettings.START_COMMAND };
  const init = {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${settings.token}` },
    credentials: "omit",
    redirect: "error",
    signal: AbortSignal.timeout(TIMEOUT_MS),
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(settings.server + path, init);
  } catch {
    await RespondeIdentity.forget();
    return { ok: false, error: "serverDown", command: RespondeSettings.START_COMMAND };
  }
  if ([401, 403, 421].includes(response.status)) {
    await RespondeIdentity.forget();
    return { ok: false, error: "badToken" };
  }
  if (!response.ok) return { ok: false, error: "serverError", status: response.status };
  return { ok: true, data: await response.json() };
}

const HANDLERS = {
  async analyze(message) {
    const settings = await RespondeSettings.load();
    const request = { ...message.request };
    const locale = settings.localeBySite[request.site || ""];
    if (locale) request.locale = locale;
    request.ui_lang = RespondeI18n.pickUiLang(settings.uiLang, self.navigator.language);
    const result = await callServer("/v1/analyze", request);
    if (result.ok) chrome.storage.local.set({ lastTrace: result.data.trace_id }); // off the panel's critical path
    return result;
  },
  async feedback(message) {
    return callServer("/v1/feedback", message.feedback);
  },
  async intents() {
    return callServer("/v1/intents");
  },
  async waiting() {
    return callServer("/v1/dashboard", {});
  },
  /* Stored data is asked for with POST: Chrome sends our Origin on POST only, and the server requires it. */
  async dashboard(message) {
    const filters = {};
    for (const key of ["since", "until", "site"]) {
      const value = message.query && message.query[key];
      if (typeof value === "string" && value) filters[key] = value;
    }
    return callServer("/v1/dashboard", filters);
  },
  async export() {
    return callServer("/v1/export", {});
  },
  async forget(message) {
    return callServer("/v1/forget", message.filters || {});
  },
  async testConnection() {
    return callServer("/v1/health", undefined, { fresh: true });
  },
  async warm() {
    // A page with a conversation just loaded: open the keep-alive connection before the first analysis.
    return callServer("/v1/health");
  },
  async siteStatus(message) {
    return { ok: true, data: await RespondeHosts.status(message.url) };
  },
  async enableSite(message) {
    // The popup got the permission (a user gesture there); run on the site from now on, and in this tab now.
    await RespondeHosts.sync(CONTENT_FILES);
    await chrome.scripting.executeScript({ target: { tabId: message.tabId }, files: CONTENT_FILES });
    return { ok: true };
  },
  async disableSite(message) {
    await chrome.permissions.remove({ origins: [message.pattern] });
    await RespondeHosts.sync(CONTENT_FILES);
    return { ok: true };
  },
  async status() {
    const { lastTrace } = await chrome.storage.local.get("lastTrace");
    const health = await callServer("/v1/health");
    return { ...health, lastTrace: lastTrace || null };
  },
};

/* Handlers only the extension's own pages (popup, options, dashboard) may call: content scripts run inside
   pages we do not control, so they get the analysis, feedback, intent list and warm-up, never the stored
   data, nor the list of enabled sites or the power to enable, disable or inject into one. */
const PAGE_ONLY = new Set([
  "waiting",
  "dashboard",
  "export",
  "forget",
  "testConnection",
  "status",
  "siteStatus",
  "enableSite",
  "disableSite",
]);

function fromExtensionPage(sender) {
  return sender.id === chrome.runtime.id && !!sender.url && new URL(sender.url).origin === self.location.origin;
}

/* A message listener over a handler table: unknown types are ignored, errors become { ok: false }.
   `allowed(sender, message)` may refuse the sender first. */
function listen(event, table, allowed = async () => true) {
  event.addListener((message, sender, sendResponse) => {
    const handler = table[message && message.type];
    if (!handler) return false;
    allowed(sender, message)
      .then((ok) => (ok ? handler(message, sender) : { ok: false, error: "notAllowed" }))
      .then(sendResponse, (error) =>
        sendResponse({ ok: false, error: "serverError", status: String(error && error.message) }),
      );
    return true; // async sendResponse
  });
}

listen(chrome.runtime.onMessage, HANDLERS, async (sender, message) => !PAGE_ONLY.has(message.type) || fromExtensionPage(sender));

for (const event of [chrome.runtime.onStartup, chrome.permissions.onAdded, chrome.permissions.onRemoved]) {
  event.addListener(() => RespondeHosts.sync(CONTENT_FILES));
}

chrome.runtime.onInstalled.addListener(() => {
  RespondeHosts.sync(CONTENT_FILES);
  chrome.contextMenus.create({
    id: MENU_ID,
    title: RespondeI18n.t(RespondeI18n.pickUiLang("", self.navigator.language), "analyzeWith"),
    contexts: ["selection", "editable"],
  });
});

/* Context menu on any page: reuse the content scripts when the page already has them (seller pages),
   otherwise inject them once under activeTab (granted by the click), then analyse the selection. */
async function analyzeInTab(tabId, frameId, text) {
  const message = { type: "analyzeSelection", text };
  try {
    await chrome.tabs.sendMessage(tabId, message, { frameId });
  } catch {
    await chrome.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, files: CONTENT_FILES });
    await chrome.tabs.sendMessage(tabId, message, { frameId });
  }
}

chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === MENU_ID && tab && tab.id !== undefined) {
    analyzeInTab(tab.id, info.frameId || 0, info.selectionText || "");
  }
});
