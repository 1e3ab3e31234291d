"""Property-based API testing: every operation of the OpenAPI document, fed generated valid
and invalid requests, never answers 500 and always answers as documented."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from stockshift.api.export_openapi import openapi_document
from tests.api.conftest import Api
from tests.db.factory import chain_files

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
STREAMS = {"/api/v1/events"}  # never ends; tests/api/test_events.py covers it
OPERATIONS = [
    (method.upper(), path)
    for path, item in openapi_document()["paths"].items()  # type: ignore[attr-defined]
    for method in item
    if path not in STREAMS
]


def _load_chain(api: Api, tmp_path: Path) -> None:
    files = chain_files(tmp_path, stores=6, products=3, days=10)
    r = api.client.post(
        "/api/v1/import",
        files={
            "stores": ("stores.csv", files.stores.read_bytes()),
            "inventory": ("inventory.csv", files.inventory.read_bytes()),
            "sales": ("sales.csv", files.sales.read_bytes()),
        },
        headers=api.auth("admin"),
    )
    assert r.status_code == 200, r.text
    r = api.client.post("/api/v1/plans", json={"clusters": "2"}, headers=api.auth("admin"))
    api.wait(r.json()["plan_id"])


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms(api: Api, tmp_path: Path, method: str, path: str) -> None:
    _load_chain(api, tmp_path)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    operation = schema[path][method]
    headers = api.auth("admin")

    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )

    @given(case=cases)
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
