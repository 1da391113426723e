"""The admin pages with 1,000 more tables (issue 14, part 5): the overview and the
bulk-assign table picker list them all, their filter boxes narrow the rows
without a request, and neither rendering nor filtering grows quadratically.

A `dynapi dev` of its own (1,000 tables would slow every other browser test),
the tables made in one transaction. Timings are taken inside the browser with
`performance.now()`, from the change to the rows laid out; the bound (BOUND_MS)
is generous on purpose, as the machine is shared: it catches O(n²) work (each
row re-rendered per keystroke, a lookup per row over every row), not a few
milliseconds. The figures are printed at the end of the module.
"""

from __future__ import annotations

import contextlib
import subprocess
import time

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import Server, screenshot, wait_until_served
from test_admin_ui import choose, page_errors, sign_in_admin, text_in, visible, wait

COUNT = 1000
NAMES = [f"scale_{i:04d}" for i in range(1, COUNT + 1)]
# Every 100th table gets a label, so that the filter is seen matching labels too.
LABELS = {f"scale_{i:04d}": f"Ledger {i}" for i in range(100, COUNT + 1, 100)}
BOUND_MS = 1000
LOAD = 90  # seconds: the overview of 1,000 tables is one big catalog query
DDL_TIMEOUT = 900  # seconds for the 1,000 CREATE TABLE (about 2 minutes here)

# Changes the box's value as typing does, then waits (one frame at a time) until the
# list shows `expected` rows and forces the layout: the time covers the page's handler,
# the DOM changes and the layout they cause.
FILTER_JS = """
const [inputId, rowsSelector, value, expected, done] = arguments;
const input = document.getElementById(inputId);
const visible = () => [...document.querySelectorAll(rowsSelector)].filter((r) => !r.hidden);
const t0 = performance.now();
input.value = value;
input.dispatchEvent(new Event('input', { bubbles: true }));
const check = () => {
  const rows = visible();
  if (rows.length !== expected && performance.now() - t0 < 10000) return requestAnimationFrame(check);
  document.body.offsetHeight;
  done({ ms: performance.now() - t0, names: rows.map((r) => r.dataset.table || r.querySelector('input').value) });
};
check();
"""

# Renders the overview again as a visit does (the page's own hashchange route), after
# emptying the table: `total_ms` from the event to the rows laid out, `render_ms` from
# the end of the last of the page's three requests (overview, users, roles) to the same point.
RENDER_JS = """
const [expected, done] = arguments;
const body = document.querySelector('#business-table tbody');
body.replaceChildren();
performance.clearResourceTimings();
const t0 = performance.now();
window.dispatchEvent(new HashChangeEvent('hashchange'));
const check = () => {
  if (body.querySelectorAll('tr[data-table]').length < expected && performance.now() - t0 < 60000) return requestAnimationFrame(check);
  document.body.offsetHeight;
  const t1 = performance.now();
  const fetched = performance.getEntriesByType('resource').filter((e) => /\\/api\\/(admin\\/overview|users|roles)\\//.test(e.name));
  const last = Math.max(...fetched.map((e) => e.responseEnd));
  done({ total_ms: t1 - t0, render_ms: t1 - last, requests: fetched.length, rows: body.querySelectorAll('tr[data-table]').length });
};
check();
"""

OVERVIEW_ROWS = "#business-table tbody tr[data-table]"
PICKER_ROWS = "#ba-tables label[data-filter]"


