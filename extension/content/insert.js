/* Insert text at the caret of a reply box so the editor's own model takes it and its undo removes it.
   One ordered chain of strategies, each verified by reading the editor back (never sends anything):
     1. beforeinput `insertFromPaste` with a DataTransfer, 2. beforeinput `insertText` — what Slate and
        Lexical listen to (a synthetic event has no default action: only an editor that claims it acts);
     3. a synthetic `paste` with clipboardData — Quill, ProseMirror/TipTap, Draft.js, Lexical;
     4. document.execCommand('insertText') — the native undo stack of textareas and contenteditable;
     5. the native value setter plus `input` (React/Vue fields), the last resort: no native undo.
   An editor that claims an event (preventDefault) but changes nothing passes to the next strategy; one
   that changes the text in another way stops the chain, so the text never goes in twice. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.insert) return;
  const touched = new WeakSet(); // fields the agent has put the caret in: insert there, else at the end
  const SETTLE_MS = 50; // how long an editor that claimed an event may take to re-render

  // Only the agent's own focus counts (a page's synthetic focusin cannot choose where the text goes).
  document.addEventListener("focusin", (event) => event.isTrusted && touched.add(event.target), true);

  const isField = (el) => el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement;
  const isEditable = (el) => !!el && (el.isContentEditable || isField(el));

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

  function nextSelectionChange(ms) {
    return new Promise((resolve) => {
      const done = (event) => {
        if (event && !event.isTrusted) return; // the browser's own selectionchange, not a page's
        document.removeEventListener("selectionchange", done);
        clearTimeout(timer);
        resolve();
      };
      document.addEventListener("selectionchange", done);
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
    const selection = document.getSelection();
    const inside = document.activeElement === el && selection.rangeCount && el.contains(selection.anchorNode);
    if (inside) return;
    el.focus();
    if (!selection.rangeCount || !el.contains(selection.anchorNode)) {
      const range = document.createRange();
      range.selectNodeContents(el);
      range.collapse(false);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    await nextSelectionChange(40); // editors (Slate, Lexical) sync their own selection on selectionchange
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
    const selection = document.getSelection();
    const node = selection.anchorNode;
    const offset = selection.anchorOffset;
    const none = { text, undo: async () => {} };
    if (!el.hasAttribute("data-slate-editor") || !selection.isCollapsed || !node || node.nodeType !== Node.TEXT_NODE) return none;
    let from = offset - 1;
    if (from > 0 && /[\udc00-\udfff]/.test(node.data[from])) from -= 1;
    const previous = node.data.slice(Math.max(from, 0), offset);
    if (from < 0 || !previous || /[\ufeff\u200b\n]/.test(previous)) return none;
    selection.setBaseAndExtent(node, from, node, offset);
    await nextSelectionChange(40);
    return {
      text: previous + text,
      undo: async () => {
        if (node.isConnected) selection.setBaseAndExtent(node, offset, node, offset);
        await nextSelectionChange(40);
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
        return claimed;
      },
    },
    {
      name: "beforeinput-text",
      rich: true,
      run: (el, text) =>
        fire(el, new InputEvent("beforeinput", { inputType: "insertText", data: text, bubbles: true, cancelable: true, composed: true })),
    },
    {
      name: "paste",
      rich: true,
      run: (el, text) => fire(el, new ClipboardEvent("paste", { clipboardData: transfer(text), bubbles: true, cancelable: true, composed: true })),
    },
    { name: "execCommand", run: (el, text) => document.execCommand("insertText", false, text) },
    {
      name: "setter",
      field: true,
      run: (el, text) => {
        const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
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
    if (!isEditable(el) || !el.isConnected) return { ok: false, reason: "notEditable" };
    if (!stillValid()) return { ok: false, reason: "conversationChanged" };
    await placeCaret(el);
    const wanted = squash(text);
    for (const strategy of STRATEGIES) {
      if (!stillValid()) return { ok: false, reason: "conversationChanged" };
      if ((strategy.rich && !el.isContentEditable) || (strategy.field && !isField(el))) continue;
      const before = squash(currentText(el));
      const claimed = await strategy.run(el, text, stillValid);
      if (!claimed) continue;
      const landed = () => occurrences(squash(currentText(el)), wanted) > occurrences(before, wanted);
      if (!landed() && el.isContentEditable) await settle(el, SETTLE_MS);
      const after = squash(currentText(el));
      if (landed()) {
        touched.add(el);
        return { ok: true, strategy: strategy.name };
      }
      if (after !== before) return { ok: false, reason: "changedOtherwise", strategy: strategy.name };
    }
    return { ok: false, reason: "refused" };
  }

  Responde.insert = { insert, currentText, isEditable, isField };
})(globalThis);
