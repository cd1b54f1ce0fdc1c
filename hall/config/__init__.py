"""config.yaml: one pydantic model per section, loaded once, unknown keys rejected.

``load_config(path)`` returns a :class:`HallConfig` or raises :class:`ConfigError`
whose message names the file, the field path and what is wrong, so the daemon
can refuse to start with a sentence a hall manager can act on.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from hall.config.api import (  # noqa: F401 - re-exported
    ApiSection,
    StorageSection,
    TokenConfig,
    TokenRole,
)
from hall.config.appointments import AppointmentsSection
from hall.config.assessment import AssessmentSection
from hall.config.attendance import (  # noqa: F401 - re-exported
    AttendanceSection,
    FaceTerminalConfig,
    ShiftConfig,
)
from hall.config.base import HHMM, ConfigError, _Section, parse_hhmm, read_yaml  # noqa: F401 - re-exported
from hall.config.cases import CasesSection
from hall.config.checks import cross_check
from hall.config.complaints import ComplaintsSection, SupervisionSection  # noqa: F401 - re-exported
from hall.config.departments import (  # noqa: F401 - re-exported
    DepartmentConfig,
    DepartmentLookup,
    check_departments,
)
from hall.config.devices import (  # noqa: F401 - re-exported
    Bx5AreaConfig,
    Bx5Config,
    DevicesSection,
    HallBoardConfig,
    KeypadBusConfig,
    LedBusConfig,
    VoiceConfig,
)
from hall.config.enquiries import EnquiriesSection
from hall.config.face import (  # noqa: F401 - re-exported
    ClassicFaceConfig,
    DnnFaceConfig,
    FaceSection,
    LivenessConfig,
)
from hall.config.hall_section import (  # noqa: F401 - re-exported
    ExtendedHours,
    HallSection,
    HoursConfig,
    LunchBreak,
)
from hall.config.kiosk import (  # noqa: F401 - re-exported
    IdReaderConfig,
    KioskSection,
    OutboxSection,
    RectificationSection,
    SubmissionsSection,
)
from hall.config.leave import (  # noqa: F401 - re-exported
    DEMO_LEADER_PIN,
    LEADER_PREFIX,
    LeaderConfig,
    LeaveSection,
)
from hall.config.limits import LimitsSection, StreamCaps  # noqa: F401 - re-exported
from hall.config.managers import (  # noqa: F401 - re-exported
    DEMO_MANAGER_PIN,
    MANAGER_PREFIX,
    ManagerConfig,
)
from hall.config.progress import ProgressSection
from hall.config.reports import ReportsSection
from hall.config.screens import RoleWindow, ScreensSection  # noqa: F401 - re-exported
from hall.config.services import (  # noqa: F401 - re-exported
    CallingSection,
    ServiceConfig,
    WindowConfig,
    WindowDevices,
)
from hall.config.sign_in import SignInSection
from hall.config.staff import StaffConfig, StaffRole, hash_pin, verify_pin  # noqa: F401 - re-exported
from hall.config.transport import TlsConfig  # noqa: F401 - re-exported
from hall.config.upstream import UpstreamEndpoint, UpstreamSection  # noqa: F401 - re-exported
from hall.config.vacancy import VacancySection


class HallConfig(DepartmentLookup, _Section):
    """The whole config.yaml (department helpers: :class:`DepartmentLookup`)."""

    hall: HallSection
    services: list[ServiceConfig] = Field(min_length=1)
    windows: list[WindowConfig] = Field(min_length=1)
    staff: list[StaffConfig] = Field(default_factory=list)
    managers: list[ManagerConfig] = Field(default_factory=list)
    api: ApiSection
    calling: CallingSection = CallingSection()
    storage: StorageSection = StorageSection()
    devices: DevicesSection = DevicesSection()
    kiosk: KioskSection = KioskSection()
    submissions: SubmissionsSection = SubmissionsSection()
    upstream: UpstreamSection = UpstreamSection()
    face: FaceSection = FaceSection()
    attendance: AttendanceSection = AttendanceSection()
    rectification: RectificationSection = RectificationSection()
    sign_in: SignInSection = SignInSection()
    appointments: AppointmentsSection = AppointmentsSection()
    progress: ProgressSection = ProgressSection()
    vacancy: VacancySection = VacancySection()
    cases: CasesSection = CasesSection()
    assessment: AssessmentSection = AssessmentSection()
    leave: LeaveSection = LeaveSection()
    leaders: list[LeaderConfig] = Field(
        default_factory=list, description="分管领导 who sign in at the hall (no window)"
    )
    supervision: SupervisionSection = SupervisionSection()
    enquiries: EnquiriesSection = EnquiriesSection()  # 首问 register (issue 16)
    reports: ReportsSection = ReportsSection()  # 通报: service outside regular hours
    departments: list[DepartmentConfig] = Field(
        default_factory=list, description="进驻部门: matters, windows, 首席代表 (chief), members"
    )

    @model_validator(mode="after")
    def _cross_check(self) -> HallConfig:
        cross_check(self)  # hall/config/checks.py: uniqueness and references across sections
        return self

    def service(self, code: str) -> ServiceConfig | None:
        """The service with this code, or None."""
        return next((s for s in self.services if s.code == code), None)

    def window(self, number: int) -> WindowConfig | None:
        """The window with this number, or None."""
        return next((w for w in self.windows if w.number == number), None)

    def staff_member(self, staff_id: str) -> StaffConfig | None:
        """The staff member with this id, or None."""
        return next((s for s in self.staff if s.id == staff_id), None)

    def leader(self, leader_id: str) -> LeaderConfig | None:
        """The leader (分管领导) with this id, or None."""
        return next((m for m in self.leaders if m.id == leader_id), None)

    def manager(self, manager_id: str) -> ManagerConfig | None:
        """The manager account with this id, or None."""
        return next((m for m in self.managers if m.id == manager_id), None)

    def windows_serving(self, code: str) -> list[int]:
        """Numbers of the windows that call this service."""
        return [w.number for w in self.windows if code in w.services]

    def demo_secrets(self) -> list[str]:
        """Names of the demo secrets still in use (the daemon warns about them)."""
        found = [f"token {t.name}" for t in self.api.tokens if t.token.startswith("demo-")]
        found += [f"staff {s.id} PIN" for s in self.staff if verify_pin("1234", s.pin_hash)]
        found += [
            f"manager {m.id} PIN" for m in self.managers if verify_pin(DEMO_MANAGER_PIN, m.pin_hash)
        ]
        found += [
            f"leader {m.id} PIN" for m in self.leaders if verify_pin(DEMO_LEADER_PIN, m.pin_hash)
        ]
        found += [
            f"face terminal {t.name} token"
            for t in self.attendance.terminals
            if t.token.startswith("demo-")
        ]
        return found


def _describe(error: dict) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "(top level)"
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key (typo?)"
    elif error["type"] == "missing":
        message = "required key is missing"
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
        # Cross-checks carry their own path; show it instead of the top level.
        if where == "(top level)" and ": " in message:
            where, message = message.split(": ", 1)
    return f"{where}: {message}"


def setup_and_load(prog: str, path: str | Path, level: str = "INFO") -> HallConfig:
    """What every program does first: log lines with times, then config.yaml.

    A config that cannot be used ends the program with exit 2 and
    ``<prog>: refusing to start: <file>: <field>: <problem>``.
    """
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return load_config(path)
    except ConfigError as exc:
        sys.stderr.write(f"{prog}: refusing to start: {exc}\n")
        raise SystemExit(2) from None


def load_config(path: str | Path) -> HallConfig:
    """Read and validate config.yaml; raise ConfigError naming file, field and problem."""
    path = Path(path)
    raw = read_yaml(path, ConfigError)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top level")
    try:
        return HallConfig.model_validate(raw)
    except ValidationError as exc:
        lines = [_describe(e) for e in exc.errors()]
        raise ConfigError(f"{path}: " + "; ".join(lines)) from None
