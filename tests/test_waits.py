"""One waiting-time rule: the paper ticket, the kiosk screen and the phone page say the same minutes."""

from __future__ import annotations

import re

import pytest

from hall.kiosk.i18n import Strings
from hall.kiosk.receipts import wait_text as printed
from hall.kiosk.ticketing import wait_line
from hall.queue.web.pages.citizen.ticket import wait_text as on_phone
from hall.waits import range_of, view_minutes, wait_minutes, wait_minutes_range


def figures(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def everywhere(view: dict) -> dict[str, list[int]]:
    """The minutes each medium shows for one daemon ticket view."""
    return {
        "paper": figures(printed(view["est_wait_s"], ahead=view["ahead"], range_s=range_of(view))),
        "kiosk": figures(wait_line(view, Strings("zh").t)),
        "phone": figures(on_phone(view, "zh")),
    }


@pytest.mark.parametrize(
    ("view", "minutes"),
    [
        ({"ahead": 3, "est_wait_s": 910}, [15]),  # the case: 15 on paper, 16 on the phone
        ({"ahead": 3, "est_wait_s": 929}, [15]),
        ({"ahead": 3, "est_wait_s": 930}, [16]),
        ({"ahead": 3, "est_wait_s": 250}, [4]),
        ({"ahead": 1, "est_wait_s": 10}, [1]),  # someone ahead: never under a minute
        ({"ahead": 3, "est_wait_s": 700, "est_wait_range_s": [610, 910]}, [10, 15]),
        ({"ahead": 3, "est_wait_s": 700, "est_wait_range_s": [910, 610]}, [10, 15]),
        ({"ahead": 3, "est_wait_s": 900, "est_wait_range_s": [880, 920]}, [15]),  # no "15–15"
        ({"ahead": 2, "est_wait_s": 0, "est_wait_range_s": [0, 200]}, [1, 3]),
    ],
)
def test_the_same_minutes_on_paper_on_the_kiosk_and_on_the_phone(view, minutes) -> None:
    assert everywhere(view) == {"paper": minutes, "kiosk": minutes, "phone": minutes}


def test_soon_is_the_same_everywhere_and_never_with_people_ahead() -> None:
    soon = {"ahead": 0, "est_wait_s": 0, "est_wait_range_s": [0, 0]}
    assert everywhere(soon) == {"paper": [1], "kiosk": [], "phone": []}  # "不到1分钟"
    assert view_minutes(soon) == (0, 0)
    assert view_minutes({"ahead": 1, "est_wait_s": 0, "est_wait_range_s": [0, 0]}) == (1, 1)


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(None, 0), (-5, 0), (0, 0), (29, 0), (30, 1), (89, 1), (90, 2), (910, 15), (930, 16)],
)
def test_seconds_round_to_the_nearest_minute(seconds, minutes) -> None:
    assert wait_minutes(seconds) == minutes


def test_range_of_a_view() -> None:
    assert range_of({"est_wait_range_s": [60, 120]}) == (60, 120)
    assert range_of({"est_wait_range_s": [None, 120]}) is None
    assert range_of({"est_wait_range_s": [1]}) is None
    assert range_of({}) is None
    assert wait_minutes_range(0, 300, None) == (5, 5)
