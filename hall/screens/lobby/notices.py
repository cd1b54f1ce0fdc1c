"""The lobby's band (公示 and figures): one line at a time, in turn, above the footer.

:class:`LobbyBand` reads GET /announcements/current and GET /figures/public
through the lobby's bridge (at start, after a reconnect and every
:data:`FIGURES_EVERY_S`), follows ``announcement.*`` events handed on by the
lobby root, and steps to the next line every :data:`STEP_S` seconds. What the
lines say is :mod:`hall.screens.lobby.band`.

A reload's answer can be older than an event already shown: the job reads
/announcements/current, then /figures/public, and a 公示 published between the two
reaches the band by its event first. So the events that came while a reload was
out are applied again on its answer (applying one twice changes nothing).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from hall.kiosk.client import DaemonError
from hall.screens.lobby.band import band_items

log = logging.getLogger(__name__)

#: Seconds each line of the band stays.
STEP_S = 8.0
#: How often the figures are read again (the daemon computes them at most every 30 s).
FIGURES_EVERY_S = 60.0


class LobbyBand(BoxLayout):
    """The band: ``label`` (表彰, 今日 …) and ``text``; :meth:`start` wires it to the lobby."""

    label = StringProperty("")
    text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self.announcements: list[dict[str, Any]] = []
        self.figures: dict[str, Any] | None = None
        self.index = 0
        self._root: Any = None
        self._seen = 0  # announcement events handled so far
        self._recent: list[tuple[int, str, dict]] = []  # those since the oldest reload out
        self._reloads: list[int] = []  # for each reload out: ``_seen`` when it was asked
        super().__init__(**kwargs)

    def start(self, root: Any) -> None:
        """Use the lobby root's context, bridge and strings (``root.tr``, ``root.lang``)."""
        self._root = root
        root.bridge.every(STEP_S, lambda _dt: self.step())
        root.bridge.every(FIGURES_EVERY_S, lambda _dt: self.reload())
        self.reload()

    def reload(self) -> None:
        """Read the announcements in force and the public figures on the worker."""
        if self._root is None:
            return
        client = self._root.ctx.client
        asked = self._seen
        self._reloads.append(asked)
        self._root.bridge.submit(
            lambda: (client.announcements_current(), client.public_figures()),
            lambda result: self._loaded(asked, result),
            lambda exc: self._failed(asked, exc),
        )

    def _loaded(self, asked: int, result: tuple[list[dict], dict]) -> None:
        self.announcements, self.figures = result
        for seq, kind, a in self._recent:
            if seq > asked:  # came while this reload was out: the answer may predate it
                self._apply(kind, a)
        self._answered(asked)
        self.show()

    def _failed(self, asked: int, exc: DaemonError) -> None:
        self._answered(asked)
        log.info("lobby band not read: %s", exc.message_en)

    def _answered(self, asked: int) -> None:
        """Forget the events no reload still out can need."""
        self._reloads.remove(asked)
        oldest = min(self._reloads, default=self._seen)
        self._recent = [e for e in self._recent if e[0] > oldest]

    def on_event(self, kind: str, data: dict) -> None:
        """``announcement.published`` / ``.withdrawn`` from the lobby's event stream."""
        if kind in ("announcement.published", "announcement.withdrawn"):
            self._seen += 1
            if self._reloads:
                self._recent.append((self._seen, kind, data["announcement"]))
            self._apply(kind, data["announcement"])
            self.show()
        elif kind in ("queue.reset", "reset"):
            self.reload()

    def _apply(self, kind: str, a: dict[str, Any]) -> None:
        kept = [x for x in self.announcements if x["id"] != a["id"]]
        self.announcements = kept + [a] if kind == "announcement.published" else kept

    def items(self) -> list[tuple[str, str]]:
        """Every line of the band now, in the lobby's language."""
        if self._root is None:
            return []
        now = self._root.ctx.now().timestamp()
        return band_items(self.announcements, self.figures, now, self._root.lang, self._root.tr)

    def step(self) -> None:
        """The next line."""
        self.index += 1
        self.show()

    def show(self) -> None:
        """Show the current line (the first again when the list got shorter)."""
        items = self.items()
        if not items:
            self.label = self.text = ""
            return
        self.label, self.text = items[self.index % len(items)]


Builder.load_file(str(Path(__file__).with_name("notices.kv")))
