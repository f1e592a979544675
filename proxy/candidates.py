"""Template candidates from the replies agents actually sent: near-duplicates grouped, counted, checked
against marketplace policy and written as rules YAML for the seller to review (never applied by itself)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from proxy.facts import ORDER_ID, tracking_code_in
from proxy.nlp.normalize import normalize
from proxy.policy import check
from proxy.rules.loader import RuleSet

SAME = 85.0  # rapidfuzz ratio of normalized texts at or above which two sent replies are one candidate
GREETING_NAME = re.compile(
    r"^((?i:hola|oi|olá|ola|hi|hello|hey|buen día|buenas|bom dia|boa tarde)),?\s+([A-ZÁÉÍÓÚÑ][\wáéíóúñ]+)"
)
NOT_NAMES = frozenset(  # capitalised words after a greeting that are not the buyer's name
    "buenas buen buenos que qué muchas gracias tudo bom boa there thanks thank good amigo amiga "
    "estimado estimada querido querida team equipo".split()
)
PLACEHOLDER = re.compile(r"[{}]")


@dataclass
class Candidate:
    """One reply agents sent (the newest wording of a group of near-identical ones)."""

    intent: str
    locale: str
    text: str
    marketplace: str | None
    sent: int = 1
    key: str = field(default="", repr=False, compare=False)


def as_template(text: str) -> str:
    """Braces escaped, the tracking code (as `facts` finds it: before the order id, whose shape a guía may
    have), the order id and the greeted buyer's name (or the store's `[name]` for it) turned back into
    placeholders."""
    text = PLACEHOLDER.sub(lambda m: m.group(0) * 2, " ".join(text.split())).replace("[name]", "{buyer_name}")
    if code := tracking_code_in(text):
        text = re.sub(re.escape(code), "{tracking_code}", text, flags=re.IGNORECASE)
    text = ORDER_ID.sub("{order_id}", text)
    named = GREETING_NAME.match(text)
    if named and named.group(2).lower() not in NOT_NAMES:
        text = f"{named.group(1)} {{buyer_name}}" + text[named.end() :]
    return text


def _known(rules: RuleSet, intent: str, locale: str) -> list[str]:
    templates = rules.intents[intent].templates.get(locale, [])
    return [normalize(re.sub(r"\{\w+\}", " ", t.text)) for t in templates]


def candidates(rules: RuleSet, sent: Iterable[tuple[str, str, str, str | None]]) -> list[Candidate]:
    """Group (final text, locale, intent, marketplace) rows; drop those already among the templates."""
    groups: list[Candidate] = []
    for text, locale, intent, market in sent:
        if intent not in rules.intents or not text.strip():
            continue
        template = as_template(text)
        key = normalize(template)
        same = next(
            (
                c
                for c in groups
                if (c.intent, c.locale) == (intent, locale) and fuzz.ratio(c.key, key) >= SAME
            ),
            None,
        )
        if same is None:
            groups.append(Candidate(intent, locale, template, market, key=key))
        else:  # the newest wording wins, the count keeps growing
            same.text, same.key, same.sent = template, key, same.sent + 1
    fresh = [
        c
        for c in groups
        if not any(fuzz.ratio(c.key, known) >= SAME for known in _known(rules, c.intent, c.locale))
    ]
    return sorted(fresh, key=lambda c: (c.intent, c.locale, -c.sent))


def to_yaml(rules: RuleSet, found: list[Candidate]) -> str:
    """Rules-shaped YAML: paste the good ones into rules/intents/<intent>.yaml and write their gloss."""
    lines = [
        "# Template candidates: replies your agents sent after editing a suggestion, most sent first.",
        "# Review each one, write its gloss_zh, and copy the good ones into rules/intents/<intent>.yaml",
        "# (at most 3 templates per locale). Nothing here is used until you do.",
    ]
    intent = locale = None
    for c in found:
        if c.intent != intent:
            intent, locale = c.intent, None
            lines.append(f"{c.intent}:")
        if c.locale != locale:
            locale = c.locale
            lines.append(f"  {c.locale}:")
        market = next((m for m in rules.policies.marketplaces.values() if m.name == c.marketplace), None)
        broken = check(c.text, market).violations if market else ()
        note = f"sent {c.sent}x" + (f"; against {c.marketplace} rules: {', '.join(broken)}" if broken else "")
        lines.append(f"  - text: {json.dumps(c.text, ensure_ascii=False)}  # {note}")
        lines.append('    gloss_zh: "TODO 中文说明"')
    if not found:
        lines.append("{}")
    return "\n".join(lines) + "\n"
