"""The context every operation of the daemon gets besides its transaction.

Operations (issue, call, finish, rate, check in ...) are plain functions
``op(ctx, tx, ...)`` run by :class:`hall.queue.core.writer.Writer`. ``ctx`` is a
:class:`Context`: the hall's config and what is derived from it once at start
(the schedule, the ID-fingerprint key, the service-time cache, the working-day
calendar), and the calling policy read from the config. Nothing here is a
module-level global: a process may run several halls (the tests do).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from hall.config import HallConfig, ServiceConfig
from hall.queue.core.domain import not_found
from hall.queue.core.schedule import Schedule
from hall.queue.core.writer import Tx
from hall.queue.tickets import views
from hall.secrets.keyring import Keyring
from hall.workdays import CalendarError, WorkCalendar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    """What the operations need besides the transaction."""

    config: HallConfig
    schedule: Schedule
    id_key: bytes  # secret for ID fingerprints (the key file's "fingerprint" key)
    times: views.ServiceTimes
    calendar: WorkCalendar  # working days, for 差评 rectification deadlines
    keyring: Keyring | None = None  # the key file (None only in tests of pure figures)

    @classmethod
    def open(
        cls,
        config: HallConfig,
        id_key: bytes,
        calendar: WorkCalendar | None = None,
        keyring: Keyring | None = None,
    ) -> Context:
        """The context of a hall: its schedule, service times and calendar built once."""
        return cls(
            config,
            Schedule(config),
            id_key,
            views.ServiceTimes(config),
            calendar if calendar is not None else hall_calendar(config),
            keyring,
        )

    def estimate(self, tx: Tx, service: str, ahead: int, staffed: dict[int, str]) -> int:
        """Estimated wait in seconds for someone with ``ahead`` citizens before them."""
        mean = self.times.mean_s(tx.conn, service, tx.now)
        return views.estimate_wait_s(mean, self.config, service, ahead, staffed)

    def day(self, ts: float) -> str:
        """The business day of an epoch time, as an ISO date."""
        return self.schedule.business_day(dt.datetime.fromtimestamp(ts, dt.UTC)).isoformat()

    def local_date(self, ts: float) -> dt.date:
        """The local calendar date of a moment (hall time zone; not the business day).

        Submissions, appeals and attendance are dated by the clock on the wall;
        tickets carry their business day (:meth:`day`).
        """
        return dt.datetime.fromtimestamp(ts, self.config.hall.tz).date()

    def service_or_404(self, code: str) -> ServiceConfig:
        """The configured service, or a 404 the kiosk can show."""
        svc = self.config.service(code)
        if svc is None:
            raise not_found(f"业务“{code}”", f"service {code!r}", code="unknown_service")
        return svc

    @property
    def requeue_behind(self) -> bool:
        """过号回队 behind everyone waiting (``calling.requeue_position``)."""
        return self.config.calling.requeue_position == "behind_waiting"

    @property
    def grace_s(self) -> float:
        """Seconds an appointment keeps its priority after its slot ends."""
        return self.config.calling.appointment_grace_min * 60.0

    @property
    def forward_ratings(self) -> bool:
        """Ratings, appeals and 差评 outcomes go upstream (``upstream.evaluation`` is set)."""
        return self.config.upstream.evaluation is not None


def hall_calendar(config: HallConfig) -> WorkCalendar:
    """The hall's working days: its holiday tables and its own closed and open dates.

    A hall whose tables cannot be read still runs, on the built-in tables (logged).
    """
    try:
        return WorkCalendar.load(
            config.submissions.holidays,
            closed_dates=config.hall.hours.closed_dates,
            open_dates=config.hall.hours.open_dates,
        )
    except CalendarError:
        log.exception(
            "差评 deadlines: the hall's holiday tables cannot be read; using the built-in"
        )
        return WorkCalendar.load()
