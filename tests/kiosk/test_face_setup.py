"""hall.kiosk.face_setup: which face parts a device gets from config.yaml, per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.config import HallConfig, load_config
from hall.drivers.camera import SimCamera
from hall.kiosk.client import DaemonClient
from hall.kiosk.context import KioskContext
from hall.kiosk.face_checkin import FaceTerminal
from hall.kiosk.face_setup import add_face
from hall.kiosk.face_store import CitizenFaces
from hall.kiosk.i18n import Strings
from tests.support import hall_config, write_config

KEY = "ab" * 32
TERMINAL = {"name": "win3", "token": "terminal-token-3", "windows": [3]}


def frame_file(folder: Path) -> str:
    """One grey 64 x 48 PGM picture (OpenCV reads it)."""
    path = folder / "frame.pgm"
    path.write_bytes(b"P5\n64 48\n255\n" + bytes(range(48)) * 64)
    return str(path)


def config(tmp_path: Path, face_key: str | None = KEY, **kiosk: object) -> HallConfig:
    cfg = hall_config(
        attendance={"terminals": [TERMINAL]},
        face={"template_key": face_key},
        kiosk={"data_dir": str(tmp_path / "terminal"), **kiosk},
    )
    return load_config(write_config(tmp_path / "config.yaml", cfg))


@pytest.fixture
def make_ctx() -> Iterator:
    made: list[KioskContext] = []

    def make(cfg: HallConfig) -> KioskContext:
        ctx = KioskContext(
            settings=cfg.kiosk, client=DaemonClient(cfg.kiosk.daemon_url, None), strings=Strings()
        )
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        if ctx.face_terminal is not None:
            ctx.face_terminal.client.close()
        ctx.client.close()
        ctx.close()


def face_parts(ctx: KioskContext) -> list:
    return [
        ctx.face_config,
        ctx.face_engine,
        ctx.face_camera,
        ctx.face_terminal,
        ctx.citizen_faces,
    ]


def test_caller_with_an_unknown_terminal_refuses_to_start(tmp_path: Path, make_ctx) -> None:
    cfg = config(
        tmp_path,
        face_camera={"type": "sim", "frames": [frame_file(tmp_path)]},
        face_terminal="win7",
    )
    ctx = make_ctx(cfg)
    with pytest.raises(SystemExit, match="no attendance.terminals entry named 'win7'"):
        add_face(ctx, cfg, "caller")
    assert face_parts(ctx) == [None] * 5


@pytest.mark.parametrize("role", ["caller", "kiosk", "lobby"])
def test_no_face_camera_no_face_check_in(tmp_path: Path, make_ctx, role: str) -> None:
    cfg = config(tmp_path, face_terminal="win3")
    ctx = make_ctx(cfg)
    add_face(ctx, cfg, role)
    assert face_parts(ctx) == [None] * 5


def test_caller_gets_its_terminal_engine_and_camera(tmp_path: Path, make_ctx) -> None:
    cfg = config(
        tmp_path,
        face_camera={"type": "sim", "frames": [frame_file(tmp_path)]},
        face_terminal="win3",
    )
    ctx = make_ctx(cfg)
    add_face(ctx, cfg, "caller")
    terminal = ctx.face_terminal
    assert isinstance(terminal, FaceTerminal) and terminal.name == "win3"
    assert terminal.client.token == TERMINAL["token"]  # the terminal's own device token
    assert terminal.engine is ctx.face_engine and terminal.describe().startswith("classic")
    assert terminal.store.dir == tmp_path / "terminal" / "faces" / "staff"
    assert isinstance(ctx.face_camera, SimCamera) and ctx.face_camera.read().shape == (48, 64, 3)
    assert ctx.face_config == cfg.face and ctx.citizen_faces is None
    # The kiosk role gets the citizens' store instead; the lobby nothing.
    kiosk = make_ctx(cfg)
    add_face(kiosk, cfg, "kiosk")
    assert isinstance(kiosk.citizen_faces, CitizenFaces) and kiosk.face_terminal is None
    lobby = make_ctx(cfg)
    add_face(lobby, cfg, "lobby")
    assert face_parts(lobby) == [None] * 5


def test_a_caller_without_face_terminal_gets_no_faces(tmp_path: Path, make_ctx) -> None:
    cfg = config(tmp_path, face_camera={"type": "sim", "frames": [frame_file(tmp_path)]})
    ctx = make_ctx(cfg)
    add_face(ctx, cfg, "caller")
    assert face_parts(ctx) == [None] * 5


def test_a_camera_that_does_not_open_only_turns_faces_off(tmp_path: Path, make_ctx) -> None:
    cfg = config(
        tmp_path,
        face_camera={"type": "sim", "frames": [str(tmp_path / "absent.png")]},
        face_terminal="win3",
    )
    ctx = make_ctx(cfg)
    add_face(ctx, cfg, "caller")
    assert face_parts(ctx) == [None] * 5


def test_no_template_key_only_turns_faces_off(tmp_path: Path, make_ctx) -> None:
    cfg = config(
        tmp_path,
        face_key=None,
        face_camera={"type": "sim", "frames": [frame_file(tmp_path)]},
        face_terminal="win3",
    )
    ctx = make_ctx(cfg)
    add_face(ctx, cfg, "caller")
    assert face_parts(ctx) == [None] * 5


def test_a_bad_camera_type_refuses_to_start(tmp_path: Path, make_ctx) -> None:
    cfg = config(tmp_path, face_camera={"type": "webcam"}, face_terminal="win3")
    with pytest.raises(SystemExit, match="kiosk.face_camera: camera type 'webcam'"):
        add_face(make_ctx(cfg), cfg, "caller")
