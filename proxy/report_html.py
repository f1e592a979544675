"""`responde eval --html`: a self-contained HTML report (inline SVG charts, no scripts, nothing remote)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from html import escape
from typing import Any

from babel.numbers import format_decimal, format_percent

from proxy.evaluate import NONE
from proxy.i18n import tr

FONTS = (
    '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", '
    '"Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji"'
)
CSS = (
    """
body { font: 14px/1.45 system-ui, FONTS, sans-serif; margin: 24px auto; max-width: 1100px;
  color: #1f2328; }"""
    + """
table { border-collapse: collapse; margin: 8px 0 24px; }
td, th { padding: 3px 8px; border-bottom: 1px solid #eaeef2; }
th { text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bad { color: #a40e26; } .good { color: #1a7f37; } h2 { margin-top: 32px; }
svg text { font: 11px system-ui, FONTS, sans-serif; } svg { overflow: visible; max-width: none; }
td { overflow-wrap: anywhere; vertical-align: top; } .scroll { overflow-x: auto; padding-bottom: 8px; }
"""
).replace("FONTS", FONTS)


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def text_width(text: str, size: float = 11) -> float:
    """A generous width in pixels of `text` at `size` px (a Chinese character is square, Latin narrower)."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.62 * size for ch in text)


def confusion_svg(
    gold: list[str], pred: list[str], labels: list[str], names: dict[str, str] | None = None
) -> str:
    """Confusion matrix as an SVG heat map (rows: gold, columns: predicted), intents by their `names`."""
    cols = labels + [NONE]
    name = (names or {}).get
    counts = Counter(zip(gold, pred, strict=True))
    longest = max((text_width(name(c, c)) for c in cols), default=60.0)
    cell, left, top = 22, int(16 + longest), int(16 + 0.87 * longest)  # column labels turn 60 degrees
    width, height = int(left + cell * len(cols) + 0.5 * longest + 10), top + cell * len(labels) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for j, label in enumerate(cols):
        x = left + j * cell + cell / 2
        parts.append(
            f'<text transform="translate({x},{top - 6}) rotate(-60)">{escape(name(label, label))}</text>'
        )
    for i, g in enumerate(labels):
        row_total = sum(counts[(g, p)] for p in cols) or 1
        y = top + i * cell
        parts.append(
            f'<text x="{left - 6}" y="{y + cell * 0.7}" text-anchor="end">{escape(name(g, g))}</text>'
        )
        for j, p in enumerate(cols):
            n = counts[(g, p)]
            share = n / row_total
            hue = 140 if g == p else 0
            fill = f"hsl({hue},60%,{100 - 55 * share:.0f}%)" if n else "#fafbfc"
            x = left + j * cell
            parts.append(f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" fill="{fill}"/>')
            if n:
                parts.append(f'<text x="{x + cell / 2}" y="{y + cell * 0.7}" text-anchor="middle">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)


def calibration(
    rows: list[dict[str, Any]],
) -> tuple[list[tuple[str, int, float]], list[tuple[float, float, float]]]:
    """Accuracy per confidence bucket, and (threshold, coverage, accuracy) over thresholds."""
    buckets: list[tuple[str, int, float]] = []
    for b in range(10):
        lo, hi = b / 10, (b + 1) / 10
        inside = [r for r in rows if r["intents"] and lo <= r["score"] < hi + (b == 9)]
        right = sum(r["intents"][0] == r["example"].intents[0] for r in inside)
        buckets.append((f"{lo:.1f}–{hi:.1f}", len(inside), right / len(inside) if inside else 0.0))
    curve = []
    for t in [x / 20 for x in range(20)]:
        kept = [r for r in rows if r["intents"] and r["score"] >= t]
        right = sum(r["intents"][0] == r["example"].intents[0] for r in kept)
        curve.append((t, len(kept) / len(rows), right / len(kept) if kept else 0.0))
    return buckets, curve


def bars_svg(buckets: list[tuple[str, int, float]]) -> str:
    """Accuracy by confidence bucket (bar height) with the message count under each bar."""
    w, h, bar = 560, 220, 48
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 60}" role="img">'
    parts = [svg + '<g transform="translate(0,18)">']
    for i, (name, n, acc) in enumerate(buckets):
        x, bh = 10 + i * (bar + 6), acc * h
        style = f'fill="#0b5cad" opacity="{0.35 + 0.65 * acc:.2f}"'
        parts.append(f'<rect x="{x}" y="{h - bh}" width="{bar}" height="{bh}" {style}/>')
        parts.append(
            f'<text x="{x + bar / 2}" y="{h - bh - 4}" text-anchor="middle">{_pct(acc) if n else ""}</text>'
        )
        parts.append(f'<text x="{x + bar / 2}" y="{h + 14}" text-anchor="middle">{name}</text>')
        parts.append(f'<text x="{x + bar / 2}" y="{h + 30}" text-anchor="middle">n={n}</text>')
    parts.append("</g></svg>")
    return "".join(parts)


def curve_svg(curve: list[tuple[float, float, float]], lang: str = "en") -> str:
    """Coverage (share answered) and accuracy when answered, as lines over the threshold."""
    w, h = 560, 220
    answered, coverage = (escape(tr(lang, key)) for key in ("rep_answered_line", "rep_coverage_line"))

    def line(idx: int, color: str) -> str:
        points = " ".join(f"{10 + c[0] * (w - 20):.1f},{h - c[idx] * h:.1f}" for c in curve)
        return f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>'

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 30}" role="img">'
        f'<rect x="10" y="0" width="{w - 20}" height="{h}" fill="#fafbfc"/>'
        f"{line(1, '#8c959f')}{line(2, '#0b5cad')}"
        f'<text x="10" y="{h + 16}">{escape(tr(lang, "rep_threshold"))} 0</text>'
        f'<text x="{w - 10}" y="{h + 16}" text-anchor="end">0.95</text>'
        f'<text x="{w - 10}" y="14" text-anchor="end" fill="#0b5cad">{answered}</text>'
        f'<text x="{w - 10}" y="30" text-anchor="end" fill="#8c959f">{coverage}</text>'
        "</svg>"
    )


BABEL = {"zh-CN": "zh_Hans_CN", "es": "es", "pt-BR": "pt_BR", "en": "en"}


def render(
    rep: dict[str, Any],
    rows: list[dict[str, Any]],
    title: str = "Responde evaluation",
    lang: str = "en",
    names: dict[str, str] | None = None,
    mode: str | None = None,
) -> str:
    """The whole report as one HTML document in `lang` (intents by their `names`, numbers by Babel)."""
    where = BABEL.get(lang, "en")
    shown = dict(names or {}, **{NONE: tr(lang, "rep_abstained")})

    def pct(x: float) -> str:
        return str(format_percent(x, "#,##0.0%", locale=where))

    def num(x: float, digits: int = 3) -> str:
        return str(format_decimal(x, f"0.{'0' * digits}", locale=where))

    def name(intent: str) -> str:
        return escape(shown.get(intent, intent))

    def t(key: str, **values: Any) -> str:
        return escape(tr(lang, key, **values))

    gold = [r["example"].intents[0] for r in rows]
    pred = [r["intents"][0] if r["intents"] else NONE for r in rows]
    labels = sorted(set(gold))
    buckets, curve = calibration(rows)
    errors = sorted(
        (r for r in rows if (r["intents"][0] if r["intents"] else NONE) != r["example"].intents[0]),
        key=lambda r: -r["score"],
    )[:50]
    recall, precision = rep["handoff_recall"], rep["handoff_precision"]
    head = [
        ("rep_messages", format_decimal(rep["n"], locale=where)),
        ("rep_accuracy", pct(rep["accuracy"])),
        ("rep_macro_f1", num(rep["macro_f1"])),
        ("rep_abstain", pct(rep["abstain_rate"])),
        ("rep_when_answered", pct(rep["accuracy_when_answered"])),
        ("rep_language", pct(rep["language_accuracy"] or 0)),
        (
            "rep_handoff",
            f"{'-' if recall is None else num(recall)} / {'-' if precision is None else num(precision)}",
        ),
        ("rep_mode", escape(mode if mode is not None else str(rep.get("mode", "")))),
    ]
    per = "".join(
        f"<tr><td>{name(k)}</td><td class=n>{num(v['precision'])}</td><td class=n>{num(v['recall'])}</td>"
        f"<td class=n>{num(v['f1'])}</td><td class=n>{v['support']}</td></tr>"
        for k, v in rep["per_intent"].items()
    )
    worst = "".join(
        f"<tr><td>{name(r['example'].intents[0])}</td>"
        f"<td class=bad>{name(r['intents'][0] if r['intents'] else NONE)}</td>"
        f"<td class=n>{num(r['score'], 2)}</td><td>{escape(r['example'].text)}</td></tr>"
        for r in errors
    )
    columns = "".join(
        f"<th>{t(k)}</th>" for k in ("rep_intent", "rep_precision", "rep_recall", "rep_f1", "rep_n")
    )
    error_columns = "".join(
        f"<th>{t(k)}</th>" for k in ("rep_labelled", "rep_said", "rep_score", "rep_message")
    )
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{CSS}</style></head><body><h1>{escape(title)}</h1>
<table>{"".join(f"<tr><th>{t(k)}</th><td>{v}</td></tr>" for k, v in head)}</table>
<h2>{t("rep_per_intent")}</h2>
<table><tr>{columns}</tr>{per}</table>
<h2>{t("rep_confusion")}</h2><p>{t("rep_confusion_note")}</p>
<div class=scroll>{confusion_svg(gold, pred, labels, shown)}</div>
<h2>{t("rep_calibration")}</h2><p>{t("rep_calibration_note")}</p>{bars_svg(buckets)}
<h2>{t("rep_coverage")}</h2>{curve_svg(curve, lang)}
<h2>{t("rep_errors", n=len(errors))}</h2>
<table><tr>{error_columns}</tr>{worst}</table>
</body></html>
"""
