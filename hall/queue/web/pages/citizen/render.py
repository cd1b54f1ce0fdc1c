"""Rendering the citizen's pages: strings, templates and the 好差评 form.

The HTML lives in ``citizen_page/*.html``: ``page.html`` is the whole page,
the other files hold named blocks (``<!-- block NAME -->`` on a line of its
own starts one; anything before the first block is a comment). A block is
filled by :func:`fill` with :class:`string.Template` placeholders (``$name``):
every value is HTML-escaped unless it is :class:`Html` (already rendered).
"""

from __future__ import annotations

import html
import json
import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from fastapi import Request
from fastapi.responses import HTMLResponse

PAGE_DIR = Path(__file__).parent.parent / "citizen_page"
LANGS = ("zh", "en")
RATE_URL = "/api/v1/evaluations/online"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",  # a ticket's state changes; a case's page is personal
}
_BLOCK = re.compile(r"^<!-- block (\w+) -->\n", re.M)
#: A rating key as the QR code carries it (hall/queue/ratings/keys.py): URL-safe.
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


class Html(str):
    """Text that is already HTML: :func:`fill` inserts it as it is."""

    __slots__ = ()


def _load_strings(path: Path) -> dict[str, dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for lang in LANGS:
        if set(data[lang]) != set(data["zh"]):
            diff = sorted(set(data[lang]) ^ set(data["zh"]))
            raise ValueError(f"{path}: {lang} and zh differ in {', '.join(diff)}")
    return data


def _load_blocks(folder: Path) -> dict[str, string.Template]:
    """Every block of every template file but page.html, by name (names are unique)."""
    blocks: dict[str, string.Template] = {}
    for path in sorted(folder.glob("*.html")):
        if path.name == "page.html":
            continue
        parts = _BLOCK.split(path.read_text(encoding="utf-8"))[1:]
        for name, text in zip(parts[::2], parts[1::2], strict=True):
            if name in blocks:
                raise ValueError(f"{path}: block {name} is defined twice")
            # The line end before the next block (or the file's end) is not the block's.
            blocks[name] = string.Template(text.removesuffix("\n"))
    return blocks


STRINGS = _load_strings(PAGE_DIR / "strings.yaml")
PAGE = string.Template((PAGE_DIR / "page.html").read_text(encoding="utf-8"))
BLOCKS = _load_blocks(PAGE_DIR)
#: Reason tags for 差评, as stored in the ledger (the zh words, whatever the page's language).
REASON_TAGS = tuple(STRINGS["zh"]["reason_tags"].split("|"))


def t(lang: str, key: str, **values: object) -> str:
    """A page string in ``lang``, formatted."""
    return STRINGS[lang][key].format(**values)


def fill(block: str, **values: object) -> Html:
    """The block filled in: values are escaped, :class:`Html` values inserted as they are."""
    safe = {k: v if isinstance(v, Html) else html.escape(str(v)) for k, v in values.items()}
    return Html(BLOCKS[block].substitute(safe))


def lines(parts: Iterable[str], end: str = "") -> Html:
    """Rendered parts one per line (each followed by ``end`` as well when given)."""
    return Html("".join(p + end for p in parts) if end else "\n".join(parts))


def lang_of(request: Request) -> str:
    """The page's language: ``?lang=en`` for English, Chinese otherwise."""
    return "en" if request.query_params.get("lang") == "en" else "zh"


def other(lang: str) -> str:
    """The language the switch in the header goes to."""
    return "en" if lang == "zh" else "zh"


def _json_for_html(data: dict[str, Any]) -> str:
    # Inside <script type="application/json">: no "</script>" can close it early.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page(
    request: Request,
    lang: str,
    title: str,
    body: str,
    *,
    switch_href: str,
    data: dict[str, Any] | None = None,
    status_code: int = 200,
    head: str = "",
) -> HTMLResponse:
    """The whole page around ``body`` (HTML), with the data its script reads."""
    hall = request.app.state.config.hall
    text = PAGE.substitute(
        lang_tag="zh-CN" if lang == "zh" else "en",
        title=html.escape(title),
        head=head,
        hall=html.escape(hall.name_en or hall.name if lang == "en" else hall.name),
        switch_href=html.escape(switch_href),
        switch_label=html.escape(t(lang, "lang_switch")),
        complaint_href=f"/complaint?lang={lang}",  # 投诉建议 from every page (complaint.py)
        complaint_label=html.escape(t(lang, "complaint_link")),
        body=body,
        data=_json_for_html({"lang": lang, **(data or {})}),
    )
    return HTMLResponse(text, status_code=status_code, headers=HEADERS)


# -- 好差评 form (ticket page and finished cases) ---------------------------------------
def rating_form(lang: str, who: str = "") -> Html:
    """The five levels as large buttons; reasons and a comment for levels 1-2.

    ``who`` names the window and clerk being rated (shown under the heading).
    """
    shown = t(lang, "reason_tags").split("|")
    return fill(
        "rating",
        heading=t(lang, "rate_heading"),
        who=lines([fill("who", who=who)], end="\n") if who else Html(""),
        hint=t(lang, "rate_hint"),
        levels=lines(fill("level", n=n, label=t(lang, f"level_{n}")) for n in (5, 4, 3, 2, 1)),
        reasons_heading=t(lang, "reasons_heading"),
        tags=lines(
            fill("tag", value=value, label=label)
            for value, label in zip(REASON_TAGS, shown, strict=True)
        ),
        comment_label=t(lang, "comment_label"),
        send=t(lang, "send"),
    )


def rated_note(lang: str) -> Html:
    """In place of the form once the case has been rated."""
    return fill("rated", text=t(lang, "already_rated"))


def rate_with_qr_note(lang: str) -> Html:
    """In place of the form on a finished case's page opened without its rating key."""
    return fill("rate_qr", text=t(lang, "rate_with_qr"))


def rating_key_of(request: Request, value: str | None = None) -> str | None:
    """The rating key a page was given (``?k=``, or ``value`` from a form); None if unusable."""
    key = request.query_params.get("k") if value is None else value
    if not key or not _KEY.match(key):
        return None
    return key


def rating_data(request: Request, lang: str, rate: dict[str, str]) -> dict[str, Any]:
    """What the page's script needs to post a rating: the case and its key, the URL, words."""
    keys = ("sending", "thanks", "already_rated", "rate_failed", "offline")
    strings = {k: t(lang, k) for k in keys}
    # After a 差评 the hall contacts the citizen (核实) within the configured working days.
    days = request.app.state.config.rectification.contact_days
    strings["thanks_bad"] = t(lang, "thanks_bad", days=days)
    return {"rate": rate, "rate_url": RATE_URL, "strings": strings}
