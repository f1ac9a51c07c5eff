"""What the panel pages show: the composition of a panel against its target, the distribution of
the selection probabilities, and the public report's releases: the coarse composition with small cells
withheld, protected jointly with the release before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.formats import number_format

from samverkan.panels.models import SelectionRun
from samverkan.statistics.charts import line_chart
from samverkan.statistics.disclosure import (
    DisclosureError,
    Release,
    SuppressionPattern,
    protect,
    protect_release,
)
from samverkan.statistics.disclosure.grouping import rows_by_design


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
        """The range as the reader's language writes numbers ("0,10–0,20" in Swedish)."""
        return f"{number_format(self.low, decimal_pos=2)}–{number_format(self.high, decimal_pos=2)}"


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
    """One row of a feature's table on the public report: a value, or values shown together."""

    value: str
    count: int | None  # None: withheld
    members: tuple[str, ...] = ()  # the values counted together in this row (one: the value itself)
    share: float | None = None  # of the panel, where the count is shown
    target: float | None = None  # the target share of the row's values, where the quotas have one

    @property
    def together(self) -> bool:
        return len(self.members) > 1


@dataclass(frozen=True)
class PublicTable:
    """A feature on the public report: its rows, and whether the report can show anything of it."""

    feature: str
    cells: tuple[PublicCell, ...]

    @property
    def shown(self) -> bool:
        """Whether a count says something: at least two rows, and some count not withheld. A
        feature whose values were all shown together is one row, the panel size: nothing new."""
        return len(self.cells) > 1 and any(cell.count is not None for cell in self.cells)

    @property
    def has_target(self) -> bool:
        return any(cell.target is not None for cell in self.cells)

    @property
    def has_together(self) -> bool:
        return any(cell.together for cell in self.cells)


def _group_counts(
    groups: Sequence[Sequence[str]], feature: str, people: Iterable[Mapping[str, str]]
) -> np.ndarray:
    counted = Counter(person[feature] for person in people)
    return np.array([sum(counted[v] for v in group) for group in groups], dtype=np.int64)


def _pattern(table: Mapping[str, Any], threshold: int, protection: int) -> SuppressionPattern:
    withheld = np.array(table["withheld"], dtype=bool)
    return SuppressionPattern(
        shape=(len(table["values"]),),
        extended=withheld,
        primary_extended=np.array(table["primary"], dtype=bool),
        threshold=threshold,
        protection=protection,
    )


def _groups_of(table: Mapping[str, Any]) -> list[list[str]]:
    """The rows of a stored table as lists of values (a release made before groups: one value each)."""
    return [list(g) for g in table.get("groups") or [[v] for v in table["values"]]]


def quota_groups(quotas: Sequence[Sequence[Any]], size: int, threshold: int) -> dict[str, list[list[str]]]:
    """Per feature (in quota order), the rows of its table on the report: one per value, except that
    the values the quotas expect to have fewer than ``threshold`` members are counted together in one
    row (last) when there are two or more of them: such a value's own count would always be under
    the threshold or zero, withheld or telling, while together they may be shown.

    A value's expected members are its target share of ``size`` where the quotas have one, else the
    middle of its quota. The rows depend only on the quotas and the panel size, never on who was
    drawn, so the choice itself gives nothing away; and they stay the same for every release of a
    run (``release_tables`` takes them from the release before)."""
    out: dict[str, list[list[str]]] = {}
    for feature in dict.fromkeys(row[0] for row in quotas):
        rows = [row for row in quotas if row[0] == feature]
        expected = [
            float(row[4]) * size if len(row) > 4 and row[4] is not None else (int(row[2]) + int(row[3])) / 2
            for row in rows
        ]
        out[feature] = [[str(rows[i][1]) for i in group] for group in rows_by_design(expected, threshold)]
    return out


def _values(quotas: Sequence[Sequence[Any]], feature: str) -> list[str]:
    return [str(row[1]) for row in quotas if row[0] == feature]


