"""The admin page keeps its session alive: access tokens that live 4 seconds here.

A `dynapi dev` of its own runs with DYNAPI_ACCESS_TOKEN_LIFETIME=4. The page
must renew its token before it expires (a timer at 80 % of its life), and,
when a call still meets a 401, refresh through the cookie and retry once.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from selenium.webdriver.common.by import By

from conftest import Server, make_driver
from test_admin_ui import overview_rows, sign_in_admin, text_in

LIFETIME = 4

REFRESHES = "return performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/admin/session/refresh')).length"


@pytest.fixture(scope="module")
def short_lived():
    server = Server("dynapi-session-", env={"DYNAPI_ACCESS_TOKEN_LIFETIME": str(LIFETIME)})
    try:
        yield server.dynapi
    finally:
        server.stop()


@contextmanager
def signed_in(server, chromium_paths, before_load: str | None = None):
    """A browser signed in to the admin page of `server`, its overview shown; `before_load`
    is a script that runs in every document before the page's own."""
    driver = make_driver(chromium_paths)
    try:
        if before_load:
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": before_load})
        sign_in_admin(driver, server.base)
        overview_rows(driver)
        yield driver
    finally:
        driver.quit()


def reload_schema(driver) -> None:
    driver.find_element(By.ID, "reload").click()
    text_in(driver, "overview-status", "Reloaded")


def test_token_renewed_before_it_expires(short_lived, chromium_paths):
    with signed_in(short_lived, chromium_paths) as driver:
        before = driver.execute_script(REFRESHES)
        time.sleep(LIFETIME * 2.2)
        assert driver.execute_script(REFRESHES) >= before + 2, "the page did not renew its token on a timer"
        reload_schema(driver)


# Long timers never fire here, so only the 401 path can save the call.
NO_LONG_TIMERS = """
    const realSetTimeout = window.setTimeout;
    window.setTimeout = (fn, ms, ...args) => (ms >= 1000 ? 0 : realSetTimeout(fn, ms, ...args));
"""


def test_expired_token_refreshed_on_401_and_retried(short_lived, chromium_paths):
    with signed_in(short_lived, chromium_paths, before_load=NO_LONG_TIMERS) as driver:
        before = driver.execute_script(REFRESHES)
        time.sleep(LIFETIME + 2)
        reload_schema(driver)
        assert driver.execute_script(REFRESHES) == before + 1, "expected exactly one refresh, after the 401"
        assert driver.find_element(By.ID, "who").is_displayed()


def test_session_that_cannot_be_renewed_returns_to_the_form(short_lived, chromium_paths):
    with signed_in(short_lived, chromium_paths) as driver:
        cookies = driver.get_cookies()
        assert [(c["name"], c["httpOnly"], c["path"], c.get("sameSite")) for c in cookies] == [("dynapi_admin", True, "/admin", "Strict")], cookies
        # As when the refresh token expires: the next renewal is refused. A renewal in flight
        # may set the cookie again after it was deleted, so keep deleting until the page gives up.
        deadline = time.monotonic() + LIFETIME * 3
        while "Your session has ended" not in driver.find_element(By.ID, "login-error").text:
            assert time.monotonic() < deadline, "the page never said the session had ended"
            driver.delete_all_cookies()
            time.sleep(0.2)
        assert driver.find_element(By.ID, "login-username").is_displayed()
        assert not driver.find_element(By.ID, "view-overview").is_displayed()
