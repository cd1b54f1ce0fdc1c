"""One LED board on the bus: what it is (:class:`BoardSpec`) and what the bus knows of it.

:class:`BoardState` holds a board's counters (frames, bytes, ACKs, NACKs, missing
answers, rotation frames cut short), the text waiting to go out and what the board
shows now; :meth:`hall.drivers.led.board.LedBus.status` reports them. The bus
(``board.py``), its reply handling (``replies.py``) and its idle texts (``idle.py``)
change them, always under the bus's lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hall.drivers.led.bx5 import Area, AreaSettings
from hall.drivers.status import DeviceStatus


@dataclass(frozen=True)
class BoardSpec:
    """One board on the bus: its id, bus address, frame format and, for bx5, its area."""

    board_id: str
    address: int
    format: Literal["bx5", "line"] = "bx5"
    area: Area = Area()
    settings: AreaSettings = AreaSettings()
    model: Literal["5K", "6K"] = "5K"
    reply: bool = False  # bx5: ask the controller to answer every frame


@dataclass
class BoardState:
    """Counters and state of one board, as :meth:`LedBus.status` reports them."""

    spec: BoardSpec
    status: DeviceStatus = DeviceStatus.STARTING
    frames_sent: int = 0
    bytes_sent: int = 0
    coalesced: int = 0  # updates replaced by a newer one before they were sent
    replaced_chars: int = 0  # characters GBK cannot encode, replaced
    errors: int = 0
    acks: int = 0  # bx5 with reply: frames the controller accepted (A0 00)
    nacks: int = 0  # ... refused (A0 01)
    no_reply: int = 0  # ... not answered within the reply timeout
    last_error_code: int | None = None  # the error code of the last NACK
    last_text: str | None = None
    last_send: float | None = None  # wall clock (time.time())
    pending: str | None = field(default=None, repr=False)
    tries: int = field(default=0, repr=False)  # sends of ``pending`` so far (reply retries)
    idle_pending: str | None = field(default=None, repr=False)  # show_idle's text, not sent yet
    rotation_frames: int = 0  # show_idle texts sent in full
    preempted: int = 0  # show_idle frames cut short for a show()
    shown_text: str | None = None  # what the board shows now (a show or a show_idle text)
