"""config.yaml sections for the hall devices the daemon drives (keypads, LED boards, voice)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

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
