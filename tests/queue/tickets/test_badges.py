"""亮证上岗: the clerk at a window in public (name, 工号, title), photos, never a staff id.

Against a real daemon: GET /windows and the event stream as the lobby display
sees them, the staff login's answer, and GET /windows/{n}/photo by role.
"""

from __future__ import annotations

import json
import logging
import struct
import zlib
from pathlib import Path

import pytest

from hall.config import HallConfig
from hall.queue.tickets import badges
from tests.sse import SseReader
from tests.support import Daemon, hall_config

CLERK = {"name": "员工1", "badge": "0231", "title": "综合受理员", "title_en": "Front desk clerk"}


def png(width: int = 2, height: int = 3) -> bytes:
    """A real (tiny, grey) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def badge_config() -> dict:
    """The test hall: staff 1 with title, badge and photo; staff 2 with a title only."""
    cfg = hall_config()
    cfg["staff"][0].update(
        title="综合受理员", title_en="Front desk clerk", badge="0231", photo="photos/s1.png"
    )
    cfg["staff"][1].update(title="科员")
    return cfg


@pytest.fixture
def daemon(make_daemon, tmp_path: Path) -> Daemon:
    photos = tmp_path / "d" / "data" / "photos"
    photos.mkdir(parents=True)
    (photos / "s1.png").write_bytes(png())
    return make_daemon(badge_config())


def test_the_public_clerk_is_name_badge_and_title_only() -> None:
    config = HallConfig.model_validate(badge_config())
    assert badges.public_clerk(config, "S001") == CLERK
    assert badges.public_clerk(config, "S002") == {
        "name": "员工2",
        "badge": None,  # no badge configured: none shown, never the sign-in id
        "title": "科员",
        "title_en": "",
    }
    assert badges.public_clerk(config, None) is None
    assert badges.public_clerk(config, "gone") is None  # a session of a removed staff member


def test_photos_are_checked_at_start(tmp_path: Path, caplog) -> None:
    cfg = hall_config()
    for person, photo in zip(
        cfg["staff"], ("ok.png", "absent.png", "text.jpg", "big.png", "ok.jpg"), strict=False
    ):
        person["photo"] = photo
    (tmp_path / "ok.png").write_bytes(png())
    (tmp_path / "text.jpg").write_text("not a picture")
    (tmp_path / "big.png").write_bytes(png() + bytes(badges.MAX_PHOTO_BYTES))
    (tmp_path / "ok.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(64))
    with caplog.at_level(logging.WARNING):
        photos = badges.load_photos(HallConfig.model_validate(cfg), tmp_path)
    assert {k: v.media_type for k, v in photos.items()} == {
        "S001": "image/png",
        "S005": "image/jpeg",
    }
    warned = caplog.text
    for sid, why in (("S002", "absent.png"), ("S003", "JPEG"), ("S004", "MB")):
        line = next(r.message for r in caplog.records if sid in r.message)
        assert why in line and "staff" in line, warned


def test_the_display_sees_the_clerk_but_never_a_staff_id(daemon: Daemon) -> None:
    display = daemon.api("display-token-1")
    stream = SseReader(daemon.base, "display-token-1")
    try:
        login = daemon.api(None).post(
            "/staff/login", {"staff_id": "S001", "pin": "2468", "window": 1}
        )
        assert login.status_code == 200 and login.json()["clerk"] == CLERK
        seen = stream.next(timeout=10)
        while seen.type != "window.changed":
            seen = stream.next(timeout=10)
    finally:
        stream.close()
    assert seen.data["window"]["clerk"] == CLERK
    assert seen.data["window"]["state"] == "open"
    windows = display.get("/windows").json()
    one = next(w for w in windows if w["number"] == 1)
    assert one["clerk"] == CLERK
    assert all(w["clerk"] is None for w in windows if w["number"] != 1)
    raw = json.dumps([windows, seen.data], ensure_ascii=False)
    assert "S001" not in raw and "staff_id" not in raw and "photo" not in raw


def test_the_clerks_photo_by_role(daemon: Daemon) -> None:
    display = daemon.api("display-token-1")
    assert display.get("/windows/1/photo").status_code == 404  # nobody signed in
    clerk = daemon.staff("S001", 1)
    daemon.staff("S002", 2)  # signed in, no photo
    for who in (display, clerk, daemon.api("manager-token-1")):
        r = who.get("/windows/1/photo")
        assert r.status_code == 200 and r.content == png(), who
        assert r.headers["content-type"] == "image/png"
    refused = daemon.api("kiosk-token-1").get("/windows/1/photo")
    assert refused.status_code == 403
    assert daemon.api(None).get("/windows/1/photo").status_code == 401
    missing = display.get("/windows/2/photo")
    assert missing.status_code == 404 and "照片" in missing.text and "photo" in missing.text
    assert display.get("/windows/99/photo").status_code in (404, 422)


def test_closed_windows_say_when_the_hall_opens_next(daemon: Daemon) -> None:
    daemon.staff("S001", 1)
    windows = daemon.api("display-token-1").get("/windows").json()
    # The test hall is shut today and tomorrow (tests/support/config.py): Thursday 09:00.
    assert {w["number"]: w["opens_at"] for w in windows} == {
        1: None,  # a clerk is signed in
        **{n: "2026-06-04T09:00:00+08:00" for n in range(2, 6)},
    }


def test_while_the_hall_is_open_a_closed_window_has_no_opening(make_daemon) -> None:
    cfg = hall_config()
    cfg["hall"]["hours"]["closed_dates"] = []  # 10:00 on a Tuesday: open
    windows = make_daemon(cfg, name="open").api("display-token-1").get("/windows").json()
    assert [w["opens_at"] for w in windows] == [None] * 5
