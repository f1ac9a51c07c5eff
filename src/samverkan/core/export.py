"""CSV and XLSX export that spreadsheet programs cannot mistake for formulas (CSV injection).

Every CSV file the platform writes goes through ``csv_text``/``csv_response`` here; every XLSX
cell through ``sheet_value``. The rules:

- Every CSV cell is quoted (``csv.QUOTE_ALL``): a ``;`` or ``,`` inside a value never splits it in
  a program that honours the quotes, whatever its list separator (Swedish Excel uses ``;``).
- Text is also neutralised for programs that do *not* honour the quotes, or that are told to split
  on another character: the text is cut at every separator a spreadsheet may use (``;`` ``,`` tab,
  line feed, carriage return), and every piece that, after leading spaces and double quotes,
  starts with ``=`` ``+`` ``-`` or ``@`` gets a ``'`` in front of that character (a text starting
  with a tab or carriage return gets one in front as well). Excel and LibreOffice read a leading
  ``'`` as "this is text". Prefixing only the whole cell would not do: a program that splits
  ``'x;=1+1`` on ``;`` still sees ``=1+1`` as a cell of its own.
- A text that is, as a whole, a plain number (``-3``, ``+1.5``, ``2e-3``) is not a formula and is
  left alone, so negative figures in statistics stay numbers; int, float and Decimal values are
  written as numbers and never touched. A number followed by more (``-1;…``, ``-3,5``) is text and
  neutralised: read without splitting, the cell would start with ``-``.
"""

from __future__ import annotations

import csv
import decimal
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

_FORMULA_START = ("=", "+", "-", "@")
_CONTROL_START = ("\t", "\r")
# The characters a spreadsheet program may split a line on, depending on its settings.
_SEPARATORS = re.compile(r"([;,\t\n\r])")
_LEADING = ' "\u00a0\u3000'  # skipped before looking at a piece's first character
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# Characters an XLSX file cannot hold (openpyxl refuses them): C0 controls but tab, LF and CR.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)


def _neutralise_piece(piece: str) -> str:
    lead = len(piece) - len(piece.lstrip(_LEADING))
    rest = piece[lead:]
    if rest.startswith(_FORMULA_START):
        return piece[:lead] + "'" + rest
    return piece


def safe_cell(value: Any) -> str:
    """``value`` as text that no spreadsheet program evaluates (see the module docstring)."""
    text = "" if value is None else str(value)
    if _NUMBER.fullmatch(text.strip(" ")):
        return text  # "-3" is a figure, not a formula
    parts = _SEPARATORS.split(text)  # pieces at even indexes, the separators between them at odd
    safe = "".join(part if i % 2 else _neutralise_piece(part) for i, part in enumerate(parts))
    if safe.startswith(_CONTROL_START):
        safe = "'" + safe
    return safe


def cell_value(value: Any) -> Any:
    """A number as it is (written as a number); anything else as neutralised text."""
    return value if _is_number(value) else safe_cell(value)


def sheet_value(value: Any) -> Any:
    """A value for an openpyxl cell: numbers as numbers; text neutralised (openpyxl writes a string
    that starts with ``=`` as a formula) and stripped of the control characters XLSX cannot hold."""
    if _is_number(value):
        return value
    # Stripped first: a control character removed afterwards could uncover a formula start.
    return safe_cell(_XLSX_ILLEGAL.sub("", "" if value is None else str(value)))


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([cell_value(h) for h in header])
    for row in rows:
        writer.writerow([cell_value(v) for v in row])
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    # A byte-order mark makes Excel read the UTF-8 (å, ä, ö, Arabic) correctly.
    response = HttpResponse("\ufeff" + csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
