"""The daemon's fan-out to hall devices, and device input back into the queue.

Every committed event reaches :meth:`DeviceHub.on_events` on the writer thread;
it only queues work (LED frames, announcements, keypad frames), so a slow or
unplugged device never holds up the queue or another device. Keypad keys and
evaluator ratings arrive on the bus reader thread and are submitted to the
writer as ordinary operations, with the same checks as the HTTP API.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hall.drivers.errors import DriverError
from hall.drivers.evaluator import EvaluatorSessions, RatingOutcome, RatingResult
from hall.drivers.keypad import Command, KeyCommand, KeypadBus
from hall.drivers.led.board import PAUSED_TEXT, BoardSpec, HallHistory, LedBus, call_text
from hall.drivers.led.bx5 import Align, Area, AreaSettings, DisplayMode
from hall.drivers.port import SerialLink
from hall.drivers.voice import Voice, VoiceSettings
from hall.queue.announcements import store as announcements
from hall.queue.core import rows
from hall.queue.core.domain import QueueError, WindowState
from hall.queue.core.tables.tickets import windows_table
from hall.queue.core.writer import Event, Tx
from hall.queue.devices.rotation import BoardRotation
from hall.queue.devices.window_boards import WindowBoards
from hall.queue.ratings import ratings
from hall.queue.tickets import calling
from hall.queue.tickets.calling import Actor

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


class DeviceHub:
    """Owns the device links of one daemon; see the module docstring."""

    def __init__(self, daemon: Any, ports: dict[str, str] | None = None) -> None:
        """``ports`` overrides the config's bus ports (the launcher's simulators)."""
        self.daemon = daemon
        self.config = daemon.config
        self.devices = self.config.devices
        self.ports = ports or {}
        self.links: dict[str, SerialLink] = {}
        self.keypads: KeypadBus | None = None
        self.sessions: EvaluatorSessions | None = None
        self.leds: LedBus | None = None
        self.voice: Voice | None = None
        self.history = (
            HallHistory(self.devices.led_bus.hall_board.calls) if self._hall_board() else None
        )
        self._keypad_window = {
            w.devices.keypad: w.number for w in self.config.windows if w.devices.keypad is not None
        }
        self._evaluator_window = {
            w.devices.evaluator: w.number
            for w in self.config.windows
            if w.devices.evaluator is not None
        }
        self._asked: dict[int, tuple[str, str]] = {}  # evaluator addr -> (number, ticket id)
        self._waiting: dict[str, int] = {}  # service -> tickets waiting, from the events
        self._counting: dict[int, int] = {}  # idle window -> count its keypad shows
        self._reported: dict[str, dict[str, Any]] = {}  # devices kiosks report (printers)
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        # Between calls: who serves at the window, or 暂停服务 (亮证上岗, window_boards.py).
        self.boards = WindowBoards(self.config, daemon.ctx.schedule, daemon.clock, self._show)
        self.rotation: BoardRotation | None = None  # 公示/通报 on the boards between calls
        self._rotator: threading.Thread | None = None
        self.counters = {
            "key_commands": 0,
            "key_refused": 0,
            "ratings": 0,
            "unrated": 0,
            "ratings_refused": 0,
        }

    def _hall_board(self):
        return self.devices.led_bus.hall_board if self.devices.led_bus else None

    def _port(self, name: str, configured: str | None) -> str | None:
        return self.ports.get(name) or configured

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> None:
        """Open the configured buses and start the voice."""
        kb = self.devices.keypad_bus
        if kb and self._port("keypad_bus", kb.port):
            link = SerialLink(
                self._port("keypad_bus", kb.port),
                baudrate=kb.baudrate,
                retry_initial=0.2,
                retry_max=5.0,
            )
            self.keypads = KeypadBus(link, on_command=self._on_command, four_key=kb.four_key)
            self.sessions = EvaluatorSessions(
                self.keypads, timeout=kb.evaluator_timeout_s, on_result=self._on_rating
            )
            self.keypads.on_rating = self.sessions.handle_rating
            self.links["keypad_bus"] = link
            link.start()
            self._ticker = threading.Thread(target=self._tick, name="evaluator-tick", daemon=True)
            self._ticker.start()
        lb = self.devices.led_bus
        if lb and self._port("led_bus", lb.port):
            link = SerialLink(
                self._port("led_bus", lb.port),
                baudrate=lb.baudrate,
                retry_initial=0.2,
                retry_max=5.0,
            )
            self.links["led_bus"] = link
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
        vc = self.devices.voice
        if vc.enabled:
            wav_dir = Path(self.daemon.data_dir) / vc.wav_dir if vc.wav_dir else None
            if wav_dir:
                wav_dir.mkdir(parents=True, exist_ok=True)
            self.voice = Voice(
                VoiceSettings(
                    voice=vc.voice,
                    speed=vc.speed,
                    repeat=vc.repeat,
                    output_dir=wav_dir,
                    play=vc.play,
                )
            ).start()
        self.daemon.bus.add_listener(self.on_events)

    def stop(self) -> None:
        """Stop every device thread and close the ports."""
        self._stop.set()
        if self._ticker:
            self._ticker.join(5)
        self.boards.stop()
        if self._rotator:
            self._rotator.join(5)
        if self.leds:
            self.leds.close()
        if self.voice:
            self.voice.close(timeout=5)
        for link in self.links.values():
            link.stop()

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

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self.sessions.tick()

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

    # -- events out ------------------------------------------------------------
    def on_events(self, batch: list[Event]) -> None:
        """Called after each commit: queue device updates for the events."""
        for ev in batch:
            if isinstance(ev.data, dict) and isinstance(ev.data.get("waiting"), dict):
                self._waiting.update(ev.data["waiting"])
        for ev in batch:
            handler = getattr(self, "_on_" + ev.type.replace(".", "_"), None)
            if handler is not None:
                try:
                    handler(ev.data)
                except DriverError as exc:
                    log.warning("device update for %s failed: %s", ev.type, exc)
        for window, shown in list(self._counting.items()):
            if self._window_waiting(window) != shown:
                try:
                    self._keypad_count(window)
                except DriverError as exc:
                    log.warning("keypad count for window %d failed: %s", window, exc)

    def _show(self, window: int, text: str, hold: bool = False) -> None:
        """The window board's own text now; ``hold``: no announcements until it is idle."""
        cfg = self.config.window(window)
        if self.leds and cfg and cfg.devices.led_board is not None:
            self.leds.show(_board_id(window), text)
            if self.rotation:
                self.rotation.base(_board_id(window), text, self.daemon.clock(), hold=hold)

    def _keypad_show(self, window: int, number: str | None) -> None:
        """The number served, right-aligned (DEVICES.md §1), or blank (paused, closed)."""
        cfg = self.config.window(window)
        self._counting.pop(window, None)
        if self.keypads and cfg and cfg.devices.keypad is not None:
            self.keypads.show_number(cfg.devices.keypad, number or "")

    def _window_waiting(self, window: int) -> int:
        cfg = self.config.window(window)
        return sum(self._waiting.get(code, 0) for code in cfg.services) if cfg else 0

    def _keypad_count(self, window: int) -> None:
        """An idle window's keypad: the count waiting for it, left-aligned (DEVICES.md §1)."""
        cfg = self.config.window(window)
        if self.keypads and cfg and cfg.devices.keypad is not None:
            count = self._counting[window] = self._window_waiting(window)
            self.keypads.show_waiting(cfg.devices.keypad, count)

    def _on_submission_received(self, _data: dict) -> None:
        for forwarder in self.daemon.forwarders.values():
            forwarder.wake()

    def _on_ticket_called(self, data: dict) -> None:
        number, window = data["ticket"]["number"], data["window"]
        self._show(window, call_text(number, window), hold=True)
        if self.leds and self.history is not None:
            hall = self.history.add(number, window)
            self.leds.show(HALL_BOARD, hall)
            if self.rotation:
                self.rotation.base(HALL_BOARD, hall, self.daemon.clock())
        if self.voice:
            self.voice.announce(number, window)
        self._keypad_show(window, number)

    _on_ticket_recalled = _on_ticket_called

    def _on_window_changed(self, data: dict) -> None:
        w = data["window"]
        self.boards.changed(w)  # open: who serves here; closed: 暂停服务 and the next opening
        if w["state"] == WindowState.PAUSED:
            self._show(w["number"], PAUSED_TEXT)
            self._keypad_show(w["number"], None)
        elif w["state"] == WindowState.OPEN:
            self._keypad_count(w["number"])
        elif w["state"] == WindowState.CLOSED:
            self._keypad_show(w["number"], None)

    def _on_announcement_published(self, data: dict) -> None:
        if self.rotation:
            self.rotation.published(data["announcement"])

    def _on_announcement_withdrawn(self, data: dict) -> None:
        if self.rotation:
            self.rotation.withdrawn(data["announcement"]["id"])

    def _on_ticket_finished(self, data: dict) -> None:
        """一次一评: the window's evaluator asks for a rating of this case."""
        cfg = self.config.window(data["window"])
        if not (self.sessions and cfg and cfg.devices.evaluator is not None):
            return
        addr = cfg.devices.evaluator
        ticket = data["ticket"]
        self._asked[addr] = (ticket["number"], ticket["id"])
        self.sessions.ask(addr, ticket["number"])

    # -- input back ------------------------------------------------------------
    def _submit(self, op: Callable[[Tx], Any], on_error: Callable[[Exception], None]) -> None:
        fut: Future = self.daemon.writer.submit(op)

        def done(f: Future) -> None:
            exc = f.exception()
            if exc is not None:
                on_error(exc)

        fut.add_done_callback(done)

    def _on_command(self, cmd: KeyCommand) -> None:
        window = self._keypad_window.get(cmd.addr)
        if window is None:
            log.warning("keypad %d is not assigned to a window; key ignored", cmd.addr)
            return
        op = self._command_op(cmd.command, window, Actor("device", f"keypad {cmd.addr}"))
        self.counters["key_commands"] += 1

        def refused(exc: Exception) -> None:
            self.counters["key_refused"] += 1
            reason = exc.en if isinstance(exc, QueueError) else repr(exc)
            log.info("keypad %d (window %d) %s refused: %s", cmd.addr, window, cmd.command, reason)
            try:
                self.keypads.beep(cmd.addr)  # the clerk hears that it did not work
            except DriverError:
                pass

        self._submit(op, refused)

    def _command_op(self, command: Command, window: int, actor: Actor) -> Callable[[Tx], Any]:
        ctx = self.daemon.ctx
        kb = self.devices.keypad_bus
        simple = {
            Command.CALL_NEXT: calling.call_next,
            Command.RECALL: calling.recall,
            Command.NO_SHOW: calling.no_show,
        }
        if command in simple:
            fn = simple[command]
            return lambda tx: fn(ctx, tx, actor, window)
        # A keypad has no reason key: its pause is recorded with vacancy.keypad_reason.
        reason = self.config.vacancy.keypad_reason
        if command == Command.HOLD:
            return lambda tx: calling.pause(ctx, tx, actor, window, reason)
        if command == Command.FINISH:
            return lambda tx: calling.finish(ctx, tx, actor, window, kb.finish_case_type)
        if command == Command.TRANSFER:
            target = kb.transfer_service or self.config.services[0].code
            return lambda tx: calling.transfer(ctx, tx, actor, window, target)
        if command == Command.PAUSE_TOGGLE:

            def toggle(tx: Tx) -> Any:
                paused = rows.window_row(tx, window).state == WindowState.PAUSED
                if paused:
                    return calling.resume(ctx, tx, actor, window)
                return calling.pause(ctx, tx, actor, window, reason)

            return toggle

        def call_back(tx: Tx) -> Any:  # Command.CALL_BACK: the window's latest no-show
            number = calling.latest_no_show(ctx, tx, window)
            return calling.requeue(ctx, tx, actor, window, number)

        return call_back

    def _on_rating(self, result: RatingResult) -> None:
        asked = self._asked.get(result.addr)
        if asked is None or asked[0] != result.ticket:
            log.warning("evaluator %d: result for %s with no open case", result.addr, result.ticket)
            return
        del self._asked[result.addr]
        level = result.level if result.outcome == RatingOutcome.RATED else None
        self.counters["ratings" if level is not None else "unrated"] += 1
        rating = ratings.Rating(
            ticket_id=asked[1],
            channel="evaluator",
            level=level,
            window=self._evaluator_window.get(result.addr),
            raw=result.raw,
            four_key=result.mapped_from_4key,
            device=f"evaluator@{result.addr}",
        )

        def refused(exc: Exception) -> None:
            self.counters["ratings_refused"] += 1
            log.warning("rating from evaluator %d refused: %s", result.addr, exc)

        self._submit(lambda tx: ratings.record(self.daemon.ctx, tx, rating), refused)

    # -- status ----------------------------------------------------------------
    def report(
        self,
        device_id: str,
        kind: str,
        status: str,
        detail: str,
        source: str,
        rejected: list[dict[str, str]] | None = None,
    ) -> bool:
        """Record a state a kiosk reports for its device; True if the status changed.

        ``rejected``: a terminal outbox's cases refused for good (receipt, reason).
        """
        old = self._reported.get(device_id)
        self._reported[device_id] = {
            "id": device_id,
            "kind": kind,
            "status": status,
            "detail": detail,
            "source": source,
            "reported_at": self.daemon.clock(),
            **({"rejected": rejected} if rejected else {}),
        }
        return old is None or old["status"] != status

    def reported(self, device_id: str) -> dict[str, Any] | None:
        """What a kiosk last reported for ``device_id`` (None: nothing since the start)."""
        found = self._reported.get(device_id)
        return dict(found) if found else None

    def status(self) -> list[dict[str, Any]]:
        """Every configured device with its status, last frame time and counters."""
        out: list[dict[str, Any]] = []
        for name in ("keypad_bus", "led_bus"):
            cfg = getattr(self.devices, name)
            if cfg is None:
                continue
            link = self.links.get(name)
            if link is None:
                out.append(
                    {
                        "id": name,
                        "kind": "bus",
                        "status": "not_connected",
                        "detail": "no port configured",
                    }
                )
                continue
            st = link.stats()
            out.append(
                {
                    "id": name,
                    "kind": "bus",
                    "port": st.url,
                    "status": str(st.status),
                    "bytes_in": st.bytes_in,
                    "bytes_out": st.bytes_out,
                    "reconnects": st.reconnects,
                    "last_rx": st.last_rx,
                    "last_error": st.last_error,
                    **(self.leds.counters if name == "led_bus" and self.leds else {}),
                }
            )
        out.extend(self._bus_devices())
        if self.leds:
            for board_id, st in self.leds.status().items():
                out.append({"id": f"led:{board_id}", "kind": "led_board", **st})
        if self.voice:
            out.append(
                {
                    "id": "voice",
                    "kind": "voice",
                    "status": str(self.voice.status),
                    **self.voice.counters,
                }
            )
        out.extend(dict(d) for d in self._reported.values())
        return out

    def _bus_devices(self) -> list[dict[str, Any]]:
        seen = self.keypads.devices() if self.keypads else {}
        link_status = str(self.keypads.status) if self.keypads else "not_connected"
        out = []
        for w in self.config.windows:
            for kind in ("keypad", "evaluator"):
                addr = getattr(w.devices, kind)
                if addr is None:
                    continue
                dev = seen.get(addr)
                out.append(
                    {
                        "id": f"{kind}@{addr}",
                        "kind": kind,
                        "window": w.number,
                        # A bus device is only known to be there once it has sent a frame.
                        "status": link_status
                        if dev and dev.last_frame
                        else ("unknown" if self.keypads else "not_connected"),
                        "last_frame": dev.last_frame if dev else None,
                        "frames_ok": dev.frames_ok if dev else 0,
                        "frames_bad": dev.frames_bad if dev else 0,
                        "four_key": addr
                        in (self.devices.keypad_bus.four_key if self.devices.keypad_bus else {}),
                    }
                )
        if self.sessions:
            out.append(
                {
                    "id": "evaluator-sessions",
                    "kind": "evaluator_sessions",
                    "status": link_status,
                    "pending": len(self.sessions.pending()),
                    "duplicates": self.sessions.duplicates,
                    "late": self.sessions.late,
                    "unsolicited": self.sessions.unsolicited,
                    **self.counters,
                }
            )
        return out
