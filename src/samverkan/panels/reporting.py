"""What the panel pages show: the composition of a panel against its target, the distribution of
the selection probabilities, and the public report's coarse composition with small cells withheld."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from samverkan.panels.models import SelectionRun
from samverkan.statistics.charts import line_chart
from samverkan.statistics.disclosure import protect


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


def public_composition(
    run: SelectionRun, active: list[dict[str, str]], threshold: int
) -> dict[str, list[PublicCell]]:
    """Per feature, the panel's count per value with cells under ``threshold`` withheld, and enough
    others withheld (disclosure.protect on the one-way table with its total) that none can be
    worked out from the published panel size."""
    out: dict[str, list[PublicCell]] = {}
    for feature in dict.fromkeys(row[0] for row in run.quotas):
        values = [row[1] for row in run.quotas if row[0] == feature]
        counts = Counter(member[feature] for member in active)
        table = np.array([counts[v] for v in values], dtype=np.int64)
        hidden = protect(table, threshold).interior
        out[feature] = [PublicCell(v, None if hidden[i] else int(table[i])) for i, v in enumerate(values)]
    return out
