"""JSON-stat 2.0 datasets (the default output of PxWebApi 2, e.g. SCB's
``/api/v2/tables/{id}/data?outputFormat=json-stat2``) read into a Cube.

What is read
    ``version`` ("2.0"), ``class`` ("dataset"), ``id``, ``size``, ``dimension.{id}.label``,
    ``dimension.{id}.category.index`` (object or array; may be absent for a single category)
    and ``.label``, ``.category.unit.{code}.base`` of the metric dimension (the unit),
    ``dimension.{id}.extension.eliminationValueCode`` (PxWebApi: the total category),
    ``role.time/geo/metric`` (roles "time", "geo", "contents"), ``value`` (array, or an object
    of index -> value for a sparse dataset), ``status`` (array, object or one string for all),
    ``label``, ``source``, ``updated``, ``note``, and ``extension.px.tableid``/``matrix`` and
    ``language``.

Decisions
    * Values are in C order over ``id`` (the last dimension varies fastest), as JSON-stat says.
    * A ``null`` value is missing; its status symbol is kept (".." when there is none). A
      ``null`` with status "-" is PxWebApi's "nothing" (DATASYMBOLNIL): a true 0.0 with no
      status, as in PC-Axis. A status on a present value (a data note) is not kept.
    * Labels are kept in the language of the dataset (the caller's, else
      ``extension.px.language``): label_sv, label_en or label_ar for those, ``labels`` for any
      other (a Finnish answer is kept as Finnish, never as English); a dataset that names no
      language fills label_en. ``merge_languages`` joins a Swedish and an English
      response into one bilingual cube.
    * JSON-stat 1.x (json-stat.org, before 2.0: no ``version``; ``id``, ``size`` and ``role``
      inside ``dimension``) is read as the same table: a dataset by itself ("class":
      "dataset" or none), or a bundle (``{"name": {dataset}}``; PxWeb API v1 answers
      ``{"dataset": {...}}``) that holds exactly one dataset (warning ``jsonstat_bundle``).
      A bundle of several is refused naming them: one import reads one dataset.
    * A PxWeb metadata answer (API v1 ``{"title", "variables": [...]}``, PxWebApi 2's
      ``/metadata``, in json-stat2 a dataset with ``"value": []``) is refused saying it is
      metadata and how to request the data.
    * Refused: invalid JSON (with line and column), anything but a dataset, an ``id``
      missing from ``dimension`` ("unknown dimension"), a size that does not match the
      categories, a category index that is not a permutation of 0..n-1, a value count that is
      not the product of the sizes, and a value that is not a number or null (named by its
      index and category codes).

Why not pyjstat (2.4.0 in .venv): it turns a dataset into a pandas DataFrame (one row per
cell, labels or ids as strings), drops ``status``, ``role`` and the PxWeb extensions, and pulls
in pandas and requests. JSON-stat 2.0 is plain JSON, so the standard library reads it straight
into the cube's arrays. pyjstat stays a test oracle only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from samverkan.statistics.cube import CONTENTS, GEO, TIME, Cube, Dimension, TableMeta, language_code
from samverkan.statistics.importers._common import (
    DEFAULT_LIMITS,
    DEFAULT_MISSING,
    MAX_JSON_BYTES,
    NIL_SYMBOL,
    UTF8_BOM,
    ImportLimits,
    ParseWarning,
    category,
    cell_codes,
    check_absent,
    check_size,
    decode,
    dimension,
    label_slot,
    merge_languages,
    title_fields,
)
from samverkan.statistics.importers.errors import ImportRefused

__all__ = ["merge_languages", "metadata_refusal", "parse_jsonstat", "read_jsonstat"]

_ROLES = {"time": TIME, "geo": GEO, "metric": CONTENTS}


def _reject_constant(name: str) -> float:
    raise ImportRefused(f"The JSON holds {name}, which is not a JSON number.")


def _load(data: bytes | str, max_bytes: int = MAX_JSON_BYTES) -> Any:
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8"))
    if size > max_bytes:
        raise ImportRefused(
            f"The JSON file is {size / 1_048_576:.1f} MB; JSON is read whole into memory, so at most "
            f"{max_bytes / 1_048_576:.0f} MB is accepted. Ask for a narrower selection, or for "
            "PC-Axis or CSV, which are read as they stream."
        )
    if isinstance(data, bytes):
        body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
        text = decode(body, "utf-8", label="UTF-8", hint="JSON must be UTF-8.")
    else:
        text = data
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise ImportRefused(
            f"The file is not valid JSON: {error.msg}.", line=error.lineno, cell=f"column {error.colno}"
        ) from None
    except RecursionError:
        raise ImportRefused("The JSON is nested too deeply to be a JSON-stat dataset.") from None


def _categories(code: str, spec: Any, size: int) -> tuple[list[str], Mapping[str, Any]]:
    if not isinstance(spec, Mapping) or not isinstance(spec.get("category"), Mapping):
        raise ImportRefused(f"dimension.{code} has no “category” object.")
    cat = spec["category"]
    labels = cat.get("label") or {}
    if not isinstance(labels, Mapping):
        raise ImportRefused(f"dimension.{code}.category.label is not an object.")
    index = cat.get("index")
    if index is None:
        if len(labels) != 1:
            raise ImportRefused(
                f"dimension.{code}.category has no index and {len(labels)} labels (one is allowed)."
            )
        codes = [str(next(iter(labels)))]
    elif isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, Mapping):
        positions = list(index.values())
        if not all(isinstance(p, int) and not isinstance(p, bool) for p in positions) or sorted(
            positions
        ) != list(range(len(positions))):
            shown = ", ".join(f"{k}: {v}" for k, v in list(index.items())[:6])
            raise ImportRefused(
                f"dimension.{code}.category.index is not a permutation of 0..{len(positions) - 1} ({shown}"
                f"{', …' if len(index) > 6 else ''})."
            )
        codes = [""] * len(positions)
        for key, position in index.items():
            codes[position] = str(key)
    else:
        raise ImportRefused(f"dimension.{code}.category.index is neither an object nor an array.")
    seen: set[str] = set()
    for category_code in codes:
        if category_code in seen:
            raise ImportRefused(f"dimension.{code} lists the category “{category_code}” twice.")
        seen.add(category_code)
    if len(codes) != size:
        raise ImportRefused(
            f"size gives {size} categories for {code} but its category index has {len(codes)}."
        )
    return codes, labels


def _status_lookup(status: Any, total: int) -> tuple[str, Mapping[int, str]]:
    """The symbol for every cell (one string for all, or "") and the symbols per cell index.
    One symbol for all cells is kept as one string, not one entry per cell."""
    if status is None:
        return "", {}
    if isinstance(status, str):
        return status, {}
    if isinstance(status, list):
        if len(status) == 1 and total != 1:
            return (str(status[0]) if status[0] not in (None, "") else ""), {}
        if len(status) != total:
            raise ImportRefused(f"status has {len(status)} entries for {total} cells.")
        return "", {i: str(s) for i, s in enumerate(status) if s not in (None, "")}
    if isinstance(status, Mapping):
        lookup: dict[int, str] = {}
        for key, symbol in status.items():
            try:
                index = int(key)
            except ValueError:
                raise ImportRefused(f"status has the key “{key}”, which is not a cell index.") from None
            if not 0 <= index < total:
                raise ImportRefused(f"status refers to cell {index}, outside the table of {total} cells.")
            if symbol not in (None, ""):
                lookup[index] = str(symbol)
        return "", lookup
    raise ImportRefused("status is neither an array, an object nor a string.")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _values(
    raw: Any,
    total: int,
    dimensions: tuple[Dimension, ...],
    status_in: tuple[str, Mapping[int, str]],
    limits: ImportLimits,
) -> tuple[np.ndarray, dict[int, str]]:
    if isinstance(raw, list):
        if len(raw) != total:
            sizes = " × ".join(str(len(d.categories)) for d in dimensions)
            raise ImportRefused(f"value has {len(raw)} entries but size ({sizes}) makes {total} cells.")
        items: Any = enumerate(raw)
    elif isinstance(raw, Mapping):
        pairs = []
        for key, value in raw.items():
            try:
                index = int(key)
            except ValueError:
                raise ImportRefused(f"value has the key “{key}”, which is not a cell index.") from None
            if not 0 <= index < total:
                raise ImportRefused(f"value refers to cell {index}, outside the table of {total} cells.")
            pairs.append((index, value))
        # A sparse dataset: every index it leaves out becomes a missing cell. Refused here,
        # before any array or status entry is made, when it leaves out too many.
        check_absent(
            total, len(pairs), [len(d.categories) for d in dimensions], [d.code for d in dimensions], limits
        )
        items = pairs
    else:
        raise ImportRefused("The dataset has no “value” array or object.")
    values = np.full(total, np.nan, dtype=np.float64)
    present = np.zeros(total, dtype=bool)
    for index, value in items:
        if value is None:
            continue
        number = _number(value)
        if number is None:
            raise ImportRefused(
                f"The value {json.dumps(value, ensure_ascii=False)[:40]} is not a number or null.",
                cell=f"value index {index} ({cell_codes(dimensions, index)})",
            )
        values[index] = number
        present[index] = True
    status: dict[int, str] = {}
    every, symbols = status_in
    for index in np.flatnonzero(~present).tolist():
        symbol = symbols.get(index, every or DEFAULT_MISSING)
        if symbol == NIL_SYMBOL:
            values[index] = 0.0
        else:
            status[index] = symbol
    return values, status


def metadata_refusal(table_id: str = "") -> ImportRefused:
    """The refusal for a PxWeb answer that describes a table instead of holding its data."""
    table = f"tables/{table_id}" if table_id else "tables/{id}"
    return ImportRefused(
        "This is the table's metadata, not its data: request the data with a POST of the query to "
        'the same address with "response": {"format": "json-stat2"} (PxWeb API v1, .../api/v1/...), '
        f"or with GET .../api/v2/{table}/data?outputFormat=json-stat2 (PxWebApi 2), and import "
        "that answer."
    )


def _is_dataset_1x(node: Any) -> bool:
    """A JSON-stat 1.x dataset: ``dimension`` holds ``id`` and ``size`` (and ``role``)."""
    return (
        isinstance(node, Mapping)
        and isinstance(node.get("dimension"), Mapping)
        and "id" in node["dimension"]
        and "size" in node["dimension"]
    )


def _as_version_2(dataset: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-stat 1.x dataset in the shape of 2.0: ``id``, ``size`` and ``role`` move up from
    ``dimension``, which keeps only the dimensions (json-stat.org, format 1.x)."""
    dims = dataset["dimension"]
    return {
        **dataset,
        "id": dims["id"],
        "size": dims["size"],
        "role": dims.get("role") or {},
        "dimension": {k: v for k, v in dims.items() if k not in ("id", "size", "role")},
    }


