"""The hub's LED side: the window boards and the hall board on the LED bus.

:class:`HubLeds` opens the bus with one :class:`~hall.drivers.led.board.BoardSpec`
per configured board, keeps each window board's own text (a call, 暂停服务, who
serves between calls: :class:`~hall.queue.devices.window_boards.WindowBoards`),
the hall board's list of recent calls (``HallHistory``), and the 公示/通报 rotation
between calls (:class:`~hall.queue.devices.rotation.BoardRotation`, sent with
``LedBus.show_idle`` by a thread of its own). The hub (hub.py) calls it from its
event handlers; it only queues frames.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import select

from hall.drivers.led.board import PAUSED_TEXT, BoardSpec, HallHistory, LedBus, call_text
from hall.drivers.led.bx5 import Align, Area, AreaSettings, DisplayMode
from hall.drivers.port import SerialLink
from hall.queue.announcements import store as announcements
from hall.queue.core import rows
from hall.queue.core.domain import WindowState
from hall.queue.core.tables.tickets import windows_table
from hall.queue.core.writer import Tx
from hall.queue.devices.rotation import BoardRotation
from hall.queue.devices.window_boards import WindowBoards

log = logging.getLogger(__name__)

HALL_BOARD = "hall"


def _board_id(window: int) -> str:
    return f"window-{window}"


def _bx5_area(cfg: Any) -> tuple[Area, AreaSettings]:
    """A config ``Bx5AreaConfig`` as the driver's area (pixels) and area fields."""
    settings = AreaSettings(
        area_id=cfg.area_id,
        line_space=cfg.line_space,
        run_mode=cfg.run_mode,
        timeout_s=cfg.timeout_s,
        align=Align[cfg.align.upper()],
        single_line=0x01 if cfg.single_line else 0x02,
        new_line=0x02 if cfg.auto_new_line else 0x01,
        display_mode=DisplayMode[cfg.display_mode.upper()],
        exit_mode=cfg.exit_mode,
        speed=cfg.speed,
        stay_half_s=round(cfg.stay_s * 2),
    )
    return Area(cfg.x, cfg.y, cfg.width, cfg.height), settings


def _window_views(tx: Tx) -> list[dict[str, Any]]:
    """Every window as the hub's events carry it (number, state, staff id, ticket)."""
    found = tx.conn.execute(select(windows_table).order_by(windows_table.c.number))
    return [rows.window_view(tx, r) for r in found]


