"""Statistics files read into a :class:`~samverkan.statistics.cube.Cube`.

Pure: standard library and NumPy; no Django, no platform code. Every reader either returns a
consistent cube or raises :class:`ImportRefused` naming the line or cell that is wrong.

    parse(data, "auto", filename="tab.px") -> Cube
    read(data, "auto", filename="tab.px") -> ParseResult(cube, format, warnings)
    detect_format(data, filename) -> "px" | "jsonstat2" | "csv" | "pxweb-csv"

The formats are described in docs/statistics-formats.md. Nothing here opens files or follows
paths named inside a file; callers cap the size of what they pass in, and pass
:class:`ImportLimits` (declared cells, cells a sparse file leaves out, bytes of a JSON file).
"""

from __future__ import annotations

import re
from pathlib import PurePath

from samverkan.statistics.cube import Cube
from samverkan.statistics.importers._common import (
    DEFAULT_LIMITS,
    UTF8_BOM,
    ImportLimits,
    ParseResult,
    ParseWarning,
    merge_languages,
)
from samverkan.statistics.importers.csvfile import parse_csv, parse_pxweb_csv
from samverkan.statistics.importers.errors import ImportRefused
from samverkan.statistics.importers.jsonstat import parse_jsonstat, read_jsonstat
from samverkan.statistics.importers.px import parse_px, read_px

__all__ = [
    "FORMATS",
    "ImportLimits",
    "ImportRefused",
    "ParseResult",
    "ParseWarning",
    "detect_format",
    "merge_languages",
    "parse",
    "parse_csv",
    "parse_jsonstat",
    "parse_px",
    "parse_pxweb_csv",
    "read",
]

FORMATS = ("px", "jsonstat2", "csv", "pxweb-csv")
_ALIASES = {"json-stat2": "jsonstat2", "json": "jsonstat2", "jsonstat": "jsonstat2", "pc-axis": "px"}

# Keywords a PC-Axis file starts with (PxWeb writes CHARSET or AXIS-VERSION first).
_PX_START = re.compile(
    rb"(?:CHARSET|AXIS-VERSION|CODEPAGE|LANGUAGE|LANGUAGES|CREATION-DATE|NEXT-UPDATE|PX-SERVER|DIRECTORY-PATH"
    rb"|UPDATE-FREQUENCY|TABLEID|SYNONYMS|DEFAULT-GRAPH|DECIMALS|SHOWDECIMALS|ROUNDING|MATRIX|AGGREGALLOWED"
    rb"|AUTOPEN|COPYRIGHT|SUBJECT-CODE|SUBJECT-AREA|CONFIDENTIAL|DESCRIPTION|TITLE|DESCRIPTIONDEFAULT"
    rb"|CONTENTS|STUB|HEADING)[ \t]*(?:\[[A-Za-z-]+\])?[ \t]*=",
    re.IGNORECASE,
)
_JSONSTAT_DATASET = re.compile(rb'"class"\s*:\s*"dataset"')
# JSON-stat 1.x (a dataset or a bundle: "dimension" holds "id" and "size") and PxWeb metadata
# answers ("variables"): read, or refused with what they are, by the JSON-stat reader.
_JSONSTAT_1X_OR_METADATA = re.compile(rb'"dimension"\s*:|"variables"\s*:')
_BINARY_MAGIC = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx workbook?)",
    b"PAR1": "a Parquet file",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office file",
    b"\x1f\x8b": "a gzip archive",
}


def _first_line(head: bytes) -> bytes:
    return head.split(b"\n", 1)[0].rstrip(b"\r")


def detect_format(data: bytes, filename: str = "") -> str:
    """The format of ``data``, from its content first and its file name second.

    A JSON object with "class": "dataset" is jsonstat2; a file starting with a PX keyword
    (CHARSET=, AXIS-VERSION=, MATRIX=, ...) is px; other text is csv, or pxweb-csv when its
    header is quoted PxWeb-style and has no ``value`` column. Anything else is refused."""
    extension = PurePath(filename).suffix.lower() if filename else ""
    head = data[:65536]
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    stripped = head.lstrip()
    for magic, what in _BINARY_MAGIC.items():
        if stripped.startswith(magic):
            raise ImportRefused(f"The file is {what}, not a statistics file (PX, JSON-stat 2.0 or CSV).")
    if not stripped:
        raise ImportRefused("The file is empty.")
    if b"\x00" in head:
        raise ImportRefused("The file is binary (it holds NUL bytes), not a PX, JSON-stat or CSV text file.")
    if stripped[:1] in (b"{", b"["):
        if stripped[:1] == b"{" and (_JSONSTAT_DATASET.search(data) or _JSONSTAT_1X_OR_METADATA.search(data)):
            return "jsonstat2"
        raise ImportRefused(
            'The file is JSON but not a JSON-stat dataset ("class": "dataset", or a JSON-stat 1.x '
            "dataset with its dimensions); ask PxWeb for outputFormat=json-stat2."
        )
    if _PX_START.match(stripped):
        return "px"
    if extension == ".px":
        raise ImportRefused(
            "The file is named .px but does not start with a PX keyword such as CHARSET= or MATRIX=."
        )
    if extension == ".json":
        raise ImportRefused("The file is named .json but is not a JSON object.")
    first = _first_line(stripped)
    if b"," in first or b";" in first or b"\t" in first:
        if first.startswith(b'"') and not re.search(rb'(?:^|[,;\t ])"?value"?(?:[,;\t ]|$)', first):
            return "pxweb-csv"
        return "csv"
    raise ImportRefused(
        f"The file{f' {filename!r}' if filename else ''} is not a recognised statistics file: expected a "
        "PC-Axis file (.px), a JSON-stat 2.0 dataset (.json) or a CSV with a header row (.csv)."
    )


def parse(
    data: bytes, format: str = "auto", *, filename: str = "", limits: ImportLimits = DEFAULT_LIMITS
) -> Cube:
    """Read ``data`` (the file's bytes) into a Cube. ``format`` is "auto" (see
    :func:`detect_format`) or one of ``FORMATS``. Every reader checks the table's declared
    cells (and, for sparse formats, the cells left out) against ``limits`` before it allocates
    anything of the table's size. :func:`read` also gives the format and the warnings."""
    return read(data, format, filename=filename, limits=limits).cube


def read(
    data: bytes, format: str = "auto", *, filename: str = "", limits: ImportLimits = DEFAULT_LIMITS
) -> ParseResult:
    """:func:`parse`, giving the cube with the format it was read as and the reader's warnings:
    what it accepted although the file bends its format (:class:`ParseWarning` codes)."""
    wanted = _ALIASES.get(format.lower(), format.lower())
    if wanted == "auto":
        wanted = detect_format(data, filename)
    if wanted == "px":
        cube, warnings = read_px(data, limits=limits)
    elif wanted == "jsonstat2":
        cube, warnings = read_jsonstat(data, limits=limits)
    elif wanted == "csv":
        cube, warnings = parse_csv(data, limits=limits), []
    elif wanted == "pxweb-csv":
        cube, warnings = parse_pxweb_csv(data, limits=limits), []
    else:
        raise ImportRefused(f"Unknown format “{format}”; expected auto or one of {', '.join(FORMATS)}.")
    return ParseResult(cube, wanted, tuple(warnings))
