"""A month of a hall's activity written into a real store, for the 考核 tests and the bench.

:class:`Activity` writes the records the assessment reads (attendance, pauses, 空岗
alerts, 差评 cases and appeals, complaints, cases, cards, leave) straight into the
daemon's SQLite schema (``open_engine`` makes it), before the daemon starts on it.
:func:`background` fills a month for many clerks from a seeded ``random.Random``;
the tests add scripted records for the clerks they check by hand.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from hall.config import hash_pin
from hall.queue.core.schema import open_engine, sqlite_url
from hall.queue.core.tables.attendance import attendance_table
from hall.queue.core.tables.cases import cases_table
from hall.queue.core.tables.ratings import ledger_table, rectifications_table
from hall.queue.core.tables.supervision import cards_table, complaints_table, leave_table
from hall.queue.core.tables.tickets import vacancy_alerts_table, window_pauses_table
from tests.support import PIN, TZ, hall_config


def at(day: dt.date, hhmm: str) -> float:
    """Epoch seconds of ``hhmm`` on ``day``, hall time (Asia/Shanghai)."""
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(h, m), TZ).timestamp()


def hall_of(clerks: int) -> dict[str, Any]:
    """The test hall with ``clerks`` windows, one clerk each (S01 at window 1 ...)."""
    pin_hash = hash_pin(PIN)
    return hall_config(
        windows=[{"number": n, "services": ["general"]} for n in range(1, clerks + 1)],
        staff=[
            {"id": f"S{n:02d}", "name": f"员工{n}", "pin_hash": pin_hash, "windows": [n]}
            for n in range(1, clerks + 1)
        ],
    )


class Activity:
    """Writes activity records into the store of a daemon's data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.engine = open_engine(sqlite_url(data_dir))
        self.rows: dict[Any, list[dict[str, Any]]] = {}
        self._n = 0

    def _add(self, table: Any, **values: Any) -> None:
        self.rows.setdefault(table, []).append(values)

    def _next(self) -> int:
        self._n += 1
        return self._n

    def day(self, staff: str, window: int, day: dt.date, cin: str | None, cout: str | None) -> None:
        """A day's check-in and check-out (None: no record)."""
        for kind, hhmm in (("checkin", cin), ("checkout", cout)):
            if hhmm is not None:
                self._add(
                    attendance_table,
                    staff_id=staff,
                    day=day.isoformat(),
                    kind=kind,
                    ts=at(day, hhmm),
                    method="pin",
                    window=window,
                    note="",
                    actor=staff,
                )

    def leave(self, staff: str, first: dt.date, last: dt.date, status: str) -> None:
        """A leave request of whole days in the given state."""
        self._add(
            leave_table,
            staff_id=staff,
            start_day=first.isoformat(),
            start_half="am",
            end_day=last.isoformat(),
            end_half="pm",
            days=float((last - first).days + 1),
            kind="事假",
            reason="家中有事",
            requested_by=staff,
            requested_at=at(first, "08:00") - 86400,
            status=status,
            note="",
        )

    def pause(
        self,
        staff: str | None,
        window: int,
        day: dt.date,
        start: str,
        minutes: float,
        reason: str = "other",
    ) -> None:
        """A finished pause of ``minutes``."""
        began = at(day, start)
        self._add(
            window_pauses_table,
            day=day.isoformat(),
            window=window,
            reason=reason,
            note="",
            staff_id=staff,
            by="staff" if staff else "keypad 1",
            started_at=began,
            ended_at=began + minutes * 60,
            ended_by="resume",
        )

    def vacancy(self, window: int, day: dt.date, since: str, state: str = "paused") -> None:
        """A 空岗 alert on ``window`` whose emptiness began at ``since``."""
        self._add(
            vacancy_alerts_table,
            day=day.isoformat(),
            window=window,
            state=state,
            reason="other" if state == "paused" else None,
            since=at(day, since),
            raised_at=at(day, since) + 600,
            waiting=3,
            ended_at=at(day, since) + 1200,
        )

    def bad_rating(
        self, staff: str, window: int, day: dt.date, state: str, appeal_upheld: bool = False
    ) -> None:
        """A 差评 rectification case in ``state``, its appeal upheld or not."""
        rating_id = self._next()
        self._add(
            rectifications_table,
            rating_id=rating_id,
            number=f"A{rating_id:03d}",
            service="general",
            window=window,
            staff_id=staff,
            level=1,
            opened_at=at(day, "11:00"),
            opened_day=day.isoformat(),
            state=state,
            complexity="simple",
            contact_due=day.isoformat(),
            fix_due=day.isoformat(),
            callback_due=day.isoformat(),
            updated_at=at(day, "11:00"),
        )
        if appeal_upheld:
            self._add(
                ledger_table,
                kind="appeal",
                subject=f"ticket:t{rating_id}",
                number=f"A{rating_id:03d}",
                channel="manager",
                day=day.isoformat(),
                ts=at(day, "15:00"),
                ref_id=rating_id,
                decision="upheld",
                tags="[]",
                comment="",
                four_key=0,
                prev_hash="0" * 64,
                hash=f"{rating_id:064x}",
            )

    def complaint(self, staff: str | None, window: int | None, day: dt.date, outcome: str) -> None:
        """A complaint received on ``day`` with its outcome."""
        n = self._next()
        self._add(
            complaints_table,
            id=f"TS{day:%Y%m%d}{n:04d}",
            channel="phone",
            received_at=at(day, "10:00"),
            received_on=day.isoformat(),
            taken_by="manager:m1",
            subject_window=window,
            subject_staff=staff,
            summary="sealed:test",
            contact="sealed:test",
            due_on=day.isoformat(),
            status="closed",
            outcome=outcome,
            updated_at=at(day, "10:00"),
        )

    def case(
        self,
        opened_by: str,
        window: int,
        received: dt.date,
        promised: dt.date,
        finished: dt.date | None = None,
        finished_by: str | None = None,
    ) -> None:
        """A 承诺件: finished on ``finished`` (late if after ``promised``) or still open."""
        n = self._next()
        self._add(
            cases_table,
            receipt=f"C{n:06d}",
            source="window",
            matter="SJ-DJ-001",
            department="scjg",
            kind="承诺件",
            status="finished" if finished else "accepted",
            received_at=at(received, "10:00"),
            received_on=received.isoformat(),
            limit_days=5,
            window=window,
            opened_by=opened_by,
            id_fp="0" * 32,
            applicant="sealed:test",
            materials="[]",
            missing="[]",
            clock_state="finished" if finished else "running",
            clock_reason="",
            promised_date=promised.isoformat(),
            extended_days=0,
            extensions=0,
            suspensions=0,
            returns=0,
            finished_on=finished.isoformat() if finished else None,
            finished_by=finished_by,
            on_time=None if finished is None else int(finished <= promised),
            updated_at=at(received, "10:00"),
        )

    def card(
        self, kind: str, target_kind: str, target: str, day: dt.date, withdrawn: bool = False
    ) -> None:
        """A 红黄牌 or 表扬, withdrawn or not."""
        self._add(
            cards_table,
            kind=kind,
            target_kind=target_kind,
            target=target,
            day=day.isoformat(),
            reason="测试",
            issued_by="manager:m1",
            ts=at(day, "16:00"),
            withdrawn_at=at(day, "17:00") if withdrawn else None,
            withdrawn_by="manager:m1" if withdrawn else None,
        )

    def write(self) -> None:
        """Insert everything added, in one transaction."""
        with self.engine.begin() as conn:
            for table, rows in self.rows.items():
                conn.execute(insert(table), rows)
        self.rows.clear()
        self.engine.dispose()


