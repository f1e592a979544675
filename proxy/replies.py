"""Fill reply templates from the request context and the seller's knowledge base."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from proxy.rules.loader import RuleSet
from proxy.rules.schema import CONTEXT_FIELDS, KNOWLEDGE_PLACEHOLDERS, Marketplace, Template

_SPACE_BEFORE_PUNCT = re.compile(r"(?<!\s)\s+([,.!?])")  # a run is tried once, from its start: linear
_COMMA_THEN_END = re.compile(r",([!?.])")
_SPACES = re.compile(r"[ \t]{2,}")
# A template's opening, dropped when its reply follows another's: "Hola {buyer_name}," "¡Hola
# {buyer_name}!" "Oi {buyer_name}," "Hi {buyer_name}," and Colombia's "qué gusto saludarte." after it; the
# gloss's "您好，". A template opening otherwise is kept whole. Seller-written text, matched at its start,
# yet linear under finditer too (`test_patterns` runs every pattern so).
OPENING = re.compile(
    r"¡?(?:hola|oi|olá|hi|hello)(?:[ \t]*\{buyer_name\})?[ \t]*[,!.][ \t]*"
    r"(?:qué gusto saludarte[.!][ \t]*)?",
    re.IGNORECASE,
)
GLOSS_OPENING = re.compile(r"您好[，！,!][ \t]*")
_LEADING_AND = re.compile(r"(?:y|e|and)[ \t]+(?=\w)", re.IGNORECASE)  # "Y sobre…" follows; it opens nothing
_GLOSS_LEADING_AND = re.compile(r"(?:另外|此外|还有)[，,]?")  # its gloss: "另外，关于…"


@dataclass(frozen=True)
class Reply:
    """A filled template."""

    template_id: str
    text: str
    gloss_zh: str
    locale: str
    missing: tuple[str, ...]

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents the reply answers: one, or two for a `joined` reply ("a.es-MX.1+b.es-MX.1")."""
        return tuple(part.split(".", 1)[0] for part in self.template_id.split("+"))


def _clean_value(value: str) -> str:
    return " ".join(value.split())


# A person's name: words of letters, each perhaps an initial with its dot ("Kevin R."), joined by a space,
# an apostrophe or a hyphen (one joiner between words: linear). Not a nickname: no digit, "_", "@" or "."
# inside a word ("MARIANAG_1988", "ana.paula_sp").
_PERSON_NAME = re.compile(r"[^\W\d_]+\.?(?:[ '’-][^\W\d_]+\.?)*")


def greeting_name(value: str) -> str | None:
    """The buyer's name as a reply greets them, or None when the page gave a marketplace nickname (the reply
    then greets without a name: "Hola," not "Hola MARIANAG_1988,"). A name the page wrote all in capitals or
    all in small letters is capitalised ("MARIA LOPEZ" → "Maria Lopez"); any other is kept as written."""
    if not _PERSON_NAME.fullmatch(value):
        return None
    return value.title() if value.isupper() or value.islower() else value


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _COMMA_THEN_END.sub(r"\1", text)
    return text.replace("¡ ", "¡").replace("¿ ", "¿").strip()


def knowledge_values(rules: RuleSet, market: Marketplace | None = None) -> dict[str, str]:
    """The store's facts as placeholder values, with the delivery time of `market` when the store set one."""
    facts = rules.knowledge
    values = {name: str(getattr(facts, name)) for name in KNOWLEDGE_PLACEHOLDERS}
    key = next((k for k, m in rules.policies.marketplaces.items() if m is market), None)
    window = facts.shipping.get(key) if key else None
    if window is not None:
        values["ship_days_min"], values["ship_days_max"] = str(window.min), str(window.max)
    return values


def _capitalised(text: str) -> str:
    """The first letter a capital ("¿me confirmas…" → "¿Me confirmas…")."""
    for i, char in enumerate(text):
        if char.isalpha():
            return text[:i] + char.upper() + text[i + 1 :]
        if char not in "¿¡\"'«“(":
            return text
    return text


def without_opening(template: Template) -> Template:
    """The template as the second part of a reply: its greeting dropped, the rest starting with a capital."""
    text, gloss = template.text.lstrip(), template.gloss_zh.lstrip()
    if (m := OPENING.match(text)) and text[m.end() :].strip():
        text = _capitalised(text[m.end() :])
    if (m := GLOSS_OPENING.match(gloss)) and gloss[m.end() :].strip():
        gloss = gloss[m.end() :]
    return template.model_copy(update={"text": text, "gloss_zh": gloss})


