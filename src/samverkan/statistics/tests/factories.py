"""Small tables for tests. The figures are illustrative, not official statistics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from samverkan.core.actor import Actor
from samverkan.statistics.cube import TIME, Category, Cube, Dimension, TableMeta
from samverkan.statistics.services import DatasetFields, ImportOutcome, dataset_version_import


def dim(code: str, codes: Sequence[str], role: str = "", total: str = "") -> Dimension:
    return Dimension(
        code,
        code.capitalize(),
        code.capitalize(),
        tuple(Category(c, f"{c} (sv)", f"{c} (en)") for c in codes),
        role=role,
        total=total,
    )


def cube(
    values: Sequence[Sequence[float]] | np.ndarray,
    years: Sequence[str] = ("2022", "2023"),
    sexes: Sequence[str] = ("1", "2"),
    **meta: str,
) -> Cube:
    array = np.asarray(values, dtype=float)
    status = {int(i): ".." for i in np.flatnonzero(np.isnan(array))}
    return Cube(
        (dim("year", years, role=TIME), dim("sex", sexes)),
        array,
        status,
        TableMeta(title_sv="Testtabell (fiktiv)", source="Fiktiv källa", **meta),
    )


def store(
    table: Cube,
    *,
    slug: str = "test-table",
    actor: Actor | None = None,
    owner_id: int | None = None,
    person_level: bool = False,
    is_public: bool = True,
    threshold: int | None = None,
) -> ImportOutcome:
    return dataset_version_import(
        actor=actor or Actor.system(),
        cube=table,
        format="csv",
        filename="test.csv",
        dataset_slug=slug,
        fields=DatasetFields(
            title_sv=table.meta.title_sv or "Fiktiv testtabell",
            source_organisation=table.meta.source or "Fiktiv källa",
            owner_id=owner_id,
            person_level=person_level,
            is_public=is_public,
            disclosure_threshold=threshold,
        ),
    )
