/* Content script entry: watch the page, ask the service worker for an analysis, show the panel — bound to
   the conversation it was computed for. It runs from document_start: the request leaves the moment the
   buyer's message is in the DOM (a MutationObserver, no timers), the panel shell shows at once, and any
   change of conversation (navigation, the thread re-rendered, the composer replaced) clears the panel
   before the page can take another key press; Insert checks the conversation again before it types. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.started) return;
  Responde.started = true;
  const { registry, identity } = Responde;
  const adapter = registry.match(location.hostname) || registry.generic();
  const CACHE_MAX = 30;
  const SAME_CONVERSATION_MS = 2000; // after a navigation, unchanged content counts as the new page's after this
  const uiLang = chrome.storage.local.get("uiLang").then((s) => s.uiLang, () => "");
  const cache = new Map(); // identity key -> { data, context }: a conversation seen again shows without waiting
  let panel = null;
  let bound = null; // { key, box, selection?, href? }: what the panel shows now
  let requests = 0;
  let stale = null; // the content shown before a navigation: not the new page's until it changes or 2 s pass

  chrome.runtime.sendMessage({ type: "warm" }).catch(() => null); // wake the worker, open the connection

  function send(type, payload) {
    return chrome.runtime.sendMessage({ type, ...payload }).catch(() => null);
  }

  async function getPanel() {
    if (!panel) {
      const lang = root.RespondeI18n.pickUiLang(await uiLang, navigator.language);
      if (!panel) {
        panel = new Responde.Panel(lang, send);
        panel.guard = stillBound;
        panel.host.dataset.adapter = adapter ? adapter.id : "generic";
      }
    }
    return panel;
  }

  /* True while the parser is still inside `el` (its end tag not reached yet). */
  function parsing(el) {
    if (document.readyState !== "loading") return false;
    for (let node = el; node && node !== document.documentElement; node = node.parentNode) if (node.nextSibling) return false;
    return true;
  }

  /* A box that can still take the reply: in the page, and shown (not hidden by an editor that replaced it). */
  const live = (box) => !!box && Responde.nested.connected(box) && Responde.nested.shown(box);

  /* What the page shows now. The reply box is looked for again only when the bound one is gone or hidden
     (finding it measures layout, too dear for every mutation) and not while the page is still parsing. */
  function current() {
    const snapshot = adapter && adapter.conversation ? registry.read(adapter, document, false) : null;
    if (!snapshot || parsing(snapshot.conversation)) return null;
    const key = identity.of(snapshot);
    // A box the agent picked may appear after another was bound (an editor that starts late, TinyMCE's
    // frame): then the picked one takes over. Only asked while the bound box is not the picked one.
    const keep =
      bound && !bound.selection && bound.key === key && live(bound.box) &&
      (bound.picked || !Responde.replyBox.pickedBox(document));
    let picked = keep && bound.picked;
    if (keep) snapshot.replyBox = bound.box;
    else if (document.readyState !== "loading") {
      snapshot.replyBox = Responde.replyBox.find(adapter, document, snapshot.conversation);
      picked = !!snapshot.replyBox && snapshot.replyBox === Responde.replyBox.pickedBox(document);
    }
    const content = identity.fingerprint(`${snapshot.text}|${JSON.stringify(snapshot.context)}`);
    return { snapshot, key, box: snapshot.replyBox, content, picked };
  }

  /* Is the panel still showing the conversation that is on the page, into the same reply box? */
  function stillBound() {
    if (!bound) return false;
    const now = current();
    if (bound.selection) return location.href === bound.href && (now ? now.key : null) === bound.pageKey && !!bound.box && Responde.nested.connected(bound.box);
    return !!now && now.key === bound.key && now.box === bound.box;
  }

  function remember(key, data) {
    cache.delete(key);
    cache.set(key, data);
    if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value);
  }

  function stamp(view, started) {
    view.host.dataset.latencyMs = String(Math.round(performance.now() - started));
    view.host.dataset.readyAt = String(Math.round(performance.now()));
    view.host.dataset.conversation = identity.fingerprint(bound ? bound.key : "");
  }

  async function analyze(snapshot, key) {
    const requestNo = ++requests;
    const started = performance.now();
    const request = { text: snapshot.text, site: location.hostname, thread: snapshot.thread, context: snapshot.context };
    if (snapshot.receivedAt) request.received_at = snapshot.receivedAt;
    const pending = chrome.runtime
      .sendMessage({ type: "analyze", request })
      .catch(() => ({ ok: false, error: "extensionReloaded" }));
    const view = await getPanel();
    if (requestNo === requests && view.box.dataset.state !== "loading") view.loading();
    const result = await pending;
    if (requestNo !== requests || !bound || bound.key !== key) return; // the conversation changed meanwhile
    if (result && result.ok) {
      remember(key, { data: result.data, context: snapshot.context });
      view.show(result.data, bound.box, snapshot.context); // the box may have changed meanwhile
    } else view.error(result || { error: "serverError" });
    stamp(view, started);
  }

  async function showCached(hit, box) {
    const view = await getPanel();
    view.show(hit.data, box, hit.context); // the page's values (buyer name…) stay bidi-isolated
    stamp(view, performance.now());
  }

  function clear() {
    bound = null;
    requests += 1;
    if (panel) panel.loading("conversationChanged");
  }

  /* A single-page app changes the address first and the thread later (after its own fetch): until the
     thread changes, what is on screen belongs to the conversation the agent just left. */
  function navigated() {
    const shown = current();
    const before = shown ? shown.content : null;
    if (before) {
      stale = before;
      setTimeout(() => {
        if (stale === before) stale = null;
        check();
      }, SAME_CONVERSATION_MS);
    }
    if (bound && !bound.selection) clear();
  }

  function check(reason) {
    if (reason === "navigation") navigated();
    if (bound && bound.selection) {
      if (stillBound()) return;
      bound = null;
      requests += 1;
      if (panel) panel.error({ error: "conversationLeft" });
    }
    const now = current();
    if (now && stale) {
      if (now.content === stale) return;
      stale = null;
    }
    if (!now) {
      if (bound) clear();
      return;
    }
    if (bound && now.key === bound.key && now.box === bound.box) {
      bound.picked = now.picked; // found again as the picked box: no need to look for it again
      return;
    }
    if (bound && !bound.selection && now.key === bound.key) {
      // The same conversation, another reply box (an editor that started late hid the textarea it
      // replaced, the picked box appeared): the suggestions, shown or on their way, go into the new one.
      Object.assign(bound, { box: now.box, picked: now.picked });
      if (panel) panel.rebox(now.box);
      return;
    }
    const place = (key) => key.slice(0, key.lastIndexOf("|")); // the key without the message fingerprint
    const changed = !!bound && !bound.selection && place(bound.key) !== place(now.key);
    bound = { key: now.key, box: now.box, content: now.content, picked: now.picked };
    const hit = cache.get(now.key);
    if (changed && panel) panel.loading("conversationChanged"); // the old suggestions go at once
    if (hit) {
      requests += 1;
      showCached(hit, now.box);
    } else analyze(now.snapshot, now.key);
  }

  const quiet = (node) =>
    (bound && bound.box && bound.box.contains(node)) || (panel && panel.host.contains(node)) || (node.closest && node.closest("responde-pick"));

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (message.type === "pageInfo") {
      const box = current();
      sendResponse({ adapter: adapter && adapter.id !== "generic" ? adapter.name : adapter ? "generic" : null, replyBox: Responde.replyBox.picked(), hasBox: !!(box && box.box) });
    } else if (message.type === "pickReplyBox") {
      Responde.pick.start(message.uiLang || "", () => {
        if (bound && !bound.selection) bound.box = null; // look for the reply box again: the agent's pick
        check();
      });
      sendResponse({ ok: true });
    } else if (message.type === "analyzeSelection") {
      const now = current();
      const box = Responde.replyBox.find(adapter, document, now ? now.snapshot.conversation : null);
      const text = (message.text || Responde.insert.currentText(box)).trim().slice(0, 5000);
      if (text) {
        const key = `selection|${location.href}|${identity.fingerprint(text)}`;
        bound = { key, box, selection: true, href: location.href, pageKey: now ? now.key : null };
        analyze({ text, thread: now ? now.snapshot.thread : [], context: now ? now.snapshot.context : {}, replyBox: box || null }, key);
      }
    }
    return false;
  });

  Responde.replyBox.ready.then(() => {
    // The agent's pick for this site was still loading when the page was first read: use it now.
    if (Responde.replyBox.picked() && bound && !bound.selection) bound.box = null;
    check();
  });
  identity.watch(check, quiet);
  // No reply box bound, or it was hidden, or the picked one is not bound yet: an editor that starts late in
  // its own frame (CKEditor 4) changes nothing the watch above sees. The agent's focus in a box, or a frame
  // that loaded, is the moment to look.
  const unbound = () =>
    !!bound && !bound.selection && (!live(bound.box) || (!bound.picked && !!Responde.replyBox.picked()));
  Responde.nested.listen("focusin", (event) => event.isTrusted && unbound() && check());
  Responde.nested.listen("load", (event) => event.isTrusted && Responde.nested.isFrame(event.target) && setTimeout(() => unbound() && check(), 0));
  document.addEventListener("readystatechange", (event) => event.isTrusted && check());
  check();
})(globalThis);
