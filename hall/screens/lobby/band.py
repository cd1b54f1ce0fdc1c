"""What the lobby's band says, without Kivy: announcements, 满意率 and 办结率, 差评 put right.

The band shows one line at a time, in turn: every announcement in force for
the lobby (公示/通报), today's and this month's figures, and the latest 差评
rectification cases closed (ticket numbers masked by the daemon: ``A0**``).
All of it comes from the daemon's public reads (GET /announcements/current,
GET /figures/public): nothing personal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Closed 差评 cases on the band's line at most.
CASES_SHOWN = 3
#: Characters on one page of the band: a longer announcement is shown page by page
#: (one line stays readable across the hall; up to 200 characters would not).
PAGE_CHARS = 40

Tr = Callable[..., str]


def in_force(announcements: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """The announcements for the lobby in force at ``now`` (epoch seconds), oldest first."""
    return [
        a for a in announcements if a["targets"]["lobby"] and a["starts_at"] <= now < a["ends_at"]
    ]


def announcement_line(a: dict[str, Any], lang: str) -> tuple[str, str]:
    """(label, text) of an announcement: ``("表彰", "…")``; English falls back to the zh text."""
    if lang == "en":
        return a["kind_en"], a["text_en"] or a["text_zh"]
    return a["kind_zh"], a["text_zh"]


def pages(text: str, size: int = PAGE_CHARS) -> list[str]:
    """``text`` cut into pages of at most ``size`` characters, at a space or 。，；when one is near."""
    out = []
    while len(text) > size:
        cut = max(text.rfind(ch, size // 2, size) for ch in " 。，；,;")
        cut = cut + 1 if cut > 0 else size
        out.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*out, text] if text else out


def _pct(value: float | None, tr: Tr) -> str:
    return tr("lobby.band_none") if value is None else f"{value * 100:.1f}%"


def figures_line(figures: dict[str, Any], period: str, tr: Tr) -> tuple[str, str]:
    """(label, text): the 满意率 and 办结率 of ``period`` ("today" or "this_month")."""
    f = figures[period]
    label = tr("lobby.band_today") if period == "today" else tr("lobby.band_month")
    text = tr(
        "lobby.band_rates",
        satisfaction=_pct(f["satisfaction"], tr),
        rated=f["rated"],
        completion=_pct(f["completion_rate"], tr),
        served=f["served"],
    )
    return label, text


def cases_line(figures: dict[str, Any], lang: str, tr: Tr) -> tuple[str, str] | None:
    """(label, text): the latest 差评 cases closed, or None when there are none."""
    cases = figures.get("rectified") or []
    if not cases:
        return None
    parts = [
        tr(
            "lobby.band_case",
            day=c["closed_day"][5:],
            window=tr("lobby.window", window=c["window"]) if c["window"] else "",
            service=c["service_en"] if lang == "en" else c["service_zh"],
            number=c["number"],
            action=c["action_en"] if lang == "en" else c["action_zh"],
        )
        for c in cases[:CASES_SHOWN]
    ]
    return tr("lobby.band_cases"), tr("lobby.list_sep").join(parts)


def band_items(
    announcements: list[dict[str, Any]],
    figures: dict[str, Any] | None,
    now: float,
    lang: str,
    tr: Tr,
) -> list[tuple[str, str]]:
    """Every line of the band in turn: announcements first, then the figures."""
    items = [
        (label, page)
        for label, text in (announcement_line(a, lang) for a in in_force(announcements, now))
        for page in pages(text)
    ]
    if figures is not None:
        items.append(figures_line(figures, "today", tr))
        items.append(figures_line(figures, "this_month", tr))
        cases = cases_line(figures, lang, tr)
        if cases is not None:
            items.append(cases)
    return items
