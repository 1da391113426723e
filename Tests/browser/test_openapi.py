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
