"""Derives web/src/map/data/cities-110m.json, the city names of the offline basemap, from
Natural Earth's 1:110m populated places (public domain, naturalearthdata.com, version 2.0.0)
as packaged in the PyPI package geopandas 0.14.4 (BSD; datasets/naturalearth_cities). Not a
dependency: run once by hand,
    pip download --no-deps geopandas==0.14.4 && unzip geopandas-0.14.4-*.whl
    python scripts/derive_cities.py geopandas/datasets/naturalearth_cities \
        > src/map/data/cities-110m.json
The shapefile holds points and a name per record; read with the standard library alone.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path


def points(shp: bytes) -> list[tuple[float, float]]:
    """(lon, lat) of each record of a point shapefile (ESRI shapefile technical description)."""
    out: list[tuple[float, float]] = []
    at = 100
    while at < len(shp):
        _, words = struct.unpack(">ii", shp[at : at + 8])
        kind, x, y = struct.unpack("<idd", shp[at + 8 : at + 28])
        assert kind == 1, f"record at byte {at} is shape type {kind}, not a point"
        out.append((x, y))
        at += 8 + 2 * words
    return out


def names(dbf: bytes, encoding: str) -> list[str]:
    """The ``name`` field of each record of a dBase III table, in the encoding of its .cpg."""
    count, header, size = struct.unpack("<IHH", dbf[4:12])
    fields, at, offset = {}, 32, 1
    while dbf[at] != 0x0D:
        name = dbf[at : at + 11].split(b"\0")[0].decode().lower()
        fields[name] = (offset, dbf[at + 16])
        offset += dbf[at + 16]
        at += 32
    start, width = fields["name"]
    rows = (dbf[header + i * size : header + (i + 1) * size] for i in range(count))
    return [r[start : start + width].decode(encoding).strip() for r in rows]


def main(folder: Path) -> None:
    base = folder / folder.name
    lonlat = points(base.with_suffix(".shp").read_bytes())
    cpg = base.with_suffix(".cpg")
    encoding = cpg.read_text().strip() if cpg.exists() else "latin-1"
    labels = names(
        base.with_suffix(".dbf").read_bytes(), "cp1252" if encoding == "1252" else encoding
    )
    assert len(lonlat) == len(labels)
    cities = sorted(
        (
            [" ".join(n.split()), round(lat, 3), round(lon, 3)]
            for n, (lon, lat) in zip(labels, lonlat, strict=True)
        ),
        key=lambda c: c[0],
    )
    json.dump(cities, sys.stdout, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
