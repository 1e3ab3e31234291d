"""Small chains for the database and API tests: CSV files, a loaded database, a plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from stockshift.core.types import PlanParameters
from stockshift.service.imports import import_sources
from stockshift.service.planning import run_plan, start_plan
from tests.factories import write_csv

CENTRES = [(48.85, 2.35), (45.76, 4.84), (43.30, 5.37)]  # Paris, Lyon, Marseille


@dataclass(frozen=True)
class ChainFiles:
    stores: Path
    inventory: Path
    sales: Path


def chain_files(
    folder: Path,
    *,
    stores: int = 9,
    products: int = 4,
    days: int = 21,
    seed: int = 1,
) -> ChainFiles:
    """A chain of stores around three cities, with uneven stock and daily sales."""
    rng = np.random.default_rng(seed)
    store_ids = [f"S{i:03d}" for i in range(stores)]
    product_ids = [f"P{j:02d}" for j in range(products)]
    store_rows = []
    for i, sid in enumerate(store_ids):
        lat, lon = CENTRES[i % len(CENTRES)]
        store_rows.append(
            (
                sid,
                f"Store {i}",
                round(lat + rng.normal(0, 0.05), 5),
                round(lon + rng.normal(0, 0.05), 5),
            )
        )
    inv_rows = [(sid, pid, int(rng.integers(0, 60))) for sid in store_ids for pid in product_ids]
    start = date(2024, 3, 1)
    sales_rows = [
        ((start + timedelta(days=d)).isoformat(), sid, pid, int(rng.poisson(2)))
        for d in range(days)
        for sid in store_ids
        for pid in product_ids
        if rng.random() < 0.7
    ]
    return ChainFiles(
        stores=write_csv(folder / "stores.csv", ["store_id", "name", "lat", "lon"], store_rows),
        inventory=write_csv(
            folder / "inventory.csv", ["store_id", "product_id", "on_hand"], inv_rows
        ),
        sales=write_csv(
            folder / "sales.csv", ["date", "store_id", "product_id", "units"], sales_rows
        ),
    )


def load_chain(sessions: sessionmaker[Session], files: ChainFiles, *, sales: bool = True) -> None:
    with sessions() as session:
        import_sources(
            session,
            stores=files.stores,
            inventory=files.inventory,
            sales=files.sales if sales else None,
        )


def plan_now(sessions: sessionmaker[Session], **params: object) -> int:
    """Compute a plan on the database's stock, as the service does; returns its id."""
    parameters = PlanParameters(**params)  # type: ignore[arg-type]
    plan_id = start_plan(sessions, parameters, key_id=None)
    run_plan(sessions, plan_id, parameters)
    return plan_id


def stock_table(
    sessions: sessionmaker[Session], stores: list[str], products: list[str], on_hand: int
) -> None:
    """Stores at one place, each holding ``on_hand`` of every product (no sales)."""
    from stockshift.db.dataset import replace_master_data
    from stockshift.io.readers import load_dataset

    folder_rows = [(s, f"Store {s}", 48.85, 2.35) for s in stores]
    inventory = [(s, p, on_hand) for s in stores for p in products]
    import pyarrow as pa

    dataset = load_dataset(
        stores=(
            "stores",
            pa.table({k: [r[i] for r in folder_rows] for i, k in enumerate(STORE_COLUMNS)}),
        ),
        inventory=(
            "inventory",
            pa.table({k: [r[i] for r in inventory] for i, k in enumerate(STOCK_COLUMNS)}),
        ),
    )
    with sessions() as session:
        replace_master_data(session, dataset=dataset, sales=None, key_id=None, note="test")


STORE_COLUMNS = ("store_id", "name", "lat", "lon")
STOCK_COLUMNS = ("store_id", "product_id", "on_hand")


def direct_plan(sessions: sessionmaker[Session], lines: list[tuple[str, str, str, int]]) -> int:
    """A completed plan with exactly these (product, from, to, quantity) lines; its id."""
    from datetime import UTC, datetime

    from stockshift.db.linestore import index_line_stores
    from stockshift.db.models import PlanRow, TransferRow

    with sessions() as session:
        plan = PlanRow(status="completed", parameters={}, created_at=datetime.now(UTC), header=None)
        session.add(plan)
        session.flush()
        session.add_all(
            TransferRow(
                plan_id=plan.id, seq=i, product_id=p, from_store=a, to_store=b, quantity=q,
                distance_km=1.0, scope="intra-cluster", status="proposed",
            )
            for i, (p, a, b, q) in enumerate(lines)
        )  # fmt: skip
        session.flush()
        index_line_stores(session.connection(), plan.id)
        session.commit()
        return plan.id


def without_store(files: ChainFiles, store_id: str, folder: Path) -> ChainFiles:
    """The chain's files with every row of one store left out (a store closed)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in ("stores", "inventory", "sales"):
        lines = getattr(files, name).read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [ln for ln in lines if store_id not in ln.split(",")[:2]]
        out[name] = folder / f"{name}.csv"
        out[name].write_text("".join(kept), encoding="utf-8")
    return ChainFiles(**out)
