/* What the extension shows inside a page (the panel, the pick mode's hint) lives in a CLOSED shadow root and
   holds no DOM text: a closed root alone does not hide text in Chromium (window.find() searches into it,
   and a selection stretched from a found word reads it), so every string sits in a data-t attribute and is
   drawn by CSS generated content (`content: attr(data-t)`), which find, selection and editing commands
   cannot reach. Strings are set as attribute values, plain text, never parsed as HTML. Every string is its
   own bidi isolate; a bidi control character is drawn alone, where it has nothing to reorder. Listeners
   made with `trusted` act on the agent's real input only (isTrusted): a page script can dispatch events,
   never trusted ones. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.drawn) return;
  const BIDI_CONTROLS = /([\u202A-\u202E\u2066-\u2069])/; // embeddings, overrides, isolates: each drawn alone

  /* The CSS every closed view starts with. */
  const CSS = `
    :host { all: initial; }
    :host([hidden]) { display: none; }
    .t::before { content: attr(data-t); }
    .t { unicode-bidi: isolate; }
    bdi.t { unicode-bidi: plaintext; }
    * { -webkit-user-modify: read-only !important; }
  `;

  /* A string as drawn text: span.t (or `tag`.t, e.g. bdi for a page value) with the string in data-t. */
  function text(value, tag = "span") {
    return String(value)
      .split(BIDI_CONTROLS)
      .filter(Boolean)
      .map((part) => {
        const el = document.createElement(tag);
        el.className = "t";
        el.dataset.t = part;
        return el;
      });
  }

  function setText(el, value) {
    el.replaceChildren(...(value ? text(value) : []));
  }

  const trusted = (listener) => (event) => {
    if (event.isTrusted) listener(event);
  };

  /* A host element with a closed shadow root holding the base CSS plus `css`. */
  function closedView(tag, css) {
    const host = document.createElement(tag);
    const shadow = host.attachShadow({ mode: "closed" });
    const style = document.createElement("style");
    style.textContent = CSS + css;
    shadow.append(style);
    return { host, shadow };
  }

  Responde.drawn = { text, setText, trusted, closedView, CSS };
})(globalThis);
