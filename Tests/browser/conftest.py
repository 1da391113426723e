"""Fixtures for the browser and OpenAPI tests: a live `dynapi dev`, an API helper, headless Chromium.

`Server(prefix)` starts the already-built binary (env `DYNAPI_BINARY`, default
`.build/debug/dynapi`) as `dynapi dev` on a throwaway data folder and a free
port through Tests/support/dynapi_live.py, as `Tests/clients/conftest.py` does
(it reads the `database postgresql://…` line of the banner, waits for
`/api/health/`), then checks that
the demo accounts (admin/dynapi-admin, demo/dynapi-demo) and the demo tables
(customer, product, order) are there, and adds EXTRA_SQL (a table with an enum,
an array, JSON, a trigger and an action; a view; a table that is not exposed). The session fixture `dynapi` is the
server the UI tests share; the schemathesis module starts one of its own,
because fuzzing writes (and deletes) anything the API lets an admin touch.

Screenshots go to `.build/screenshots/` (PNG); the browser tests save one at
each step.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from dynapi_live import REPO, LiveDev, LiveServer, wait_until_served  # noqa: E402

# Hypothesis (under schemathesis) keeps caches in .hypothesis/ of the working directory otherwise.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(REPO / ".build" / "hypothesis"))
START_TIMEOUT = 90.0
TOKEN_MAX_AGE = 200.0  # access tokens live 300 s by default
SCREENSHOTS = REPO / ".build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
DEMO_TABLES = ("customer", "product", "order")
# Added to the demo so that the pages and the document meet more than plain tables: an enum, an
# array, a JSON column, a trigger, an action, a view, and a business table that is not exposed.
EXTRA_SQL = """
CREATE TYPE ticket_priority AS ENUM ('low', 'normal', 'high');
CREATE TABLE ticket (
    id serial PRIMARY KEY,
    title varchar(80) NOT NULL,
    priority ticket_priority NOT NULL DEFAULT 'normal',
    tags text[],
    opened_on date NOT NULL DEFAULT current_date,
    closed boolean NOT NULL DEFAULT false,
    details jsonb,
    customer_id int REFERENCES customer(id) ON DELETE SET NULL
);
COMMENT ON TABLE ticket IS 'Support tickets';
CREATE FUNCTION ticket_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.title ILIKE '%forbidden%' THEN
        PERFORM dynapi.reject('title', 'This title is not allowed.', 'Pick another title.');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ticket_guard BEFORE INSERT OR UPDATE ON ticket FOR EACH ROW EXECUTE FUNCTION ticket_guard();
CREATE FUNCTION close_ticket(t ticket, user_id bigint, payload jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    IF t.closed THEN
        PERFORM dynapi.reject('closed', 'This ticket is already closed.');
    END IF;
    UPDATE ticket SET closed = true WHERE id = t.id;
    RETURN jsonb_build_object('id', t.id, 'closed', true, 'by', user_id, 'note', payload ->> 'note');
END $$;
SELECT dynapi.register_action('ticket', 'close', 'close_ticket');
INSERT INTO ticket (title, priority, tags) VALUES ('Printer jams', 'high', '{hardware}'), ('Password reset', 'low', NULL);
CREATE TABLE audit_note (id serial PRIMARY KEY, body text);
INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('audit_note', false);
CREATE VIEW big_order AS SELECT id, customer_id, total FROM "order" WHERE total > 100;
"""
EXTRA_TABLES = ("ticket", "big_order")


@dataclass
class DynAPI(LiveServer):
    _tokens: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def login(self, username: str = "admin", password: str = "dynapi-admin") -> dict:
        r = requests.post(f"{self.base}/api/auth/login/", json={"username": username, "password": password}, timeout=30)
        assert r.status_code == 200, f"login of {username} failed: {r.status_code} {r.text}"
        return r.json()

    def token(self, username: str = "admin", password: str = "dynapi-admin", fresh: bool = False) -> str:
        """An access token of that user, renewed before it expires."""
        with self._lock:
            got = self._tokens.get(username)
            if fresh or got is None or time.monotonic() - got[1] > TOKEN_MAX_AGE:
                got = (self.login(username, password)["access"], time.monotonic())
                self._tokens[username] = got
            return got[0]

    def request(self, method: str, path: str, body=None, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}", "Accept": "application/json"}
        return requests.request(method, f"{self.base}{path}", json=body, headers=headers, timeout=30, **kwargs)

    def api(self, method: str, path: str, body=None, expect: int | tuple = (200, 201)):
        """The JSON answer of an admin call, which must have one of the expected statuses."""
        r = self.request(method, path, body)
        expected = (expect,) if isinstance(expect, int) else expect
        assert r.status_code in expected, f"{method} {path} {json.dumps(body) if body is not None else ''} -> {r.status_code} {r.text[:2000]}"
        return r.json() if r.content else None

    def user_id(self, username: str) -> int:
        users = [u for u in self.api("GET", "/api/users/") if u["username"] == username]
        assert users, f"no user {username}"
        return users[0]["id"]

    def create_user(self, username: str, password: str | None = None, is_admin: bool = False) -> dict:
        body = {
            "username": username,
            "email": f"{username}@example.com",
            "password": password or f"{username}-Wq7!pass-{username[::-1]}",
            "is_active": True,
            "is_admin": is_admin,
        }
        return self.api("POST", "/api/users/", body, expect=201)


def _check_demo(server: DynAPI) -> None:
    server.login("demo", "dynapi-demo")
    server.psql(EXTRA_SQL)
    token = server.token()

    def get(table: str) -> tuple[int, str]:
        r = server.request("GET", f"/api/dyn/{table}/?limit=1", token=token)
        return r.status_code, r.text

    wait_until_served(get, DEMO_TABLES + EXTRA_TABLES)  # the extra ones come with the next schema reload


class Server:
    """A `dynapi dev` on its own throwaway folder, with the demo checked and EXTRA_SQL added;
    `stop()` ends it and removes the folder."""

    def __init__(self, prefix: str, env: dict | None = None) -> None:
        self.live = LiveDev(prefix, env, timeout=START_TIMEOUT)
        try:
            self.dynapi = DynAPI.of(self.live)
            _check_demo(self.dynapi)
        except BaseException:
            self.live.stop()
            raise

    def stop(self) -> None:
        self.live.stop()


@pytest.fixture(scope="session")
def dynapi():
    server = Server("dynapi-browser-")
    try:
        yield server.dynapi
    finally:
        server.stop()


# ---------- the browser ----------

@pytest.fixture(scope="session")
def chromium_paths() -> tuple[str, str]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (apt-get install -y chromium chromium-driver)")
    return CHROMIUM, CHROMEDRIVER


def make_driver(chromium_paths, width: int = 1280, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium_paths[0]
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--lang=en-US", "--disable-extensions", "--no-first-run"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager (which downloads drivers) is never asked.
    driver = webdriver.Chrome(service=Service(executable_path=chromium_paths[1]), options=options)
    if width < 500:  # headless windows are at least 500 px wide: emulate a phone's viewport instead
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    driver.phone = (width, height) if width < 500 else None
    return driver


@pytest.fixture
def browser(chromium_paths):
    driver = make_driver(chromium_paths)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver, name: str, full: bool = True) -> Path:
    """Saves `.build/screenshots/<name>.png`: the whole page when `full`, else the viewport."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if full:
        size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 5000), "scale": 1},
        })
        path.write_bytes(base64.b64decode(shot["data"]))
    else:
        driver.save_screenshot(str(path))
    return path


def console_errors(driver) -> list[str]:
    """Severe entries of the browser console (CSP violations and script errors among them)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
