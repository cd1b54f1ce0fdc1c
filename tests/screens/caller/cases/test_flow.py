"""Every 办件 screen of the caller fits: zh and en, the usual panel, 480x800 and large text.

The layout checker (hall/tools/layout_check.py) walks each screen as it is shown in
the flow against a real daemon — the offer at 办结, the 登记办件 form, the case with
an action's form open, the department's list, the panel with its 本部门办件 button —
and finds no text cut or overflowing, no overlapping or small touch target, nothing
outside the window. A picture of each is written for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hall.screens.caller.root import CallerRoot
from hall.tools.layout_check import check_tree
from tests.kivy_harness import by_id, idle, idle_until, screenshot, tap
from tests.screens.caller.cases.support import (
    case_context,
    open_by_taps,
    serve_and_finish,
    signed_in,
)
from tests.screens.caller.sizing import MODES, sized_caller
from tests.screens.caller.test_panel import caller_of
from tests.support import Daemon

#: Text drawn this much larger in "large" mode (a system's large-text setting).


@pytest.fixture(params=MODES)
def sized(request: pytest.FixtureRequest, dept_daemon: Daemon) -> Iterator[tuple[CallerRoot, str]]:
    """Window 3's caller at the test window's size, at 480x800 (its scale), or in large text."""
    with sized_caller(
        request.param, lambda: caller_of(dept_daemon, 3, **case_context(dept_daemon))
    ) as root:
        yield root, request.param


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_case_screen_fits(
    sized: tuple[CallerRoot, str], dept_daemon: Daemon, language: str
) -> None:
    root, mode = sized
    if language == "en":
        root.switch_language()
    signed_in(root, "S003")

    def fits(screen: str) -> None:
        idle(3)
        found, _targets = check_tree(root, screen, f"{language}-{mode}")
        assert not found, "\n".join(map(str, found))
        screenshot(f"caller-{screen}-{language}-{mode}")

    serve_and_finish(root, dept_daemon, "承诺件")
    assert idle_until(lambda: root.panel._sheet is not None, 3)
    fits("case-offer")
    tap(by_id(root, "choice-open-case"))
    tap(by_id(root, "matter-BDC-BF-001"))
    fits("case-open")
    tap(by_id(root, "case-cancel"))
    serve_and_finish(root, dept_daemon, "承诺件")
    open_by_taps(root, "BDC-BF-001")
    fits("case-detail")
    tap(by_id(root, "act-return"))
    tap(by_id(root, "missing-遗失声明"))
    fits("case-return-form")
    tap(by_id(root, "form-cancel"))
    tap(by_id(root, "act-reject"))  # 把关权: two text boxes
    fits("case-reject-form")
    tap(by_id(root, "form-cancel"))
    tap(by_id(root, "case-back"))
    assert idle_until(lambda: root.current == "case-list" and root.cases.listing.cases, 5)
    fits("case-list")
    tap(by_id(root, "case-list-back"))
    assert root.current == "panel"
    fits("case-panel")
