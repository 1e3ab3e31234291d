"""``--forecast auto``'s learned model in a replay, so that a review forecasts as
``stockshift plan`` forecasts on the history up to that day.

``plan`` fits ``blend-boosted`` (:mod:`~stockshift.core.forecast.learned`) for the cut-offs
``auto`` scores on a history of T days: T and its rolling origins. A review on day t sees
the first t columns of the sales, so it needs the models of t's cut-offs. They are fitted
once, before day 0, for the cut-offs of every review together (one set of training rows,
the features of an origin computed once however many reviews use it): a model for
cut-off c learns only from windows that end at or before c, so no review learns from a day
it could not have seen. A review whose history is too short for the model forecasts
without it, as ``plan`` would on that history.

Below :data:`~stockshift.core.forecast.learned.MAX_ROWS` training rows each model is the
one ``plan`` fits on the history up to its review; above, the rows are subsampled over the
origins of every review at once, a little differently from ``plan``'s subsample over one
review's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from stockshift.core.forecast.learned import BoostedBlend, TrainingRows
from stockshift.core.pipeline import learned_training
from stockshift.core.types import Dataset, PlanParameters


def review_columns(
    params: PlanParameters, days: int, start: np.datetime64, first_day: np.datetime64
) -> list[int]:
    """The sales column of each review day of a ``days``-day run from ``start``."""
    assert params.review_days is not None
    offset = int((start - first_day) // np.timedelta64(1, "D"))
    return [offset + day for day in range(0, days, params.review_days)]


def model_cuts(params: PlanParameters, columns: Sequence[int]) -> list[int]:
    """Every cut-off the reviews at ``columns`` forecast at with the learned model, in order
    (none for a forecast other than ``auto``, or a review whose history is too short)."""
    from stockshift.core.forecast.auto import learned_cuts
    from stockshift.core.forecast.learned import available

    if params.forecast != "auto":
        return []
    h = params.cover_days
    found = (learned_cuts(at, h) for at in columns)
    return sorted({c for cuts in found if available(cuts, h) for c in cuts})


def training(dataset: Dataset, cuts: Sequence[int], horizon: int) -> TrainingRows | None:
    """The training rows of ``dataset``'s products for the models of ``cuts`` (a run of
    products on a worker, or all of them), as ``plan`` gathers them."""
    if not cuts or dataset.sales is None:
        return None
    return learned_training(dataset, cuts, horizon)


def fit_model(
    parts: Sequence[TrainingRows | None], cuts: Sequence[int], horizon: int
) -> BoostedBlend | None:
    """The models of ``cuts`` from the training rows of every run of products: the model one
    process fits from all of them at once (:func:`~stockshift.core.forecast.learned.fit`)."""
    from stockshift.core.forecast.learned import fit

    found = [p for p in parts if p is not None]
    if not cuts or not found:
        return None
    return fit(found, horizon=horizon, cuts=cuts)
