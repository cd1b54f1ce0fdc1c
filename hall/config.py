"""config.yaml: one pydantic model per section, loaded once, unknown keys rejected.

``load_config(path)`` returns a :class:`HallConfig` or raises :class:`ConfigError`
whose message names the file, the field path and what is wrong, so the daemon
can refuse to start with a sentence a hall manager can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hall.queue.domain import CaseType

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local time HH:MM")]


class ConfigError(Exception):
    """config.yaml cannot be used; the message says where and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_hhmm(value: str) -> dt.time:
    """Turn "HH:MM" (already validated) into a time."""
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


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


class KeypadBusConfig(_Section):
    """Caller keypads and evaluators on one RS-485 bus (9600 8N1)."""

    port: str | None = Field(None, description="pyserial URL; null = simulated by make run")
    baudrate: int = Field(9600, gt=0)
    evaluator_timeout_s: float = Field(60, gt=0, description="no key by then: 未评价")
    finish_case_type: CaseType = Field(
        CaseType.IMMEDIATE, description="case type of the keypad's finish key"
    )
    transfer_service: str | None = Field(None, description="target of the transfer key")
    four_key: dict[int, dict[int, int]] = Field(
        default_factory=dict, description="evaluator address -> {raw key: level 1..5}"
    )


class HallBoardConfig(_Section):
    """The hall board (综合屏): the last N calls."""

    address: int = Field(ge=0, le=65535)
    format: Literal["bx5", "line"] = "bx5"
    calls: int = Field(4, ge=1, le=20)


class LedBusConfig(_Section):
    """Window boards and the hall board on one serial line."""

    port: str | None = Field(None, description="pyserial URL; null = simulated by make run")
    baudrate: int = Field(9600, gt=0)
    format: Literal["bx5", "line"] = "bx5"
    inter_frame_gap_s: float = Field(0.05, ge=0, description="pause after a line-board frame")
    hall_board: HallBoardConfig | None = None


class VoiceConfig(_Section):
    """Offline announcements (espeak-ng)."""

    enabled: bool = True
    voice: str = "cmn-latn-pinyin"
    speed: int = Field(150, ge=80, le=450, description="words per minute")
    repeat: int = Field(2, ge=1, le=5)
    play: bool = Field(False, description="play on this machine's sound device")
    wav_dir: str | None = Field("voice", description="keep WAV files here (under data_dir)")


class DevicesSection(_Section):
    """Hall devices driven by the daemon."""

    keypad_bus: KeypadBusConfig | None = None
    led_bus: LedBusConfig | None = None
    voice: VoiceConfig = VoiceConfig(enabled=False)


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


class CallingSection(_Section):
    """The calling policy's settings."""

    max_consecutive_priority: int = Field(
        3, ge=1, description="after this many priority calls a window calls the oldest ordinary one"
    )
    appointment_early_min: int = Field(30, ge=0, description="check-in allowed this early")
    appointment_grace_min: int = Field(15, ge=0, description="slot priority kept this long after")
    estimate_window_n: int = Field(20, ge=1, description="recent services averaged for estimates")


class StorageSection(_Section):
    """Where the daemon keeps its data."""

    url: str | None = Field(None, description="SQLAlchemy URL; null = SQLite file in data_dir")
    data_dir: str = "data"


class UpstreamEndpoint(_Section):
    """An upstream platform endpoint (the provincial 一网通办 / 好差评 systems)."""

    url: str = Field(pattern=r"^https?://", description="POST target")
    token: str | None = Field(None, description="bearer token, if the platform wants one")
    timeout_s: float = Field(10, gt=0, le=120)
    retry_initial_s: float = Field(2, gt=0, description="first retry after a failure")
    retry_max_s: float = Field(120, gt=0, description="retries back off up to this")


class UpstreamSection(_Section):
    """Where the daemon forwards what the hall receives (durable outbox, idempotent)."""

    submissions: UpstreamEndpoint | None = None
    evaluation: UpstreamEndpoint | None = Field(
        None, description="provincial 好差评 system: ratings, appeals and 差评 outcomes"
    )


