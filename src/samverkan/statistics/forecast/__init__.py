"""Forecasting asylum applications: four methods, prediction intervals and a rolling-origin backtest.

A pure package (dataclasses in, dataclasses out): no Django and nothing from the platform, so
it can be tested and benchmarked on its own (``benchmarks/forecast/backtest.py``).

* :class:`Series` -- the input: values, first period (``"2000"`` or ``"2012M01"``) and frequency.
* :func:`forecast` -- point forecasts and 80 %/95 % intervals with ``naive``, ``seasonal_naive``,
  ``ets`` or ``arima``; :func:`forecast_total` -- the same for the sum of future periods (e.g. the
  next twelve months as an annual total). Model specifications: ``methods``.
* :func:`backtest` -- rolling-origin MAPE, MASE and interval coverage (``backtest``, ``metrics``).
* :func:`compare_with_published` -- the Migration Agency's planning assumptions against the
  models on the same information set (``agency``).
"""

from .agency import AgencyComparison, AgencyRow, ModelOnRow, PublishedForecast, compare_with_published
from .backtest import BacktestResult, Evaluation, Score, backtest
from .methods import (
    DEFAULT_LEVELS,
    METHODS,
    MIN_OBSERVATIONS,
    Forecast,
    Interval,
    TotalForecast,
    TotalInterval,
    forecast,
    forecast_total,
)
from .metrics import absolute_percentage_error, coverage, mape, naive_scale
from .series import Frequency, Series

__all__ = [
    "DEFAULT_LEVELS",
    "METHODS",
    "MIN_OBSERVATIONS",
    "AgencyComparison",
    "AgencyRow",
    "BacktestResult",
    "Evaluation",
    "Forecast",
    "Frequency",
    "Interval",
    "ModelOnRow",
    "PublishedForecast",
    "Score",
    "Series",
    "TotalForecast",
    "TotalInterval",
    "absolute_percentage_error",
    "backtest",
    "compare_with_published",
    "coverage",
    "forecast",
    "forecast_total",
    "mape",
    "naive_scale",
]
