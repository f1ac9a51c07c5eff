"""Real PC-Axis and JSON-stat files, as statistics offices and the tools around them publish
them (fixtures/real/README.md gives each file's source, commit and licence).

Every file either imports, with the warnings it deserves, or is refused with the line (PX) or
field (JSON) and the cause: asserted file by file below, with the reason. Every PX file pyaxis
reads is compared with pyaxis cell for cell, and the JSON-stat 1.x files pyjstat reads with
pyjstat (both are test-only oracles, independent of our readers)."""

from __future__ import annotations

import itertools
import json
import re
import warnings
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from samverkan.accounts.tests.factories import member
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.statistics import importers
from samverkan.statistics.importers import ImportRefused
from samverkan.statistics.importers._common import MISSING_SYMBOLS
from samverkan.statistics.models import Dataset, DatasetVersion

REAL = Path(__file__).with_name("fixtures") / "real"
# The folders listed here; languages/ is the multi-language helper's, tested in its own file.
MINE = ("pxweb", "pyaxis", "pxwebapi", "pyjstat")

# file -> (cells, warning codes, why it imports)
IMPORTS: dict[str, tuple[int, list[str], str]] = {
    "pxweb/Population/BE101ACE.px": (
        8064,
        [],
        'SCB 1968-1999, CODES("sex")="1","2",; (a total with no code)',
    ),
    "pxweb/Population/BE0101A1elimtot.px": (90, [], "ELIMINATION names the totals"),
    "pxweb/Population/BE0101A1proc.px": (288, [], "$$SORT of Number and Per cent: a dimension of measures"),
    "pxweb/Population/BE0101A1.px": (
        33936,
        ["data_not_closed"],
        "DATA ends at end of file",
    ),
    "pxweb/aggregations/BE0101D1.px": (
        46176,
        ["data_not_closed"],
        "DATA ends at end of file",
    ),
    "pxweb/Month/PR0101B3.px": (324, ["data_not_closed"], "DATA ends at end of file"),
    "pxweb/Quarter/HA0201E8.px": (117, ["data_not_closed"], "DATA ends at end of file"),
    "pxweb/AggregallowedNo/PR0101B3.px": (
        40,
        ["data_not_closed"],
        "DATA ends at end of file",
    ),
    "pxweb/Doublecolumn/HA0201E8doublecol.px": (117, ["data_not_closed"], "DATA ends at end of file"),
    "pxweb/datanotecell/Transmengde.px": (27300, [], "SSB: NOTE texts continued over line breaks"),
    "pxweb/Population/BE0101F1symbnot.px": (48, [], "the twin of keys/BE0101F1symbnotkeys.px"),
    "pxweb/keys/BE0101F1symbnotkeys.px": (48, [], "KEYS: every row given, by its VALUES texts"),
    "pxweb/keys/BE101ACEkeys.px": (8064, [], "KEYS: 78 of 84 rows given, the rest all zeros"),
    "pxweb/error/fatal/BE0101F1errorCodes.px": (
        48,
        ["codes_skipped"],
        'CODES("region")="0"0","01",...: left out, VALUES intact (pyaxis reads it; PxWeb: fatal)',
    ),
    "pxwebapi/TAB003.px": (2448, [], "PxWebApi 2's sample database, two languages"),
    "pyaxis/1001.px": (504, [], "INE, Windows-1252"),
    "pyaxis/14001.px": (8064, ["data_row_semicolons"], "INE: every DATA row ends with ;"),
    "pyaxis/27067.px": (812, [], 'INE: quoted "." symbols'),
    "pyjstat/statswe.json": (1120, ["jsonstat_bundle"], 'PxWeb API v1 JSON-stat 1.x: {"dataset": {...}}'),
    "pyjstat/ons.json": (261, ["jsonstat_bundle"], "ONS JSON-stat 1.x bundle of one, value as object"),
    "pyjstat/galicia-ds.json": (3960, [], "json-stat.org 1.x dataset with class, no version"),
}
# SCB's files for testing PxWeb's error handling that PxWeb reads past with a warning ("continue"):
# file -> (warning params, why it imports). Each is the same 48-cell table.
CONTINUE = "pxweb/error/continue/BE0101F1error"
SKIPPED = "keyword_skipped"
IGNORED = "unknown_variable_ignored"
PXWEB_CONTINUES: dict[str, tuple[str, dict[str, str | int], str]] = {
    f"{CONTINUE}Contact.px": (
        SKIPPED,
        {"keyword": 'CONTACT("Inmigrated")', "line": 45},
        'a stray quote: CONTACT("Inmigrated")="Ewa Eri"ksson, ...";',
    ),
    f"{CONTINUE}Description.px": (
        SKIPPED,
        {"keyword": "DESCRIPTION", "line": 10},
        'DESCRIPTION="Description "Migration ..."; TITLE gives the title (pyaxis fails here)',
    ),
    f"{CONTINUE}Map.px": (SKIPPED, {"keyword": 'MAP("region")', "line": 33}, 'MAP("region")="Swed"en_...";'),
    f"{CONTINUE}Note.px": (SKIPPED, {"keyword": "NOTE", "line": 49}, 'NOTE="Optio"nal table note";'),
    f"{CONTINUE}Source.px": (SKIPPED, {"keyword": "SOURCE", "line": 44}, 'SOURCE="Stati"stics Sweden";'),
    f"{CONTINUE}ValueNote.px": (
        SKIPPED,
        {"keyword": 'VALUENOTE("age","20")', "line": 60},
        '="option"al valuenote for age 20";',
    ),
    f"{CONTINUE}Valuenotex.px": (
        SKIPPED,
        {"keyword": 'VALUENOTEX("region","0114 Upplands Väsby")', "line": 59},
        '="mandatory valuenote" for Upplands Väsby";',
    ),
    f"{CONTINUE}Domain.px": (
        IGNORED,
        {"keyword": 'DOMAIN("regionx")', "variable": "regionx", "line": 30},
        "a describing keyword about a variable the table does not have",
    ),
    f"{CONTINUE}DoubleCol.px": (
        IGNORED,
        {"keyword": 'DOUBLECOLUMN("regionx")', "variable": "regionx", "line": 28},
        "a describing keyword about a variable the table does not have",
    ),
    f"{CONTINUE}NoteVar.px": (
        IGNORED,
        {"keyword": 'NOTE("regionx")', "variable": "regionx", "line": 52},
        "a variable note about a variable the table does not have",
    ),
    f"{CONTINUE}ElimYalue.px": (
        IGNORED,
        {"keyword": 'ELIMINATION("regionx")', "variable": "regionx", "line": 34},
        "cannot name the total of a variable the table does not have",
    ),
    f"{CONTINUE}ElimYes.px": (
        IGNORED,
        {"keyword": 'ELIMINATION("sexx")', "variable": "sexx", "line": 35},
        "cannot name the total of a variable the table does not have",
    ),
}
IMPORTS.update({name: (48, [code], why) for name, (code, _params, why) in PXWEB_CONTINUES.items()})
# file -> (line or None for JSON, words of the refusal, why it is refused)
REFUSED: dict[str, tuple[int | None, str, str]] = {
    "pxweb/error/fatal/BE0101F1errorMatrix.px": (
        8,
        "MATRIX: a quotation mark is opened here and never closed",
        'a stray quote, MATRIX="BE01"01F1"; (PxWeb: a fatal error)',
    ),
    "pxwebapi/MetadataById_tab004_js2.json": (
        None,
        "This is the table's metadata, not its data: request the data with",
        "PxWebApi 2 /metadata in json-stat2: no values",
    ),
    "pyjstat/oecd-canada.json": (
        None,
        "bundle holds 2 datasets (oecd, canada); one import reads one dataset",
        "two datasets: which one is meant is not ours to pick",
    ),
    "pyjstat/QS104EW.json": (
        None,
        "“size” does not give one size for each of the 4 dimensions",
        "ONS: dimension.id has 4 entries but size 3",
    ),
}


