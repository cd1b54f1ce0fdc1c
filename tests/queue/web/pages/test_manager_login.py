"""The manager page's sign-in in headless Chromium: id + PIN, who is signed in, 退出, 401.

Manager accounts (issue 13): the page signs in with a manager's id + PIN, shows who
is signed in, ends the session with 退出, goes back to the form when the session
ends elsewhere (a 401), and keeps the shared token only behind a bootstrap link.
"""

from __future__ import annotations

import pytest
import requests

from hall.tools.cdp import CHROMIUM, Browser
from tests.queue.security.test_manager_accounts import MANAGER_PIN, WRONG, manager_config
from tests.queue.web.pages.test_manager_page import text
from tests.support import Daemon, wait_until

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


def shown(b: Browser, element_id: str) -> bool:
    """Drawn on the page (not only without the hidden attribute: CSS could override it)."""
    return b.evaluate(f"document.getElementById('{element_id}').getClientRects().length > 0")


def sign_in(b: Browser, manager_id: str, pin: str) -> None:
    b.evaluate(
        f"document.getElementById('manager-id').value = '{manager_id}';"
        f"document.getElementById('pin').value = '{pin}';"
        "document.body.dataset.loaded = '';"
        "document.getElementById('login').requestSubmit()"
    )


def loaded(b: Browser) -> bool:
    return wait_until(lambda: b.evaluate("document.body.dataset.loaded || ''") != "", 15)


def stored_token(b: Browser) -> str | None:
    return b.evaluate("sessionStorage.getItem('hall-manager-token')")


def me(d: Daemon, token: str) -> requests.Response:
    return requests.get(
        d.base + "/api/v1/manager/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def test_a_manager_signs_in_with_id_and_pin_and_out_again(make_daemon, browser) -> None:
    d = make_daemon(manager_config())
    browser.goto(d.base + "/manager")
    assert shown(browser, "signin") and not shown(browser, "main")
    assert not shown(browser, "token-login")  # the shared token only behind the link
    sign_in(browser, "M01", WRONG)
    assert wait_until(lambda: "账号或密码错误" in text(browser, "login-error"), 10)
    assert "wrong PIN" in text(browser, "login-error")
    assert shown(browser, "signin") and stored_token(browser) is None
    assert browser.evaluate("document.getElementById('pin').value") == ""

    sign_in(browser, "M01", MANAGER_PIN)
    assert loaded(browser)
    assert not shown(browser, "signin") and shown(browser, "main")
    assert wait_until(lambda: text(browser, "who") == "王主任（M01）", 10), text(browser, "who")
    assert shown(browser, "sign-out")
    assert wait_until(
        lambda: browser.evaluate("document.getElementById('live').className") == "on", 10
    )
    token = stored_token(browser)
    assert token and MANAGER_PIN not in token and me(d, token).json()["id"] == "M01"
    # A reload keeps the session (sessionStorage): straight to the figures.
    browser.goto(d.base + "/manager")
    assert wait_until(lambda: text(browser, "who") == "王主任（M01）", 10)

    browser.evaluate("document.getElementById('sign-out').click()")
    assert wait_until(lambda: shown(browser, "signin"), 10)
    assert "已退出" in text(browser, "login-error") and not shown(browser, "main")
    assert stored_token(browser) is None
    assert wait_until(lambda: me(d, token).status_code == 401, 10)  # ended on the daemon
    assert browser.evaluate("document.getElementById('live').className") == "off"


def test_the_page_goes_back_to_sign_in_when_the_session_ends_elsewhere(
    make_daemon, browser
) -> None:
    d = make_daemon(manager_config())
    browser.goto(d.base + "/manager")
    sign_in(browser, "M02", MANAGER_PIN)
    assert loaded(browser)
    assert wait_until(
        lambda: browser.evaluate("document.getElementById('live').className") == "on", 10
    )
    token = stored_token(browser)
    r = requests.post(
        d.base + "/api/v1/manager/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert r.status_code == 200, r.text
    # The stream closes with the session; reconnecting gets 401: back to the form.
    assert wait_until(lambda: shown(browser, "signin"), 15)
    assert "重新登录" in text(browser, "login-error")
    assert stored_token(browser) is None


def test_the_bootstrap_token_is_behind_a_link_and_says_so(make_daemon, browser) -> None:
    d = make_daemon(manager_config())
    browser.goto(d.base + "/manager")
    browser.evaluate("document.getElementById('use-token').click()")
    assert shown(browser, "token-login")
    browser.evaluate(
        "document.getElementById('token').value = 'manager-token-1';"
        "document.getElementById('token-login').requestSubmit()"
    )
    assert loaded(browser)
    assert wait_until(lambda: "共用管理令牌 mgr-t" in text(browser, "who"), 10)
    assert "bootstrap" in text(browser, "who")
    browser.evaluate("document.getElementById('sign-out').click()")
    assert wait_until(lambda: shown(browser, "signin"), 10)
    assert stored_token(browser) is None
    assert browser.evaluate("document.getElementById('token').value") == ""
