"""A synthetic but realistic retail chain: stores, stock and daily sales, as DataFrames.

Everything is drawn from one ``numpy.random.Generator`` seeded by the caller, so a seed
always gives the same data. The model, per store s, product p and day t (docs/demo-data.md):

    λ[s,p,t] = base[p] · size[s] · affinity[s,p] · week[p, dow(t)] · exp(g[s,p] · (t − T))

``base`` is a long-tailed (Zipf-like) daily rate, ``size`` a lognormal store size factor,
``week`` a weekend-heavy weekly profile whose amplitude varies by product, ``g`` a per-series
trend with the series' current level at the last day T; units sold are negative binomial
(a gamma-Poisson mixture) around λ. Stock on hand is days of current demand drawn from a
mixture of empty, short, normal and overstocked shelves, scaled by store and city biases,
so that a plan finds surpluses, deficits, whole cities short and whole cities long.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from stockshift.core.errors import ParameterError
from stockshift.demo.cities import CITIES, City, nearest_cities

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_END = date(2025, 9, 28)  # a Sunday; fixed so a seed gives the same files every year
WEEKLY_PROFILE = np.array([0.86, 0.80, 0.84, 0.93, 1.12, 1.42, 1.03])  # Monday .. Sunday
STOCK_STATES = (  # (probability, fewest and most days of current demand on the shelf)
    (0.10, 0.0, 0.0),  # empty shelf
    (0.27, 0.5, 3.5),  # short
    (0.40, 4.0, 9.0),  # about right
    (0.23, 10.0, 28.0),  # overstocked
)
NEG_BINOMIAL_SHAPE = 3.0  # gamma shape of the demand noise; smaller is burstier
SALES_CHUNK_CELLS = 4_000_000  # store-product-days drawn at once, to bound memory


@dataclass(frozen=True, slots=True)
class DemoConfig:
    """What to generate. ``cities=None`` picks about one city per seven stores, nearest
    to ``anchor`` first; ``assortment`` is the share of (store, product) pairs carried."""

    stores: int = 40
    products: int = 30
    days: int = 84
    seed: int = 0
    cities: int | None = None
    assortment: float = 0.8
    anchor: str = "Chicago"
    end: date = DEFAULT_END

    def n_cities(self) -> int:
        wanted = self.cities if self.cities is not None else math.ceil(self.stores / 7)
        return max(1, min(wanted, len(CITIES), self.stores))


@dataclass(frozen=True, slots=True)
class DemoData:
    """The three input tables of SPEC section 1, plus what the generator knows of each store."""

    stores: pd.DataFrame
    inventory: pd.DataFrame
    sales: pd.DataFrame
    store_city: tuple[str, ...] = field(default=())


def validate(config: DemoConfig) -> None:
    """Reject sizes that cannot make a chain, naming the option and a valid value."""
    if config.stores < 1:
        raise ParameterError.about("stores", config.stores, "a chain needs at least 1 store")
    if config.products < 1:
        raise ParameterError.about("products", config.products, "give at least 1 product")
    if config.days < 0:
        raise ParameterError.about("days", config.days, "use 0 (no sales file) or more days")
    if config.cities is not None and config.cities < 1:
        raise ParameterError.about("cities", config.cities, "use at least 1 city")
    if not 0.0 < config.assortment <= 1.0:
        raise ParameterError.about(
            "assortment",
            config.assortment,
            "the share of products a store carries must be in (0, 1], e.g. 0.8",
        )


def generate(config: DemoConfig) -> DemoData:
    """Stores, inventory and (when ``days > 0``) daily sales for ``config``, deterministic."""
    validate(config)
    rng = np.random.default_rng(config.seed)
    cities = nearest_cities(config.anchor, config.n_cities())
    stores, size, city_of = make_stores(config.stores, cities, rng)
    base, amplitude = make_products(config.products, rng)
    carried = assortment(size, base, config.assortment, rng)
    row_store, row_product = np.nonzero(carried)  # store-major, ascending ids
    affinity = rng.lognormal(0.0, 0.3, len(row_store))
    rate = base[row_product] * size[row_store] * affinity  # current units per day
    on_hand = stock_on_hand(rate, row_store, row_product, city_of, len(cities), rng)
    store_ids = stores["store_id"].to_numpy()
    product_ids = product_labels(config.products)
    inventory = pd.DataFrame(
        {
            "store_id": _categorical(row_store, store_ids),
            "product_id": _categorical(row_product, product_ids),
            "on_hand": on_hand,
        }
    )
    if config.days > 0:
        trend = (
            rng.normal(0.0, 0.004, len(row_store))
            + rng.normal(0.0, 0.002, config.products)[row_product]
        )
        sales = daily_sales(
            rate, trend, amplitude[row_product], row_store, row_product, config, rng
        )
        sales["store_id"] = _categorical(sales.pop("store").to_numpy(), store_ids)
        sales["product_id"] = _categorical(sales.pop("product").to_numpy(), product_ids)
        sales = sales[["date", "store_id", "product_id", "units"]]
    else:
        sales = pd.DataFrame(
            {
                "date": pd.Series([], dtype="datetime64[s]"),
                "store_id": pd.Series([], dtype=object),
                "product_id": pd.Series([], dtype=object),
                "units": pd.Series([], dtype=np.int64),
            }
        )
    return DemoData(stores, inventory, sales, tuple(cities[i].name for i in city_of))


def _categorical(
    codes: npt.NDArray[np.integer[Any]], labels: npt.NDArray[np.object_]
) -> pd.Categorical:
    """Ids as a categorical: ten million rows share a few thousand strings."""
    return pd.Categorical.from_codes(np.asarray(codes), categories=pd.Index(labels))


def id_labels(prefix: str, n: int) -> npt.NDArray[np.object_]:
    """``S001``-style ids, zero-padded so that string order is numeric order."""
    width = max(3, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def product_labels(n: int) -> npt.NDArray[np.object_]:
    return id_labels("P", n)


def make_stores(
    n: int, cities: tuple[City, ...], rng: np.random.Generator
) -> tuple[pd.DataFrame, FloatArray, IntArray]:
    """Stores scattered around real city centres, more in bigger cities.

    Each city gets at least one store; the rest go by population^0.6 (big cities have more,
    not proportionally more). A store sits a normal draw of a few km from the centre, wider
    for bigger cities. Returns the stores table, each store's size factor and city index.
    """
    pop = np.array([c.population_k for c in cities], dtype=np.float64)
    weight = pop**0.6 / (pop**0.6).sum()
    counts = np.ones(len(cities), dtype=np.int64) + rng.multinomial(n - len(cities), weight)
    city_of = np.repeat(np.arange(len(cities)), counts)
    spread_km = 3.0 + 9.0 * np.sqrt(pop / pop.max())
    north_km = rng.normal(0.0, 1.0, n) * spread_km[city_of]
    east_km = rng.normal(0.0, 1.0, n) * spread_km[city_of]
    c_lat = np.array([c.lat for c in cities])[city_of]
    c_lon = np.array([c.lon for c in cities])[city_of]
    lat = c_lat + north_km / 111.195
    lon = c_lon + east_km / (111.195 * np.cos(np.radians(c_lat)))
    size = rng.lognormal(0.0, 0.35, n)
    number = np.zeros(n, dtype=np.int64)
    for c in range(len(cities)):
        number[city_of == c] = np.arange(1, counts[c] + 1)
    names = [
        f"{cities[c].name} {cities[c].state} #{k}" for c, k in zip(city_of, number, strict=True)
    ]
    stores = pd.DataFrame(
        {
            "store_id": id_labels("S", n),
            "name": names,
            "lat": np.round(lat, 5),
            "lon": np.round(lon, 5),
        }
    )
    return stores, size, city_of


def make_products(m: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    """Long-tailed base demand (units per day in an average store) and weekly amplitude.

    The k-th best seller sells 6·k^-0.75 a day; ranks are shuffled over product ids so the
    best sellers are not simply the first ids. Amplitude 0.5-1.5 scales the weekend peak.
    """
    rank = rng.permutation(m) + 1
    base = 6.0 * rank.astype(np.float64) ** -0.75 * rng.lognormal(0.0, 0.15, m)
    amplitude = rng.uniform(0.5, 1.5, m)
    return base, amplitude


def assortment(
    size: FloatArray, base: FloatArray, share: float, rng: np.random.Generator
) -> npt.NDArray[np.bool_]:
    """Which store carries which product: best sellers almost everywhere, the tail in fewer
    and mostly bigger stores, about ``share`` of all pairs overall (all of them at 1.0)."""
    if share >= 1.0:
        return np.ones((len(size), len(base)), dtype=bool)
    popularity = np.argsort(np.argsort(-base)) / max(len(base) - 1, 1)  # 0 best .. 1 worst
    store_rank = np.argsort(np.argsort(-size)) / max(len(size) - 1, 1)  # 0 biggest
    score = popularity[None, :] * 0.7 + store_rank[:, None] * 0.3
    u = rng.random((len(size), len(base)), dtype=np.float64)
    keep = u * 0.5 + score * 0.5
    cut = np.quantile(keep, share)
    out: npt.NDArray[np.bool_] = keep <= cut
    return out


def stock_on_hand(
    rate: FloatArray,
    row_store: IntArray,
    row_product: IntArray,
    city_of: IntArray,
    n_cities: int,
    rng: np.random.Generator,
) -> IntArray:
    """Units on the shelf: days of current demand by stock state, times store, city and
    product biases.

    The mixture averages about 7.5 days, near the default target of 7 days of cover, so
    across the chain some products are short (warehouse orders) and some long. A few units
    of presentation stock sit on most non-empty shelves, so slow sellers too can be over- or
    understocked. Some cities lean long and some short, so that a forecast plan also has
    cross-cluster transfers; some products are short chain-wide (a supplier's shortfall),
    so that even a large chain has warehouse orders.
    """
    state, cover = shelf_cover(len(rate), rng)
    store_bias = rng.lognormal(-(0.35**2) / 2, 0.35, len(city_of))  # mean 1
    city_bias = rng.lognormal(-(0.45**2) / 2, 0.45, n_cities)
    product_bias = rng.lognormal(-(0.3**2) / 2, 0.3, int(row_product.max(initial=0)) + 1)
    bias = store_bias[row_store] * city_bias[city_of[row_store]] * product_bias[row_product]
    return shelf_units(rate * bias, state, cover, rng)


def shelf_cover(n: int, rng: np.random.Generator) -> tuple[IntArray, FloatArray]:
    """Per row, a stock state of :data:`STOCK_STATES` and days of demand on the shelf."""
    probs = np.array([p for p, _, _ in STOCK_STATES])
    low = np.array([lo for _, lo, _ in STOCK_STATES])
    high = np.array([hi for _, _, hi in STOCK_STATES])
    state = rng.choice(len(STOCK_STATES), size=n, p=probs)
    cover = low[state] + (high[state] - low[state]) * rng.random(n)
    return state, cover


def shelf_units(
    biased_rate: FloatArray, state: IntArray, cover: FloatArray, rng: np.random.Generator
) -> IntArray:
    """Units on the shelf: ``cover`` days of the biased rate, plus 0-2 units of display
    stock, none on an empty shelf (state 0)."""
    units = np.floor(biased_rate * cover + 0.5)
    display = rng.integers(0, 3, len(biased_rate))
    units = np.where(state == 0, 0.0, units + display)
    out: IntArray = units.astype(np.int64)
    return out


def daily_sales(
    rate: FloatArray,
    trend: FloatArray,
    amplitude: FloatArray,
    row_store: IntArray,
    row_product: IntArray,
    config: DemoConfig,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Non-zero daily sales of every carried (store, product) over ``config.days`` days.

    Days with no sale are left out: the planner zero-fills (SPEC section 3), and the files
    stay small. Drawn in chunks of rows so memory stays bounded for large chains.
    """
    d = config.days
    first = config.end - timedelta(days=d - 1)
    dow = (np.arange(d) + first.weekday()) % 7
    t = np.arange(d, dtype=np.float64) - (d - 1)
    rows_per_chunk = max(1, SALES_CHUNK_CELLS // d)
    parts: list[tuple[IntArray, IntArray, IntArray]] = []
    for start in range(0, len(rate), rows_per_chunk):
        sl = slice(start, start + rows_per_chunk)
        week = WEEKLY_PROFILE[None, dow] ** amplitude[sl, None]
        week /= week.mean(axis=1, keepdims=True)
        lam = rate[sl, None] * week * np.exp(trend[sl, None] * t[None, :])
        mix = rng.gamma(NEG_BINOMIAL_SHAPE, 1.0 / NEG_BINOMIAL_SHAPE, lam.shape)
        units = rng.poisson(lam * mix)
        r, day = np.nonzero(units)
        parts.append((r + start, day, units[r, day]))
    row = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    day = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    units = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int64)
    order = np.lexsort((row, day))  # by date, then store, then product
    row, day, units = row[order], day[order], units[order]
    dates = np.datetime64(first, "D") + day.astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "date": dates.astype("datetime64[s]"),
            "store": row_store[row],
            "product": row_product[row],
            "units": units.astype(np.int64),
        }
    )