class RectificationSection(_Section):
    """差评整改 deadlines, in working days after the 差评 (the day itself not counted)."""

    contact_days: int = Field(2, ge=0, le=60, description="verify and first contact (核实)")
    simple_fix_days: int = Field(5, ge=0, le=60, description="fix or explain, simple case")
    complex_fix_days: int = Field(15, ge=0, le=120, description="fix or explain, complex case")
    callback_days: int = Field(5, ge=0, le=60, description="回访 after the fix")


class SubmissionsSection(_Section):
    """24-hour self-service submission (自助申报)."""

    catalogue: str = Field("hall/data/matters.yaml", description="事项清单 data file")
    holidays: str = Field("hall/data/holidays", description="holiday tables, one YAML per year")


class IdReaderConfig(_Section):
    """A serial ID card reader: each card arrives as a line "<ID number>[,<name>]"."""

    port: str = Field(min_length=1, description="pyserial URL, e.g. /dev/ttyUSB2")
    baudrate: int = Field(9600, gt=0)


class KioskSection(_Section):
    """The Kivy program (run_kiosk.py): how it reaches the daemon and its own devices."""

    daemon_url: str = Field("http://127.0.0.1:8765", pattern=r"^https?://")
    token: str = Field("demo-kiosk", min_length=8, description="kiosk-role API token")
    display_token: str = Field("demo-display", min_length=8, description="for the lobby role")
    id: str = Field(
        "kiosk-1",
        pattern=r"^[A-Za-z0-9_.:-]{1,48}$",
        description="ASCII id: its printer is listed as printer@<id> in the device list",
    )
    name: str = Field("1号自助取号机", min_length=1, description="shown to staff on help calls")
    language: Literal["zh", "en"] = "zh"
    idle_timeout_s: float = Field(60, ge=5, description="back to home, personal data cleared")
    ticket_screen_s: float = Field(15, ge=3, description="ticket stays on screen")
    ticket_screen_no_print_s: float = Field(45, ge=3, description="...when it did not print")
    follow_url: str = Field(
        "http://127.0.0.1:8765/api/v1/tickets/{id}", description="QR code on the ticket"
    )
    printer: dict[str, Any] = Field(
        default_factory=lambda: {"type": "sim"},
        description="ticket printer: type usb|serial|network|file|sim and its settings",
    )
    guide: str = Field("hall/kiosk/data/guide.yaml", description="办事指南 data file")
    id_reader: IdReaderConfig | None = Field(None, description="serial ID card reader; null = none")
    submission: bool = Field(
        True, description="offer 自助申报 (catalogue and holidays as in submissions:)"
    )
    terminal_code: str = Field(
        "01", pattern=r"^[0-9]{2}$", description="2 digits in this terminal's receipt numbers"
    )
    data_dir: str = Field(
        "data/kiosk", description="the terminal's own data: outbox of submissions (outbox/)"
    )
    camera: dict[str, Any] | None = Field(
        None,
        description="material camera: type opencv|sim and its settings; null = no camera",
    )
    progress_url: str = Field(
        "http://127.0.0.1:8765/progress?receipt={receipt}",
        description="QR code on 受理/补正 notices ({receipt} is filled in)",
    )
    notice_screen_s: float = Field(90, ge=10, description="a submission's notice stays on screen")
    notice_screen_no_print_s: float = Field(
        240, ge=10, description="...when it did not print (time to photograph it)"
    )
    fullscreen: bool = False
    width: int = Field(1080, ge=320)
    height: int = Field(1920, ge=320)


class ClassicFaceConfig(_Section):
    """The default engine: Haar cascade detector + LBPH recognizer (both ship with OpenCV).

    Distances are LBPH chi-square distances (lower = more alike); the defaults
    were chosen from measurements on the ORL faces (bench/bench_face.py).
    """

    identify_threshold: float = Field(
        89.0, gt=0, description="1:N (staff): accept the best match at or below this distance"
    )
    verify_threshold: float = Field(
        100.0, gt=0, description="1:1 (ID photo): same person at or below this distance"
    )
    min_face_px: int = Field(100, ge=24, description="smallest face side detected, in pixels")


