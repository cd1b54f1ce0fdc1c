"""The daemon's clock: the system clock by default, or started at a given instant."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest

from hall.queue.core import clock
from tests.support import ROOT, TODAY, TZ, Daemon, hall_config, write_config


def test_default_is_the_system_clock() -> None:
    assert clock.parse(None) is time.time and clock.parse("") is time.time
    assert clock.from_env({}) is time.time


def test_a_start_instant_is_read_then_runs_on() -> None:
    ticks = iter([100.0, 100.0, 102.5])
    now = clock.starting_at(dt.datetime(2026, 6, 2, 10, tzinfo=TZ), lambda: next(ticks))
    start = dt.datetime(2026, 6, 2, 2, tzinfo=dt.UTC).timestamp()
    assert now() == start and now() == start + 2.5
    env = clock.from_env({clock.ENV: "2026-06-02T10:00:00+08:00"})
    assert abs(env() - start) < 60


@pytest.mark.parametrize("text", ["2026-06-02T10:00:00", "tomorrow", "2026-13-01T10:00+08:00"])
def test_a_start_without_offset_or_not_a_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="2026-06-02T10:00:00"):
        clock.parse(text)


@pytest.mark.process  # HALL_CLOCK reaches `python -m hall.queue`
def test_the_daemon_process_reads_its_clock(daemon: Daemon) -> None:
    ticket = daemon.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
    issued = dt.datetime.fromisoformat(ticket["issued_at"]).astimezone(TZ)
    assert issued.date() == TODAY and 10 <= issued.hour < 12  # the tests' clock, not the wall's
    # "Closed today" is the clock's today: the daytime service is not taking numbers.
    r = daemon.api("kiosk-token-1").post("/tickets", {"service": "daytime"})
    assert r.status_code == 409


def test_a_bad_clock_argument_stops_the_daemon(tmp_path) -> None:
    path = write_config(tmp_path / "config.yaml", hall_config())
    args = ["--config", str(path), "--data-dir", str(tmp_path), "--clock", "noon"]
    done = subprocess.run(
        [sys.executable, "-m", "hall.queue", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "refusing to start: --clock" in done.stderr and "noon" in done.stderr
