"""core.export: no cell of an exported CSV or XLSX can be taken for a formula, whatever separator
the spreadsheet program splits on and whether or not it honours the quotes; numbers stay numbers.

The oracle, ``spreadsheet_cells``, reads the file the ways a spreadsheet program may (a CSV parser
with ``,`` ``;`` or tab as separator, or a plain split that ignores quotes) and ``formula_like``
says whether a program would evaluate a cell: it does not use the code under test."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from samverkan.core.export import cell_value, csv_text, safe_cell, sheet_value

SEPARATORS = (",", ";", "\t")


def spreadsheet_cells(text: str) -> list[str]:
    """Every cell some spreadsheet import could make of ``text``."""
    cells: list[str] = []
    for separator in SEPARATORS:
        cells += [c for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator) for c in row]
        for line in re.split(r"\r\n|\n|\r", text):  # a reader that ignores quotes altogether
            cells += line.split(separator)
    return cells


def formula_like(cell: str) -> bool:
    """True if a spreadsheet would take ``cell`` (leading spaces trimmed, as an import may) for a
    formula that can do more than sum plain numbers: one that starts with = + - @ and holds, outside
    its string literals, anything but digits, signs, points, exponents and separators. (A file read
    with the wrong separator can merge a negative figure with the cells after it: ``-1,""`` is
    arithmetic on numbers and empty strings, not an injection.)"""
    start = cell.lstrip(" ")
    if not start or start[0] not in "=+-@":
        return False
    outside_strings = re.sub(r'"(?:[^"]|"")*"?', "", start)
    return not re.fullmatch(r"(?:[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?|[-+,;\t\r\n ])*", outside_strings)


def test_a_formula_after_any_separator_is_neutralised():
    for value in ("x;=1+1", "x,=1+1", "x\t=1+1", "x\n=1+1", "x\r=1+1", "x; @SUM(A1)", '"=1', "=1", "\t1"):
        text = csv_text(["h"], [[value]])
        assert not any(formula_like(c) for c in spreadsheet_cells(text)), (value, text)


def test_every_cell_is_quoted():
    text = csv_text(["a", "b"], [["x", 1], ["y;z", -2]])
    assert text.splitlines() == ['"a","b"', '"x","1"', '"y;z","-2"']


def test_plain_text_and_numbers_are_unchanged():
    assert safe_cell("Malmö, Lund; Ystad") == "Malmö, Lund; Ystad"
    assert safe_cell("2026-01-31") == "2026-01-31"
    for number in ("-3", "+1.5", "-2e-3", "-0.25"):
        assert safe_cell(number) == number
    for number in (-3, -1.5, decimal.Decimal("-7.25"), 0):
        assert cell_value(number) == number
    assert cell_value(True) == "True"  # a bool is not a figure
    assert cell_value(dt.date(2026, 1, 2)) == "2026-01-02"


def test_a_negative_figure_stays_a_figure_in_the_file():
    rows = list(csv.reader(io.StringIO(csv_text(["år", "värde"], [["2024", -3], ["2025", "-12"]]))))
    assert rows == [["år", "värde"], ["2024", "-3"], ["2025", "-12"]]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.text(alphabet="=+-@;,\t\n\r \"'a1.eEA(", max_size=12), min_size=1, max_size=4))
def test_no_cell_of_any_reading_is_a_formula(values):
    text = csv_text(["h"] * len(values), [values])
    assert not any(formula_like(c) for c in spreadsheet_cells(text))
    # A reader that honours the quotes gets one cell per value, each the value or it with ' added.
    read = list(csv.reader(io.StringIO(text, newline="")))[1]
    assert len(read) == len(values)
    for cell, value in zip(read, values, strict=True):
        assert cell.replace("'", "") == value.replace("'", "")


def test_xlsx_cells_hold_no_formula_and_no_illegal_character():
    book = Workbook()
    sheet = book.active
    values = ['=HYPERLINK("http://x")', "\x01=1+1", "x;=1", -3, 2.5, "ok\x07"]
    sheet.append([sheet_value(v) for v in values])
    buffer = io.BytesIO()
    book.save(buffer)
    cells = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert [c.data_type for c in cells] == ["s", "s", "s", "n", "n", "s"]
    assert [c.value for c in cells][3:] == [-3, 2.5, "ok"]
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for c in cells)
