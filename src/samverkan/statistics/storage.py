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
    "contents",
    "content_units",
)


def _category(c: Category) -> list[Any]:
    # [code, Swedish, English], the Arabic label only where there is one (or other languages
    # follow), and the other languages as [[code, text], ...] only where there are any: a
    # category stored before keeps its shape. Pairs, not an object: PostgreSQL's jsonb does not
    # keep the order of keys, and the order (the source's main language first) matters.
    others = [_plain_pairs(c.labels)] if c.labels else []
    return [c.code, c.label_sv, c.label_en, *([c.label_ar] if c.label_ar or others else []), *others]


def _decode_category(data: list[Any]) -> Category:
    texts = [str(item) for item in data if isinstance(item, str)]
    others = next((item for item in data[1:] if isinstance(item, list)), [])
    code, sv, en, ar = (*texts[:4], "", "", "")[:4]
    return Category(code, sv, en, ar, labels=_pairs(others))


def _plain_pairs(pairs: tuple[tuple[str, str], ...]) -> list[list[str]]:
    return [[code, text] for code, text in pairs]


def _pairs(data: Any) -> tuple[tuple[str, str], ...]:
    # [[code, text], ...] as stored -> ((code, text), ...)
    return tuple((str(k), str(v)) for k, v in data) if isinstance(data, list) else ()


def encode_dimensions(cube: Cube) -> list[dict[str, Any]]:
    return [
        {
            "code": d.code,
            "label_sv": d.label_sv,
            "label_en": d.label_en,
            **({"label_ar": d.label_ar} if d.label_ar else {}),
            **({"labels": _plain_pairs(d.labels)} if d.labels else {}),
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
            categories=tuple(_decode_category(c) for c in d["categories"]),
            labels=_pairs(d.get("labels")),
        )
        for d in data
    )


def version_fields(cube: Cube) -> dict[str, Any]:
    """The DatasetVersion fields that hold the table itself."""
    return {
        "dimensions": encode_dimensions(cube),
        "values": np.ascontiguousarray(cube.values, dtype="<f8").tobytes(),
        "status": {str(k): v for k, v in cube.status.items()},
        "meta": {name: _plain(getattr(cube.meta, name)) for name in META_FIELDS} | _languages(cube.meta),
        "cell_count": cube.size,
        "content_sha256": cube.content_sha256(),
    }


def _plain(value: Any) -> Any:
    # Tuples of pairs (content_units) are stored as JSON lists of lists.
    return [list(pair) for pair in value] if isinstance(value, tuple) else value


def _languages(meta: TableMeta) -> dict[str, Any]:
    # The titles in other languages and the main language, only where the source gave them.
    return {
        **({"titles": _plain_pairs(meta.titles)} if meta.titles else {}),
        **({"language": meta.language} if meta.language else {}),
    }


def decode_meta(data: dict[str, Any]) -> TableMeta:
    fields: dict[str, Any] = {k: v for k, v in data.items() if k in META_FIELDS}
    fields["titles"] = _pairs(data.get("titles"))
    fields["language"] = str(data.get("language") or "")
    if "content_units" in fields:
        fields["content_units"] = tuple((str(a), str(b)) for a, b in fields["content_units"])
    return TableMeta(**fields)


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
    meta = decode_meta(row["meta"])
    return Cube(dimensions, values, {int(k): v for k, v in row["status"].items()}, meta)


def version_cube(version: DatasetVersion) -> Cube:
    return _decode(version.pk, version.content_sha256)


def version_dimensions(version: DatasetVersion) -> tuple[Dimension, ...]:
    return decode_dimensions(version.dimensions)
