"""What the readers share: cell symbols, strict numbers, decoding with a line number, cell
references, building a cube from coded rows, and merging two language versions of one table."""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from samverkan.statistics.cube import OWN_LANGUAGES, Category, Cube, Dimension, language_code, split_languages
from samverkan.statistics.importers.errors import ImportRefused

# Symbols for a value that is not there (PC-Axis one to six dots; ":" confidential, as in
# Eurostat and JSON-stat producers). The symbol is kept in the cube's status.
MISSING_SYMBOLS = frozenset({".", "..", "...", "....", ".....", "......", ":"})
# The symbol for "nothing": a true zero (PC-Axis DATASYMBOLNIL). Read as 0.0 with no status.
NIL_SYMBOL = "-"
# What a missing cell gets when its source gives no symbol (an empty CSV value, JSON null, a
# combination absent from a long CSV).
DEFAULT_MISSING = ".."

# A plain decimal number: optional sign, digits with an optional "." fraction, optional
# exponent. No thousands separators, no decimal comma, no "nan"/"inf", no underscores.
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

UTF8_BOM = codecs.BOM_UTF8

# The largest dense table a reader builds (40 MB of float64), and the most cells a file may leave
# out (a sparse JSON-stat "value" object, combinations absent from a long CSV): each left-out cell
# becomes a missing cell with a status symbol, so a few bytes could otherwise cost a Python object
# per cell. A few header lines can describe a table of billions of cells; the readers check both
# limits before allocating anything. Callers pass their own limits (the platform: settings).
MAX_CELLS = 5_000_000
MAX_ABSENT_CELLS = 100_000
# A JSON document is parsed whole into Python objects (several times its size in memory), unlike
# PC-Axis and CSV, which stream: JSON files have a byte limit of their own.
MAX_JSON_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """What one file may cost: ``max_cells`` declared cells (the product of the dimension sizes),
    ``max_absent_cells`` cells the file declares but leaves out, and ``max_json_bytes`` bytes of
    a JSON document (parsed whole)."""

    max_cells: int = MAX_CELLS
    max_absent_cells: int = MAX_ABSENT_CELLS
    max_json_bytes: int = MAX_JSON_BYTES


DEFAULT_LIMITS = ImportLimits()


@dataclass(frozen=True)
class ParseWarning:
    """Something a reader accepted although the file bends its format (a DATA block without its
    closing ";", say): a code plus parameters, put into words by the platform. The codes:

    * ``data_not_closed`` {"values": n}: PX DATA ends at the end of the file without ";", and
      holds exactly the n values the table needs;
    * ``data_row_semicolons`` {"rows": n}: PX DATA ends n rows with ";" instead of only the last;
    * ``jsonstat_bundle`` {"dataset": name}: the one dataset of a JSON-stat 1.x bundle was read;
    * ``codes_skipped`` {"variable": "region", "line": n}: a PX CODES statement could not be read
      (a stray quotation mark) and was left out; the variable's categories take their VALUES
      texts as codes, as in a file without CODES;
    * ``keyword_skipped`` {"keyword": 'CONTACT("Inmigrated")', "line": n}: a PX keyword that only
      describes the table could not be read (a stray quotation mark) and was left out;
    * ``unknown_variable_ignored`` {"keyword": 'DOMAIN("regionx")', "variable": "regionx",
      "line": n}: a describing PX keyword (or ELIMINATION) names a variable that is neither in
      STUB nor in HEADING, and was ignored.
    """

    code: str
    params: dict[str, str | int]

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "params": dict(self.params)}


@dataclass(frozen=True)
class ParseResult:
    """What :func:`~samverkan.statistics.importers.read` gives: the cube, the format it was read
    as and the warnings of the reader (empty when the file is as its format says)."""

    cube: Cube
    format: str
    warnings: tuple[ParseWarning, ...] = ()


def _shape(sizes: Sequence[int], names: Sequence[str]) -> str:
    return " × ".join(f"{size} {name}" for size, name in zip(sizes, names, strict=True))


def check_size(sizes: Sequence[int], names: Sequence[str], limits: ImportLimits = DEFAULT_LIMITS) -> int:
    """The number of cells, or a refusal when the table is larger than ``limits.max_cells``.
    Computed from the sizes alone, before any array is allocated."""
    cells = math.prod(sizes)
    if cells > limits.max_cells:
        raise ImportRefused(
            f"The table would have {cells:,} cells ({_shape(sizes, names)}), more than the "
            f"{limits.max_cells:,} allowed."
        )
    return cells


def check_absent(
    cells: int, given: int, sizes: Sequence[int], names: Sequence[str], limits: ImportLimits = DEFAULT_LIMITS
) -> None:
    """Refuse a sparse file that declares many more cells than it gives (``given`` values for a
    table of ``cells``), before the left-out cells are filled in."""
    absent = cells - given
    if absent > limits.max_absent_cells:
        raise ImportRefused(
            f"The file gives {given:,} of the {cells:,} cells its dimensions make ({_shape(sizes, names)}); "
            f"at most {limits.max_absent_cells:,} cells may be left out."
        )


def read_cell(text: str) -> tuple[float, str | None] | None:
    """(value, missing symbol) for one cell's text, or None when it is not a number or symbol.

    PC-Axis puts symbols in double quotes ("..", "-"); a quoted number is not a number."""
    token = text.strip()
    quoted = len(token) >= 2 and token[0] == '"' and token[-1] == '"'
    if quoted:
        token = token[1:-1].strip()
    if token in MISSING_SYMBOLS:
        return math.nan, token
    if token == NIL_SYMBOL:
        return 0.0, None
    if quoted or not NUMBER.fullmatch(token):
        return None
    value = float(token)
    return (value, None) if math.isfinite(value) else None


