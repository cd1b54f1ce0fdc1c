"""The terminal outbox: durable before the receipt, forwarded once, nothing lost on kill -9."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hall.kiosk.client import DaemonClient, DaemonError
from hall.kiosk.outbox import TerminalOutbox
from tests.kiosk.submission_helpers import ID_NUMBER, draft
from tests.support import ROOT, Daemon, LocalDaemon, hall_config, wait_until, write_config


@pytest.fixture
def outbox_factory(tmp_path: Path):
    made: list[TerminalOutbox] = []

    def make(client: DaemonClient | None, folder: Path | None = None) -> TerminalOutbox:
        box = TerminalOutbox(
            folder or tmp_path / "terminal",
            "自助机1",
            "01",
            client,
            retry_initial_s=0.1,
            retry_max_s=0.5,
        )
        made.append(box)
        return box

    yield make
    for box in made:
        box.stop()


def manager_cases(daemon: Daemon) -> list[dict]:
    return daemon.api("manager-token-1").get("/submissions").json()["submissions"]


def test_store_then_forward_then_forget_personal_data(daemon: Daemon, outbox_factory) -> None:
    box = outbox_factory(DaemonClient(daemon.base, "kiosk-token-1"))
    stored = box.store(draft(1))
    assert stored.receipt.startswith("ZZ01") and stored.receipt.endswith("0001")
    assert (box.images / stored.id / "00.jpg.sealed").exists()
    box.start()
    assert wait_until(lambda: box.cases("forwarded"), 10)
    cases = manager_cases(daemon)
    assert [c["receipt"] for c in cases] == [stored.receipt]
    assert cases[0]["status"] == "received"
    # Forwarded: the terminal keeps no images and no personal data.
    assert wait_until(lambda: not (box.images / stored.id).exists(), 5)
    box.stop()
    fresh = TerminalOutbox(box.folder, "自助机1", "01", None)
    body = fresh._db.execute("SELECT body FROM cases").fetchone()[0]
    assert ID_NUMBER not in body and "王小明" not in body
    fresh.stop()


def test_daemon_down_then_up_nothing_lost_nothing_twice(tmp_path: Path, outbox_factory) -> None:
    (tmp_path / "d").mkdir()
    daemon = LocalDaemon(
        write_config(tmp_path / "d" / "config.yaml", hall_config()), tmp_path / "d"
    )
    box = outbox_factory(DaemonClient(daemon.base, "kiosk-token-1", timeout=1))
    receipts = [box.store(draft(i)).receipt for i in range(5)]
    box.start()  # the daemon is not running yet: everything waits on the terminal
    assert wait_until(lambda: box.cases("pending")[0]["attempts"] >= 2, 10)
    assert len(box.cases("pending")) == 5
    daemon.start()
    try:
        assert wait_until(lambda: len(box.cases("forwarded")) == 5, 20)
        # A repeat after a lost answer changes nothing: same receipt, no second case.
        client = DaemonClient(daemon.base, "kiosk-token-1")
        again = TerminalOutbox(tmp_path / "again", "自助机2", "02", client)
        stored = again.store(draft(7))
        body = again.record(stored.id)  # opened: the store keeps it sealed
        wire = again.wire_body(stored.id, body)
        first, repeat = client.submit(wire), client.submit(wire)  # the first answer "was lost"
        assert first == repeat and first["receipt"] == stored.receipt
        assert again.forward_one(stored.id, body)  # the terminal's own retry: still one case
        tampered = {**wire, "form": {**wire["form"], "capital": 999}}
        with pytest.raises(DaemonError) as err:
            client.submit(tampered)  # same key, other content: refused, not merged
        assert err.value.code == "idempotency_conflict"
        again.stop()
        cases = manager_cases(daemon)
        assert sorted(c["receipt"] for c in cases) == sorted([*receipts, stored.receipt])
    finally:
        daemon.close_clients()
        daemon.stop()


def test_progress_lookup_needs_the_right_id(daemon: Daemon, outbox_factory) -> None:
    client = DaemonClient(daemon.base, "kiosk-token-1")
    box = outbox_factory(client).start()
    stored = box.store(draft(3, missing=["营业场所证明"]))
    assert wait_until(lambda: box.cases("forwarded"), 10)
    got = client.progress(stored.receipt, ID_NUMBER)
    assert got["status"] == "needs_correction" and got["missing"] == ["营业场所证明"]
    assert got["history"][0]["label"]["zh"] == "待补正"
    from hall.kiosk.client import DaemonError
    from tests.support import make_id

    with pytest.raises(DaemonError) as err:
        client.progress(stored.receipt, make_id("11010119900307001"))
    assert err.value.status == 404
    with pytest.raises(DaemonError) as err:
        client.progress("ZZ01209901010001", ID_NUMBER)
    assert err.value.status == 404  # the same answer: an unknown receipt reveals nothing


CRASH_WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from hall.kiosk.outbox import TerminalOutbox
    from tests.kiosk.submission_helpers import draft
    box = TerminalOutbox({folder!r}, "自助机1", "01", None)
    for i in range(10_000):
        stored = box.store(draft(i, images=3))
        print(stored.receipt, stored.id, flush=True)   # the receipt the citizen would see
""")


