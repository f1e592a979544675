/* The suggestion panel, in a shadow root so page CSS cannot reach it. Text only: DOM nodes and textContent. */
(function (root) {
  const Responde = root.Responde;
  if (Responde.Panel) return;
  const { t, span, violation } = root.RespondeI18n;
  const chars = (text) => Array.from(text).length;

  const CSS = `
    :host { all: initial; }
    :host([hidden]) { display: none; }
    .rp { position: fixed; right: 16px; bottom: 16px; width: 360px; max-height: 70vh; overflow: auto;
      z-index: 2147483647; background: #fff; color: #1f2328; border: 1px solid #d0d7de; border-radius: 10px;
      box-shadow: 0 8px 24px rgba(0,0,0,.18); font: 13px/1.4 system-ui, "Noto Sans CJK SC", sans-serif; }
    header { display: flex; align-items: center; gap: 8px; padding: 8px 12px; background: #0b5cad; color: #fff;
      border-radius: 10px 10px 0 0; }
    header b { flex: 1; }
    header button { background: none; border: 0; color: #fff; cursor: pointer; font-size: 16px; }
    .body { padding: 8px 12px; }
    .row { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 4px 0; }
    .chip { border-radius: 999px; padding: 1px 8px; background: #eef2f7; }
    .urgent { background: #ffebe9; color: #a40e26; }
    .zh { color: #57606a; }
    .error, .handoff { padding: 8px; border-radius: 6px; margin: 6px 0; }
    .error, .setup { background: #fff8c5; }
    .setup { padding: 8px; border-radius: 6px; margin: 6px 0; }
    .handoff { background: #ffebe9; color: #82071e; font-weight: 600; }
    .handoff label { display: block; font-weight: 400; margin-top: 4px; }
    ol { list-style: none; padding: 0; margin: 0; }
    li { border-top: 1px solid #eaeef2; padding: 8px 0; }
    .text { white-space: pre-wrap; margin: 0 0 4px; }
    .gloss { color: #57606a; margin: 0 0 6px; white-space: pre-wrap; }
    .meta { display: flex; gap: 8px; align-items: center; font-size: 12px; }
    .budget.over, .warn { color: #a40e26; font-weight: 600; }
    .insert { margin-left: auto; background: #0b5cad; color: #fff; border: 0; border-radius: 6px; padding: 4px 10px;
      cursor: pointer; }
    .insert:disabled { background: #8c959f; cursor: not-allowed; }
    .notice { font-size: 12px; color: #1a7f37; min-height: 1em; }
    select.correct { font-size: 12px; max-width: 100%; }
  `;

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "class") el.className = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key in el && key !== "role") el[key] = value;
      else el.setAttribute(key, value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) el.append(child);
    return el; // strings are appended as text nodes by Element.append
  }

  class Panel {
    constructor(uiLang, send) {
      this.uiLang = uiLang;
      this.send = send; // (type, payload) => Promise: a message to the service worker
      this.host = h("responde-panel", { "data-responde": "panel" });
      this.shadow = this.host.attachShadow({ mode: "open" });
      this.shadow.append(h("style", {}, CSS));
      this.box = h("section", { class: "rp", "aria-label": t(uiLang, "title") });
      this.shadow.append(this.box);
      this.state = null;
      this.watched = new WeakSet();
      this.onKey = (event) => this.shortcut(event);
      document.addEventListener("keydown", this.onKey, true);
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

    loading() {
      this.state = null;
      this.box.dataset.state = "loading";
      this.frame(h("div", { class: "notice" }, this.tr("analyzing")));
    }

    error(result) {
      this.state = null;
      this.box.dataset.state = "error";
      const vars = { command: result.command || "", status: result.status || "" };
      this.frame(h("div", { class: "error", role: "alert" }, this.tr(result.error || "serverError", vars)));
    }

    show(data, replyBox) {
      this.state = { data, replyBox, confirmed: false, inserted: false, edited: false, inserting: false };
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
        content.push(h("div", { class: "handoff", role: "alert" }, this.tr("handoff"), h("label", {}, confirm, " ", this.tr("confirmHandoff"))));
      }
      if (data.setup_required) content.push(h("div", { class: "setup", role: "status" }, this.tr("notSetUp")));
      this.items = data.suggestions.slice(0, 3).map((s, i) => this.suggestion(s, i));
      content.push(h("ol", { class: "suggestions" }, this.items.map((item) => item.li)));
      this.notice = h("div", { class: "notice", role: "status" });
      content.push(this.notice);
      this.frame(...content);
      this.updateBudgets();
      if (replyBox && !this.watched.has(replyBox)) {
        this.watched.add(replyBox);
        replyBox.addEventListener("input", () => this.onBoxInput());
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
      select.addEventListener("change", () => {
        if (!select.value) return;
        this.record("corrected", { intent: select.value });
        this.notice.textContent = this.tr("correctionSaved");
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

    onBoxInput() {
      this.updateBudgets();
      if (this.state && this.state.inserted && !this.state.inserting && !this.state.edited) {
        this.state.edited = true;
        this.record("edited", {});
      }
    }

    suggestion(s, index) {
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
      const li = h(
        "li",
        { "data-template": s.template_id },
        h("p", { class: "text", lang: s.locale }, s.text),
        h("p", { class: "gloss", lang: "zh-CN" }, s.gloss_zh),
        h("div", { class: "meta" }, budget, violations, button),
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
        item.budget.textContent = limit ? `${this.tr("budget")}: ${total}/${limit}` : `${this.tr("budget")}: ${total}`;
        const over = !!limit && total > limit;
        item.budget.classList.toggle("over", over);
        item.warn.hidden = !over;
        item.warn.textContent = over ? this.tr("overLimit", { limit }) : "";
        item.button.disabled = locked || !this.state.replyBox;
      }
      const limit = this.items[0] && this.items[0].suggestion.policy.limit;
      if (limit && chars(existing) > limit) this.notice.textContent = this.tr("overLimit", { limit });
    }

    confirmHandoff(checked) {
      this.state.confirmed = checked;
      if (checked) this.record("handoff_confirmed", {});
      this.updateBudgets();
    }

    insert(index) {
      const item = this.items && this.items[index];
      if (!item || item.button.disabled) return;
      const box = this.state.replyBox;
      const existing = Responde.insert.currentText(box);
      const text = existing && !/\s$/.test(existing) ? ` ${item.suggestion.text}` : item.suggestion.text;
      this.state.inserting = true;
      const ok = Responde.insert.insert(box, text);
      this.state.inserting = false;
      if (!ok) {
        this.notice.textContent = this.tr("noReplyBox");
        return;
      }
      this.state.inserted = true;
      this.record("inserted", { template_id: item.suggestion.template_id });
      this.notice.textContent = this.tr("inserted");
      this.updateBudgets();
    }

    shortcut(event) {
      if (!event.altKey || this.host.hidden || !this.state) return;
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