def _files() -> set[str]:
    return {
        str(p.relative_to(REAL))
        for folder in MINE
        for p in (REAL / folder).rglob("*")
        if p.is_file() and p.name != "README.md"
    }


def test_every_real_file_is_listed_as_imported_or_refused():
    assert _files() == set(IMPORTS) | set(REFUSED)
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    for name in _files():
        assert f"`{name}`" in readme, f"{name} has no source and licence in fixtures/real/README.md"


@pytest.mark.parametrize("name", sorted(IMPORTS))
def test_a_real_file_imports_with_its_warnings(name):
    cells, codes, _why = IMPORTS[name]
    result = importers.read((REAL / name).read_bytes(), "auto", filename=name)
    assert result.cube.size == cells
    assert [w.code for w in result.warnings] == codes
    for warning in result.warnings:
        if warning.code == "data_not_closed":
            assert warning.params == {"values": cells}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_real_file_is_refused_naming_the_line_and_cause(name):
    line, words, _why = REFUSED[name]
    with pytest.raises(ImportRefused) as info:
        importers.read((REAL / name).read_bytes(), "auto", filename=name)
    assert words in info.value.message
    assert info.value.line == line


# --- against pyaxis, cell for cell ------------------------------------------------------------------


def _encoding(data: bytes) -> str:
    """What pyaxis must be told: it never reads CHARSET/CODEPAGE itself."""
    codepage = re.search(rb'CODEPAGE\s*=\s*"([^"]*)"', data)
    if codepage:
        return codepage.group(1).decode("ascii")
    return "cp1252" if re.search(rb'CHARSET\s*=\s*"ANSI"', data) else "utf-8"


