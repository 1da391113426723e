"""The admin page and the API docs page, driven in headless Chromium.

Each step saves a screenshot into `.build/screenshots/`. What the UI does is
confirmed through the REST API, not through the page itself.
"""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import console_errors, make_driver, screenshot

WAIT = 15


def wait(driver, timeout: float = WAIT) -> WebDriverWait:
    # The page re-renders tables in place: an element read mid-render may be gone.
    return WebDriverWait(driver, timeout, ignored_exceptions=[StaleElementReferenceException])


def visible(driver, element_id: str, timeout: float = WAIT):
    return wait(driver, timeout).until(EC.visibility_of_element_located((By.ID, element_id)))


def text_in(driver, element_id: str, text: str, timeout: float = WAIT) -> str:
    try:
        wait(driver, timeout).until(EC.text_to_be_present_in_element((By.ID, element_id), text))
    except TimeoutException:
        got = driver.find_element(By.ID, element_id).text
        raise AssertionError(f"#{element_id} never showed {text!r}; it shows {got!r}") from None
    return driver.find_element(By.ID, element_id).text


def page_errors(driver) -> list[str]:
    """Console errors but the expected HTTP refusals (401 on the first refresh, 403 for a non-admin)."""
    return [m for m in console_errors(driver) if "Failed to load resource" not in m]


def sign_in(driver, base: str, username: str, password: str, hash_: str = "") -> None:
    driver.get(f"{base}/admin/{hash_}")
    user = visible(driver, "login-username")
    user.clear()
    user.send_keys(username)
    pw = driver.find_element(By.ID, "login-password")
    pw.clear()
    pw.send_keys(password, Keys.ENTER)  # the keyboard submits the form


def sign_in_admin(driver, base: str, hash_: str = "") -> None:
    sign_in(driver, base, "admin", "dynapi-admin", hash_)
    visible(driver, "who")


def overview_rows(driver) -> dict[str, str]:
    """Table name -> the row's text, read in one script call (no stale elements)."""
    read = ("return Object.fromEntries([...document.querySelectorAll('#business-table tbody tr[data-table]')]"
            ".map((tr) => [tr.dataset.table, tr.innerText]))")
    return wait(driver).until(lambda d: d.execute_script(read) or False)


def permission_rows(driver) -> list[dict]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#perm-table tbody tr')]"
        ".map((tr) => ({id: tr.dataset.id, table: tr.dataset.table, user: tr.dataset.user}))")


def choose(driver, element_id: str, text: str) -> None:
    """Picks an option by its text once the page has filled the select."""
    wait(driver).until(lambda d: any(o.text == text for o in Select(d.find_element(By.ID, element_id)).options))
    Select(driver.find_element(By.ID, element_id)).select_by_visible_text(text)


def wait_rows(driver, predicate, message: str):
    try:
        return wait(driver).until(lambda d: (lambda rows: rows if predicate(rows) else False)(permission_rows(d)))
    except TimeoutException:
        raise AssertionError(f"{message}; the table shows {permission_rows(driver)}") from None


# ---------- sign-in ----------

def test_login_page_then_overview(dynapi, browser):
    browser.get(f"{dynapi.base}/admin/")
    visible(browser, "login-username")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.ID, "login-username").get_attribute("autocomplete") == "username"
    assert browser.find_element(By.ID, "login-password").get_attribute("autocomplete") == "current-password"
    screenshot(browser, "01-login")

    sign_in(browser, dynapi.base, "admin", "wrong-password")
    text_in(browser, "login-error", "Wrong username or password")
    screenshot(browser, "02-login-wrong-password")

    sign_in_admin(browser, dynapi.base)
    rows = overview_rows(browser)
    for table in ("customer", "order", "product"):
        assert table in rows, f"{table} not in the overview: {sorted(rows)}"
        assert "Exposed" in rows[table] and "Business" in rows[table], rows[table]
        assert f"/api/dyn/{table}/" in rows[table], rows[table]
    # Hooks and actions, a view, a table the API does not serve (conftest.EXTRA_SQL).
    ticket = rows["ticket"]
    for text in ("TRIGGER", "ticket_guard", "BEFORE INSERT OR UPDATE", "FOREIGN KEY", "close", "needs update", "8"):
        assert text in ticket, f"{text!r} not in the ticket row: {ticket!r}"
    assert "View" in rows["big_order"] and "Exposed" in rows["big_order"], rows["big_order"]
    assert "Not exposed" in rows["audit_note"] and "Not served" in rows["audit_note"], rows["audit_note"]
    assert browser.find_element(By.ID, "who-name").text == "admin"
    screenshot(browser, "03-overview")
    assert not page_errors(browser)