def _dataset(document: Any, warnings: list[ParseWarning]) -> Mapping[str, Any]:
    """The one dataset of ``document`` in 2.0 shape: a 2.0 dataset as it is; a 1.x dataset (no
    ``version``; ``id``/``size`` inside ``dimension``); the one dataset of a 1.x bundle
    (``{"name": {dataset}}``, PxWeb API v1's ``{"dataset": {...}}``). A PxWeb metadata answer,
    a bundle of several datasets and anything else are refused saying what they are."""
    if not isinstance(document, Mapping):
        raise ImportRefused("The JSON is not an object, so it is not a JSON-stat dataset.")
    if isinstance(document.get("variables"), list):
        raise metadata_refusal(str(document.get("id") or ""))
    version = document.get("version")
    if document.get("class") == "dataset":
        if version is None and _is_dataset_1x(document):
            return _as_version_2(document)
        if str(version or "") != "2.0":
            raise ImportRefused(
                f"Only JSON-stat versions 1.x and 2.0 are read; this says {json.dumps(version)}."
            )
        return document
    if _is_dataset_1x(document) and version is None:
        return _as_version_2(document)
    if version is None and document.get("class") in (None, "bundle"):
        datasets = {str(k): v for k, v in document.items() if _is_dataset_1x(v)}
        if len(datasets) == 1:
            name, dataset = next(iter(datasets.items()))
            warnings.append(ParseWarning("jsonstat_bundle", {"dataset": name}))
            return _as_version_2(dataset)
        if len(datasets) > 1:
            raise ImportRefused(
                f"The JSON-stat 1.x bundle holds {len(datasets)} datasets ({', '.join(datasets)}); one "
                "import reads one dataset and cannot pick one of them: save each as a file of its own."
            )
    found = document.get("class")
    raise ImportRefused(
        f"The JSON is not a JSON-stat dataset (class is {json.dumps(found)}); "
        "ask PxWeb for outputFormat=json-stat2."
    )


