"""A big synthetic chain drawn part by part, so memory stays bounded at any size (issue 12).

:func:`~stockshift.demo.generator.generate` draws every (store, product) pair at once: 2,000
stores x 50,000 products would need tens of GB. Here the stores, the products and the
per-store, per-city and per-product biases are drawn once (they are small), then each part
(a range of whole products, every store) is drawn from a generator of its own, seeded by
``(seed, part)``. The model is the generator's (docs/demo-data.md); the assortment keeps a
pair where ``u/2 + score/2`` is below the cut that makes ``assortment`` the share of pairs
kept, computed from the distribution of the scores instead of from every draw.

Same seed and same part size, same data. Rows come product by product, stores ascending
within a product, so that a part is a set of whole products (what a product-partitioned
engine wants).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockshift.core.errors import ParameterError
from stockshift.demo.cities import nearest_cities
from stockshift.demo.generator import (
    DemoConfig,
    FloatArray,
    IntArray,
    _categorical,
    daily_sales,
    make_products,
    make_stores,
    product_labels,
    shelf_cover,
    shelf_units,
    validate,
)

ROWS_PER_PART = 2_000_000
"""Inventory rows per part by default (about 100 MB of memory while a part is drawn)."""
SALES_CELLS_PER_PART = 20_000_000
"""Store-product-days per part at most, so that a part's sales stay bounded too."""
CUT_GRID = 1000
"""Popularity and store-rank levels sampled to find the assortment cut."""


@dataclass(frozen=True, slots=True)
class Part:
    """One part of the chain: whole products, every store that carries them."""

    index: int
    inventory: pd.DataFrame
    sales: pd.DataFrame | None


@dataclass(frozen=True, slots=True)
class Chain:
    """What is drawn once: stores and the per-store, city and product factors."""

    config: DemoConfig
    stores: pd.DataFrame
    products_per_part: int
    size: FloatArray
    city_of: IntArray
    base: FloatArray
    amplitude: FloatArray
    store_bias: FloatArray  # store x city bias, per store
    product_bias: FloatArray
    product_trend: FloatArray
    popularity: FloatArray  # 0 best seller .. 1 worst
    store_rank: FloatArray  # 0 biggest store .. 1 smallest
    cut: float

    @property
    def n_parts(self) -> int:
        return math.ceil(self.config.products / self.products_per_part)


def products_per_part(config: DemoConfig, rows_per_part: int) -> int:
    """Whole products per part: about ``rows_per_part`` rows, and the sales bounded."""
    per_part = max(1, rows_per_part // config.stores)
    if config.days > 0:
        per_part = min(per_part, max(1, SALES_CELLS_PER_PART // (config.stores * config.days)))
    return min(per_part, config.products)


def assortment_cut(popularity: FloatArray, store_rank: FloatArray, share: float) -> float:
    """The c with P(u/2 + score/2 <= c) = share, u ~ U(0, 1), score = 0.7·popularity +
    0.3·store rank over all pairs: P = mean of clip(2c − score, 0, 1), solved by bisection on
    a grid of at most :data:`CUT_GRID` levels of each (both are evenly spread ranks)."""
    if share >= 1.0:
        return math.inf
    pop = np.quantile(popularity, np.linspace(0.0, 1.0, min(len(popularity), CUT_GRID)))
    rank = np.quantile(store_rank, np.linspace(0.0, 1.0, min(len(store_rank), CUT_GRID)))
    score = (pop[None, :] * 0.7 + rank[:, None] * 0.3).ravel()
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.clip(2 * mid - score, 0.0, 1.0).mean() < share:
            lo = mid
        else:
            hi = mid
    return hi


def _ranks(values: FloatArray) -> FloatArray:
    """0 for the largest value .. 1 for the smallest (ties by position)."""
    out: FloatArray = np.argsort(np.argsort(-values)) / max(len(values) - 1, 1)
    return out


def plan_chain(config: DemoConfig, rows_per_part: int = ROWS_PER_PART) -> Chain:
    """Draw what every part shares; the parts come from :func:`parts`."""
    validate(config)
    if rows_per_part < 1:
        raise ParameterError.about(
            "rows_per_part", rows_per_part, "give at least 1 row per part, e.g. 2000000"
        )
    rng = np.random.default_rng(config.seed)
    cities = nearest_cities(config.anchor, config.n_cities())
    stores, size, city_of = make_stores(config.stores, cities, rng)
    base, amplitude = make_products(config.products, rng)
    store_bias = rng.lognormal(-(0.35**2) / 2, 0.35, config.stores)  # mean 1
    city_bias = rng.lognormal(-(0.45**2) / 2, 0.45, len(cities))
    product_bias = rng.lognormal(-(0.3**2) / 2, 0.3, config.products)
    product_trend = rng.normal(0.0, 0.002, config.products)
    popularity, store_rank = _ranks(base), _ranks(size)
    return Chain(
        config=config,
        stores=stores,
        products_per_part=products_per_part(config, rows_per_part),
        size=size,
        city_of=city_of,
        base=base,
        amplitude=amplitude,
        store_bias=store_bias * city_bias[city_of],
        product_bias=product_bias,
        product_trend=product_trend,
        popularity=popularity,
        store_rank=store_rank,
        cut=assortment_cut(popularity, store_rank, config.assortment),
    )


def draw_part(chain: Chain, index: int) -> Part:
    """Part ``index``: products ``index·k .. index·k + k − 1`` at every store carrying them."""
    config = chain.config
    rng = np.random.default_rng([config.seed, index + 1])
    first = index * chain.products_per_part
    products = np.arange(first, min(first + chain.products_per_part, config.products))
    n_stores = config.stores
    if math.isinf(chain.cut):
        carried = np.ones((len(products), n_stores), dtype=bool)
    else:
        u = rng.random((len(products), n_stores))
        score = chain.popularity[products, None] * 0.7 + chain.store_rank[None, :] * 0.3
        carried = u * 0.5 + score * 0.5 <= chain.cut
    local, row_store = np.nonzero(carried)  # product-major, stores ascending
    row_product = products[local]
    affinity = rng.lognormal(0.0, 0.3, len(row_store))
    rate = chain.base[row_product] * chain.size[row_store] * affinity
    state, cover = shelf_cover(len(rate), rng)
    bias = chain.store_bias[row_store] * chain.product_bias[row_product]
    on_hand = shelf_units(rate * bias, state, cover, rng)
    store_ids = chain.stores["store_id"].to_numpy()
    product_ids = product_labels(config.products)
    inventory = pd.DataFrame(
        {
            "store_id": _categorical(row_store, store_ids),
            "product_id": _categorical(row_product, product_ids),
            "on_hand": on_hand,
        }
    )
    sales = None
    if config.days > 0:
        trend = rng.normal(0.0, 0.004, len(row_store)) + chain.product_trend[row_product]
        amplitude = chain.amplitude[row_product]
        sales = daily_sales(rate, trend, amplitude, row_store, row_product, config, rng)
        sales["store_id"] = _categorical(sales.pop("store").to_numpy(), store_ids)
        sales["product_id"] = _categorical(sales.pop("product").to_numpy(), product_ids)
        sales = sales[["date", "store_id", "product_id", "units"]]
    return Part(index, inventory, sales)


def parts(chain: Chain) -> Iterator[Part]:
    """Every part in order, one at a time."""
    for index in range(chain.n_parts):
        yield draw_part(chain, index)