def _pyaxis_values(path: Path, encoding: str) -> np.ndarray:
    from pyaxis import pyaxis

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pyaxis.parse(str(path), encoding=encoding)["DATA"]
    # pyaxis turns "." into "" and ".." (and longer) into NaN; other symbols stay as text.
    cells = []
    for raw in frame["DATA"].tolist():
        text = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw).strip('"')
        if text == "" or text in MISSING_SYMBOLS:
            cells.append(np.nan)
        elif text == "-":
            cells.append(0.0)
        else:
            cells.append(float(text))
    return np.array(cells)


# pyaxis cannot read the broken DESCRIPTION (it splits metadata on '"'); the cells of that file are
# checked against another file of the same table below.
# Nor the KEYS files (it reads the keys as values: "Length of values ... does not match"); their
# cells are checked against their twins, which pyaxis reads, below.
KEYS_TWINS = {
    "pxweb/keys/BE0101F1symbnotkeys.px": "pxweb/Population/BE0101F1symbnot.px",
    "pxweb/keys/BE101ACEkeys.px": "pxweb/Population/BE101ACE.px",
}
PYAXIS_FAILS = {f"{CONTINUE}Description.px", *KEYS_TWINS}
PYAXIS_READS = sorted(name for name in IMPORTS if name.endswith(".px") and name not in PYAXIS_FAILS)


@pytest.mark.parametrize("name", PYAXIS_READS)
def test_every_cell_of_a_real_px_file_matches_pyaxis(name):
    path = REAL / name
    data = path.read_bytes()
    ours = importers.parse(data, "px").values.ravel()
    theirs = _pyaxis_values(path, _encoding(data))
    assert theirs.shape == ours.shape
    assert np.array_equal(ours, theirs, equal_nan=True)


@pytest.mark.parametrize("name", sorted(PXWEB_CONTINUES))
def test_a_pxweb_continue_file_names_what_was_skipped_or_ignored(name):
    code, params, _why = PXWEB_CONTINUES[name]
    result = importers.read((REAL / name).read_bytes(), "px", filename=name)
    assert [w.as_dict() for w in result.warnings] == [{"code": code, "params": params}]
    # The statements after the one left out are read: the table note, the source, the totals.
    assert result.cube.meta.notes.startswith("Mandatory table note")
    regions = result.cube.dimensions[0]
    assert regions.role == "geo"  # MAP("region") broken: the map name is lost, the role is not
    if name.endswith("Source.px"):
        assert result.cube.meta.source == ""  # the platform then asks where the figures come from
    else:
        assert result.cube.meta.source == "Statistics Sweden"
    if not name.endswith("ElimYalue.px"):
        assert regions.total == "00"  # ELIMINATION("region")="00 Sweden"


def test_the_broken_description_file_has_the_cells_pyaxis_reads_in_its_twin():
    ours = importers.parse((REAL / f"{CONTINUE}Description.px").read_bytes(), "px")
    twin = REAL / f"{CONTINUE}Contact.px"
    assert np.array_equal(ours.values.ravel(), _pyaxis_values(twin, "ISO-8859-1"), equal_nan=True)
    assert ours.meta.title_en == "Migration by region, age, period, type and sex"  # from TITLE


def test_a_broken_description_is_refused_when_it_would_be_the_title():
    data = (REAL / f"{CONTINUE}Description.px").read_bytes()
    untitled = re.sub(rb"(?m)^TITLE=.*\r?\n", b"", data)
    assert untitled != data
    with pytest.raises(ImportRefused) as info:
        importers.parse(untitled, "px")
    assert info.value.line == 10
    assert "DESCRIPTION: a quotation mark is opened here and never closed" in info.value.message