def parse_jsonstat(
    data: bytes | str, *, language: str | None = None, limits: ImportLimits = DEFAULT_LIMITS
) -> Cube:
    """Read a JSON-stat dataset (2.0, or 1.x: a dataset or a bundle of one) into a Cube, or
    refuse it saying what is wrong. ``size`` is checked against ``limits`` before anything is
    built from it. :func:`read_jsonstat` also gives the warnings."""
    return read_jsonstat(data, language=language, limits=limits)[0]


def read_jsonstat(
    data: bytes | str, *, language: str | None = None, limits: ImportLimits = DEFAULT_LIMITS
) -> tuple[Cube, list[ParseWarning]]:
    """:func:`parse_jsonstat` with its warnings (the name of a 1.x bundle's one dataset)."""
    warnings: list[ParseWarning] = []
    document = _dataset(_load(data, limits.max_json_bytes), warnings)
    ids = document.get("id")
    sizes = document.get("size")
    specs = document.get("dimension")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ImportRefused("The dataset's “id” is not a list of dimension names.")
    if len(set(ids)) != len(ids):
        raise ImportRefused("The dataset's “id” lists a dimension twice.")
    if not isinstance(sizes, list) or len(sizes) != len(ids):
        raise ImportRefused(
            f"The dataset's “size” does not give one size for each of the {len(ids)} dimensions."
        )
    if not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ImportRefused("The dataset's “size” holds something other than positive whole numbers.")
    total_cells = check_size(sizes, ids, limits)
    if not isinstance(specs, Mapping):
        raise ImportRefused("The dataset has no “dimension” object.")
    for code in ids:
        if code not in specs:
            raise ImportRefused(f"“id” lists the unknown dimension “{code}”: it is not in “dimension”.")
    roles: dict[str, str] = {}
    raw_roles = document.get("role") or {}
    if not isinstance(raw_roles, Mapping):
        raise ImportRefused("The dataset's “role” is not an object.")
    for role, names in raw_roles.items():
        if role not in _ROLES or not isinstance(names, list):
            continue
        for name in names:
            if name not in ids:
                raise ImportRefused(f"role.{role} names an unknown dimension “{name}”: it is not in “id”.")
            roles.setdefault(name, _ROLES[role])
    extension = document.get("extension")
    extension = extension if isinstance(extension, Mapping) else {}
    px = extension.get("px")
    px = px if isinstance(px, Mapping) else {}
    slot = label_slot(language or px.get("language"))
    dimensions = []
    units: set[str] = set()
    content_units: list[tuple[str, str]] = []
    for code, size in zip(ids, sizes, strict=True):
        spec = specs[code]
        codes, labels = _categories(code, spec, size)
        dim_extension = spec.get("extension") if isinstance(spec.get("extension"), Mapping) else {}
        total = str(dim_extension.get("eliminationValueCode") or "")
        if roles.get(code) == CONTENTS:
            unit = spec["category"].get("unit")
            if isinstance(unit, Mapping):
                units.update(
                    str(u.get("base")) for u in unit.values() if isinstance(u, Mapping) and u.get("base")
                )
                content_units.extend(
                    (str(c), str(u["base"]))
                    for c, u in unit.items()
                    if c in codes and isinstance(u, Mapping) and u.get("base")
                )
        dimensions.append(
            dimension(
                code,
                str(spec.get("label") or ""),
                slot,
                tuple(category(c, str(labels.get(c, "")), slot) for c in codes),
                role=roles.get(code, ""),
                total=total if total in codes else "",
            )
        )
    dims = tuple(dimensions)
    if document.get("value") == [] and total_cells:
        # PxWebApi 2's /tables/{id}/metadata?outputFormat=json-stat2: a dataset without values.
        raise metadata_refusal(str(px.get("tableid") or px.get("matrix") or ""))
    status_in = _status_lookup(document.get("status"), total_cells)
    values, status = _values(document.get("value"), total_cells, dims, status_in, limits)
    notes = document.get("note")
    title = str(document.get("label") or "")
    meta = TableMeta(
        table_id=str(px.get("tableid") or px.get("matrix") or ""),
        language=language_code(language or px.get("language")),
        **title_fields(title, slot),
        source=str(document.get("source") or ""),
        unit=units.pop() if len(units) == 1 else "",
        updated=str(document.get("updated") or ""),
        notes="\n".join(str(n) for n in notes) if isinstance(notes, list) else str(notes or ""),
        contents=str(px.get("contents") or ""),
        content_units=tuple(content_units),
    )
    return Cube(dims, values.reshape(tuple(sizes)), status, meta), warnings
