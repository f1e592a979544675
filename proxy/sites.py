"""Marketplace host names: one rule for matching a page's host against host suffixes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def host_of(site: str) -> str:
    """Bare lower-case host of a site string (drops any path and port)."""
    return site.lower().strip().split("/")[0].split(":")[0]


def host_matches(host: str, suffix: str) -> bool:
    """True when host is the suffix itself or one of its subdomains (not a look-alike such as xamazon.com)."""
    return host == suffix or host.endswith("." + suffix)


def longest_suffix_match(site: str | None, candidates: Iterable[tuple[str, T]]) -> T | None:
    """Value of the longest host suffix matching the site, e.g. amazon.com.mx over amazon.com."""
    if not site:
        return None
    host = host_of(site)
    best: tuple[int, T] | None = None
    for suffix, value in candidates:
        if host_matches(host, suffix) and (best is None or len(suffix) > best[0]):
            best = (len(suffix), value)
    return best[1] if best else None