def test_a_broken_describing_keyword_is_refused_when_its_end_is_in_doubt():
    # The CONTACT statement no longer ends its line with ";": where it ends is not in the file.
    data = (REAL / f"{CONTINUE}Contact.px").read_bytes()
    broken = data.replace(b'befolkning@scb.se";', b'befolkning@scb.se"', 1)
    assert broken != data
    with pytest.raises(ImportRefused) as info:
        importers.parse(broken, "px")
    assert info.value.line == 45
    assert "CONTACT: a quotation mark is opened here and never closed" in info.value.message


def test_a_deciding_keyword_about_an_unknown_variable_is_still_refused():
    data = (REAL / f"{CONTINUE}Domain.px").read_bytes()
    for keyword, variable in (("CODES", "age"), ("TIMEVAL", "period"), ("VARIABLE-TYPE", "region")):
        statement = f'{keyword}("{variable}")='.encode()
        if keyword == "VARIABLE-TYPE":  # the file has none: add one before DOMAIN
            data = data.replace(b'DOMAIN("regionx")', statement + b'"G";\nDOMAIN("regionx")', 1)
        wrong = data.replace(statement, f'{keyword}("{variable}x")='.encode(), 1)
        assert wrong != data
        with pytest.raises(ImportRefused) as info:
            importers.parse(wrong, "px")
        assert f'{keyword}("{variable}x") refers to an unknown dimension “{variable}x”' in info.value.message


def test_an_unknown_variable_in_another_language_is_ignored_or_refused_the_same_way():
    data = (REAL / "pxwebapi/TAB003.px").read_bytes()
    at = data.index(b"\nDATA=") + 1
    line = data.count(b"\n", 0, at) + 1

    def with_(statement: bytes) -> bytes:
        return data[:at] + statement + b"\n" + data[at:]

    result = importers.read(with_(b'NOTE[sv]("avfallx")="En not";'), "px")
    assert [w.as_dict() for w in result.warnings] == [
        {
            "code": "unknown_variable_ignored",
            "params": {"keyword": 'NOTE[sv]("avfallx")', "variable": "avfallx", "line": line},
        }
    ]
    with pytest.raises(ImportRefused) as info:
        importers.parse(with_(b'VALUES[sv]("avfallx")="x";'), "px")
    assert info.value.line == line
    assert "refers to an unknown dimension “avfallx”" in info.value.message


CODES_FILE = REAL / "pxweb/error/fatal/BE0101F1errorCodes.px"


def test_a_broken_codes_statement_is_left_out_and_the_categories_take_their_values_texts():
    # CODES is optional in PX: which code "0"0" means is not in the file, but VALUES("region") is
    # intact, so the regions are coded by their VALUES texts, as pyaxis always codes them (its
    # cells are compared in test_every_cell_of_a_real_px_file_matches_pyaxis).
    result = importers.read(CODES_FILE.read_bytes(), "px")
    assert [w.as_dict() for w in result.warnings] == [
        {"code": "codes_skipped", "params": {"variable": "region", "line": 24}}
    ]
    region, age, _period, kind, _sex = result.cube.dimensions
    assert region.codes == ("00 Sweden", "01 Stockholm county", "0114 Upplands Väsby", "0115 Vallentuna")
    assert region.total == "00 Sweden"  # ELIMINATION("region")="00 Sweden" still names the total
    assert age.codes == ("20", "21", "22") and kind.codes == ("BE0101F1", "BE0101F2")  # the next CODES


def test_a_broken_codes_statement_is_refused_when_its_end_or_its_values_are_in_doubt():
    data = CODES_FILE.read_bytes()
    unended = data.replace(b'"0114","0115";', b'"0114","0115"', 1)
    no_values = re.sub(rb'(?m)^VALUES\("region"\)=.*\r?\n', b"", data)
    for broken in (unended, no_values):
        assert broken != data
        with pytest.raises(ImportRefused) as info:
            importers.parse(broken, "px")
        assert info.value.line == (24 if broken is unended else 23)
        assert "CODES: a quotation mark is opened here and never closed" in info.value.message


