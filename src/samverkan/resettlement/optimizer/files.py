"""The placement command line's CSV files (docs/placement-formats.md).

    municipalities.csv  code,name,capacity_persons,large_dwellings,need_slots[,languages]
    cases.csv           case_id,size,needs,tie_municipality[,languages][,priority]
    scores.csv          case_id,municipality_code,score
    placement.csv       case_id,municipality_code       (written; empty code = unplaced)

``need_slots`` is like ``SM=3;DS=1`` (a code absent means no capacity for it); ``needs`` is like
``SM;CR`` (each occurrence takes one slot of that code); ``languages`` is like ``ar;ti``;
``priority`` is ``emergency``, ``urgent`` or ``normal`` (empty: normal). Every
problem raises :class:`InputError`: a code with parameters (``REASONS``), whose text is
``"{path}:{line}: {field}: {reason}"`` in English (line 1 is the header). Pure: standard library only.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from .model import NEED_CODES, NORMAL, PRIORITIES, Case, Municipality

UTF8_BOM = b"\xef\xbb\xbf"


MAX_REASON = 300  # characters: a reason quoting a huge cell is cut
MAX_NUMBER = 10_000_000  # no reception number, dwelling count, slot count or family is larger

# What can be wrong in an input file: a code, and the English the command line writes (the
# platform words the same code and parameters in the reader's language).
REASONS: dict[str, str] = {
    "not_utf8": "not UTF-8",
    "nul_byte": "a NUL byte: not a text file",
    "not_csv": "not valid CSV: {error}",
    "empty_file": "empty; expected a header with {columns}",
    "no_column": "no such column in the header",
    "cell_count": "{cells} cells but the header has {header}",
    "empty": "empty",
    "not_whole_number": "'{cell}' is not a whole number",
    "negative": "{value} is negative",
    "below_minimum": "{value} is below {minimum}",
    "too_large": "{value} is too large (at most {maximum})",
    "not_code_number": "'{part}' is not CODE=number (like SM=3;DS=1)",
    "unknown_need": "unknown need code '{code}' (known: {known})",
    "code_twice": "code '{code}' is given twice",
    "empty_code": "'{cell}' has an empty code (like {example})",
    "given_twice": "'{code}' is given twice (first on line {first})",
    "duplicate_case": "duplicate case '{case}' (first on line {first})",
    "unknown_municipality": "unknown municipality code '{code}'",
    "unknown_case": "unknown case '{case}'",
    "not_a_number": "'{cell}' is not a number",
    "not_finite": "'{cell}' is not a finite number",
    "pair_twice": "pair ({case}, {code}) is given twice (first on line {first})",
    "cannot_read": "cannot read: {error}",
    # the platform's files (``resettlement.imports`` and the services that import them)
    "too_many_lines": "{lines} lines; at most {maximum} are read",
    "no_persons": "no persons in the file",
    "no_municipalities": "no municipalities in the file",
    "bad_reference": "'{reference}': use at most 40 letters, digits, '.', '_' or '-'",
    "family_too_large": "case '{reference}' has more than {maximum} persons",
    "implausible_age": "{age} is not a plausible age",
    "not_a_sex": "'{cell}' is not one of F, M, X",
    "not_a_priority": "'{cell}' is not one of {allowed}",
    "unknown_need_in_taxonomy": "unknown need code '{code}' in the current taxonomy",
    "not_a_date": "'{cell}' is not a date like 2027-03-15",
    "differs": "'{value}' differs from line {first} of the same case ('{current}')",
    "too_long": "longer than {maximum} characters",
    "case_exists": "case '{case}' already exists",
}


class InputError(ValueError):
    """A problem in an input file: where (``path``, ``line``, ``field``: a column, ``file`` or
    ``row``) and what (``code``, one of ``REASONS``, with ``params``); ``reason`` is its English."""

    def __init__(self, path: str | Path, line: int, field: str, code: str, /, **params: object) -> None:
        reason = REASONS[code].format(**params)
        if len(reason) > MAX_REASON:
            reason = reason[: MAX_REASON - 1] + "…"
        self.path, self.line, self.field, self.reason = str(path), line, field, reason
        self.code, self.params = code, params
        super().__init__(f"{self.path}:{line}: {field}: {reason}")


def read_rows(
    path: str, data: bytes, required: tuple[str, ...]
) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(path, data[: error.start].count(b"\n") + 1, "file", "not_utf8") from None
    if "\x00" in text:
        raise InputError(path, text[: text.index("\x00")].count("\n") + 1, "file", "nul_byte")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for cells in reader:
            records.append((previous + 1, [c.strip() for c in cells]))
            previous = reader.line_num
    except csv.Error as error:
        raise InputError(path, previous + 1, "file", "not_csv", error=error) from None
    records = [(line, cells) for line, cells in records if any(cells)]
    if not records:
        raise InputError(path, 1, "file", "empty_file", columns=", ".join(required))
    header = [h.lower() for h in records[0][1]]
    columns = {name: i for i, name in enumerate(header)}
    missing = [name for name in required if name not in columns]
    if missing:
        raise InputError(path, records[0][0], missing[0], "no_column")
    for line, cells in records[1:]:
        if len(cells) != len(header):
            raise InputError(path, line, "row", "cell_count", cells=len(cells), header=len(header))
    return columns, records[1:]


def whole_number(
    path: str, line: int, field: str, cell: str, minimum: int = 0, maximum: int = MAX_NUMBER
) -> int:
    if not (cell.isascii() and cell.lstrip("+-").isdigit()) or len(cell) > 20:
        raise InputError(path, line, field, "not_whole_number", cell=cell)
    value = int(cell)
    if value < minimum:
        if minimum == 0:
            raise InputError(path, line, field, "negative", value=value)
        raise InputError(path, line, field, "below_minimum", value=value, minimum=minimum)
    if value > maximum:
        raise InputError(path, line, field, "too_large", value=value, maximum=maximum)
    return value


def language_set(cell: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in cell.split(";") if part.strip())


def parse_need_slots(path: str, line: int, cell: str) -> dict[str, int]:
    slots: dict[str, int] = {}
    for part in (p.strip() for p in cell.split(";")):
        if not part:
            continue
        code, sep, number = part.partition("=")
        code = code.strip().upper()
        if not sep or not code:
            raise InputError(path, line, "need_slots", "not_code_number", part=part)
        if code not in NEED_CODES:
            raise InputError(path, line, "need_slots", "unknown_need", code=code, known=", ".join(NEED_CODES))
        if code in slots:
            raise InputError(path, line, "need_slots", "code_twice", code=code)
        slots[code] = whole_number(path, line, "need_slots", number.strip())
    return slots


def parse_needs(path: str, line: int, cell: str) -> tuple[str, ...]:
    out = []
    for part in (p.strip() for p in cell.split(";")):
        if not part:
            if cell.strip():
                raise InputError(path, line, "needs", "empty_code", cell=cell, example="SM;CR")
            continue
        code = part.upper()
        if code not in NEED_CODES:
            raise InputError(path, line, "needs", "unknown_need", code=part, known=", ".join(NEED_CODES))
        out.append(code)
    return tuple(out)


def parse_municipalities(path: str | Path, data: bytes) -> tuple[Municipality, ...]:
    name = str(path)
    cols, rows = read_rows(name, data, ("code", "name", "capacity_persons", "large_dwellings", "need_slots"))
    seen: dict[str, int] = {}
    out = []
    for line, cells in rows:
        code = cells[cols["code"]]
        if not code:
            raise InputError(name, line, "code", "empty")
        if code in seen:
            raise InputError(name, line, "code", "given_twice", code=code, first=seen[code])
        seen[code] = line
        out.append(
            Municipality(
                code=code,
                name=cells[cols["name"]],
                capacity_persons=whole_number(
                    name, line, "capacity_persons", cells[cols["capacity_persons"]]
                ),
                large_dwellings=whole_number(name, line, "large_dwellings", cells[cols["large_dwellings"]]),
                need_slots=parse_need_slots(name, line, cells[cols["need_slots"]]),
                languages=language_set(cells[cols["languages"]]) if "languages" in cols else frozenset(),
            )
        )
    return tuple(out)


def parse_cases(path: str | Path, data: bytes, municipalities: tuple[Municipality, ...]) -> tuple[Case, ...]:
    name = str(path)
    cols, rows = read_rows(name, data, ("case_id", "size", "needs", "tie_municipality"))
    codes = {m.code for m in municipalities}
    seen: dict[str, int] = {}
    out = []
    for line, cells in rows:
        case_id = cells[cols["case_id"]]
        if not case_id:
            raise InputError(name, line, "case_id", "empty")
        if case_id in seen:
            raise InputError(name, line, "case_id", "duplicate_case", case=case_id, first=seen[case_id])
        seen[case_id] = line
        tie = cells[cols["tie_municipality"]] or None
        if tie is not None and tie not in codes:
            raise InputError(name, line, "tie_municipality", "unknown_municipality", code=tie)
        priority = (cells[cols["priority"]].lower() if "priority" in cols else "") or NORMAL
        if priority not in PRIORITIES:
            raise InputError(
                name,
                line,
                "priority",
                "not_a_priority",
                cell=cells[cols["priority"]],
                allowed=", ".join(PRIORITIES),
            )
        out.append(
            Case(
                case_id=case_id,
                size=whole_number(name, line, "size", cells[cols["size"]], minimum=1),
                needs=parse_needs(name, line, cells[cols["needs"]]),
                tie=tie,
                languages=language_set(cells[cols["languages"]]) if "languages" in cols else frozenset(),
                priority=priority,
            )
        )
    return tuple(out)


def parse_scores(
    path: str | Path, data: bytes, cases: tuple[Case, ...], municipalities: tuple[Municipality, ...]
) -> dict[tuple[str, str], float]:
    name = str(path)
    cols, rows = read_rows(name, data, ("case_id", "municipality_code", "score"))
    case_ids = {c.case_id for c in cases}
    codes = {m.code for m in municipalities}
    out: dict[tuple[str, str], float] = {}
    lines: dict[tuple[str, str], int] = {}
    for line, cells in rows:
        case_id, code, cell = cells[cols["case_id"]], cells[cols["municipality_code"]], cells[cols["score"]]
        if case_id not in case_ids:
            raise InputError(name, line, "case_id", "unknown_case", case=case_id)
        if code not in codes:
            raise InputError(name, line, "municipality_code", "unknown_municipality", code=code)
        try:
            value = float(cell)
        except ValueError:
            raise InputError(name, line, "score", "not_a_number", cell=cell) from None
        if not math.isfinite(value):
            raise InputError(name, line, "score", "not_finite", cell=cell)
        if (case_id, code) in out:
            raise InputError(
                name, line, "score", "pair_twice", case=case_id, code=code, first=lines[(case_id, code)]
            )
        out[(case_id, code)] = value
        lines[(case_id, code)] = line
    return out


def read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise InputError(path, 0, "file", "cannot_read", error=error.strerror or error) from None
