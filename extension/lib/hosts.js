/* Sites the agent enabled from the popup (optional host permissions): the service worker registers the
   content scripts, with the generic adapter, for every granted origin, so they run on each page load
   there. The server's own address and the marketplaces the manifest already covers are not "enabled". */
(function (root) {
  const SCRIPT_ID = "responde-enabled-sites";
  const SERVER = "http://127.0.0.1/*";

  function builtIn() {
    const manifest = chrome.runtime.getManifest();
    return new Set([SERVER, ...manifest.content_scripts.flatMap((entry) => entry.matches)]);
  }

  /* "https://desk.example.com/*" for a page address, or null for pages no content script may run on. */
  function originPattern(url) {
    try {
      const parsed = new URL(url);
      return /^https?:$/.test(parsed.protocol) ? `${parsed.protocol}//${parsed.host}/*` : null;
    } catch {
      return null;
    }
  }

  async function enabled() {
    const { origins = [] } = await chrome.permissions.getAll();
    const fixed = builtIn();
    return origins.filter((origin) => !fixed.has(origin));
  }

  /* Make the registered content scripts match the granted origins exactly. */
  async function sync(files) {
    const origins = await enabled();
    const registered = await chrome.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
    if (registered.length) await chrome.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
    if (origins.length) {
      await chrome.scripting.registerContentScripts([
        { id: SCRIPT_ID, matches: origins, js: files, runAt: "document_start", persistAcrossSessions: true },
      ]);
    }
    return origins;
  }

  /* Where a tab stands: a marketplace page, a site the agent enabled, or neither (and whether it could be). */
  async function status(url) {
    const pattern = originPattern(url);
    if (!pattern) return { pattern: null, builtIn: false, enabled: false };
    const host = new URL(url).host;
    const manifest = chrome.runtime.getManifest();
    const matches = manifest.content_scripts.flatMap((entry) => entry.matches);
    const known = matches.some((m) => {
      const h = m.replace(/^https:\/\//, "").replace(/\/\*$/, "");
      return h.startsWith("*.") ? host === h.slice(2) || host.endsWith(h.slice(1)) : host === h;
    });
    return { pattern, host, builtIn: known, enabled: (await enabled()).includes(pattern) };
  }

  root.RespondeHosts = { sync, status, enabled, originPattern };
})(globalThis);
