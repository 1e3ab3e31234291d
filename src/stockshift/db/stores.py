"""Reading master data: stores, one store/product's stock and its daily sales history."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stockshift.core.types import Stores
from stockshift.db.errors import NotFoundError
from stockshift.db.models import Sale, Stock, Store
from stockshift.db.plans import Page, _page


def list_stores(
    session: Session, *, cluster: str | None = None, limit: int, offset: int
) -> Page[Store]:
    stmt = select(Store).order_by(Store.store_id)
    if cluster is not None:
        stmt = stmt.where(Store.cluster == cluster)
    return _page(session, stmt, limit=limit, offset=offset)


def load_stores(session: Session) -> Stores:
    """All stores as the planner's :class:`Stores`, sorted by ``store_id`` (code points)."""
    rows = sorted(
        session.execute(select(Store.store_id, Store.name, Store.lat, Store.lon, Store.cluster)),
        key=lambda r: r[0],
    )
    given = [r[4] for r in rows]
    return Stores(
        ids=np.array([r[0] for r in rows], dtype=object),
        lat=np.array([r[2] for r in rows], dtype=np.float64),
        lon=np.array([r[3] for r in rows], dtype=np.float64),
        names=np.array([r[1] for r in rows], dtype=object),
        given_cluster=np.array([g or "" for g in given], dtype=object)
        if any(g is not None for g in given)
        else None,
    )


def get_stock(session: Session, *, store_id: str, product_id: str) -> Stock:
    if session.get(Store, store_id) is None:
        raise NotFoundError(f"store {store_id!r} does not exist")
    row = session.get(Stock, (store_id, product_id))
    if row is None:
        raise NotFoundError(f"store {store_id!r} does not carry product {product_id!r}")
    return row


def sales_range(session: Session) -> tuple[date | None, date | None]:
    first, last = session.execute(select(func.min(Sale.day), func.max(Sale.day))).one()
    return first, last


def daily_sales(
    session: Session, *, store_id: str, product_id: str, days: int
) -> tuple[date, np.ndarray[tuple[int], np.dtype[np.float64]]] | None:
    """The last ``days`` days of units, zero-filled, ending on the last day of all sales.

    Like the sales file (SPEC section 3), the calendar is the chain's, not the product's:
    a day without a sales row sold nothing. Returns (first day, units) or None without sales.
    """
    first, last = sales_range(session)
    if first is None or last is None:
        return None
    start = max(first, last - timedelta(days=days - 1))
    units = np.zeros((last - start).days + 1)
    for day, value in session.execute(
        select(Sale.day, Sale.units).where(
            Sale.store_id == store_id, Sale.product_id == product_id, Sale.day >= start
        )
    ):
        units[(day - start).days] += value
    return start, units
