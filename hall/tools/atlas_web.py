"""The web half of the screen atlas: the hall's pages in headless Chromium, phone and desktop.

:class:`WebAtlas` opens each page of a filled :class:`~hall.tools.atlas_hall.DemoHall`
(the manager page signed in as the demo manager, a waiting ticket, a finished one with its rating
form, 办件查询 and its answer, an unknown ticket) at each width, checks the
layout with JavaScript in the page (:data:`CHECK_JS`) and, at the atlas widths,
writes ``web-<page>-<lang>-<width>.png``. Findings are
:class:`~hall.tools.layout_check.Finding` like the Kivy screens'.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hall.config import DEMO_MANAGER_PIN
from hall.tools.atlas_hall import ID_NUMBER, DemoHall
from hall.tools.cdp import Browser, wait_until
from hall.tools.layout_check import Finding

#: Widths checked (CSS px): a small phone, a common phone, a desktop.
WIDTHS = (320, 390, 1366)
#: Widths written as pictures.
PICTURE_WIDTHS = (390, 1366)
HEIGHT = {320: 640, 390: 844, 1366: 900}
#: Every page of the atlas (citizen pages in both languages).
PAGES = ["manager-login", "manager"] + [
    f"{page}-{lang}"
    for page in ("ticket", "rating", "unknown-ticket", "progress", "progress-result")
    for lang in ("zh", "en")
]

#: Run in the page: horizontal overflow of the document, text cut by its box
#: (overflow hidden / ellipsis), boxes leaving the viewport outside any scroller,
#: and short labels ("中文", "服务态度不好") wrapped inside the word.
CHECK_JS = r"""
(() => {
  const out = [];
  const name = (el) => {
    let n = el.tagName.toLowerCase();
    if (el.id) n += '#' + el.id;
    else if (el.classList.length) n += '.' + [...el.classList].join('.');
    const t = (el.innerText || el.value || '').trim().replace(/\s+/g, ' ');
    return t ? `${n} "${t.slice(0, 30)}"` : n;
  };
  const scrolls = (cs) => ['auto', 'scroll'].includes(cs.overflowX);
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (scrolls(getComputedStyle(p))) return true;
    }
    return false;
  };
  const de = document.documentElement;
  if (de.scrollWidth > innerWidth) {
    out.push(['document', 'page-overflow',
              `page is ${de.scrollWidth} px wide in a ${innerWidth} px viewport`]);
  }
  for (const el of document.querySelectorAll('body *')) {
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    if (el.closest('[hidden]') || ['SCRIPT', 'STYLE'].includes(el.tagName)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const clips = cs.overflowX === 'hidden' || cs.overflowX === 'clip' || cs.textOverflow === 'ellipsis';
    if (clips && el.scrollWidth > el.clientWidth + 1) {
      out.push([name(el), 'text-cut', `content ${el.scrollWidth} px in a ${el.clientWidth} px box`]);
    }
    if (r.right > innerWidth + 1 && !scrolls(cs) && !inScroller(el)) {
      out.push([name(el), 'off-screen', `right edge at ${Math.round(r.right)} px, viewport ${innerWidth} px`]);
    }
    const kids = [...el.childNodes];
    const text = el.textContent.trim();
    if (kids.length === 1 && kids[0].nodeType === 3 && text.length >= 2 && text.length <= 8
        && !/\s/.test(text)) {
      const range = document.createRange();
      range.selectNodeContents(kids[0]);
      const tops = new Set([...range.getClientRects()].map((q) => Math.round(q.top)));
      if (tops.size > 1) out.push([name(el), 'word-split', `"${text}" wraps onto ${tops.size} lines`]);
    }
  }
  return out;
})()
"""


class WebAtlas:
    """One headless Chromium looking at the pages of a filled demo hall."""

    def __init__(self, hall: DemoHall, profile: Path, out_dir: Path | None = None) -> None:
        self.hall = hall
        self.out_dir = out_dir
        self.browser = Browser(profile)
        self._manager_signed_in = False

    def close(self) -> None:
        """Close Chromium."""
        self.browser.close()

    def pages(self) -> dict[str, Callable[[], None]]:
        """Page name → how to open it (the browser ends on the page, loaded)."""
        base, h = self.hall.base, self.hall
        b = self.browser
        out: dict[str, Callable[[], None]] = {
            "manager-login": lambda: self._manager(signed_in=False),
            "manager": lambda: self._manager(signed_in=True),
        }
        for lang in ("zh", "en"):
            q = f"lang={lang}"
            out[f"ticket-{lang}"] = lambda q=q: b.goto(f"{base}/t/{h.waiting['id']}?{q}")
            out[f"rating-{lang}"] = lambda q=q: b.goto(
                f"{base}/t/{h.finished['id']}?k={h.finished_key}&{q}"
            )
            out[f"unknown-ticket-{lang}"] = lambda q=q: b.goto(f"{base}/t/not-a-ticket?{q}")
            out[f"progress-{lang}"] = lambda q=q: b.goto(
                f"{base}/progress?receipt={h.receipts[1]}&{q}"
            )
            out[f"progress-result-{lang}"] = lambda q=q: self._progress_result(q)
        return out

    def all_pages(self) -> list[tuple[str, int]]:
        """Every (page, width) checked."""
        return [(p, w) for p in PAGES for w in WIDTHS]

    def _manager(self, signed_in: bool) -> None:
        b = self.browser
        if not signed_in:
            b.goto(self.hall.base + "/manager")
            b.evaluate("sessionStorage.clear()")
        b.goto(self.hall.base + "/manager")
        if signed_in and b.evaluate("document.getElementById('signin').hidden") is False:
            # The demo manager signs in with id + PIN (config.yaml managers:).
            manager = self.hall.config.managers[0].id
            b.evaluate(
                f"document.getElementById('manager-id').value = '{manager}';"
                f"document.getElementById('pin').value = '{DEMO_MANAGER_PIN}';"
                "document.getElementById('login').requestSubmit()"
            )
        if signed_in:  # the figures come from the API after the page loaded
            wait_until(lambda: b.evaluate("document.getElementById('live').className") == "on", 5)

    def _progress_result(self, query: str) -> None:
        b = self.browser
        b.goto(f"{self.hall.base}/progress?receipt={self.hall.receipts[1]}&{query}")
        b.evaluate(
            f"document.querySelector('input[name=id_number]').value = '{ID_NUMBER}';"
            "document.querySelector('form[action=\"/progress\"]').submit()"
        )
        wait_until(
            lambda: b.evaluate(
                "document.readyState === 'complete' && !document.querySelector('input[name=id_number]')"
            ),
            10,
        )

    def check(self, page: str, width: int) -> list[Finding]:
        """Open ``page`` at ``width``; its findings (and its picture at the atlas widths)."""
        b = self.browser
        b.viewport(width, HEIGHT[width], mobile=width < 800)
        self.pages()[page]()
        lang = "en" if page.endswith("-en") else "zh"
        screen = f"web-{page.removesuffix('-en').removesuffix('-zh')}"
        mode = f"{lang}-{width}px"
        found: list[Any] = b.evaluate(CHECK_JS) or []
        if self.out_dir is not None and width in PICTURE_WIDTHS:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            path = self.out_dir / f"{screen}-{lang}-{width}.png"
            b.screenshot(path, full_page=True)
            _shrink(path)
        return [Finding(screen, mode, w, problem, detail) for w, problem, detail in found]


def _shrink(path: Path) -> None:
    """256-colour PNG: small enough to keep in the repository."""
    from PIL import Image

    with Image.open(path) as img:
        small = img.convert("RGB")
    small.quantize(256).save(path, optimize=True)
