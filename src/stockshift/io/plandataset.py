"""A plan too big for one JSON file, as a folder: Parquet parts for the line tables and a
small JSON header with the rest (issue 12 part 3), and one reader for both forms.

The plan file of SPEC section 5 stays what it is. A plan dataset holds the same document:
``header.json`` has every key of the plan file but its tables (parameters, stores,
clusters, elbow, summary, warnings) and says where each table's parts are;
``transfers/``, ``fulfilment/``, ``warehouse_orders/`` (and ``targets/`` for ``--forecast
auto``) hold the records of those keys, in the same order and with the same fields and
values, as ``part-NNNNN.parquet`` files. :func:`read_plan` reads either form into a
:class:`PlanDocument`, so ``db import-plan`` and the tests treat them alike.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from stockshift.core.errors import InputError
from stockshift.core.types import Plan
from stockshift.document import FULFILMENT_SCOPES, fulfilment, header, tail
from stockshift.io.datasetfiles import part_name

DATASET_SCHEMA = "stockshift.plan-dataset/1"
HEADER = "header.json"
PART_ROWS = 5_000_000
"""Records per Parquet part."""
JSON_MAX_LINES = 5_000_000
"""Records (transfers, fulfilment, warehouse orders) above which ``plan`` writes a dataset
rather than one JSON file: a JSON reader must hold the whole file, and at this size it
passes a few GB."""

TEXT, WHOLE, REAL = pa.string(), pa.int64(), pa.float64()
SCHEMAS = {
    "transfers": pa.schema(
        [("product_id", TEXT), ("from_store", TEXT), ("to_store", TEXT), ("quantity", WHOLE),
         ("distance_km", REAL), ("scope", TEXT)]
    ),
    "fulfilment": pa.schema(
        [("product_id", TEXT), ("store_id", TEXT), ("scope", TEXT), ("received", WHOLE)]
    ),
    "warehouse_orders": pa.schema(
        [("product_id", TEXT), ("store_id", TEXT), ("quantity", WHOLE), ("reason", TEXT)]
    ),
    "targets": pa.schema(
        [("product_id", TEXT), ("store_id", TEXT), ("on_hand", WHOLE), ("target", WHOLE),
         ("rate_per_day", REAL), ("sigma", REAL), ("method", TEXT)]
    ),
}  # fmt: skip
"""Each table's fields in the plan file's order; ``expected_gain`` (REAL) ends a transfer
of the expected-benefit policy."""
TABLES = ("transfers", "fulfilment", "warehouse_orders", "targets")
EXPECTED_GAIN = pa.field("expected_gain", REAL)


@dataclass(frozen=True, slots=True)
class PlanDocument:
    """A plan file or plan dataset: the document's keys but its tables, and the tables."""

    header: dict[str, Any]
    tables: dict[str, pa.Table]  # transfers, fulfilment, warehouse_orders (, targets)

    def lines(self) -> int:
        return sum(len(self.tables[name]) for name in TABLES[:3])


def n_records(plan: Plan) -> int:
    """Records of the plan's three line tables (what decides JSON or dataset)."""
    return plan.n_transfers + len(fulfilment(plan).store) + len(plan.w_quantity)


Batch = Callable[[int, int], pa.RecordBatch]


def _batches(plan: Plan) -> dict[str, tuple[int, Batch]]:
    """Per table: its records and a function making records lo:hi as a batch."""
    products = pa.array(plan.inventory.product_ids.astype(str), TEXT)
    stores = pa.array(plan.stores.ids.astype(str), TEXT)
    f = fulfilment(plan)
    inv, t = plan.inventory, plan.targets

    def ids(table: pa.Array, codes: Any, lo: int, hi: int) -> pa.Array:
        return table.take(pa.array(codes[lo:hi]))

    def texts(values: tuple[str, ...], codes: Any, lo: int, hi: int) -> pa.Array:
        return pa.array(values, TEXT).take(pa.array(np.asarray(codes[lo:hi], dtype=np.int8)))

    def transfers(lo: int, hi: int) -> pa.RecordBatch:
        cols = [
            ids(products, plan.t_product, lo, hi),
            ids(stores, plan.t_from, lo, hi),
            ids(stores, plan.t_to, lo, hi),
            pa.array(plan.t_quantity[lo:hi], WHOLE),
            pa.array(np.round(plan.t_distance[lo:hi], 6), REAL),
            texts(("intra-cluster", "cross-cluster"), plan.t_cross, lo, hi),
        ]
        schema = SCHEMAS["transfers"]
        if plan.t_expected_gain is not None:
            cols.append(pa.array(np.round(plan.t_expected_gain[lo:hi], 4), REAL))
            schema = schema.append(EXPECTED_GAIN)
        return pa.record_batch(cols, schema=schema)

    def fulfilled(lo: int, hi: int) -> pa.RecordBatch:
        return pa.record_batch(
            [
                ids(products, f.product, lo, hi),
                ids(stores, f.store, lo, hi),
                texts(FULFILMENT_SCOPES, f.scope, lo, hi),
                pa.array(f.received[lo:hi], WHOLE),
            ],
            schema=SCHEMAS["fulfilment"],
        )

    def orders(lo: int, hi: int) -> pa.RecordBatch:
        return pa.record_batch(
            [
                ids(products, plan.w_product, lo, hi),
                ids(stores, plan.w_store, lo, hi),
                pa.array(plan.w_quantity[lo:hi], WHOLE),
                texts(("no-source", "transfer-cap"), plan.w_capped, lo, hi),
            ],
            schema=SCHEMAS["warehouse_orders"],
        )

    out: dict[str, tuple[int, Batch]] = {
        "transfers": (plan.n_transfers, transfers),
        "fulfilment": (len(f.store), fulfilled),
        "warehouse_orders": (len(plan.w_quantity), orders),
    }
    if t.rate is not None and t.sigma is not None and t.method is not None:
        rate, sigma, method = t.rate, t.sigma, t.method

        def targets(lo: int, hi: int) -> pa.RecordBatch:
            return pa.record_batch(
                [
                    ids(products, inv.product, lo, hi),
                    ids(stores, inv.store, lo, hi),
                    pa.array(inv.on_hand[lo:hi], WHOLE),
                    pa.array(t.target[lo:hi].astype(np.int64), WHOLE),
                    pa.array(np.round(rate[lo:hi], 6), REAL),
                    pa.array(np.round(sigma[lo:hi], 6), REAL),
                    pa.array(method[lo:hi].astype(str), TEXT),
                ],
                schema=SCHEMAS["targets"],
            )

        out["targets"] = (len(inv.store), targets)
    return out


