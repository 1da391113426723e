"""The admin pages' Schema view and the users' Schema checkbox (docs/schema-api.md), driven in headless Chromium.

A table is made through the page's new-table form, changed through its column
editor (add, retype, drop) and dropped, each change previewed (the page's dry
run) before it is applied; the history lists what the admin did and what psql
did. Each step saves a screenshot into `.build/screenshots/`. What the UI does
is confirmed through the REST API and psql, not through the page itself.
"""

from __future__ import annotations

import re

import requests
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By

from conftest import make_driver, screenshot
from test_admin_ui import page_errors, sign_in_admin, text_in, visible, wait

TABLE = "ui_note"

LISTED = "return [...document.querySelectorAll('#schema-tables tbody tr[data-table]')].map((tr) => tr.dataset.table)"
COLUMNS = ("return [...document.querySelectorAll('#sd-columns tbody tr[data-column]')]"
           ".map((tr) => [tr.dataset.column, tr.cells[1].innerText.trim()])")
CHANGES = ("return [...document.querySelectorAll('#schema-changes tbody tr')]"
           ".map((tr) => ({who: tr.cells[1].innerText, tag: tr.cells[2].innerText, statement: tr.cells[3].innerText}))")


def open_schema(driver, base: str, hash_: str = "#schema") -> None:
    sign_in_admin(driver, base, hash_)
    visible(driver, "view-schema")
    wait_until(driver, lambda d: "customer" in d.execute_script(LISTED), "the table list never showed customer", LISTED)


def wait_until(driver, predicate, message: str, script: str):
    """Waits until `predicate(driver)` holds; on timeout, fails with what `script` reads from the page."""
    try:
        return wait(driver).until(lambda d: predicate(d) or False)
    except TimeoutException:
        raise AssertionError(f"{message}; the page shows {driver.execute_script(script)}") from None


def columns(driver) -> dict[str, str]:
    """The chosen table's columns as the page shows them: name -> type."""
    return dict(driver.execute_script(COLUMNS))


def wait_columns(driver, predicate, message: str) -> dict[str, str]:
    return wait_until(driver, lambda d: (lambda c: c if predicate(c) else False)(columns(d)), message, COLUMNS)


def type_into(driver, element_id: str, text: str) -> None:
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def column_row(driver, index: int, name: str, type_: str, default: str = "", nullable: bool = True,
               primary_key: bool = False, unique: bool = False) -> None:
    """Fills row `index` of the new-table form's columns, adding rows as needed."""
    while len(driver.find_elements(By.CSS_SELECTOR, "#nt-columns tbody tr")) <= index:
        driver.find_element(By.ID, "nt-add-column").click()
    row = driver.find_elements(By.CSS_SELECTOR, "#nt-columns tbody tr")[index]
    for field, text in (("name", name), ("type", type_), ("default", default)):
        box = row.find_element(By.NAME, field)
        box.clear()
        box.send_keys(text)
    for field, wanted in (("primary_key", primary_key), ("nullable", nullable), ("unique", unique)):
        box = row.find_element(By.NAME, field)
        if box.is_enabled() and box.is_selected() != wanted:
            box.click()


def preview(driver, prefix: str) -> str:
    """Presses the form's preview button and returns the statements the page shows."""
    driver.find_element(By.ID, f"{prefix}-submit").click()
    return visible(driver, f"{prefix}-ddl").text


def apply(driver, prefix: str, status_id: str, text: str) -> str:
    driver.find_element(By.ID, f"{prefix}-apply").click()
    return text_in(driver, status_id, text)


def column_button(driver, action: str, column: str):
    return driver.find_element(By.CSS_SELECTOR, f"#sd-columns button[data-action='{action}'][data-column='{column}']")


def described(dynapi, table: str) -> dict:
    return dynapi.api("GET", f"/api/schema/tables/{table}/")


