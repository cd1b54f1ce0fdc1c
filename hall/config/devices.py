"""config.yaml sections for the hall devices the daemon drives (keypads, LED boards, voice)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hall.config.base import _Section
from hall.words import CaseType


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


Bx5Align = Literal["left", "right", "centre"]
Bx5Display = Literal["static", "quick", "scroll_left", "scroll_right", "scroll_up", "scroll_down"]


class Bx5AreaConfig(_Section):
    """A bx5 dynamic area (DEVICES.md §2a); the defaults are the vendor SDK's."""

    x: int = Field(0, ge=0, le=32767, description="left edge, pixels (BX-5K: multiple of 8)")
    y: int = Field(0, ge=0, le=65535, description="top edge, pixels")
    width: int = Field(64, ge=8, le=32767, description="pixels (BX-5K: multiple of 8)")
    height: int = Field(16, ge=1, le=65535, description="pixels")
    area_id: int = Field(0, ge=0, le=255, description="dynamic area number")
    line_space: int = Field(0, ge=0, le=255)
    run_mode: int = Field(1, ge=0, le=5, description="0 loop, 1 hold the last page, 2 loop+timeout")
    timeout_s: int = Field(5, ge=0, le=65535, description="run mode 2: clear if not refreshed")
    align: Bx5Align = "left"
    single_line: bool = True
    auto_new_line: bool = False
    display_mode: Bx5Display = "static"
    exit_mode: int = Field(0, ge=0, le=255)
    speed: int = Field(1, ge=0, le=0x18, description="0 fastest .. 24 slowest")
    stay_s: float = Field(5.0, ge=0, le=127.5, description="in steps of 0.5 s")

    @model_validator(mode="after")
    def _half_seconds(self) -> Bx5AreaConfig:
        if (self.stay_s * 2) % 1:
            raise ValueError(f"stay_s must be a multiple of 0.5 s, got {self.stay_s}")
        return self


class Bx5Config(_Section):
    """Onbon BX-5K/6K controllers on the LED bus."""

    model: Literal["5K", "6K"] = Field("5K", description="5K: X and width in 8-pixel units")
    reply: bool = Field(False, description="ask every controller to answer (ACK/NACK)")
    reply_timeout_s: float = Field(0.5, gt=0, le=10, description="wait this long for it")
    reply_retries: int = Field(1, ge=0, le=5, description="send a NACKed/unanswered text again")
    area: Bx5AreaConfig = Bx5AreaConfig()


class HallBoardConfig(_Section):
    """The hall board (综合屏): the last N calls."""

    address: int = Field(ge=0, le=65535)
    format: Literal["bx5", "line"] = "bx5"
    calls: int = Field(4, ge=1, le=20)
    area: Bx5AreaConfig | None = Field(None, description="bx5 area; null = led_bus.bx5.area")


class RotationConfig(_Section):
    """Announcements (公示/通报) on the boards between calls (hall/queue/devices/rotation.py)."""

    enabled: bool = True
    stay_s: float = Field(8.0, ge=1, le=600, description="each text's turn on a board")
    hall_hold_s: float = Field(30.0, ge=0, le=3600, description="the hall board after a call")
    chunk_bytes: int = Field(8, ge=1, le=256, description="a call waits at most this many bytes")


class LedBusConfig(_Section):
    """Window boards and the hall board on one serial line."""

    port: str | None = Field(None, description="pyserial URL; null = simulated by make run")
    baudrate: int = Field(9600, gt=0)
    format: Literal["bx5", "line"] = "bx5"
    inter_frame_gap_s: float = Field(0.05, ge=0, description="pause after a line-board frame")
    bx5: Bx5Config = Bx5Config()
    hall_board: HallBoardConfig | None = None
    rotation: RotationConfig = RotationConfig()

    @model_validator(mode="after")
    def _bx5_units(self) -> LedBusConfig:
        areas = {"bx5.area": self.bx5.area}
        if self.hall_board and self.hall_board.area:
            areas["hall_board.area"] = self.hall_board.area
        for where, area in areas.items():
            if self.bx5.model == "5K" and (area.x % 8 or area.width % 8):
                raise ValueError(
                    f"{where}: BX-5K areas start and end on 8-pixel columns "
                    f"(x {area.x}, width {area.width})"
                )
        return self


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