def test_kill_9_mid_submission_never_shows_a_receipt_that_is_not_kept(
    tmp_path: Path, daemon: Daemon
) -> None:
    folder = tmp_path / "terminal"
    shown: list[tuple[str, str]] = []
    for round_ in range(3):
        script = CRASH_WRITER.format(root=str(ROOT), folder=str(folder))
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        target = len(shown) + 5 + 3 * round_
        while len(shown) < target:
            line = proc.stdout.readline()
            assert line, "writer died"
            shown.append(tuple(line.split()))
        proc.send_signal(signal.SIGKILL)  # power cut in the middle of the next store()
        proc.wait(10)
        proc.stdout.close()
    box = TerminalOutbox(folder, "自助机1", "01", DaemonClient(daemon.base, "kiosk-token-1"))
    try:
        kept = {c["receipt"]: c for c in box.cases()}
        for receipt, case_id in shown:  # every receipt shown is there, complete
            assert receipt in kept, receipt
            assert len(list((box.images / case_id).glob("*.jpg.sealed"))) == 3
        # Whatever was cut half-way left no folder behind and no receipt anyone saw.
        folders = {p.name for p in box.images.iterdir()}
        assert folders == {c["id"] for c in box.cases("pending")}
        box.start()
        assert wait_until(lambda: not box.cases("pending"), 30)
        cases = manager_cases(daemon)
        assert len(cases) == len(kept) and len({c["receipt"] for c in cases}) == len(kept)
    finally:
        box.stop()


def kiosk_ratings(daemon: Daemon) -> dict[str, dict]:
    """The daemon's ledger: kiosk-channel ratings by submission id."""
    rows = daemon.api("manager-token-1").get("/evaluations", params={"limit": 1000}).json()
    return {r["submission_id"]: r for r in rows if r["channel"] == "kiosk"}


def test_a_rating_waits_for_its_case_then_reaches_the_ledger(
    tmp_path: Path, outbox_factory
) -> None:
    (tmp_path / "d").mkdir()
    daemon = LocalDaemon(
        write_config(tmp_path / "d" / "config.yaml", hall_config()), tmp_path / "d"
    )
    box = outbox_factory(DaemonClient(daemon.base, "kiosk-token-1", timeout=1))
    good, bad = box.store(draft(1)), box.store(draft(2))
    assert box.rate(good.id, 4)
    assert box.rate(bad.id, 1, ["操作不方便", "告知不清楚"])
    assert not box.rate(good.id, 5)  # one rating per case (一次一评)
    assert not box.rate("f" * 32, 5)  # not a case of this terminal
    with pytest.raises(ValueError):
        box.rate(good.id, 6)
    box.start()  # the daemon is down: cases are tried, ratings wait for them
    assert wait_until(lambda: box.cases("pending")[0]["attempts"] >= 2, 10)
    assert [(r["state"], r["attempts"]) for r in box.ratings()] == [("pending", 0)] * 2
    daemon.start()
    try:
        assert wait_until(lambda: len(box.ratings("sent")) == 2, 20), box.ratings()
        ledger = kiosk_ratings(daemon)
        assert ledger[good.id]["level"] == 4 and ledger[good.id]["number"] == good.receipt
        assert ledger[bad.id]["level"] == 1
        assert ledger[bad.id]["tags"] == ["操作不方便", "告知不清楚"]
        assert ledger[bad.id]["device"] == "kiosk-t"  # the terminal's token
    finally:
        daemon.close_clients()
        daemon.stop()


