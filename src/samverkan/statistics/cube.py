"""A statistical table as a dense cube: named dimensions with coded categories, and one value per
combination of categories (the PC-Axis / JSON-stat model). Pure: NumPy, no Django.

Values are float64 in C order over the dimensions as listed; a missing value is NaN, and the
symbol the source used for it ("..", ".", "...", ":") is kept in ``status`` under the cell's flat
index. A true zero (PC-Axis "-") is 0.0 with no status.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

# Roles a dimension can play; "" is an ordinary classifying dimension (sex, ground, ...).
TIME = "time"
GEO = "geo"
CONTENTS = "contents"
ROLES = ("", TIME, GEO, CONTENTS)


class CubeError(ValueError):
    """The parts given do not make a consistent cube."""


def in_language(language: str, sv: str, en: str, ar: str = "") -> str:
    """The text in ``language``, else the nearest one given: Swedish pages fall back to English,
    English and Arabic pages to English and then Swedish. Empty when none is given."""
    if language.startswith("sv"):
        return sv or en or ar
    if language.startswith("ar"):
        return ar or en or sv
    return en or sv or ar


@dataclass(frozen=True)
class Category:
    code: str
    label_sv: str = ""
    label_en: str = ""
    label_ar: str = ""

    def label(self, language: str = "sv") -> str:
        return in_language(language, self.label_sv, self.label_en, self.label_ar) or self.code


@dataclass(frozen=True)
class Dimension:
    code: str
    label_sv: str = ""
    label_en: str = ""
    categories: tuple[Category, ...] = ()
    role: str = ""
    # The category that already holds the total over this dimension (PC-Axis ELIMINATION,
    # e.g. SCB's "1+2" for both sexes); "" when the total must be summed.
    total: str = ""
    label_ar: str = ""

    def label(self, language: str = "sv") -> str:
        return in_language(language, self.label_sv, self.label_en, self.label_ar) or self.code

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)

    def position(self, code: str) -> int:
        for i, category in enumerate(self.categories):
            if category.code == code:
                return i
        raise KeyError(code)


@dataclass(frozen=True)
class TableMeta:
    """What a source says about its table. Empty strings where the source is silent."""

    table_id: str = ""
    title_sv: str = ""
    title_en: str = ""
    source: str = ""
    unit: str = ""
    licence: str = ""
    updated: str = ""
    notes: str = ""
    title_ar: str = ""

    def title(self, language: str = "sv") -> str:
        return in_language(language, self.title_sv, self.title_en, self.title_ar) or self.table_id


@dataclass(frozen=True)
class Cube:
    dimensions: tuple[Dimension, ...]
    values: np.ndarray
    status: Mapping[int, str] = field(default_factory=dict)
    meta: TableMeta = field(default_factory=TableMeta)

    def __post_init__(self) -> None:
        if not self.dimensions:
            raise CubeError("A table needs at least one dimension.")
        codes = [d.code for d in self.dimensions]
        if len(set(codes)) != len(codes):
            raise CubeError(f"Dimension codes repeat: {codes}.")
        for dim in self.dimensions:
            if not dim.categories:
                raise CubeError(f"Dimension “{dim.code}” has no categories.")
            if len(set(dim.codes)) != len(dim.codes):
                raise CubeError(f"Dimension “{dim.code}” lists a category code twice.")
            if dim.role not in ROLES:
                raise CubeError(f"Dimension “{dim.code}” has an unknown role “{dim.role}”.")
            if dim.total and dim.total not in dim.codes:
                raise CubeError(
                    f"Dimension “{dim.code}” names a total category “{dim.total}” it does not have."
                )
        shape = tuple(len(d.categories) for d in self.dimensions)
        values = np.asarray(self.values, dtype=np.float64)
        if values.shape != shape:
            if values.size != int(np.prod(shape)):
                raise CubeError(f"{values.size} values for a table of {int(np.prod(shape))} cells.")
            values = values.reshape(shape)
        object.__setattr__(self, "values", values)
        for index in self.status:
            if not 0 <= index < values.size:
                raise CubeError(f"A status refers to cell {index}, outside the table.")

    # --- shape ----------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(d.categories) for d in self.dimensions)

    @property
    def size(self) -> int:
        return int(self.values.size)

    def dimension(self, code: str) -> Dimension:
        for dim in self.dimensions:
            if dim.code == code:
                return dim
        raise KeyError(code)

    def axis(self, code: str) -> int:
        for i, dim in enumerate(self.dimensions):
            if dim.code == code:
                return i
        raise KeyError(code)

    # --- identity -------------------------------------------------------------------------
    def content_sha256(self) -> str:
        """A digest of everything the table says: the same table version gives the same digest,
        whatever file format it arrived in."""
        digest = hashlib.sha256()
        header: dict[str, object] = {
            "dimensions": [
                [
                    d.code,
                    d.label_sv,
                    d.label_en,
                    d.role,
                    d.total,
                    [[c.code, c.label_sv, c.label_en] for c in d.categories],
                ]
                for d in self.dimensions
            ],
            "status": sorted((int(k), v) for k, v in self.status.items()),
            "meta": [
                self.meta.table_id,
                self.meta.title_sv,
                self.meta.title_en,
                self.meta.source,
                self.meta.unit,
                self.meta.licence,
                self.meta.updated,
                self.meta.notes,
            ],
        }
        arabic = self._arabic_labels()
        if arabic:
            # Only when there are any: a table without Arabic keeps the digest it always had.
            header["ar"] = arabic
        digest.update(json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode())
        values = np.ascontiguousarray(self.values, dtype="<f8").copy()
        values[np.isnan(values)] = np.nan  # one NaN bit pattern
        digest.update(values.tobytes())
        return digest.hexdigest()

    def _arabic_labels(self) -> list[object]:
        labels = [
            [d.code, d.label_ar, [c.label_ar for c in d.categories]]
            for d in self.dimensions
            if d.label_ar or any(c.label_ar for c in d.categories)
        ]
        return [*labels, self.meta.title_ar] if labels or self.meta.title_ar else []

    # --- slicing and totals ---------------------------------------------------------------
    def select(self, filters: Mapping[str, Sequence[str]]) -> Cube:
        """The cells whose category is listed, per filtered dimension, in the order listed.
        Unknown dimensions or codes raise KeyError naming them."""
        positions: list[list[int]] = []
        dimensions: list[Dimension] = []
        for dim in self.dimensions:
            wanted = filters.get(dim.code)
            if wanted is None:
                positions.append(list(range(len(dim.categories))))
                dimensions.append(dim)
                continue
            idx = [dim.position(code) for code in wanted]
            positions.append(idx)
            total = dim.total if dim.total in wanted else ""
            dimensions.append(replace(dim, categories=tuple(dim.categories[i] for i in idx), total=total))
        unknown = set(filters) - {d.code for d in self.dimensions}
        if unknown:
            raise KeyError(sorted(unknown)[0])
        values = self.values[np.ix_(*positions)]
        status: dict[int, str] = {}
        if self.status:
            flat = np.ravel_multi_index(np.ix_(*positions), self.shape).ravel()
            for new_index, old_index in enumerate(flat.tolist()):
                symbol = self.status.get(old_index)
                if symbol is not None:
                    status[new_index] = symbol
        return Cube(tuple(dimensions), values, status, self.meta)

    def total(self, keep: Sequence[str]) -> Cube:
        """Totals over every dimension not in ``keep`` (kept in the order given). A dimension
        with a total category contributes that category; any other is summed. A sum that
        includes a missing cell is missing: it is not known."""
        if not keep:
            raise CubeError("Keep at least one dimension.")
        axes_keep = [self.axis(code) for code in keep]
        if axes_keep == list(range(len(self.dimensions))):
            return self
        values = self.values
        sum_axes: list[int] = []
        for axis, dim in enumerate(self.dimensions):
            if axis in axes_keep:
                continue
            if dim.total:
                # Keep the axis (length 1) so the later axis numbers stay valid.
                values = np.take(values, [dim.position(dim.total)], axis=axis)
            sum_axes.append(axis)
        summed = values.sum(axis=tuple(sum_axes)) if sum_axes else values
        remaining = [i for i in range(len(self.dimensions)) if i not in sum_axes]
        summed = np.transpose(summed, [remaining.index(a) for a in axes_keep])
        return Cube(tuple(self.dimensions[a] for a in axes_keep), summed, {}, self.meta)

    def without_totals(self) -> Cube:
        """The table with every total category removed (the interior cells only)."""
        filters = {d.code: [c for c in d.codes if c != d.total] for d in self.dimensions if d.total}
        if not filters:
            return self
        trimmed = self.select(filters)
        return Cube(
            tuple(replace(d, total="") for d in trimmed.dimensions), trimmed.values, trimmed.status, self.meta
        )

    # --- rows -----------------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[tuple[str, ...], float | None, str | None]]:
        """(category codes, value or None, status symbol or None) per cell, in C order."""
        codes = [d.codes for d in self.dimensions]
        flat = self.values.ravel()
        for index, combo in enumerate(np.ndindex(*self.shape)):
            value = float(flat[index])
            yield (
                tuple(codes[a][i] for a, i in enumerate(combo)),
                None if np.isnan(value) else value,
                self.status.get(index),
            )