def test_non_admin_is_refused(dynapi, browser):
    sign_in(browser, dynapi.base, "demo", "dynapi-demo")
    text_in(browser, "login-error", "This page is for admin users only.")
    assert not browser.find_element(By.ID, "view-overview").is_displayed()
    assert not browser.find_element(By.ID, "nav").is_displayed()
    screenshot(browser, "04-non-admin-refused")
    assert not page_errors(browser)


def test_keyboard_skip_link(dynapi, browser):
    sign_in_admin(browser, dynapi.base)
    browser.refresh()  # a fresh load (the session comes back from the cookie): focus starts at the top
    overview_rows(browser)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    skip = browser.switch_to.active_element
    assert skip.get_attribute("id") == "skip" and skip.is_displayed(), skip.get_attribute("outerHTML")
    skip.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"
    # Next Tab lands inside the content, on its first control: the reload button.
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "reload"


def test_session_survives_reload_and_logout_ends_it(dynapi, browser):
    sign_in_admin(browser, dynapi.base)
    overview_rows(browser)
    # The access token lives in a JS variable only; the refresh cookie is HttpOnly.
    kept = browser.execute_script("return [localStorage.length, sessionStorage.length, document.cookie]")
    assert kept == [0, 0, ""], kept
    browser.refresh()
    visible(browser, "who")
    overview_rows(browser)
    browser.find_element(By.ID, "logout").click()
    text_in(browser, "login-error", "You are signed out")
    browser.refresh()
    visible(browser, "login-username")
    assert not browser.find_element(By.ID, "who").is_displayed()


# ---------- overview ----------

def test_reload_button_reports_routes(dynapi, browser):
    sign_in_admin(browser, dynapi.base)
    overview_rows(browser)
    browser.find_element(By.ID, "reload").click()
    status = text_in(browser, "overview-status", "Reloaded")
    for table in ("customer", "order", "product"):
        assert table in status, status
    screenshot(browser, "05-overview-reloaded")


def test_manage_permissions_link_filters_by_table(dynapi, browser):
    sign_in_admin(browser, dynapi.base)
    overview_rows(browser)
    browser.find_element(By.CSS_SELECTOR, "#business-table tr[data-table='order'] a").click()
    visible(browser, "view-permissions")
    assert "table=order" in browser.current_url
    wait(browser).until(lambda d: Select(d.find_element(By.ID, "f-table")).first_selected_option.text == "order")
    wait_rows(browser, lambda rows: all(r["table"] == "order" for r in rows), "rows of other tables shown")


# ---------- permissions ----------

def test_filter_by_user(dynapi, browser):
    demo = dynapi.user_id("demo")
    dynapi.api("POST", "/api/user-roles/bulk-assign/", {
        "user_id": demo, "tables": ["order", "customer"],
        "can_create": False, "can_read": True, "can_update": False, "can_delete": False,
    })
    sign_in_admin(browser, dynapi.base, "#permissions")
    visible(browser, "view-permissions")
    choose(browser, "f-user", "demo")
    rows = wait_rows(browser, lambda rows: rows and all(r["user"] == "demo" for r in rows), "the user filter did not apply")
    assert {"order", "customer"} <= {r["table"] for r in rows}
    assert f"user={demo}" in browser.current_url
    screenshot(browser, "06-permissions-filtered-demo")