def greeted(brief: Template, full: Template) -> Template:
    """A brief answer that opens a reply (two brief answers joined): the greeting of `full`, the intent's
    first reply, before it, a leading "Y"/"E" dropped, its first letter small after a comma ("Hola
    {buyer_name}, sobre el pago: …"); its gloss after that reply's 您好. Kept as it is when `full` opens
    with no greeting the join knows (`OPENING`)."""
    opening = OPENING.match(full.text.lstrip())
    if opening is None:
        return brief
    text, gloss = brief.text.lstrip(), brief.gloss_zh.lstrip()
    if (lead := _LEADING_AND.match(text)) is not None:
        text = text[lead.end() :]
        gloss = gloss[m.end() :] if (m := _GLOSS_LEADING_AND.match(gloss)) else gloss
    text = _capitalised(text)
    if opening.group().rstrip().endswith(","):
        text = text[:1].lower() + text[1:]
    hello = GLOSS_OPENING.match(full.gloss_zh.lstrip())
    return brief.model_copy(
        update={
            "text": opening.group().rstrip() + " " + text,
            "gloss_zh": (hello.group().rstrip() if hello else "") + gloss,
        }
    )


def render(
    rules: RuleSet,
    intent: str,
    locale: str,
    context: Mapping[str, str | None],
    gloss_context: Mapping[str, str] | None = None,
    market: Marketplace | None = None,
    opening: bool = True,
    brief: bool = False,
) -> list[Reply]:
    """Every variant of `intent` in `locale`, filled; a missing value shows the locale's slot text.

    A variant with `when` is offered only when those values are known, and before the general ones.
    The store's delivery time on `market` (store.yaml `shipping`), when set, fills {ship_days_*}.
    `opening=False`: each variant without its greeting, to follow another intent's reply (`joined`);
    `brief=True`: the intent's short answers in `locale` instead (none if its file has none), ids `.b1`...,
    each after the greeting of the intent's first reply (`greeted`) unless `opening=False`.
    """
    spec = rules.intents[intent]
    variants: list[Template] = spec.brief.get(locale, []) if brief else spec.templates[locale]
    if brief and opening:
        variants = [greeted(t, spec.templates[locale][0]) for t in variants]
    elif not opening and not brief:
        variants = [without_opening(t) for t in variants]
    slots = getattr(rules.slots, locale.split("-")[0])
    values = knowledge_values(rules, market)
    missing: list[str] = []
    for name in CONTEXT_FIELDS:
        given = _clean_value(context.get(name) or "")
        if given and name == "buyer_name":
            given = greeting_name(given) or ""
        if given:
            values[name] = given
        else:
            values[name] = slots[name]
            missing.append(name)
    gloss_values = dict(values, **{m: rules.slots.zh[m] for m in missing}, **(gloss_context or {}))
    out: list[tuple[bool, Reply]] = []
    for n, tpl in enumerate(variants):
        if any(name in missing for name in tpl.when):
            continue
        used = [m for m in missing if "{" + m + "}" in tpl.text and slots[m]]
        # str.format_map substitutes once: buyer-supplied values are never parsed as templates.
        text = _tidy(tpl.text.format_map(values))
        gloss = _tidy(tpl.gloss_zh.format_map(gloss_values))
        ids = f"{intent}.{locale}.{'b' if brief else ''}{n + 1}"
        out.append((not tpl.when, Reply(ids, text, gloss, locale, tuple(used))))
    return [reply for _, reply in sorted(out, key=lambda pair: pair[0])]  # stable: file order otherwise


def joined(first: Sequence[Reply], then: Sequence[Reply], fits: Callable[[str], bool]) -> Reply | None:
    """One reply answering two intents: a variant of the first, then one of the second (its replies rendered
    with `opening=False`, then its brief answers), the first pair in order whose text `fits` (the
    marketplace's length); None if none."""
    for a in first:
        for b in then:
            text = f"{a.text} {b.text}"
            if fits(text):
                missing = tuple(dict.fromkeys(a.missing + b.missing))
                ids = f"{a.template_id}+{b.template_id}"
                return Reply(ids, text, a.gloss_zh + b.gloss_zh, a.locale, missing)
    return None
