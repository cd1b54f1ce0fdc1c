"""config.yaml's ``attendance:`` section: the shift, the late/early/absent rules, face terminals."""

from __future__ import annotations

from pydantic import Field, model_validator

from hall.config.base import HHMM, _Section


class ShiftConfig(_Section):
    """Working hours attendance is measured against (考勤班次)."""

    start: HHMM = "09:00"
    end: HHMM = "17:00"


class FaceTerminalConfig(_Section):
    """A window terminal that matches faces locally and checks staff in (device token)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$")
    token: str = Field(min_length=8)
    windows: list[int] = Field(min_length=1, description="windows this terminal stands at")


class AttendanceSection(_Section):
    """考勤: shift, the seeds' late/early/absent rules and the face terminals."""

    shift: ShiftConfig = ShiftConfig()
    late_after_min: int = Field(15, ge=0, description="check-in more than this late: late")
    early_before_min: int = Field(15, ge=0, description="check-out more than this early: early")
    absent_after_min: int = Field(30, ge=0, description="more than this late or early: absent")
    terminals: list[FaceTerminalConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> AttendanceSection:
        for field in ("name", "token"):
            values = [getattr(t, field) for t in self.terminals]
            if len(set(values)) != len(values):
                raise ValueError(f"attendance.terminals: a terminal {field} is used twice")
        if self.absent_after_min < max(self.late_after_min, self.early_before_min):
            raise ValueError("attendance.absent_after_min: must not be below late/early limits")
        return self

    def terminal(self, name: str) -> FaceTerminalConfig | None:
        """The terminal with this name, or None."""
        return next((t for t in self.terminals if t.name == name), None)
