"""The phone page's wait text: a range when the estimate is uncertain, never "soon" with people ahead."""

from __future__ import annotations

import re

import pytest

from hall.queue.web.pages.citizen.render import STRINGS
from hall.queue.web.pages.citizen.ticket import wait_text

ZH, EN = STRINGS["zh"], STRINGS["en"]


def view(ahead: int, est: int | None = None, span: list[int] | None = None) -> dict:
    v: dict = {"ahead": ahead, "est_wait_s": est}
    if span is not None:
        v["est_wait_range_s"] = span
    return v


@pytest.mark.parametrize(
    ("v", "zh", "en"),
    [
        # H1's shape: a range whose ends are different minutes is shown as a range.
        (view(3, 420, [300, 600]), "约 5–10 分钟", "about 5–10 min"),
        (view(3, 420, [600, 300]), "约 5–10 分钟", "about 5–10 min"),
        # Both ends round to the same minute: one figure.
        (view(1, 100, [110, 120]), "约 2 分钟", "about 2 min"),
        # The old shape, without a range: the single estimate.
        # 250 s is 4 minutes, as on the paper ticket and the kiosk (hall.waits: one rounding).
        (view(2, 250), "约 4 分钟", "about 4 min"),
        (view(2, None), "约 1 分钟", "about 1 min"),
        # A range of zero seconds while people are ahead is still "about 1 minute", not "soon".
        (view(1, 0, [0, 0]), "约 1 分钟", "about 1 min"),
        (view(0, 0, [0, 0]), ZH["wait_now"], EN["wait_now"]),
        (view(0, 0), ZH["wait_now"], EN["wait_now"]),
    ],
)
def test_wait_text_with_and_without_a_range(v: dict, zh: str, en: str) -> None:
    assert wait_text(v, "zh") == zh
    assert wait_text(v, "en") == en


def test_people_ahead_never_hear_it_is_nearly_their_turn() -> None:
    for ahead in (1, 5):
        for v in (view(ahead, 0), view(ahead, 0, [0, 30]), view(ahead, 10, None)):
            assert wait_text(v, "zh") != ZH["wait_now"]
            assert wait_text(v, "en") != EN["wait_now"]


def test_chinese_strings_use_full_width_punctuation() -> None:
    for key, value in ZH.items():
        plain = re.sub(r"\{[a-z_]+\}", "", value)  # placeholders are not text
        assert not re.search(r"[,:;!?()]", plain), (key, value)
