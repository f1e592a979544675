"""Marketplace message rules: length limits and forbidden contact data or links."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import re2

from proxy.redact import find
from proxy.rules.schema import Marketplace, Policies
from proxy.sites import host_matches, longest_suffix_match

# Replies carry buyer-given values (name, product, city): every pattern here runs in linear time. The two
# that would backtrack under Python's re (an unbounded run followed by something that can fail) use RE2,
# with Python's \w and \S spelled out (RE2's shorthands are ASCII-only); PHONE's run is bounded instead.
_W = r"\p{L}\p{N}_"
_S = r"[^\s\x1c-\x1f\x85\p{Z}]"
EMAIL = re2.compile(rf"[{_W}.+-]+@[{_W}-]+\.[{_W}.-]+")
PHONE = re.compile(r"(?<![\w/])\+?\(?\d[\d\s().-]{6,40}\d(?![\w/])")
URL = re2.compile(
    rf"(?i)\b(?:https?://|www\.){_S}+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|me|ly|store|shop|"
    rf"info|link|br|mx|ar|co|cl|es)(?:/{_S}*)?\b"
)
SHORTENER = re.compile(
    r"\b(?:bit\.ly|tinyurl\.com|goo\.gl|t\.co|cutt\.ly|is\.gd|ow\.ly|rb\.gy|wa\.me|"
    r"t\.me|linktr\.ee)\b",
    re.IGNORECASE,
)
HANDLE = re.compile(
    r"(?<![\w.])@[A-Za-z0-9_.]{3,}|\b(?:whatsapp|wpp|telegram|instagram|facebook|tiktok|insta)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PolicyResult:
    """Outcome of checking one reply against its marketplace."""

    ok: bool
    length: int
    limit: int | None
    violations: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON shape used by the API."""
        return {
            "ok": self.ok,
            "length": self.length,
            "limit": self.limit,
            "violations": list(self.violations),
        }


def marketplace_for(policies: Policies, site: str | None) -> Marketplace | None:
    """The marketplace whose host list matches the site (longest suffix wins)."""
    return longest_suffix_match(site, ((h, m) for m in policies.marketplaces.values() for h in m.hosts))


def _link_host(match: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", match.lower()).split("/")[0]


def foreign_pii(reply: str, conversation: str) -> list[str]:
    """Kinds of personal data in a reply that the conversation itself does not contain."""
    if sum(map(str.isdigit, reply)) < 6 and "@" not in reply:
        return []  # no phone, document, card or e-mail can hide in fewer digits
    digits = re.sub(r"\D", "", conversation)

    def known(value: str) -> bool:
        number = re.sub(r"\D", "", value)
        return value in conversation or (len(number) >= 6 and number in digits)

    return sorted({f.kind for f in find(reply) if not known(f.value)})


def within_length(text: str, market: Marketplace | None) -> bool:
    """Whether a reply fits the marketplace's length limit (none: always)."""
    return market is None or market.max_length is None or len(text) <= market.max_length


def check(
    text: str, market: Marketplace | None, known_values: Iterable[str] = (), conversation: str | None = None
) -> PolicyResult:
    """Check a reply; `known_values` (order id, tracking code from the page) are not contact data, and
    personal data (phone, document number...) must come from the `conversation` when one is given."""
    leaks = foreign_pii(text, conversation) if conversation is not None else []
    scrubbed = text
    for value in known_values:
        if value:
            scrubbed = scrubbed.replace(value, " ")
    length = len(text)
    found = [f"personal data not from this conversation: {kind}" for kind in leaks]
    if market is None:
        return PolicyResult(not found, length, None, tuple(found))
    if not within_length(text, market):
        found.append(f"too long: {length} > {market.max_length} characters")
    rules = set(market.forbid)
    emails = EMAIL.findall(scrubbed)
    if "email" in rules and emails:
        found.append("e-mail address")
    without_email = EMAIL.sub(" ", scrubbed)
    if "phone" in rules and any(sum(map(str.isdigit, m)) >= 8 for m in PHONE.findall(without_email)):
        found.append("phone number")
    if "shortener" in rules and SHORTENER.search(without_email):
        found.append("link shortener")
    if "url" in rules:
        allowed = set(market.allowed_link_hosts)
        links = [_link_host(m) for m in URL.findall(without_email)]
        if any(not any(host_matches(h, a) for a in allowed) for h in links):
            found.append("external link")
    if "handle" in rules and HANDLE.search(without_email):
        found.append("social-network handle")
    return PolicyResult(not found, length, market.max_length, tuple(found))
