/* The suggestion panel's stylesheet (panel.js draws the panel; drawn.js adds the CSS every closed view starts
   with). */
(function (root) {
  const Responde = root.Responde;
  if (Responde.panelStyle) return;
  Responde.panelStyle = `
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
    .answers { margin: 0 0 2px; font-size: 11px; color: #4a5568; }
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
    .copy { background: none; border: 1px solid #d0d7de; border-radius: 6px; padding: 3px 8px; cursor: pointer; }
    .insert:disabled { background: #8c959f; cursor: not-allowed; }
    .notice { font-size: 12px; color: #1a7f37; min-height: 1em; }
    select.correct { font-size: 12px; max-width: 100%; }
  `;
})(globalThis);