@pytest.fixture(scope="module")
def scale(pytestconfig):
    server = Server("dynapi-scale-")
    try:
        dynapi = server.dynapi
        ddl = "\n".join(f"CREATE TABLE {n} (id serial PRIMARY KEY, title text, amount numeric(10,2));" for n in NAMES)
        labels = ", ".join(f"('{n}', '{label}')" for n, label in LABELS.items())
        started = time.monotonic()
        # Not LiveServer.psql: its 60 s limit is too short, as the bundle's ddl_command_end
        # trigger makes each CREATE TABLE of a long transaction slower than the one before.
        r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dynapi.database_url],
                           input=f"BEGIN;\n{ddl}\nINSERT INTO dynapi.table_settings (table_name, label) VALUES {labels};\nCOMMIT;\n",
                           capture_output=True, text=True, timeout=DDL_TIMEOUT)
        assert r.returncode == 0, f"psql failed ({r.returncode}): {r.stderr.strip()[-2000:]}"
        dynapi.ddl_seconds = time.monotonic() - started

        def get(table: str) -> tuple[int, str]:
            r = dynapi.request("GET", f"/api/dyn/{table}/?limit=1")
            return r.status_code, r.text

        wait_until_served(get, [NAMES[-1]], within=120)
        tables = dynapi.api("GET", "/api/admin/overview/")["tables"]
        dynapi.business = sorted(t["name"] for t in tables if not t["internal"])
        dynapi.served = sorted(t["name"] for t in tables if not t["internal"] and t["endpoint"])
        assert set(NAMES) <= set(dynapi.served), "not every new table is in the overview"
        dynapi.timings = {}
        yield dynapi
        report(pytestconfig, dynapi)
    finally:
        server.stop()


def report(config, dynapi) -> None:
    """Prints the figures (captured output would hide them on success)."""
    if not dynapi.timings:
        return
    lines = [f"{COUNT:,} CREATE TABLE in one transaction: {dynapi.ddl_seconds:.1f} s",
             f"admin pages with {len(dynapi.business):,} business tables, measured in the browser (bound {BOUND_MS} ms):"]
    lines += [f"  {what}: {ms:.0f} ms" for what, ms in dynapi.timings.items()]
    capture = config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print("\n" + "\n".join(lines))


def text_is(driver, element_id: str, text: str, timeout: float = 15) -> None:
    """Waits until the element's text is exactly `text` (counts are substrings of other counts)."""
    try:
        wait(driver, timeout).until(lambda d: d.find_element(By.ID, element_id).text == text)
    except TimeoutException:
        raise AssertionError(f"#{element_id} never showed {text!r}; it shows {driver.find_element(By.ID, element_id).text!r}") from None


def timed_filter(driver, input_id: str, rows: str, value: str, expected: list[str]) -> float:
    got = driver.execute_async_script(FILTER_JS, input_id, rows, value, len(expected))
    assert sorted(got["names"]) == sorted(expected), f"filter {value!r}: {len(got['names'])} rows shown, {len(expected)} expected"
    assert got["ms"] < BOUND_MS, f"filter {value!r} in #{input_id} took {got['ms']:.0f} ms"
    return got["ms"]


def matching(names: list[str], query: str) -> list[str]:
    q = query.strip().lower()
    return [n for n in names if q in f"{n} {LABELS.get(n, '')}".lower()]


def count_text(shown: int, total: int, filtered: bool = True) -> str:
    return f"{shown:,} of {total:,} tables" if filtered else f"{total:,} tables"


