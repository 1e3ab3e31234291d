"""The paper's Fig. 2 as a test: the one-file layout, cluster means, the MOVE lines."""

from __future__ import annotations

import json
from pathlib import Path

from tests.factories import write_csv

# Chennai-area stores; cluster "1" is a lone store in Bengaluru (skipped, as in the paper).
STORES = {
    "501": (13.0827, 80.2707, "0"),
    "502": (13.0500, 80.2100, "0"),
    "503": (12.9716, 80.2200, "0"),
    "504": (12.9750, 80.2250, "0"),
    "505": (13.0520, 80.2150, "0"),
    "506": (13.1200, 80.1500, "0"),
    "507": (13.1250, 80.1520, "0"),
    "508": (12.9716, 77.5946, "1"),
}
# P004: mean of cluster 0 = 868 / 7 = 124.0; P005: mean = 378 / 5 = 75.6.
STOCK = {
    "P004": {
        "501": 137,
        "502": 48,
        "503": 79,
        "504": 169,
        "505": 187,
        "506": 59,
        "507": 189,
        "508": 20,
    },
    "P005": {"501": 50, "502": 107, "503": 74, "504": 73, "505": 74},
}


def fig2_file(path: Path) -> Path:
    rows = [
        (p, s, q, STORES[s][0], STORES[s][1], STORES[s][2])
        for p, stock in STOCK.items()
        for s, q in stock.items()
    ]
    return write_csv(
        path, ["product_id", "store_id", "stock", "latitude", "longitude", "cluster"], rows
    )


def test_fig2_moves_and_info_lines(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    data = fig2_file(tmp_path / "inventory.csv")
    result = cli("plan", data, "--clusters", "column", "--output", tmp_path / "plan.json")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Product: P004" in out
    assert "MOVE 63 unit(s) | 505 -> 502" in out
    assert "MOVE 45 unit(s) | 504 -> 503" in out
    assert "MOVE 65 unit(s) | 507 -> 506" in out
    assert "MOVE 25 unit(s) | 502 -> 501" in out
    assert "Cluster average: 124.0" in out
    assert (
        "Info: 502 has surplus (107 units), 501 is below average (50 units). Cluster average: 75.6"
        in out
    )
    assert "Cluster 1 skipped (only one store)" in out
    assert "Products analysed    : 2" in out
    plan = json.loads((tmp_path / "plan.json").read_text())
    first = plan["transfers"][0]
    assert (first["from_store"], first["to_store"], first["quantity"]) == ("505", "502", 63)
    assert first["scope"] == "intra-cluster"
