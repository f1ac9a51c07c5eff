"""The forecast theme page: the Migration Agency's published planning assumptions against the
outcomes, and the models' forecasts (with 80 % and 95 % prediction intervals) from the annual
series. Figures come from the datasets through the selectors; the models from ``forecast/``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from samverkan.core.actor import Actor
from samverkan.statistics import charts, selectors
from samverkan.statistics.forecast import METHODS, MIN_OBSERVATIONS, Series, forecast
from samverkan.statistics.models import Dataset
from samverkan.statistics.tables import TableView, build_table

HORIZON = 3
CHART_METHOD = "ets"


@dataclass(frozen=True)
class ModelRow:
    method: str
    label: str
    year: str
    point: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


@dataclass(frozen=True)
class ForecastPage:
    agency: TableView
    models: tuple[ModelRow, ...]
    chart: dict[str, Any]
    last_year: str
    chart_method: str


def method_labels() -> dict[str, str]:
    return {
        "naive": _("Naive (last value)"),
        "seasonal_naive": _("Seasonal naive"),
        "ets": _("Exponential smoothing (ETS)"),
        "arima": _("ARIMA"),
    }


def annual_totals(*, actor: Actor, annual: Dataset) -> tuple[list[str], list[float]]:
    """The yearly totals, from the last gap on (a model needs an unbroken series)."""
    table = selectors.table_for(actor=actor, dataset=annual, filters={"sex": ["1+2"]}, keep=["year"]).cube
    years = list(table.dimensions[0].codes)
    values = [float(v) for v in table.values.tolist()]
    start = max((i + 1 for i, v in enumerate(values) if np.isnan(v)), default=0)
    return years[start:], values[start:]


ModelFigures = tuple[str, str, float, float, float, float, float]


@functools.lru_cache(maxsize=4)
def _model_rows(years: tuple[str, ...], values: tuple[float, ...]) -> tuple[ModelFigures, ...]:
    """(method, year, point, lo80, hi80, lo95, hi95), whole persons. Cached: the models take a
    second or so, and the series changes only with a new dataset version."""
    series = Series(values=values, start=years[0], frequency="annual")
    rows: list[ModelFigures] = []
    for method in METHODS:
        if method == "seasonal_naive" or len(values) < MIN_OBSERVATIONS[method]:
            continue  # annual data has no season; a short series does not support the model
        result = forecast(series, method, HORIZON, levels=(0.80, 0.95))
        lo80, hi80 = result.interval(0.80)
        lo95, hi95 = result.interval(0.95)
        for h, period in enumerate(result.periods):
            figures = (result.point[h], lo80[h], hi80[h], lo95[h], hi95[h])
            rows.append((method, period, *(float(round(v)) for v in figures)))  # type: ignore[arg-type]
    return tuple(rows)


def forecast_page(*, actor: Actor, annual: Dataset, published: Dataset, language: str) -> ForecastPage:
    years, values = annual_totals(actor=actor, annual=annual)
    labels = method_labels()
    models = tuple(
        ModelRow(method, labels[method], year, point, lo80, hi80, lo95, hi95)
        for method, year, point, lo80, hi80, lo95, hi95 in _model_rows(tuple(years), tuple(values))
    )
    agency = build_table(actor=actor, dataset=published, params={"x": ["forecast"], "by": ["measure"]})
    agency_points = []
    for row in agency.rows:
        published_on, _slash, target = row.category.code.rpartition("/")
        by_measure = dict(zip((c.code for c in agency.columns), row.values, strict=True))
        if by_measure.get("planning_assumption") is None:
            continue
        agency_points.append(
            {
                "year": target,
                "published": published_on,
                "value": by_measure["planning_assumption"],
                "low": by_measure.get("interval_low"),
                "high": by_measure.get("interval_high")
                if by_measure.get("interval_low") is not None
                else None,
            }
        )
    bands = [
        {"year": m.year, "point": m.point, "lo80": m.lo80, "hi80": m.hi80, "lo95": m.lo95, "hi95": m.hi95}
        for m in models
        if m.method == CHART_METHOD
    ]
    # The band starts at the last outcome, so the forecast visibly continues the series.
    last = values[-1]
    bands.insert(
        0, {"year": years[-1], "point": last, "lo80": last, "hi80": last, "lo95": last, "hi95": last}
    )
    chart = charts.forecast_chart(
        history=[{"year": y, "value": v} for y, v in zip(years, values, strict=True)],
        bands=bands,
        agency=agency_points,
        title=_(
            "Asylum seekers per year: outcomes, the Migration Agency's forecasts and a model's intervals"
        ),
        labels={
            "year": _("Year"),
            "value": _("Asylum seekers"),
            "outcome": _("Outcome"),
            "point": _("Model forecast"),
            # xgettext:no-python-format
            "lo95": _("95 % interval, lower"),
            # xgettext:no-python-format
            "hi95": _("95 % interval, upper"),
            "agency": _("Planning assumption"),
            "published": _("Published"),
        },
        language=language,
    )
    return ForecastPage(
        agency=agency,
        models=models,
        chart={
            "id": "chart-forecast",
            "spec_id": "chart-forecast-spec",
            "spec": chart,
            "title": chart["description"],
        },
        last_year=years[-1],
        chart_method=labels[CHART_METHOD],
    )
