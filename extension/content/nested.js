/* What the page nests: same-origin frames and open shadow roots. TinyMCE, CKEditor 4, KindEditor, UEditor
   and many back offices put the reply box in the body of an iframe of the page's own origin, where the
   content script of the top document does not run; web-component text fields (Material Web, Shoelace,
   Fluent) keep their textarea inside an open shadow root, where querySelectorAll does not look and the
   focus and events stop at the host. This module lets the other content scripts see into both: the roots
   to search (a cross-origin frame's document is null to them and never reached; closed shadow roots are
   the page's to keep, and our own panel's is one), the element that really has the focus, the element an
   event really started on, listeners attached to every document the first time it is seen, and whether
   an element is still on the page (an element of a removed frame still says isConnected). */
(function (root) {
  const Responde = root.Responde;
  if (Responde.nested) return;
  const DEPTH = 3; // frames inside frames inside frames, no deeper
  const MAX_DOCUMENTS = 24; // a page cannot make every scan walk thousands of frames…
  const MAX_ELEMENTS = 20000; // …or millions of elements looking for shadow roots
  const listeners = []; // [type, handler]: on every document seen, capture phase
  const hooked = []; // WeakRefs of the documents with the listeners
  const hookedSet = new WeakSet();

  /* Our listeners on `doc`, added again each time it is seen (the browser ignores a listener added twice):
     an editor that writes its frame with document.open() — CKEditor 4 does — erases every listener the
     document had, and the document stays the same object. */
  function hook(doc) {
    if (!hookedSet.has(doc)) {
      hookedSet.add(doc);
      hooked.push(new WeakRef(doc));
    }
    for (const [type, handler] of listeners) doc.addEventListener(type, handler, true);
  }

  /* `handler` for `type` events of the top document and of every same-origin frame seen, now or later. */
  function listen(type, handler) {
    listeners.push([type, handler]);
    for (const ref of hooked) {
      const doc = ref.deref();
      if (doc) doc.addEventListener(type, handler, true);
    }
  }

  const isFrame = (el) => !!el && (el.tagName === "IFRAME" || el.tagName === "FRAME");

  /* A frame element's document when the page's origin lets us read it, else null. */
  function inner(frame) {
    try {
      const doc = frame.contentDocument;
      return doc && doc.documentElement ? doc : null;
    } catch {
      return null;
    }
  }

  /* `doc` and the documents of its readable frames, nested up to DEPTH (each one hooked). */
  function documents(doc = document) {
    const found = [[doc, 0]];
    for (let i = 0; i < found.length && found.length < MAX_DOCUMENTS; i += 1) {
      const [current, depth] = found[i];
      if (depth >= DEPTH) continue;
      for (const frame of current.querySelectorAll("iframe, frame")) {
        const child = inner(frame);
        if (child && !found.some(([d]) => d === child)) found.push([child, depth + 1]);
        if (found.length >= MAX_DOCUMENTS) break;
      }
    }
    const docs = found.map(([d]) => d);
    docs.forEach(hook);
    return docs;
  }

  /* Every place to search for a reply box: the documents, then the open shadow roots inside them (shadow
     roots inside shadow roots too), at most MAX_ELEMENTS elements looked at in all. */
  function roots(doc = document) {
    const out = documents(doc);
    let budget = MAX_ELEMENTS;
    for (let i = 0; i < out.length && budget > 0; i += 1) {
      const walker = (out[i].ownerDocument || out[i]).createTreeWalker(out[i], NodeFilter.SHOW_ELEMENT);
      for (let node = walker.nextNode(); node && budget > 0; node = walker.nextNode(), budget -= 1) {
        if (node.shadowRoot && !node.localName.startsWith("responde-")) out.push(node.shadowRoot);
      }
    }
    return out;
  }

  /* The frame element that holds `el`'s document (null in the top document). */
  function frameOf(el) {
    const view = el.ownerDocument && el.ownerDocument.defaultView;
    try {
      return view ? view.frameElement : null;
    } catch {
      return null;
    }
  }

  /* What holds `el` one level up: the host of its shadow root, else the frame of its document. */
  function holder(el) {
    const top = el.getRootNode();
    return top.nodeType === Node.DOCUMENT_FRAGMENT_NODE && top.host ? top.host : frameOf(el);
  }

  /* The element of `doc`'s own tree that stands for `el`: itself, or the host or frame holding it. */
  function hostIn(doc, el) {
    let node = el;
    for (let steps = 0; node && node.getRootNode() !== doc && steps <= 4 * DEPTH; steps += 1) node = holder(node);
    return node && node.getRootNode() === doc ? node : null;
  }

  /* The frame elements holding `el`, innermost first (none in the top document), DEPTH + 1 at most. */
  function framesAbove(el) {
    const frames = [];
    for (let frame = frameOf(el); frame && frames.length <= DEPTH; frame = frameOf(frame)) frames.push(frame);
    return frames;
  }

  /* Is `el` on this page: connected in its document, and each frame holding it (DEPTH at most) connected in
     its own, up to the top document? */
  function connected(el) {
    const chain = [el, ...framesAbove(el)];
    const outer = chain[chain.length - 1];
    return (
      chain.length <= DEPTH + 1 &&
      outer.ownerDocument === document &&
      chain.every((node) => node.isConnected && node.ownerDocument.defaultView)
    );
  }

  /* Is `el` still shown (no `display: none` on it or above it, in its document and the frames holding it)?
     Style only, no layout: cheap enough for every change of the page. An editor that starts late (CKEditor 4,
     TinyMCE) hides the textarea it replaces. */
  function shown(el) {
    return [el, ...framesAbove(el)].every((node) => node.checkVisibility());
  }

  /* Is the frame chain above `el` shown (each frame element visible in its document)? */
  function framesVisible(el) {
    return framesAbove(el).every((frame) => {
      const rect = frame.getBoundingClientRect();
      const style = frame.ownerDocument.defaultView.getComputedStyle(frame);
      return rect.width >= 2 && rect.height >= 2 && style.visibility !== "hidden" && style.display !== "none";
    });
  }

  /* `el`'s box on the top page's viewport (an element in a frame measures from the frame's corner). */
  function viewportRect(el) {
    const rect = el.getBoundingClientRect();
    let { left, top } = rect;
    for (const frame of framesAbove(el)) {
      const outer = frame.getBoundingClientRect();
      left += outer.left + frame.clientLeft;
      top += outer.top + frame.clientTop;
    }
    return { left, top, width: rect.width, height: rect.height };
  }

  /* The element that has the focus, looking inside readable frames and open shadow roots. */
  function activeElement(doc = document) {
    let active = doc.activeElement;
    for (let steps = 0; active && steps < 4 * DEPTH; steps += 1) {
      let next = null;
      if (isFrame(active)) {
        const child = inner(active);
        if (child) hook(child);
        next = child && child.activeElement;
      } else if (active.shadowRoot) {
        next = active.shadowRoot.activeElement;
      }
      if (!next) break;
      active = next;
    }
    return active;
  }

  /* The element an event started on, inside open shadow roots (event.target stops at their host). */
  function origin(event) {
    const path = event.composedPath();
    return path.length ? path[0] : event.target;
  }

  /* The selection that holds `el`'s caret: its shadow root's (Chrome) or its document's. */
  function selectionFor(el) {
    const top = el.getRootNode();
    return typeof top.getSelection === "function" ? top.getSelection() : el.ownerDocument.getSelection();
  }

  /* A frame that loaded (again, or after document.open() and close()) gets its listeners back at once, not
     at the next scan: the agent may type into it before anything else on the page changes. */
  listen("load", (event) => {
    const child = event.isTrusted && isFrame(event.target) ? inner(event.target) : null;
    if (child) hook(child);
  });
  hook(document);
  Responde.nested = {
    listen, documents, roots, inner, isFrame, holder, hostIn, connected, shown, framesVisible, viewportRect,
    activeElement, origin, selectionFor, DEPTH,
  };
})(globalThis);
