"""Loading the templates of one face check-in attempt, and destroying them (real daemon)."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import numpy as np

from hall.kiosk.appointment_faces import load
from hall.kiosk.client import DaemonClient
from hall.kiosk.face_store import CitizenFaces
from hall.vision.face import FaceTemplate
from tests.support import Daemon

KEY = "c3" * 32


def book_face(daemon: Daemon, service: str, seed: int) -> tuple[str, FaceTemplate]:
    now = daemon.now()
    template = FaceTemplate("classic", np.random.default_rng(seed).random((3, 64), np.float32))
    body = {
        "service": service,
        "slot_start": (now - dt.timedelta(minutes=5)).isoformat(),
        "slot_end": (now + dt.timedelta(minutes=25)).isoformat(),
        "face_template": base64.b64encode(template.to_bytes()).decode(),
        "face_consent": "v1",
    }
    r = daemon.api("manager-token-1").post("/appointments", body)
    assert r.status_code == 201, r.text
    return r.json()["code"], template


def test_load_enrols_each_open_template_and_release_destroys_them(daemon: Daemon, tmp_path: Path):
    first, template = book_face(daemon, "vip", 1)
    second, _ = book_face(daemon, "vip", 2)
    book_face(daemon, "general", 3)  # another service: not loaded
    citizens = CitizenFaces(tmp_path, KEY)
    client = DaemonClient(daemon.base, "kiosk-token-1")
    loaded = load(client, citizens, "vip", "classic")
    assert sorted(loaded.codes) == sorted([first, second])
    stored = citizens.store.load(first)
    assert stored is not None and np.array_equal(stored.features, template.features)
    assert citizens.store.header(first)["consent"] == "v1"
    assert len(list((tmp_path / "citizen").glob("*.bin"))) == 2
    assert loaded.release() == 2
    assert list((tmp_path / "citizen").iterdir()) == []
    assert loaded.release() == 0  # idempotent: the watch thread and a cancel may both call it
    client.close()


def test_templates_of_another_engine_are_left_out(daemon: Daemon, tmp_path: Path):
    book_face(daemon, "vip", 4)
    citizens = CitizenFaces(tmp_path, KEY)
    client = DaemonClient(daemon.base, "kiosk-token-1")
    loaded = load(client, citizens, "vip", "dnn")  # a kiosk running the other engine
    assert len(loaded) == 0 and list((tmp_path / "citizen").iterdir()) == []
    client.close()
