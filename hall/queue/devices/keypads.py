"""The hub's keypad side: the window keypads and the evaluators on the keypad bus.

Out: the number a window serves, or an idle window's count waiting (DEVICES.md
§1), and 一次一评 prompts on the window's evaluator. Back: a keypad's key becomes
the same writer operation as the caller panel's button (:mod:`hall.queue.tickets.
calling`), an evaluator's rating or 未评价 becomes :func:`hall.queue.ratings.
ratings.record`, with the same checks as the HTTP API; both arrive on the bus
reader thread and are only submitted to the writer. :class:`HubKeypads` is owned
by the hub (hub.py), which calls it from its event handlers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from hall.drivers.errors import DriverError
from hall.drivers.evaluator import EvaluatorSessions, RatingOutcome, RatingResult
from hall.drivers.keypad import Command, KeyCommand, KeypadBus
from hall.drivers.port import SerialLink
from hall.queue.core import rows
from hall.queue.core.domain import QueueError, WindowState
from hall.queue.core.writer import Event, Tx
from hall.queue.ratings import ratings
from hall.queue.tickets import calling
from hall.queue.tickets.calling import Actor

log = logging.getLogger(__name__)


class HubKeypads:
    """The keypad bus of one daemon's hub: keypad displays, keys, evaluator sessions."""

    def __init__(self, daemon: Any) -> None:
        """Nothing is opened until :meth:`start`; the windows' keypads and evaluators are known."""
        self.daemon = daemon
        self.config = daemon.config
        self.devices = self.config.devices
        self.keypads: KeypadBus | None = None
        self.sessions: EvaluatorSessions | None = None
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
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self.counters = {
            "key_commands": 0,
            "key_refused": 0,
            "ratings": 0,
            "unrated": 0,
            "ratings_refused": 0,
        }

    # -- lifecycle -------------------------------------------------------------
    def start(self, link: SerialLink) -> None:
        """Drive the keypads and evaluators on the keypad bus's ``link`` (not started yet)."""
        kb = self.devices.keypad_bus
        self.keypads = KeypadBus(link, on_command=self._on_command, four_key=kb.four_key)
        self.sessions = EvaluatorSessions(
            self.keypads, timeout=kb.evaluator_timeout_s, on_result=self._on_rating
        )
        self.keypads.on_rating = self.sessions.handle_rating

    def start_ticker(self) -> None:
        """Start the evaluator sessions' clock (timeouts become 未评价), once the link runs."""
        self._ticker = threading.Thread(target=self._tick, name="evaluator-tick", daemon=True)
        self._ticker.start()

    def stop(self) -> None:
        """Stop the evaluator ticker (the hub closes the port)."""
        self._stop.set()
        if self._ticker:
            self._ticker.join(5)

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self.sessions.tick()

    # -- events out ------------------------------------------------------------
    def note_waiting(self, batch: list[Event]) -> None:
        """Take the counts waiting per service from a batch's events, before its handlers."""
        for ev in batch:
            if isinstance(ev.data, dict) and isinstance(ev.data.get("waiting"), dict):
                self._waiting.update(ev.data["waiting"])

    def recount(self) -> None:
        """After a batch: each idle window's keypad shows its count again if it changed."""
        for window, shown in list(self._counting.items()):
            if self._window_waiting(window) != shown:
                try:
                    self._keypad_count(window)
                except DriverError as exc:
                    log.warning("keypad count for window %d failed: %s", window, exc)

    def show_number(self, window: int, number: str | None) -> None:
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

    def window_changed(self, w: dict) -> None:
        """A window's new state (its event's view): blank when paused or closed, else its count."""
        if w["state"] == WindowState.PAUSED:
            self.show_number(w["number"], None)
        elif w["state"] == WindowState.OPEN:
            self._keypad_count(w["number"])
        elif w["state"] == WindowState.CLOSED:
            self.show_number(w["number"], None)

    def ask(self, data: dict) -> None:
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
    def status(self) -> list[dict[str, Any]]:
        """Each window's keypad and evaluator as last heard on the bus, and the sessions."""
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
