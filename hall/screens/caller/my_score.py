"""我的考核 on the caller panel: a clerk sees their own score and every line behind it.

Issue 16: "a clerk can see their own breakdown". The seeds' 考核细则: "对窗口工作人员的考核
基础分为100分,违反本细则规定的按本细则规定扣分,具备本细则规定加分条件的按规定加分。考核
等次为优秀、称职、基本称职、不称职四个等次". The daemon computes it all
(hall/queue/supervision/assessment.py); the screen reads ``GET /assessment/me?period=``
with the clerk's own session, whose staff id is the session's (never a parameter), so
a clerk never sees anyone else's score.

Two periods, by a toggle: this month (``YYYY-MM``) and the last full quarter
(``YYYYQn``), both from the hall's today (the panel's clock). Shown: the score, the
grade, the rank, any flags (多次差评) and the lines, one per deduction or addition (day,
what, points), in a scroll list.

:class:`CallerMyScore` is the part of a :class:`~hall.screens.caller.root.CallerRoot`
(one panel button, one :class:`MyScoreScreen`; it never imports the root).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from hall.kiosk.client import DaemonError
from hall.screens.caller import widgets  # noqa: F401 - CallerButton, CallerCard
from hall.screens.common.fit_label import FitLabel  # noqa: F401 - used by my_score.kv
from hall.screens.common.translate import Translated

Builder.load_file(str(Path(__file__).with_name("my_score.kv")))

PERIODS = ("month", "quarter")


def periods(today: dt.date) -> dict[str, str]:
    """This month (``2026-06``) and the last full quarter (``2026Q1``) seen from ``today``."""
    quarter = (today.month - 1) // 3 + 1
    year, last = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return {"month": f"{today:%Y-%m}", "quarter": f"{year}Q{last}"}


def points_text(points: float) -> str:
    """Signed points, without a needless ``.0``: ``-2``, ``+1.5``."""
    return f"{points:+g}"


def period_text(tr: Any, period: str) -> str:
    """``2026-06`` → 2026年6月; ``2026Q1`` → 2026年第1季度 (or the English)."""
    if "Q" in period:
        year, quarter = period.split("Q")
        return tr("my_score.period_quarter", year=year, quarter=quarter)
    year, month = period.split("-")
    return tr("my_score.period_month", year=year, month=int(month))


class MyScoreScreen(Translated, Screen):
    """The signed-in clerk's score for this month or the last quarter, with its lines."""

    hall_id = StringProperty("my-score")
    lang = StringProperty("zh")
    which = StringProperty("month")
    period = StringProperty("")
    title_text = StringProperty("")
    score_text = StringProperty("")
    grade_text = StringProperty("")
    rank_text = StringProperty("")
    summary_text = StringProperty("")
    flags_text = StringProperty("")
    empty_text = StringProperty("")
    message = StringProperty("")
    busy = BooleanProperty(False)

    def __init__(self, part: CallerMyScore, **kwargs: Any) -> None:
        self.part = part
        self.strings = part.ctx.strings
        self.row: dict[str, Any] | None = None
        self.answer: dict[str, Any] | None = None
        super().__init__(**kwargs)
        self.lang = self.strings.language

    def on_lang(self, *_args: object) -> None:
        """Every text made in Python follows the language."""
        self._show()

    def open(self, which: str = "month") -> None:
        """Show the screen and read this month's score (or ``which`` period's)."""
        self.part.caller.current = self.name
        self.pick(which)

    def pick(self, which: str) -> None:
        """The toggle: 本月 or 上季度; the score read again from the daemon."""
        if which not in PERIODS:
            raise ValueError(f"unknown period {which!r}")
        self.which = which
        self.period = periods(self.part.panel.now().date())[which]
        self.row = self.answer = None
        self.message = ""
        self._show()
        self.ids.scroll.scroll_y = 1
        self.busy = True
        client, period = self.part.ctx.client, self.period
        self.part.bridge.submit(
            lambda: client.my_score(period), lambda a: self._loaded(a, period), self._failed
        )

    def _loaded(self, answer: dict[str, Any], period: str) -> None:
        if period != self.period:  # a toggle tapped again while this one was on its way
            return
        self.busy = False
        self.answer = answer
        rows = answer.get("rows") or []
        self.row = rows[0] if rows else None
        self.message = "" if self.row else self.tr("my_score.not_found")
        self._show()

    def _failed(self, exc: DaemonError) -> None:
        self.busy = False
        self.message = exc.text(self.lang)

    def _show(self) -> None:
        row, en = self.row, self.lang == "en"
        title = self.tr("my_score.title")
        self.title_text = f"{title}  {period_text(self.tr, self.period)}" if self.period else title
        self.score_text = self.grade_text = self.rank_text = ""
        self.summary_text = self.flags_text = self.empty_text = ""
        box = self.ids.lines
        box.clear_widgets()
        if row is None:
            return
        self.score_text = self.tr("my_score.score", score=f"{row['score']:g}")
        self.grade_text = self.tr("my_score.grade", grade=row["grade_en" if en else "grade_zh"])
        self.rank_text = self.tr("my_score.rank", rank=row["rank"])
        self.summary_text = self.tr(
            "my_score.summary",
            base=f"{self.answer['base']:g}",
            deducted=f"{row['deducted']:g}",
            added=f"{row['added']:g}",
        )
        self.flags_text = "\n".join(f["en" if en else "zh"] for f in row.get("flags") or [])
        if not row["lines"]:
            self.empty_text = self.tr("my_score.none")
        for n, line in enumerate(row["lines"]):
            item = Factory.ScoreLine(hall_id=f"score-line-{n}")
            item.added = line["points"] > 0  # a kv-rule property: set once the rule applied
            item.ids.day.text = line["day"][5:]  # MM-DD: the period names the year
            item.ids.what.text = line["kind_en" if en else "kind_zh"]
            item.ids.points.text = points_text(line["points"])
            box.add_widget(item)

    def close(self) -> None:
        """Back to the panel."""
        self.part.caller.current = "panel"


class CallerMyScore:
    """The 我的考核 button on the panel and its screen, in one caller role."""

    def __init__(self, caller: Any) -> None:
        self.caller = caller
        self.ctx = caller.ctx
        self.bridge = caller.bridge
        self.panel = caller.panel
        self.screen = MyScoreScreen(self, name="my_score")
        caller.add_widget(self.screen)
        self.button = Factory.CallerButton(
            hall_id="btn-my-score",
            font_size="32sp",
            size_hint=(None, None),
            # 我的考核 / My score: a fixed width, so 办件 and 首问 keep the row's room
            # (their words are long: "Department cases (Real Estate Registration)").
            width=dp(190),
            height=dp(110),
            bg=(0.30, 0.27, 0.55, 1),
        )
        self.button.bind(on_release=lambda _b: self.screen.open())
        # As tall as its words (large text wraps it onto two lines).
        self.button.bind(
            texture_size=lambda b, size: setattr(b, "height", max(dp(110), size[1] + dp(24)))
        )
        self.panel.bind(lang=self._relabel, busy=self._busy)
        self.panel.ids.face_slot.add_widget(self.button)
        self._relabel()

    def _relabel(self, *_args: object) -> None:
        self.button.text = self.panel.tr("my_score.button")

    def _busy(self, _panel: object, busy: bool) -> None:
        self.button.disabled = busy
