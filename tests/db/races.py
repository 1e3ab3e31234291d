"""Helpers for race tests: run jobs on threads released at once; check lines against the ledger."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from stockshift.db.errors import ConflictError
from stockshift.db.models import LedgerRow, Stock, TransferRow


def race(*jobs: Callable[[], str]) -> Counter[str]:
    """Run each job on its own thread, all released at once; count what they return.

    A job returns a label for its outcome; an exception other than ConflictError is
    counted by its class name, so a test sees a deadlock or key violation as an outcome.
    """
    barrier = threading.Barrier(len(jobs))
    out: Counter[str] = Counter()
    lock = threading.Lock()

    def run(job: Callable[[], str]) -> None:
        barrier.wait()
        try:
            label = job()
        except ConflictError:
            label = "409"
        except Exception as exc:  # the outcome under test
            label = type(exc).__name__
        with lock:
            out[label] += 1

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def assert_lines_match_ledger(s: Session) -> Counter[str]:
    """Every line's status agrees with its dispatch time and ledger rows, and the stock's
    in transit is exactly the open (dispatched) lines; returns the count per status."""
    ledger: Counter[tuple[int | None, str]] = Counter()
    for tid, reason in s.execute(select(LedgerRow.transfer_id, LedgerRow.reason)):
        ledger[(tid, reason)] += 1
    expected_rows = {
        # status, dispatched: ledger rows (dispatch, receive, cancel)
        ("proposed", False): (0, 0, 0),
        ("cancelled", False): (0, 0, 0),
        ("dispatched", True): (2, 0, 0),
        ("received", True): (2, 1, 0),
        ("cancelled", True): (2, 0, 2),
    }
    open_transit: Counter[tuple[str, str]] = Counter()
    statuses: Counter[str] = Counter()
    rows = s.execute(
        select(
            TransferRow.id,
            TransferRow.status,
            TransferRow.dispatched_at,
            TransferRow.to_store,
            TransferRow.product_id,
            TransferRow.quantity,
        )
    ).all()
    for tid, status, dispatched_at, to_store, product, q in rows:
        key = (status, dispatched_at is not None)
        got = (ledger[(tid, "dispatch")], ledger[(tid, "receive")], ledger[(tid, "cancel")])
        assert expected_rows.get(key) == got, (tid, key, got)
        statuses[status] += 1
        if status == "dispatched":
            open_transit[(to_store, product)] += q
    in_transit = {
        (st, p): q
        for st, p, q in s.execute(select(Stock.store_id, Stock.product_id, Stock.in_transit))
        if q
    }
    assert in_transit == dict(open_transit)
    return statuses
