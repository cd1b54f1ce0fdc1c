"""``python -m hall.queue report``: the 通报 PDF made by headless Chromium, and its refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hall.queue.supervision.report_cli import pdf_pages
from hall.tools.cdp import CHROMIUM
from tests.queue.supervision.report_helpers import load, load_supervision, report_config
from tests.support.config import CLOCK_START, ROOT, write_config


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hall.queue", "report", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


@pytest.fixture
def hall(tmp_path: Path) -> list[str]:
    """A hall's config and data dir with May's tickets, leave and sign-ins: the CLI's options."""
    data = tmp_path / "data"
    data.mkdir()
    load(data / "hall.sqlite3")
    load_supervision(data / "hall.sqlite3")
    config = write_config(tmp_path / "config.yaml", report_config())
    return ["--config", str(config), "--data-dir", str(data), "--clock", CLOCK_START]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_the_quarter_report_is_printed_to_pdf(hall: list[str], tmp_path: Path) -> None:
    out, data = tmp_path / "q2.pdf", tmp_path / "q2.json"
    done = run([*hall, "--period", "2026Q2", "--pdf", str(out), "--json", str(data)])
    assert done.returncode == 0, done.stderr
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-")
    pages = pdf_pages(pdf)
    assert 2 <= pages <= 4  # as the page test finds in Chromium (tests/queue/web/pages/)
    assert f"{pages} 页 pages" in done.stdout
    report = json.loads(data.read_text(encoding="utf-8"))
    # Q2 up to the clock's day 2026-06-02: May's ten served tickets and t12 on 06-01.
    assert (report["service"]["served"], report["as_of"]) == (11, "2026-06-02")


def test_without_chromium_the_pdf_is_refused_in_words(hall: list[str], tmp_path: Path) -> None:
    # Nothing on PATH but the interpreter's own folder: no chromium to find.
    env = {"PATH": str(Path(sys.executable).parent)}
    done = run([*hall, "--period", "2026-05", "--pdf", str(tmp_path / "x.pdf")], env)
    assert done.returncode == 2
    assert "未安装 Chromium" in done.stderr and "Chromium is not installed" in done.stderr
    assert not (tmp_path / "x.pdf").exists()
    # The HTML needs no browser.
    page = tmp_path / "may.html"
    done = run([*hall, "--period", "2026-05", "--html", str(page)], env)
    assert done.returncode == 0, done.stderr
    assert "2026年5月工作通报" in page.read_text(encoding="utf-8")


def test_bad_arguments_are_refused_in_words(hall: list[str], tmp_path: Path) -> None:
    done = run([*hall, "--period", "2026Q9", "--html", str(tmp_path / "x.html")])
    assert done.returncode == 2 and "YYYYQn" in done.stderr and "季度" in done.stderr
    done = run([*hall, "--period", "2026-05"])
    assert done.returncode == 2 and "--pdf" in done.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    args = [*hall[:2], "--data-dir", str(empty), "--period", "2026-05", "--html", "x.html"]
    done = run(args)
    assert done.returncode == 2 and "no hall database" in done.stderr
    assert not (empty / "hall.sqlite3").exists()
