"""The platform's person-level case file: families grouped by case id, every bad row named."""

from __future__ import annotations

import datetime as dt

import pytest

from samverkan.resettlement.imports import parse_case_file
from samverkan.resettlement.optimizer.files import InputError

CODES = {"SM", "SM-CI", "CR", "WR", "DS"}
MUNIS = {"2380", "1480"}
HEADER = "case_id,age,sex,needs,languages,priority,tie_municipality,expected_arrival\n"


def parse(body: str):
    return parse_case_file("cases.csv", (HEADER + body).encode(), need_codes=CODES, municipality_codes=MUNIS)


def test_rows_of_one_case_are_one_family_with_case_level_cells_from_any_row():
    cases = parse("A-1,40,F,sm-ci;SM,AR;ti,urgent,2380,2027-05-02\nA-1,8,M,,ar,,,\nB-2,30,X,,,,,\n")
    assert [c.reference for c in cases] == ["A-1", "B-2"]
    a = cases[0]
    assert (a.priority, a.tie, a.arrival) == ("urgent", "2380", dt.date(2027, 5, 2))
    assert [p.age for p in a.persons] == [40, 8]
    assert a.persons[0].needs == ["SM-CI", "SM"] and a.persons[0].languages == ["ar", "ti"]
    assert cases[1].priority == "" and cases[1].persons[0].sex == "X"


@pytest.mark.parametrize(
    ("body", "line", "field", "reason"),
    [
        ("A-1,40,F,XX,,,,\n", 2, "needs", "unknown need code 'XX'"),
        ("A-1,40,F,SM;;CR,,,,\n", 2, "needs", "empty code"),
        ("A-1,-1,F,,,,,\n", 2, "age", "negative"),
        ("A-1,200,F,,,,,\n", 2, "age", "not a plausible age"),
        ("A-1,forty,F,,,,,\n", 2, "age", "not a whole number"),
        ("A-1,40,Q,,,,,\n", 2, "sex", "not one of F, M, X"),
        ("A-1,40,F,,,soon,,\n", 2, "priority", "not one of"),
        ("A-1,40,F,,,,9999,\n", 2, "tie_municipality", "unknown municipality code '9999'"),
        ("A-1,40,F,,,,,15/3/2027\n", 2, "expected_arrival", "not a date"),
        ("A-1,40,F,,,,2380,\nA-1,4,F,,,,1480,\n", 3, "tie_municipality", "differs from line 2"),
        ("A 1,40,F,,,,,\n", 2, "case_id", "letters, digits"),
        (",40,F,,,,,\n", 2, "case_id", "empty"),
        ("A-1,40,F,,,\n", 2, "row", "6 cells but the header has 8"),
    ],
)
def test_every_bad_row_is_named_by_line_and_field(body, line, field, reason):
    with pytest.raises(InputError) as exc:
        parse(body)
    assert (exc.value.line, exc.value.field) == (line, field)
    assert reason in exc.value.reason
    assert str(exc.value).startswith(f"cases.csv:{line}: {field}: ")


def test_a_file_with_only_a_header_is_refused():
    with pytest.raises(InputError) as exc:
        parse("")
    assert exc.value.reason == "no persons in the file"


def test_a_family_larger_than_fifty_is_refused_and_a_huge_cell_is_not_echoed_whole():
    with pytest.raises(InputError) as exc:
        parse("".join(f"A-1,{i % 90},F,,,,,\n" for i in range(51)))
    assert (exc.value.line, exc.value.field) == (52, "case_id") and "more than 50" in exc.value.reason
    with pytest.raises(InputError) as exc:
        parse("A-1,40,F," + "X" * 100_000 + ",,,,\n")
    assert exc.value.field == "needs" and len(str(exc.value)) < 400
