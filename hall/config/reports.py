"""config.yaml's ``reports:`` section: what the 通报 counts as service outside regular hours.

The seeds count service given when the hall is normally shut: "午休时间和双休日共为群众
办理业务1350件次…延时服务529件次" (../shared/seeds 000). A hall that keeps working at
lunch ("午休和双休日照常上班") has no ``hall.hours.lunch_break``, yet its lunch-hour
service is still what the 通报 counts: ``lunch`` names those hours (default: the hall's
lunch break, else 12:00-14:00, the usual 午休 of government offices). Regular hours
end at ``hall.hours.close``: service after it is 延时服务 even on a day whose
``hall.hours.extended`` keeps issuing later (that is what 延时 means).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from hall.config.base import HHMM, _Section, parse_hhmm


class LunchHours(_Section):
    """The lunch hours counted as 午休 service (start inclusive, end exclusive)."""

    start: HHMM
    end: HHMM

    @model_validator(mode="after")
    def _ordered(self) -> LunchHours:
        if parse_hhmm(self.end) <= parse_hhmm(self.start):
            raise ValueError("reports.lunch: end must be after start")
        return self


#: The lunch hours when the hall has no lunch break and the config names none.
DEFAULT_LUNCH = LunchHours(start="12:00", end="14:00")


class ReportsSection(_Section):
    """The 通报's counts of service outside regular hours."""

    lunch: LunchHours | None = Field(
        None,
        description="午休 hours counted as lunch-hour service "
        "(default: hall.hours.lunch_break, else 12:00-14:00)",
    )
