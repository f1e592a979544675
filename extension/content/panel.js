/* The suggestion panel. The page is hostile, so (see drawn.js):
   - it lives in a CLOSED shadow root (page scripts get null from host.shadowRoot) built by this isolated world;
   - its words are not DOM text: each string sits in a data-t attribute and is drawn by CSS generated content
     (`content: attr(data-t)`), so neither window.find() probing nor a selection stretched across the panel
     (both reach into closed shadow roots) can read it, and no editing command can rewrite it. The text is
     set as an attribute value, plain text, never parsed as HTML;
   - only trusted events act (isTrusted: the agent's real clicks and keys), so synthetic clicks and keys can
     neither insert text nor send feedback, which retrains the model;
   - every string is its own bidi isolate and values the page gave us (buyer name, order, product) are <bdi>:
     a right-to-left override in a buyer's name cannot reorder the panel's text. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.Panel) return;
  const { t, span, violation } = root.RespondeI18n;
  const { text, setText, trusted } = Responde.drawn;
  const STYLE = Responde.panelStyle; // panel-style.js, loaded before this file
  if (!STYLE) throw new Error("panel-style.js must be loaded before panel.js");
  const chars = (text) => Array.from(text).length;

  /* `value` as drawn text, with every occurrence of a page-supplied value (longest first) in its own <bdi>. */
  function isolated(value, pageValues) {
    const needles = pageValues.filter((v) => typeof v === "string" && v.length >= 2).sort((a, b) => b.length - a.length);
    const out = [];
    let rest = String(value);
    while (rest) {
      let at = -1;
      let found = "";
      for (const needle of needles) {
        const i = rest.indexOf(needle);
        if (i >= 0 && (at < 0 || i < at)) [at, found] = [i, needle];
      }
      if (at < 0) break;
      if (at > 0) out.push(...text(rest.slice(0, at)));
      out.push(...text(found, "bdi"));
      rest = rest.slice(at + found.length);
    }
    if (rest) out.push(...text(rest));
    return out;
  }

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "class") el.className = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), trusted(value));
      else if (key in el && key !== "role") el[key] = value;
      else el.setAttribute(key, value);
    }
    const raw = tag === "style" || tag === "option"; // CSS; option labels cannot hold elements
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      if (child instanceof Node) el.append(child);
      else if (raw) el.append(String(child));
      else el.append(...text(child));
    }
    return el;
  }

  class Panel {
    constructor(uiLang, send) {
      this.uiLang = uiLang;
      this.send = send; // (type, payload) => Promise: a message to the service worker
      ({ host: this.host, shadow: this.shadow } = Responde.drawn.closedView("responde-panel", STYLE));
      this.host.dataset.responde = "panel";
      this.box = h("section", { class: "rp", "aria-label": t(uiLang, "title") });
      this.shadow.append(this.box);
      this.state = null;
      this.watched = new WeakSet();
      this.onKey = (event) => this.shortcut(event);
      Responde.nested.listen("keydown", this.onKey); // Alt+1 typed in a same-origin frame's editor too
      document.documentElement.append(this.host);
    }

    tr(key, vars) {
      return t(this.uiLang, key, vars);
    }

    frame(...content) {
      const header = h("header", {}, h("b", {}, this.tr("title")), h("button", { title: this.tr("hide"), onclick: () => this.hide() }, "×"));
      this.box.replaceChildren(header, h("div", { class: "body" }, ...content));
      this.host.hidden = false;
    }

    /* `why`: a string key shown above (the conversation changed: the old suggestions are gone). */
    loading(why) {
      this.state = null;
      this.box.dataset.state = "loading";
      const reason = why ? h("div", { class: "error changed", role: "status" }, this.tr(why)) : null;
      this.frame(reason, h("div", { class: "notice" }, this.tr("analyzing")));
    }

    error(result) {
      this.state = null;
      this.box.dataset.state = "error";
      const vars = { command: result.command || "", status: result.status || "", server: result.server || "" };
      this.frame(h("div", { class: "error", role: "alert" }, this.tr(result.error || "serverError", vars)));
    }

    show(data, replyBox, context) {
      this.state = { data, replyBox, confirmed: false, inserted: false, edited: false, inserting: false };
      this.pageValues = Object.values(context || {});
      this.box.dataset.state = "ready";
      const main = data.intents[0];
      const lang = h("span", { class: "chip lang" }, `${this.tr("language")}: ${data.language.locale}`);
      const urgent = data.urgency === "high";
      const urgency = h("span", { class: `chip urgency${urgent ? " urgent" : ""}` }, this.tr(urgent ? "urgencyHigh" : "urgencyNormal"));
      const second = data.intents[1];
      const intent = main
        ? h(
            "div",
            { class: "row intent" },
            h("strong", { class: "label" }, main.label),
            this.uiLang === "zh-CN" ? null : h("span", { class: "zh" }, main.label_zh), // no echo in Chinese
            second ? h("span", { class: "chip second" }, this.uiLang === "zh-CN" ? `+ ${second.label}` : `+ ${second.label} ${second.label_zh}`) : null,
          )
        : h("div", { class: "row intent" }, h("em", {}, this.tr("noIntent")));
      const content = [h("div", { class: "row" }, lang, urgency, this.deadline(data.deadline)), intent, this.correction(main)];
      if (data.handoff.required) {
        const confirm = h("input", { type: "checkbox", onchange: (e) => this.confirmHandoff(e.target.checked) });
        // A synthetic click would still toggle the box and fire a *trusted* change event: cancel it instead.
        confirm.addEventListener("click", (e) => e.isTrusted || e.preventDefault());
        content.push(h("div", { class: "handoff", role: "alert" }, this.tr("handoff"), h("label", {}, confirm, " ", this.tr("confirmHandoff"))));
      }
      if (data.setup_required) content.push(h("div", { class: "setup", role: "status" }, this.tr("notSetUp")));
      // Two intents: each suggestion says which of them it answers (a reply to both, or one intent's own).
      const names = new Map(data.intents.map((i) => [i.id, this.uiLang === "zh-CN" ? i.label : `${i.label} ${i.label_zh}`]));
      this.items = data.suggestions.slice(0, 3).map((s, i) => this.suggestion(s, i, second ? names : null));
      content.push(h("ol", { class: "suggestions" }, this.items.map((item) => item.li)));
      this.notice = h("div", { class: "notice", role: "status" });
      content.push(this.notice);
      this.frame(...content);
      this.updateBudgets();
      this.watch(replyBox);
    }

    /* The same suggestions into another reply box (an editor that started late hid the one it replaced, a
       picked box appeared): nothing is asked again or drawn again. */
    rebox(replyBox) {
      if (!this.state) return;
      this.state.replyBox = replyBox;
      this.updateBudgets();
      this.watch(replyBox);
    }

    watch(replyBox) {
      if (replyBox && !this.watched.has(replyBox)) {
        this.watched.add(replyBox);
        replyBox.addEventListener("input", (event) => this.onBoxInput(event));
      }
    }

    deadline(info) {
      if (!info) return null;
      const late = info.overdue || info.minutes_left < 60;
      const left = span(this.uiLang, info.minutes_left);
      return h("span", { class: `chip deadline${late ? " urgent" : ""}`, title: info.due }, this.tr(info.overdue ? "overdue" : "timeLeft", { span: left }));
    }

    record(action, extra) {
      if (this.state) this.send("feedback", { feedback: { trace_id: this.state.data.trace_id, action, ...extra } });
    }

    correction(main) {
      const select = h("select", { class: "correct", "aria-label": this.tr("wrongIntent") }, h("option", { value: "" }, this.tr("wrongIntent")));
      select.addEventListener("change", (event) => {
        if (!event.isTrusted) select.value = ""; // a synthetic change is undone, never recorded
        if (!event.isTrusted || !select.value) return;
        this.record("corrected", { intent: select.value });
        setText(this.notice, this.tr("correctionSaved"));
      });
      this.send("intents", {}).then((result) => {
        if (!result || !result.ok) return;
        for (const intent of result.data.intents) {
          if (main && intent.id === main.id) continue;
          select.append(h("option", { value: intent.id }, `${intent.labels[this.uiLang] || intent.labels.en} · ${intent.labels["zh-CN"]}`));
        }
      });
      return h("div", { class: "row" }, select);
    }

    onBoxInput(event) {
      this.updateBudgets();
      // Only the agent's own typing counts as an edit (our insert and page scripts dispatch untrusted events).
      if (event.isTrusted && this.state && this.state.inserted && !this.state.inserting && !this.state.edited) {
        this.state.edited = true;
        this.record("edited", {});
      }
    }

    suggestion(s, index, names) {
      const answers = names && s.answers.length ? h("p", { class: "answers" }, s.answers.map((id) => names.get(id) || id).join(" + ")) : null;
      const budget = h("span", { class: "budget" });
      const warn = h("div", { class: "warn", hidden: true });
      const violations = s.policy.violations.length
        ? h("span", { class: "warn violations" }, `${this.tr("violations")}: ${s.policy.violations.map((v) => violation(this.uiLang, v)).join(", ")}`)
        : null;
      const button = h(
        "button",
        { class: "insert", title: `Alt+${index + 1}`, onmousedown: (e) => e.preventDefault(), onclick: () => this.insert(index) },
        `${this.tr("insert")} (Alt+${index + 1})`,
      );
      const copy = h("button", { class: "copy", onclick: () => this.copy(index) }, this.tr("copy"));
      const li = h(
        "li",
        { "data-template": s.template_id },
        answers,
        h("p", { class: "text", lang: s.locale }, isolated(s.text, this.pageValues)),
        h("p", { class: "gloss", lang: "zh-CN" }, isolated(s.gloss_zh, this.pageValues)),
        h("div", { class: "meta" }, budget, violations, copy, button),
        warn,
      );
      return { li, budget, warn, button, suggestion: s };
    }

    updateBudgets() {
      if (!this.state) return;
      const existing = Responde.insert.currentText(this.state.replyBox);
      const locked = this.state.data.handoff.required && !this.state.confirmed;
      for (const item of this.items) {
        const limit = item.suggestion.policy.limit;
        const total = chars(existing) + (existing ? 1 : 0) + chars(item.suggestion.text);
        setText(item.budget, limit ? `${this.tr("budget")}: ${total}/${limit}` : `${this.tr("budget")}: ${total}`);
        const over = !!limit && total > limit;
        item.budget.classList.toggle("over", over);
        item.warn.hidden = !over;
        setText(item.warn, over ? this.tr("overLimit", { limit }) : "");
        item.button.disabled = locked || !this.state.replyBox;
      }
      const limit = this.items[0] && this.items[0].suggestion.policy.limit;
      if (limit && chars(existing) > limit) setText(this.notice, this.tr("overLimit", { limit }));
    }

    confirmHandoff(checked) {
      this.state.confirmed = checked;
      if (checked) this.record("handoff_confirmed", {});
      this.updateBudgets();
    }

    /* `guard()` (set by main.js) says whether the page still shows the conversation these suggestions are
       for; it is asked before typing and again between the insertion's steps. */
    async insert(index) {
      const item = this.items && this.items[index];
      const state = this.state;
      if (!item || item.button.disabled || !state || state.inserting) return;
      const guard = () => this.state === state && (!this.guard || this.guard());
      if (!guard()) {
        setText(this.notice, this.tr("conversationChanged"));
        return;
      }
      const box = state.replyBox;
      const existing = Responde.insert.currentText(box);
      const text = existing && !/\s$/.test(existing) ? ` ${item.suggestion.text}` : item.suggestion.text;
      state.inserting = true;
      const result = await Responde.insert.insert(box, text, guard);
      state.inserting = false;
      if (this.state !== state) return;
      if (!result.ok) {
        const reasons = { notEditable: "noReplyBox", conversationChanged: "conversationChanged" };
        setText(this.notice, this.tr(reasons[result.reason] || "insertFailed"));
        return;
      }
      state.inserted = true;
      this.record("inserted", { template_id: item.suggestion.template_id });
      setText(this.notice, this.tr("inserted"));
      this.host.dataset.inserted = result.strategy;
      this.updateBudgets();
    }

    copy(index) {
      const item = this.items && this.items[index];
      if (!item) return;
      navigator.clipboard.writeText(item.suggestion.text).then(
        () => setText(this.notice, this.tr("copied")),
        () => setText(this.notice, this.tr("copyFailed")),
      );
    }

    shortcut(event) {
      if (!event.isTrusted || !event.altKey || this.host.hidden || !this.host.isConnected || !this.state) return;
      const index = ["Digit1", "Digit2", "Digit3"].indexOf(event.code);
      if (index < 0 || !this.items[index]) return;
      event.preventDefault();
      event.stopPropagation();
      this.insert(index);
    }

    hide() {
      if (this.state && !this.state.inserted) this.record("dismissed", {});
      this.host.hidden = true;
    }
  }

  Responde.Panel = Panel;
})(globalThis);
