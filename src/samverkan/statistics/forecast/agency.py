"""The Migration Agency's published planning assumptions against the models, origin by origin.

For a forecast published in year ``P`` for target year ``T`` the models get the annual series up
to ``P - 1`` (the last complete year before publication) and forecast ``T - (P - 1)`` years ahead.
Every model, the naive benchmark included, sees the same information set for the same row, and
the agency's figure is scored against the same outcome, so per-row errors are comparable.

The comparison is tilted in the agency's favour, on purpose and openly: the agency also had the
monthly applications of year ``P`` up to the publication date (and everything else it knew about
routes and policy), while the models see annual totals up to ``P - 1`` only. Several publications
in the same year for the same target get the same model forecast, because the models' information
only changes once a year.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .methods import DEFAULT_LEVELS, FittedModel, TotalInterval, check_levels, fit, total_from
from .metrics import absolute_percentage_error
from .series import Series

_YEAR = re.compile(r"^(\d{4})")


@dataclass(frozen=True)
class PublishedForecast:
    """One row of the published planning assumptions (``asylum_forecasts_published.csv``).

    ``published`` is kept as written in the source ("2015-07-23", "2015-10", "2016-10/11"); only
    its year is used. An interval counts only when both bounds were published.
    """

    published: str
    target_year: int
    planning_assumption: float
    outcome: float
    interval_low: float | None = None
    interval_high: float | None = None
    source: str = ""

    @property
    def publication_year(self) -> int:
        match = _YEAR.match(self.published)
        if match is None:
            raise ValueError(f"Cannot read a year from the publication date {self.published!r}.")
        return int(match.group(1))

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.interval_low is None or self.interval_high is None:
            return None
        return (self.interval_low, self.interval_high)


@dataclass(frozen=True)
class ModelOnRow:
    method: str
    specification: str
    point: float
    ape: float
    intervals: tuple[TotalInterval, ...]
    outcome: float

    def interval(self, level: float) -> tuple[float, float]:
        for candidate in self.intervals:
            if math.isclose(candidate.level, level):
                return candidate.lower, candidate.upper
        raise KeyError(f"No {level:.0%} interval.")

    def inside(self, level: float) -> bool:
        lower, upper = self.interval(level)
        return lower <= self.outcome <= upper


@dataclass(frozen=True)
class AgencyRow:
    published: str
    target_year: int
    origin: str
    horizon: int
    outcome: float
    agency_point: float
    agency_ape: float
    agency_interval: tuple[float, float] | None
    models: tuple[ModelOnRow, ...]

    @property
    def agency_inside(self) -> bool | None:
        """Whether the outcome fell inside the published interval; None when none was published."""
        if self.agency_interval is None:
            return None
        return self.agency_interval[0] <= self.outcome <= self.agency_interval[1]

    def model(self, method: str) -> ModelOnRow:
        for candidate in self.models:
            if candidate.method == method:
                return candidate
        raise KeyError(method)


@dataclass(frozen=True)
class AgencyComparison:
    methods: tuple[str, ...]
    levels: tuple[float, ...]
    rows: tuple[AgencyRow, ...]

    def mape(self, who: str, rows: Sequence[AgencyRow] | None = None) -> float:
        """MAPE (%) over ``rows`` (default: all) of ``"agency"`` or a method."""
        chosen = self.rows if rows is None else tuple(rows)
        if who == "agency":
            return float(np.mean([r.agency_ape for r in chosen]))
        return float(np.mean([r.model(who).ape for r in chosen]))

    def agency_coverage(self) -> tuple[int, int]:
        """(outcomes inside the agency's interval, rows with a published interval)."""
        verdicts = [r.agency_inside for r in self.rows if r.agency_inside is not None]
        return sum(verdicts), len(verdicts)

    def model_coverage(
        self, method: str, level: float, rows: Sequence[AgencyRow] | None = None
    ) -> tuple[int, int]:
        """(outcomes inside the model's interval at ``level``, rows)."""
        chosen = self.rows if rows is None else tuple(rows)
        verdicts = [r.model(method).inside(level) for r in chosen]
        return sum(verdicts), len(verdicts)


def compare_with_published(
    annual: Series,
    published: Sequence[PublishedForecast],
    methods: Sequence[str] = ("naive", "ets", "arima"),
    levels: Sequence[float] = DEFAULT_LEVELS,
) -> AgencyComparison:
    """Forecast every published row's target year with each method from data up to ``P - 1``."""
    if annual.frequency != "annual":
        raise ValueError("The agency comparison uses the annual series.")
    levels = check_levels(levels)
    methods = tuple(methods)
    fitted: dict[tuple[int, str], tuple[Series, FittedModel]] = {}
    rows = []
    for row in published:
        origin_year = row.publication_year - 1
        horizon = row.target_year - origin_year
        if horizon < 1:
            raise ValueError(
                f"The forecast published {row.published} targets {row.target_year}, a past year."
            )
        train = annual.up_to(str(origin_year))
        models = []
        for method in methods:
            key = (origin_year, method)
            if key not in fitted:
                fitted[key] = (train, fit(train, method))
            total = total_from(fitted[key][1], train, horizon, horizon, levels)
            models.append(
                ModelOnRow(
                    method=method,
                    specification=total.specification,
                    point=total.point,
                    ape=absolute_percentage_error(row.outcome, total.point),
                    intervals=total.intervals,
                    outcome=row.outcome,
                )
            )
        rows.append(
            AgencyRow(
                published=row.published,
                target_year=row.target_year,
                origin=str(origin_year),
                horizon=horizon,
                outcome=row.outcome,
                agency_point=row.planning_assumption,
                agency_ape=absolute_percentage_error(row.outcome, row.planning_assumption),
                agency_interval=row.interval,
                models=tuple(models),
            )
        )
    return AgencyComparison(methods=methods, levels=levels, rows=tuple(rows))
