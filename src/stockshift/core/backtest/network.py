"""What a replay works on: the fixed network (stores, clusters, distances, settings), what a
policy sees on a review day, and the transfer lines it answers with."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from stockshift.core.backtest.learned import fit_model, model_cuts, review_columns, training
from stockshift.core.backtest.settings import BacktestSettings, check_settings
from stockshift.core.clustering import cluster_stores
from stockshift.core.errors import ParameterError
from stockshift.core.forecast.learned import BoostedBlend
from stockshift.core.geo import distance_matrix, neighbour_order
from stockshift.core.parameters import validate_parameters
from stockshift.core.planning import Allocation
from stockshift.core.types import (
    Clustering,
    Dataset,
    FloatArray,
    Int32Array,
    IntArray,
    PlanParameters,
    Stores,
)


@dataclass(frozen=True, slots=True)
class Setup:
    """What stays fixed over the run and is the same for every product: the settings (first
    day resolved), the parameters with the replay's horizons, the clusters (computed once,
    before day 0), the distances and ``--forecast auto``'s learned model for every review
    (:mod:`~stockshift.core.backtest.learned`). ``--engine dask`` sends it to every worker
    once."""

    params: PlanParameters
    settings: BacktestSettings
    clustering: Clustering
    dist: FloatArray
    order: Int32Array
    learned: BoostedBlend | None = None


@dataclass(frozen=True, slots=True)
class Network:
    """A :class:`Setup` with the products it replays (all of them, or a run of them), and
    the targets of each review day once computed: they depend on the sales alone, so every
    policy replayed on this network reads the same ones."""

    dataset: Dataset
    params: PlanParameters
    settings: BacktestSettings
    clustering: Clustering
    dist: FloatArray
    order: Int32Array
    learned: BoostedBlend | None = None
    targets: dict[int, FloatArray] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, setup: Setup, dataset: Dataset) -> Network:
        s = setup
        return cls(dataset, s.params, s.settings, s.clustering, s.dist, s.order, s.learned)

    @property
    def setup(self) -> Setup:
        return Setup(
            self.params, self.settings, self.clustering, self.dist, self.order, self.learned
        )

    @property
    def start(self) -> np.datetime64:
        """The first day of the run (resolved by :func:`prepare_setup`)."""
        assert self.settings.start is not None
        return self.settings.start


def prepare_setup(
    stores: Stores,
    params: PlanParameters,
    settings: BacktestSettings,
    *,
    sales_first_day: np.datetime64 | None,
    sales_last_day: np.datetime64 | None,
) -> Setup:
    """Check the settings against the sales' first and last day, cluster the stores once and
    compute their distances."""
    validate_parameters(params)
    start = check_settings(
        settings,
        window=params.window,
        sales_first_day=sales_first_day,
        sales_last_day=sales_last_day,
    )
    settings = replace(settings, start=start)
    # one set of horizons: the replay's review and lead times are the policies' too
    params = replace(
        params,
        review_days=settings.review_days,
        warehouse_lead_days=settings.warehouse_lead_days,
        transfer_lead_days=settings.transfer_lead_days,
    )
    clustering = cluster_stores(stores, params.clusters, seed=params.seed)
    dist = distance_matrix(stores.lat, stores.lon)
    return Setup(params, settings, clustering, dist, neighbour_order(dist))


def prepare(dataset: Dataset, params: PlanParameters, settings: BacktestSettings) -> Network:
    """:func:`prepare_setup` for ``dataset``, which must hold the whole sales history, with
    ``--forecast auto``'s learned model fitted on every product's rows."""
    sales = dataset.sales
    setup = prepare_setup(
        dataset.stores,
        params,
        settings,
        sales_first_day=None if sales is None else sales.first_day,
        sales_last_day=None if sales is None else sales.last_day,
    )
    assert sales is not None
    if sales.units.shape[1] != sales.total_days:
        raise ParameterError("the backtest needs the whole sales history (load it in full)")
    cuts = setup_cuts(setup, sales.first_day)
    h = setup.params.cover_days
    if cuts:
        setup = replace(setup, learned=fit_model([training(dataset, cuts, h)], cuts, h))
    return Network.of(setup, dataset)


def setup_cuts(setup: Setup, first_day: np.datetime64) -> list[int]:
    """The cut-offs of the learned model's fits for every review of ``setup``'s run, on
    sales whose first column is ``first_day`` (:mod:`~stockshift.core.backtest.learned`)."""
    s = setup.settings
    assert s.start is not None
    return model_cuts(setup.params, review_columns(setup.params, s.days, s.start, first_day))


@dataclass(frozen=True, slots=True)
class Review:
    """What a policy sees on a review day, per inventory row.

    ``history`` holds the zero-filled daily sales of days t−H_B … t−1, the days
    expected-benefit fits demand on (H_B = max(W, 182), only days on or after the first date
    of the sales file); ``target`` = ⌈r·C + z·σ·√C − 1e-9⌉ on the last W of them, and
    ``surplus``/``need`` are SPEC section 3's on the position. ``max_transfers`` caps the
    lines of these products; ``lines_before`` counts the lines earlier products made, when
    these are only some of the products (``--engine dask``).
    """

    day: int
    on_hand: FloatArray
    position: FloatArray
    target: FloatArray
    surplus: IntArray
    need: IntArray
    history: FloatArray
    max_transfers: int | None = None
    lines_before: int = 0


@dataclass(frozen=True, slots=True)
class Lines:
    """Transfer lines in plan order: product, source and destination store indices."""

    product: Int32Array
    source: Int32Array
    destination: Int32Array
    quantity: IntArray
    distance_km: FloatArray

    @classmethod
    def empty(cls) -> Lines:
        i32 = np.zeros(0, np.int32)
        return cls(i32, i32, i32, np.zeros(0, np.int64), np.zeros(0, np.float64))

    @classmethod
    def of(cls, alloc: Allocation) -> Lines:
        return cls(
            alloc.product, alloc.source, alloc.destination, alloc.quantity, alloc.distance_km
        )
