/* "Pick the reply box": a one-time mode (started from the popup) in which the agent clicks the box the
   replies go into; Responde remembers it for this site. Only real mouse moves, clicks and keys count
   (isTrusted): the page cannot pick for the agent, nor steer the highlight. Esc cancels. The overlay gets
   the panel's treatment (drawn.js): a closed shadow root whose hint is drawn from a data-t attribute, so
   the page can neither read nor rewrite it. A box inside a same-origin frame or an open shadow root can be
   picked too (nested.js): the mode listens in every frame's document. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.pick) return;
  const { t, pickUiLang } = root.RespondeI18n;
  const { text, trusted, closedView } = Responde.drawn;
  let active = null;

  const CSS = `
    .hint { position: fixed; top: 12px; left: 50%; transform: translateX(-50%); z-index: 2147483647;
      background: #0b5cad; color: #fff; padding: 8px 14px; border-radius: 8px; font: 14px system-ui, sans-serif; }
    .box { position: fixed; z-index: 2147483646; pointer-events: none; border: 3px solid #0b5cad;
      border-radius: 4px; background: rgba(11, 92, 173, .12); display: none; }`;

  function overlay(lang) {
    const { host, shadow } = closedView("responde-pick", CSS);
    const hint = document.createElement("div");
    hint.className = "hint";
    hint.append(...text(t(lang, "pickHint")));
    const box = document.createElement("div");
    box.className = "box";
    shadow.append(hint, box);
    document.documentElement.append(host);
    return { host, hint, box };
  }

  function stop() {
    if (!active) return;
    for (const doc of active.docs) for (const [type, handler] of active.handlers) doc.removeEventListener(type, handler, true);
    active.view.host.remove();
    active = null;
  }

  /* Resolves with the remembered selector, or null when the agent pressed Esc; `onPicked` runs within the
     click itself, so the very next key press already uses the new box. */
  function start(uiLang, onPicked = () => {}) {
    stop();
    const lang = pickUiLang(uiLang, navigator.language);
    return new Promise((resolve) => {
      const view = overlay(lang);
      const target = (event) => Responde.replyBox.editableRoot(Responde.nested.origin(event));
      const onMove = (event) => {
        const el = target(event);
        if (!el) {
          view.box.style.display = "none";
          return;
        }
        const rect = Responde.nested.viewportRect(el);
        Object.assign(view.box.style, { display: "block", left: `${rect.left - 3}px`, top: `${rect.top - 3}px`, width: `${rect.width}px`, height: `${rect.height}px` });
      };
      const onClick = (event) => {
        const el = target(event);
        if (!el) return;
        event.preventDefault();
        event.stopPropagation();
        stop();
        const { selector, saved } = Responde.replyBox.remember(el);
        onPicked(selector);
        saved.then(() => resolve(selector), () => resolve(selector));
      };
      const onKey = (event) => {
        if (event.key === "Escape") {
          stop();
          resolve(null);
        }
      };
      const handlers = { mousemove: onMove, click: onClick, keydown: onKey };
      const docs = Responde.nested.documents();
      active = { view, docs, handlers: Object.entries(handlers).map(([type, handler]) => [type, trusted(handler)]) };
      for (const doc of docs) for (const [type, handler] of active.handlers) doc.addEventListener(type, handler, true);
    });
  }

  Responde.pick = { start, stop };
})(globalThis);