def background(
    act: Activity, rng: random.Random, clerks: Iterable[int], days: list[dt.date]
) -> None:
    """Seeded ordinary activity of ``clerks`` (window n for clerk n) over ``days``.

    Mostly punctual days, some late, early or missing; pauses (some long), 空岗
    alerts, 差评 in every state, complaints and cases.
    """
    for n in clerks:
        staff = f"S{n:02d}"
        for day in days:
            r = rng.random()
            if r < 0.005:
                continue  # absent
            cin = f"09:{rng.randint(16, 29)}" if r < 0.03 else f"08:{rng.randint(40, 59)}"
            cout = f"16:{rng.randint(30, 44)}" if rng.random() < 0.01 else "17:05"
            act.day(staff, n, day, cin, cout)
            if rng.random() < 0.2:
                act.pause(staff, n, day, "10:30", rng.choice([3, 5, 6, 8, 9, 12]))
            if rng.random() < 0.005:
                act.vacancy(n, day, "14:00", "closed")
        for _ in range(rng.randint(0, 4)):
            day = rng.choice(days)
            act.bad_rating(staff, n, day, rng.choice(["open", "verified", "closed", "appealed"]))
        if rng.random() < 0.3:
            act.complaint(
                staff, n, rng.choice(days), rng.choice(["substantiated", "unsubstantiated"])
            )
        if rng.random() < 0.3:
            day = rng.choice(days[:-8])
            late = rng.random() < 0.5
            act.case(
                staff,
                n,
                day,
                day + dt.timedelta(days=7),
                day + dt.timedelta(days=9 if late else 5),
                staff,
            )
