"""Counter receipts under kill -9: a receipt is never issued twice, none acknowledged is lost."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import requests

from tests.queue.cases.case_helpers import case_body, register_config, served_ticket
from tests.support import wait_until


def _receipts(data_dir) -> list[str]:
    con = sqlite3.connect(f"file:{data_dir / 'hall.sqlite3'}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT receipt FROM cases WHERE source = 'window'")]
    finally:
        con.close()


@pytest.mark.process  # kill -9: a real subprocess
def test_sigkill_while_opening_cases_never_issues_a_receipt_twice(make_daemon) -> None:
    d = make_daemon(register_config())
    clerk = d.staff("S001", 1)
    ticket = served_ticket(d, clerk, 1)
    acked: list[str] = []
    stop = threading.Event()
    token = clerk.session.headers["Authorization"]

    def opener() -> None:
        with requests.Session() as s:
            s.headers["Authorization"] = token
            while not stop.is_set():
                try:
                    r = s.post(d.base + "/api/v1/cases", json=case_body(ticket["id"]), timeout=5)
                except requests.RequestException:
                    return  # died under us: never acknowledged
                if r.status_code == 201:
                    acked.append(r.json()["receipt"])

    for round_ in range(2):
        threads = [threading.Thread(target=opener) for _ in range(3)]
        for t in threads:
            t.start()
        assert wait_until(lambda r=round_: len(acked) >= 30 * (r + 1), timeout=60)
        d.kill()
        stop.set()
        for t in threads:
            t.join(10)
        stop.clear()
        d.start()
    stored = _receipts(d.data_dir)
    assert len(stored) == len(set(stored))  # the primary key, and no number given twice
    assert set(acked) <= set(stored)  # every acknowledged case is there
    assert len(acked) == len(set(acked))
    seqs = sorted(int(r[-4:]) for r in stored)
    assert seqs == list(range(1, len(seqs) + 1))  # numbered without gaps, across the kills
    manager = d.api("manager-token-1")
    assert all(manager.get(f"/cases/{r}").status_code == 200 for r in acked[-5:])
