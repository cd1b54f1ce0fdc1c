"""config.yaml: one pydantic model per section, loaded once, unknown keys rejected.

``load_config(path)`` returns a :class:`HallConfig` or raises :class:`ConfigError`
whose message names the file, the field path and what is wrong, so the daemon
can refuse to start with a sentence a hall manager can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator

from hall.config.appointments import AppointmentsSection
from hall.config.assessment import AssessmentSection
from hall.config.attendance import (  # noqa: F401 - re-exported
    AttendanceSection,
    FaceTerminalConfig,
    ShiftConfig,
)
from hall.config.base import HHMM, ConfigError, _Section, parse_hhmm, read_yaml  # noqa: F401 - re-exported
from hall.config.cases import CasesSection
from hall.config.complaints import ComplaintsSection, SupervisionSection  # noqa: F401 - re-exported
from hall.config.departments import (
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
from hall.config.sign_in import SignInSection
from hall.config.transport import TlsConfig
from hall.config.upstream import UpstreamEndpoint, UpstreamSection  # noqa: F401 - re-exported
from hall.config.vacancy import VacancySection


class LunchBreak(_Section):
    """午休: no tickets are issued between start and end (omit for 午休照常上班)."""

    start: HHMM
    end: HHMM


class ExtendedHours(_Section):
    """延时服务: on these ISO weekdays (1 = Monday) issuing goes on until ``close``."""

    weekdays: list[Annotated[int, Field(ge=1, le=7)]]
    close: HHMM


class HoursConfig(_Section):
    """The hall's issuing hours (朝九晚五 and its variations)."""

    open: HHMM = "09:00"
    close: HHMM = "17:00"
    lunch_break: LunchBreak | None = None
    weekend_open: bool = Field(
        False, description="双休日照常上班: Saturday and Sunday are working days"
    )
    extended: ExtendedHours | None = None
    closed_dates: list[dt.date] = Field(default_factory=list, description="holidays: no issuing")
    open_dates: list[dt.date] = Field(default_factory=list, description="调休 make-up working days")


class HallSection(_Section):
    """Who the hall is and when it works."""

    name: str = Field(min_length=1)
    name_en: str = ""
    address: str = Field("", max_length=100, description="printed on notices to citizens")
    phone: str = Field(
        "", max_length=40, description="the hall's enquiry phone on notices (else the matter's)"
    )
    timezone: str = "Asia/Shanghai"
    reset_time: HHMM = Field("03:00", description="when the daily number sequences restart")
    number_digits: int = Field(3, ge=3, le=4, description="digits after the prefix: A001")
    hours: HoursConfig = HoursConfig()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The hall's time zone."""
        return ZoneInfo(self.timezone)