def decode(data: bytes, encoding: str, *, label: str, hint: str = "") -> str:
    """Decode strictly; a byte sequence that is not ``encoding`` is refused with its line."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        bad = data[error.start : error.start + 4].hex(" ")
        message = f"The file is not valid {label} (bytes {bad} cannot be read as {label})."
        if hint:
            message = f"{message} {hint}"
        raise ImportRefused(message, line=line) from None


def cell_codes(dimensions: Sequence[Dimension], index: int) -> str:
    """``Kon=1, Tid=2019``: the category codes of a flat C-order index."""
    shape = tuple(len(d.categories) for d in dimensions)
    positions = np.unravel_index(index, shape)
    return ", ".join(
        f"{dim.code}={dim.categories[int(p)].code}" for dim, p in zip(dimensions, positions, strict=True)
    )


def describe_cell(dimensions: Sequence[Dimension], index: int) -> str:
    """``cell 12 (Kon=1, Tid=2019)``: a flat C-order index with its category codes."""
    return f"cell {index} ({cell_codes(dimensions, index)})"


def label_slot(language: str | None) -> str:
    """Which language a text in ``language`` is kept as: "sv", "en" or "ar" for those (whatever
    the region: "sv-SE" is "sv"), the code itself for any other ("fi", "de", "pt-br"), and "en"
    when the language is not known (the readers' rule since before other languages were kept)."""
    code = language_code(language)
    base = code.split("-", 1)[0]
    if not base:
        return "en"
    return base if base in OWN_LANGUAGES else code


def label_fields(texts: Mapping[str, str]) -> dict[str, Any]:
    """``label_sv``, ``label_en``, ``label_ar`` and ``labels`` for texts by language."""
    return split_languages(texts)


def title_fields(title: str, slot: str) -> dict[str, Any]:
    """``title_sv``, ``title_en``, ``title_ar`` and ``titles`` for a title in ``slot``."""
    return split_languages({slot: title}, prefix="title", others="titles")


def category(code: str, label: str, slot: str) -> Category:
    return Category(code, **label_fields({slot: label}))


def dimension(
    code: str, label: str, slot: str, categories: tuple[Category, ...], role: str = "", total: str = ""
) -> Dimension:
    return Dimension(code, categories=categories, role=role, total=total, **label_fields({slot: label}))


def _same_structure(first: Cube, second: Cube) -> str:
    """Why two cubes are not the same table in two languages ("" when they are)."""
    if [d.code for d in first.dimensions] != [d.code for d in second.dimensions]:
        return (
            f"the dimensions differ ({', '.join(d.code for d in first.dimensions)} against "
            f"{', '.join(d.code for d in second.dimensions)})"
        )
    for a, b in zip(first.dimensions, second.dimensions, strict=True):
        if a.codes != b.codes:
            return f"dimension {a.code} has different category codes"
    if not np.array_equal(first.values, second.values, equal_nan=True):
        differ = np.flatnonzero(
            ~((first.values == second.values) | (np.isnan(first.values) & np.isnan(second.values)))
        )
        return f"the values differ, first at {describe_cell(first.dimensions, int(differ[0]))}"
    if dict(first.status) != dict(second.status):
        return "the missing-value symbols differ"
    return ""


def _merged(*parts: dict[str, str]) -> dict[str, str]:
    # Texts by language; the first part that has a language wins, and its order comes first.
    merged: dict[str, str] = {}
    for texts in parts:
        for code, text in texts.items():
            if text and not merged.get(code):
                merged[code] = text
    return merged


def merge_languages(primary: Cube, *others: Cube) -> Cube:
    """One cube with the labels of all: ``primary`` wins where two have a label in the same
    language, and its language-neutral metadata (source, unit, notes, updated) is kept where it
    has any. They must be the same table: same dimensions, codes, values and missing symbols, or
    the merge is refused."""
    for secondary in others:
        why = _same_structure(primary, secondary)
        if why:
            raise ImportRefused(f"The two language versions are not the same table: {why}.")
    cubes = (primary, *others)
    dimensions = []
    for position, a in enumerate(primary.dimensions):
        dims = [cube.dimensions[position] for cube in cubes]
        categories = tuple(
            replace(ca, **label_fields(_merged(*(d.categories[i].texts() for d in dims))))
            for i, ca in enumerate(a.categories)
        )
        dimensions.append(
            replace(
                a,
                categories=categories,
                role=next((d.role for d in dims if d.role), ""),
                total=next((d.total for d in dims if d.total), ""),
                **label_fields(_merged(*(d.texts() for d in dims))),
            )
        )
    metas = [cube.meta for cube in cubes]

    def first(name: str) -> str:
        return next((getattr(m, name) for m in metas if getattr(m, name)), "")

    titles = split_languages(_merged(*(m.texts() for m in metas)), prefix="title", others="titles")
    meta = replace(
        primary.meta,
        table_id=first("table_id"),
        source=first("source"),
        unit=first("unit"),
        licence=first("licence"),
        updated=first("updated"),
        notes=first("notes"),
        language=first("language"),
        **titles,  # type: ignore[arg-type]
    )
    return Cube(tuple(dimensions), primary.values, dict(primary.status), meta)
