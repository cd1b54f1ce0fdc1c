"""The daemon's fan-out to hall devices, and device input back into the queue.

Every committed event reaches :meth:`DeviceHub.on_events` on the writer thread;
it only queues work (LED frames, announcements, keypad frames), so a slow or
unplugged device never holds up the queue or another device. Keypad keys and
evaluator ratings arrive on the bus reader thread and are submitted to the
writer as ordinary operations, with the same checks as the HTTP API.

:class:`DeviceHub` is the one façade the daemon uses: it opens the buses, keeps
their links, dispatches each event to ``_on_<type>`` and reports every device's
state. Its sides live beside it: the LED boards in leds.py (:class:`HubLeds`),
the keypads and evaluators in keypads.py (:class:`HubKeypads`); the voice is
small and stays here.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from hall.drivers.errors import DriverError
from hall.drivers.port import SerialLink
from hall.drivers.voice import Voice, VoiceSettings
from hall.queue.core.writer import Event
from hall.queue.devices.keypads import HubKeypads
from hall.queue.devices.leds import HubLeds

log = logging.getLogger(__name__)


class DeviceHub:
    """Owns the device links of one daemon; see the module docstring."""

    def __init__(self, daemon: Any, ports: dict[str, str] | None = None) -> None:
        """``ports`` overrides the config's bus ports (the launcher's simulators)."""
        self.daemon = daemon
        self.config = daemon.config
        self.devices = self.config.devices
        self.ports = ports or {}
        self.links: dict[str, SerialLink] = {}
        self.keys = HubKeypads(daemon)  # keypads and evaluators (keypads.py)
        self.led = HubLeds(daemon)  # window and hall boards, the rotation (leds.py)
        self.voice: Voice | None = None
        self._reported: dict[str, dict[str, Any]] = {}  # devices kiosks report (printers)

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
            self.keys.start(link)
            self.links["keypad_bus"] = link
            link.start()
            self.keys.start_ticker()
        lb = self.devices.led_bus
        if lb and self._port("led_bus", lb.port):
            link = SerialLink(
                self._port("led_bus", lb.port),
                baudrate=lb.baudrate,
                retry_initial=0.2,
                retry_max=5.0,
            )
            self.links["led_bus"] = link
            self.led.start(link)
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
        self.keys.stop()
        self.led.stop()
        if self.voice:
            self.voice.close(timeout=5)
        for link in self.links.values():
            link.stop()

    # -- events out ------------------------------------------------------------
    def on_events(self, batch: list[Event]) -> None:
        """Called after each commit: queue device updates for the events."""
        self.keys.note_waiting(batch)
        for ev in batch:
            handler = getattr(self, "_on_" + ev.type.replace(".", "_"), None)
            if handler is not None:
                try:
                    handler(ev.data)
                except DriverError as exc:
                    log.warning("device update for %s failed: %s", ev.type, exc)
        self.keys.recount()

    def _on_submission_received(self, _data: dict) -> None:
        for forwarder in self.daemon.forwarders.values():
            forwarder.wake()

    def _on_ticket_called(self, data: dict) -> None:
        number, window = data["ticket"]["number"], data["window"]
        self.led.called(number, window)
        if self.voice:
            self.voice.announce(number, window)
        self.keys.show_number(window, number)

    _on_ticket_recalled = _on_ticket_called

    def _on_window_changed(self, data: dict) -> None:
        w = data["window"]
        self.led.window_changed(w)
        self.keys.window_changed(w)

    def _on_announcement_published(self, data: dict) -> None:
        self.led.published(data["announcement"])

    def _on_announcement_withdrawn(self, data: dict) -> None:
        self.led.withdrawn(data["announcement"]["id"])

    def _on_ticket_finished(self, data: dict) -> None:
        """一次一评: the window's evaluator asks for a rating of this case."""
        self.keys.ask(data)

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
                    **(self.led.leds.counters if name == "led_bus" and self.led.leds else {}),
                }
            )
        out.extend(self.keys.status())
        out.extend(self.led.status())
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
