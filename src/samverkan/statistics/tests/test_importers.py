"""The statistics importers: PC-Axis, JSON-stat 2.0, plain CSV and PxWeb CSV into one Cube.

Fixtures (tests/fixtures/README.md) hold the 2002-2004 asylum seekers by sex that SCB published
(data/statistics/asylum_seekers_annual.csv) in every format, so the same table must come out
of each reader. Small bad files are written inline next to the test that refuses them.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from samverkan.statistics.cube import CONTENTS, TIME, Category, Cube
from samverkan.statistics.importers import (
    ImportLimits,
    ImportRefused,
    detect_format,
    merge_languages,
    parse,
    parse_csv,
    parse_jsonstat,
    parse_px,
    parse_pxweb_csv,
    read,
)
from samverkan.statistics.importers._common import ParseWarning
from samverkan.statistics.importers.px import read_px

FIXTURES = Path(__file__).parent / "fixtures"
# SCB's published figures (data/statistics/asylum_seekers_annual.csv), men, women, total by year.
MEN = [20759, 20120, 14816]
WOMEN = [12257, 11235, 8345]
TOTAL = [33016, 31355, 23161]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def px(body: str, *, encoding: str = "utf-8", header: str = 'CHARSET="ANSI";\nCODEPAGE="utf-8";\n') -> bytes:
    """A small PC-Axis file: ``header`` + ``body``."""
    return (header + body).encode(encoding)


SMALL = """LANGUAGE="sv";
MATRIX="TEST01";
TITLE="Testtabell";
CONTENTS="Test";
UNITS="antal";
STUB="region";
HEADING="år";
VALUES("region")="Stockholm","Göteborg";
VALUES("år")="2019","2020","2021";
TIMEVAL("år")=TLIST(A1),"2019","2020","2021";
DATA=
{data}
;
"""


def refused(call, *args, **kwargs) -> ImportRefused:
    with pytest.raises(ImportRefused) as info:
        call(*args, **kwargs)
    return info.value


def without_updated(cube: Cube) -> Cube:
    return replace(cube, meta=replace(cube.meta, updated=""))


# --- PC-Axis ------------------------------------------------------------------------------------


def test_px_reads_dimensions_codes_labels_roles_and_values():
    cube = parse_px(fixture("asylum_sex_2002_2004_utf8.px"))

    kon, contents, tid = cube.dimensions
    assert [d.code for d in cube.dimensions] == ["Kon", "ContentsCode", "Tid"]  # STUB, then HEADING
    assert kon.codes == ("1", "2", "1+2")
    assert [(c.label_sv, c.label_en) for c in kon.categories] == [
        ("män", "men"),
        ("kvinnor", "women"),
        ("totalt", "total"),
    ]
    assert (kon.label_sv, kon.label_en, kon.role, kon.total) == ("kön", "sex", "", "1+2")
    assert (contents.role, contents.codes, contents.categories[0].label_en) == (
        CONTENTS,
        ("ASYL01",),
        "Asylum seekers",
    )
    assert (tid.role, tid.codes, tid.label_sv, tid.label_en) == (TIME, ("2002", "2003", "2004"), "år", "year")
    assert cube.values.shape == (3, 1, 3)
    assert cube.values[:, 0, :].tolist() == [MEN, WOMEN, TOTAL]
    assert cube.status == {}
    meta = cube.meta
    assert (meta.table_id, meta.source, meta.unit, meta.updated) == (
        "ASYL0204",
        "Statistiska centralbyrån (SCB)",
        "antal",
        "2025-02-21T09:00",
    )
    assert meta.title_sv == "Asylsökande efter kön, tabellinnehåll och år"
    assert meta.title_en == "Asylum seekers by sex, observations and year"


def test_px_joins_quoted_continuation_lines_and_splits_note_paragraphs():
    notes = parse_px(fixture("asylum_sex_2002_2004_utf8.px")).meta.notes.split("\n")
    # NOTE="... tabell "\n"Asylsökande i Sverige 2002–2022 ...##Testfil ..."\n"strukturen ...";
    assert notes == [
        "Personer som sökt asyl i Sverige under året. Värdena kommer från SCB:s tabell "
        "Asylsökande i Sverige 2002–2022 (Sverige i siffror).",
        "Testfil för Samverkan; strukturen följer PxWebApi:s PX-utdata.",
    ]


def test_px_windows_1252_and_utf8_files_give_the_same_cube():
    ansi = fixture("asylum_sex_2002_2004_ansi.px")
    utf8 = fixture("asylum_sex_2002_2004_utf8.px")
    assert "Asylsökande".encode("cp1252") in ansi and "Asylsökande".encode() not in ansi
    assert b"\r\n" in ansi and b"\r\n" not in utf8
    assert parse_px(ansi).content_sha256() == parse_px(utf8).content_sha256()
    # The en dash is byte 0x96 in Windows-1252 (a control character in true ISO-8859-1).
    assert "2002–2022" in parse_px(ansi).meta.notes


def test_px_utf8_byte_order_mark_is_read_as_utf8():
    utf8 = fixture("asylum_sex_2002_2004_utf8.px")
    assert parse_px(b"\xef\xbb\xbf" + utf8).content_sha256() == parse_px(utf8).content_sha256()


@pytest.mark.parametrize(("name", "encoding"), [("utf8", "utf-8"), ("ansi", "windows-1252")])
def test_px_agrees_with_pyaxis(name, encoding):
    pyaxis = pytest.importorskip("pyaxis.pyaxis")
    path = FIXTURES / f"asylum_sex_2002_2004_{name}.px"
    oracle = pyaxis.parse(str(path), encoding=encoding)["DATA"]
    cube = parse_px(path.read_bytes())

    ours = [
        (tuple(c.label_sv for c in combo), value)
        for combo, value in zip(_combinations(cube), cube.values.ravel().tolist(), strict=True)
    ]
    theirs = [(tuple(row[:3]), float(row[3])) for row in oracle.itertuples(index=False)]
    assert ours == theirs


def _combinations(cube: Cube):
    for index in np.ndindex(*cube.shape):
        yield [dim.categories[i] for dim, i in zip(cube.dimensions, index, strict=True)]


def test_px_missing_symbols_stay_missing_and_dash_is_zero():
    data = '1 ".." -\n"-" "." ..\n":" ... 4.5'
    cube = parse_px(px(SMALL.format(data=data).replace('"Göteborg"', '"Göteborg","Malmö"')))
    flat = cube.values.ravel()
    assert flat[0] == 1.0 and flat[8] == 4.5
    assert flat[2] == 0.0 and flat[3] == 0.0  # "-" and unquoted - are true zeros
    assert 2 not in cube.status and 3 not in cube.status
    assert {i: s for i, s in cube.status.items()} == {1: "..", 4: ".", 5: "..", 6: ":", 7: "..."}
    assert all(math.isnan(flat[i]) for i in cube.status)
    assert list(cube.rows())[1] == (("Stockholm", "2020"), None, "..")


def test_px_without_codes_uses_the_value_texts_and_an_english_main_language_fills_label_en():
    body = SMALL.format(data="1 2 3\n4 5 6").replace('LANGUAGE="sv"', 'LANGUAGE="en"')
    cube = parse_px(px(body))
    region = cube.dimensions[0]
    assert region.codes == ("Stockholm", "Göteborg")
    assert (region.categories[1].label_en, region.categories[1].label_sv) == ("Göteborg", "")
    assert (cube.meta.title_en, cube.meta.title_sv) == ("Testtabell", "")
    assert cube.dimensions[1].role == TIME


def test_px_data_may_use_commas_tabs_and_one_line():
    cube = parse_px(px(SMALL.format(data="1,2\t3 4,5 6")))
    assert cube.values.ravel().tolist() == [1, 2, 3, 4, 5, 6]


def test_px_parses_a_large_table():
    # (its speed is measured by benchmarks/statistics/import_1m.py, a million cells, not here)
    rows, cols = 2000, 100  # 200,000 cells
    row_names = ",".join(f'"r{i}"' for i in range(rows))
    col_names = ",".join(f'"k{j}"' for j in range(cols))
    header = (
        'CHARSET="ANSI";\nLANGUAGE="sv";\nMATRIX="BIG";\nSTUB="rad";\nHEADING="kol";\n'
        f'VALUES("rad")={row_names};\nVALUES("kol")={col_names};\nDATA=\n'
    )
    line = " ".join(str(j) for j in range(cols)) + "\n"
    data = (header + line * rows + ";\n").encode("cp1252")
    cube = parse_px(data)
    assert cube.shape == (rows, cols)
    assert cube.values[rows - 1, cols - 1] == cols - 1


# --- PC-Axis refusals ---------------------------------------------------------------------------


def test_px_refuses_a_file_whose_bytes_do_not_match_its_declared_charset():
    text = fixture("asylum_sex_2002_2004_utf8.px").decode()
    wrong = text.encode("cp1252")  # still says CODEPAGE="utf-8"
    error = refused(parse_px, wrong)
    assert error.line == 14  # TITLE="Asylsökande ..." is the first line with a non-ASCII letter
    assert "not valid utf-8" in error.message
    assert str(error).startswith("Line 14: ")


def test_px_without_a_charset_must_be_utf8():
    body = SMALL.format(data="1 2 3\n4 5 6")
    error = refused(parse_px, px(body, encoding="cp1252", header=""))
    assert error.line == 7  # HEADING="år";
    assert 'CHARSET="ANSI"' in error.message
    assert parse_px(px(body, header="")).values.size == 6  # valid UTF-8 without a declaration is fine


def test_px_refuses_a_wrong_number_of_data_values_saying_where_the_block_ends():
    error = refused(parse_px, px(SMALL.format(data="1 2 3\n4 5")))
    assert "DATA has 5 values but the table needs 6 (2 region × 3 år)" in error.message
    assert "the data block runs from line 13 to line 16" in error.message
    assert "Line 15 is the first with 2 values instead of 3" in error.message
    assert error.line == 15
    too_many = refused(parse_px, px(SMALL.format(data="1 2 3\n4 5 6 7")))
    assert "DATA has 7 values but the table needs 6" in too_many.message


def test_px_refuses_a_keyword_for_an_unknown_dimension():
    body = SMALL.format(data="1 2 3\n4 5 6").replace('TIMEVAL("år")', 'TIMEVAL("tid")')
    error = refused(parse_px, px(body))
    assert 'TIMEVAL("tid") refers to an unknown dimension “tid”' in error.message
    assert error.line == 12


def test_px_refuses_duplicate_category_codes():
    body = SMALL.format(data="1 2 3\n4 5 6").replace("DATA=", 'CODES("år")="2019","2019","2021";\nDATA=')
    error = refused(parse_px, px(body))
    assert 'CODES("år") lists the category code “2019” more than once' in error.message
    assert error.line == 13


def test_px_refuses_a_non_numeric_value_naming_its_line_and_cell():
    # A decimal comma is a delimiter in PX DATA, so "5,0" is two values: a count error.
    assert "DATA has 7 values" in refused(parse_px, px(SMALL.format(data="1 2 3\n4 5,0 6"))).message
    error = refused(parse_px, px(SMALL.format(data="1 2 3\n4 5a 6")))
    assert error.line == 15
    assert error.cell == "cell 4 (region=Göteborg, år=2020)"
    assert "“5a” is not a number" in error.message
    assert str(error).startswith("Line 15, cell 4 (region=Göteborg, år=2020): ")
    assert (
        refused(parse_px, px(SMALL.format(data='1 2 3\n4 "5" 6'))).cell == "cell 4 (region=Göteborg, år=2020)"
    )
    assert refused(parse_px, px(SMALL.format(data="1 2 3\n4 nan 6"))).line == 15


@pytest.mark.parametrize(
    ("change", "message", "line"),
    [
        (lambda b: b.split("DATA=")[0], "ends without a DATA keyword", 12),
        (lambda b: b.replace('VALUES("år")="2019","2020","2021";\n', ""), 'no VALUES("år")', 9),
        (
            lambda b: b.replace('STUB="region";\n', "").replace('HEADING="år";\n', ""),
            "neither STUB nor HEADING",
            None,
        ),
        (
            lambda b: b.rstrip().rstrip(";").replace("4 5 6", "4 5"),
            "ends without the “;” that closes DATA (is it cut short?). 5 values were read; the table needs 6",
            15,
        ),
        (lambda b: b + 'NOTE="late";\n', "Text after the “;” that ends DATA", 17),
        (lambda b: b.replace('TITLE="Testtabell";', 'TITLE="Testtabell;'), "never closed", 5),
        (lambda b: b.replace('UNITS="antal";', 'UNITS="antal"'), "UNITS on line 7 is not ended by “;”", 7),
        (lambda b: b.replace('UNITS="antal";', "UNITS antal;"), "Expected a PX keyword", 7),
        (lambda b: b.replace("DATA=", 'CODES("region")="01";\nDATA='), "has 1 codes but VALUES", 13),
        (lambda b: b.replace("DATA=", 'ELIMINATION("region")="Riket";\nDATA='), "not one of VALUES", 13),
        (lambda b: b.replace('HEADING="år";', 'HEADING="år","region";'), "listed twice", 9),
        (lambda b: b.replace("TITLE=", 'STUB="x";\nTITLE='), "STUB is given twice (lines 5 and 9)", 9),
    ],
)
def test_px_refuses_broken_files_with_the_line(change, message, line):
    error = refused(parse_px, px(change(SMALL.format(data="1 2 3\n4 5 6"))))
    assert message in error.message
    assert error.line == line


# A KEYS file (rows listed by key): region keyed by its VALUES texts, kön by its CODES. DATA= is
# on line 16 (px() adds two header lines); the rows follow from line 17.
KEYED = """LANGUAGE="sv";
MATRIX="TEST02";
TITLE="Nycklar";
CONTENTS="Test";
UNITS="antal";
STUB="region","kön";
HEADING="år";
VALUES("region")="Stockholm","Göteborg";
VALUES("kön")="män","kvinnor";
VALUES("år")="2019","2020","2021";
CODES("kön")="1","2";
KEYS("region")=VALUES;
KEYS("kön")=CODES;
DATA=
{data};
"""


def test_px_reads_keys_rows_in_any_order_and_fills_the_rows_left_out_with_zeros():
    result = read_px(px(KEYED.format(data='"Göteborg","2",4 5 6\n"Stockholm", "1", 1 ".." 3')))
    cube = result[0]
    assert result[1] == []
    assert [d.code for d in cube.dimensions] == ["region", "kön", "år"]
    assert cube.values[0, 0].tolist()[0::2] == [1.0, 3.0] and math.isnan(cube.values[0, 0, 1])
    assert dict(cube.status) == {1: ".."}  # Stockholm, män, 2020
    assert cube.values[1, 1].tolist() == [4.0, 5.0, 6.0]
    # Rows of only zeros are left out of a KEYS file (PX specification); PxWeb fills them so.
    assert cube.values[0, 1].tolist() == [0.0, 0.0, 0.0] and cube.values[1, 0].tolist() == [0.0, 0.0, 0.0]
    # The same table written in full reads the same.
    full = KEYED.replace('KEYS("region")=VALUES;\nKEYS("kön")=CODES;\n', "").format(
        data='1 ".." 3\n0 0 0\n0 0 0\n4 5 6'
    )
    again = parse_px(px(full))
    assert np.array_equal(again.values, cube.values, equal_nan=True) and dict(again.status) == dict(
        cube.status
    )


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        ('"Stockholm","1",1 2 3\n"Malmö","1",4 5 6', 'The key “Malmö” is not one of VALUES("region")', 18),
        ('"Stockholm","män",1 2 3', 'The key “män” is not one of CODES("kön") (KEYS("kön")=CODES)', 17),
        (
            '"Stockholm","1",1 2 3\n"Göteborg","1",4 5 6\n"Stockholm","1",7 8 9',
            "The row region=Stockholm, kön=1 is given twice (lines 17 and 19)",
            19,
        ),
        (
            '"Stockholm","1",1 2 3\n"Göteborg","1",4 5',
            "The row has 2 values after its keys; each row holds 3 (3 år)",
            18,
        ),
        ('"Stockholm","1",1 2 3 4', "The row has 4 values after its keys; each row holds 3", 17),
        ("1 2 3", "A row of DATA must begin with the keys of region, kön in quotation marks", 17),
        ('"Stockholm",1 2 3', "A row of DATA must begin with the keys of region, kön", 17),
        ('"Stockholm","1",1 2 x', "“x” is not a number", 17),
        (
            '"Stockholm","1",1 2 3\n"Stockholm","2",1 2 3\n"Göteborg","1",1 2 3\n"Göteborg","2",1 2 3\n'
            '"Göteborg","2",1 2 3',
            "DATA has more rows than the 4 the table has",
            21,
        ),
    ],
)
def test_px_refuses_a_bad_keys_row_with_its_line(data, message, line):
    error = refused(parse_px, px(KEYED.format(data=data)))
    assert message in error.message
    assert error.line == line


@pytest.mark.parametrize(
    ("change", "message", "line"),
    [
        (
            lambda b: b.replace('KEYS("kön")=CODES;\n', ""),
            "KEYS is given for region but not for the STUB variable “kön”",
            14,
        ),
        (
            lambda b: b.replace('KEYS("kön")=CODES', 'KEYS("år")=VALUES'),
            'KEYS("år"): only STUB variables can be keys',
            15,
        ),
        (
            lambda b: b.replace('KEYS("kön")=CODES', 'KEYS("kön")=TEXTS'),
            'KEYS("kön") must be VALUES or CODES, not “TEXTS”',
            15,
        ),
        (lambda b: b.replace('KEYS("kön")=CODES', 'KEYS("sex")=CODES'), "unknown dimension “sex”", 15),
        (
            lambda b: b.rstrip().rstrip(";"),
            "The file ends without the “;” that closes DATA (is it cut short?). 1 rows",
            17,
        ),
        (lambda b: b + 'NOTE="late";\n', "Text after the “;” that ends DATA", 18),
    ],
)
def test_px_refuses_broken_keys_with_the_line(change, message, line):
    error = refused(parse_px, px(change(KEYED.format(data='"Stockholm","1",1 2 3'))))
    assert message in error.message
    assert error.line == line


def test_the_rows_a_keys_file_leaves_out_count_towards_the_absent_cells_allowed():
    one_row = px(KEYED.format(data='"Stockholm","1",1 2 3'))
    assert parse_px(one_row, limits=ImportLimits(max_absent_cells=9)).size == 12
    message = refused(parse_px, one_row, limits=ImportLimits(max_absent_cells=8)).message
    assert "The file gives 3 of the 12 cells its dimensions make" in message
    assert "at most 8 cells may be left out" in message
    # A few lines cannot declare a large table: refused from the count of lines, before the
    # table's array is allocated.
    regions = ",".join(f'"{i}"' for i in range(20_000))
    big = KEYED.replace('"Stockholm","Göteborg"', regions).format(data='"1","1",1 2 3')
    message = refused(parse_px, px(big)).message
    assert "DATA has 3 lines, room for at most 3 of the table's 40,000 rows" in message
    assert "more than the 100,000 cells that may be left out" in message


def test_huge_tables_are_refused_before_anything_is_allocated():
    values = ",".join(f'"{i}"' for i in range(10_000))
    header = f'STUB="a","b";\nVALUES("a")={values};\nVALUES("b")={values};\nDATA=\n1 2 3;\n'
    error = refused(parse_px, px(header))
    assert "The table would have 100,000,000 cells (10000 a × 10000 b)" in error.message
    small = refused(parse_px, px(SMALL.format(data="1")))
    assert "DATA is too short to hold more than" in small.message
    codes = [str(i) for i in range(8000)]
    sparse = _dataset(
        size=[8000, 8000],
        dimension={"region": {"category": {"index": codes}}, "tid": {"category": {"index": codes}}},
        value={"0": 1},
        status=None,
    )
    assert "64,000,000 cells (8000 region × 8000 tid)" in refused(parse_jsonstat, sparse).message
    wide = "\n".join(f"{i},{i},{i}" for i in range(20_000))
    assert "more than the 5,000,000 allowed" in refused(parse_csv, f"a,b,value\n{wide}\n".encode()).message


def test_every_reader_checks_the_limits_it_is_given_before_reading_the_values():
    tight = ImportLimits(max_cells=5, max_absent_cells=0)
    # A 2 × 3 table: six cells, one more than allowed; each reader names the sizes and the limit.
    table = px(SMALL.format(data="1 2 3\n4 5 6"))
    assert parse_px(table).size == 6
    for call, data in (
        (parse_px, table),
        (parse_jsonstat, _dataset(size=[2, 3], dimension=_dims(2, 3), value=[1, 2, 3, 4, 5, 6], status=None)),
        (parse_csv, b"a,b,value\n" + b"".join(b"%d,%d,1\n" % (i, j) for i in range(2) for j in range(3))),
        (parse, b"a,b,value\n" + b"".join(b"%d,%d,1\n" % (i, j) for i in range(2) for j in range(3))),
    ):
        message = refused(call, data, limits=tight).message
        assert "6 cells" in message and "more than the 5 allowed" in message, message


def _dims(*sizes: int) -> dict:
    names = ["region", "tid", "kon", "alder"][: len(sizes)]
    return {
        n: {"label": n, "category": {"index": [str(c) for c in range(k)]}}
        for n, k in zip(names, sizes, strict=True)
    }


def test_a_sparse_file_may_leave_out_only_so_many_cells():
    limits = ImportLimits(max_cells=1000, max_absent_cells=3)
    # JSON-stat: 16 cells declared, 12 given → 4 left out, one more than allowed.
    given = {str(i): i for i in range(12)}
    sparse = _dataset(id=["region", "tid"], size=[4, 4], dimension=_dims(4, 4), value=given, status=None)
    message = refused(parse_jsonstat, sparse, limits=limits).message
    assert message == (
        "The file gives 12 of the 16 cells its dimensions make (4 region × 4 tid); "
        "at most 3 cells may be left out."
    )
    one_more = {**given, "12": 12}
    cube = parse_jsonstat(
        _dataset(id=["region", "tid"], size=[4, 4], dimension=_dims(4, 4), value=one_more, status=None),
        limits=limits,
    )
    assert dict(cube.status) == {13: "..", 14: "..", 15: ".."}
    # A long CSV: a 3 × 3 table from the 3 rows on its diagonal leaves out 6 cells.
    diagonal = b"a,b,value\n0,0,1\n1,1,1\n2,2,1\n"
    assert "gives 3 of the 9 cells" in refused(parse_csv, diagonal, limits=limits).message
    # Nulls in a dense value array are in the file: they are not "left out".
    dense = _dataset(size=[4, 4], id=["region", "tid"], dimension=_dims(4, 4), value=[None] * 16, status=None)
    assert len(parse_jsonstat(dense, limits=limits).status) == 16


def test_one_status_for_all_cells_applies_to_the_missing_ones_only():
    cube = parse_jsonstat(_dataset(value=[1, None, None, 4], status="-"))
    assert cube.values.ravel().tolist() == [1.0, 0.0, 0.0, 4.0] and dict(cube.status) == {}
    cube = parse_jsonstat(_dataset(value=[1, None, None, 4], status=[":"]))
    assert dict(cube.status) == {1: ":", 2: ":"}


def test_px_second_language_must_match_the_first():
    body = SMALL.format(data="1 2 3\n4 5 6").replace(
        "DATA=",
        'LANGUAGES="sv","en";\nSTUB[en]="region";\nHEADING[en]="year";\nVALUES[en]("region")="Stockholm";\nDATA=',
    )
    error = refused(parse_px, px(body))
    assert 'VALUES[en]("region") has 1 values but VALUES("region") has 2' in error.message
    unknown = body.replace('VALUES[en]("region")="Stockholm"', 'VALUES[en]("county")="A","B"')
    assert "unknown dimension “county”" in refused(parse_px, px(unknown)).message


# --- JSON-stat 2.0 ------------------------------------------------------------------------------


def test_jsonstat_reads_a_pxwebapi_dataset():
    cube = parse_jsonstat(fixture("pxweb_asylum_sex_2002_2004_sv.json"))
    kon, contents, tid = cube.dimensions
    assert [d.code for d in cube.dimensions] == ["Kon", "ContentsCode", "Tid"]
    assert [(c.code, c.label_sv, c.label_en) for c in kon.categories] == [
        ("1", "män", ""),
        ("2", "kvinnor", ""),
        ("1+2", "totalt", ""),
    ]
    assert (kon.label_sv, kon.total, contents.role, tid.role) == ("kön", "1+2", CONTENTS, TIME)
    assert cube.values[:, 0, :].tolist() == [MEN, WOMEN, TOTAL]
    assert cube.meta.table_id == "ASYL0204"
    assert cube.meta.unit == "antal"
    assert cube.meta.updated == "2025-02-21T08:00:00Z"


def test_jsonstat_english_response_fills_label_en_and_merges_with_swedish():
    sv = parse_jsonstat(fixture("pxweb_asylum_sex_2002_2004_sv.json"))
    en = parse_jsonstat(fixture("pxweb_asylum_sex_2002_2004_en.json"))
    assert en.dimensions[0].categories[0].label_en == "men"
    merged = merge_languages(sv, en)
    assert merged.dimensions[0].categories[0] == Category("1", "män", "men")
    assert (merged.meta.title_sv, merged.meta.title_en) == (sv.meta.title_sv, en.meta.title_en)


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pyjstat")
def test_jsonstat_agrees_with_pyjstat():
    pyjstat = pytest.importorskip("pyjstat.pyjstat")
    raw = fixture("pxweb_asylum_sex_2002_2004_sv.json").decode()
    frame = pyjstat.Dataset.read(raw).write("dataframe", naming="id")
    cube = parse_jsonstat(raw)
    ours = [
        (tuple(c.code for c in combo), v)
        for combo, v in zip(_combinations(cube), cube.values.ravel().tolist(), strict=True)
    ]
    theirs = [(tuple(row[:3]), float(row[3])) for row in frame.itertuples(index=False)]
    assert ours == theirs


def _dataset(**overrides):
    document = {
        "version": "2.0",
        "class": "dataset",
        "id": ["region", "tid"],
        "size": [2, 2],
        "dimension": {
            "region": {
                "label": "region",
                "category": {"index": {"01": 0, "03": 1}, "label": {"01": "A", "03": "B"}},
            },
            "tid": {"label": "år", "category": {"index": ["2019", "2020"]}},
        },
        "role": {"time": ["tid"]},
        "extension": {"px": {"language": "sv"}},
        "value": [1, None, None, 4],
        "status": {"1": ".", "2": "-"},
    }
    document.update(overrides)
    return json.dumps(document).encode()


def test_jsonstat_null_is_missing_with_its_status_and_pxweb_nil_is_zero():
    cube = parse_jsonstat(_dataset())
    assert cube.values.ravel()[[0, 2, 3]].tolist() == [1.0, 0.0, 4.0]
    assert math.isnan(cube.values.ravel()[1])
    assert cube.status == {1: "."}
    assert cube.dimensions[1].codes == ("2019", "2020")  # index given as an array


def test_jsonstat_sparse_values_and_status_list():
    cube = parse_jsonstat(_dataset(value={"0": 1, "3": 4}, status=[None, ":", None, None]))
    assert cube.status == {1: ":", 2: ".."}  # a null without a symbol gets ".."
    assert cube.values.ravel()[3] == 4.0


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_dataset(value=[1, 2, 3]), "value has 3 entries but size (2 × 2) makes 4 cells"),
        (_dataset(id=["region", "kon"]), "“id” lists the unknown dimension “kon”"),
        (_dataset(role={"geo": ["kommun"]}), "role.geo names an unknown dimension “kommun”"),
        (
            _dataset(
                dimension={
                    "region": {"category": {"index": {"01": 0, "03": 2}}},
                    "tid": {"category": {"index": ["2019", "2020"]}},
                }
            ),
            "dimension.region.category.index is not a permutation of 0..1",
        ),
        (_dataset(size=[3, 2]), "size gives 3 categories for region but its category index has 2"),
        (_dataset(version="1.0"), 'Only JSON-stat versions 1.x and 2.0 are read; this says "1.0"'),
        (json.dumps({"version": "2.0", "class": "collection"}).encode(), "not a JSON-stat dataset"),
        (b"[1, 2]", "not an object"),
    ],
)
def test_jsonstat_refuses_inconsistent_datasets(document, message):
    assert message in refused(parse_jsonstat, document).message


def test_jsonstat_refuses_a_non_numeric_value_naming_its_index_and_codes():
    error = refused(parse_jsonstat, _dataset(value=[1, "12 st", None, 4]))
    assert error.cell == "value index 1 (region=01, tid=2020)"
    assert "“12 st”" in error.message or '"12 st"' in error.message
    assert str(error).startswith("Value index 1 (region=01, tid=2020): The value")
    assert refused(parse_jsonstat, _dataset(value=[1, True, None, 4])).cell.startswith("value index 1")


def test_jsonstat_refuses_invalid_json_with_line_and_column():
    error = refused(parse_jsonstat, b'{\n  "version": "2.0",\n  "class": "dataset"\n  "id": []\n}')
    assert (error.line, error.cell) == (4, "column 3")
    assert "not valid JSON" in error.message
    assert refused(parse_jsonstat, b'{"value": [NaN]}').message.startswith("The JSON holds NaN")


# --- plain CSV ----------------------------------------------------------------------------------


def test_csv_reads_the_documented_long_format():
    cube = parse_csv(fixture("asylum_sex_2002_2004_long.csv"))
    kon, contents, tid = cube.dimensions
    assert [d.code for d in cube.dimensions] == ["Kon", "ContentsCode", "Tid"]
    assert [(c.code, c.label_sv, c.label_en) for c in kon.categories] == [
        ("1", "män", "men"),
        ("2", "kvinnor", "women"),
        ("1+2", "totalt", "total"),
    ]
    assert (tid.role, contents.role, kon.role) == (TIME, CONTENTS, "")
    assert cube.values[:, 0, :].tolist() == [MEN, WOMEN, TOTAL]
    assert cube.status == {}


def test_csv_missing_values_symbols_zero_and_missing_combinations():
    text = (
        "\ufeffregion,år,value,status\n"
        "01,2019,12.5,\n"
        "01,2020,..,\n"
        "03,2019,,\n"
        "03,2020,-,\n"
        '04,2019,"",:\n'
        "04,2020,7,*\n"
        "04,2021,,-\n"
        "05,2021,1e3,\n"
    )
    cube = parse_csv(text.encode())
    region, year = cube.dimensions
    assert region.codes == ("01", "03", "04", "05") and year.codes == ("2019", "2020", "2021")
    assert year.role == TIME
    values = cube.values
    assert values[0, 0] == 12.5 and values[1, 1] == 0.0 and values[2, 1] == 7.0 and values[3, 2] == 1000.0
    assert values[2, 2] == 0.0  # 04/2021: empty value, status "-" is a true zero
    assert cube.status == {
        1: "..",  # 01/2020 ".." kept
        2: "..",  # 01/2021 never given
        3: "..",  # 03/2019 empty value
        5: "..",  # 03/2021 never given
        6: ":",  # 04/2019 empty value, status column gives the symbol
        9: "..",  # 05/2019
        10: "..",  # 05/2020
    }
    assert all(math.isnan(values.ravel()[i]) for i in cube.status)


@pytest.mark.parametrize(
    ("text", "message", "line", "cell"),
    [
        ("a,b,value\n1,2,3\n1,2\n", "2 fields where the header has 3", 3, None),
        ("a,b,value\n1,2,3\n1,3,4\n1,2,5\n", "(a=1, b=2) is given twice: on line 2 and on line 4", 4, None),
        ("a,b,value\n1,2,3\n1,3,4 000\n", "“4 000” is not a number", 3, 'column "value"'),
        ("a,b,value\n1,2,3\n1,3,4,5\n", "4 fields where the header has 3", 3, None),
        ("a,b,amount\n1,2,3\n", "no “value” column", 1, None),
        ("a;b;value\n1;2;3\n", "The plain CSV is comma-separated", 1, None),
        ("a,b,a,value\n1,2,3,4\n", "repeats the column “a” (columns 1 and 3)", 1, None),
        ("a,value,c.label_sv\n1,2,x\n", "unknown dimension “c”", 1, None),
        ("a,value,a.label_sv\n1,2,x\n1,3,y\n", "“y” here but “x” on line 2", 3, 'column "a.label_sv"'),
        ("a,b,value\n1,,3\n", "The code in column “b” is empty", 2, 'column "b"'),
        ("a,value\n", "header but no rows", 1, None),
    ],
)
def test_csv_refuses_broken_files_with_line_and_column(text, message, line, cell):
    error = refused(parse_csv, text.encode())
    assert message in error.message
    assert error.line == line
    assert error.cell == cell


def test_csv_refuses_a_file_that_is_not_utf8_naming_the_line():
    data = "region,value\nStockholm,1\nGöteborg,2\n".encode("cp1252")
    error = refused(parse_csv, data)
    assert error.line == 3
    assert "not valid UTF-8" in error.message and "Save the CSV as UTF-8" in error.message


# --- PxWebApi CSV -------------------------------------------------------------------------------


def test_pxweb_csv_wide_layout_with_title_in_iso_8859_1():
    data = fixture("pxweb_asylum_sex_2002_2004_wide.csv")
    assert "kön".encode("latin-1") in data
    cube = parse_pxweb_csv(data, heading=("ContentsCode", "Tid"))
    assert [d.code for d in cube.dimensions] == ["Kon", "ContentsCode", "Tid"]
    assert [d.role for d in cube.dimensions] == ["", CONTENTS, TIME]
    assert cube.values[:, 0, :].tolist() == [MEN, WOMEN, TOTAL]
    assert cube.meta.title_sv == "Asylsökande efter kön, tabellinnehåll och år"
    unnamed = parse_pxweb_csv(data)  # the CSV does not name heading variables
    assert [(d.code, d.role) for d in unnamed.dimensions] == [("Kon", ""), ("heading1", ""), ("Tid", TIME)]


def test_pxweb_csv_every_variable_in_the_stub_with_semicolons():
    cube = parse(fixture("pxweb_asylum_sex_2002_2004_stub.csv"), filename="tab.csv")
    assert [d.code for d in cube.dimensions] == ["Kon", "ContentsCode", "Tid"]
    assert cube.values[:, 0, :].tolist() == [MEN, WOMEN, TOTAL]
    assert cube.meta.title_sv == "Asylsökande"  # the contents column


def test_pxweb_csv_symbols_and_refusals():
    cube = parse_pxweb_csv(b'"Region","2019","2020"\n"01",..,-\n"03",5,"."\n')
    assert cube.status == {0: "..", 3: "."}
    assert cube.values.ravel()[1] == 0.0
    ragged = refused(parse_pxweb_csv, b'"Region","2019","2020"\n"01",1,2\n"03",5\n')
    assert (ragged.line, ragged.message) == (3, "2 fields where the header has 3.")
    bad = refused(parse_pxweb_csv, b'"Region","2019","2020"\n"01",1,2\n"03",5,x\n')
    assert (bad.line, bad.cell) == (3, 'column "2020", line 3')
    texts = refused(parse_pxweb_csv, b'"Region","men 2019","women and girls 2019"\n"01",1,2\n')
    assert "cannot be split into heading variables" in texts.message
    twice = refused(parse_pxweb_csv, b'"Region","2019"\n"01",1\n"01",2\n')
    assert "given twice: on line 2 and on line 3" in twice.message


# --- the same table in every format -------------------------------------------------------------


def test_the_same_table_gives_the_same_cube_in_every_format():
    from_px = parse(fixture("asylum_sex_2002_2004_ansi.px"), filename="asyl.px")
    from_json = merge_languages(
        parse(fixture("pxweb_asylum_sex_2002_2004_sv.json")),
        parse(fixture("pxweb_asylum_sex_2002_2004_en.json")),
    )
    # Everything the two say agrees except the update time (PX local time, JSON-stat UTC).
    assert from_px.meta.updated != from_json.meta.updated
    assert without_updated(from_px).content_sha256() == without_updated(from_json).content_sha256()
    others = [
        parse(fixture("asylum_sex_2002_2004_long.csv")),
        parse_pxweb_csv(fixture("pxweb_asylum_sex_2002_2004_wide.csv"), heading=("ContentsCode", "Tid")),
        parse(fixture("pxweb_asylum_sex_2002_2004_stub.csv")),
    ]
    for cube in others:
        assert [d.codes for d in cube.dimensions] == [d.codes for d in from_px.dimensions]
        assert [d.role for d in cube.dimensions] == [d.role for d in from_px.dimensions]
        assert list(cube.rows()) == list(from_px.rows())


# --- detection and the front door ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("asylum_sex_2002_2004_ansi.px", "px"),
        ("asylum_sex_2002_2004_utf8.px", "px"),
        ("pxweb_asylum_sex_2002_2004_sv.json", "jsonstat2"),
        ("asylum_sex_2002_2004_long.csv", "csv"),
        ("pxweb_asylum_sex_2002_2004_wide.csv", "pxweb-csv"),
        ("pxweb_asylum_sex_2002_2004_stub.csv", "pxweb-csv"),
    ],
)
def test_detect_format_by_content(name, expected):
    assert detect_format(fixture(name), name) == expected
    assert detect_format(fixture(name), "upload.bin" if expected != "csv" else "") == expected


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"PK\x03\x04rest", "table.xlsx", "ZIP archive"),
        (b'{"version": "2.0", "class": "collection"}', "x.json", "not a JSON-stat dataset"),
        (b"hello world\n", "notes.txt", "not a recognised statistics file"),
        (b"a;b\n1;2\n", "table.px", "named .px but does not start with a PX keyword"),
        (b"", "empty.csv", "empty"),
        (b"a\x00b", "x.csv", "binary"),
    ],
)
def test_detect_format_refuses_unrecognised_files(data, filename, message):
    assert message in refused(detect_format, data, filename).message


def test_parse_with_an_explicit_or_unknown_format():
    assert parse(fixture("asylum_sex_2002_2004_utf8.px"), "px").shape == (3, 1, 3)
    assert parse(fixture("pxweb_asylum_sex_2002_2004_sv.json"), "json-stat2").shape == (3, 1, 3)
    assert "Unknown format “xlsx”" in refused(parse, b"x", "xlsx").message


def test_import_refused_says_everything():
    assert str(ImportRefused("Bad.", line=7, cell='column "2019"')) == 'Line 7, column "2019": Bad.'
    assert str(ImportRefused("Bad.", cell="value index 3 (a=1)")) == "Value index 3 (a=1): Bad."
    assert str(ImportRefused("Bad.")) == "Bad."


# --- leniency where the data leaves no doubt (issue #19) ---------------------------------------


def test_px_data_ending_at_the_end_of_the_file_is_read_when_every_value_is_there():
    body = SMALL.format(data="1 2 3\n4 5 6").rstrip().rstrip(";")
    cube, warnings = read_px(px(body))
    assert cube.values.ravel().tolist() == [1, 2, 3, 4, 5, 6]
    assert warnings == [ParseWarning("data_not_closed", {"values": 6})]
    assert read(px(body)).warnings == (ParseWarning("data_not_closed", {"values": 6}),)
    assert parse_px(px(body)).values.ravel().tolist() == [1, 2, 3, 4, 5, 6]  # the old call still works
    # One value too many is as wrong as one too few.
    error = refused(parse_px, px(body + " 7"))
    assert "7 values were read; the table needs 6 (2 region × 3 år)" in error.message
    assert error.line == 16  # the last line of the file


def test_px_data_rows_ending_with_semicolons_are_read_when_the_count_is_right():
    body = SMALL.format(data="1 2 3;\n4 5 6;").replace("\n;\n", "\n")
    cube, warnings = read_px(px(body))
    assert cube.values.ravel().tolist() == [1, 2, 3, 4, 5, 6]
    assert warnings == [ParseWarning("data_row_semicolons", {"rows": 2})]
    short = refused(parse_px, px(body.replace("4 5 6;", "4 5;")))
    assert "DATA has 5 values but the table needs 6" in short.message
    assert "Its first “;” is on line 14, and 1 more rows follow it." in short.message
    assert short.line == 15  # the row with 2 values instead of 3
    inside = refused(parse_px, px(body.replace("1 2 3;", "1 2; 3")))
    assert "Text after the “;” that ends DATA: “3”" in inside.message and inside.line == 14


def test_px_text_after_a_complete_data_block_is_still_refused():
    body = SMALL.format(data="1 2 3\n4 5 6") + "7 8 9\n"
    error = refused(parse_px, px(body))
    assert "Text after the “;” that ends DATA: “7 8 9”" in error.message and error.line == 17


def test_px_quoted_text_continued_over_a_line_break_is_read_as_pxweb_does():
    body = SMALL.format(data="1 2 3\n4 5 6").replace(
        'UNITS="antal";', 'UNITS="antal";\nNOTE="Första raden\nandra raden, "\n"och en till.";'
    )
    cube = parse_px(px(body))
    assert cube.meta.notes == "Första raden\nandra raden, och en till."
    assert cube.values.ravel().tolist() == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ('TITLE="Testtabell";', 'TITLE="Test"tabell";', 5),  # a stray quote: "Test" touches tabell
        ('UNITS="antal";', 'UNITS="antal;', 7),  # never closed at all
        ('UNITS="antal";', 'UNITS="ant\nal;\nNOTE="x";', 7),  # read on, "x" touches a quote
    ],
)
def test_px_a_quote_that_does_not_close_well_is_refused_naming_its_line(old, new, line):
    body = SMALL.format(data="1 2 3\n4 5 6").replace(old, new)
    error = refused(parse_px, px(body))
    assert "a quotation mark is opened here and never closed" in error.message
    assert error.line == line


def _v1(**overrides) -> dict:
    """A JSON-stat 1.x dataset (json-stat.org format 1.x): id, size and role inside dimension."""
    dataset = {
        "label": "Test",
        "dimension": {
            "id": ["region", "tid"],
            "size": [2, 2],
            "role": {"time": ["tid"]},
            "region": {"label": "region", "category": {"index": {"01": 0, "03": 1}, "label": {"01": "A"}}},
            "tid": {"label": "år", "category": {"index": {"2019": 0, "2020": 1}}},
        },
        "value": [1, None, 3, 4],
        "status": {"1": ":"},
    }
    dataset.update(overrides)
    return dataset


@pytest.mark.parametrize(
    ("document", "warnings"),
    [
        (_v1(), ()),
        ({**_v1(), "class": "dataset"}, ()),
        ({"dataset": _v1()}, (ParseWarning("jsonstat_bundle", {"dataset": "dataset"}),)),
        (
            {"tabell": _v1(value={"0": 1, "2": 3, "3": 4})},
            (ParseWarning("jsonstat_bundle", {"dataset": "tabell"}),),
        ),
    ],
)
def test_jsonstat_1x_datasets_and_bundles_of_one_are_read(document, warnings):
    data = json.dumps(document).encode()
    assert detect_format(data, "x.json") == "jsonstat2"
    result = read(data, "auto", filename="x.json")
    assert result.warnings == warnings
    cube = result.cube
    assert [d.code for d in cube.dimensions] == ["region", "tid"]
    assert cube.dimensions[1].role == TIME
    assert cube.values.ravel()[[0, 2, 3]].tolist() == [1.0, 3.0, 4.0]
    assert cube.status == {1: ":"}


def test_jsonstat_1x_bundle_of_several_is_refused_naming_them():
    data = json.dumps({"oecd": _v1(), "canada": _v1()}).encode()
    error = refused(parse, data, "auto", filename="x.json")
    assert "bundle holds 2 datasets (oecd, canada); one import reads one dataset" in error.message


@pytest.mark.parametrize(
    "document",
    [
        # PxWeb API v1: GET of a table's address answers with its variables.
        {
            "title": "Folkmängd",
            "variables": [{"code": "Tid", "text": "år", "values": ["2019"], "valueTexts": ["2019"]}],
        },
        # PxWebApi 2 /tables/TAB1/metadata?outputFormat=json-stat2: a dataset without values.
        json.loads(_dataset(value=[], status=None, extension={"px": {"tableid": "TAB1"}})),
    ],
)
def test_a_pxweb_metadata_answer_is_refused_saying_how_to_get_the_data(document):
    data = json.dumps(document).encode()
    error = refused(parse, data, "auto", filename="meta.json")
    assert error.message.startswith("This is the table's metadata, not its data: request the data with")
    assert '"response": {"format": "json-stat2"}' in error.message
    assert "/data?outputFormat=json-stat2" in error.message
