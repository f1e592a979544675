/* Finding the reply box on any page: the box the agent picked once for this site (remembered in
   chrome.storage), else the adapter's selectors, else heuristics — the focused or last focused editable,
   then the visible, enabled, non-search editable nearest the conversation, larger boxes first. The
   heuristics also look inside same-origin frames and open shadow roots (nested.js), where iframe editors
   such as TinyMCE and web-component text fields keep their box. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.replyBox) return;
  const { nested } = Responde;
  const STORE_KEY = "replyBoxBySite";
  const EDITABLES = "textarea, [contenteditable='true'], [contenteditable=''], [contenteditable='plaintext-only'], [role=textbox]";
  const SEARCH = /search|buscar|busca|pesquis|procura|filter|filtro|搜索|查找/i;
  let picked = null; // the remembered selector for this site
  let lastFocused = null;

  nested.listen("focusin", (event) => {
    if (!event.isTrusted) return; // a page's synthetic focusin does not choose the reply box
    const el = editableRoot(nested.origin(event));
    if (el && usable(el)) lastFocused = el;
  });

  const ready = chrome.storage.local.get(STORE_KEY).then((stored) => {
    picked = (stored[STORE_KEY] || {})[location.host] || null;
  }, () => null);

  /* The outermost contenteditable (editors nest them) up to the body, or the field itself; for a frame,
     what has the focus inside it. By tag name: an element of a frame is not an instance of this document's classes. */
  function editableRoot(el) {
    if (!el || el.nodeType !== 1) return null;
    if (nested.isFrame(el)) {
      const inner = nested.inner(el);
      return inner ? editableRoot(nested.activeElement(inner)) : null;
    }
    if (el.tagName === "TEXTAREA") return el;
    if (el.tagName === "INPUT") return /^(text|)$/.test(el.type) ? el : null;
    if (!el.isContentEditable) return null;
    // A document in designMode (KindEditor's frame) is editable up to <html>: its box is the body.
    const body = el.ownerDocument.body;
    let top = el === el.ownerDocument.documentElement && body ? body : el;
    while (top !== body && top.parentElement && top.parentElement.isContentEditable) top = top.parentElement;
    return top;
  }

  function visible(el) {
    const rect = el.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2) return false;
    const style = el.ownerDocument.defaultView.getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none" && nested.framesVisible(el);
  }

  function searchLike(el) {
    if (el.type === "search" || el.getAttribute("role") === "searchbox" || el.closest("[role=search], form[role=search]")) return true;
    const words = ["placeholder", "aria-label", "name", "id", "class", "title"].map((a) => el.getAttribute(a) || "").join(" ");
    return SEARCH.test(words);
  }

  function usable(el) {
    return (
      !!el && nested.connected(el) && !el.disabled && !el.readOnly && !el.closest("responde-panel") && visible(el) && !searchLike(el)
    );
  }

  /* Depth of the deepest ancestor shared with the conversation: a higher number is nearer (a box in a
     frame is as near as its frame). */
  function nearness(box, conversation) {
    if (!conversation) return 0;
    const el = nested.hostIn(conversation.ownerDocument, box);
    if (!el) return 0;
    let depth = 0;
    for (let node = conversation; node; node = node.parentElement) depth += 1;
    for (let node = conversation; node; node = node.parentElement, depth -= 1) if (node.contains(el)) return depth;
    return 0;
  }

  function candidates(doc) {
    const seen = new Set();
    for (const place of nested.roots(doc)) {
      // A frame's document in designMode (KindEditor) is editable with no attribute to select.
      if (place.designMode === "on" && place.body && usable(place.body)) seen.add(place.body);
      for (const el of place.querySelectorAll(EDITABLES)) {
        const top = editableRoot(el); // a role=textbox that is not editable is no place to type
        if (top && usable(top)) seen.add(top);
      }
    }
    return [...seen];
  }

  function byHeuristics(doc, conversation) {
    const focused = editableRoot(nested.activeElement(doc));
    if (focused && usable(focused)) return focused;
    if (lastFocused && usable(lastFocused)) return lastFocused;
    const area = (el) => {
      const rect = el.getBoundingClientRect();
      return rect.width * rect.height;
    };
    const ranked = candidates(doc).map((el) => ({ el, near: nearness(el, conversation), area: area(el) }));
    ranked.sort((a, b) => b.near - a.near || b.area - a.area);
    return ranked.length ? ranked[0].el : null;
  }

  /* A box picked inside a frame or a shadow root is remembered as its holder's selector, PIERCE, then its
     own inside the holder (the frame's document or the host's shadow root), as deep as it is nested. */
  const PIERCE = " >>> ";

  function bySelector(doc, selector) {
    if (!selector) return null;
    const parts = selector.split(PIERCE);
    let found = [];
    try {
      let scope = doc;
      for (const part of parts.slice(0, -1)) {
        const holder = scope.querySelector(part);
        scope = holder && (nested.isFrame(holder) ? nested.inner(holder) : holder.shadowRoot);
        if (!scope) return null;
      }
      found = Array.from(scope.querySelectorAll(parts[parts.length - 1]));
    } catch {
      return null; // a stored selector this page cannot parse
    }
    return found.map(editableRoot).find(usable) || null;
  }

  /* The reply box for the conversation element (may be null): picked, adapter, heuristics. */
  function find(adapter, doc, conversation) {
    return bySelector(doc, picked) || bySelector(doc, adapter && adapter.replyBox) || byHeuristics(doc, conversation);
  }

  /* A selector that finds `el` again after a reload, through the frames and shadow roots holding it. */
  function selectorFor(el, depth = 0) {
    const holder = depth < 2 * nested.DEPTH ? nested.holder(el) : null;
    return holder ? `${selectorFor(holder, depth + 1)}${PIERCE}${ownSelector(el)}` : ownSelector(el);
  }

  /* A CSS selector of `el` in its own document or shadow root: an id, a stable attribute, else a short path. */
  function ownSelector(el) {
    const quote = (value) => `"${String(value).replace(/["\\]/g, "\\$&")}"`;
    const tag = el.tagName.toLowerCase();
    if (el.id && !/\d{3,}/.test(el.id)) return `#${CSS.escape(el.id)}`;
    if (el === el.ownerDocument.body) return "body"; // a frame's editable body (KindEditor's has nothing else)
    for (const attr of ["data-testid", "name", "aria-label", "placeholder", "data-placeholder"]) {
      const value = el.getAttribute(attr);
      if (value) return `${tag}[${attr}=${quote(value)}]`;
    }
    const parts = [];
    for (let node = el; node && node !== el.ownerDocument.body && parts.length < 4; node = node.parentElement) {
      const classes = Array.from(node.classList).filter((c) => !/\d{3,}|active|focus|selected/.test(c)).slice(0, 2);
      parts.unshift(node.tagName.toLowerCase() + classes.map((c) => `.${CSS.escape(c)}`).join(""));
      if (node.id && !/\d{3,}/.test(node.id)) {
        parts[0] = `#${CSS.escape(node.id)}`;
        break;
      }
    }
    return parts.join(" > ");
  }

  /* Use `el`'s selector from now on (at once: the next key press already goes there) and store it. */
  function remember(el) {
    const selector = selectorFor(el);
    picked = selector;
    const saved = chrome.storage.local.get(STORE_KEY).then((got) => {
      const stored = got[STORE_KEY] || {};
      stored[location.host] = selector;
      return chrome.storage.local.set({ [STORE_KEY]: stored });
    });
    return { selector, saved };
  }

  /* The box the agent picked for this site, when it is on the page now. */
  const pickedBox = (doc) => bySelector(doc, picked);

  Responde.replyBox = { find, remember, ready, editableRoot, usable, selectorFor, pickedBox, picked: () => picked };
})(globalThis);
