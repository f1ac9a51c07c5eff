"""Rolling-origin evaluation ("time series cross-validation", FPP3 §5.10).

For every origin ``t`` from ``first_origin`` to the end of the series minus the horizon (every
``origin_step`` periods), each method is fitted on the data up to and including ``t`` and
forecasts the following ``horizon`` periods; the forecasts are compared with what happened.
All methods see the same origins, so their scores are comparable.

What is scored is the annual figure:

* annual data: the value ``h`` years after the origin, for ``h = 1..horizon``;
* monthly data: the total of each 12-month block after the origin (step 1 = months 1–12,
  step 2 = months 13–24, ...), the sum of the monthly point forecasts against the actual total,
  with the total's own prediction interval (see ``methods.forecast_total``). The horizon must be
  a multiple of 12; with ``origin_step=12`` and a December origin the blocks are calendar years.

Per method and step the result holds MAPE (%), MASE (scale: see ``metrics``) and the empirical
coverage of every interval level (the share of actuals inside the interval).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .methods import DEFAULT_LEVELS, TotalInterval, check_levels, fit, total_from
from .metrics import absolute_percentage_error, coverage, naive_scale, scaled_error
from .series import Series


@dataclass(frozen=True)
class Evaluation:
    """One method's forecast from one origin for one step, with the outcome."""

    method: str
    specification: str
    origin: str
    step: int
    target: str
    actual: float
    point: float
    intervals: tuple[TotalInterval, ...]
    scale: float

    @property
    def ape(self) -> float:
        return absolute_percentage_error(self.actual, self.point)

    @property
    def scaled_error(self) -> float:
        return scaled_error(self.actual, self.point, self.scale)

    def inside(self, level: float) -> bool:
        for interval in self.intervals:
            if math.isclose(interval.level, level):
                return interval.lower <= self.actual <= interval.upper
        raise KeyError(f"No {level:.0%} interval.")


@dataclass(frozen=True)
class Score:
    """The accuracy of one method at one step over all origins."""

    method: str
    step: int
    n: int
    mape: float
    mase: float
    coverage: tuple[tuple[float, float], ...]

    def coverage_at(self, level: float) -> float:
        for candidate, share in self.coverage:
            if math.isclose(candidate, level):
                return share
        raise KeyError(f"No {level:.0%} coverage.")


@dataclass(frozen=True)
class BacktestResult:
    frequency: str
    horizon: int
    block: int
    methods: tuple[str, ...]
    levels: tuple[float, ...]
    origins: tuple[str, ...]
    evaluations: tuple[Evaluation, ...]
    scores: tuple[Score, ...]

    @property
    def steps(self) -> int:
        return self.horizon // self.block

    def score(self, method: str, step: int = 1) -> Score:
        for score in self.scores:
            if score.method == method and score.step == step:
                return score
        raise KeyError(f"No score for {method} at step {step}.")

    def evaluations_for(self, method: str, step: int = 1) -> tuple[Evaluation, ...]:
        return tuple(e for e in self.evaluations if e.method == method and e.step == step)


def backtest(
    series: Series,
    methods: Sequence[str],
    horizon: int,
    first_origin: str,
    *,
    levels: Sequence[float] = DEFAULT_LEVELS,
    origin_step: int = 1,
) -> BacktestResult:
    """Rolling-origin backtest of ``methods`` on ``series``.

    ``first_origin`` is the label of the last period of the first training window (``"2009"``,
    ``"2013M12"``). ``horizon`` counts periods of the series; for monthly data it must be a
    multiple of 12. Raises ValueError when no origin leaves room for the horizon, or when a
    method cannot be fitted at some origin (choose a later first origin).
    """
    levels = check_levels(levels)
    methods = tuple(methods)
    if not methods:
        raise ValueError("Name at least one method.")
    block = series.season_length
    if horizon < 1 or horizon % block:
        unit = "a multiple of 12 months" if block == 12 else "at least 1"
        raise ValueError(f"The horizon must be {unit}.")
    if origin_step < 1:
        raise ValueError("The origin step must be at least 1.")
    y = series.array()
    labels = series.periods()
    first = series.position(first_origin)
    last = len(y) - 1 - horizon
    if last < first:
        raise ValueError(
            f"No origin from {first_origin} leaves {horizon} periods to compare with "
            f"(the series ends {series.end})."
        )
    origins = tuple(range(first, last + 1, origin_step))
    steps = horizon // block

    evaluations: list[Evaluation] = []
    for t in origins:
        train = series.head(t + 1)
        scale = naive_scale(series.values[: t + 1], block)
        for method in methods:
            model = fit(train, method)
            for step in range(1, steps + 1):
                lo, hi = (step - 1) * block + 1, step * block
                total = total_from(model, train, lo, hi, levels)
                target = labels[t + lo] if block == 1 else f"{labels[t + lo]}–{labels[t + hi]}"
                evaluations.append(
                    Evaluation(
                        method=method,
                        specification=model.specification,
                        origin=labels[t],
                        step=step,
                        target=target,
                        actual=float(y[t + lo : t + hi + 1].sum()),
                        point=total.point,
                        intervals=total.intervals,
                        scale=scale,
                    )
                )

    scores = []
    for method in methods:
        for step in range(1, steps + 1):
            rows = [e for e in evaluations if e.method == method and e.step == step]
            actuals = [e.actual for e in rows]
            shares = []
            for level in levels:
                bounds = [next(i for i in e.intervals if math.isclose(i.level, level)) for e in rows]
                shares.append(
                    (level, coverage(actuals, [b.lower for b in bounds], [b.upper for b in bounds]))
                )
            scores.append(
                Score(
                    method=method,
                    step=step,
                    n=len(rows),
                    mape=float(np.mean([e.ape for e in rows])),
                    mase=float(np.mean([e.scaled_error for e in rows])),
                    coverage=tuple(shares),
                )
            )
    return BacktestResult(
        frequency=series.frequency,
        horizon=horizon,
        block=block,
        methods=methods,
        levels=levels,
        origins=tuple(labels[t] for t in origins),
        evaluations=tuple(evaluations),
        scores=tuple(scores),
    )
