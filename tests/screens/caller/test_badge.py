"""亮证上岗 on the caller panel: who is signed in (name, public 工号) and their photo, real frames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.config import KioskSection
from hall.kiosk.client import DaemonClient
from hall.kiosk.context import KioskContext
from hall.kiosk.i18n import Strings
from hall.screens.caller.root import CallerRoot
from hall.tools.layout_check import labels_fit
from tests.kivy_harness import by_id, idle_until, mount, screenshot, tap
from tests.queue.tickets.test_badges import png
from tests.support import PIN, Daemon, hall_config


@pytest.fixture
def daemon(make_daemon, tmp_path: Path) -> Daemon:
    """The test hall: staff 3 with title, badge and a photo; staff 4 with neither."""
    photos = tmp_path / "d" / "data" / "photos"
    photos.mkdir(parents=True)
    (photos / "s3.png").write_bytes(png(30, 40))
    cfg = hall_config()
    cfg["staff"][2].update(
        title="不动产登记员", title_en="Registrar", badge="0415", photo="photos/s3.png"
    )
    cfg["staff"][3]["windows"] = [3, 4]
    return make_daemon(cfg)


@pytest.fixture
def caller(daemon: Daemon) -> Iterator[CallerRoot]:
    ctx = KioskContext(
        settings=KioskSection(daemon_url=daemon.base),
        client=DaemonClient(daemon.base, None),
        strings=Strings("zh"),
        hall_name="测试大厅",
    )
    root = mount(CallerRoot(ctx, 3))
    yield root
    root.shutdown()
    ctx.client.close()


def sign_in(root: CallerRoot, staff_id: str) -> None:
    by_id(root, "login-staff").text = staff_id
    by_id(root, "login-pin").text = PIN
    tap(by_id(root, "btn-login"))
    assert idle_until(lambda: root.current == "panel", 5)


def photo_shown(root: CallerRoot) -> tuple[int, int] | None:
    photo = by_id(root, "panel-photo")
    if photo.texture is None or photo.opacity == 0 or photo.width == 0:
        return None
    return tuple(photo.texture.size)


def test_the_panel_shows_who_is_signed_in_with_badge_and_photo(caller: CallerRoot) -> None:
    sign_in(caller, "S003")
    staff = by_id(caller, "panel-staff")
    assert idle_until(lambda: staff.text == "当前登录 员工3（工号0415）", 3), staff.text
    assert idle_until(lambda: photo_shown(caller) == (30, 40), 5), photo_shown(caller)
    assert not labels_fit(caller.panel)
    screenshot("caller-panel-badge")
    tap(by_id(caller, "btn-language"))
    assert idle_until(lambda: staff.text == "Signed in: 员工3 (No. 0415)", 3), staff.text
    assert "S003" not in staff.text
    tap(by_id(caller, "btn-logout"))
    assert idle_until(lambda: caller.current == "login", 5)
    # The next clerk never sees the last one's photo.
    assert caller.panel.ids.photo.texture is None


def test_a_clerk_without_badge_or_photo(caller: CallerRoot) -> None:
    sign_in(caller, "S004")
    staff = by_id(caller, "panel-staff")
    # No public number: the panel (the clerk's own screen) names the sign-in id as before.
    assert idle_until(lambda: staff.text == "当前登录 员工4（S004）", 3), staff.text
    assert idle_until(lambda: caller.panel.photo_checked, 5)
    assert photo_shown(caller) is None
    assert not labels_fit(caller.panel)
