"""The unchanging parts of finished plans, kept serialised in memory.

Once a plan is computed, everything in its plan file but the plan's status and the lines'
statuses is fixed: stores, clusters, fulfilment, warehouse orders, summary. Reading a plan
then costs one query for the lines' statuses instead of parsing and re-serialising megabytes
of JSON per request (50 dashboards polling a 5,000-line plan). The whole document is kept
too, with its gzip bytes and a strong ETag, while its lines' statuses are unchanged, so a
repeat read is one small query and a ``304`` or a copy of bytes already compressed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from stockshift.api.schemas import PlanPublic, PlanSummary
from stockshift.db.models import PlanRow
from stockshift.db.plans import lines_signature, plan_header, plan_line_rows, plan_order_rows
from stockshift.document import SCHEMA

FINISHED = ("completed", "executed")


@dataclass(frozen=True, slots=True)
class Fixed:
    """A finished plan's fixed fields: parameters, summary, and two JSON fragments."""

    parameters: dict[str, Any]
    summary: dict[str, Any] | None
    head: str  # '"schema":...,"stores":[...],"clusters":[...],"elbow":...'
    tail: str  # '"fulfilment":[...],"warehouse_orders":[...],"warnings":[...]' (+ targets)
    store_clusters: dict[str, str]  # each store's cluster in this plan
    positions: dict[str, tuple[float, float]]  # each store's (lat, lon)
    centroids: dict[str, tuple[float, float]]  # each cluster's (lat, lon)


@dataclass(frozen=True, slots=True)
class Document:
    """A plan document as served: its JSON bytes, those bytes gzipped, and a strong ETag."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, text: str) -> Document:
        body = text.encode()
        digest = hashlib.sha256(body).hexdigest()[:32]
        return cls(body=body, gzipped=gzip.compress(body, compresslevel=6, mtime=0), etag=digest)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _fixed(row: PlanRow, header: dict[str, Any], orders: list[dict[str, Any]]) -> Fixed:
    head = {
        "schema": header.get("schema", SCHEMA),
        "stores": header.get("stores", []),
        "clusters": header.get("clusters", []),
        "elbow": header.get("elbow"),
    }
    tail = {
        "fulfilment": header.get("fulfilment", []),
        "warehouse_orders": orders,
        "warnings": header.get("warnings", []),
    }
    if "targets" in header:  # --forecast auto: each row's target, rate, σ and model
        tail["targets"] = header["targets"]
    return Fixed(
        parameters=header.get("parameters") or row.parameters,
        summary=header.get("summary"),
        head=_dumps(head)[1:-1],
        tail=_dumps(tail)[1:-1],
        store_clusters={s["store_id"]: s["cluster"] for s in head["stores"]},
        positions={s["store_id"]: (s["lat"], s["lon"]) for s in head["stores"]},
        centroids={
            c["cluster"]: (c["centroid"]["lat"], c["centroid"]["lon"]) for c in head["clusters"]
        },
    )


class PlanCache:
    """A small LRU of :class:`Fixed` by plan id; only finished plans are cached."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._items: OrderedDict[int, Fixed] = OrderedDict()
        self._documents: dict[int, tuple[tuple[Any, ...], Document]] = {}
        self._lock = threading.Lock()
        self._counts: OrderedDict[tuple[Any, ...], int] = OrderedDict()

    def fixed(self, session: Session, row: PlanRow) -> Fixed:
        with self._lock:
            hit = self._items.get(row.id)
            if hit is not None:
                self._items.move_to_end(row.id)
                return hit
        header = plan_header(session, plan_id=row.id) or {}
        value = _fixed(row, header, plan_order_rows(session, plan_id=row.id))
        if row.status in FINISHED:
            with self._lock:
                self._items[row.id] = value
                while len(self._items) > self._size:
                    evicted, _ = self._items.popitem(last=False)
                    self._documents.pop(evicted, None)
        return value

    def count(
        self, plan_id: int, status: str, key: tuple[Any, ...], counter: Callable[[], int]
    ) -> int:
        """A count of a finished plan's lines or orders under filters ``key``, kept: a plan's
        lines and orders are never added or removed once it is computed (only statuses
        move, so ``key`` must not filter on status)."""
        if status not in FINISHED:
            return counter()
        full = (plan_id, *key)
        with self._lock:
            hit = self._counts.get(full)
            if hit is not None:
                self._counts.move_to_end(full)
                return hit
        value = counter()
        with self._lock:
            self._counts[full] = value
            while len(self._counts) > 64 * self._size:
                self._counts.popitem(last=False)
        return value

    def public(self, session: Session, row: PlanRow) -> PlanPublic:
        fixed = self.fixed(session, row)
        return PlanPublic(
            plan_id=row.id,
            status=row.status,
            progress=row.progress,
            error=row.error,
            parameters=fixed.parameters,
            summary=PlanSummary.model_validate(fixed.summary) if fixed.summary else None,
            created_at=row.created_at,
            finished_at=row.finished_at,
            executed_at=row.executed_at,
        )

    def document(self, session: Session, row: PlanRow) -> Document:
        """The SPEC section 5 plan file with ``plan_id``, ``status`` and line statuses.

        Reused (bytes, gzip and ETag) while the plan's row and its lines' signature are
        unchanged.
        """
        fixed = self.fixed(session, row)
        signature = (
            row.status,
            row.progress,
            row.error,
            row.executed_at,
            lines_signature(session, plan_id=row.id),
        )
        with self._lock:
            cached = self._documents.get(row.id)
        if cached is not None and cached[0] == signature:
            return cached[1]
        public = self.public(session, row).model_dump_json()
        lines = _dumps(plan_line_rows(session, plan_id=row.id))
        text = f'{public[:-1]},{fixed.head},"transfers":{lines},{fixed.tail}}}'
        document = Document.of(text)
        if row.status in FINISHED:
            with self._lock:
                if row.id in self._items:
                    self._documents[row.id] = (signature, document)
        return document