def in_database(dynapi, name: str) -> bool:
    return dynapi.psql(f"SELECT to_regclass('public.{name}') IS NOT NULL").strip() == "t"


def history_rows(driver, predicate, message: str) -> list[dict]:
    return wait_until(driver, lambda d: (lambda rows: rows if predicate(rows) else False)(d.execute_script(CHANGES)), message, CHANGES)


def row_with(rows: list[dict], pattern: str) -> dict | None:
    return next((r for r in rows if re.search(pattern, r["statement"], re.I)), None)


# ---------- a table's life in the page ----------

def test_create_change_and_drop_a_table_in_the_page(dynapi, browser):
    open_schema(browser, dynapi.base)
    screenshot(browser, "schema-01-view")

    # The new-table form: name, schema, label, description, three columns; the preview runs nothing.
    assert browser.find_element(By.ID, "nt-schema").get_attribute("value") == "public"
    type_into(browser, "nt-name", TABLE)
    type_into(browser, "nt-label", "UI notes")
    type_into(browser, "nt-description", "Made in the admin page")
    column_row(browser, 0, "title", "varchar(80)", nullable=False)
    column_row(browser, 1, "qty", "integer", default="0")
    column_row(browser, 2, "extra", "text")
    types = browser.execute_script("return [...document.querySelectorAll('#type-list option')].map((o) => o.value)")
    assert {"text", "integer", "ticket_priority"} <= set(types), f"the type list lacks the allow-list or the enums: {types}"
    ddl = preview(browser, "nt")
    assert re.search(r"CREATE TABLE .*ui_note", ddl) and '"title"' in ddl and '"extra"' in ddl, ddl
    screenshot(browser, "schema-02-new-table-preview")
    assert not in_database(dynapi, TABLE), "the preview created the table"
    assert dynapi.request("GET", f"/api/schema/tables/{TABLE}/").status_code == 404

    apply(browser, "nt", "nt-status", f"Created table {TABLE}")
    wait_until(browser, lambda d: TABLE in d.execute_script(LISTED), f"{TABLE} not in the list", LISTED)
    wait_columns(browser, lambda c: list(c) == ["id", "title", "qty", "extra"], "the new table's columns are not shown")
    screenshot(browser, "schema-03-table-created")

    # Served at once, with what the form asked for.
    assert dynapi.api("GET", f"/api/dyn/{TABLE}/") == []
    table = described(dynapi, TABLE)
    assert (table["label"], table["description"], table["primary_key"]) == ("UI notes", "Made in the admin page", ["id"]), table
    by_name = {c["name"]: c for c in table["columns"]}
    assert by_name["title"]["nullable"] is False and by_name["title"]["type"] == "character varying(80)", by_name["title"]
    assert by_name["qty"]["type"] == "integer" and "0" in (by_name["qty"]["default"] or ""), by_name["qty"]
    row = dynapi.api("POST", f"/api/dyn/{TABLE}/", {"title": "First", "qty": 2, "extra": "to be dropped"}, expect=201)
    row = row[0] if isinstance(row, list) else row
    assert row["extra"] == "to be dropped", row

    # The column editor: add a column.
    browser.find_element(By.ID, "sd-add-column").click()
    type_into(browser, "cf-name", "due")
    type_into(browser, "cf-type", "date")
    ddl = preview(browser, "cf")
    assert re.search(r'ADD COLUMN\s+"due"', ddl, re.I), ddl
    screenshot(browser, "schema-04-add-column-preview")
    apply(browser, "cf", "sd-status", "Added column due")
    wait_columns(browser, lambda c: "due" in c, "the added column is not shown")

    # A retype whose values do not convert: the dry run converts nothing, so the preview is shown;
    # applying it is refused next to the form, and changes nothing.
    column_button(browser, "edit", "title").click()
    type_into(browser, "cf-type", "integer")
    ddl = preview(browser, "cf")
    assert re.search(r'ALTER COLUMN\s+"title"\s+(SET DATA\s+)?TYPE\s+integer', ddl, re.I), ddl
    browser.find_element(By.ID, "cf-apply").click()
    refused = text_in(browser, "cf-status", "HTTP 400")
    screenshot(browser, "schema-05-retype-refused")
    expected = dynapi.request("PATCH", f"/api/schema/tables/{TABLE}/columns/title/", {"type": "integer"})
    assert expected.status_code == 400 and expected.json()["message"] in refused, (expected.text, refused)
    assert {c["name"]: c["type"] for c in described(dynapi, TABLE)["columns"]}["title"] == "character varying(80)"

    # A retype that converts: integer to bigint.
    browser.find_element(By.ID, "cf-cancel").click()
    column_button(browser, "edit", "qty").click()
    assert browser.find_element(By.ID, "cf-type").get_attribute("value") == "integer"
    type_into(browser, "cf-type", "bigint")
    ddl = preview(browser, "cf")
    assert re.search(r'ALTER COLUMN\s+"qty"\s+(SET DATA\s+)?TYPE\s+bigint', ddl, re.I), ddl
    assert "DEFAULT" not in ddl.upper() and "NOT NULL" not in ddl.upper(), f"only the type was changed: {ddl}"
    screenshot(browser, "schema-06-retype-preview")
    apply(browser, "cf", "sd-status", "Changed column qty")
    wait_columns(browser, lambda c: c.get("qty") == "bigint", "the retyped column is not shown as bigint")

    # Drop a column: its name must be typed first, then the statement is shown, then it runs.
    column_button(browser, "drop", "extra").click()
    assert not browser.find_element(By.ID, "cd-submit").is_enabled()
    type_into(browser, "cd-confirm", "extr")
    assert not browser.find_element(By.ID, "cd-submit").is_enabled(), "a wrong name confirmed the drop"
    type_into(browser, "cd-confirm", "extra")
    ddl = preview(browser, "cd")
    assert re.search(r'DROP COLUMN\s+"extra"', ddl, re.I) and "CASCADE" not in ddl.upper(), ddl
    assert "extra" in dynapi.api("GET", f"/api/dyn/{TABLE}/")[0], "the preview dropped the column"
    screenshot(browser, "schema-07-drop-column-preview")
    apply(browser, "cd", "sd-status", "Dropped column extra")
    wait_columns(browser, lambda c: list(c) == ["id", "title", "qty", "due"], "the dropped column is still shown")
    screenshot(browser, "schema-08-column-dropped")

    # The routes follow: the row has no `extra` and has `due`, its qty kept; the document says the same.
    rows = dynapi.api("GET", f"/api/dyn/{TABLE}/")
    assert len(rows) == 1 and "extra" not in rows[0] and rows[0]["due"] is None and rows[0]["qty"] == 2, rows
    spec = requests.get(f"{dynapi.base}/api/schema/", timeout=30).json()
    props = spec["components"]["schemas"][TABLE]["properties"]
    assert "extra" not in props and "due" in props, sorted(props)
    assert props["qty"]["type"] in ("integer", ["integer", "null"]), props["qty"]

    # The history lists each change with the admin's username.
    wanted = [r"CREATE TABLE .*ui_note", r'ADD COLUMN\s+"due"', r'ALTER COLUMN\s+"qty"\s+(SET DATA\s+)?TYPE\s+bigint', r'DROP COLUMN\s+"extra"']
    rows = history_rows(browser, lambda rows: all(row_with(rows, p) for p in wanted), "the history lacks the page's changes")
    for pattern in wanted:
        assert row_with(rows, pattern)["who"].startswith("admin"), row_with(rows, pattern)
    admin_id = dynapi.user_id("admin")
    changes = dynapi.api("GET", "/api/schema/changes/?limit=500")["changes"]
    for pattern in wanted:
        change = next((c for c in changes if re.search(pattern, c["statement"], re.I)), None)
        assert change and change["username"] == "admin" and change["user_id"] == admin_id, (pattern, change)
    browser.execute_script("document.getElementById('schema-changes').scrollIntoView()")
    screenshot(browser, "schema-09-history")

    # A change made in psql: the page shows it after a reload, under the database role, with no API user.
    role = dynapi.psql("SELECT session_user").strip()
    dynapi.psql(f"ALTER TABLE {TABLE} ADD COLUMN from_psql text")
    browser.refresh()
    visible(browser, "view-schema")
    wait_columns(browser, lambda c: "from_psql" in c, "the column added in psql is not shown")
    rows = history_rows(browser, lambda rows: row_with(rows, r"from_psql"), "the psql change is not in the history")
    psql_row = row_with(rows, r"from_psql")
    assert role in psql_row["who"] and "no API user" in psql_row["who"], psql_row
    change = next(c for c in dynapi.api("GET", "/api/schema/changes/")["changes"] if "from_psql" in c["statement"])
    assert change["username"] is None and change["user_id"] is None and change["database_role"] == role, change
    assert change["tag"] == "ALTER TABLE", change
    browser.execute_script("document.getElementById('schema-changes').scrollIntoView()")
    screenshot(browser, "schema-10-history-psql")

    # Drop the table: its name must be typed, the statement is shown, then it runs.
    browser.find_element(By.ID, "sd-drop-table").click()
    type_into(browser, "dt-confirm", "ui_not")
    assert not browser.find_element(By.ID, "dt-submit").is_enabled(), "a wrong name confirmed the drop"
    type_into(browser, "dt-confirm", TABLE)
    ddl = preview(browser, "dt")
    assert re.search(r"DROP TABLE .*ui_note", ddl, re.I) and "CASCADE" not in ddl.upper(), ddl
    assert in_database(dynapi, TABLE), "the preview dropped the table"
    screenshot(browser, "schema-11-drop-table-preview")
    apply(browser, "dt", "schema-status", f"Dropped table {TABLE}")
    wait_until(browser, lambda d: TABLE not in d.execute_script(LISTED), f"{TABLE} still listed", LISTED)
    assert not in_database(dynapi, TABLE)
    assert dynapi.request("GET", f"/api/dyn/{TABLE}/").status_code == 404
    assert dynapi.request("GET", f"/api/schema/tables/{TABLE}/").status_code == 404
    screenshot(browser, "schema-12-table-dropped")
    assert not page_errors(browser)


