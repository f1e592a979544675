/* Insert text at the caret of a reply box so the page's own framework sees it; never sends anything. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.insert) return;
  const touched = new WeakSet();

  document.addEventListener("focusin", (event) => touched.add(event.target), true);

  function isEditable(el) {
    return !!el && (el.isContentEditable || el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement);
  }

  function currentText(el) {
    if (!el) return "";
    return el.isContentEditable ? el.innerText.replace(/\n$/, "") : el.value;
  }

  function insertIntoField(el, text) {
    const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    const setValue = Object.getOwnPropertyDescriptor(proto, "value").set;
    const atEnd = !touched.has(el);
    const start = atEnd ? el.value.length : el.selectionStart;
    const end = atEnd ? el.value.length : el.selectionEnd;
    el.focus();
    // The native setter, then a bubbling input event: React and Vue controlled fields update their state.
    setValue.call(el, el.value.slice(0, start) + text + el.value.slice(end));
    el.selectionStart = el.selectionEnd = start + text.length;
    el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: text }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function insertIntoEditable(el, text) {
    el.focus();
    const selection = document.getSelection();
    if (!selection.rangeCount || !el.contains(selection.anchorNode)) {
      const range = document.createRange();
      range.selectNodeContents(el);
      range.collapse(false);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    // insertText goes through the editor's own beforeinput/input handling and keeps undo working.
    if (!document.execCommand("insertText", false, text)) {
      selection.getRangeAt(0).insertNode(document.createTextNode(text));
      el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: text }));
    }
  }

  function insert(el, text) {
    if (!isEditable(el)) return false;
    if (el.isContentEditable) insertIntoEditable(el, text);
    else insertIntoField(el, text);
    touched.add(el);
    return true;
  }

  Responde.insert = { insert, currentText, isEditable };
})(globalThis);
