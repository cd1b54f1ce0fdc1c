"""A notice to the citizen on the receipt roll: lines wrapped to the paper, Chinese then English.

Prints any object shaped like :class:`hall.queue.cases.notice_parts.Notice`
(:class:`PrintableNotice`: a title, (label, value) rows, paragraphs, a QR
payload and a footer, each text with ``zh`` and ``en``); what a notice says is
``hall.queue.cases.notices``, not here; its JSON, as the caller panel reads it
from the daemon, prints the same (:func:`notice_from_json`). Every line is wrapped to ``width``
columns of the printer's font A, a Chinese character taking two (80 mm paper:
48 columns, 58 mm: 32), so the printer never breaks a line inside a word.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hall.drivers.printer.encoding import PROFILE, Element, render_elements

#: Columns of font A (12 x 24 dots) on 80 mm paper (72 mm printable, 576 dots).
WIDTH_80MM = 48
#: The same on 58 mm paper (384 dots).
WIDTH_58MM = 32
#: A date, a run of narrow characters (with the space before it), or any one character.
_PIECE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\s*[^\s\u1100-\uffff]+|\s+|.")
#: Marks a line may not start with, or end with (line breaking rules of Chinese text).
_NO_START = set("，。、；：？！）》」』”’%,.;:?!)")
_NO_END = set("（《「『“‘(")


class _Text(Protocol):
    zh: str
    en: str


class _Row(Protocol):
    label: _Text
    value: _Text
    strong: bool


class PrintableNotice(Protocol):
    """What :func:`notice_elements` reads from a notice."""

    receipt: str
    title: _Text
    rows: Sequence[_Row]
    paragraphs: Sequence[_Text]
    qr: str | None
    qr_caption: _Text | None
    hall: _Text
    issued: dt.date
    contacts: Sequence[_Row]


@dataclass(frozen=True, slots=True)
class _JsonText:
    zh: str
    en: str = ""


@dataclass(frozen=True, slots=True)
class _JsonRow:
    label: _JsonText
    value: _JsonText
    strong: bool = False


@dataclass(frozen=True, slots=True)
class JsonNotice:
    """A notice read back from its JSON (GET /api/v1/cases/{receipt}/notices/{kind})."""

    receipt: str
    title: _JsonText
    rows: tuple[_JsonRow, ...]
    paragraphs: tuple[_JsonText, ...]
    qr: str | None
    qr_caption: _JsonText | None
    hall: _JsonText
    issued: dt.date
    contacts: tuple[_JsonRow, ...] = ()


def notice_from_json(data: Mapping[str, Any]) -> JsonNotice:
    """The daemon's JSON of a notice as an object :func:`notice_elements` prints.

    ValueError (naming the field) when it is not a notice.
    """

    def text(value: Any, where: str) -> _JsonText:
        if not isinstance(value, Mapping) or not isinstance(value.get("zh"), str):
            raise ValueError(f"notice JSON: {where} is not a text {{zh, en}}")
        return _JsonText(value["zh"], value.get("en") or "")

    def rows(key: str) -> tuple[_JsonRow, ...]:
        return tuple(
            _JsonRow(text(r.get("label"), key), text(r.get("value"), key), bool(r.get("strong")))
            for r in data.get(key) or ()
        )

    try:
        issued = dt.date.fromisoformat(data["issued"])
        receipt = str(data["receipt"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"notice JSON: receipt and issued (YYYY-MM-DD) needed: {exc}") from exc
    caption = data.get("qr_caption")
    return JsonNotice(
        receipt=receipt,
        title=text(data.get("title"), "title"),
        rows=rows("rows"),
        paragraphs=tuple(text(p, "paragraphs") for p in data.get("paragraphs") or ()),
        qr=data.get("qr") or None,
        qr_caption=text(caption, "qr_caption") if caption else None,
        hall=text(data.get("hall"), "hall"),
        issued=issued,
        contacts=rows("contacts"),
    )


def columns(text: str) -> int:
    """Printed width of ``text`` in font-A columns: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` columns; English breaks at spaces where it can.

    Lines after the first start with ``indent``.
    """
    lines: list[str] = []
    line, size = "", 0
    for word in _words(text):
        w = columns(word)
        if size + w > width and line.strip():
            lines.append(line.rstrip())
            line, size = indent, columns(indent)
            word = word.lstrip()
            w = columns(word)
        while size + w > width:  # a word longer than a whole line: cut it
            room, cut = width - size, 0
            while cut < len(word) and columns(word[: cut + 1]) <= room:
                cut += 1
            lines.append(line + word[:cut])
            line, size, word = indent, columns(indent), word[cut:]
            w = columns(word)
        line += word
        size += w
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _words(text: str) -> list[str]:
    """Pieces a line may not break inside.

    An English word with its leading space, a date (2026年10月12日), one Chinese
    character; a closing mark (，。) stays with the piece before it and an opening
    one (《（) with the piece after it.
    """
    pieces = _PIECE.findall(text)
    glued: list[str] = []
    for piece in pieces:
        if glued and (piece[0] in _NO_START or glued[-1][-1] in _NO_END):
            glued[-1] += piece
        else:
            glued.append(piece)
    return glued


def _lines(text: str, width: int, **style: object) -> list[Element]:
    return [Element("text", line, **style) for line in wrap(text, width, "  ")]


def _row(row: _Row, width: int) -> list[Element]:
    """``label：value``, then its English line.

    A value with no English (a number, a name) is printed once, after both labels.
    """
    style = {"align": "left", "bold": row.strong}
    if not row.value.en:
        label = f"{row.label.zh} {row.label.en}" if row.label.en else row.label.zh
        return _lines(f"{label}：{row.value.zh}", width, **style)
    out = _lines(f"{row.label.zh}：{row.value.zh}", width, **style)
    return out + _lines(f"{row.label.en}: {row.value.en}", width, align="left")


def notice_elements(
    notice: PrintableNotice | Mapping[str, Any], width: int = WIDTH_80MM
) -> list[Element]:
    """The notice's roll layout, top to bottom, every line at most ``width`` columns.

    ``notice`` is a notice object or its JSON (:func:`notice_from_json`).
    """
    if isinstance(notice, Mapping):
        notice = notice_from_json(notice)
    if width < 16:
        raise ValueError(f"width {width}: a notice needs at least 16 columns")
    els = _lines(notice.hall.zh, width, bold=True)
    # Double-size characters take twice the columns: a long title is printed normal size.
    double = columns(notice.title.zh) <= width // 2
    els += _lines(notice.title.zh, width // (2 if double else 1), bold=True, double=double)
    els += _lines(notice.title.en, width, bold=True)
    els.append(Element("feed"))
    for row in notice.rows:
        els += _row(row, width)
    els.append(Element("feed"))
    for para in notice.paragraphs:
        els += _lines(para.zh, width, align="left")
        if para.en:
            els += _lines(para.en, width, align="left")
    for row in notice.contacts:
        els += _row(row, width)
    if notice.qr:
        els.append(Element("qr", notice.qr))
        if notice.qr_caption:
            els += _lines(notice.qr_caption.zh, width)
            els += _lines(notice.qr_caption.en, width)
    els.append(Element("feed"))
    els += _lines(notice.hall.zh, width)
    if notice.hall.en:
        els += _lines(notice.hall.en, width)
    day = notice.issued
    els += _lines(f"{day.year}年{day.month:02d}月{day.day:02d}日", width)
    els.append(Element("cut"))
    return els


def notice_bytes(notice: PrintableNotice, width: int = WIDTH_80MM, profile: str = PROFILE) -> bytes:
    """The complete ESC/POS bytes of one notice."""
    return render_elements(notice_elements(notice, width), profile)
