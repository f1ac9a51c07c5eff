"""The platform's case file: one row per person (docs/placement-formats.md, "Cases in the platform").

    case_id,age,sex[,needs,languages,education,occupation,priority,tie_municipality,expected_arrival]

Rows with the same ``case_id`` are one family. The case-level cells (``priority``,
``tie_municipality``, ``expected_arrival``) may be left empty after the first row; if given again
they must agree. Pure: the known need codes and municipality codes are passed in. Every problem
raises ``InputError`` naming the file, line and field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from .optimizer.files import InputError, language_set, read_rows, whole_number

PRIORITIES = ("emergency", "urgent", "normal")
SEXES = ("F", "M", "X")
MAX_AGE = 130
MAX_FAMILY = 50  # persons in one case
# Lines one case file may have (a year's quota is a few thousand persons), counted on the bytes
# before the CSV reader makes an object per row (docs/architecture.md, "Upload limits").
MAX_LINES = 100_000
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


@dataclass
class ParsedPerson:
    line: int
    age: int
    sex: str
    needs: list[str]
    languages: list[str]
    education: str
    occupation: str


@dataclass
class ParsedCase:
    reference: str
    line: int
    priority: str = ""
    tie: str = ""
    arrival: dt.date | None = None
    persons: list[ParsedPerson] = field(default_factory=list)


def parse_need_codes(path: str, line: int, cell: str, known: Collection[str]) -> list[str]:
    out: list[str] = []
    for part in (p.strip() for p in cell.split(";")):
        if not part:
            if cell.strip():
                raise InputError(path, line, "needs", "empty_code", cell=cell, example="SM;CR-AF")
            continue
        code = part.upper()
        if code not in known:
            raise InputError(path, line, "needs", "unknown_need_in_taxonomy", code=part)
        if code not in out:
            out.append(code)
    return out


def parse_case_file(
    path: str, data: bytes, *, need_codes: Collection[str], municipality_codes: Collection[str]
) -> list[ParsedCase]:
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines > MAX_LINES:
        raise InputError(path, MAX_LINES + 1, "file", "too_many_lines", lines=lines, maximum=MAX_LINES)
    cols, rows = read_rows(path, data, ("case_id", "age", "sex"))
    if not rows:
        raise InputError(path, 2, "row", "no_persons")

    def cell(cells: list[str], name: str) -> str:
        return cells[cols[name]] if name in cols else ""

    cases: dict[str, ParsedCase] = {}
    for line, cells in rows:
        reference = cell(cells, "case_id")
        if not reference:
            raise InputError(path, line, "case_id", "empty")
        if not REFERENCE.fullmatch(reference):
            raise InputError(path, line, "case_id", "bad_reference", reference=reference)
        case = cases.setdefault(reference, ParsedCase(reference, line))
        if len(case.persons) >= MAX_FAMILY:
            raise InputError(
                path, line, "case_id", "family_too_large", reference=reference, maximum=MAX_FAMILY
            )
        age = whole_number(path, line, "age", cell(cells, "age"))
        if age > MAX_AGE:
            raise InputError(path, line, "age", "implausible_age", age=age)
        sex = cell(cells, "sex").upper()
        if sex not in SEXES:
            raise InputError(path, line, "sex", "not_a_sex", cell=cell(cells, "sex"))
        priority = cell(cells, "priority").lower()
        if priority and priority not in PRIORITIES:
            raise InputError(
                path, line, "priority", "not_a_priority", cell=priority, allowed=", ".join(PRIORITIES)
            )
        tie = cell(cells, "tie_municipality")
        if tie and tie not in municipality_codes:
            raise InputError(path, line, "tie_municipality", "unknown_municipality", code=tie)
        arrival_cell = cell(cells, "expected_arrival")
        arrival = None
        if arrival_cell:
            try:
                arrival = dt.date.fromisoformat(arrival_cell)
            except ValueError:
                raise InputError(path, line, "expected_arrival", "not_a_date", cell=arrival_cell) from None
        for name, value, current in (
            ("priority", priority, case.priority),
            ("tie_municipality", tie, case.tie),
            ("expected_arrival", arrival, case.arrival),
        ):
            if value and current and value != current:
                raise InputError(path, line, name, "differs", value=value, first=case.line, current=current)
        case.priority = case.priority or priority
        case.tie = case.tie or tie
        case.arrival = case.arrival or arrival
        for name in ("education", "occupation"):
            if len(cell(cells, name)) > 200:
                raise InputError(path, line, name, "too_long", maximum=200)
        case.persons.append(
            ParsedPerson(
                line=line,
                age=age,
                sex=sex,
                needs=parse_need_codes(path, line, cell(cells, "needs"), need_codes),
                languages=sorted(language_set(cell(cells, "languages"))),
                education=cell(cells, "education"),
                occupation=cell(cells, "occupation"),
            )
        )
    return list(cases.values())
