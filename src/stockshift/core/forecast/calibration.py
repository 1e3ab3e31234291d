"""The safety factor of ``--forecast auto``: fitted so the service level asked is a fill rate.

SPEC section 3's target ⌈μ + z·σ⌉ with z = Φ⁻¹(q) makes q a cycle service level under a
normal demand: on Iowa's lumpy store-item demand (a case at a time) the fill rate a replayed
store obtained fell 6 to 13 points short of q. For ``auto`` a factor k_q replaces z, one per
product: the k at which the product's out-of-sample windows (the rolling origins ``auto``
chose on, at every store) would have had fill rate q. A window w of series i, reviewed every
R days and stocked to S_w = max(⌈F_w + k·σ_i − 1e-9⌉, 0) at its start, with A^C_w its demand
over the C cover days and A^L_w over the first L = C − R of them (the lead time: what arrives
at the next review is ordered then), loses (A^C_w − S_w)⁺ − (A^L_w − S_w)⁺ of the
A^C_w − A^L_w units asked for during its review period, so over the windows of a product

    fill(k) = 1 − Σ_w [(A^C_w − S_w)⁺ − (A^L_w − S_w)⁺] / Σ_w (A^C_w − A^L_w).

fill is non-decreasing in k; k_q is the least k with fill(k) ≥ q, found by bisection in
[:data:`K_MIN`, :data:`K_MAX`]. Without a review period (R ≥ C, e.g. ``stockshift
forecast``) A^L = 0 and fill is the share of the C days' demand a target serves without
replenishment. A product with fewer than :data:`MIN_WINDOWS` windows that sold in their
review period keeps z = Φ⁻¹(q). Per product, not over the chain, so a product's targets do
not depend on which other products are planned with it (the Dask engine plans runs of
products apart).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stockshift.core.types import FloatArray, Int32Array

#: Fewer windows with demand in the review period than this: keep z = Φ⁻¹(q).
MIN_WINDOWS = 30
K_MIN, K_MAX = -2.0, 8.0
_STEPS = 32
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Calibration:
    """Out-of-sample windows: the forecast F of the C days' demand at each window's start,
    its series' σ, the demand A^C over the C days and A^L over the first L, and the window's
    group (product); ``series_group`` maps each series to its group, of ``n_groups``."""

    forecast: FloatArray
    sigma: FloatArray
    cover: FloatArray
    lead: FloatArray
    group: Int32Array
    series_group: Int32Array
    n_groups: int

    def _sums(self, values: FloatArray) -> FloatArray:
        out: FloatArray = np.bincount(self.group, weights=values, minlength=self.n_groups).astype(
            np.float64
        )
        return out

    def usable(self) -> npt.NDArray[np.bool_]:
        """Per group: enough windows that sold in their review period to fit k."""
        sold = (self.cover - self.lead > 0).astype(np.float64)
        out: npt.NDArray[np.bool_] = self._sums(sold) >= MIN_WINDOWS
        return out

    def fill(self, k: FloatArray) -> FloatArray:
        """Per group, fill(k) of the module docstring at its own ``k[g]`` (1 without demand)."""
        asked = self._sums(self.cover - self.lead)
        stock = np.maximum(np.ceil(self.forecast + k[self.group] * self.sigma - _EPS), 0.0)
        lost = np.maximum(self.cover - stock, 0.0) - np.maximum(self.lead - stock, 0.0)
        out: FloatArray = np.where(
            asked > 0, 1.0 - self._sums(lost) / np.where(asked > 0, asked, 1.0), 1.0
        )
        return out

    def group_factors(self, service_level: float) -> FloatArray:
        """Per group, the least k in [K_MIN, K_MAX] with fill(k) ≥ q (K_MAX if none)."""
        lo = np.full(self.n_groups, K_MIN)
        hi = np.full(self.n_groups, K_MAX)
        for _ in range(_STEPS):
            mid = (lo + hi) / 2.0
            ok = self.fill(mid) >= service_level
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
        return np.where(self.fill(lo) >= service_level, lo, hi)

    def factors(self, service_level: float, fallback: float) -> FloatArray:
        """Per series: its group's k_q, or ``fallback`` where the group has too few windows."""
        if self.n_groups == 0:
            return np.full(len(self.series_group), fallback)
        k = np.where(self.usable(), self.group_factors(service_level), fallback)
        out: FloatArray = k[self.series_group]
        return out