def test_admin_journey_bulk_assign(dynapi, browser):
    """The path the issue describes: sign in, read the overview, go to the permissions, filter them,
    bulk-assign two tables to a user through the form, and find the rows through the REST API."""
    carol = dynapi.create_user("carol")
    sign_in_admin(browser, dynapi.base)
    rows = overview_rows(browser)
    assert {"customer", "order", "product"} <= set(rows), sorted(rows)

    # From the overview's "Manage permissions" button to the permissions page, without a page load.
    browser.execute_script("window.__samePage = true")
    browser.find_element(By.ID, "manage-all").click()
    visible(browser, "view-permissions")
    wait_rows(browser, lambda rows: len(rows) >= 1, "no permission rows")

    # The filter bar: a table, then a search word on top of it; Clear shows everything again.
    choose(browser, "f-table", "product")
    wait_rows(browser, lambda rows: rows and all(r["table"] == "product" for r in rows), "the table filter did not apply")
    search = browser.find_element(By.ID, "f-search")
    search.send_keys("demo", Keys.ENTER)
    wait_rows(browser, lambda rows: rows and all(r["table"] == "product" and r["user"] == "demo" for r in rows),
              "the search did not narrow the rows")
    assert "table=product" in browser.current_url and "search=demo" in browser.current_url
    screenshot(browser, "07-permissions-filtered-product-demo")
    everything = len(dynapi.api("GET", "/api/user-roles/"))
    browser.find_element(By.ID, "f-clear").click()
    wait_rows(browser, lambda rows: len(rows) == everything, "Clear did not show every row")
    assert browser.find_element(By.ID, "f-search").get_attribute("value") == ""

    # The heading's button leads to the Bulk assign form and puts the focus on its first field.
    browser.find_element(By.ID, "goto-assign").click()
    assert browser.switch_to.active_element.get_attribute("id") == "ba-user"
    choose(browser, "ba-user", "carol")
    # The tables come from the live list of served tables.
    for table in ("product", "customer"):
        wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, f"#ba-tables input[value='{table}']")))
        box = browser.find_element(By.CSS_SELECTOR, f"#ba-tables input[value='{table}']")
        box.click()
        assert box.is_selected()
    # Flags: create yes, read yes (checked by default), update no, delete yes.
    browser.find_element(By.ID, "ba-create").click()
    browser.find_element(By.ID, "ba-delete").click()
    screenshot(browser, "08-bulk-assign-filled")
    browser.find_element(By.ID, "ba-submit").click()
    status = text_in(browser, "ba-status", "Assigned 2 tables to carol")
    assert "product" in status and "customer" in status
    screenshot(browser, "09-bulk-assign-done")

    rows = dynapi.api("GET", f"/api/user-roles/?user={carol['id']}")
    by_table = {r["table_name"]: r for r in rows}
    assert set(by_table) == {"product", "customer"}, rows
    for r in by_table.values():
        assert (r["can_create"], r["can_read"], r["can_update"], r["can_delete"]) == (True, True, False, True), r

    # The table follows without a page reload: show carol's rows from the success message's link.
    browser.find_element(By.CSS_SELECTOR, "#ba-status a").click()
    wait_rows(browser, lambda rows: {r["table"] for r in rows} == {"product", "customer"} and all(r["user"] == "carol" for r in rows),
              "carol's rows not shown")
    assert browser.execute_script("return window.__samePage === true"), "the page was reloaded"
    assert not page_errors(browser)


def test_bulk_assign_unknown_table_shows_field_error(dynapi, browser):
    sign_in_admin(browser, dynapi.base, "#permissions")
    visible(browser, "view-permissions")
    choose(browser, "ba-user", "demo")
    browser.find_element(By.ID, "ba-extra").send_keys("no_such_table")
    browser.find_element(By.ID, "ba-submit").click()
    text_in(browser, "ba-status", "Bulk assign failed")
    text_in(browser, "ba-tables-error", "no_such_table")
    screenshot(browser, "10-bulk-assign-error")


def test_bulk_update_one_selected_row(dynapi, browser):
    dave = dynapi.create_user("dave")
    dynapi.api("POST", "/api/user-roles/bulk-assign/", {
        "user_id": dave["id"], "tables": ["order", "product"],
        "can_create": False, "can_read": True, "can_update": False, "can_delete": False,
    })
    sign_in_admin(browser, dynapi.base, f"#permissions?user={dave['id']}")
    rows = wait_rows(browser, lambda rows: len(rows) == 2 and all(r["user"] == "dave" for r in rows), "dave's two rows not shown")
    order_row = next(r for r in rows if r["table"] == "order")
    browser.find_element(By.CSS_SELECTOR, f"#perm-table tr[data-id='{order_row['id']}'] input.row-check").click()
    text_in(browser, "perm-summary", "1 selected")
    Select(browser.find_element(By.ID, "bu-update")).select_by_visible_text("Allow")
    Select(browser.find_element(By.ID, "bu-delete")).select_by_visible_text("Allow")
    Select(browser.find_element(By.ID, "bu-read")).select_by_visible_text("Deny")
    screenshot(browser, "11-bulk-update-filled")
    browser.find_element(By.ID, "bu-submit").click()
    text_in(browser, "bu-status", "Updated 1 row")
    # The table is refreshed in place: the order row now reads create No, read No, update Yes, delete Yes.
    wait(browser).until(lambda d: [c.text.replace("✓", "").replace("✗", "").strip() for c in
                                   d.find_elements(By.CSS_SELECTOR, f"#perm-table tr[data-id='{order_row['id']}'] td.flag")]
                        == ["No", "No", "Yes", "Yes"])
    screenshot(browser, "12-bulk-update-done")

    after = {r["table_name"]: r for r in dynapi.api("GET", f"/api/user-roles/?user={dave['id']}")}
    o, p = after["order"], after["product"]
    assert (o["can_create"], o["can_read"], o["can_update"], o["can_delete"]) == (False, False, True, True), o
    assert (p["can_create"], p["can_read"], p["can_update"], p["can_delete"]) == (False, True, False, False), p