def test_overview_lists_and_filters_1000_tables(scale, browser):
    browser.set_script_timeout(LOAD)
    sign_in_admin(browser, scale.base)
    total = len(scale.business)
    text_is(browser, "ov-count", count_text(total, total, filtered=False), timeout=LOAD)
    shown = browser.execute_script(f"return [...document.querySelectorAll('{OVERVIEW_ROWS}')].map((r) => r.dataset.table)")
    assert sorted(shown) == scale.business
    assert "Ledger 500" in browser.find_element(By.CSS_SELECTOR, "tr[data-table='scale_0500']").text
    screenshot(browser, "scale-01-overview", full=False)

    render = browser.execute_async_script(RENDER_JS, total)
    assert render["rows"] == total and render["requests"] == 3, render
    assert render["render_ms"] < BOUND_MS, f"the overview of {total} tables rendered in {render['render_ms']:.0f} ms"
    scale.timings["overview: load (requests and render)"] = render["total_ms"]
    scale.timings["overview: render after the last response"] = render["render_ms"]

    # Typed as a user does: the keyboard, mixed case; the page asks the server nothing.
    browser.execute_script("performance.clearResourceTimings()")
    box = browser.find_element(By.ID, "ov-filter")
    assert browser.find_element(By.CSS_SELECTOR, "label[for='ov-filter']").text == "Filter tables"
    box.send_keys("Scale_012")
    text_is(browser, "ov-count", count_text(10, total))
    shown = browser.execute_script(f"return [...document.querySelectorAll('{OVERVIEW_ROWS}')].filter((r) => !r.hidden).map((r) => r.dataset.table)")
    assert shown == [f"scale_{i:04d}" for i in range(120, 130)], shown
    screenshot(browser, "scale-02-overview-filtered")

    for query in ("scale_05", "LEDGER", "scale_0999", "no such table", ""):
        expected = matching(scale.business, query)
        ms = timed_filter(browser, "ov-filter", OVERVIEW_ROWS, query, expected)
        scale.timings[f"overview: filter {query!r} -> {len(expected)} rows"] = ms
        text_is(browser, "ov-count", count_text(len(expected), total, filtered=bool(query)))
        assert browser.find_element(By.ID, "ov-empty").is_displayed() == (not expected)
    asked = browser.execute_script("return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/api/'))")
    assert not asked, f"filtering sent requests: {asked}"
    assert not page_errors(browser)


def test_bulk_assign_picker_keeps_hidden_ticks(scale, browser):
    browser.set_script_timeout(LOAD)
    erin = scale.create_user("erin")
    sign_in_admin(browser, scale.base, "#permissions")
    visible(browser, "view-permissions")
    total = len(scale.served)
    text_is(browser, "ba-count", f"{count_text(total, total, filtered=False)} · 0 selected", timeout=LOAD)
    choose(browser, "ba-user", "erin")

    for query in ("scale_05", "ledger", ""):
        expected = matching(scale.served, query)
        scale.timings[f"picker: filter {query!r} -> {len(expected)} rows"] = timed_filter(browser, "ba-filter", PICKER_ROWS, query, expected)

    box = browser.find_element(By.ID, "ba-filter")
    box.send_keys("scale_01")
    text_is(browser, "ba-count", f"{count_text(100, total)} · 0 selected")
    for name in ("scale_0105", "scale_0150"):
        browser.find_element(By.CSS_SELECTOR, f"#ba-tables input[value='{name}']").click()
    text_is(browser, "ba-count", f"{count_text(100, total)} · 2 selected")

    # Another filter hides both ticked tables: they stay ticked, and the count says so.
    box.clear()
    box.send_keys("LEDGER")
    text_is(browser, "ba-count", f"{count_text(10, total)} · 2 selected (2 hidden by the filter, assigned too)")
    assert browser.execute_script(
        "return ['scale_0105', 'scale_0150'].map((n) => document.querySelector(`#ba-tables input[value='${n}']`))"
        ".every((i) => i.checked && i.parentNode.hidden)")
    browser.find_element(By.CSS_SELECTOR, "#ba-tables input[value='scale_0900']").click()
    text_is(browser, "ba-count", f"{count_text(10, total)} · 3 selected (2 hidden by the filter, assigned too)")
    # Enter in the filter box filters; it never submits the form.
    box.send_keys(Keys.ENTER)
    assert browser.find_element(By.ID, "ba-status").text == ""
    screenshot(browser, "scale-03-bulk-assign-filtered")

    browser.find_element(By.ID, "ba-submit").click()
    text_in(browser, "ba-status", "Assigned 3 tables to erin", timeout=LOAD)
    screenshot(browser, "scale-04-bulk-assign-done")

    rows = scale.api("GET", f"/api/user-roles/?user={erin['id']}")
    assert {r["table_name"] for r in rows} == {"scale_0105", "scale_0150", "scale_0900"}, rows
    for r in rows:
        assert (r["can_create"], r["can_read"], r["can_update"], r["can_delete"]) == (False, True, False, False), r
    assert not page_errors(browser)

