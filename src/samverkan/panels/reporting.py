"""What the panel pages show: the composition of a panel against its target, the distribution of
the selection probabilities, and the public report's releases: the coarse composition with small cells
withheld, protected jointly with the release before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from samverkan.panels.models import SelectionRun
from samverkan.statistics.charts import line_chart
from samverkan.statistics.disclosure import (
    DisclosureError,
    Release,
    SuppressionPattern,
    protect,
    protect_release,
)


@dataclass(frozen=True)
class CompositionRow:
    feature: str
    value: str
    target_share: float | None
    min: int
    max: int
    pool: int
    panel: int

    @property
    def within(self) -> bool:
        return self.min <= self.panel <= self.max


def composition(
    run: SelectionRun, active: list[dict[str, str]], pool: list[dict[str, str]]
) -> list[CompositionRow]:
    """One row per quota: target share and bounds, volunteers in the pool, members on the panel."""
    pool_counts = Counter((f, row[f]) for row in pool for f in row)
    panel_counts = Counter((f, row[f]) for row in active for f in row)
    return [
        CompositionRow(f, v, share, int(lo), int(hi), pool_counts[(f, v)], panel_counts[(f, v)])
        for f, v, lo, hi, share in run.quotas
    ]


def composition_chart(
    rows: list[CompositionRow], *, title: str, language: str, target: str, panel: str
) -> dict[str, Any]:
    data: list[dict[str, Any]] = []
    size = sum(r.panel for r in rows if r.feature == rows[0].feature) if rows else 0
    for r in rows:
        label = f"{r.feature}: {r.value}"
        if r.target_share is not None:
            data.append({"x": label, "series": target, "value": round(r.target_share * size, 2)})
        else:
            data.append({"x": label, "series": target, "value": (r.min + r.max) / 2})
        data.append({"x": label, "series": panel, "value": r.panel})
    return line_chart(
        data,
        title=title,
        x_title="",
        y_title="",
        language=language,
        series_title="",
        x_sort=[f"{r.feature}: {r.value}" for r in rows],
        series_sort=[target, panel],
        bars=True,
    )


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int

    @property
    def label(self) -> str:
        return f"{self.low:.2f}–{self.high:.2f}"


def histogram(probabilities: list[float], bins: int = 10) -> list[Bin]:
    """Equal-width bins from 0 to the largest probability (at least 0.01 wide overall)."""
    if not probabilities:
        return []
    top = max(max(probabilities), 0.01)
    edges = np.linspace(0.0, top, bins + 1)
    counts, _ = np.histogram(np.asarray(probabilities), bins=edges)
    return [Bin(float(edges[i]), float(edges[i + 1]), int(c)) for i, c in enumerate(counts)]


def histogram_chart(
    hist: list[Bin], *, title: str, language: str, x_title: str, y_title: str
) -> dict[str, Any]:
    data = [{"x": b.label, "value": b.count} for b in hist]
    return line_chart(
        data,
        title=title,
        x_title=x_title,
        y_title=y_title,
        language=language,
        x_sort=[b.label for b in hist],
        bars=True,
    )


@dataclass(frozen=True)
class PublicCell:
    value: str
    count: int | None  # None: withheld


def _counts(values: Sequence[str], feature: str, people: Iterable[Mapping[str, str]]) -> np.ndarray:
    counted = Counter(person[feature] for person in people)
    return np.array([counted[v] for v in values], dtype=np.int64)


def _pattern(table: Mapping[str, Any], threshold: int, protection: int) -> SuppressionPattern:
    withheld = np.array(table["withheld"], dtype=bool)
    return SuppressionPattern(
        shape=(len(table["values"]),),
        extended=withheld,
        primary_extended=np.array(table["primary"], dtype=bool),
        threshold=threshold,
        protection=protection,
    )


class ReportNotSafe(Exception):
    """The disclosure rule finds no safe way to publish this release: it refuses
    (``DisclosureError``) or withholds the panel size itself, which the report must print."""


def release_tables(
    quotas: Sequence[Sequence[Any]],
    active: Sequence[Mapping[str, str]],
    *,
    threshold: int,
    previous: Mapping[str, Any] | None = None,
    left: Sequence[Mapping[str, str]] = (),
    joined: Sequence[Mapping[str, str]] = (),
) -> list[dict[str, Any]]:
    """The tables of a new report release: per feature (in quota order) the panel's count per value
    and the suppression pattern of that one-way table with its total.

    The total is the panel size, which the report prints, so it is passed to the disclosure rule as
    known. ``previous`` is the release the audience saw before (``{"threshold", "protection",
    "tables"}`` as stored), ``left`` and ``joined`` the features of the members counted there and not
    now, and now and not there; the new pattern is then safe jointly with the previous one
    (``disclosure.protect_release``), which may withhold zeros too ("Europe 0" after the only
    European left). Raises :class:`ReportNotSafe` when the rule refuses the release or withholds the
    size (a panel too small to report on). Pure: no database."""
    tables: list[dict[str, Any]] = []
    earlier = {t["feature"]: t for t in previous["tables"]} if previous is not None else {}
    for feature in dict.fromkeys(row[0] for row in quotas):
        values = [str(row[1]) for row in quotas if row[0] == feature]
        counts = _counts(values, feature, active)
        known = np.zeros(len(values) + 1, dtype=bool)
        known[len(values)] = True  # the grand total: the panel size on the report
        before = earlier.get(feature)
        try:
            if previous is None or before is None:
                pattern = protect(counts, threshold, known=known)
            else:
                if before["values"] != values:
                    raise ValueError(f"feature {feature!r} has other values than in the previous release")
                pattern = protect_release(
                    counts,
                    threshold,
                    previous=Release(
                        np.array(before["counts"], dtype=np.int64),
                        _pattern(before, int(previous["threshold"]), int(previous["protection"])),
                    ),
                    left=_counts(values, feature, left),
                    joined=_counts(values, feature, joined),
                    known=known,
                )
        except DisclosureError as exc:
            raise ReportNotSafe(str(exc)) from exc
        if pattern.extended[len(values)]:
            raise ReportNotSafe(f"the rule withholds the panel size for feature {feature!r}")
        tables.append(
            {
                "feature": feature,
                "values": values,
                "counts": [int(c) for c in counts],
                "withheld": [bool(b) for b in pattern.extended],
                "primary": [bool(b) for b in pattern.primary_extended],
            }
        )
    return tables


def public_composition(tables: Sequence[Mapping[str, Any]]) -> dict[str, list[PublicCell]]:
    """What the public report shows of a release's tables: per feature, the count per value, None
    where withheld (the count itself never leaves this function then)."""
    return {
        t["feature"]: [
            PublicCell(value, None if withheld else int(count))
            for value, count, withheld in zip(
                t["values"], t["counts"], t["withheld"][: len(t["values"])], strict=True
            )
        ]
        for t in tables
    }