def test_select_all_and_nothing_selected(dynapi, browser):
    sign_in_admin(browser, dynapi.base, "#permissions")
    rows = wait_rows(browser, lambda rows: len(rows) >= 2, "fewer than two permission rows")
    assert not browser.find_element(By.ID, "bu-submit").is_enabled()
    browser.find_element(By.ID, "select-all").click()
    text_in(browser, "perm-summary", f"{len(rows)} selected")
    assert browser.find_element(By.ID, "bu-submit").is_enabled()
    browser.find_element(By.ID, "select-all").click()
    text_in(browser, "perm-summary", "0 selected")


# ---------- phone width ----------

def test_phone_width(dynapi, chromium_paths):
    driver = make_driver(chromium_paths, 390, 844)
    try:
        sign_in_admin(driver, dynapi.base)
        overview_rows(driver)
        screenshot(driver, "13-phone-overview", full=False)
        # Nothing is wider than the screen: the tables reflow into one card per row.
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        wide = driver.execute_script(
            "return [...document.querySelectorAll('main section:not([hidden]) *')]"
            ".filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.tagName + '#' + e.id + '.' + e.className)")
        assert not wide, f"wider than the screen: {wide[:10]}"
        driver.get(f"{dynapi.base}/admin/#permissions")
        visible(driver, "view-permissions")
        wait_rows(driver, lambda rows: len(rows) >= 1, "no permission rows")
        screenshot(driver, "14-phone-permissions", full=True)
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        driver.quit()


# ---------- API docs ----------

def test_docs_page(dynapi, browser):
    browser.get(f"{dynapi.base}/api/docs/")
    visible(browser, "docs")
    ops = browser.find_elements(By.CSS_SELECTOR, "details.op")
    assert ops, "no operations rendered"
    paths = {o.find_element(By.CSS_SELECTOR, ".path").text for o in ops}
    for table in ("customer", "order", "product"):
        assert any(f"/api/dyn/{table}" in p for p in paths), sorted(paths)
    assert browser.find_elements(By.CSS_SELECTOR, ".schema-card"), "no component schemas rendered"
    assert "bearer" in browser.find_element(By.ID, "info").text.lower()
    screenshot(browser, "15-docs", full=False)
    first = next(o for o in ops if "/api/dyn/product" in o.find_element(By.CSS_SELECTOR, ".path").text)
    first.find_element(By.TAG_NAME, "summary").click()
    assert first.get_attribute("open") is not None
    browser.execute_script("arguments[0].scrollIntoView()", first)
    screenshot(browser, "16-docs-operation", full=False)
    browser.find_element(By.ID, "filter").send_keys("product")
    text_in(browser, "filter-count", "operations match")
    assert not page_errors(browser)


def test_docs_phone_width(dynapi, chromium_paths):
    driver = make_driver(chromium_paths, 390, 844)
    try:
        driver.get(f"{dynapi.base}/api/docs/")
        visible(driver, "docs")
        screenshot(driver, "17-phone-docs", full=False)
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        # Every block fits the screen (wide tables scroll inside their own region).
        wide = driver.execute_script(
            "return [...document.querySelectorAll('#toc, #info, #paths, #schemas, .op, .schema-card')]"
            ".filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.id || e.className)")
        assert not wide, f"wider than the screen: {wide}"
    finally:
        driver.quit()
