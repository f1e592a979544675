/* Conversation identity: which conversation a panel was computed for, and every way the page can leave it.
   The key is the page address, the conversation's own key (order id, buyer) and a fingerprint of the
   buyer's latest messages; `watch` reports each change the moment it happens: history API navigation
   (the Navigation API sees the page's own pushState/replaceState, which a content script cannot patch),
   back/forward, and any DOM mutation outside the reply box and the panel (the thread re-rendered, a new
   message, the composer replaced). The caller compares keys; nothing here waits or polls. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.identity) return;

  /* FNV-1a, 32 bits, as 8 hex digits: enough to tell two conversations' latest messages apart. */
  function fingerprint(text) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i += 1) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash.toString(16).padStart(8, "0");
  }

  /* The identity of what the page shows now (a registry snapshot), or null when no conversation is open. */
  function of(snapshot) {
    if (!snapshot) return null;
    const context = snapshot.context || {};
    return [location.href, snapshot.key || "", context.order_id || "", context.buyer_name || "", fingerprint(snapshot.text)].join("|");
  }

  /* Calls onChange(reason) for every change that may change the conversation; returns a stop function.
     `ignore(node)` says which mutated nodes do not count (the reply box being typed in, the panel). */
  function watch(onChange, ignore) {
    const relevant = (records) => records.some((record) => !ignore(record.target));
    const observer = new MutationObserver((records) => {
      if (relevant(records)) onChange("mutation");
    });
    observer.observe(document, { childList: true, subtree: true, characterData: true });
    const onNavigate = (event) => event.isTrusted && onChange("navigation"); // the browser's, not a page's
    const nav = root.navigation;
    if (nav) nav.addEventListener("currententrychange", onNavigate);
    addEventListener("popstate", onNavigate);
    addEventListener("hashchange", onNavigate);
    return () => {
      observer.disconnect();
      if (nav) nav.removeEventListener("currententrychange", onNavigate);
      removeEventListener("popstate", onNavigate);
      removeEventListener("hashchange", onNavigate);
    };
  }

  Responde.identity = { of, watch, fingerprint };
})(globalThis);
