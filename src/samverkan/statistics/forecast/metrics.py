"""Accuracy measures: absolute percentage error, MASE and empirical interval coverage.

MASE (Hyndman & Koehler 2006, "Another look at measures of forecast accuracy") divides the
absolute error by the in-sample mean absolute error of a naive benchmark on the training data:

* annual data: the one-step naive forecast, ``mean |y_t - y_{t-1}|``;
* monthly data evaluated as 12-month totals: the seasonal naive forecast of the quantity being
  evaluated, i.e. ``mean |S_t - S_{t-12}|`` where ``S_t`` is the sum of the 12 months up to ``t``
  ("next year's total equals the last 12 months' total"). Scaling an annual-total error by the
  monthly seasonal-naive MAE would mix units (and inflate MASE about twelvefold); scaling by the
  same benchmark summed to the same total keeps the Hyndman–Koehler reading: below 1 beats the
  in-sample naive benchmark.

A scale of zero (a constant training series) makes MASE undefined; it is reported as NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def absolute_percentage_error(actual: float, point: float) -> float:
    """``100 * |actual - point| / |actual|`` (NaN when the actual is 0)."""
    if actual == 0:
        return math.nan
    return 100.0 * abs(actual - point) / abs(actual)


def mape(actuals: Sequence[float], points: Sequence[float]) -> float:
    """Mean absolute percentage error in per cent."""
    if len(actuals) != len(points) or not actuals:
        raise ValueError("MAPE needs equally many actuals and forecasts, at least one.")
    return float(np.mean([absolute_percentage_error(a, p) for a, p in zip(actuals, points, strict=True)]))


def naive_scale(values: Sequence[float], block: int = 1) -> float:
    """The in-sample MAE of the naive forecast of ``block``-period totals (see the module docstring).

    ``block = 1``: ``mean |y_t - y_{t-1}|``. ``block = 12``: ``mean |S_t - S_{t-12}|`` of rolling
    12-period sums, which needs at least 24 values.
    """
    y = np.asarray(values, dtype=float)
    if block < 1:
        raise ValueError("The block length must be at least 1.")
    if len(y) < 2 * block:
        raise ValueError(f"The MASE scale for {block}-period totals needs at least {2 * block} values.")
    totals = np.convolve(y, np.ones(block), mode="valid")
    return float(np.mean(np.abs(totals[block:] - totals[:-block])))


def scaled_error(actual: float, point: float, scale: float) -> float:
    """``|actual - point| / scale`` (NaN when the scale is 0)."""
    if scale == 0:
        return math.nan
    return abs(actual - point) / scale


def coverage(actuals: Sequence[float], lower: Sequence[float], upper: Sequence[float]) -> float:
    """The share of ``actuals`` inside their closed interval ``[lower, upper]``."""
    if not (len(actuals) == len(lower) == len(upper)) or not actuals:
        raise ValueError("Coverage needs equally many actuals, lower and upper bounds, at least one.")
    inside = [lo <= a <= hi for a, lo, hi in zip(actuals, lower, upper, strict=True)]
    return sum(inside) / len(inside)
