"""The public page /public (服务公开): announcements and figures for citizens' phones.

No token, nothing personal, cacheable: the announcements in force for the
lobby, today's and this month's 满意率 and 办结率, and the latest 差评 cases
closed with the ticket number masked (hall/queue/stats/public.py) — the same
as the lobby display shows. ``Cache-Control: public, max-age=60`` and no
cookie, so a proxy or the phone may keep it for a minute; the figures behind
it are computed at most every 30 seconds whoever asks
(hall/queue/web/api/announcements.py). Chinese by default, ``?lang=en``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hall.queue.web.api.announcements import public_figures
from hall.queue.web.pages.citizen.render import Html, fill, lang_of, lines, other, page, t

router = APIRouter(include_in_schema=False)
MAX_AGE_S = 60


def _pct(value: float | None, lang: str) -> str:
    return t(lang, "public_no_data") if value is None else f"{value * 100:.1f}%"


def _period(lang: str, pid: str, label: str, f: dict[str, Any]) -> Html:
    return fill(
        "public_period",
        id=pid,
        label=label,
        satisfaction=_pct(f["satisfaction"], lang),
        satisfaction_label=t(lang, "public_satisfaction"),
        rated=t(lang, "public_rated", n=f["rated"]),
        completion=_pct(f["completion_rate"], lang),
        completion_label=t(lang, "public_completion"),
        served=t(lang, "public_served", n=f["served"]),
    )


def render(lang: str, data: dict[str, Any]) -> Html:
    """The page's body from the public figures (GET /figures/public's answer)."""
    en = lang == "en"
    notices = [
        fill(
            "public_item",
            kind=a["kind"],
            label=a["kind_en"] if en else a["kind_zh"],
            text=(a["text_en"] or a["text_zh"]) if en else a["text_zh"],
            until=t(lang, "public_until", until=a["until"][:16].replace("T", " ")),
        )
        for a in data["announcements"]
    ]
    cases = [
        fill(
            "public_case",
            text=t(
                lang,
                "public_rectified_item",
                day=c["closed_day"],
                window=t(lang, "window_n", window=c["window"]) if c["window"] else "",
                service=c["service_en"] if en else c["service_zh"],
                number=c["number"],
                action=c["action_en"] if en else c["action_zh"],
            ),
        )
        for c in data["rectified"]
    ]
    none = fill("public_none", text=t(lang, "public_none"))
    return fill(
        "public",
        title=t(lang, "public_title"),
        announcements_heading=t(lang, "public_announcements"),
        announcements=fill("public_list", items=lines(notices)) if notices else none,
        figures_heading=t(lang, "public_figures"),
        periods=lines(
            [
                _period(lang, "public-today", t(lang, "public_today"), data["today"]),
                _period(
                    lang,
                    "public-month",
                    t(lang, "public_month", month=data["month"]),
                    data["this_month"],
                ),
            ]
        ),
        updated=t(lang, "public_updated", day=data["day"]),
        rectified_heading=t(lang, "public_rectified"),
        rectified=fill("public_list", items=lines(cases))
        if cases
        else fill("public_none", text=t(lang, "public_rectified_none")),
    )


@router.get("/public")
async def public_page(request: Request) -> HTMLResponse:
    """服务公开 (anyone, no token): see the module docstring."""
    lang = lang_of(request)
    data = await public_figures(request)
    response = page(
        request,
        lang,
        t(lang, "public_title"),
        render(lang, data),
        switch_href=f"/public?lang={other(lang)}",
    )
    # Public and the same for everyone: a minute in any cache (render.HEADERS says no-store).
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
    return response
