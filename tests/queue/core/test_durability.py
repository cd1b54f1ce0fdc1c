"""Numbering under concurrency and crash safety (SIGKILL mid-burst), on a real daemon."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support import Daemon, wait_until

ORDER = {"waiting": 0, "called": 1, "serving": 2, "finished": 3, "no_show": 3, "transferred": 3}


def _db_rows(daemon: Daemon) -> list[tuple]:
    con = sqlite3.connect(f"file:{daemon.data_dir / 'hall.sqlite3'}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT day, service, seq, number, status FROM tickets WHERE transferred_from IS NULL"
        ).fetchall()
    finally:
        con.close()


def _assert_unique_gap_free(rows: list[tuple]) -> None:
    per: dict[tuple, list[int]] = {}
    for day, service, seq, _number, _status in rows:
        per.setdefault((day, service), []).append(seq)
    for key, seqs in per.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"{key}: {sorted(seqs)}"
    numbers = Counter((r[0], r[3]) for r in rows)
    assert not [n for n, c in numbers.items() if c > 1]


def test_many_concurrent_kiosks_get_unique_gap_free_numbers(daemon: Daemon) -> None:
    def burst(service: str) -> list[str]:
        with requests.Session() as s:
            s.headers["Authorization"] = "Bearer kiosk-token-1"
            out = []
            for _ in range(20):
                r = s.post(daemon.base + "/api/v1/tickets", json={"service": service}, timeout=30)
                assert r.status_code == 201, r.text
                out.append(r.json()["number"])
            return out

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(burst, ["general", "vip"] * 12))
    general = sorted(n for r in results[0::2] for n in r)
    vip = sorted(n for r in results[1::2] for n in r)
    assert general == [f"A{i:03d}" for i in range(1, 241)]
    assert vip == [f"B{i:03d}" for i in range(1, 241)]
    _assert_unique_gap_free(_db_rows(daemon))


@pytest.mark.process  # kill -9: a real subprocess
def test_sigkill_mid_burst_loses_nothing_acknowledged(daemon: Daemon) -> None:
    acked: dict[str, dict] = {}  # ticket id -> last acknowledged view
    lock = threading.Lock()
    stop = threading.Event()

    def record(view: dict) -> None:
        with lock:
            old = acked.get(view["id"])
            if old is None or ORDER[view["status"]] >= ORDER[old["status"]]:
                acked[view["id"]] = view

    def kiosk_loop(service: str) -> None:
        with requests.Session() as s:
            s.headers["Authorization"] = "Bearer kiosk-token-1"
            while not stop.is_set():
                try:
                    r = s.post(
                        daemon.base + "/api/v1/tickets", json={"service": service}, timeout=5
                    )
                except requests.RequestException:
                    return  # the daemon died under us: this request was never acknowledged
                if r.status_code == 201:
                    record(r.json())

    def window_loop(staff, window: int) -> None:
        while not stop.is_set():
            try:
                r = staff.post(f"/windows/{window}/call")
                if r.status_code == 200:
                    record(r.json())
                    f = staff.post(f"/windows/{window}/finish", {"case_type": "即办件"})
                    if f.status_code == 200:
                        record(f.json())
            except requests.RequestException:
                return

    staff = daemon.staff("S002", 2)  # its session survives the restarts
    for round_ in range(3):
        before = len(acked)
        threads = [
            threading.Thread(target=kiosk_loop, args=(svc,)) for svc in ["general", "vip"] * 3
        ]
        threads.append(threading.Thread(target=window_loop, args=(staff, 2)))
        stop.clear()
        for t in threads:
            t.start()
        target = before + 120 + 40 * round_
        assert wait_until(lambda t=target: len(acked) >= t, timeout=60)
        daemon.kill()  # SIGKILL in the middle of the burst
        stop.set()
        for t in threads:
            t.join(10)
        daemon.start()
        staff.base = daemon.base + "/api/v1"

        reader = daemon.api("manager-token-1")
        for ticket_id, view in list(acked.items()):
            now = reader.get(f"/tickets/{ticket_id}")
            assert now.status_code == 200, f"acknowledged ticket {view['number']} lost"
            now = now.json()
            assert now["number"] == view["number"]
            assert ORDER[now["status"]] >= ORDER[view["status"]], (view, now)
        rows = _db_rows(daemon)
        _assert_unique_gap_free(rows)
        # Numbering continues after the restart, never reusing a number.
        nxt = daemon.api("kiosk-token-1").post("/tickets", {"service": "general"}).json()
        seqs = [seq for _d, svc, seq, _n, _s in rows if svc == "general"]
        assert int(nxt["number"][1:]) == max(seqs) + 1
        record(nxt)
