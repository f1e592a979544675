/* Adapter registry: one declarative object per marketplace (adapters/<site>.js), read the same way.
   An adapter gives CSS selectors: `conversation` (the open thread), `message` (each message in it, oldest
   first), `buyerMessage` (what a buyer's message matches), optional `messageText`, `buyerName`, `orderId`,
   `product`, `replyBox`, and `messageTime` (an element with a `datetime` attribute inside a message);
   `hosts` are the host suffixes it runs on (the manifest matches the same). `conversation` may be a list of
   selectors, tried in order. The reply box is found by content/replybox.js: the agent's pick for the site,
   `replyBox`, then heuristics. */
(function (root) {
  if (root.Responde && root.Responde.registry) return;
  const Responde = (root.Responde = root.Responde || {});
  const adapters = [];
  const THREAD_MAX = 20;

  function register(adapter) {
    if (!adapters.some((a) => a.id === adapter.id)) adapters.push(Object.freeze({ ...adapter }));
  }

  function hostMatches(hostname, suffix) {
    return hostname === suffix || hostname.endsWith(`.${suffix}`);
  }

  function match(hostname) {
    return adapters.find((a) => (a.hosts || []).some((h) => hostMatches(hostname, h))) || null;
  }

  /* The adapter for pages no marketplace adapter knows (hosts the agent enabled, the context menu). */
  function generic() {
    return adapters.find((a) => a.id === "generic") || null;
  }

  function first(doc, selectors) {
    for (const selector of [].concat(selectors || [])) {
      const found = doc.querySelector(selector);
      if (found) return found;
    }
    return null;
  }

  function textOf(el) {
    return el ? (el.innerText || el.textContent || "").replace(/\s+\n/g, "\n").trim() : "";
  }

  function pick(scope, selector) {
    return selector ? textOf(scope.querySelector(selector)) || null : null;
  }

  /* What the page shows now: the buyer's latest messages (the run after the seller's last reply), the
     earlier thread, order context and the reply box (found only when asked: it measures layout). Null
     when no conversation is open. */
  function read(adapter, doc, withReplyBox = true) {
    const conversation = first(doc, adapter.conversation);
    if (!conversation) return null;
    const elements = Array.from(conversation.querySelectorAll(adapter.message));
    const messages = elements.map((el) => ({
      author: el.matches(adapter.buyerMessage) ? "buyer" : "seller",
      text: textOf(adapter.messageText ? el.querySelector(adapter.messageText) || el : el),
    }));
    let start = messages.length;
    while (start > 0 && messages[start - 1].author === "buyer") start -= 1;
    const latest = messages.slice(start).map((m) => m.text).filter(Boolean);
    if (!latest.length) return null;
    const context = {};
    for (const [field, key] of [["buyer_name", "buyerName"], ["order_id", "orderId"], ["product", "product"]]) {
      const value = pick(doc, adapter[key]);
      if (value) context[field] = value.slice(0, field === "product" ? 200 : 64);
    }
    const stamp = adapter.messageTime && elements[elements.length - 1].querySelector(adapter.messageTime);
    const when = stamp ? new Date(stamp.getAttribute("datetime")) : null;
    return {
      key: `${location.pathname}|${context.order_id || context.buyer_name || ""}`,
      receivedAt: when && !Number.isNaN(when.getTime()) ? when.toISOString() : null,
      text: latest.join("\n").slice(0, 5000),
      thread: messages.slice(0, start).filter((m) => m.text).slice(-THREAD_MAX).map((m) => ({ ...m, text: m.text.slice(0, 5000) })),
      context,
      conversation,
      replyBox: withReplyBox ? Responde.replyBox.find(adapter, doc, conversation) : null,
    };
  }

  Responde.registry = { adapters, register, match, generic, read, hostMatches };
})(globalThis);
