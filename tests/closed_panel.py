"""Reading and clicking the extension's panel from tests, the way only the extension itself can.

The panel's shadow root is closed and its words are CSS generated content (`data-t` attributes), so neither
Playwright's locators (they pierce open roots only) nor the page's own scripts can see into it. Tests read it
in the extension's isolated world over CDP (`chrome.dom.openOrClosedShadowRoot`, content scripts only), and
click with real mouse and keyboard input at the element's position: every click is trusted, like the agent's.
`PanelLocator` offers the few Locator methods the tests use, with the same meaning."""

from __future__ import annotations

import json
import time
from typing import Any

from proxy import paths

ORIGIN = f"chrome-extension://{paths.extension_id()}"
TIMEOUT_S = 15.0

# Runs in the isolated world. `root` is the panel's shadow root (or null), `text(el)` what the panel draws.
PRELUDE = """
const host = document.querySelector('responde-panel');
const root = host ? chrome.dom.openOrClosedShadowRoot(host) : null;
const text = (el) => {
  if (!el) return null;
  let out = '';
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      if (node.parentElement.localName !== 'style') out += node.data;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    if (node.classList.contains('t')) out += node.dataset.t;
    for (const child of node.childNodes) walk(child);
  };
  walk(el);
  return out;
};
const resolve = (steps) => {
  let found = root ? [root.querySelector('.rp')].filter(Boolean) : [];
  for (const [selector, index] of steps) {
    const next = [];
    for (const el of found) {
      for (const m of el.querySelectorAll(selector)) if (!next.includes(m)) next.push(m);
    }
    found = index === null ? next : [next.at(index)].filter(Boolean);
  }
  return found;
};
"""


class PanelView:
    """The panel of one page, seen from the extension's isolated world."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.contexts: dict[int, dict[str, Any]] = {}
        self.cdp.on("Runtime.executionContextCreated", lambda e: self._created(e["context"]))
        self.cdp.on(
            "Runtime.executionContextDestroyed", lambda e: self.contexts.pop(e["executionContextId"], None)
        )
        self.cdp.on("Runtime.executionContextsCleared", lambda e: self.contexts.clear())
        self.cdp.send("Runtime.enable")

    def _created(self, context: dict[str, Any]) -> None:
        self.contexts[context["id"]] = context

    def _context_id(self) -> int:
        main = self.cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            ours = [
                cid
                for cid, c in self.contexts.items()
                if c.get("origin") == ORIGIN and c.get("auxData", {}).get("frameId") == main
            ]
            if ours:
                return max(ours)
            self.page.wait_for_timeout(50)
        raise AssertionError("the extension's content scripts never ran on this page")

    def evaluate(self, body: str, arg: Any = None) -> Any:
        """Run `body` (a function body using root, text, resolve and arg) in the isolated world."""
        expression = f"(async (arg) => {{ {PRELUDE}\n{body} }})({json.dumps(arg)})"
        out = self.cdp.send(
            "Runtime.evaluate",
            {
                "expression": expression,
                "contextId": self._context_id(),
                "returnByValue": True,
                "awaitPromise": True,
            },
        )
        if "exceptionDetails" in out:
            raise AssertionError(out["exceptionDetails"].get("exception", {}).get("description", out))
        return out["result"].get("value")

    def wait_for(self, predicate: str, arg: Any = None, timeout: float = TIMEOUT_S) -> Any:
        """Poll a JS expression over (root, text, resolve, arg) until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(f"const v = ({predicate}); return v instanceof Node ? true : v;", arg)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {predicate}")
            self.page.wait_for_timeout(50)

    def state(self) -> str | None:
        return self.evaluate(
            "const box = root && root.querySelector('.rp'); return box ? box.dataset.state || null : null;"
        )

    def wait_state(self, state: str, timeout: float = TIMEOUT_S) -> PanelLocator:
        self.wait_for("root && root.querySelector('.rp')?.dataset.state === arg", state, timeout)
        return PanelLocator(self, [])

    def locator(self, selector: str) -> PanelLocator:
        return PanelLocator(self, [(selector, None)])


class PanelLocator:
    """A chain of CSS selectors (each optionally narrowed to its n-th match) inside the panel."""

    def __init__(self, view: PanelView, steps: list[tuple[str, int | None]]) -> None:
        self.view, self.steps = view, steps

    def locator(self, selector: str) -> PanelLocator:
        return PanelLocator(self.view, [*self.steps, (selector, None)])

    def nth(self, index: int) -> PanelLocator:
        if not self.steps:
            raise AssertionError("nth() of the panel itself")
        *head, (selector, _) = self.steps
        return PanelLocator(self.view, [*head, (selector, index)])

    @property
    def first(self) -> PanelLocator:
        return self.nth(0)

    @property
    def last(self) -> PanelLocator:
        return self.nth(-1)

    def count(self) -> int:
        return int(self.view.evaluate("return resolve(arg).length;", self.steps))

    def all(self) -> list[PanelLocator]:
        return [self.nth(i) for i in range(self.count())]

    def _one(self, body: str, extra: Any = None) -> Any:
        """`body` over the single element `el` this locator names, waiting for it to exist."""
        script = (
            "const found = resolve(arg.steps); if (found.length !== 1) return {n: found.length};"
            f"const el = found[0]; const extra = arg.extra; return {{n: 1, value: (() => {{ {body} }})()}};"
        )
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            out = self.view.evaluate(script, {"steps": self.steps, "extra": extra})
            if out["n"] == 1:
                return out.get("value")
            if out["n"] > 1:
                raise AssertionError(f"{self.steps} names {out['n']} elements")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.steps} never appeared in the panel")
            self.view.page.wait_for_timeout(50)

    def text_content(self) -> str:
        return str(self._one("return text(el);"))

    def get_attribute(self, name: str) -> str | None:
        value = self._one("return el.getAttribute(extra);", name)
        return None if value is None else str(value)

    def is_disabled(self) -> bool:
        return bool(self._one("return el.disabled === true;"))

    def is_enabled(self) -> bool:
        return not self.is_disabled()

    def is_visible(self) -> bool:
        return bool(self._one("return el.checkVisibility() && el.getBoundingClientRect().width > 0;"))

    def is_checked(self) -> bool:
        return bool(self._one("return el.checked === true;"))

    def point(self) -> tuple[float, float]:
        """The centre of the element on screen, checked to be what a click there would hit."""
        x, y = self._one(
            """el.scrollIntoView({block: 'center'});
               const r = el.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;
               const hit = root.elementFromPoint(x, y);
               if (!(hit === el || el.contains(hit))) throw new Error('covered: ' + el.localName);
               return [x, y];"""
        )
        return float(x), float(y)

    def click(self) -> None:
        """A real (trusted) mouse click at the element's centre."""
        x, y = self.point()
        self.view.page.mouse.click(x, y)

    def check(self) -> None:
        if not self.is_checked():
            self.click()
        assert self.is_checked()

    def select_option(self, value: str) -> None:
        """Pick an option with the keyboard, as an agent would: focus the list, jump to its last option with
        End, walk up to `value` with the list open so only the final choice fires `change` (trusted)."""
        options = self._one("return Array.from(el.options, (o) => o.value);")
        target = options.index(value)
        self.click()  # opens the list (trusted)
        keyboard = self.view.page.keyboard
        current = int(self._one("return el.selectedIndex;"))
        key = "ArrowDown" if target > current else "ArrowUp"
        for _ in range(abs(target - current)):
            keyboard.press(key)
        keyboard.press("Enter")
        assert self._one("return el.value;") == value