def test_the_file_pyaxis_cannot_read_that_we_refuse_and_the_keys_files_it_cannot_read():
    for name in ("pxweb/error/fatal/BE0101F1errorMatrix.px", *KEYS_TWINS):
        path = REAL / name
        with pytest.raises(ValueError, match="Length of values"):
            _pyaxis_values(path, _encoding(path.read_bytes()))


# --- KEYS: rows listed by key -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KEYS_TWINS))
def test_a_keys_file_has_every_cell_and_symbol_of_its_twin_without_keys(name):
    # The twin is the same table written in full (and read by pyaxis, cell for cell, above).
    ours = importers.parse((REAL / name).read_bytes(), "px")
    twin = importers.parse((REAL / KEYS_TWINS[name]).read_bytes(), "px")
    assert [d.codes for d in ours.dimensions] == [d.codes for d in twin.dimensions]
    assert np.array_equal(ours.values, twin.values, equal_nan=True)
    assert dict(ours.status) == dict(twin.status)


def test_the_rows_a_keys_file_leaves_out_are_zeros_as_pxweb_fills_them():
    data = (REAL / "pxweb/keys/BE101ACEkeys.px").read_bytes()
    rows = data[data.index(b"DATA=") :].splitlines()[1:]
    keys = {tuple(row.split(b",", 2)[:2]) for row in rows if row.strip()}
    assert len(keys) == 78  # of 4 marital status × 21 age = 84 rows
    cube = importers.parse(data, "px")
    status, age = cube.dimensions[0], cube.dimensions[1]
    left_out = [(s, a) for s in status.codes for a in age.codes]
    labels = {c.code: c.label_en for c in status.categories}, {c.code: c.label_en for c in age.categories}
    left_out = [
        (s, a)
        for s, a in left_out
        if (f'"{labels[0][s]}"'.encode(), f'"{labels[1][a]}"'.encode()) not in keys
    ]
    assert left_out == [
        ("MA", "-4"),
        ("MA", "5-9"),
        ("WI", "5-9"),
        ("DI", "-4"),
        ("DI", "5-9"),
        ("DI", "10-14"),
    ]
    for s, a in left_out:
        row = cube.values[status.codes.index(s), age.codes.index(a)]
        assert (row == 0).all() and row.size == 32 * 3
    assert not cube.status  # zeros, not missing