def test_invalid_type_or_name_shows_the_400_and_creates_nothing(dynapi, browser):
    open_schema(browser, dynapi.base)
    newest = lambda: max((c["id"] for c in dynapi.api("GET", "/api/schema/changes/?limit=1")["changes"]), default=0)
    before = newest()
    for n, (table, column, type_) in enumerate((("ui_bad_type", "c", "money"), ("ui.bad_name", "c", "text"), ("ui_bad_column", "a,b", "text"))):
        expected = dynapi.request("POST", "/api/schema/tables/?dry_run=true",
                                  {"name": table, "schema": "public", "columns": [{"name": column, "type": type_}]})
        assert expected.status_code == 400, expected.text
        type_into(browser, "nt-name", table)
        column_row(browser, 0, column, type_)
        browser.find_element(By.ID, "nt-submit").click()
        status = text_in(browser, "nt-status", "HTTP 400")
        assert expected.json()["message"] in status, (expected.text, status)
        assert not browser.find_element(By.ID, "nt-preview").is_displayed(), "a refused request was previewed"
        screenshot(browser, f"schema-13-refused-{n + 1}")
    # The column editor shows its 400s the same way.
    browser.find_element(By.CSS_SELECTOR, "#schema-tables a[href='#schema?table=product']").click()
    wait_columns(browser, lambda c: "price" in c, "product's columns are not shown")
    browser.find_element(By.ID, "sd-add-column").click()
    type_into(browser, "cf-name", "bad,name")
    type_into(browser, "cf-type", "text")
    browser.find_element(By.ID, "cf-submit").click()
    text_in(browser, "cf-status", "HTTP 400")
    screenshot(browser, "schema-14-column-refused")
    for name in ("ui_bad_type", "ui_bad_column"):
        assert not in_database(dynapi, name), f"{name} was created"
    listed = {t["name"] for t in dynapi.api("GET", "/api/schema/tables/")["tables"]}
    assert not {"ui_bad_type", "ui.bad_name", "ui_bad_column"} & listed, sorted(listed)
    assert "bad,name" not in {c["name"] for c in described(dynapi, "product")["columns"]}
    assert newest() == before, "a refused request left a change in the history"
    assert not page_errors(browser)


