"""One view of a dataset as a two-way table: one dimension down the rows (x, usually time), an
optional one across the columns (by), every other dimension filtered and totalled. The chart,
the HTML table and the CSV download are all built from the same TableView, so they always agree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError
from samverkan.statistics import measures, selectors
from samverkan.statistics.cube import TIME, Category, Dimension
from samverkan.statistics.models import Dataset, DatasetVersion

MAX_SERIES = 12


@dataclass(frozen=True)
class TableRow:
    category: Category
    label: str
    values: tuple[float | None, ...]
    symbols: tuple[str | None, ...]

    @property
    def cells(self) -> list[tuple[float | None, str | None]]:
        return list(zip(self.values, self.symbols, strict=True))


@dataclass(frozen=True)
class TableView:
    dataset: Dataset
    version: DatasetVersion
    dimensions: tuple[Dimension, ...]
    x: Dimension
    by: Dimension | None
    filters: dict[str, list[str]]
    columns: tuple[Category, ...]
    rows: tuple[TableRow, ...]
    suppressed: int
    language: str = "sv"
    # Why the figures may not be added up ("percent", ...; "" for counts) and, for each dimension
    # not shown that could not be summed, the one category the view shows.
    measure: str = ""
    fixed: tuple[tuple[Dimension, Category], ...] = ()

    @property
    def measure_text(self) -> str:
        return measures.kind_text(self.measure) if self.measure else ""

    @property
    def x_label(self) -> str:
        return self.x.label(self.language)

    @property
    def wide(self) -> bool:
        """Too many columns to sit beside the chart (a third of the page holds the row labels
        and two columns of figures): the table goes below it, the full width of the page."""
        return len(self.columns) > 2

    @property
    def labels(self) -> list[str]:
        return self.column_labels(self.language)

    def query(self, **extra: str) -> str:
        """The query string that reproduces this view (for the CSV link and the API)."""
        pairs: list[tuple[str, str]] = [
            (code, value) for code, values in self.filters.items() for value in values
        ]
        pairs.append(("x", self.x.code))
        if self.by is not None:
            pairs.append(("by", self.by.code))
        pairs.extend(extra.items())
        return urlencode(pairs)

    def api_url(self) -> str:
        """The open data API's address for the same figures: the filters, and the view's
        dimensions kept (the others totalled, as on the page)."""
        pairs: list[tuple[str, str]] = [
            (code, value) for code, values in self.filters.items() for value in values
        ]
        kept = [self.x.code, *([self.by.code] if self.by is not None else [])]
        pairs.append(("keep", ",".join(kept)))
        path = reverse("api:observations", kwargs={"slug": self.dataset.slug})
        return f"{path}?{urlencode(pairs)}"

    def column_labels(self, language: str) -> list[str]:
        if self.by is None:
            return [self.dataset.unit_in(language) or _("Value")]
        return [c.label(language) for c in self.columns]

    def csv(self, language: str) -> tuple[list[str], list[list[Any]]]:
        header = [self.x.label(language), *self.column_labels(language)]
        body = [
            [row.category.label(language)]
            + [_csv_value(v, s) for v, s in zip(row.values, row.symbols, strict=True)]
            for row in self.rows
        ]
        return header, body

    def chart_rows(self, language: str) -> list[dict[str, Any]]:
        labels = self.column_labels(language)
        out: list[dict[str, Any]] = []
        for row in self.rows:
            for label, value in zip(labels, row.values, strict=True):
                item: dict[str, Any] = {"x": row.category.label(language), "value": value}
                if self.by is not None:
                    item["series"] = label
                out.append(item)
        return out


def _csv_value(value: float | None, symbol: str | None) -> str:
    if value is None:
        return symbol or ".."
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def default_x(dimensions: Sequence[Dimension]) -> Dimension:
    for dim in dimensions:
        if dim.role == TIME:
            return dim
    return dimensions[0]


def default_by(dimensions: Sequence[Dimension], x: Dimension) -> Dimension | None:
    for dim in dimensions:
        if dim.code != x.code and len(dim.categories) <= MAX_SERIES:
            return dim
    return None


def _dimension(dimensions: Sequence[Dimension], code: str, field: str) -> Dimension:
    for dim in dimensions:
        if dim.code == code:
            return dim
    raise ValidationError({field: [_("Unknown dimension “%(code)s”.") % {"code": code}]})


def build_table(*, actor: Actor, dataset: Dataset, params: Mapping[str, Sequence[str]]) -> TableView:
    """``params`` maps a dimension code to the category codes to include, plus ``x`` and ``by``
    (dimension codes; ``by`` empty for none). Unknown names raise ValidationError."""
    language = (get_language() or "sv")[:2]
    dimensions = selectors.dataset_dimensions(dataset)
    x_code = (params.get("x") or [""])[0]
    x = _dimension(dimensions, x_code, "x") if x_code else default_x(dimensions)
    by_values = params.get("by")
    if by_values is None:
        by = default_by(dimensions, x)
    elif by_values[0]:
        by = _dimension(dimensions, by_values[0], "by")
        if by.code == x.code:
            raise ValidationError(
                {"by": [_("Choose a different dimension for the columns than for the rows.")]}
            )
    else:
        by = None
    known = {d.code for d in dimensions}
    reserved = {"x", "by", "format", "lang"}  # lang: the page's language (core.middleware)
    for name in params:
        if name not in known and name not in reserved:
            raise ValidationError({name: [_("Unknown dimension “%(code)s”.") % {"code": name}]})
    filters = {code: list(params[code]) for code in known if params.get(code)}
    keep = [x.code] + ([by.code] if by is not None else [])
    measure, fixed = selectors.view_choices(dataset, keep, filters)
    # Figures that may not be added up: one category of each dimension not shown (the first
    # chosen, else the default), put in the filters so that the form, the CSV and the API
    # link all say which.
    filters.update({code: [category] for code, category in fixed.items()})
    table = selectors.table_for(actor=actor, dataset=dataset, filters=filters, keep=keep)
    cube = table.cube
    x_dim = cube.dimensions[0]
    by_dim = cube.dimensions[1] if by is not None else None
    values = cube.values if by is not None else cube.values.reshape(-1, 1)
    width = values.shape[1]
    rows = []
    for i, category in enumerate(x_dim.categories):
        cells = values[i].tolist()
        rows.append(
            TableRow(
                category=category,
                label=category.label(language),
                values=tuple(None if np.isnan(v) else float(v) for v in cells),
                symbols=tuple(cube.status.get(i * width + j) for j in range(width)),
            )
        )
    return TableView(
        dataset=dataset,
        version=table.version,
        dimensions=dimensions,
        x=x_dim,
        by=by_dim,
        filters=filters,
        columns=by_dim.categories if by_dim is not None else (),
        rows=tuple(rows),
        suppressed=table.suppressed_count,
        language=language,
        measure=measure,
        fixed=tuple(
            (dim, dim.categories[dim.position(fixed[dim.code])]) for dim in dimensions if dim.code in fixed
        ),
    )
