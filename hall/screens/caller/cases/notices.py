"""The notice a case's status calls for, on the window printer and as an A4 page.

承诺通知书 while the case runs, 补正材料通知书 while it waits for the citizen,
延期告知书 once extended, 不予受理/退件通知书 when refused, 领取通知 when ready.
The daemon renders them (GET /api/v1/cases/{receipt}/notices/{kind} and its
``.html`` A4 page); a kind that does not apply answers 409, shown as worded.

The A4 page is read with the panel's staff token and handed to the system browser
as a file of this process's private folder: the browser has no staff token, so the
daemon's address itself would answer 401 there. The folder goes at sign-out
(:func:`forget_pages`), for the page names the applicant. Everything here blocks
(HTTP, files, printer): the screens call it on the bridge's worker.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import webbrowser
from pathlib import Path

from hall.drivers.errors import DriverError, PaperOut
from hall.kiosk.client import DaemonError
from hall.kiosk.context import KioskContext

#: The notice a status calls for (others: 承诺通知书, or 延期告知书 once extended).
_BY_STATUS = {"returned": "correction", "rejected": "refusal", "ready": "pickup"}
_PROMISED = ("received", "accepted", "suspended", "finished")

log = logging.getLogger(__name__)

_pages: Path | None = None  # this process's folder of A4 pages (0700)


def kind_for(case: dict) -> str:
    """The notice kind for ``case`` now ("" when none applies, e.g. a 即办件 in progress)."""
    status = case.get("status", "")
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status == "delivered":
        return "pickup" if (case.get("delivery") or {}).get("by") == "post" else ""
    if case.get("extension") and status in ("accepted", "suspended"):
        return "extension"
    if status in _PROMISED and case.get("kind") != "即办件":
        return "promise"
    return ""


def _folder() -> Path:
    global _pages
    if _pages is None or not _pages.is_dir():
        _pages = Path(tempfile.mkdtemp(prefix="hall-notices-"))  # 0700: mkdtemp's own mode
    return _pages


def open_page(ctx: KioskContext, receipt: str, kind: str, key: str | None = None) -> str:
    """Read the A4 page, open it in the system browser; the address opened.

    ``key``: the rating key of a case just opened (its QR then carries it).
    """
    page = ctx.client.case_notice_page(receipt, kind, key)
    path = _folder() / f"{receipt}-{kind}.html"
    path.write_bytes(page)
    os.chmod(path, 0o600)
    url = path.as_uri()
    webbrowser.open(url)
    return url


def forget_pages() -> None:
    """Delete the A4 pages written so far (at sign-out and at the end)."""
    global _pages
    folder, _pages = _pages, None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def print_notice(ctx: KioskContext, receipt: str, kind: str, key: str | None = None) -> None:
    """Read the notice from the daemon and print it on the window printer (ESC/POS).

    ``TicketPrinter.print_notice`` (hall/drivers/printer) lays it out; paper out or
    a printer offline is said in words (the A4 page stays open to the clerk).
    """
    notice = ctx.client.case_notice(receipt, kind, key)
    printer = ctx.printer
    if printer is None or not hasattr(printer, "print_notice"):
        raise DaemonError(
            0,
            "no_notice_printing",
            "本窗口没有可打印通知书的打印机，请打开A4页面打印",
            "This window has no printer for notices: open the A4 page to print",
        )
    try:
        printer.print_notice(notice)
    except PaperOut:
        raise DaemonError(
            0, "paper_out", "打印机缺纸，请装纸后重试", "The printer is out of paper"
        ) from None
    except DriverError as exc:  # PrinterOffline and any other driver failure
        log.warning("notice %s not printed: %s", receipt, exc)
        raise DaemonError(
            0, "printer_offline", "打印机未连接，请检查后重试", "The printer is not connected"
        ) from None
