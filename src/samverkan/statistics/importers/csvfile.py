"""CSV read into a Cube: the documented plain "long" CSV (one row per cell) and the CSV that
PxWebApi 2 writes (``outputFormat=csv``). The plain format is specified in
docs/statistics-formats.md; in short:

    Kon,Tid,value,status,Kon.label_sv,Kon.label_en
    1,2002,20759,,män,men
    2,2002,..,,kvinnor,women

* UTF-8 (a byte-order mark is allowed), comma-separated, a header row, RFC 4180 quoting.
* A ``value`` column (required): "." decimals, no thousands separators; empty or a missing
  symbol (.. . ... : etc.) is missing and the symbol kept (empty -> ".."); "-" is a true zero.
* A ``status`` column (optional): the symbol for a missing value (wins over the value
  column's symbol); a status on a present value (a data note) is not kept.
* ``<dim>.label_sv`` / ``<dim>.label_en`` columns (optional): category labels.
* ``<dim>.total`` columns (optional): "yes" (also ja, true, 1; any case) on a row declares that
  row's ``<dim>`` category the dimension's total category (``Dimension.total``, as PC-Axis
  ELIMINATION does); "no" (nej, false, 0) or empty declares nothing. One total per dimension;
  a category marked yes on one row and no on another is refused.
* Every other column is a dimension holding category codes; categories are in order of first
  appearance. A dimension named year, month, quarter, tid, år, månad or kvartal (any case)
  gets the role "time"; one named ContentsCode (PxWeb's name) the role "contents".
* A combination of codes that no row gives is a missing cell (NaN, status "..").
* Refused, with the line: not UTF-8, a repeated header column, no ``value`` column, a row with
  a different number of fields, an empty code, a combination given twice (both lines named),
  a value that is not a number or a symbol, a label that contradicts an earlier one, and a
  total mark that is not yes/no, contradicts an earlier one or names a second total.

PxWebApi 2 CSV (PCAxis.Serializers ``CsvSerializer``, the API's default parameters): an
optional quoted title line (``IncludeTitle``), then a header of quoted fields: the STUB
variables' codes, then one column per combination of HEADING values (their codes joined by
a space), or, when every variable is in the stub, one column named after the table's
contents. Each row: the stub values' codes quoted, then the cells unquoted ("." decimals,
missing values as their symbols). The separator is a comma unless a Separator* parameter
chose ";", tab or space. SCB and SSB serve it as ISO-8859-1, so a file that is not UTF-8 is
read as Windows-1252 (the superset of ISO-8859-1 for printable text). The heading variables
are not named in this CSV: pass ``heading=("ContentsCode", "Tid")`` to name them; otherwise a
heading whose codes all look like periods (2019, 2019M01, 2019K1, ...) is named "Tid" (role
"time") and others "heading1", "heading2", .... Only codes (``UseCodes``, the default) can be
split into categories; texts with spaces in a multi-variable heading are refused. The surest
layout is every variable in the stub (``stub=Kon,ContentsCode,Tid``).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from array import array
from collections.abc import Sequence

import numpy as np

from samverkan.statistics.cube import CONTENTS, TIME, Category, Cube, Dimension, TableMeta
from samverkan.statistics.importers._common import (
    DEFAULT_LIMITS,
    DEFAULT_MISSING,
    NIL_SYMBOL,
    UTF8_BOM,
    ImportLimits,
    check_absent,
    check_size,
    decode,
    label_slot,
    read_cell,
)
from samverkan.statistics.importers.errors import ImportRefused

TIME_NAMES = frozenset({"year", "month", "quarter", "tid", "år", "månad", "kvartal"})
# The values of a ``<dimension>.total`` column (compared in lower case): a row marked yes declares
# its category of that dimension the total; no, or an empty cell, declares nothing.
TOTAL_YES = frozenset({"yes", "ja", "true", "1"})
TOTAL_NO = frozenset({"no", "nej", "false", "0", ""})
CONTENTS_NAMES = frozenset({"contentscode"})
_PERIOD = re.compile(r"\d{4}(?:[MKQVUWHT]\d{1,2})?")
_SEPARATORS = (",", ";", "\t", " ")


class _Cells:
    """Cells gathered row by row: a category position per dimension, the value, the line."""

    def __init__(self, names: Sequence[str], limits: ImportLimits) -> None:
        self.names = list(names)
        self.limits = limits
        self.codes: list[dict[str, int]] = [{} for _ in names]
        self.positions = [array("q") for _ in names]
        self.values = array("d")
        self.lines = array("q")
        self.symbols: dict[int, str] = {}

    def add(self, codes: Sequence[str], value: float, symbol: str | None, line: int) -> None:
        for axis, code in enumerate(codes):
            known = self.codes[axis]
            position = known.get(code)
            if position is None:
                position = known[code] = len(known)
            self.positions[axis].append(position)
        if symbol is not None:
            self.symbols[len(self.values)] = symbol
        self.values.append(value)
        self.lines.append(line)

    def flat_indices(self) -> tuple[np.ndarray, tuple[int, ...]]:
        shape = tuple(len(c) for c in self.codes)
        # Both checks use counts only: nothing of the table's size is allocated before them.
        cells = check_size(shape, self.names, self.limits)
        check_absent(cells, len(self.values), shape, self.names, self.limits)
        positions = tuple(np.frombuffer(p, dtype=np.int64) for p in self.positions)
        return np.ravel_multi_index(positions, shape), shape

    def check_unique(self, describe: str) -> np.ndarray:
        flat, _shape = self.flat_indices()
        order = np.argsort(flat, kind="stable")
        ordered = flat[order]
        repeats = np.flatnonzero(ordered[1:] == ordered[:-1])
        if repeats.size:
            first, second = int(order[repeats[0]]), int(order[repeats[0] + 1])
            lines = np.frombuffer(self.lines, dtype=np.int64)
            codes = ", ".join(
                f"{name}={self._code(axis, int(self.positions[axis][second]))}"
                for axis, name in enumerate(self.names)
            )
            raise ImportRefused(
                f"The {describe} ({codes}) is given twice: "
                f"on line {lines[first]} and on line {lines[second]}.",
                line=int(lines[second]),
            )
        return flat

    def _code(self, axis: int, position: int) -> str:
        return next(code for code, p in self.codes[axis].items() if p == position)

    def cube(self, dimensions: Sequence[Dimension], flat: np.ndarray, meta: TableMeta) -> Cube:
        shape = tuple(len(d.categories) for d in dimensions)
        size = int(np.prod(shape))
        values = np.full(size, np.nan, dtype=np.float64)
        values[flat] = np.frombuffer(self.values, dtype=np.float64)
        filled = np.zeros(size, dtype=bool)
        filled[flat] = True
        status = {int(i): DEFAULT_MISSING for i in np.flatnonzero(~filled)}
        for row, symbol in self.symbols.items():
            status[int(flat[row])] = symbol
        return Cube(tuple(dimensions), values.reshape(shape), status, meta)


class _Totals:
    """The total categories declared by ``<dimension>.total`` columns, row by row."""

    def __init__(self) -> None:
        self.marks: dict[tuple[str, str], tuple[bool, int]] = {}
        self.chosen: dict[str, tuple[str, int]] = {}

    def mark(self, dimension: str, code: str, text: str, *, line: int, column: str) -> None:
        token = text.strip().lower()
        if token in TOTAL_YES:
            flag = True
        elif token in TOTAL_NO:
            if not token:
                return
            flag = False
        else:
            raise ImportRefused(
                f"“{text.strip()[:40]}” in the column “{column}” is neither yes (ja, true, 1: "
                f"{dimension}={code} is the total) nor no (nej, false, 0 or empty).",
                line=line,
                cell=f'column "{column}"',
            )
        earlier = self.marks.get((dimension, code))
        if earlier is None:
            self.marks[(dimension, code)] = (flag, line)
        elif earlier[0] != flag:
            raise ImportRefused(
                f"{dimension}={code} is marked {'a total' if flag else 'not a total'} here "
                f"but {'a total' if earlier[0] else 'not a total'} on line {earlier[1]}.",
                line=line,
                cell=f'column "{column}"',
            )
        if not flag:
            return
        chosen = self.chosen.get(dimension)
        if chosen is None:
            self.chosen[dimension] = (code, line)
        elif chosen[0] != code:
            raise ImportRefused(
                f"The column “{column}” marks {dimension}={code} as the total here and "
                f"{dimension}={chosen[0]} on line {chosen[1]}; a dimension has one total category.",
                line=line,
                cell=f'column "{column}"',
            )

    def total(self, dimension: str) -> str:
        chosen = self.chosen.get(dimension)
        return chosen[0] if chosen is not None else ""


def _role(name: str) -> str:
    lowered = name.strip().lower()
    if lowered in TIME_NAMES:
        return TIME
    if lowered in CONTENTS_NAMES:
        return CONTENTS
    return ""


def _cell(text: str, *, line: int, where: str) -> tuple[float, str | None]:
    if not text.strip():
        return np.nan, DEFAULT_MISSING
    cell = read_cell(text)
    if cell is None:
        raise ImportRefused(
            f"The value “{text.strip()[:40]}” is not a number (use . for decimals, no thousands separators) "
            "or a symbol (.. for missing, - for zero).",
            line=line,
            cell=where,
        )
    return cell


def _text(data: bytes) -> str:
    body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    return decode(body, "utf-8", label="UTF-8", hint="Save the CSV as UTF-8.")


# --- plain long CSV -----------------------------------------------------------------------------


def parse_csv(data: bytes, *, limits: ImportLimits = DEFAULT_LIMITS) -> Cube:
    """Read the documented long CSV (see the module docstring) into a Cube."""
    text = _text(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)
        if header is None:
            raise ImportRefused("The CSV is empty: it has no header row.")
        header_line = reader.line_num
        names = [h.strip() for h in header]
        seen: dict[str, int] = {}
        for column, name in enumerate(names, start=1):
            if not name:
                raise ImportRefused(f"Column {column} of the header has no name.", line=header_line)
            if name in seen:
                raise ImportRefused(
                    f"The header repeats the column “{name}” (columns {seen[name]} and {column}).",
                    line=header_line,
                )
            seen[name] = column
        if "value" not in seen:
            hint = " The plain CSV is comma-separated." if len(names) == 1 and ";" in names[0] else ""
            raise ImportRefused(
                f"The header has no “value” column (it has: {', '.join(names)}).{hint}", line=header_line
            )
        value_at = seen["value"] - 1
        status_at = seen["status"] - 1 if "status" in seen else None
        label_columns: dict[int, tuple[str, str]] = {}
        total_columns: dict[int, str] = {}
        dims: list[tuple[int, str]] = []
        for column, name in enumerate(names):
            if column in (value_at, status_at):
                continue
            stem, dot, suffix = name.rpartition(".")
            if dot and suffix in ("label_sv", "label_en"):
                label_columns[column] = (stem, suffix[-2:])
            elif dot and suffix == "total":
                total_columns[column] = stem
            else:
                dims.append((column, name))
        if not dims:
            raise ImportRefused(
                "The header names no dimension columns, only value/status/labels.", line=header_line
            )
        dim_names = [name for _c, name in dims]
        for column, (stem, _lang) in label_columns.items():
            if stem not in dim_names:
                raise ImportRefused(
                    f"The label column “{names[column]}” is for an unknown dimension “{stem}” "
                    f"(the dimensions are {', '.join(dim_names)}).",
                    line=header_line,
                )
        for column, stem in total_columns.items():
            if stem not in dim_names:
                raise ImportRefused(
                    f"The total column “{names[column]}” is for an unknown dimension “{stem}” "
                    f"(the dimensions are {', '.join(dim_names)}).",
                    line=header_line,
                )
        cells = _Cells(dim_names, limits)
        labels: dict[tuple[str, str, str], tuple[str, int]] = {}
        totals = _Totals()
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(names):
                raise ImportRefused(f"{len(row)} fields where the header has {len(names)}.", line=line)
            codes = []
            for column, name in dims:
                code = row[column].strip()
                if not code:
                    raise ImportRefused(
                        f"The code in column “{name}” is empty.", line=line, cell=f'column "{name}"'
                    )
                codes.append(code)
            value, symbol = _cell(row[value_at], line=line, where='column "value"')
            if status_at is not None and symbol is not None and row[status_at].strip():
                symbol = row[status_at].strip()
                if symbol == NIL_SYMBOL:
                    value, symbol = 0.0, None
            for column, (stem, lang) in label_columns.items():
                label = row[column].strip()
                if not label:
                    continue
                key = (stem, codes[dim_names.index(stem)], lang)
                earlier = labels.get(key)
                if earlier is None:
                    labels[key] = (label, line)
                elif earlier[0] != label:
                    raise ImportRefused(
                        f"The {lang} label of {stem}={key[1]} is “{label}” here "
                        f"but “{earlier[0]}” on line {earlier[1]}.",
                        line=line,
                        cell=f'column "{names[column]}"',
                    )
            for column, stem in total_columns.items():
                totals.mark(stem, codes[dim_names.index(stem)], row[column], line=line, column=names[column])
            cells.add(codes, value, symbol, line)
    except csv.Error as error:
        raise ImportRefused(f"The CSV cannot be read: {error}.", line=reader.line_num) from None
    if not len(cells.values):
        raise ImportRefused("The CSV has a header but no rows.", line=header_line)
    flat = cells.check_unique("combination of codes")
    dimensions = []
    for axis, name in enumerate(dim_names):
        categories = tuple(
            Category(
                code, labels.get((name, code, "sv"), ("", 0))[0], labels.get((name, code, "en"), ("", 0))[0]
            )
            for code in cells.codes[axis]
        )
        dimensions.append(Dimension(name, categories=categories, role=_role(name), total=totals.total(name)))
    return cells.cube(dimensions, flat, TableMeta())


# --- PxWebApi 2 CSV -----------------------------------------------------------------------------


def _fields(line: str, separator: str, line_number: int) -> list[tuple[str, bool]]:
    """Split a PxWeb CSV line into (text, was quoted). PxWeb quotes texts without escaping."""
    fields: list[tuple[str, bool]] = []
    i, size = 0, len(line)
    while True:
        if i < size and line[i] == '"':
            end = line.find('"', i + 1)
            if end < 0:
                raise ImportRefused("A quotation mark is opened and never closed.", line=line_number)
            fields.append((line[i + 1 : end], True))
            i = end + 1
            if i < size and line[i] != separator:
                raise ImportRefused(
                    f"Text follows a closing quotation mark: “{line[i : i + 20]}”.", line=line_number
                )
        else:
            end = line.find(separator, i)
            if end < 0:
                end = size
            fields.append((line[i:end].strip(), False))
            i = end
        if i >= size:
            return fields
        i += 1


def _pxweb_text(data: bytes) -> str:
    body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return decode(
            body, "cp1252", label="ISO-8859-1/Windows-1252", hint="PxWeb CSV is UTF-8 or ISO-8859-1."
        )


def _heading_dimensions(columns: list[str], heading: Sequence[str] | None, line: int) -> list[Dimension]:
    parts = [column.split(" ") for column in columns]
    depth = len(parts[0])
    if any(len(p) != depth for p in parts):
        odd = next(c for c, p in zip(columns, parts, strict=True) if len(p) != depth)
        raise ImportRefused(
            f"The value columns cannot be split into heading variables (“{columns[0]}” has {depth} part(s), "
            f"“{odd}” has {len(odd.split(' '))}); download with codes (outputFormatParams=UseCodes) "
            "or with every variable in the stub.",
            line=line,
        )
    categories: list[list[str]] = [list(dict.fromkeys(p[level] for p in parts)) for level in range(depth)]
    expected = [list(combo) for combo in itertools.product(*categories)]
    if expected != parts:
        raise ImportRefused(
            "The value columns are not every combination of the heading codes in order, so the heading "
            "variables cannot be told apart; put every variable in the stub.",
            line=line,
        )
    if heading is not None and len(heading) != depth:
        raise ImportRefused(
            f"{len(heading)} heading names were given but the columns have {depth} heading variable(s)."
        )
    dimensions = []
    for level, codes in enumerate(categories):
        if heading is not None:
            name = heading[level]
        elif all(_PERIOD.fullmatch(c) for c in codes):
            name = "Tid"
        else:
            name = f"heading{level + 1}"
        dimensions.append(Dimension(name, categories=tuple(Category(c) for c in codes), role=_role(name)))
    return dimensions


def parse_pxweb_csv(
    data: bytes,
    *,
    heading: Sequence[str] | None = None,
    language: str = "sv",
    limits: ImportLimits = DEFAULT_LIMITS,
) -> Cube:
    """Read PxWebApi 2's CSV output (see the module docstring) into a Cube."""
    text = _pxweb_text(data)
    lines = text.split("\n")
    numbered = [(i + 1, line.rstrip("\r")) for i, line in enumerate(lines)]
    rows = [(n, line) for n, line in numbered if line.strip()]
    if not rows:
        raise ImportRefused("The CSV is empty.")
    title = ""
    first_number, first = rows[0]
    if not first.startswith('"'):
        raise ImportRefused("A PxWeb CSV header starts with a quoted variable code.", line=first_number)
    closing = first.find('"', 1)
    after = first[closing + 1 : closing + 2] if closing > 0 else ""
    if closing == len(first) - 1 and len(rows) > 1:
        title = first[1:-1]
        rows = rows[1:]
        first_number, first = rows[0]
        closing = first.find('"', 1)
        after = first[closing + 1 : closing + 2] if closing > 0 else ""
    separator = after if after in _SEPARATORS else ","
    header = _fields(first, separator, first_number)
    if len(rows) < 2:
        raise ImportRefused("The CSV has a header but no rows.", line=first_number)
    sample = _fields(rows[1][1], separator, rows[1][0])
    stub = 0
    while stub < len(sample) and sample[stub][1]:
        stub += 1
    if stub == len(sample):
        raise ImportRefused("The first row has no value columns (every field is quoted).", line=rows[1][0])
    if stub == 0:
        raise ImportRefused(
            "The first row has no quoted stub codes; put at least one variable in the stub.", line=rows[1][0]
        )
    names = [text for text, _q in header]
    stub_names = names[:stub]
    value_columns = names[stub:]
    slot = label_slot(language)
    for position, name in enumerate(stub_names, start=1):
        if not name:
            raise ImportRefused(f"Column {position} of the header has no name.", line=first_number)
        if stub_names.count(name) > 1:
            raise ImportRefused(f"The header repeats the column “{name}”.", line=first_number)
    if len(value_columns) == 1:
        heading_dims: list[Dimension] = []
        contents = value_columns[0]
    else:
        heading_dims = _heading_dimensions(value_columns, heading, first_number)
        contents = ""
    heading_codes = list(itertools.product(*(d.codes for d in heading_dims))) if heading_dims else [()]
    cells = _Cells(stub_names + [d.code for d in heading_dims], limits)
    for axis, dim in enumerate(heading_dims, start=len(stub_names)):
        cells.codes[axis] = {c.code: i for i, c in enumerate(dim.categories)}
    width = len(header)
    for number, line in rows[1:]:
        fields = _fields(line, separator, number)
        if len(fields) != width:
            raise ImportRefused(f"{len(fields)} fields where the header has {width}.", line=number)
        codes = [text for text, _q in fields[:stub]]
        if any(not c for c in codes):
            raise ImportRefused("A stub code is empty.", line=number)
        for column, (cell_text, _quoted) in enumerate(fields[stub:]):
            where = f'column "{value_columns[column]}", line {number}'
            value, symbol = _cell(cell_text, line=number, where=where)
            cells.add([*codes, *heading_codes[column]], value, symbol, number)
    flat = cells.check_unique("row")
    dimensions = [
        Dimension(name, categories=tuple(Category(code) for code in cells.codes[axis]), role=_role(name))
        for axis, name in enumerate(stub_names)
    ] + heading_dims
    if not dimensions:
        raise ImportRefused("The CSV names no variables.", line=first_number)
    heading_title = title or contents
    meta = TableMeta(
        title_sv=heading_title if slot == "sv" else "", title_en=heading_title if slot == "en" else ""
    )
    return cells.cube(dimensions, flat, meta)