# --- against pyjstat, cell for cell -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["pyjstat/statswe.json", "pyjstat/ons.json"])
def test_every_cell_of_a_json_stat_1_file_matches_pyjstat(name):
    from pyjstat import pyjstat

    data = (REAL / name).read_bytes()
    cube = importers.parse(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        frame = pyjstat.from_json_stat(json.loads(data), naming="id")[0]
    codes = [d.code for d in cube.dimensions]
    assert list(frame.columns) == [*codes, "value"]
    expected_rows = list(itertools.product(*(d.codes for d in cube.dimensions)))
    assert [tuple(row) for row in frame[codes].astype(str).itertuples(index=False)] == expected_rows
    assert np.array_equal(frame["value"].astype(float).to_numpy(), cube.values.ravel(), equal_nan=True)


# --- what the leniency rests on: the count ------------------------------------------------------


def test_a_data_block_without_its_semicolon_is_refused_when_a_value_is_missing():
    data = (REAL / "pxweb/Population/BE0101A1.px").read_bytes().rstrip()
    lines = data.count(b"\n") + 1
    cut = data[: data.rindex(b" ")]  # the last value gone
    with pytest.raises(ImportRefused) as info:
        importers.parse(cut, "px")
    assert "ends without the “;” that closes DATA" in info.value.message
    assert "33935 values were read; the table needs 33936" in info.value.message
    assert info.value.line == lines


def test_semicolons_ending_each_row_are_refused_when_a_value_is_missing():
    data = (REAL / "pyaxis/14001.px").read_bytes()
    broken = data.replace(b'1 1 ".." ".." 32 31 ".." 1;', b'1 1 ".." ".." 32 31 "..";', 1)
    assert broken != data
    with pytest.raises(ImportRefused) as info:
        importers.parse(broken, "px")
    assert "DATA has 8063 values but the table needs 8064" in info.value.message
    assert "more rows follow it" in info.value.message


def test_a_note_continued_over_a_line_break_keeps_the_text_on_both_sides():
    cube = importers.parse((REAL / "pxweb/datanotecell/Transmengde.px").read_bytes(), "px")
    assert "mindre enn en halv av brukte enhet" in cube.meta.notes  # after the line break
    assert "For korrespondansetabeller mellom de to versjonene" in cube.meta.notes


# --- the platform: warnings kept on the version and shown; a second file of the table ---------------


def _import(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_statistics", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_import_command_keeps_and_prints_the_warnings(english):
    out = _import(REAL / "pxweb/Month/PR0101B3.px", "--title", "KPI", "--source-organisation", "SCB")
    version = DatasetVersion.objects.get(dataset__slug="pr0101b3")
    assert version.warnings == [{"code": "data_not_closed", "params": {"values": 324}}]
    assert (
        "pr0101b3: warning: The file's DATA block ends at the end of the file without its closing “;”" in out
    )
    assert "all 324 values of the table are there" in out


@pytest.mark.django_db
def test_a_skipped_source_is_said_and_the_command_asks_for_one(english):
    path = REAL / f"{CONTINUE}Source.px"
    with pytest.raises(CommandError, match="The file names no source"):
        _import(path, "--title", "Flyttningar")
    assert not Dataset.objects.exists()
    out = _import(path, "--title", "Flyttningar", "--source-organisation", "SCB")
    version = DatasetVersion.objects.get(dataset__slug="be0101f1")
    assert version.warnings == [{"code": "keyword_skipped", "params": {"keyword": "SOURCE", "line": 44}}]
    assert "be0101f1: warning: Line 44: SOURCE could not be read (a stray quotation mark" in out
    assert version.dataset.source_organisation == "SCB"


@pytest.mark.django_db
def test_an_ignored_keyword_is_said_with_its_line_and_variable(english):
    out = _import(REAL / f"{CONTINUE}ElimYes.px", "--title", "Flyttningar", "--source-organisation", "SCB")
    assert (
        'Line 35: ELIMINATION("sexx") is about “sexx”, which is not a variable of the table '
        "(not in STUB or HEADING), so it was ignored." in out
    )


@pytest.mark.django_db
def test_a_second_file_of_the_same_table_says_which_dataset_and_how_they_differ(english):
    _import(REAL / "pxweb/Population/BE101ACE.px", "--title", "Folkmängd", "--source-organisation", "SCB")
    dataset = Dataset.objects.get(slug="be0101a1")
    before = DatasetVersion.objects.count()
    with pytest.raises(CommandError) as info:
        _import(REAL / "pxweb/Population/BE0101A1.px")
    message = str(info.value)
    assert f"matches the dataset “be0101a1” ({dataset.title})" in message
    assert "dimensions in the file only: region;" in message
    assert "categories of “age” in the file only: 0, 1, 2, 3, 4, 5, … (+94)" in message
    assert "categories of “sex” missing from the file: total;" in message
    assert "--dataset SLUG" in message
    assert DatasetVersion.objects.count() == before and dataset.versions.count() == 1
    # As the message says: under a short name of its own it is another dataset.
    _import(REAL / "pxweb/Population/BE0101A1.px", "--dataset", "be0101a1-region", "--title", "Per region")
    assert Dataset.objects.get(slug="be0101a1-region").versions.get().cell_count == 33936


@pytest.mark.django_db
def test_an_editor_sees_the_warnings_on_upload_and_in_the_list_of_versions(client):
    organisation = OrganisationFactory()
    client.force_login(member("editor", organisation))
    data = (REAL / "pyaxis/14001.px").read_bytes()
    response = client.post(
        "/statistics/upload/",
        {"file": SimpleUploadedFile("14001.px", data), "format": "auto", "owner": organisation.pk},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200, page[:2000]
    assert DatasetVersion.objects.get().warnings == [
        {"code": "data_row_semicolons", "params": {"rows": 8064 // 8}}
    ]
    assert "data-version-warnings" in page
    assert page.count("ends 1008 rows with “;” instead of only the last one") == 2  # message + versions


@pytest.mark.django_db
def test_a_skipped_codes_statement_is_said_with_its_line(english):
    out = _import(CODES_FILE, "--title", "Flyttningar", "--source-organisation", "SCB")
    version = DatasetVersion.objects.get(dataset__slug="be0101f1")
    assert version.warnings == [{"code": "codes_skipped", "params": {"variable": "region", "line": 24}}]
    assert (
        'be0101f1: warning: CODES("region") on line 24 could not be read and was left out: the '
        "categories of region take their VALUES texts as codes." in out
    )
