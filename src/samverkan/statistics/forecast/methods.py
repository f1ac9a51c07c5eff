"""Four forecasting methods for counts, each with 80 % / 95 % prediction intervals.

Specifications (all deterministic: the same series gives the same numbers on every run)

``naive``
    The last value, for every horizon. Intervals are the residual-based normal intervals of
    Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.), §5.5:
    ``sd_h = sigma * sqrt(h)``, where ``sigma`` is the root mean square of the in-sample one-step
    residuals ``y_t - y_{t-1}`` (the random walk's innovations have mean zero, so no mean is
    subtracted). Fitted on the original scale.
``seasonal_naive``
    The value of the same month one season (12 months) earlier; ``sd_h = sigma * sqrt(k + 1)``
    with ``k = floor((h - 1) / 12)`` and ``sigma`` from the residuals ``y_t - y_{t-12}``. Annual
    data have no season, so the method refuses them with a ValueError.
``ets``
    Exponential smoothing in state-space form (statsmodels ``ETSModel``) with additive errors,
    **fitted on log values**. Candidates: no trend, ETS(A,N,·), and an additive damped trend,
    ETS(A,Ad,·) (the damped trend only from 10 observations on); the one with the smaller AICc is
    used (a tie keeps the simpler model). Monthly series with at least two full years (24
    observations) get an additive seasonal component of period 12 (on the log scale, so the
    season is multiplicative on the original scale). Initial states are estimated by maximum
    likelihood.
``arima``
    statsmodels ``ARIMA``, **fitted on log values**. Annual data (and monthly data shorter than
    24 observations): the order with the smallest AICc among ARIMA(0,1,0), (1,1,0) and (0,1,1),
    each with and without drift -- a six-model grid around the random walk. Monthly data with
    24–35 observations: ARIMA(0,1,1)(0,1,0)[12]; with 36 or more: the "airline model"
    ARIMA(0,1,1)(0,1,1)[12]. Fixed orders for monthly data because a seasonal order search on
    two to seven years of data would mostly fit noise.

Why the log scale: the counts are positive and swing by an order of magnitude (162,877 asylum
seekers in 2015 against 20,000–30,000 in most other years), so errors are closer to proportional
than additive. The models produce a normal forecast distribution for ``log y``; its quantiles
map exactly to quantiles of ``y`` through ``exp``, so the back-transformed intervals keep their
coverage. The point forecast is ``exp`` of the log-scale mean, which is the forecast **median**
on the original scale (the mean would be larger by the factor ``exp(sd_h**2 / 2)``, FPP3 §5.6);
the median is the more robust central value for such skewed distributions. Log models need
strictly positive values.

Totals (``forecast_total``): the forecast of a sum of future periods -- for example the next 12
months as an annual total -- is the sum of the point forecasts; its interval needs the joint
distribution of the months. For the naive methods it is exact and normal (the coefficients of
each future innovation in the sum are counted); for the log models it comes from 4,000 simulated
sample paths of the fitted state-space model with a fixed random seed, exponentiated and summed
(quantiles of the simulated totals).

All intervals are clipped at 0, because counts cannot be negative.

Warnings: statsmodels' model warnings (non-convergence, starting-parameter notes) and numpy's
floating-point warnings from trial steps of the optimiser are silenced while fitting; exceptions
are not caught. ``warnings.catch_warnings`` is process-global, so concurrent fits in threads may
briefly see each other's filter. A series too short for a method raises ValueError.
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from .series import Series

METHODS: tuple[str, ...] = ("naive", "seasonal_naive", "ets", "arima")
DEFAULT_LEVELS: tuple[float, ...] = (0.80, 0.95)

#: The fewest observations each method accepts (seasonal naive: one season plus one).
MIN_OBSERVATIONS: dict[str, int] = {"naive": 2, "seasonal_naive": 13, "ets": 6, "arima": 8}
ETS_DAMPED_MIN = 10
SEASONAL_MIN = 24
AIRLINE_MIN = 36
SIMULATION_PATHS = 4000
SIMULATION_SEED = 20_151_101


@dataclass(frozen=True)
class Interval:
    """A prediction interval per forecast period at one coverage level (e.g. 0.80)."""

    level: float
    lower: tuple[float, ...]
    upper: tuple[float, ...]


@dataclass(frozen=True)
class Forecast:
    """Point forecasts and prediction intervals for ``periods`` (the next ``horizon`` periods)."""

    method: str
    specification: str
    periods: tuple[str, ...]
    point: tuple[float, ...]
    intervals: tuple[Interval, ...]

    @property
    def horizon(self) -> int:
        return len(self.periods)

    @property
    def levels(self) -> tuple[float, ...]:
        return tuple(i.level for i in self.intervals)

    def interval(self, level: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """``(lower, upper)`` at ``level``."""
        for candidate in self.intervals:
            if math.isclose(candidate.level, level):
                return candidate.lower, candidate.upper
        raise KeyError(f"No {level:.0%} interval; the forecast has {self.levels}.")


@dataclass(frozen=True)
class TotalInterval:
    level: float
    lower: float
    upper: float


@dataclass(frozen=True)
class TotalForecast:
    """The forecast of the sum over ``periods`` (e.g. the next 12 months as an annual total)."""

    method: str
    specification: str
    periods: tuple[str, ...]
    point: float
    intervals: tuple[TotalInterval, ...]

    @property
    def levels(self) -> tuple[float, ...]:
        return tuple(i.level for i in self.intervals)

    def interval(self, level: float) -> tuple[float, float]:
        for candidate in self.intervals:
            if math.isclose(candidate.level, level):
                return candidate.lower, candidate.upper
        raise KeyError(f"No {level:.0%} interval; the forecast has {self.levels}.")


Bands = dict[float, tuple[np.ndarray, np.ndarray]]
TotalBands = dict[float, tuple[float, float]]


def forecast(series: Series, method: str, horizon: int, levels: Sequence[float] = DEFAULT_LEVELS) -> Forecast:
    """Forecast the ``horizon`` periods after the end of ``series`` with ``method``."""
    levels = check_levels(levels)
    if horizon < 1:
        raise ValueError("The horizon must be at least 1.")
    model = fit(series, method)
    point, bands = model.marginal(horizon, levels)
    return Forecast(
        method=method,
        specification=model.specification,
        periods=series.future_periods(horizon),
        point=_floats(point),
        intervals=tuple(
            Interval(level, _floats(bands[level][0]), _floats(bands[level][1])) for level in levels
        ),
    )


def forecast_total(
    series: Series,
    method: str,
    last_step: int,
    *,
    first_step: int = 1,
    levels: Sequence[float] = DEFAULT_LEVELS,
) -> TotalForecast:
    """Forecast the sum of the future periods ``first_step`` to ``last_step`` (1-based, inclusive).

    ``forecast_total(monthly, "ets", 12)`` is the next twelve months as one total.
    """
    levels = check_levels(levels)
    model = fit(series, method)
    return total_from(model, series, first_step, last_step, levels)


def total_from(
    model: FittedModel, series: Series, first_step: int, last_step: int, levels: Sequence[float]
) -> TotalForecast:
    """The total over steps ``first_step..last_step`` from an already fitted model."""
    if not 1 <= first_step <= last_step:
        raise ValueError("Need 1 <= first_step <= last_step.")
    point, bands = model.total(first_step, last_step, tuple(levels))
    return TotalForecast(
        method=model.method,
        specification=model.specification,
        periods=series.future_periods(last_step)[first_step - 1 :],
        point=float(point),
        intervals=tuple(TotalInterval(level, *bands[level]) for level in levels),
    )


def fit(series: Series, method: str) -> FittedModel:
    """Fit ``method`` to ``series``; the result can forecast any horizon without refitting."""
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    if method == "seasonal_naive" and series.season_length == 1:
        raise ValueError("Seasonal naive needs a seasonal (monthly) series; annual data have no season.")
    minimum = MIN_OBSERVATIONS[method]
    if len(series) < minimum:
        raise ValueError(
            f"The {method} method needs at least {minimum} observations; the series has {len(series)}."
        )
    y = series.array()
    if method == "naive":
        return LagWalk(y, lag=1, method=method)
    if method == "seasonal_naive":
        return LagWalk(y, lag=series.season_length, method=method)
    if np.any(y <= 0):
        raise ValueError(f"The {method} method is fitted on log values and needs strictly positive values.")
    if method == "ets":
        return _fit_ets(np.log(y), monthly=series.season_length == 12)
    return _fit_arima(np.log(y), monthly=series.season_length == 12)


class FittedModel(ABC):
    method: str
    specification: str

    @abstractmethod
    def marginal(self, horizon: int, levels: Sequence[float]) -> tuple[np.ndarray, Bands]:
        """Point forecasts and per-level interval bounds for steps 1..horizon."""

    @abstractmethod
    def total(self, first: int, last: int, levels: Sequence[float]) -> tuple[float, TotalBands]:
        """Point forecast and per-level interval of the sum over steps first..last."""


class LagWalk(FittedModel):
    """``y_t = y_{t-m} + e_t`` with ``e_t ~ N(0, sigma^2)``: naive for m = 1, seasonal naive for m = 12."""

    def __init__(self, y: np.ndarray, *, lag: int, method: str) -> None:
        self.y = y
        self.lag = lag
        self.method = method
        residuals = y[lag:] - y[:-lag]
        self.sigma = float(np.sqrt(np.mean(residuals**2)))
        self.specification = (
            "Naive (last value), sd_h = σ·√h"
            if lag == 1
            else f"Seasonal naive (lag {lag}), sd_h = σ·√(k+1), k = ⌊(h−1)/{lag}⌋"
        )

    def _points(self, last: int) -> np.ndarray:
        steps = np.arange(last)
        return self.y[len(self.y) - self.lag + steps % self.lag]

    def _coefficients(self, last: int) -> np.ndarray:
        """C[i, j] = 1 when the innovation at future step j+1 enters the value at step i+1."""
        i = np.arange(last)[:, None]
        j = np.arange(last)[None, :]
        return ((i >= j) & ((i - j) % self.lag == 0)).astype(float)

    def marginal(self, horizon: int, levels: Sequence[float]) -> tuple[np.ndarray, Bands]:
        point = self._points(horizon)
        sd = self.sigma * np.sqrt(np.arange(horizon) // self.lag + 1.0)
        return point, {level: _normal_band(point, sd, level) for level in levels}

    def total(self, first: int, last: int, levels: Sequence[float]) -> tuple[float, TotalBands]:
        point = float(self._points(last)[first - 1 :].sum())
        weights = self._coefficients(last)[first - 1 :].sum(axis=0)
        sd = self.sigma * float(np.sqrt(np.sum(weights**2)))
        bands: TotalBands = {}
        for level in levels:
            lo, hi = _normal_band(np.array([point]), np.array([sd]), level)
            bands[level] = (float(lo[0]), float(hi[0]))
        return point, bands


class LogStateSpace(FittedModel):
    """A statsmodels ETS or ARIMA result fitted on log values, back-transformed with exp."""

    def __init__(self, result: Any, *, method: str, specification: str) -> None:
        self.result = result
        self.method = method
        self.specification = specification

    def _log_moments(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        with _quiet():
            if self.method == "ets":
                n = int(self.result.nobs)
                prediction = self.result.get_prediction(start=n, end=n + horizon - 1)
            else:
                prediction = self.result.get_forecast(horizon)
            mean = np.asarray(prediction.predicted_mean, dtype=float).reshape(-1)
            var = np.asarray(prediction.var_pred_mean, dtype=float).reshape(-1)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(var))):
            raise ValueError(f"The {self.specification} model produced a non-finite forecast.")
        return mean, np.sqrt(np.maximum(var, 0.0))

    def marginal(self, horizon: int, levels: Sequence[float]) -> tuple[np.ndarray, Bands]:
        mean, sd = self._log_moments(horizon)
        bands: Bands = {}
        for level in levels:
            z = _z(level)
            bands[level] = (np.exp(mean - z * sd), np.exp(mean + z * sd))
        return np.exp(mean), bands

    def total(self, first: int, last: int, levels: Sequence[float]) -> tuple[float, TotalBands]:
        if first == last:
            point, marginal = self.marginal(last, levels)
            return float(point[-1]), {lv: (float(lo[-1]), float(hi[-1])) for lv, (lo, hi) in marginal.items()}
        mean, _sd = self._log_moments(last)
        rng = np.random.default_rng(SIMULATION_SEED)
        with _quiet():
            paths = self.result.simulate(last, anchor="end", repetitions=SIMULATION_PATHS, rng=rng)
        paths = np.asarray(paths, dtype=float).reshape(last, SIMULATION_PATHS)
        totals = np.exp(paths[first - 1 :]).sum(axis=0)
        if not np.all(np.isfinite(totals)):
            raise ValueError(f"The {self.specification} model produced non-finite simulated paths.")
        bands: TotalBands = {}
        for level in levels:
            lo, hi = np.quantile(totals, [(1 - level) / 2, (1 + level) / 2])
            bands[level] = (max(float(lo), 0.0), max(float(hi), 0.0))
        return float(np.exp(mean[first - 1 :]).sum()), bands


def _fit_ets(z: np.ndarray, *, monthly: bool) -> LogStateSpace:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    n = len(z)
    seasonal = monthly and n >= SEASONAL_MIN
    season = "A" if seasonal else "N"
    candidates: list[tuple[str | None, bool, str]] = [(None, False, f"ETS(A,N,{season})")]
    if n >= ETS_DAMPED_MIN:
        candidates.append(("add", True, f"ETS(A,Ad,{season})"))
    # statsmodels 0.15 needs a pandas endog for get_prediction; a RangeIndex is enough.
    endog = pd.Series(z, index=pd.RangeIndex(n))
    best: tuple[float, Any, str] | None = None
    with _quiet():
        for trend, damped, name in candidates:
            model = ETSModel(
                endog,
                error="add",
                trend=trend,
                damped_trend=damped,
                seasonal="add" if seasonal else None,
                seasonal_periods=12 if seasonal else None,
                initialization_method="estimated",
            )
            result = model.fit(disp=False)
            aicc = float(result.aicc)
            if math.isfinite(aicc) and (best is None or aicc < best[0]):
                best = (aicc, result, name)
    if best is None:
        raise ValueError(f"No ETS model could be fitted to {n} observations.")
    return LogStateSpace(best[1], method="ets", specification=f"{best[2]} on log values (AICc choice)")


def _fit_arima(z: np.ndarray, *, monthly: bool) -> LogStateSpace:
    from statsmodels.tsa.arima.model import ARIMA

    n = len(z)
    candidates: list[tuple[tuple[int, int, int], tuple[int, int, int, int], str]]
    if monthly and n >= AIRLINE_MIN:
        candidates = [((0, 1, 1), (0, 1, 1, 12), "n")]
    elif monthly and n >= SEASONAL_MIN:
        candidates = [((0, 1, 1), (0, 1, 0, 12), "n")]
    else:
        candidates = [(order, (0, 0, 0, 0), trend) for order in _ARIMA_GRID for trend in ("n", "t")]
    best: tuple[float, Any, str] | None = None
    with _quiet():
        for order, seasonal_order, trend in candidates:
            result = ARIMA(z, order=order, seasonal_order=seasonal_order, trend=trend).fit()
            aicc = float(result.aicc)
            if len(candidates) == 1 or (math.isfinite(aicc) and (best is None or aicc < best[0])):
                best = (aicc, result, _arima_name(order, seasonal_order, trend))
    if best is None:
        raise ValueError(f"No ARIMA model could be fitted to {n} observations.")
    how = "fixed order" if len(candidates) == 1 else "AICc choice"
    return LogStateSpace(best[1], method="arima", specification=f"{best[2]} on log values ({how})")


_ARIMA_GRID: tuple[tuple[int, int, int], ...] = ((0, 1, 0), (1, 1, 0), (0, 1, 1))


def _arima_name(order: tuple[int, int, int], seasonal: tuple[int, int, int, int], trend: str) -> str:
    name = "ARIMA({},{},{})".format(*order)
    if seasonal[3]:
        name += "({},{},{})[{}]".format(*seasonal)
    return name + (" with drift" if trend == "t" else "")


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence statsmodels' model warnings (all UserWarning subclasses) and numpy's float warnings."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def _normal_band(point: np.ndarray, sd: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = _z(level)
    return np.maximum(point - z * sd, 0.0), np.maximum(point + z * sd, 0.0)


def check_levels(levels: Sequence[float]) -> tuple[float, ...]:
    checked = tuple(float(level) for level in levels)
    if not checked:
        raise ValueError("Give at least one interval level, e.g. (0.80, 0.95).")
    for level in checked:
        if not 0 < level < 1:
            raise ValueError(f"An interval level is a share between 0 and 1, not {level}.")
    return checked


def _floats(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in values)
