"""The public page's complaint limits: a sliding window per address, then 429 with a wait."""

from __future__ import annotations

import pytest

from hall.config import ComplaintsSection
from hall.queue.supervision import complaint_limits
from hall.queue.tickets.sign_in_limits import TooManyAttempts


def test_an_address_is_refused_at_its_limit_until_the_oldest_hit_leaves_the_window() -> None:
    limit = complaint_limits.PublicLimit(
        ComplaintsSection(public_per_address=2, public_window_s=600)
    )
    limit.hit("10.0.0.5", 1000.0)
    limit.hit("10.0.0.5", 1200.0)
    with pytest.raises(TooManyAttempts) as exc:
        limit.check("10.0.0.5", 1300.0)
    # The first hit (t=1000) leaves the window at 1000 + 600 = 1600: 300 s to wait.
    assert exc.value.headers == {"Retry-After": "300"} and exc.value.code == "complaints_limited"
    assert "5分钟" in exc.value.zh and "5 min" in exc.value.en
    limit.check("10.0.0.6", 1300.0)  # another address is not affected
    limit.check("10.0.0.5", 1600.0)  # the window slid past the first hit
    limit.hit("10.0.0.5", 1600.0)
    with pytest.raises(TooManyAttempts):
        limit.check("10.0.0.5", 1700.0)


def test_memory_stays_bounded(monkeypatch) -> None:
    monkeypatch.setattr(complaint_limits, "MAX_ADDRESSES", 3)
    limit = complaint_limits.PublicLimit(ComplaintsSection())
    for n in range(5):
        limit.hit(f"10.0.0.{n}", 100.0 + n)
    assert list(limit._hits) == ["10.0.0.2", "10.0.0.3", "10.0.0.4"]  # the oldest forgotten
