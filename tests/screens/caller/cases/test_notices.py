"""Which notice a case's status calls for (the buttons' words and the daemon's route)."""

from __future__ import annotations

import pytest

from hall.screens.caller.cases.notices import kind_for


@pytest.mark.parametrize(
    ("case", "kind"),
    [
        ({"status": "received", "kind": "承诺件"}, "promise"),
        ({"status": "accepted", "kind": "联办件"}, "promise"),
        ({"status": "accepted", "kind": "承诺件", "extension": {"days": 5}}, "extension"),
        ({"status": "returned", "kind": "承诺件"}, "correction"),
        ({"status": "rejected", "kind": "承诺件"}, "refusal"),
        ({"status": "ready", "kind": "承诺件"}, "pickup"),
        ({"status": "delivered", "kind": "承诺件", "delivery": {"by": "post"}}, "pickup"),
        ({"status": "delivered", "kind": "承诺件", "delivery": {"by": "window"}}, ""),
        ({"status": "accepted", "kind": "即办件"}, ""),
    ],
)
def test_the_notice_that_fits_the_status(case: dict, kind: str) -> None:
    assert kind_for(case) == kind