def _targets(
    quotas: Sequence[Sequence[Any]], feature: str, groups: Sequence[Sequence[str]]
) -> list[float | None]:
    share = {str(row[1]): row[4] for row in quotas if row[0] == feature and len(row) > 4}
    out: list[float | None] = []
    for group in groups:
        parts = [share.get(v) for v in group]
        out.append(None if any(p is None for p in parts) else float(sum(p for p in parts if p is not None)))
    return out


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
    panel_size: int | None = None,
) -> list[dict[str, Any]]:
    """The tables of a new report release: per feature (in quota order) the panel's count per row
    (a value, or the values counted together: ``quota_groups`` for a panel of ``panel_size``, by
    default the members counted now; the release before decides them when there is one) and the
    suppression pattern of that one-way table with its total, and the rows' target shares.

    The total is the panel size, which the report prints, so it is passed to the disclosure rule as
    known. ``previous`` is the release the audience saw before (``{"threshold", "protection",
    "tables"}`` as stored), ``left`` and ``joined`` the features of the members counted there and not
    now, and now and not there; the new pattern is then safe jointly with the previous one
    (``disclosure.protect_release``), which may withhold zeros too ("Europe 0" after the only
    European left). Raises :class:`ReportNotSafe` when the rule refuses the release or withholds the
    size (a panel too small to report on). Pure: no database."""
    tables: list[dict[str, Any]] = []
    earlier = {t["feature"]: t for t in previous["tables"]} if previous is not None else {}
    designed = quota_groups(quotas, len(active) if panel_size is None else panel_size, threshold)
    for feature, fresh in designed.items():
        before = earlier.get(feature)
        groups = _groups_of(before) if before is not None else fresh
        if sorted(v for g in groups for v in g) != sorted(_values(quotas, feature)):
            raise ValueError(f"feature {feature!r} has other values than in the previous release")
        counts = _group_counts(groups, feature, active)
        known = np.zeros(len(groups) + 1, dtype=bool)
        known[len(groups)] = True  # the grand total: the panel size on the report
        try:
            if previous is None or before is None:
                pattern = protect(counts, threshold, known=known)
            else:
                pattern = protect_release(
                    counts,
                    threshold,
                    previous=Release(
                        np.array(before["counts"], dtype=np.int64),
                        _pattern(before, int(previous["threshold"]), int(previous["protection"])),
                    ),
                    left=_group_counts(groups, feature, left),
                    joined=_group_counts(groups, feature, joined),
                    known=known,
                )
        except DisclosureError as exc:
            raise ReportNotSafe(str(exc)) from exc
        if pattern.extended[len(groups)]:
            raise ReportNotSafe(f"the rule withholds the panel size for feature {feature!r}")
        tables.append(
            {
                "feature": feature,
                "values": [group[0] if len(group) == 1 else ", ".join(group) for group in groups],
                "groups": groups,
                "targets": _targets(quotas, feature, groups),
                "counts": [int(c) for c in counts],
                "withheld": [bool(b) for b in pattern.extended],
                "primary": [bool(b) for b in pattern.primary_extended],
            }
        )
    return tables


def public_composition(tables: Sequence[Mapping[str, Any]]) -> dict[str, list[PublicCell]]:
    """What the public report shows of a release's tables: per feature, the count per row, None
    where withheld (the count itself never leaves this function then), its share of the panel where
    shown, and the row's target share where the quotas have one."""
    out: dict[str, list[PublicCell]] = {}
    for t in tables:
        size = sum(int(c) for c in t["counts"])
        groups = _groups_of(t)
        targets = t.get("targets") or [None] * len(groups)
        out[t["feature"]] = [
            PublicCell(
                value,
                None if withheld else int(count),
                tuple(group),
                None if withheld or not size else int(count) / size,
                target,
            )
            for value, count, withheld, group, target in zip(
                t["values"], t["counts"], t["withheld"][: len(t["values"])], groups, targets, strict=True
            )
        ]
    return out


def public_report(tables: Sequence[Mapping[str, Any]]) -> list[PublicTable]:
    """The public report's features in quota order (see :func:`public_composition`)."""
    return [PublicTable(feature, tuple(cells)) for feature, cells in public_composition(tables).items()]
