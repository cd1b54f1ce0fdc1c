"""config.yaml sections for the kiosk program, self-service submission and 差评 rectification."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from hall.config.base import _Section
from hall.config.screens import ScreensSection, move_legacy_size


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
    retention_days: int = Field(
        180,
        ge=1,
        le=36500,
        description="days after a case closes (finished or returned for good) until its material"
        " images, applicant data, form and ID fingerprint are deleted; the case row stays for"
        " statistics (hall/queue/cases/retention.py)",
    )


class IdReaderConfig(_Section):
    """A serial ID card reader: each card arrives as a line "<ID number>[,<name>]"."""

    port: str = Field(min_length=1, description="pyserial URL, e.g. /dev/ttyUSB2")
    baudrate: int = Field(9600, gt=0)


class OutboxSection(_Section):
    """How the terminal outbox forwards 自助申报 cases to the daemon (hall/kiosk/outbox.py)."""

    connect_timeout_s: float = Field(
        3.0,
        gt=0,
        le=60,
        description="to connect; also the longest stall while one block of an upload is sent",
    )
    read_timeout_s: float = Field(
        10.0, gt=0, le=600, description="wait for the daemon's answer: this plus size / bandwidth"
    )
    upload_min_kb_s: float = Field(
        50.0,
        gt=0,
        description="assumed minimum bandwidth (KB/s, 1000 bytes) for receiving, checking and "
        "storing a case: a 30 MB case waits up to read_timeout_s + 600 s at 50",
    )
    retry_initial_s: float = Field(1.0, gt=0, le=3600, description="first back-off")
    retry_max_s: float = Field(60.0, gt=0, le=3600, description="back-off doubles up to this")
    retry_jitter: float = Field(
        0.2,
        ge=0,
        le=1,
        description="each back-off is shortened by up to this fraction at random, so "
        "terminals that failed together do not retry in step",
    )
    alert_after_s: float = Field(
        300,
        ge=0,
        description="a case still not forwarded this long after it was stored (and failing) "
        "sets outbox@<id> to error in the device list; a refused token (401/403) at once",
    )


class KioskSection(_Section):
    """The Kivy program (run_kiosk.py): how it reaches the daemon and its own devices."""

    daemon_url: str = Field("http://127.0.0.1:8765", pattern=r"^https?://")
    ca_file: str | None = Field(
        None,
        min_length=1,
        description="https daemon_url: the hall CA (PEM) its certificate must verify against; "
        "null = the system's CAs",
    )
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
    idle_warning_s: float = Field(
        15,
        ge=0,
        description="countdown with 继续 for the last seconds of idle_timeout_s (0 = none)",
    )
    ticket_screen_s: float = Field(15, ge=3, description="ticket stays on screen")
    ticket_screen_no_print_s: float = Field(45, ge=3, description="...when it did not print")
    follow_url: str = Field(
        "http://127.0.0.1:8765/t/{id}",
        description="QR code on the ticket: the daemon's ticket page ({id} is filled in; the "
        "ticket's rating key is added as the k= query parameter)",
    )
    printer: dict[str, Any] = Field(
        default_factory=lambda: {"type": "sim"},
        description="ticket printer: type usb|serial|network|file|sim and its settings",
    )
    window_printer: dict[str, Any] | None = Field(
        None,
        description="caller role: the window's notice printer (承诺通知书 …), type "
        "usb|serial|network|file|sim as printer; null = none (notices open as A4 pages)",
    )
    guide: str = Field("hall/kiosk/data/guide.yaml", description="办事指南 data file")
    id_reader: IdReaderConfig | None = Field(None, description="serial ID card reader; null = none")
    submission: bool = Field(
        True, description="offer 自助申报 (catalogue and holidays as in submissions:)"
    )
    terminal_code: str = Field(
        "01",
        # 00 is the counter's: window cases are ZZ00<date><seq> (hall/queue/cases/register.py).
        pattern=r"^(0[1-9]|[1-9][0-9])$",
        description="2 digits in this terminal's receipt numbers (01-99; 00 is the counter's)",
    )
    data_dir: str = Field(
        "data/kiosk",
        description="the terminal's own data: outbox of submissions (outbox/), sealed"
        " with its key file keys/terminal.keys (0600, made at the first start)",
    )
    outbox: OutboxSection = Field(
        default_factory=OutboxSection, description="forwarding of submissions (outbox@<id>)"
    )
    camera: dict[str, Any] | None = Field(
        None,
        description="material camera: type opencv|sim and its settings; null = no camera",
    )
    face_camera: dict[str, Any] | None = Field(
        None,
        description="camera facing the person (人脸签到): type opencv|sim; null = no face check-in",
    )
    face_terminal: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.-]{1,32}$",
        description="caller role: this window terminal's name in attendance.terminals",
    )
    progress_url: str = Field(
        "http://127.0.0.1:8765/progress?receipt={receipt}",
        description="QR code on 受理/补正 notices ({receipt} is filled in; the case's rating "
        "key is added as the k= query parameter)",
    )
    correction_days: int = Field(
        10,
        ge=1,
        le=60,
        description="补正材料通知书: working days (the day of submission not counted) the "
        "citizen has to bring the missing materials; the notice prints the date",
    )
    correction_place: str = Field(
        "本大厅综合受理窗口",
        min_length=1,
        max_length=60,
        description="补正材料通知书: where to bring the missing materials (printed as 补正地点)",
    )
    notice_screen_s: float = Field(90, ge=10, description="a submission's notice stays on screen")
    notice_screen_no_print_s: float = Field(
        240, ge=10, description="...when it did not print (time to photograph it)"
    )
    screens: ScreensSection = Field(
        default_factory=ScreensSection,
        description="each role's window: kiosk portrait 1080x1920, lobby landscape 1920x1080, "
        "caller 480x800 (hall/config/screens.py)",
    )
    lobby_call_s: float | None = Field(
        None,
        gt=0,
        le=120,
        description="lobby role: seconds each call is highlighted; null = as long as the "
        "voice announces it (devices.voice: repeat x about 4.6 s at speed 150, 0.8 s between "
        "repeats); a number replaces that length (a hall whose announcements are not this "
        "voice's). Either way a call spoken once because 3 or more wait is highlighted "
        "for one saying only",
    )
    lobby_voice_repeat: int = Field(
        2, ge=1, le=5, description="copied from devices.voice.repeat when config.yaml is read"
    )
    lobby_voice_speed: int = Field(
        150, ge=80, le=450, description="copied from devices.voice.speed when config.yaml is read"
    )

    @model_validator(mode="before")
    @classmethod
    def _legacy_size(cls, data: Any) -> Any:
        return move_legacy_size(data)
