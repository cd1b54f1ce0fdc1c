"""The hall the screen atlas photographs: the demo config.yaml, a real daemon, real data.

:class:`DemoHall` starts ``python -m hall.queue`` with the demo config on a
temporary data dir and a free loopback port, every service open at any hour
(so the atlas looks the same at night), then fills it as a morning in the hall
would: tickets for every service (one priority), clerks signed in at five
windows, numbers called, one case finished (the rating page), and two
self-service cases (one waiting for 补正) for the manager and progress pages.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import os
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import yaml
from PIL import Image

from hall.config import HallConfig, load_config
from hall.idnumber import check_char
from hall.processes import daemon_argv, stop

ROOT = Path(__file__).resolve().parent.parent.parent
#: The demo staff's PIN (config.yaml: "every PIN is 1234").
DEMO_PIN = "1234"
ID_NUMBER = "32010219850612003" + check_char("32010219850612003")


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(cond: Any, timeout: float, what: str) -> None:
    """Wait until ``cond()`` is true (polling, a few ms apart) or fail saying ``what``."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.02)  # waiting on another process


def _jpeg(seed: int) -> bytes:
    img = Image.new("RGB", (320, 240), (200 + seed % 50, 200, 190))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    return out.getvalue()


class DemoHall:
    """A running daemon on the demo config, filled with a morning's data."""

    def __init__(self, folder: Path, config_path: Path = ROOT / "config.yaml") -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        for service in raw["services"]:
            service["hours"] = "always"  # the atlas must not depend on the hour it runs
        raw["kiosk"].update(
            daemon_url=self.base,
            follow_url=self.base + "/t/{id}",
            progress_url=self.base + "/progress?receipt={receipt}",
            data_dir=str(folder / "kiosk"),
        )
        raw["storage"]["data_dir"] = str(folder / "data")
        self.config_path = folder / "config.yaml"
        self.config_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        self.config: HallConfig = load_config(self.config_path)
        self.tokens = {t.role: t.token for t in self.config.api.tokens}
        self.proc: subprocess.Popen | None = None
        self.http = requests.Session()
        self.tickets: dict[str, dict[str, Any]] = {}
        self.receipts: list[str] = []

    # -- process -----------------------------------------------------------------
    def start(self) -> DemoHall:
        """Start the daemon and wait until it answers /health."""
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        self.log = open(self.folder / "daemon.log", "wb")  # closed in stop()
        argv = daemon_argv(self.config_path, self.folder / "data", port=self.port)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        poll(self._healthy, 30, f"the daemon (log: {self.folder / 'daemon.log'})")
        return self

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"daemon exited; see {self.folder / 'daemon.log'}")
        try:
            return requests.get(self.base + "/api/v1/health", timeout=1).ok
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or a busy machine
            return False

    def stop(self) -> None:
        """Stop the daemon."""
        self.http.close()
        if self.proc:
            stop(self.proc)
        self.log.close()

    # -- API ---------------------------------------------------------------------
    def post(self, path: str, body: Any = None, token: str | None = None) -> dict[str, Any]:
        """POST to the API; fail loudly on a refusal (the atlas's data must be real)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self.http.post(self.base + "/api/v1" + path, json=body, headers=headers, timeout=10)
        if not r.ok:
            raise RuntimeError(f"POST {path}: {r.status_code} {r.text}")
        return r.json()

    def login(self, staff_id: str, window: int) -> str:
        """Sign a clerk in at a window; their token."""
        body = {"staff_id": staff_id, "pin": DEMO_PIN, "window": window}
        return self.post("/staff/login", body)["token"]

    def fill(self) -> DemoHall:
        """A morning's data: tickets, calls, a finished case, two self-service cases."""
        kiosk = self.tokens["kiosk"]
        plan = [("general", False)] * 6 + [("lost_certs", False)] * 3
        plan += [("real_estate", False)] * 2 + [("business", True), ("business", False)]
        plan += [("social", False), ("exit_entry", False)]
        for service, priority in plan:
            t = self.post("/tickets", {"service": service, "priority": priority}, kiosk)
            self.tickets[t["number"]] = t
        clerks = {1: "S001", 2: "S002", 4: "S004", 6: "S006", 8: "S008"}
        self.staff = {n: self.login(s, n) for n, s in clerks.items()}
        for window in (2, 1, 4, 6):
            self.post(f"/windows/{window}/call", token=self.staff[window])
        self.post("/windows/2/start", token=self.staff[2])
        self.finished = self.post("/windows/2/finish", {"case_type": "即办件"}, self.staff[2])
        # Its page shows the rating form only with the key the kiosk printed in its QR code.
        self.finished_key = next(
            t["rating_key"] for t in self.tickets.values() if t["id"] == self.finished["id"]
        )
        self.post("/windows/2/call", token=self.staff[2])
        self.waiting = next(t for t in reversed(self.tickets.values()) if t["number"][0] == "A")
        self.receipts = [self._case(1, []), self._case(2, ["营业执照复印件"])]
        return self

    def _case(self, seed: int, missing: list[str]) -> str:
        """A self-service case as a terminal forwards it (one waits for 补正)."""
        today = dt.datetime.now(dt.UTC).astimezone().date()
        receipt = f"ZZ99{today:%Y%m%d}{seed:04d}"
        images = [_jpeg(seed), _jpeg(seed + 7)]
        case = {
            "id": uuid.uuid4().hex,
            "receipt": receipt,
            "terminal": "atlas",
            "matter": "SJ-DJ-001",
            "submitted_at": dt.datetime.now(dt.UTC).isoformat(),
            "applicant": {"name": "王小明", "id_number": ID_NUMBER, "phone": "13912345678"},
            "form": {"company_name": "示范科技有限公司"},
            "materials": [
                {
                    "name": f"材料{i + 1}",
                    "mandatory": True,
                    "sha256": hashlib.sha256(img).hexdigest(),
                    "jpeg_b64": base64.b64encode(img).decode(),
                }
                for i, img in enumerate(images)
            ],
            "missing": missing,
            "promised_date": None,
        }
        # Missing mandatory materials: the register opens it as 待补正 with those items.
        self.post("/submissions", case, self.tokens["kiosk"])
        return receipt
