"""The load benchmark's clients read a page's next_cursor from its head (benchmarks/apiload.py)."""

from __future__ import annotations

import gzip
import string

import orjson
from benchmarks.apiload import next_cursor
from hypothesis import given
from hypothesis import strategies as st

CURSORS = st.none() | st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=80)
ITEM = {"transfer_id": 1, "product_id": "P1", "from_store": "S1", "to_store": "S2"}


@given(cursor=CURSORS, items=st.integers(0, 300), zipped=st.booleans(), items_first=st.booleans())
def test_next_cursor_is_the_one_the_page_holds(
    cursor: str | None, items: int, zipped: bool, items_first: bool
) -> None:
    fields = {"total": items, "limit": 100, "sort": "-quantity", "next_cursor": cursor}
    page = (
        {"items": [ITEM] * items, **fields} if items_first else {**fields, "items": [ITEM] * items}
    )
    body = orjson.dumps(page)
    assert next_cursor(gzip.compress(body) if zipped else body) == cursor
