"""季度优秀窗口: candidates proposed from the window scores, confirmed by a manager.

The seeds: "出台了政务大厅季度优秀岗(窗口)评选办法", "对其中的16个优秀窗口、40个优秀岗分别进行
表彰,并在…办事大厅大屏上公示表彰". The candidates of a period are the windows of grade
优秀 ranked within the top ``assessment.excellence_top`` (a tie at the boundary keeps
both). A manager confirms some of them (excellence_selections, one row per window and
period, recorded as ``manager:<id>``) and may publish the result: a 表彰 announcement
on the hall board, every window board and the lobby (hall/queue/announcements/store.py)
for ``PUBLISH_DAYS`` days.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from hall.queue.announcements import store as announcements
from hall.queue.core.context import Context
from hall.queue.core.domain import conflict
from hall.queue.core.tables.supervision import selections_table as t
from hall.queue.core.writer import Tx
from hall.queue.supervision import assessment

PUBLISH_DAYS = 30


def _confirmed(conn: Connection, period: str) -> dict[str, Any]:
    rows = conn.execute(select(t).where(t.c.period == period, t.c.target_kind == "window"))
    return {r.target: r for r in rows}


def candidates(ctx: Context, conn: Connection, period: str, now: float) -> dict[str, Any]:
    """The proposed windows of ``period`` with their scores, and which are confirmed."""
    period = period.strip()
    scored = assessment.scores(ctx, conn, period, "window", now)
    top = ctx.config.assessment.excellence_top
    confirmed = _confirmed(conn, period)
    proposed = [
        {
            "window": int(r["target"]),
            "name": r["name"],
            "score": r["score"],
            "rank": r["rank"],
            "grade_zh": r["grade_zh"],
            "confirmed": r["target"] in confirmed,
        }
        for r in scored["rows"]
        if r["grade"] == "excellent" and r["rank"] <= top
    ]
    return {
        "period": period,
        "top": top,
        "candidates": proposed,
        "confirmed": [
            {
                "window": int(r.target),
                "score": r.score,
                "confirmed_by": r.confirmed_by,
                "announcement_id": r.announcement_id,
            }
            for r in confirmed.values()
        ],
    }


def _text(ctx: Context, period: str, windows: list[dict[str, Any]]) -> tuple[str, str]:
    year, rest = period[:4], period[4:]
    when_zh = f"{year}年第{rest[1]}季度" if rest.startswith("Q") else f"{year}年{int(rest[1:])}月"

    def zh(w: dict[str, Any]) -> str:
        number = f"{w['window']}号窗口"
        return number + (f"({w['name']})" if w["name"] and w["name"] != number else "")

    names_zh = "、".join(zh(w) for w in windows)
    names_en = ", ".join(f"window {w['window']}" for w in windows)
    return f"{when_zh}优秀窗口:{names_zh}", f"Excellent windows of {period}: {names_en}"


def confirm(
    ctx: Context, tx: Tx, period: str, windows: list[int], publish: bool, actor: str
) -> dict[str, Any]:
    """Confirm candidate windows of ``period``; with ``publish``, announce them (表彰)."""
    period = period.strip()
    proposal = candidates(ctx, tx.conn, period, tx.now)
    by_window = {c["window"]: c for c in proposal["candidates"]}
    for number in windows:
        if number not in by_window:
            raise conflict(
                "not_a_candidate",
                f"{number}号窗口不是{period}的优秀窗口候选",
                f"window {number} is not a candidate of {period}",
            )
        if by_window[number]["confirmed"]:
            raise conflict(
                "already_confirmed",
                f"{number}号窗口已确认为{period}优秀窗口",
                f"window {number} was already confirmed for {period}",
            )
    chosen = [by_window[n] for n in sorted(set(windows))]
    ids = []
    for c in chosen:
        ids.append(
            tx.conn.execute(
                insert(t).values(
                    period=period,
                    target_kind="window",
                    target=str(c["window"]),
                    score=c["score"],
                    confirmed_by=actor,
                    confirmed_at=tx.now,
                )
            ).inserted_primary_key[0]
        )
    published = None
    if publish and chosen:
        zh, en = _text(ctx, period, chosen)
        published = announcements.publish(
            tx,
            kind="commendation",
            text_zh=zh[:200],
            text_en=en[:400],
            starts_at=tx.now,
            ends_at=tx.now + PUBLISH_DAYS * 86400,
            hall=True,
            lobby=True,
            windows=announcements.ALL_WINDOWS,
            actor=actor,
            tz=ctx.config.hall.tz,
        )
        tx.conn.execute(update(t).where(t.c.id.in_(ids)).values(announcement_id=published["id"]))
    tx.emit("excellence.confirmed", {"period": period, "windows": [c["window"] for c in chosen]})
    return {**candidates(ctx, tx.conn, period, tx.now), "announcement": published}