def write_plan_dataset(plan: Plan, folder: Path, part_rows: int | None = None) -> None:
    """Write the plan as a dataset folder, all or nothing: into a hidden folder beside it,
    renamed into place once complete (a plan dataset already there is replaced). Parts
    hold ``part_rows`` records (default :data:`PART_ROWS`)."""
    part_rows = part_rows or PART_ROWS
    folder = folder.absolute()
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        tables: dict[str, dict[str, Any]] = {}
        for name, (n, batch) in _batches(plan).items():
            (work / name).mkdir()
            parts = []
            for index, lo in enumerate(range(0, max(n, 1), part_rows)):
                part = f"{name}/{part_name(index)}"
                pq.write_table(
                    pa.Table.from_batches([batch(lo, min(lo + part_rows, n))]), work / part
                )
                parts.append(part)
            tables[name] = {"rows": n, "parts": parts}
        document = {**header(plan), **tail(plan), "schema": DATASET_SCHEMA, "tables": tables}
        document["plan_schema"] = header(plan)["schema"]
        (work / HEADER).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(work, 0o777 & ~umask)
        _replace(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def is_plan_dataset(path: Path) -> bool:
    return (path / HEADER).is_file()


def _replace(work: Path, folder: Path) -> None:
    if folder.exists():
        if not is_plan_dataset(folder) and any(folder.iterdir()):
            raise InputError.single(
                str(folder), None, None,
                "is a folder that holds other files, not a plan dataset; give a new or empty "
                "folder (or a plan dataset to replace)",
            )  # fmt: skip
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
        os.replace(work, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, folder)


def read_plan(path: Path) -> PlanDocument:
    """A plan file (SPEC section 5, JSON) or a plan dataset folder, as one document."""
    label = str(path)
    if path.is_dir():
        return _read_dataset(path)
    try:
        with open(path, "rb") as fh:
            document = json.load(fh)
    except FileNotFoundError:
        raise InputError.single(label, None, None, "file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.single(
            label, None, None, f"cannot be read as a plan file: {exc}"
        ) from None
    _check_schema(label, document, "stockshift.plan/1")
    tables = {}
    for name in TABLES:
        records = document.pop(name, None)
        if records is None and name == "targets":
            continue
        tables[name] = _table(label, name, records)
    return PlanDocument(document, tables)


def _check_schema(label: str, document: Any, expected: str) -> None:
    if not isinstance(document, dict) or document.get("schema") != expected:
        found = document.get("schema") if isinstance(document, dict) else None
        raise InputError.single(
            label, None, "schema",
            f"is {found!r}, not {expected!r}: give a plan file or folder that stockshift plan "
            "wrote",
        )  # fmt: skip


def _schema(name: str, fields: list[str]) -> pa.Schema:
    schema = SCHEMAS[name]
    return (
        schema.append(EXPECTED_GAIN)
        if name == "transfers" and "expected_gain" in fields
        else schema
    )


def _table(label: str, name: str, records: Any) -> pa.Table:
    if not isinstance(records, list):
        raise InputError.single(label, None, name, "is missing or not a list of records")
    fields = list(records[0]) if records else []
    try:
        return pa.Table.from_pylist(records, schema=_schema(name, fields))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, AttributeError) as exc:
        raise InputError.single(
            label, None, name, f"has a record that does not fit: {exc}"
        ) from None


def _read_dataset(folder: Path) -> PlanDocument:
    label = f"{folder}/{HEADER}"
    try:
        document = json.loads((folder / HEADER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.single(
            str(folder), None, None, f"is a folder without {HEADER}: not a plan dataset"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.single(label, None, None, f"cannot be read: {exc}") from None
    _check_schema(label, document, DATASET_SCHEMA)
    listed = document.pop("tables", None)
    if not isinstance(listed, dict):
        raise InputError.single(label, None, "tables", "is missing: not a plan dataset header")
    document["schema"] = document.pop("plan_schema", "stockshift.plan/1")
    tables = {}
    for name in TABLES:
        if name not in listed:
            if name == "targets":
                continue
            raise InputError.single(label, None, "tables", f"does not list {name!r}")
        parts = list(_parts(folder, name, listed[name].get("parts") or []))
        tables[name] = pa.concat_tables(parts) if parts else SCHEMAS[name].empty_table()
    return PlanDocument(document, tables)


def _parts(folder: Path, name: str, parts: list[str]) -> Iterator[pa.Table]:
    for part in parts:
        path = folder / part
        if path.resolve().parent.parent != folder.resolve():
            raise InputError.single(str(folder), None, name, f"part {part!r} is outside the folder")
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError.single(str(path), None, None, f"cannot be read: {exc}") from None
        expected = _schema(name, table.column_names)
        if not table.schema.equals(expected):
            raise InputError.single(
                str(path), None, None, f"has columns {table.schema.names}, not {expected.names}"
            )
        yield table
