"""Import files into the database: the use case behind ``POST /api/v1/imports`` and
``stockshift db import``.

The files are checked by the same readers as ``stockshift plan`` (SPEC section 1), so a file
the CLI refuses is refused here with the same row-level messages, and nothing is written.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from stockshift.db.dataset import ImportSummary, replace_master_data
from stockshift.io.readers import load_for_import
from stockshift.io.tables import Source


def import_sources(
    session: Session,
    *,
    stores: Source,
    inventory: Source,
    sales: Source | None = None,
    key_id: int | None = None,
) -> ImportSummary:
    """Replace stores, products, stock and sales with the given files, all or nothing.

    Raises :class:`~stockshift.core.errors.InputError` (nothing written) when any file is bad.
    Units in transit on dispatched transfers are kept, on the destination's stock row;
    an import that drops a store such transfers arrive at or leave from is refused
    (:class:`~stockshift.db.errors.ConflictError`), as is a second import while one runs.
    """
    dataset, daily_sales = load_for_import(stores=stores, inventory=inventory, sales=sales)
    return replace_master_data(
        session, dataset=dataset, sales=daily_sales, key_id=key_id, note="import"
    )