class DnnFaceConfig(_Section):
    """The optional engine: YuNet detector + SFace recognizer (ONNX files on the device)."""

    detector_model: str | None = Field(None, description="YuNet .onnx file")
    recognizer_model: str | None = Field(None, description="SFace .onnx file")
    # OpenCV's SFace reference values (cosine >= 0.363: same person, measured by
    # its authors on LFW); not re-measured here: no model files on this machine.
    identify_threshold: float = Field(0.45, gt=0, le=1, description="1:N: minimum cosine")
    verify_threshold: float = Field(0.363, gt=0, le=1, description="1:1: minimum cosine")
    score_threshold: float = Field(0.8, gt=0, le=1, description="YuNet face score")


class LivenessConfig(_Section):
    """活体检测: a still or rigidly moved photo must not check in."""

    frames: int = Field(8, ge=3, le=60, description="frames with one face needed for a decision")
    max_frames: int = Field(45, ge=3, le=300, description="give up after this many frames")
    min_change: float = Field(
        6.0, gt=0, description="non-rigid change (grey levels, after alignment) that counts as live"
    )


class FaceSection(_Section):
    """人脸签到 on the terminals: engine, thresholds, template encryption, liveness."""

    engine: Literal["classic", "dnn"] = "classic"
    classic: ClassicFaceConfig = ClassicFaceConfig()
    dnn: DnnFaceConfig = DnnFaceConfig()
    enrol_frames: int = Field(5, ge=1, le=20, description="frames with a face for one template")
    template_key: str | None = Field(
        None,
        pattern=r"^[0-9a-fA-F]{64}$",
        description="AES-256-GCM key for template files, 64 hex digits; null = no enrolment",
    )
    template_dir: str = Field("faces", description="encrypted templates (under data_dir)")
    consent_version: str = Field("2026-01", min_length=1, max_length=32)
    liveness: LivenessConfig = LivenessConfig()

    @model_validator(mode="after")
    def _dnn_needs_models(self) -> FaceSection:
        if self.engine == "dnn" and not (self.dnn.detector_model and self.dnn.recognizer_model):
            raise ValueError("face.dnn: engine dnn needs detector_model and recognizer_model")
        return self


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


class HallConfig(_Section):
    """The whole config.yaml."""

    hall: HallSection
    services: list[ServiceConfig] = Field(min_length=1)
    windows: list[WindowConfig] = Field(min_length=1)
    staff: list[StaffConfig] = Field(default_factory=list)
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

    @model_validator(mode="after")
    def _cross_check(self) -> HallConfig:
        _unique("services", "code", [s.code for s in self.services])
        _unique("services", "prefix", [s.prefix for s in self.services])
        _unique("windows", "number", [w.number for w in self.windows])
        _unique("staff", "id", [s.id for s in self.staff])
        _unique("api.tokens", "token", [t.token for t in self.api.tokens])
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

    def windows_serving(self, code: str) -> list[int]:
        """Numbers of the windows that call this service."""
        return [w.number for w in self.windows if code in w.services]

    def demo_secrets(self) -> list[str]:
        """Names of the demo secrets still in use (the daemon warns about them)."""
        found = [f"token {t.name}" for t in self.api.tokens if t.token.startswith("demo-")]
        found += [f"staff {s.id} PIN" for s in self.staff if verify_pin("1234", s.pin_hash)]
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


def load_config(path: str | Path) -> HallConfig:
    """Read and validate config.yaml; raise ConfigError naming file, field and problem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top level")
    try:
        return HallConfig.model_validate(raw)
    except ValidationError as exc:
        lines = [_describe(e) for e in exc.errors()]
        raise ConfigError(f"{path}: " + "; ".join(lines)) from None
