"""run_kiosk's context per role: a caller gets the catalogue and, if configured, a window printer."""

from __future__ import annotations

from pathlib import Path

import pytest

from hall.config import hash_pin, load_config
from hall.drivers.printer import TicketPrinter
from hall.kiosk.main import make_context
from tests.support import hall_config, write_config


def _context(tmp_path: Path, role: str, **kiosk: object):
    cfg = hall_config(kiosk={"data_dir": str(tmp_path / "terminal"), **kiosk})
    return make_context(load_config(write_config(tmp_path / "config.yaml", cfg)), role)


def test_a_caller_reads_the_catalogue_and_has_no_printer_unless_configured(tmp_path: Path) -> None:
    ctx = _context(tmp_path, "caller")
    try:
        assert ctx.catalogue is not None and ctx.catalogue.get("BDC-BF-001") is not None
        # The hall's own closed days count as the daemon counts them (hall_config: today's).
        today = hall_config()["hall"]["hours"]["closed_dates"][0]
        assert ctx.calendar is not None and not ctx.calendar.is_working_day(today)
        assert ctx.printer is None and ctx.id_reader is None
    finally:
        ctx.client.close()


def test_a_callers_window_printer_is_opened_from_its_own_key(tmp_path: Path) -> None:
    ctx = _context(tmp_path, "caller", window_printer={"type": "sim"})
    try:
        assert isinstance(ctx.printer, TicketPrinter)
    finally:
        ctx.client.close()
    with pytest.raises(SystemExit, match=r"kiosk\.window_printer\.type"):
        _context(tmp_path, "caller", window_printer={"type": "telex"})


def test_the_lobby_gets_neither(tmp_path: Path) -> None:
    ctx = _context(tmp_path, "lobby", window_printer={"type": "sim"})
    try:
        assert ctx.printer is None and ctx.catalogue is None and ctx.calendar is None
    finally:
        ctx.client.close()


@pytest.mark.parametrize("role", ["kiosk", "caller"])
def test_only_a_kiosk_knows_the_leaders_and_never_their_pin_hash(tmp_path: Path, role: str) -> None:
    pin_hash = hash_pin("13579")
    cfg = hall_config(
        kiosk={"data_dir": str(tmp_path / "terminal")},
        leaders=[{"id": "L1", "name": "王副县长", "title": "分管副县长", "pin_hash": pin_hash}],
    )
    ctx = make_context(load_config(write_config(tmp_path / "config.yaml", cfg)), role)
    try:
        expected = [{"id": "L1", "name": "王副县长", "title": "分管副县长"}]
        assert ctx.leaders == (expected if role == "kiosk" else [])  # 领导签到: the kiosk's
    finally:
        ctx.client.close()
