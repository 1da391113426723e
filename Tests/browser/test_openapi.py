"""The OpenAPI document at /api/schema/ is a valid OpenAPI 3.1 document and describes the live tables."""

from __future__ import annotations

import requests
from openapi_spec_validator import OpenAPIV31SpecValidator, validate


def test_schema_validates_as_openapi_31(dynapi):
    r = requests.get(f"{dynapi.base}/api/schema/", timeout=30)
    assert r.status_code == 200, r.text[:500]
    assert "json" in r.headers.get("content-type", ""), r.headers
    spec = r.json()
    assert spec.get("openapi", "").startswith("3.1"), spec.get("openapi")
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in OpenAPIV31SpecValidator(spec).iter_errors()]
    assert not errors, "\n".join(errors[:30])
    validate(spec, cls=OpenAPIV31SpecValidator)


def test_schema_lists_the_demo_tables(dynapi):
    spec = requests.get(f"{dynapi.base}/api/schema/", timeout=30).json()
    paths = spec["paths"]
    for table in ("customer", "product", "order"):
        assert any(p.rstrip("/") == f"/api/dyn/{table}" for p in paths), sorted(paths)
    assert spec["components"]["securitySchemes"], "no security scheme"


def test_schema_follows_ddl(dynapi):
    dynapi.psql("CREATE TABLE openapi_probe (id serial PRIMARY KEY, label varchar(20) NOT NULL)")
    try:
        import time
        deadline = time.monotonic() + 10
        while True:
            paths = requests.get(f"{dynapi.base}/api/schema/", timeout=30).json()["paths"]
            if any(p.rstrip("/") == "/api/dyn/openapi_probe" for p in paths):
                break
            assert time.monotonic() < deadline, "the new table never appeared in /api/schema/"
            time.sleep(0.1)
    finally:
        dynapi.psql("DROP TABLE openapi_probe")


def test_schema_describes_columns_routes_and_auth(dynapi):
    """Types, nullability, formats, lengths and enums come from the columns; auth and admin routes are there."""
    spec = requests.get(f"{dynapi.base}/api/schema/", timeout=30).json()
    schemas, paths = spec["components"]["schemas"], spec["paths"]
    customer = schemas["customer"]["properties"]
    assert customer["email"]["type"] == ["string", "null"] and customer["email"]["maxLength"] == 255, customer["email"]
    assert customer["name"]["type"] == "string" and customer["name"]["maxLength"] == 100, customer["name"]
    assert customer["created_at"]["format"] == "date-time", customer["created_at"]
    ticket = schemas["ticket.write"]
    assert ticket["properties"]["priority"]["enum"] == ["low", "normal", "high"], ticket["properties"]["priority"]
    assert ticket["properties"]["tags"]["type"] == ["array", "null"], ticket["properties"]["tags"]
    assert ticket["properties"]["opened_on"]["format"] == "date"
    assert ticket["required"] == ["title"], "only NOT NULL columns without a default are required"
    assert "/api/dyn/ticket/{pk}/action/close/" in paths, "the registered action has no route"
    assert not any("audit_note" in p for p in paths), "a table that is not exposed is in the document"
    assert paths["/api/dyn/big_order/"]["get"], "views are served"
    for route in ("/api/auth/login/", "/api/auth/refresh/", "/api/admin/overview/", "/api/dyn/reload/",
                  "/api/user-roles/bulk-update/", "/api/user-roles/bulk-assign/", "/api/users/{id}/"):
        assert route in paths, f"{route} is missing"
    assert paths["/api/auth/login/"]["post"]["security"] == [], "login must not need a token"
    assert spec["security"] == [{"bearer": []}]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    # The filter grammar: every column of a list is a parameter, documented with its operators.
    listing = {p.get("name"): p for p in paths["/api/dyn/product/"]["get"]["parameters"] if "name" in p}
    assert {"id", "name", "price", "stock"} <= set(listing), sorted(listing)
    assert "gte" in spec["info"]["description"] and "not." in spec["info"]["description"]
    ids = [op["operationId"] for item in paths.values() for op in item.values() if isinstance(op, dict) and "operationId" in op]
    assert len(ids) == len(set(ids)) and len(ids) == sum(len(item) for item in paths.values()), "operationIds missing or repeated"
