"""Complaint receipts under kill -9: never issued twice, none acknowledged lost."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import requests

from tests.support import wait_until

BODY = {"channel": "phone", "summary": "电话投诉"}


def _ids(data_dir) -> list[str]:
    con = sqlite3.connect(f"file:{data_dir / 'hall.sqlite3'}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT id FROM complaints")]
    finally:
        con.close()


@pytest.mark.process  # kill -9: a real subprocess
def test_sigkill_while_lodging_never_issues_a_receipt_twice(make_daemon) -> None:
    d = make_daemon()
    acked: list[str] = []
    stop = threading.Event()

    def lodger() -> None:
        with requests.Session() as s:
            s.headers["Authorization"] = "Bearer manager-token-1"
            while not stop.is_set():
                try:
                    r = s.post(d.base + "/api/v1/complaints", json=BODY, timeout=5)
                except requests.RequestException:
                    return  # died under us: never acknowledged
                if r.status_code == 201:
                    acked.append(r.json()["id"])

    threads = [threading.Thread(target=lodger) for _ in range(3)]
    for t in threads:
        t.start()
    assert wait_until(lambda: len(acked) >= 30, timeout=60)
    d.kill()
    stop.set()
    for t in threads:
        t.join(10)
    d.start()
    after = d.api("manager-token-1").post("/complaints", BODY).json()["id"]
    stored = _ids(d.data_dir)
    assert after in stored and after not in acked
    assert len(stored) == len(set(stored)) and len(acked) == len(set(acked))
    assert set(acked) <= set(stored)  # every acknowledged complaint is there
    seqs = sorted(int(r[-4:]) for r in stored)
    assert seqs == list(range(1, len(seqs) + 1))  # numbered without gaps, across the kill
