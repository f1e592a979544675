/* Insert text at the caret of a reply box so the editor's own model takes it and its undo removes it.
   One ordered chain of strategies, each verified by reading the editor back (never sends anything):
     1. beforeinput `insertFromPaste` with a DataTransfer — Slate (and Trix, without claiming it);
     2. a synthetic `paste` with clipboardData — Quill, ProseMirror/TipTap, Draft.js, Lexical, CKEditor 5
        (and TinyMCE, without claiming it);
     3. beforeinput `insertText` — editors that take typing only (CKEditor 5 takes it too, a moment later,
        claimed or not, into the agent's typing undo step: hence after the paste);
     4. execCommand('insertText') in the box's document — the native undo stack of textareas and
        contenteditable;
     5. the native value setter plus `input` (React/Vue fields), the last resort: no native undo.
   A synthetic event has no default action, so only an editor that handles it acts; some do without
   claiming it (preventDefault), some a moment later. Each step is read back after the editor had its
   chance: text in means done; an editor that changes nothing passes to the next step; one that changes the
   text another way stops the chain, so the text never goes in twice. The box may be in a same-origin
   frame (TinyMCE) or an open shadow root (web-component fields): selection, focus and commands are its own
   document's, or its shadow root's. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.insert) return;
  const touched = new WeakSet(); // fields the agent has put the caret in: insert there, else at the end
  const SETTLE_MS = 50; // how long an editor that claimed an event may take to re-render
  const SLATE_SYNC_MS = 120; // Slate editors (slate-react, wangEditor) sync their selection every 100 ms

  // Only the agent's own focus counts (a page's synthetic focusin cannot choose where the text goes); in a
  // same-origin frame's editor and inside an open shadow root too (nested.js).
  Responde.nested.listen("focusin", (event) => event.isTrusted && touched.add(Responde.nested.origin(event)));

  // By tag name, not instanceof: an element of a frame is an instance of that frame's classes.
  const isField = (el) => !!el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT");
  const isEditable = (el) => !!el && (el.isContentEditable || isField(el));
  const docOf = (el) => el.ownerDocument || document; // the box's own document: the page's or a frame's

  function currentText(el) {
    if (!el) return "";
    return el.isContentEditable ? el.innerText.replace(/\n$/, "") : el.value;
  }

  const squash = (text) => text.replace(/[\u200b\u200c\u200d\ufeff]/g, "").replace(/\s+/g, " ").trim();

  function occurrences(haystack, needle) {
    let n = 0;
    for (let at = haystack.indexOf(needle); needle && at >= 0; at = haystack.indexOf(needle, at + 1)) n += 1;
    return n;
  }

  /* Resolves after the element's DOM changes (then one more task for framework re-renders), else after
     the next frame has rendered (editors that claim an event re-render before it), else after `ms`. */
  function settle(el, ms) {
    return new Promise((resolve) => {
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        observer.disconnect();
        clearTimeout(timer);
        setTimeout(resolve, 0);
      };
      const observer = new MutationObserver(done);
      observer.observe(el, { childList: true, subtree: true, characterData: true, attributes: false });
      requestAnimationFrame(() => setTimeout(done, 0));
      const timer = setTimeout(done, ms);
    });
  }

  function nextSelectionChange(doc, ms) {
    return new Promise((resolve) => {
      const done = (event) => {
        if (event && !event.isTrusted) return; // the browser's own selectionchange, not a page's
        doc.removeEventListener("selectionchange", done);
        clearTimeout(timer);
        resolve();
      };
      doc.addEventListener("selectionchange", done);
      const timer = setTimeout(done, ms);
    });
  }

  /* Focus the box and make sure the caret is inside it (at the end unless the agent put it elsewhere). */
  async function placeCaret(el) {
    if (isField(el)) {
      if (!touched.has(el)) el.selectionStart = el.selectionEnd = el.value.length;
      el.focus();
      return;
    }
    const doc = docOf(el);
    const selection = Responde.nested.selectionFor(el);
    const inside = Responde.nested.activeElement(doc) === el && selection.rangeCount && el.contains(selection.anchorNode);
    if (inside) return;
    el.focus();
    if (!selection.rangeCount || !el.contains(selection.anchorNode)) {
      const range = doc.createRange();
      range.selectNodeContents(el);
      range.collapse(false);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    await nextSelectionChange(doc, 40); // editors (Slate, Lexical) sync their own selection on selectionchange
  }

  function transfer(text) {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    return data;
  }

  function fire(el, event) {
    el.dispatchEvent(event);
    return event.defaultPrevented; // claimed by the editor
  }

  /* Slate merges text typed at the same place into one undo step (slate-history's shouldMerge), so text
     inserted right after the agent's typing would be undone together with the draft. Taking the
     character before the caret into the insertion makes Slate's first operation a removal, which opens
     a new undo step: one Ctrl+Z then removes exactly the inserted text. Returns the text to insert and
     how to put the selection back if the editor does not claim the event. */
  async function slateUndoBoundary(el, text) {
    const selection = Responde.nested.selectionFor(el);
    const node = selection.anchorNode;
    const offset = selection.anchorOffset;
    const none = { text, undo: async () => {} };
    if (!el.hasAttribute("data-slate-editor") || !selection.isCollapsed || !node || node.nodeType !== Node.TEXT_NODE) return none;
    let from = offset - 1;
    if (from > 0 && /[\udc00-\udfff]/.test(node.data[from])) from -= 1;
    const previous = node.data.slice(Math.max(from, 0), offset);
    if (from < 0 || !previous || /[\ufeff\u200b\n]/.test(previous)) return none;
    selection.setBaseAndExtent(node, from, node, offset);
    await nextSelectionChange(docOf(el), 40);
    return {
      text: previous + text,
      undo: async () => {
        if (node.isConnected) selection.setBaseAndExtent(node, offset, node, offset);
        await nextSelectionChange(docOf(el), 40);
        // Slate's own editors read the page's selection at most every 100 ms (throttled); one that did not
        // claim the event (wangEditor) would paste over the character still selected in its model.
        await new Promise((resolve) => setTimeout(resolve, SLATE_SYNC_MS));
      },
    };
  }

  const STRATEGIES = [
    {
      name: "beforeinput-paste",
      rich: true,
      run: async (el, text, stillValid) => {
        const typed = await slateUndoBoundary(el, text);
        if (!stillValid()) {
          await typed.undo();
          return false; // the loop then reports the conversation change
        }
        const init = { inputType: "insertFromPaste", data: typed.text, dataTransfer: transfer(typed.text) };
        const claimed = fire(el, new InputEvent("beforeinput", { ...init, bubbles: true, cancelable: true, composed: true }));
        if (!claimed) await typed.undo();
        // wangEditor claims it and does nothing (it pastes only during a real paste): the loop gives the
        // character back to the selection before the next step.
        return claimed ? { claimed, abandon: typed.undo } : false;
      },
    },
    {
      name: "paste",
      rich: true,
      run: (el, text) => fire(el, new ClipboardEvent("paste", { clipboardData: transfer(text), bubbles: true, cancelable: true, composed: true })),
    },
    {
      name: "beforeinput-text",
      rich: true,
      run: (el, text) =>
        fire(el, new InputEvent("beforeinput", { inputType: "insertText", data: text, bubbles: true, cancelable: true, composed: true })),
    },
    { name: "execCommand", run: (el, text) => docOf(el).execCommand("insertText", false, text) },
    {
      name: "setter",
      field: true,
      run: (el, text) => {
        const proto = el.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
        const start = el.selectionStart;
        Object.getOwnPropertyDescriptor(proto, "value").set.call(el, el.value.slice(0, start) + text + el.value.slice(el.selectionEnd));
        el.selectionStart = el.selectionEnd = start + text.length;
        el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: text }));
        return true;
      },
    },
  ];

  /* -> { ok, strategy } or { ok: false, reason }: "notEditable", "conversationChanged" (stillValid() said
     no: checked before each step, since every await lets the page change), "changedOtherwise", "refused". */
  async function insert(el, text, stillValid = () => true) {
    if (!isEditable(el) || !Responde.nested.connected(el)) return { ok: false, reason: "notEditable" };
    if (!stillValid()) return { ok: false, reason: "conversationChanged" };
    await placeCaret(el);
    const wanted = squash(text);
    for (const strategy of STRATEGIES) {
      if (!stillValid()) return { ok: false, reason: "conversationChanged" };
      if ((strategy.rich && !el.isContentEditable) || (strategy.field && !isField(el))) continue;
      const before = squash(currentText(el));
      const ran = await strategy.run(el, text, stillValid);
      const claimed = typeof ran === "object" ? ran.claimed : ran;
      if (!claimed && !strategy.rich) continue; // a command or setter that did not run changed nothing
      const landed = () => occurrences(squash(currentText(el)), wanted) > occurrences(before, wanted);
      if (!landed() && el.isContentEditable) await settle(el, SETTLE_MS);
      const after = squash(currentText(el));
      if (landed()) {
        touched.add(el);
        return { ok: true, strategy: strategy.name };
      }
      if (after !== before) return { ok: false, reason: "changedOtherwise", strategy: strategy.name };
      if (ran && ran.abandon) await ran.abandon();
    }
    return { ok: false, reason: "refused" };
  }

  Responde.insert = { insert, currentText, isEditable, isField };
})(globalThis);
