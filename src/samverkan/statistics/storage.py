"""Between a stored DatasetVersion and the pure Cube: encode on import, decode (cached) on read."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from samverkan.statistics.cube import Category, Cube, Dimension, TableMeta
from samverkan.statistics.models import DatasetVersion

META_FIELDS = (
    "table_id",
    "title_sv",
    "title_en",
    "title_ar",
    "source",
    "unit",
    "licence",
    "updated",
    "notes",
)


def _category(c: Category) -> list[str]:
    # [code, Swedish, English], and the Arabic label only where there is one.
    return [c.code, c.label_sv, c.label_en, *([c.label_ar] if c.label_ar else [])]


def encode_dimensions(cube: Cube) -> list[dict[str, Any]]:
    return [
        {
            "code": d.code,
            "label_sv": d.label_sv,
            "label_en": d.label_en,
            **({"label_ar": d.label_ar} if d.label_ar else {}),
            "role": d.role,
            "total": d.total,
            "categories": [_category(c) for c in d.categories],
        }
        for d in cube.dimensions
    ]


def decode_dimensions(data: list[dict[str, Any]]) -> tuple[Dimension, ...]:
    return tuple(
        Dimension(
            code=d["code"],
            label_sv=d.get("label_sv", ""),
            label_en=d.get("label_en", ""),
            label_ar=d.get("label_ar", ""),
            role=d.get("role", ""),
            total=d.get("total", ""),
            categories=tuple(Category(*c[:4]) for c in d["categories"]),
        )
        for d in data
    )


def version_fields(cube: Cube) -> dict[str, Any]:
    """The DatasetVersion fields that hold the table itself."""
    return {
        "dimensions": encode_dimensions(cube),
        "values": np.ascontiguousarray(cube.values, dtype="<f8").tobytes(),
        "status": {str(k): v for k, v in cube.status.items()},
        "meta": {name: getattr(cube.meta, name) for name in META_FIELDS},
        "cell_count": cube.size,
        "content_sha256": cube.content_sha256(),
    }


@functools.lru_cache(maxsize=32)
def _decode(version_id: int, sha256: str) -> Cube:
    # Keyed by content digest as well as id: a version never changes, and an id reused after a
    # rollback (tests) cannot serve another table's cells.
    row = DatasetVersion.objects.values("dimensions", "values", "status", "meta").get(pk=version_id)
    dimensions = decode_dimensions(row["dimensions"])
    values = np.frombuffer(bytes(row["values"]), dtype="<f8").reshape(
        tuple(len(d.categories) for d in dimensions)
    )
    values.flags.writeable = False
    meta = TableMeta(**{k: v for k, v in row["meta"].items() if k in META_FIELDS})
    return Cube(dimensions, values, {int(k): v for k, v in row["status"].items()}, meta)


def version_cube(version: DatasetVersion) -> Cube:
    return _decode(version.pk, version.content_sha256)


def version_dimensions(version: DatasetVersion) -> tuple[Dimension, ...]:
    return decode_dimensions(version.dimensions)
