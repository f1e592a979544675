/* Same-origin frames. TinyMCE, CKEditor 4, KindEditor, UEditor and many back offices put the reply box in
   the body of an iframe of the page's own origin, where the content script of the top document does not
   run. This module lets the other content scripts see into those frames: the documents they may read (a
   cross-origin frame's document is null to them, and is never reached), the element that really has the
   focus, listeners attached to every such document the first time it is seen, and whether an element is
   still on the page (an element of a removed frame still says isConnected). */
(function (root) {
  const Responde = root.Responde;
  if (Responde.frames) return;
  const DEPTH = 3; // frames inside frames inside frames, no deeper
  const MAX_DOCUMENTS = 24; // a page cannot make every scan walk thousands of frames
  const listeners = []; // [type, handler]: on every document seen, capture phase
  const hooked = []; // WeakRefs of the documents with the listeners
  const hookedSet = new WeakSet();

  function hook(doc) {
    if (hookedSet.has(doc)) return;
    hookedSet.add(doc);
    hooked.push(new WeakRef(doc));
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

  /* The frame element that holds `el`'s document (null in the top document). */
  function frameOf(el) {
    const view = el.ownerDocument && el.ownerDocument.defaultView;
    try {
      return view ? view.frameElement : null;
    } catch {
      return null;
    }
  }

  /* The element of `doc` that stands for `el`: itself, or the frame (of a frame…) that holds it. */
  function hostIn(doc, el) {
    let node = el;
    for (let depth = 0; node && node.ownerDocument !== doc && depth <= DEPTH; depth += 1) node = frameOf(node);
    return node && node.ownerDocument === doc ? node : null;
  }

  /* Is `el` on this page: connected in its document, and each frame holding it connected in its own? */
  function connected(el) {
    let node = el;
    for (let depth = 0; node && depth <= DEPTH; depth += 1) {
      if (!node.isConnected || !node.ownerDocument.defaultView) return false;
      if (node.ownerDocument === document) return true;
      node = frameOf(node);
    }
    return false;
  }

  /* Is the frame chain above `el` shown (each frame element visible in its document)? */
  function framesVisible(el) {
    for (let frame = frameOf(el), depth = 0; frame && depth <= DEPTH; frame = frameOf(frame), depth += 1) {
      const rect = frame.getBoundingClientRect();
      const style = frame.ownerDocument.defaultView.getComputedStyle(frame);
      if (rect.width < 2 || rect.height < 2 || style.visibility === "hidden" || style.display === "none") return false;
    }
    return true;
  }

  /* The element that has the focus, looking inside readable frames. */
  function activeElement(doc = document) {
    let active = doc.activeElement;
    for (let depth = 0; isFrame(active) && depth < DEPTH; depth += 1) {
      const child = inner(active);
      if (!child) break;
      hook(child);
      active = child.activeElement;
    }
    return active;
  }

  hook(document);
  Responde.frames = { listen, documents, inner, isFrame, hostIn, connected, framesVisible, activeElement };
})(globalThis);