# ---------- the schema permission ----------

def test_schema_checkbox_on_the_users_page_gives_the_permission(dynapi, browser):
    username = "erin_schema"
    dynapi.create_user(username)
    token = dynapi.login(username, f"{username}-Wq7!pass-{username[::-1]}")["access"]
    assert requests.get(f"{dynapi.base}/api/schema/tables/", timeout=30).status_code == 401
    for path in ("/api/schema/tables/", "/api/schema/types/", "/api/schema/changes/"):
        r = dynapi.request("GET", path, token=token)
        assert r.status_code == 403, f"{path} without the permission: {r.status_code} {r.text[:300]}"

    sign_in_admin(browser, dynapi.base, "#users")
    visible(browser, "view-users")
    box_css = f"#users-table tr[data-user='{username}'] input[data-field='can_change_schema']"
    box = wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, box_css) or False)[0]
    assert not box.is_selected()
    admin_box = browser.find_element(By.CSS_SELECTOR, "#users-table tr[data-user='admin'] input[data-field='is_admin']")
    assert admin_box.is_selected() and not admin_box.is_enabled(), "the admin could take away their own admin rights"
    screenshot(browser, "schema-15-users")
    box.click()
    text_in(browser, "users-status", f"{username} may now")
    screenshot(browser, "schema-16-users-schema-granted")
    user = next(u for u in dynapi.api("GET", "/api/users/") if u["username"] == username)
    assert user["can_change_schema"] is True and user["is_admin"] is False, user
    for path in ("/api/schema/tables/", "/api/schema/types/", "/api/schema/changes/"):
        r = dynapi.request("GET", path, token=token)
        assert r.status_code == 200, f"{path} with the permission: {r.status_code} {r.text[:300]}"

    # Unticked: refused again.
    browser.find_element(By.CSS_SELECTOR, box_css).click()
    text_in(browser, "users-status", f"{username} may no longer")
    r = dynapi.request("GET", "/api/schema/tables/", token=token)
    assert r.status_code == 403, f"after the permission was taken: {r.status_code} {r.text[:300]}"
    assert not page_errors(browser)


# ---------- phone width ----------

def test_schema_and_users_at_phone_width(dynapi, chromium_paths):
    driver = make_driver(chromium_paths, 390, 844)
    try:
        open_schema(driver, dynapi.base, "#schema?table=ticket")
        wait_columns(driver, lambda c: "priority" in c, "ticket's columns are not shown")
        screenshot(driver, "schema-17-phone", full=True)
        wide = ("return [...document.querySelectorAll('main section:not([hidden]) *')]"
                ".filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.scroll, pre'))"
                ".map((e) => e.tagName + '#' + e.id + '.' + e.className)")
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert not driver.execute_script(wide), f"wider than the screen: {driver.execute_script(wide)[:10]}"
        driver.get(f"{dynapi.base}/admin/#users")
        visible(driver, "view-users")
        wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#users-table tr[data-user='admin']") or False)
        screenshot(driver, "schema-18-phone-users", full=True)
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        driver.quit()
