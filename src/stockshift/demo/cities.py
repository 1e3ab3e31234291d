"""Real positions of United States cities, the anchors the demo's stores are scattered around.

Coordinates are each city's conventional centre (city hall or downtown) in WGS 84 degrees;
populations are 2020 census counts of the city proper, in thousands, rounded. Only the
contiguous states, so that every demo store falls on the dashboard's bundled US basemap.
Ordered by population, largest first. A demo chain is regional: it takes the n cities
nearest to an anchor city, as a real chain grows out from its home market.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stockshift.core.errors import ParameterError
from stockshift.core.geo import haversine_km


@dataclass(frozen=True, slots=True)
class City:
    """A city centre the demo places stores around."""

    name: str
    state: str
    lat: float
    lon: float
    population_k: int


CITIES: tuple[City, ...] = (
    City("New York", "NY", 40.7128, -74.0060, 8804),
    City("Los Angeles", "CA", 34.0522, -118.2437, 3899),
    City("Chicago", "IL", 41.8781, -87.6298, 2746),
    City("Houston", "TX", 29.7604, -95.3698, 2304),
    City("Phoenix", "AZ", 33.4484, -112.0740, 1608),
    City("Philadelphia", "PA", 39.9526, -75.1652, 1603),
    City("San Antonio", "TX", 29.4241, -98.4936, 1434),
    City("San Diego", "CA", 32.7157, -117.1611, 1386),
    City("Dallas", "TX", 32.7767, -96.7970, 1304),
    City("San Jose", "CA", 37.3382, -121.8863, 1013),
    City("Austin", "TX", 30.2672, -97.7431, 961),
    City("Jacksonville", "FL", 30.3322, -81.6557, 949),
    City("Fort Worth", "TX", 32.7555, -97.3308, 918),
    City("Columbus", "OH", 39.9612, -82.9988, 905),
    City("Indianapolis", "IN", 39.7684, -86.1581, 887),
    City("Charlotte", "NC", 35.2271, -80.8431, 874),
    City("San Francisco", "CA", 37.7749, -122.4194, 873),
    City("Seattle", "WA", 47.6062, -122.3321, 737),
    City("Denver", "CO", 39.7392, -104.9903, 715),
    City("Washington", "DC", 38.9072, -77.0369, 689),
    City("Nashville", "TN", 36.1627, -86.7816, 689),
    City("Oklahoma City", "OK", 35.4676, -97.5164, 681),
    City("El Paso", "TX", 31.7619, -106.4850, 678),
    City("Boston", "MA", 42.3601, -71.0589, 675),
    City("Portland", "OR", 45.5152, -122.6784, 652),
    City("Las Vegas", "NV", 36.1699, -115.1398, 641),
    City("Detroit", "MI", 42.3314, -83.0458, 639),
    City("Memphis", "TN", 35.1495, -90.0490, 633),
    City("Louisville", "KY", 38.2527, -85.7585, 617),
    City("Baltimore", "MD", 39.2904, -76.6122, 585),
    City("Milwaukee", "WI", 43.0389, -87.9065, 577),
    City("Albuquerque", "NM", 35.0844, -106.6504, 564),
    City("Tucson", "AZ", 32.2226, -110.9747, 543),
    City("Fresno", "CA", 36.7378, -119.7871, 542),
    City("Sacramento", "CA", 38.5816, -121.4944, 524),
    City("Kansas City", "MO", 39.0997, -94.5786, 508),
    City("Atlanta", "GA", 33.7490, -84.3880, 499),
    City("Omaha", "NE", 41.2565, -95.9345, 486),
    City("Raleigh", "NC", 35.7796, -78.6382, 467),
    City("Miami", "FL", 25.7617, -80.1918, 442),
    City("Minneapolis", "MN", 44.9778, -93.2650, 430),
    City("Tulsa", "OK", 36.1540, -95.9928, 413),
    City("Tampa", "FL", 27.9506, -82.4572, 385),
    City("New Orleans", "LA", 29.9511, -90.0715, 384),
    City("Cleveland", "OH", 41.4993, -81.6944, 373),
    City("Cincinnati", "OH", 39.1031, -84.5120, 309),
    City("Orlando", "FL", 28.5383, -81.3792, 307),
    City("Pittsburgh", "PA", 40.4406, -79.9959, 303),
    City("St. Louis", "MO", 38.6270, -90.1994, 302),
    City("Buffalo", "NY", 42.8864, -78.8784, 278),
    City("Boise", "ID", 43.6150, -116.2023, 235),
    City("Richmond", "VA", 37.5407, -77.4360, 226),
    City("Des Moines", "IA", 41.5868, -93.6250, 214),
    City("Birmingham", "AL", 33.5186, -86.8104, 200),
    City("Salt Lake City", "UT", 40.7608, -111.8910, 200),
)


def nearest_cities(anchor: str, n: int) -> tuple[City, ...]:
    """The ``n`` cities nearest to ``anchor`` (itself first), by great-circle distance."""
    by_name = {c.name.lower(): c for c in CITIES}
    home = by_name.get(anchor.strip().lower())
    if home is None:
        known = ", ".join(sorted(c.name for c in CITIES))
        raise ParameterError.about("anchor", anchor, f"is not a demo city; use one of: {known}")
    lat = np.array([c.lat for c in CITIES])
    lon = np.array([c.lon for c in CITIES])
    dist = haversine_km(np.full_like(lat, home.lat), np.full_like(lon, home.lon), lat, lon)
    order = np.argsort(dist, kind="stable")[:n]
    return tuple(CITIES[i] for i in order)
