"""Single-page apps on another origin: CORS as a browser enforces it.

A `dynapi dev` of its own runs with DYNAPI_CORS_ORIGINS naming one origin (a
page server on a free port). A page served from that origin calls the API with
a token — a plain GET, and a JSON POST, which the browser preflights — and
reads the rows and the exposed headers. A page from a second origin makes the
same call and the browser refuses it, as it must.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import Server, screenshot
from dynapi_live import free_port

PAGE = b"<!doctype html><html><head><title>other origin</title></head><body><pre id=out></pre></body></html>"

# Runs in the page: fetch(), then hand back what the page could read (or the error the browser raised).
CALL = """
const [url, method, token, body, done] = arguments;
const headers = {Authorization: 'Bearer ' + token, Prefer: 'count=exact'};
if (body !== null) headers['Content-Type'] = 'application/json';
fetch(url, {method, headers, body: body === null ? undefined : JSON.stringify(body)})
  .then(async (r) => done({status: r.status, range: r.headers.get('Content-Range'), body: await r.text()}))
  .catch((e) => done({error: String(e)}));
"""


class Page(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


def page_server() -> tuple[ThreadingHTTPServer, str]:
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def origins():
    allowed, allowed_origin = page_server()
    other, other_origin = page_server()
    server = Server("dynapi-cors-", env={"DYNAPI_CORS_ORIGINS": allowed_origin})
    try:
        yield server.dynapi, allowed_origin, other_origin
    finally:
        server.stop()
        allowed.shutdown()
        other.shutdown()


def call(browser, url, method, token, body=None):
    browser.set_script_timeout(20)
    return browser.execute_async_script(CALL, url, method, token, body)


def test_a_page_on_an_allowed_origin_reads_and_writes(origins, browser):
    dynapi, allowed_origin, _ = origins
    token = dynapi.token()
    browser.get(allowed_origin + "/")
    read = call(browser, f"{dynapi.base}/api/dyn/customer/?select=id,name&limit=2", "GET", token)
    assert read.get("status") == 206, read  # two rows of a counted total
    assert read["range"] and read["range"].startswith("0-1/"), read  # an exposed header
    assert '"name"' in read["body"]
    created = call(browser, f"{dynapi.base}/api/dyn/customer/", "POST", token, {"name": "From another origin", "email": "cors@example.com"})
    assert created.get("status") == 201, created  # preflighted: JSON with an Authorization header
    assert "From another origin" in created["body"]
    screenshot(browser, "cors-allowed")


def test_a_page_on_another_origin_is_refused_by_the_browser(origins, browser):
    dynapi, _, other_origin = origins
    token = dynapi.token()
    before = dynapi.request("GET", "/api/dyn/customer/?select=id&email=eq.refused@example.com", token=token).json()
    browser.get(other_origin + "/")
    read = call(browser, f"{dynapi.base}/api/dyn/customer/?select=id,name", "GET", token)
    assert "error" in read and "TypeError" in read["error"], read
    write = call(browser, f"{dynapi.base}/api/dyn/customer/", "POST", token, {"name": "Refused", "email": "refused@example.com"})
    assert "error" in write, write
    # The preflight failed, so the write was never sent.
    after = dynapi.request("GET", "/api/dyn/customer/?select=id&email=eq.refused@example.com", token=token).json()
    assert after == before == []
    screenshot(browser, "cors-refused")
