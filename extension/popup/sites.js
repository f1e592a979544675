/* Popup, this site: enable Responde on a site no adapter covers (an optional host permission, asked for
   in this click), disable it again, and start the one-time "pick the reply box" mode. */
(async () => {
  const { t, pickUiLang } = RespondeI18n;
  const settings = await RespondeSettings.load();
  const lang = pickUiLang(settings.uiLang, navigator.language);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  const section = document.getElementById("site");
  const status = document.getElementById("site-status");
  if (!tab || !tab.url) return;
  const answer = await chrome.runtime.sendMessage({ type: "siteStatus", url: tab.url });
  const site = answer && answer.ok ? answer.data : null;
  if (!site || !site.pattern) return;

  function button(id, label, onClick) {
    const el = document.createElement("button");
    el.id = id;
    el.type = "button";
    el.textContent = label;
    el.addEventListener("click", onClick);
    return el;
  }

  const pick = button("pick", t(lang, "pickReplyBox"), async () => {
    await chrome.tabs.sendMessage(tab.id, { type: "pickReplyBox", uiLang: settings.uiLang }).catch(() => null);
    window.close();
  });
  const enable = button("enable", t(lang, "enableSite", { host: site.host }), async () => {
    // chrome.permissions.request must run in this click: it shows Chrome's own prompt.
    const granted = await chrome.permissions.request({ origins: [site.pattern] }).catch(() => false);
    if (!granted) {
      status.textContent = t(lang, "enableDenied", { host: site.host });
      return;
    }
    await chrome.runtime.sendMessage({ type: "enableSite", tabId: tab.id });
    status.textContent = t(lang, "siteEnabled");
    section.replaceChildren(status, pick);
  });
  const disable = button("disable", t(lang, "disableSite"), async () => {
    await chrome.runtime.sendMessage({ type: "disableSite", pattern: site.pattern });
    section.replaceChildren(status, enable);
    status.textContent = "";
  });

  if (site.builtIn) section.replaceChildren(status, pick);
  else if (site.enabled) {
    status.textContent = t(lang, "siteEnabled");
    section.replaceChildren(status, pick, disable);
  } else section.replaceChildren(status, enable);
})();
