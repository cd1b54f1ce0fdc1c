r"""Onbon BX-5K/6K text controllers: the dynamic-area command (DEVICES.md §2a).

The envelope (sync, addresses, stuffing, CRC) and the reply are in
:mod:`hall.drivers.led.bx5_wire`; this module builds and reads the data block::

    A3 06 reply process_mode reserved delete_count [ids] area_count
    per area: area_len u16 | area record (below) | text

Each field and what it rests on. "DEV" = DEVICES.md §2a (the line named);
"Java" = onbonlab/bx.k.java (BxCmdSendDynamicArea.build(), BxAreaDynamic.build());
"C#" = onbonlab/bx.k.csharp Led5kSDK.cs struct ``bx_5k_area_header`` and the
appendix "区域数据格式设置" of onbonlab/BX-K; "C" = LuckyKoala/BX5KProtocol BX4K.c
``display()`` with its annotated example frame (whose CRC reproduces) and BX4K.h.

- A3 06 dynamic area: DEV "0xA3 0x06"; Java GROUP/CMD; C ``display()``.
- reply 01 wanted / 02 not: DEV "reply u8"; BX4K.h CONTROLLER_MUST_RESPONSE/NO_RESPONSE.
- process_mode 0, reserved 0: DEV "process_mode u8 = 0, reserved u8 = 0"; Java
  processMode/r2.
- delete_count [+ ids], area_count: DEV "delete_count u8", "area_count u8"; C
  ``realtimeDataField[0..1]`` ("删除区域个数", "更新区域个数").
- area_len u16: DEV "area_len u16"; Java ``array.add(dataLen)`` before each area.
- area_type 0: DEV "area_type u8 = 0x00"; Java BxAreaDynamic.TYPE; C# AreaType.
- X, Y, W, H u16: DEV "X u16, Y u16, W u16, H u16"; on 5K X and W in units of 8 px
  (C# demo Area.cs ``AreaX = x / 8``, ``AreaWidth = w / 8``), on 6K pixels with bit 15
  set (DEV "published 6K frames set bit 15"; C comment "高字节最高位为 1 时，表示以像素点为单位").
- area_id, line_space, run_mode: DEV; C# DynamicAreaLoc, Lines_sizes, RunMode.
- timeout u16 (s): DEV "timeout u16"; C# ``short Timeout``; Java ``short timeout = 5``.
- sound 0, ext_len 0, align: DEV; C# Reserved1..3; C ``TEXT_ALIGN_*`` (0 left, 1 right,
  2 centre).
- single_line, new_line, display_mode, exit_mode, speed: DEV; C# SingleLine .. Speed;
  BX4K.h LINE_*, NEWLINE_*, DISPLAY_MODE_*, DISPLAY_SPEED_* (0 fastest .. 0x18 slowest).
- stay u8 in 0.5 s: DEV "stay u8 in units of 0.5 s"; appendix "StayTime 单位为0.5s".
- text_len u32, text GBK: DEV "text_len u32", "text GBK"; C# ``int DataLen``.
- backslash: starts a control code (\C2 colour, \n, \FO000 font); the C# SDK
  (Led5kSDK.cs ``AreaToByteArray``) splits text on it and has no escape for a
  literal one, so :func:`encode_bx5` refuses it (LedBus replaces it first).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

from hall.drivers.errors import FrameError
from hall.drivers.led.bx5_wire import (  # noqa: F401 - re-exported: the bx5 names in one place
    END,
    HOST_ADDRESS,
    SYNC,
    SYNC_BYTE,
    Bx5Reply,
    Bx5Splitter,
    crc16_arc,
    decode_reply,
    encode_reply,
    stuff,
    unstuff,
    unwrap,
    wrap,
)

ENCODING = "gbk"
MODELS = ("5K", "6K")
GROUP, COMMAND = 0xA3, 0x06
REPLY_WANTED, NO_REPLY = 0x01, 0x02
AREA_TYPE_DYNAMIC = 0x00
#: On 6K, bit 15 of X and W says "pixels"; without it they count bytes (8 pixels).
PIXEL_UNITS = 0x8000
#: area_type, X, Y, W, H, area_id, line_space, run_mode, timeout, sound, ext_len,
#: align, single_line, new_line, display_mode, exit_mode, speed, stay, text_len.
_AREA = struct.Struct("<BHHHHBBBHBBBBBBBBBI")
_BLOCK_HEAD = struct.Struct("<BBBBB")  # group, command, reply, process_mode, reserved


class RunMode(IntEnum):
    """What the area does with its text (C# appendix RunMode)."""

    LOOP = 0
    HOLD_LAST = 1  # show the last page and hold
    LOOP_TIMEOUT = 2  # loop; remove when not refreshed within ``timeout_s``


class DisplayMode(IntEnum):
    """How the text enters the area (BX4K.h DISPLAY_MODE_*)."""

    STATIC = 1
    QUICK = 2
    SCROLL_LEFT = 3
    SCROLL_RIGHT = 4
    SCROLL_UP = 5
    SCROLL_DOWN = 6


class Align(IntEnum):
    """Horizontal text alignment (BX4K.h TEXT_ALIGN_*)."""

    LEFT = 0
    RIGHT = 1
    CENTRE = 2


@dataclass(frozen=True)
class Area:
    """A rectangle on the screen, in LED pixels (converted to the model's units on the wire)."""

    x: int = 0
    y: int = 0
    w: int = 64
    h: int = 16


@dataclass(frozen=True)
class AreaSettings:
    """The dynamic area's fields after H; defaults are the vendor's (see the worked example)."""

    area_id: int = 0
    line_space: int = 0
    run_mode: int = RunMode.HOLD_LAST
    timeout_s: int = 5  # bx.k.java BxAreaDynamic timeout = 5
    align: int = Align.LEFT
    single_line: int = 0x01  # 0x01 single line, 0x02 multi-line
    new_line: int = 0x01  # 0x01 manual, 0x02 automatic (bx.k.java autoNewLine = 0x01)
    display_mode: int = DisplayMode.STATIC
    exit_mode: int = 0
    speed: int = 1  # 0 fastest .. 0x18 slowest
    stay_half_s: int = 10  # 5 s (C++ demo AreaDlg m_StayTime = 10)


@dataclass(frozen=True)
class Bx5Frame:
    """A decoded dynamic-area command (its first area, which is all this driver sends)."""

    dst: int
    src: int
    reply: bool
    deleted: tuple[int, ...]
    area: Area | None
    settings: AreaSettings | None
    text: str
    pixel_units: bool  # X and W were in pixels (6K), not bytes (5K)
    areas: int


def _units(value: int, model: str, what: str) -> int:
    if model == "6K":
        if not 0 <= value < PIXEL_UNITS:
            raise ValueError(f"bx5 {what} {value} out of range 0..32767")
        return value | PIXEL_UNITS
    if value % 8:
        raise ValueError(f"BX-5K area {what} must be multiples of 8 pixels, got {value}")
    return value // 8


def encode_bx5(
    screen_addr: int,
    text: str,
    *,
    area: Area = Area(),
    settings: AreaSettings = AreaSettings(),
    model: str = "5K",
    reply: bool = False,
    src: int = HOST_ADDRESS,
) -> bytes:
    """Build the wire frame that shows ``text`` (GBK) in one dynamic area of a screen.

    Raises UnicodeEncodeError for characters GBK cannot encode (LedBus replaces
    them first) and ValueError for a backslash in the text, an unknown model,
    a field out of range or a 5K area not on 8-pixel columns.
    """
    if model not in MODELS:
        raise ValueError(f"unknown bx5 model {model!r}: want one of {', '.join(MODELS)}")
    if "\\" in text:
        raise ValueError("bx5 text holds a backslash, which starts a control code on the card")
    payload = text.encode(ENCODING)
    x, w = _units(area.x, model, "X"), _units(area.w, model, "W")
    try:
        record = _AREA.pack(
            AREA_TYPE_DYNAMIC, x, area.y, w, area.h, *_fields(settings), len(payload)
        )
    except struct.error as exc:
        raise ValueError(f"bx5 field out of range: {exc}") from None
    record += payload
    if len(record) > 0xFFFF:
        raise ValueError(f"bx5 text too long: {len(payload)} bytes")
    block = _BLOCK_HEAD.pack(GROUP, COMMAND, REPLY_WANTED if reply else NO_REPLY, 0, 0)
    block += bytes([0, 1]) + struct.pack("<H", len(record)) + record  # delete none, 1 area
    return wrap(screen_addr, src, block)


def _fields(s: AreaSettings) -> tuple[int, ...]:
    # area_id, line_space, run_mode, timeout, sound 0, ext_len 0, then align .. stay
    return (
        *(s.area_id, s.line_space, int(s.run_mode), s.timeout_s, 0, 0),
        *(int(s.align), s.single_line, s.new_line, int(s.display_mode)),
        *(s.exit_mode, s.speed, s.stay_half_s),
    )


def decode_bx5(frame: bytes) -> Bx5Frame:
    """Validate and decode one dynamic-area command (sync to end byte).

    Raises FrameError with the precise reason: envelope errors (see
    :func:`unwrap`), another command, a bad reply flag, an area record whose
    lengths do not add up, text that is not GBK.
    """
    env = unwrap(frame)
    block = env.block
    if len(block) < _BLOCK_HEAD.size + 2 or tuple(block[:2]) != (GROUP, COMMAND):
        raise FrameError(f"not a dynamic-area command: {block[:2].hex(' ').upper()}")
    _, _, reply, _process, _ = _BLOCK_HEAD.unpack(block[: _BLOCK_HEAD.size])
    if reply not in (REPLY_WANTED, NO_REPLY):
        raise FrameError(f"bad reply flag: 0x{reply:02X}")
    pos = _BLOCK_HEAD.size
    deletes = block[pos]
    deleted = tuple(block[pos + 1 : pos + 1 + deletes])
    pos += 1 + deletes
    if len(deleted) != deletes or pos >= len(block):
        raise FrameError(f"delete count {deletes} runs past the block")
    count, pos = block[pos], pos + 1
    first: tuple[Area, AreaSettings, str, bool] | None = None
    for i in range(count):
        decoded, pos = _decode_area(block, pos, i)
        first = first or decoded
    if pos != len(block):
        raise FrameError(f"{len(block) - pos} byte(s) after the last area")
    area, settings, text, pixels = first or (None, None, "", False)
    return Bx5Frame(
        env.dst, env.src, reply == REPLY_WANTED, deleted, area, settings, text, pixels, count
    )


def _decode_area(block: bytes, pos: int, i: int) -> tuple[tuple, int]:
    if pos + 2 > len(block):
        raise FrameError(f"area {i}: block ends before area_len")
    (length,) = struct.unpack_from("<H", block, pos)
    record = block[pos + 2 : pos + 2 + length]
    if len(record) != length or length < _AREA.size:
        raise FrameError(f"area {i}: area_len says {length}, {len(record)} byte(s) left")
    values = _AREA.unpack_from(record)
    _type, raw_x, y, raw_w, h = values[:5]
    text_len = values[-1]
    payload = record[_AREA.size :]
    if text_len != len(payload):
        raise FrameError(f"area {i}: text length says {text_len}, got {len(payload)}")
    try:
        text = payload.decode(ENCODING)
    except UnicodeDecodeError as exc:
        raise FrameError(f"area {i}: text is not GBK: {exc.reason} at byte {exc.start}") from None
    pixels = bool(raw_x & PIXEL_UNITS)
    scale = 1 if pixels else 8
    area = Area((raw_x & ~PIXEL_UNITS) * scale, y, (raw_w & ~PIXEL_UNITS) * scale, h)
    f = values[5:-1]  # area_id, line_space, run_mode, timeout, sound, ext_len, align .. stay
    settings = AreaSettings(f[0], f[1], f[2], f[3], *f[6:])
    return (area, settings, text, pixels), pos + 2 + length