class HubLeds:
    """The LED bus of one daemon's hub: boards, their texts, the rotation between calls."""

    def __init__(self, daemon: Any) -> None:
        """Nothing is opened until :meth:`start`; the window boards' texts are kept already."""
        self.daemon = daemon
        self.config = daemon.config
        self.devices = self.config.devices
        self.leds: LedBus | None = None
        self.history = (
            HallHistory(self.devices.led_bus.hall_board.calls) if self._hall_board() else None
        )
        self._stop = threading.Event()
        # Between calls: who serves at the window, or 暂停服务 (亮证上岗, window_boards.py).
        self.boards = WindowBoards(self.config, daemon.ctx.schedule, daemon.clock, self._show)
        self.rotation: BoardRotation | None = None  # 公示/通报 on the boards between calls
        self._rotator: threading.Thread | None = None

    def _hall_board(self):
        return self.devices.led_bus.hall_board if self.devices.led_bus else None

    # -- lifecycle -------------------------------------------------------------
    def start(self, link: SerialLink) -> None:
        """Drive the boards on the LED bus's ``link`` (not started yet); show what each says now."""
        lb = self.devices.led_bus
        leds = self.leds = LedBus(
            link,
            lb.baudrate,
            self._board_specs(),
            inter_frame_gap=lb.inter_frame_gap_s,
            reply_timeout=lb.bx5.reply_timeout_s,
            reply_retries=lb.bx5.reply_retries,
            rotation_chunk=lb.rotation.chunk_bytes,
        )
        link.on_status = leds.link_changed  # send as soon as the port opens
        link.on_bytes = leds.feed  # the bx5 controllers' replies
        link.start()
        leds.start()
        for window in self.daemon.writer.call(_window_views):  # what each board says now
            self.boards.changed(window)
        self.boards.start()
        if lb.rotation.enabled:
            self._start_rotation(lb.rotation, [spec.board_id for spec in self._board_specs()])

    def stop(self) -> None:
        """Stop the window boards' clock, the rotation and the sender (the hub closes the port)."""
        self._stop.set()
        self.boards.stop()
        if self._rotator:
            self._rotator.join(5)
        if self.leds:
            self.leds.close()

    def _board_specs(self) -> list[BoardSpec]:
        lb = self.devices.led_bus
        bx5 = lb.bx5

        def spec(board_id: str, address: int, fmt: str, area_cfg: Any) -> BoardSpec:
            area, settings = _bx5_area(area_cfg)
            return BoardSpec(board_id, address, fmt, area, settings, bx5.model, bx5.reply)

        specs = [
            spec(
                _board_id(w.number),
                w.devices.led_board,
                w.devices.led_format or lb.format,
                bx5.area,
            )
            for w in self.config.windows
            if w.devices.led_board is not None
        ]
        if lb.hall_board:
            hb = lb.hall_board
            specs.append(spec(HALL_BOARD, hb.address, hb.format, hb.area or bx5.area))
        return specs

    def _start_rotation(self, cfg: Any, boards: list[str]) -> None:
        """The boards' announcements, from the store and then from the events."""
        rotation = BoardRotation(boards, cfg.stay_s, cfg.hall_hold_s, HALL_BOARD)
        tz = self.config.hall.tz

        def read(tx: Tx) -> tuple[list[dict], list[int]]:
            serving = tx.conn.execute(
                windows_table.select().where(windows_table.c.state == WindowState.SERVING)
            )
            return announcements.not_ended(tx.conn, tz, tx.now), [w.number for w in serving]

        items, serving = self.daemon.writer.call(read)
        rotation.set_announcements(items)
        now = self.daemon.clock()
        for number in serving:  # still serving from before a restart: no rotation yet
            rotation.base(_board_id(number), "", now, hold=True)
        self.rotation = rotation
        self._rotator = threading.Thread(target=self._rotate, name="led-rotation", daemon=True)
        self._rotator.start()

    def _rotate(self) -> None:
        while not self._stop.wait(0.25):
            try:
                for board_id, text in self.rotation.due(self.daemon.clock()):
                    self.leds.show_idle(board_id, text)
            except Exception:  # a bad announcement must not stop the rotation for good
                log.exception("LED rotation: this turn failed")

    # -- what the boards show --------------------------------------------------
    def _show(self, window: int, text: str, hold: bool = False) -> None:
        """The window board's own text now; ``hold``: no announcements until it is idle."""
        cfg = self.config.window(window)
        if self.leds and cfg and cfg.devices.led_board is not None:
            self.leds.show(_board_id(window), text)
            if self.rotation:
                self.rotation.base(_board_id(window), text, self.daemon.clock(), hold=hold)

    def called(self, number: str, window: int) -> None:
        """A call: the window board's call text (held), and the hall board's list of calls."""
        self._show(window, call_text(number, window), hold=True)
        if self.leds and self.history is not None:
            hall = self.history.add(number, window)
            self.leds.show(HALL_BOARD, hall)
            if self.rotation:
                self.rotation.base(HALL_BOARD, hall, self.daemon.clock())

    def window_changed(self, w: dict) -> None:
        """A window's new state (its event's view): its board between calls, or 暂停服务."""
        self.boards.changed(w)  # open: who serves here; closed: 暂停服务 and the next opening
        if w["state"] == WindowState.PAUSED:
            self._show(w["number"], PAUSED_TEXT)

    def published(self, announcement: dict) -> None:
        """A 公示/通报 published: into the rotation."""
        if self.rotation:
            self.rotation.published(announcement)

    def withdrawn(self, announcement_id: int) -> None:
        """A 公示/通报 withdrawn: out of the rotation."""
        if self.rotation:
            self.rotation.withdrawn(announcement_id)

    def status(self) -> list[dict[str, Any]]:
        """Each board's status (``led:<board>``), once the bus is open."""
        if not self.leds:
            return []
        return [
            {"id": f"led:{board_id}", "kind": "led_board", **st}
            for board_id, st in self.leds.status().items()
        ]