class ServiceConfig(_Section):
    """业务: one queue with its own letter prefix and daily sequence."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    prefix: str = Field(pattern=r"^[A-Z]$", description="letter before the number: A001")
    daily_cap: int | None = Field(None, ge=1, description="tickets per day; null = no cap")
    hours: Literal["hall", "always"] = Field("hall", description="always = 24-hour service")
    allow_priority: bool = Field(True, description="priority / 绿色通道 tickets may be taken")
    per_person_daily_limit: int = Field(
        2, ge=1, description="tickets a day per ID number for this service"
    )
    default_service_s: int = Field(
        300, ge=10, description="seconds per citizen assumed until real service times exist"
    )


class WindowDevices(_Section):
    """Addresses of the devices at a window, on the buses of the ``devices`` section."""

    led_board: int | None = Field(None, ge=0, le=65535, description="window LED board address")
    led_format: Literal["bx5", "line"] | None = Field(None, description="null = led_bus.format")
    keypad: int | None = Field(None, ge=0, le=255, description="caller keypad address")
    evaluator: int | None = Field(None, ge=0, le=255, description="evaluator address")


class WindowConfig(_Section):
    """窗口: a counter that serves a list of services."""

    number: int = Field(ge=1, le=999)
    name_zh: str = ""
    area: str = ""
    services: list[str] = Field(min_length=1, description="service codes this window calls")
    devices: WindowDevices = WindowDevices()
    matters: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list,
        description="自助申报 cases handled here: matter codes, departments of the catalogue, "
        "or '*' for all; staff signed in here see those cases' applicant data in full "
        "(others a masked view; docs/SECURITY.md)",
    )


class StaffRole(StrEnum):
    """AB岗: A is the primary at a window, B the backup."""

    A = "A"
    B = "B"


class StaffConfig(_Section):
    """A staff member who may log in at windows."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = Field(min_length=1)
    pin_hash: str = Field(pattern=r"^scrypt\$", description="from `python -m hall.queue hash-pin`")
    windows: list[int] = Field(min_length=1)
    role: StaffRole = StaffRole.A
    # 亮证上岗: what the hall shows of whoever serves at a window (boards, lobby, /t page).
    title: str = Field("", max_length=24, description="职务 / 岗位 shown with the name: 综合受理员")
    title_en: str = Field("", max_length=48, description="the title in English")
    badge: str | None = Field(
        None,
        pattern=r"^[0-9A-Za-z-]{1,16}$",
        description="工号 shown in public (0231); never the sign-in id: null = none shown",
    )
    photo: str | None = Field(
        None,
        pattern=r"(?i)^[^\x00]+\.(jpe?g|png)$",
        description="JPEG or PNG, relative to the data dir; checked at start (warned, not shown)",
    )


class TokenRole(StrEnum):
    """What an API bearer token may do."""

    KIOSK = "kiosk"
    DISPLAY = "display"
    MANAGER = "manager"


class TokenConfig(_Section):
    """A bearer token for a kiosk, display or manager."""

    name: str = Field(min_length=1)
    token: str = Field(min_length=8)
    role: TokenRole


class ApiSection(_Section):
    """Where the daemon listens and who may talk to it."""

    host: str = "127.0.0.1"
    port: int = Field(8765, ge=1, le=65535)
    tokens: list[TokenConfig] = Field(min_length=1)
    staff_session_hours: float = Field(12, gt=0, le=24)
    manager_session_hours: float = Field(
        8, gt=0, le=24, description="a manager's sign-in (POST /manager/login) lasts this long"
    )
    limits: LimitsSection = LimitsSection()
    trusted_proxies: list[str] = Field(
        default_factory=list,
        max_length=16,
        description=(
            "addresses of the hall's reverse proxies whose X-Forwarded-For names the client;"
            " empty: no header is believed, the TCP peer is the client (sign-in and lookup"
            " limits count per client address, a forged header must not reset them)"
        ),
    )
    tls: TlsConfig | None = Field(
        None, description="serve HTTPS with this certificate and key; null = plain HTTP"
    )
    docs: bool = Field(
        True, description="/docs, /redoc and /openapi.json (assets served locally); false = 404"
    )


class CallingSection(_Section):
    """The calling policy's settings."""

    max_consecutive_priority: int = Field(
        3, ge=1, description="after this many priority calls a window calls the oldest ordinary one"
    )
    appointment_early_min: int = Field(30, ge=0, description="check-in allowed this early")
    appointment_grace_min: int = Field(15, ge=0, description="slot priority kept this long after")
    estimate_window_n: int = Field(20, ge=1, description="recent services averaged for estimates")
    requeue_position: Literal["behind_waiting", "keep_rank"] = Field(
        "behind_waiting",
        description=(
            "过号回队: where a no-show brought back (POST /windows/{n}/requeue) goes."
            " behind_waiting: behind everyone waiting at that moment, as an ordinary ticket"
            " (a priority or appointment ticket is not called again at once);"
            " keep_rank: behind those of its own rank (a priority ticket goes before"
            " ordinary ones), the old behaviour"
        ),
    )


