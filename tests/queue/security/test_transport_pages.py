"""Issue 13, transport: /docs works offline and can be turned off; pages refuse to be framed.

A hall has no internet: /docs and /redoc load their scripts and styles from the
daemon itself (the pinned ``fastapi-offline`` package ships them), and the browser
test checks that rendering /docs asks nothing of any other host. ``api.docs: false``
removes /docs, /redoc and /openapi.json. The manager's page, the citizen's pages and
their assets send a Content-Security-Policy (``default-src 'self'``,
``frame-ancestors 'none'``) and ``X-Frame-Options: DENY``, so no other site can frame
them (clickjacking of the manager's unlock or appeal buttons), and the existing page
tests (tests/queue/web/pages/) still pass under that policy.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from hall.tools.cdp import CHROMIUM, Browser
from tests.queue.web.pages.conftest import browser, chromium  # noqa: F401 - the page fixtures
from tests.support import Daemon, hall_config, wait_until

KIOSK, MANAGER = "kiosk-token-1", "manager-token-1"


def _local_assets(daemon: Daemon, page: str) -> list[str]:
    r = daemon.api(None).session.get(daemon.base + page, timeout=10)
    assert r.status_code == 200, r.text
    urls = re.findall(r"""(?:src|href|spec-url)=["']([^"']+)["']""", r.text)
    urls += re.findall(r"""\burl: ?["']([^"']+)["']""", r.text)  # SwaggerUIBundle({url: ...})
    assert urls, r.text
    return urls


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_reference_only_the_daemon_and_every_asset_answers(
    daemon: Daemon, page: str
) -> None:
    urls = _local_assets(daemon, page)
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), f"{page} loads {url}"
        r = daemon.api(None).session.get(urljoin(daemon.base, url), timeout=30)
        assert r.status_code == 200, (url, r.status_code)
    assert any(u.endswith(".js") for u in urls) and "/openapi.json" in urls
    # Only the named assets: nothing else of the package's folder, nothing beside it.
    for other in ("/docs/assets/core.py", "/docs/assets/..%2Fcore.py", "/docs/assets/"):
        assert daemon.api(None).session.get(daemon.base + other, timeout=10).status_code == 404


def test_docs_off_removes_the_docs_and_the_schema(make_daemon) -> None:
    cfg = hall_config()
    cfg["api"]["docs"] = False
    d = make_daemon(cfg)
    anon = d.api(None)
    paths = ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect")
    for path in (*paths, "/docs/assets/swagger-ui-bundle.js"):
        assert anon.session.get(d.base + path, timeout=10).status_code == 404, path
    assert anon.get("/health").status_code == 200


def _headers_of(daemon: Daemon, path: str) -> dict[str, str]:
    r = daemon.api(None).session.get(daemon.base + path, timeout=10)
    assert r.status_code == 200, (path, r.status_code)
    return r.headers


def test_the_pages_refuse_to_be_framed(daemon: Daemon) -> None:
    issued = daemon.api(KIOSK).post("/tickets", {"service": "general"}).json()
    ticket = f"/t/{issued['id']}?k={issued['rating_key']}"
    pages = ["/manager", "/manager/manager.js", "/manager/manager.css", ticket]
    pages += ["/progress", "/public", "/citizen/citizen.js", "/citizen/citizen.css", "/docs"]
    for path in pages:
        headers = _headers_of(daemon, path)
        csp = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp, (path, csp)
        assert re.search(r"default-src '(self|none)'", csp), (path, csp)
        assert headers.get("X-Frame-Options") == "DENY", path
        assert headers.get("X-Content-Type-Options") == "nosniff", path
    # Only /docs needs its inline start-up script; the hall's own pages run none.
    assert "'unsafe-inline'" not in _headers_of(daemon, "/manager")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in _headers_of(daemon, ticket)["Content-Security-Policy"]
    # The API itself is JSON for programs, not a page: no policy needed there.
    assert "Content-Security-Policy" not in daemon.api(KIOSK).get("/services").headers


# -- in Chromium -------------------------------------------------------------------------

chromium_only = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

#: Collects every CSP violation of the pages opened after it is installed.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def watched(browser: Browser):  # noqa: F811 - the fixture imported above
    """The session's Chromium, recording CSP violations on every page it opens."""
    browser.send("Page.enable")
    added = browser.send("Page.addScriptToEvaluateOnNewDocument", source=WATCH_CSP)
    yield browser
    browser.send("Page.removeScriptToEvaluateOnNewDocument", identifier=added["identifier"])


@chromium_only
def test_docs_render_in_chromium_with_nothing_from_another_host(
    daemon: Daemon, watched: Browser
) -> None:
    watched.goto(daemon.base + "/docs")
    title = "document.querySelector('.swagger-ui .info .title')?.textContent || ''"
    assert wait_until(lambda: "hall queue daemon" in watched.evaluate(title), 30)
    ops = "document.querySelectorAll('.opblock').length"
    assert wait_until(lambda: watched.evaluate(ops) > 10, 10)
    loaded = watched.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    assert loaded and all(u.startswith(daemon.base + "/") for u in loaded), loaded
    assert watched.evaluate("window.__csp") == []


@chromium_only
def test_the_manager_page_works_under_its_policy(daemon: Daemon, watched: Browser) -> None:
    watched.goto(daemon.base + "/manager")
    watched.evaluate(  # the bootstrap token form (the test hall has no manager accounts)
        "document.getElementById('use-token').click();"
        f"document.getElementById('token').value = '{MANAGER}';"
        "document.getElementById('token-login').requestSubmit()"
    )
    live = "document.getElementById('live').className"
    assert wait_until(lambda: watched.evaluate(live) == "on", 15)
    assert watched.evaluate("window.__csp") == []


@chromium_only
def test_the_manager_page_cannot_be_framed(daemon: Daemon, watched: Browser) -> None:
    # Even a page of the daemon's own origin (a JSON answer, no policy of its own) cannot
    # frame /manager: with the policy, the frame holds Chromium's error page instead.
    watched.goto(daemon.base + "/api/v1/health")
    watched.evaluate(
        "const f = document.createElement('iframe');"
        f"f.src = '{daemon.base}/manager'; f.id = 'f'; document.body.appendChild(f); 0"
    )
    framed = (
        "(() => { try { const d = document.getElementById('f').contentDocument;"
        " return d && d.getElementById('token') ? 'shown' : 'blocked'; }"
        " catch (e) { return 'blocked'; } })()"
    )
    assert wait_until(lambda: watched.evaluate(framed) == "blocked", 5)
    assert watched.evaluate(framed) == "blocked"