def test_a_refused_rating_is_kept_with_the_reason_and_not_retried(
    daemon: Daemon, outbox_factory
) -> None:
    box = outbox_factory(DaemonClient(daemon.base, "kiosk-token-1")).start()
    online = box.store(draft(3))
    assert wait_until(lambda: box.cases("forwarded"), 10)
    # The citizen rated the case online first (the key from the notice's QR code) ...
    body = {"submission_id": online.id, "key": online.rating_key, "level": 5}
    assert daemon.api(None).post("/evaluations/online", body).status_code == 201
    # ... then on the terminal: the daemon says "already rated", and that is final.
    assert box.rate(online.id, 2)
    assert wait_until(lambda: box.ratings("refused"), 10)
    refused = box.ratings("refused")[0]
    assert refused["last_error"].startswith("already_rated") and refused["attempts"] == 1
    # A case the daemon refused cannot be rated either: refused, with the reason.
    orphan = box.store(draft(4, matter="NOPE-001"))
    box.rate(orphan.id, 3)
    later = box.store(draft(5))
    box.rate(later.id, 5)
    assert wait_until(lambda: box.ratings("sent"), 10)  # the loop went round again since
    states = {r["case_id"]: r for r in box.ratings()}
    assert states[orphan.id]["state"] == "refused"
    assert states[orphan.id]["last_error"].startswith("case_refused")
    assert states[online.id]["attempts"] == 1  # never sent again
    ledger = kiosk_ratings(daemon)
    assert set(ledger) == {later.id}
    assert ledger[later.id]["level"] == 5


CRASH_RATER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from hall.kiosk.outbox import TerminalOutbox
    from tests.kiosk.submission_helpers import draft
    box = TerminalOutbox({folder!r}, "自助机1", "01", None)
    for i in range(10_000):
        stored = box.store(draft(i, images=1))
        level = 1 + i % 5
        assert box.rate(stored.id, level, ["等候时间长"] if level <= 2 else [])
        print(stored.id, level, flush=True)   # the thank-you the citizen would see
""")


def test_kill_9_after_the_tap_never_loses_a_rating(tmp_path: Path, daemon: Daemon) -> None:
    folder = tmp_path / "terminal"
    thanked: dict[str, int] = {}
    for round_ in range(3):
        script = CRASH_RATER.format(root=str(ROOT), folder=str(folder))
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        target = len(thanked) + 4 + 3 * round_
        while len(thanked) < target:
            line = proc.stdout.readline()
            assert line, "writer died"
            case_id, level = line.split()
            thanked[case_id] = int(level)
        proc.send_signal(signal.SIGKILL)  # power cut between a tap and the next forwarding
        proc.wait(10)
        proc.stdout.close()
    box = TerminalOutbox(folder, "自助机1", "01", DaemonClient(daemon.base, "kiosk-token-1"))
    try:
        kept = {r["case_id"]: r for r in box.ratings()}
        for case_id, level in thanked.items():  # every thank-you shown is a rating on disk
            assert kept[case_id]["level"] == level and kept[case_id]["state"] == "pending"
        box.start()
        assert wait_until(lambda: not box.ratings("pending"), 30), box.ratings("pending")
        assert not box.ratings("refused")
        ledger = kiosk_ratings(daemon)
        assert set(ledger) == set(kept)  # each once, nothing lost, nothing extra
        for case_id, level in thanked.items():
            assert ledger[case_id]["level"] == level
    finally:
        box.stop()