class StorageSection(_Section):
    """Where the daemon keeps its data."""

    url: str | None = Field(None, description="SQLAlchemy URL; null = SQLite file in data_dir")
    data_dir: str = "data"
    key_file: str | None = Field(
        None,
        description=(
            "the daemon's secret keys (hall/secrets/keyring.py), mode 0600, made at the"
            " first start; null = keys/hall.keys under data_dir. Back it up apart from the"
            " database: neither is readable or verifiable without the other"
        ),
    )


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
        # The lobby paces its highlight on the voice's announcements (frozen sections: a copy).
        voice = {"lobby_voice_repeat": self.devices.voice.repeat}
        voice["lobby_voice_speed"] = self.devices.voice.speed
        object.__setattr__(self, "kiosk", self.kiosk.model_copy(update=voice))
        _unique("services", "code", [s.code for s in self.services])
        _unique("services", "prefix", [s.prefix for s in self.services])
        _unique("windows", "number", [w.number for w in self.windows])
        _unique("staff", "id", [s.id for s in self.staff])
        _unique("staff", "badge", [s.badge for s in self.staff])  # None: no badge
        _unique("api.tokens", "token", [t.token for t in self.api.tokens])
        # A manager's actions are recorded as manager:<id>, the bootstrap token's as
        # manager:<token name>: one may not pass for the other.
        _unique("managers", "id", [m.id for m in self.managers])
        _unique("leaders", "id", [m.id for m in self.leaders])
        token_names = {t.name for t in self.api.tokens if t.role == TokenRole.MANAGER}
        for i, manager in enumerate(self.managers):
            if manager.id in token_names:
                raise ValueError(f"managers.{i}.id: {manager.id!r} is a manager token's name")
        codes = {s.code for s in self.services}
        numbers = {w.number for w in self.windows}
        for i, window in enumerate(self.windows):
            for code in window.services:
                if code not in codes:
                    raise ValueError(f"windows.{i}.services: unknown service {code!r}")
        kb = self.devices.keypad_bus
        if kb and kb.transfer_service and kb.transfer_service not in codes:
            raise ValueError(
                f"devices.keypad_bus.transfer_service: unknown service {kb.transfer_service!r}"
            )
        if kb:
            for addr, mapping in kb.four_key.items():
                if any(level not in range(1, 6) for level in mapping.values()):
                    raise ValueError(f"devices.keypad_bus.four_key.{addr}: levels are 1..5")
        for kind in ("led_board", "keypad", "evaluator"):
            _unique(
                "windows",
                f"devices.{kind}",
                [
                    getattr(w.devices, kind)
                    for w in self.windows
                    if getattr(w.devices, kind) is not None
                ],
            )
        for i, person in enumerate(self.staff):
            for number in person.windows:
                if number not in numbers:
                    raise ValueError(f"staff.{i}.windows: no window {number}")
        api_tokens = {t.token for t in self.api.tokens}
        for i, terminal in enumerate(self.attendance.terminals):
            for number in terminal.windows:
                if number not in numbers:
                    raise ValueError(f"attendance.terminals.{i}.windows: no window {number}")
            if terminal.token in api_tokens:  # one secret, one role: a terminal is not a client
                raise ValueError(f"attendance.terminals.{i}.token: also an api.tokens token")
        check_departments(self.departments, {s.id for s in self.staff}, numbers)
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


def _unique(section: str, field: str, values: list) -> None:
    seen: set = set()
    for i, value in enumerate(values):
        if value is None:
            continue
        if value in seen:
            raise ValueError(f"{section}.{i}.{field}: {value!r} is used twice")
        seen.add(value)


# PINs: scrypt with a random salt. n=2**14 keeps a login under ~50 ms on the kiosk box.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_pin(pin: str) -> str:
    """Hash a staff PIN for config.yaml: ``scrypt$<salt hex>$<hash hex>``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when ``pin`` matches a hash made by :func:`hash_pin`."""
    try:
        _, salt_hex, digest_hex = pin_hash.split("$")
        salt, digest = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        return False
    return hmac.compare_digest(hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT), digest)


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
