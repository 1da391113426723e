"""DynAPI's /api/dyn driven by Supabase's PostgREST client (`postgrest` on PyPI).

Every test makes its own rows, tagged with a `batch` unique to the test, and
reads or writes only those. Rows are seeded and checked with psql, so that a
failure of the client path under test does not hide behind a failing seed.
The expectations are PostgREST's documented behaviour: status codes, body
shapes, error codes (SQLSTATE for PostgreSQL errors, PGRSTxxx for PostgREST's
own). `PROTOCOL.md` describes what the client sends for each call.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from postgrest import APIError, ReturnMethod

from conftest import make_client

# name, score, tags, text of the tsvector `doc`
PEOPLE = [
    ("Alice", 10, ["vip", "b c"], "The quick brown fox jumps over the dog"),
    ("bob", 20, ["vip"], "Lazy dogs sleep all day"),
    ("Carol", 30, [], "Quick thinking saves the day"),
    ("dave", None, [], None),
    ("Eve, Jr.", 40, ["new"], None),
]


def seed_customers(dynapi, batch, people=PEOPLE, emails=False) -> dict[str, dict]:
    """Inserts customers with psql; returns them by name."""
    payload = [
        {
            "name": name,
            "score": score,
            "tags": tags,
            "doc": doc,
            "email": f"{batch}-{i}@example.com" if emails else None,
        }
        for i, (name, score, tags, doc) in enumerate(people)
    ]
    rows = dynapi.sql_json(
        f"""
        WITH ins AS (
            INSERT INTO pg_customer (batch, name, email, score, tags, doc)
            SELECT '{batch}', x.name, x.email, x.score, coalesce(x.tags, '{{}}'),
                   CASE WHEN x.doc IS NULL THEN NULL ELSE to_tsvector('english', x.doc) END
            FROM ROWS FROM (json_to_recordset($j${json.dumps(payload)}$j$)
                            AS (name text, email text, score int, tags text[], doc text))
                 WITH ORDINALITY AS x(name, email, score, tags, doc, n)
            ORDER BY x.n
            RETURNING id, name, email, score, tags)
        SELECT coalesce(json_agg(ins ORDER BY id), '[]') FROM ins
        """
    )
    return {r["name"]: r for r in rows}


def seed_orders(dynapi, batch, orders) -> list[dict]:
    """orders: (customer_id, status, total, note) tuples, inserted in that order."""
    payload = [
        {"customer_id": c, "status": s, "total": t, "note": n} for c, s, t, n in orders
    ]
    return dynapi.sql_json(
        f"""
        WITH ins AS (
            INSERT INTO pg_order (batch, customer_id, status, total, note)
            SELECT '{batch}', x.customer_id, x.status, x.total, x.note
            FROM ROWS FROM (json_to_recordset($j${json.dumps(payload)}$j$)
                            AS (customer_id int, status text, total numeric, note text))
                 WITH ORDINALITY AS x(customer_id, status, total, note, n)
            ORDER BY x.n
            RETURNING *)
        SELECT coalesce(json_agg(ins ORDER BY id), '[]') FROM ins
        """
    )


def names(response) -> list[str]:
    assert isinstance(response.data, list), f"expected a JSON array, got {response.data!r}"
    return sorted(row["name"] for row in response.data)


def ordered_names(response) -> list[str]:
    assert isinstance(response.data, list), f"expected a JSON array, got {response.data!r}"
    return [row["name"] for row in response.data]


def customers(client, batch, columns="*", **kwargs):
    return client.table("pg_customer").select(columns, **kwargs).eq("batch", batch)


def assert_api_error(excinfo, code, status, recorder, mentions=None):
    err = excinfo.value
    assert err.code == code, f"code {err.code!r}, expected {code!r} ({err.json()})"
    assert isinstance(err.message, str) and err.message, f"no message: {err.json()}"
    if mentions:
        text = f"{err.message} {err.details or ''} {err.hint or ''}"
        assert mentions in text, f"{mentions!r} not in the error: {err.json()}"
    assert recorder.last.status == status, f"status {recorder.last.status}, expected {status}"


# ---------------------------------------------------------------- reading


def test_select_star_returns_every_column(client, dynapi, batch, recorder):
    seed_customers(dynapi, batch)
    r = customers(client, batch).execute()
    assert recorder.last.status == 200
    assert len(r.data) == 5
    assert set(r.data[0]) == {"id", "batch", "name", "email", "score", "tags", "doc"}
    alice = next(row for row in r.data if row["name"] == "Alice")
    assert alice["score"] == 10
    assert alice["tags"] == ["vip", "b c"]
    assert alice["batch"] == batch


def test_select_columns_and_rename(client, dynapi, batch):
    people = seed_customers(dynapi, batch)
    r = customers(client, batch, "id, label:name, score").order("id").execute()
    assert r.data[0] == {"id": people["Alice"]["id"], "label": "Alice", "score": 10}
    assert all(set(row) == {"id", "label", "score"} for row in r.data)


def test_filter_eq(client, dynapi, batch):
    seed_customers(dynapi, batch)
    assert names(customers(client, batch).eq("name", "bob").execute()) == ["bob"]
    assert names(customers(client, batch).eq("score", 30).execute()) == ["Carol"]


def test_filter_eq_value_with_reserved_characters(client, dynapi, batch):
    # httpx sends the space as '+', the comma as %2C: `name=eq.Eve%2C+Jr.`
    seed_customers(dynapi, batch)
    assert names(customers(client, batch).eq("name", "Eve, Jr.").execute()) == ["Eve, Jr."]


def test_filter_neq(client, dynapi, batch):
    seed_customers(dynapi, batch)
    assert names(customers(client, batch).neq("name", "bob").execute()) == ["Alice", "Carol", "Eve, Jr.", "dave"]


@pytest.mark.parametrize(
    "op, value, expected",
    [
        ("gt", 20, ["Carol", "Eve, Jr."]),
        ("gte", 20, ["Carol", "Eve, Jr.", "bob"]),
        ("lt", 20, ["Alice"]),
        ("lte", 20, ["Alice", "bob"]),
    ],
)
def test_filter_comparison(client, dynapi, batch, op, value, expected):
    seed_customers(dynapi, batch)
    query = getattr(customers(client, batch), op)("score", value)
    assert names(query.execute()) == expected


def test_filter_like_is_case_sensitive(client, dynapi, batch):
    seed_customers(dynapi, batch)
    assert names(customers(client, batch).like("name", "%a%").execute()) == ["Carol", "dave"]
    assert names(customers(client, batch).like("name", "A%").execute()) == ["Alice"]


def test_filter_ilike_ignores_case(client, dynapi, batch):
    seed_customers(dynapi, batch)
    assert names(customers(client, batch).ilike("name", "%a%").execute()) == ["Alice", "Carol", "dave"]
    assert names(customers(client, batch).ilike("name", "B%").execute()) == ["bob"]


def test_filter_in(client, dynapi, batch):
    # `in.(Alice,"Eve, Jr.",nobody)`: the client quotes a value holding a comma
    seed_customers(dynapi, batch)
    assert names(customers(client, batch).in_("name", ["Alice", "Eve, Jr.", "nobody"]).execute()) == [
        "Alice",
        "Eve, Jr.",
    ]
    assert names(customers(client, batch).in_("score", [10, 30, 99]).execute()) == ["Alice", "Carol"]


def test_filter_is_null(client, dynapi, batch):
    seed_customers(dynapi, batch)
    assert names(customers(client, batch).is_("score", None).execute()) == ["dave"]
    assert names(customers(client, batch).not_.is_("score", None).execute()) == ["Alice", "Carol", "Eve, Jr.", "bob"]


def test_filter_not(client, dynapi, batch):
    seed_customers(dynapi, batch)
    assert names(customers(client, batch).not_.eq("name", "bob").execute()) == ["Alice", "Carol", "Eve, Jr.", "dave"]
    # NOT (score IN (10, 20)) is NULL for dave: PostgreSQL's three-valued logic leaves him out
    assert names(customers(client, batch).not_.in_("score", [10, 20]).execute()) == ["Carol", "Eve, Jr."]
    assert names(customers(client, batch).not_.ilike("name", "%a%").execute()) == ["Eve, Jr.", "bob"]


def test_filter_or(client, dynapi, batch):
    seed_customers(dynapi, batch)
    assert names(customers(client, batch).or_("score.lt.15,name.eq.Carol").execute()) == ["Alice", "Carol"]
    nested = customers(client, batch).or_("name.eq.bob,and(score.gte.30,score.lt.40)")
    assert names(nested.execute()) == ["Carol", "bob"]
    negated = customers(client, batch).not_.or_("score.lt.25,score.is.null")
    assert names(negated.execute()) == ["Carol", "Eve, Jr."]


def test_filter_contains(client, dynapi, batch):
    # `tags=cs.{vip,"b c"}`
    seed_customers(dynapi, batch)
    assert names(customers(client, batch).contains("tags", ["vip"]).execute()) == ["Alice", "bob"]
    assert names(customers(client, batch).contains("tags", ["vip", "b c"]).execute()) == ["Alice"]


@pytest.mark.parametrize(
    "query, options, expected",
    [
        ("quick", None, ["Alice", "Carol"]),  # doc=fts.quick
        ("jumping foxes", {"type": "plain", "config": "english"}, ["Alice"]),  # plfts(english)
        ("brown fox", {"type": "phrase", "config": "english"}, ["Alice"]),  # phfts(english)
        ("quick -fox", {"type": "web_search", "config": "english"}, ["Carol"]),  # wfts(english)
    ],
)
def test_text_search(client, dynapi, batch, query, options, expected):
    seed_customers(dynapi, batch)
    r = customers(client, batch).text_search("doc", query, options).execute()
    assert names(r) == expected


@pytest.mark.parametrize(
    "desc, nullsfirst, expected",
    [
        (False, None, ["Alice", "bob", "Carol", "Eve, Jr.", "dave"]),  # asc: nulls last by default
        (True, None, ["dave", "Eve, Jr.", "Carol", "bob", "Alice"]),  # desc: nulls first by default
        (False, True, ["dave", "Alice", "bob", "Carol", "Eve, Jr."]),
        (True, False, ["Eve, Jr.", "Carol", "bob", "Alice", "dave"]),
    ],
    ids=["asc", "desc", "asc-nullsfirst", "desc-nullslast"],
)
def test_order(client, dynapi, batch, desc, nullsfirst, expected):
    seed_customers(dynapi, batch)
    r = customers(client, batch).order("score", desc=desc, nullsfirst=nullsfirst).execute()
    assert ordered_names(r) == expected


def test_order_by_two_columns(client, dynapi, batch):
    seed_customers(dynapi, batch, [("x", 1, [], None), ("y", 1, [], None), ("z", 0, [], None)])
    r = customers(client, batch).order("score").order("name", desc=True).execute()  # order=score.asc,name.desc
    assert ordered_names(r) == ["z", "y", "x"]


def test_limit(client, dynapi, batch):
    seed_customers(dynapi, batch)
    r = customers(client, batch).order("score").limit(2).execute()
    assert ordered_names(r) == ["Alice", "bob"]


def test_range(client, dynapi, batch):
    # range(1, 3) is sent as offset=1&limit=3
    seed_customers(dynapi, batch)
    r = customers(client, batch).order("score").range(1, 3).execute()
    assert ordered_names(r) == ["bob", "Carol", "Eve, Jr."]


def test_offset(client, dynapi, batch):
    seed_customers(dynapi, batch)
    r = customers(client, batch).order("score").offset(3).execute()
    assert ordered_names(r) == ["Eve, Jr.", "dave"]


def test_count_exact(client, dynapi, batch, recorder):
    seed_customers(dynapi, batch)
    r = customers(client, batch, count="exact").order("score").range(0, 1).execute()
    assert ordered_names(r) == ["Alice", "bob"]
    assert r.count == 5
    assert recorder.last.response_headers.get("content-range") == "0-1/5"

    r = customers(client, batch, count="exact").gt("score", 15).execute()
    assert len(r.data) == 3
    assert r.count == 3


def test_count_exact_with_no_rows(client, dynapi, batch, recorder):
    seed_customers(dynapi, batch)
    r = customers(client, batch, count="exact").eq("name", "nobody").execute()
    assert r.data == []
    assert r.count == 0
    assert recorder.last.response_headers.get("content-range") == "*/0"


def test_count_exact_head(client, dynapi, batch, recorder):
    seed_customers(dynapi, batch)
    r = customers(client, batch, count="exact", head=True).execute()
    assert recorder.last.method == "HEAD"
    assert recorder.last.status == 200
    assert r.data == []
    assert r.count == 5


def test_embed_many_to_one(client, dynapi, batch):
    people = seed_customers(dynapi, batch)
    seed_orders(
        dynapi,
        batch,
        [(people["Alice"]["id"], "paid", "12.50", None), (people["bob"]["id"], "pending", None, None)],
    )
    r = client.table("pg_order").select("id, status, pg_customer(name)").eq("batch", batch).order("id").execute()
    assert [row["pg_customer"] for row in r.data] == [{"name": "Alice"}, {"name": "bob"}]
    assert [row["status"] for row in r.data] == ["paid", "pending"]
    assert all(set(row) == {"id", "status", "pg_customer"} for row in r.data)


def test_embed_many_to_one_with_alias(client, dynapi, batch):
    people = seed_customers(dynapi, batch, emails=True)
    seed_orders(dynapi, batch, [(people["Carol"]["id"], "paid", "3", None)])
    r = client.table("pg_order").select("status, customer:pg_customer(name, email)").eq("batch", batch).execute()
    assert r.data == [{"status": "paid", "customer": {"name": "Carol", "email": people["Carol"]["email"]}}]


def test_embed_one_to_many(client, dynapi, batch):
    people = seed_customers(dynapi, batch)
    orders = seed_orders(
        dynapi,
        batch,
        [
            (people["Alice"]["id"], "paid", "12.50", "first"),
            (people["Alice"]["id"], "pending", None, None),
            (people["Carol"]["id"], "cancelled", "1.00", None),
        ],
    )
    r = client.table("pg_customer").select("name, pg_order(*)").eq("batch", batch).execute()
    by_name = {row["name"]: row["pg_order"] for row in r.data}
    assert len(by_name) == 5
    assert by_name["bob"] == []
    alice = sorted(by_name["Alice"], key=lambda o: o["id"])
    assert [o["id"] for o in alice] == [orders[0]["id"], orders[1]["id"]]
    assert set(alice[0]) == {"id", "customer_id", "batch", "status", "total", "note"}
    assert alice[0]["customer_id"] == people["Alice"]["id"]
    assert float(alice[0]["total"]) == 12.5
    assert alice[0]["note"] == "first"
    assert alice[1]["total"] is None
    assert [o["status"] for o in by_name["Carol"]] == ["cancelled"]


def test_single(client, dynapi, batch, recorder):
    people = seed_customers(dynapi, batch, emails=True)
    r = client.table("pg_customer").select("id, name").eq("email", people["bob"]["email"]).single().execute()
    assert recorder.last.status == 200
    assert r.data == {"id": people["bob"]["id"], "name": "bob"}


def test_single_without_a_row_is_an_error(client, dynapi, batch, recorder):
    seed_customers(dynapi, batch)
    with pytest.raises(APIError) as excinfo:
        customers(client, batch).eq("name", "nobody").single().execute()
    assert_api_error(excinfo, "PGRST116", 406, recorder)


def test_single_with_many_rows_is_an_error(client, dynapi, batch, recorder):
    seed_customers(dynapi, batch)
    with pytest.raises(APIError) as excinfo:
        customers(client, batch).gt("score", 15).single().execute()
    assert_api_error(excinfo, "PGRST116", 406, recorder)


def test_maybe_single(client, dynapi, batch):
    people = seed_customers(dynapi, batch)
    r = customers(client, batch, "id, name").eq("name", "Carol").maybe_single().execute()
    assert r is not None
    assert r.data == {"id": people["Carol"]["id"], "name": "Carol"}
    assert customers(client, batch).eq("name", "nobody").maybe_single().execute() is None


def test_csv(client, dynapi, batch, recorder):
    seed_customers(dynapi, batch)
    r = customers(client, batch, "name,score").order("score").csv().execute()
    assert recorder.last.status == 200
    assert recorder.last.response_headers.get("content-type", "").startswith("text/csv")
    assert isinstance(r.data, str), f"expected CSV text, got {r.data!r}"
    assert list(csv.reader(io.StringIO(r.data))) == [
        ["name", "score"],
        ["Alice", "10"],
        ["bob", "20"],
        ["Carol", "30"],
        ["Eve, Jr.", "40"],
        ["dave", ""],
    ]


# ---------------------------------------------------------------- writing


def test_insert_one(client, dynapi, batch, recorder):
    r = client.table("pg_customer").insert({"batch": batch, "name": "Zed", "score": 7}).execute()
    assert recorder.last.status == 201
    assert isinstance(r.data, list) and len(r.data) == 1, f"expected a one-row array, got {r.data!r}"
    row = r.data[0]
    assert isinstance(row["id"], int)
    assert (row["name"], row["score"], row["tags"], row["email"]) == ("Zed", 7, [], None)
    assert dynapi.rows(f"SELECT id, name, score FROM pg_customer WHERE batch = '{batch}'") == [
        {"id": row["id"], "name": "Zed", "score": 7}
    ]


def test_insert_returning_minimal(client, dynapi, batch, recorder):
    r = (
        client.table("pg_customer")
        .insert({"batch": batch, "name": "Quiet"}, returning=ReturnMethod.minimal)
        .execute()
    )
    assert recorder.last.status == 201
    assert recorder.last.response_body == ""
    assert r.data == []
    assert dynapi.rows(f"SELECT name FROM pg_customer WHERE batch = '{batch}'") == [{"name": "Quiet"}]


def test_insert_with_select(client, dynapi, batch):
    # insert(...).select("id,name") adds ?select=id,name to the POST
    r = client.table("pg_customer").insert({"batch": batch, "name": "Sel", "score": 1}).select("id,name").execute()
    assert len(r.data) == 1
    assert set(r.data[0]) == {"id", "name"}
    assert r.data[0]["name"] == "Sel"


def test_bulk_insert(client, dynapi, batch, recorder):
    rows = [
        {"batch": batch, "name": "one", "score": 1, "tags": ["a"]},
        {"batch": batch, "name": "two", "score": 2, "tags": ["b", "c"]},
        {"batch": batch, "name": "three", "score": 3, "tags": []},
    ]
    r = client.table("pg_customer").insert(rows).execute()
    assert recorder.last.status == 201
    assert [row["name"] for row in r.data] == ["one", "two", "three"]
    assert [row["tags"] for row in r.data] == [["a"], ["b", "c"], []]
    assert dynapi.rows(f"SELECT name, score FROM pg_customer WHERE batch = '{batch}' ORDER BY id") == [
        {"name": "one", "score": 1},
        {"name": "two", "score": 2},
        {"name": "three", "score": 3},
    ]


@pytest.mark.parametrize(
    "default_to_null, expected_tags",
    [(True, None), (False, [])],
    ids=["missing-is-null", "missing-is-default"],
)
def test_bulk_insert_missing_keys(client, dynapi, batch, default_to_null, expected_tags):
    # ?columns="name","tags","batch" lists every key; a row without `tags` gets NULL,
    # or the column default with Prefer: missing=default (default_to_null=False)
    rows = [{"batch": batch, "name": "with", "tags": ["x"]}, {"batch": batch, "name": "without"}]
    r = client.table("pg_customer").insert(rows, default_to_null=default_to_null).execute()
    assert [row["tags"] for row in r.data] == [["x"], expected_tags]
    assert dynapi.rows(f"SELECT tags FROM pg_customer WHERE batch = '{batch}' ORDER BY id") == [
        {"tags": ["x"]},
        {"tags": expected_tags},
    ]


@pytest.mark.parametrize(
    "bad_row, code, status",
    [
        ({"name": None}, "23502", 400),  # NOT NULL
        ({"name": "dup", "email": "DUP"}, "23505", 409),  # the same email twice in one batch
    ],
    ids=["not-null", "unique"],
)
def test_bulk_insert_is_all_or_nothing(client, dynapi, batch, recorder, bad_row, code, status):
    dup = f"{batch}@example.com"
    rows = [
        {"batch": batch, "name": "good", "email": dup},
        {"batch": batch, "name": "fine", "email": None},
        {"batch": batch, **{k: (dup if v == "DUP" else v) for k, v in bad_row.items()}},
    ]
    with pytest.raises(APIError) as excinfo:
        client.table("pg_customer").insert(rows).execute()
    assert_api_error(excinfo, code, status, recorder)
    assert dynapi.rows(f"SELECT id FROM pg_customer WHERE batch = '{batch}'") == []


def test_upsert_merge_duplicates(client, dynapi, batch, recorder):
    people = seed_customers(dynapi, batch, [("Old", 1, [], None)], emails=True)
    old = people["Old"]
    new_email = f"{batch}-new@example.com"
    r = (
        client.table("pg_customer")
        .upsert(
            [
                {"batch": batch, "email": old["email"], "name": "Renamed", "score": 2},
                {"batch": batch, "email": new_email, "name": "Fresh", "score": 3},
            ],
            on_conflict="email",
        )
        .execute()
    )
    assert recorder.last.status in (200, 201)
    assert sorted((row["name"], row["score"]) for row in r.data) == [("Fresh", 3), ("Renamed", 2)]
    merged = next(row for row in r.data if row["name"] == "Renamed")
    assert merged["id"] == old["id"]
    assert dynapi.rows(f"SELECT id, name, score FROM pg_customer WHERE batch = '{batch}' ORDER BY name") == [
        {"id": next(row["id"] for row in r.data if row["name"] == "Fresh"), "name": "Fresh", "score": 3},
        {"id": old["id"], "name": "Renamed", "score": 2},
    ]


def test_upsert_ignore_duplicates(client, dynapi, batch):
    people = seed_customers(dynapi, batch, [("Keep", 1, [], None)], emails=True)
    new_email = f"{batch}-new@example.com"
    r = (
        client.table("pg_customer")
        .upsert(
            [
                {"batch": batch, "email": people["Keep"]["email"], "name": "Ignored", "score": 9},
                {"batch": batch, "email": new_email, "name": "Added", "score": 2},
            ],
            on_conflict="email",
            ignore_duplicates=True,
        )
        .execute()
    )
    assert [row["name"] for row in r.data] == ["Added"]  # ignored rows are not returned
    assert dynapi.rows(f"SELECT name, score FROM pg_customer WHERE batch = '{batch}' ORDER BY name") == [
        {"name": "Added", "score": 2},
        {"name": "Keep", "score": 1},
    ]


def test_upsert_one_on_primary_key(client, dynapi, batch):
    # no on_conflict: PostgREST resolves on the primary key
    people = seed_customers(dynapi, batch, [("ByKey", 1, [], None)])
    pk = people["ByKey"]["id"]
    r = client.table("pg_customer").upsert({"id": pk, "batch": batch, "name": "ByKey2", "score": 5}).execute()
    assert [(row["id"], row["name"], row["score"]) for row in r.data] == [(pk, "ByKey2", 5)]
    assert dynapi.rows(f"SELECT id, name FROM pg_customer WHERE batch = '{batch}'") == [{"id": pk, "name": "ByKey2"}]


def test_update_with_filter(client, dynapi, batch, recorder):
    seed_customers(dynapi, batch)
    r = client.table("pg_customer").update({"score": 99, "tags": ["updated"]}).eq("batch", batch).lt("score", 25).execute()
    assert recorder.last.status == 200
    assert names(r) == ["Alice", "bob"]
    assert all(row["score"] == 99 and row["tags"] == ["updated"] for row in r.data)
    assert dynapi.rows(f"SELECT name, score FROM pg_customer WHERE batch = '{batch}' ORDER BY id") == [
        {"name": "Alice", "score": 99},
        {"name": "bob", "score": 99},
        {"name": "Carol", "score": 30},
        {"name": "dave", "score": None},
        {"name": "Eve, Jr.", "score": 40},
    ]


def test_update_matching_nothing(client, dynapi, batch):
    seed_customers(dynapi, batch)
    r = client.table("pg_customer").update({"score": 1}).eq("batch", batch).eq("name", "nobody").execute()
    assert r.data == []
    assert dynapi.sql_json(f"SELECT count(*) FROM pg_customer WHERE batch = '{batch}' AND score = 1") == 0


def test_delete_with_filter(client, dynapi, batch, recorder):
    people = seed_customers(dynapi, batch)
    orders = seed_orders(
        dynapi,
        batch,
        [
            (people["Alice"]["id"], "cancelled", "1", None),
            (people["bob"]["id"], "paid", "2", None),
            (people["Carol"]["id"], "cancelled", "3", None),
        ],
    )
    r = client.table("pg_order").delete().eq("batch", batch).eq("status", "cancelled").execute()
    assert recorder.last.status == 200
    assert sorted(row["id"] for row in r.data) == [orders[0]["id"], orders[2]["id"]]
    assert dynapi.rows(f"SELECT id FROM pg_order WHERE batch = '{batch}'") == [{"id": orders[1]["id"]}]


def test_delete_returning_minimal(client, dynapi, batch, recorder):
    seed_customers(dynapi, batch)
    r = client.table("pg_customer").delete(returning=ReturnMethod.minimal).eq("batch", batch).is_("score", None).execute()
    assert recorder.last.status == 204
    assert r.data == []
    assert dynapi.sql_json(f"SELECT count(*) FROM pg_customer WHERE batch = '{batch}'") == 4


# ---------------------------------------------------------------- errors


def test_error_unique_violation(client, dynapi, batch, recorder):
    people = seed_customers(dynapi, batch, [("Taken", 1, [], None)], emails=True)
    with pytest.raises(APIError) as excinfo:
        client.table("pg_customer").insert({"batch": batch, "name": "Again", "email": people["Taken"]["email"]}).execute()
    assert_api_error(excinfo, "23505", 409, recorder, mentions="pg_customer_email_key")
    assert dynapi.sql_json(f"SELECT count(*) FROM pg_customer WHERE batch = '{batch}'") == 1


def test_error_foreign_key_violation(client, dynapi, batch, recorder):
    with pytest.raises(APIError) as excinfo:
        client.table("pg_order").insert({"batch": batch, "customer_id": -1}).execute()
    assert_api_error(excinfo, "23503", 409, recorder)


def test_error_not_null_violation(client, dynapi, batch, recorder):
    with pytest.raises(APIError) as excinfo:
        client.table("pg_customer").insert({"batch": batch, "score": 1}).execute()
    assert_api_error(excinfo, "23502", 400, recorder)


def test_error_invalid_value(client, batch, recorder):
    with pytest.raises(APIError) as excinfo:
        client.table("pg_customer").select("*").eq("score", "abc").execute()
    assert_api_error(excinfo, "22P02", 400, recorder)


def test_error_unknown_column_in_body(client, dynapi, batch, recorder):
    with pytest.raises(APIError) as excinfo:
        client.table("pg_customer").insert({"batch": batch, "name": "x", "nope": 1}).execute()
    assert_api_error(excinfo, "PGRST204", 400, recorder, mentions="nope")
    assert dynapi.sql_json(f"SELECT count(*) FROM pg_customer WHERE batch = '{batch}'") == 0


def test_error_unknown_column_in_select(client, recorder):
    # PostgREST lets PostgreSQL find it: 42703 undefined_column
    with pytest.raises(APIError) as excinfo:
        client.table("pg_customer").select("id, nope").execute()
    assert_api_error(excinfo, "42703", 400, recorder, mentions="nope")


def test_error_unknown_column_in_filter(client, recorder):
    with pytest.raises(APIError) as excinfo:
        client.table("pg_customer").select("*").eq("nope", 1).execute()
    assert_api_error(excinfo, "42703", 400, recorder, mentions="nope")


def test_error_unknown_table(client, recorder):
    with pytest.raises(APIError) as excinfo:
        client.table("pg_nope").select("*").execute()
    assert_api_error(excinfo, "PGRST205", 404, recorder, mentions="pg_nope")


def test_error_unknown_embedding(client, recorder):
    with pytest.raises(APIError) as excinfo:
        client.table("pg_customer").select("*, pg_nope(*)").execute()
    assert_api_error(excinfo, "PGRST200", 400, recorder, mentions="pg_nope")


@pytest.mark.parametrize(
    "build",
    [
        lambda q: q.filter("score", "in", "1,2"),  # score=in.1,2: no parentheses
        lambda q: q.or_("score.eq"),  # or=(score.eq): no value
        lambda q: q.or_("score.eq.1,and(name.eq.x"),  # unbalanced parenthesis
    ],
    ids=["in-without-parentheses", "or-without-value", "or-unbalanced"],
)
def test_error_malformed_filter(client, recorder, build):
    with pytest.raises(APIError) as excinfo:
        build(client.table("pg_customer").select("*")).execute()
    assert_api_error(excinfo, "PGRST100", 400, recorder)


def test_unknown_operator_is_plain_equality(client, recorder):
    # DynAPI keeps the Django original's `col=value` equality: a value that does not start with a
    # known operator is compared as it is. PostgREST would answer PGRST100 instead. On an integer
    # column PostgreSQL then refuses the value, naming it; on a text column nothing matches.
    with pytest.raises(APIError) as excinfo:
        client.table("pg_customer").select("*").filter("score", "eqq", "1").execute()
    assert_api_error(excinfo, "22P02", 400, recorder)
    assert "eqq.1" in excinfo.value.message
    rows = client.table("pg_customer").select("*").filter("name", "eqq", "nobody").execute()
    assert rows.data == []


def test_error_unknown_schema_profile(dynapi, recorder):
    # the client sends Accept-Profile/Content-Profile on every request; schema() changes them
    base = make_client(dynapi, recorder)
    try:
        with pytest.raises(APIError) as excinfo:
            base.schema("nope").table("pg_customer").select("id").limit(1).execute()
        assert_api_error(excinfo, "PGRST106", 406, recorder)
        assert recorder.last.request_headers.get("accept-profile") == "nope"
    finally:
        base.aclose()


def test_error_details_carry_postgres_detail(client, dynapi, batch):
    # PostgREST puts PostgreSQL's DETAIL in `details` and its HINT in `hint`
    people = seed_customers(dynapi, batch, [("Detail", 1, [], None)], emails=True)
    with pytest.raises(APIError) as excinfo:
        client.table("pg_customer").insert({"batch": batch, "name": "D2", "email": people["Detail"]["email"]}).execute()
    err = excinfo.value
    assert err.code == "23505"
    assert isinstance(err.details, str) and "already exists" in err.details, err.json()
    assert people["Detail"]["email"] in err.details, err.json()
