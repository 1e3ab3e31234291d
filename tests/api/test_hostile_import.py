"""Issue 7 parts 4-5: hostile values in an upload are 422 problem+json naming file, row, column."""

from __future__ import annotations

from pathlib import Path

from stockshift.io.limits import MAX_SALES_UNITS
from tests.api.conftest import Api
from tests.hostile import CASES, Case


def _import(api: Api, case: Case, folder: Path) -> tuple[int, str, dict[str, object]]:
    stores, inventory, sales = case.write(folder)
    parts = {
        "stores": ("stores.csv", stores.read_bytes(), "text/csv"),
        "inventory": ("inventory.csv", inventory.read_bytes(), "text/csv"),
        "sales": ("sales.csv", sales.read_bytes(), "text/csv"),
    }
    r = api.client.post("/api/v1/import", files=parts, headers=api.auth("admin"))
    return r.status_code, r.headers.get("content-type", ""), r.json()


def test_import_refuses_every_hostile_value(api: Api, tmp_path: Path) -> None:
    """On SQLite and PostgreSQL: 422 with the row error, never 500; the data stays as it was."""
    status, _, body = _import(api, Case("", 0, "", ""), tmp_path / "good")
    assert status == 200, body
    failures = {}
    for name, case in CASES.items():
        status, kind, body = _import(api, case, tmp_path / name.replace(" ", "_").replace("*", "x"))
        errors = body.get("errors", [])
        hit = [
            e
            for e in errors  # type: ignore[attr-defined]
            if (e["file"], e["row"], e["column"]) == (case.file, case.row, case.column)
            and case.words in e["message"]
        ]
        if status != 422 or kind != "application/problem+json" or not hit:
            failures[name] = (status, body)
    assert failures == {}
    stores = api.client.get("/api/v1/stores", headers=api.auth("viewer")).json()
    assert sorted(s["store_id"] for s in stores["items"]) == ["A", "B", "C"]


def test_posted_sales_have_the_limits_of_imported_ones(api: Api, tmp_path: Path) -> None:
    """POST /sales: a sale in the year 3000 or of 1e300 units would break forecasts as an
    imported one would; both are 422 naming the field, and nothing is recorded."""
    assert _import(api, Case("", 0, "", ""), tmp_path)[0] == 200
    good = {"date": "2026-01-05", "store_id": "A", "product_id": "P1", "units": 1}
    for change, field in [
        ({"date": "3000-01-01"}, "date"),
        ({"date": "1899-12-31"}, "date"),
        ({"units": 1e300}, "units"),
        ({"units": MAX_SALES_UNITS + 1}, "units"),
        ({"product_id": "P\t1"}, "product_id"),
        ({"store_id": "X" * 65}, "store_id"),
    ]:
        r = api.client.post(
            "/api/v1/sales", json={"sales": [{**good, **change}]}, headers=api.auth("admin")
        )
        assert r.status_code == 422, (change, r.text)
        assert any(e["location"].endswith(field) for e in r.json()["errors"]), r.text
    r = api.client.post("/api/v1/sales", json={"sales": [good]}, headers=api.auth("admin"))
    assert r.status_code == 200, r.text
    ledger = api.client.get("/api/v1/ledger", headers=api.auth("viewer")).json()
    assert [e["reason"] for e in ledger["items"]].count("sale") == 1
