"""Totals and additivity, decided once in the pure table model (``cube.py``) and obeyed by every
view: a dimension with a total category is never summed over (the total would count twice), and
figures that do not add up (percentages, rates, averages, medians, indices, shares, the different
measures of a contents dimension) are never summed over any dimension.

The figures of the small tables here are made up; the real 1968 population file of Statistics
Sweden is in ``test_real_files.py``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest

from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError
from samverkan.statistics import selectors
from samverkan.statistics.cube import (
    BY_CODE,
    BY_DATA,
    BY_LABEL,
    BY_REGION,
    CONTENTS,
    DECLARED,
    GEO,
    MEASURES,
    PERCENT,
    TIME,
    Category,
    Cube,
    Dimension,
    NotAdditive,
    TableMeta,
    find_totals,
    fixed_categories,
    measure_kind,
    with_totals,
)
from samverkan.statistics.importers.px import parse_px
from samverkan.statistics.services import DatasetFields, statistics_import
from samverkan.statistics.storage import version_cube
from samverkan.statistics.tests.factories import store

URL = "/api/v1/statistics/datasets"


def _dim(code: str, labels: dict[str, str], role: str = "", total: str = "", label: str = "") -> Dimension:
    return Dimension(
        code,
        label_sv=label or code,
        categories=tuple(Category(c, label_sv=text) for c, text in labels.items()),
        role=role,
        total=total,
    )


YEARS = {"2022": "2022", "2023": "2023"}


def _table(sex: dict[str, str], values: list[list[float]], *, unit: str = "antal", **dims: Dimension) -> Cube:
    """Year × sex (categories and labels given), figures given year by year."""
    return Cube(
        (_dim("year", YEARS, role=TIME), _dim("sex", sex)),
        np.asarray(values, dtype=float),
        {},
        TableMeta(title_sv="Fiktiv tabell", unit=unit),
    )


# --- which category is the total ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "found"),
    [
        # SCB's code for both sexes names its parts.
        ({"1": "män", "2": "kvinnor", "1+2": "män och kvinnor"}, ("1+2", BY_CODE)),
        ({"1": "män", "2": "kvinnor", "T": "Both"}, ("T", BY_CODE)),
        ({"M": "män", "K": "kvinnor", "X": "Totalt"}, ("X", BY_LABEL)),
        ({"M": "men", "K": "women", "B": "Both sexes"}, ("B", BY_LABEL)),
        ({"a": "0-17 år", "b": "18+ år", "c": "Totalt, samtliga åldrar"}, ("c", BY_LABEL)),
        ({"a": "Yhteensä", "b": "Miehet", "c": "Naiset"}, ("a", BY_LABEL)),
    ],
)
def test_a_code_or_label_that_says_total_names_the_total(labels, found):
    table = _table(labels, [[1, 2, 4], [5, 6, 12]])  # figures that are not a sum: the name decides
    assert find_totals(table)["sex"] == found


@pytest.mark.parametrize(
    "labels",
    [
        # "All other countries" is a category like any other, not "all".
        {"SY": "Syria", "AF": "Afghanistan", "XX": "All other countries"},
        # Two categories that say total in the same way: the name cannot tell which.
        {"a": "Total", "b": "Totalt", "c": "Övriga"},
        {"1": "män", "2": "kvinnor", "3": "okänt kön"},
    ],
)
def test_other_names_say_nothing_about_a_total(labels):
    table = _table(labels, [[1, 2, 4], [5, 6, 12]])
    assert "sex" not in find_totals(table)


def test_the_country_at_the_top_of_a_region_is_its_total_and_nowhere_else():
    regions = {"00": "Riket", "01": "Stockholms län", "03": "Uppsala län"}
    table = Cube(
        (_dim("year", YEARS, role=TIME), _dim("region", regions, role=GEO)),
        np.array([[100.0, 60, 30], [110, 70, 30]]),  # other counties not listed: not a sum
    )
    assert find_totals(table)["region"] == ("00", BY_REGION)
    # Sweden as a country of birth is one country among others.
    births = {"SE": "Sweden", "FI": "Finland", "SY": "Syria"}
    table = Cube((_dim("year", YEARS, role=TIME), _dim("birth", births, label="Födelseland")), table.values)
    assert "birth" not in find_totals(table)


def test_where_names_say_nothing_the_figures_can():
    table = _table({"a": "A", "b": "B", "c": "C"}, [[1, 2, 3], [4, 5, 9]])
    assert find_totals(table)["sex"] == ("c", BY_DATA)
    # One cell where it is not the sum: no total.
    assert "sex" not in find_totals(_table({"a": "A", "b": "B", "c": "C"}, [[1, 2, 3], [4, 5, 8]]))


def test_a_declared_total_wins_and_a_contents_dimension_has_none():
    table = _table({"1": "män", "2": "kvinnor", "T": "Totalt"}, [[1, 2, 3], [4, 5, 9]])
    declared = Cube(
        (table.dimensions[0], Dimension("sex", categories=table.dimensions[1].categories, total="2")),
        table.values,
    )
    assert find_totals(declared)["sex"] == ("2", DECLARED)
    contents = Cube(
        (
            _dim("year", YEARS, role=TIME),
            _dim("c", {"a": "Folkmängd", "b": "Födda", "t": "Totalt"}, role=CONTENTS),
        ),
        table.values,
    )
    assert "c" not in find_totals(contents)


def test_a_dimension_with_a_total_is_never_summed_over():
    table = with_totals(_table({"1": "män", "2": "kvinnor", "T": "Totalt"}, [[10, 20, 30], [11, 22, 33]]))
    assert table.dimension("sex").total == "T"
    assert table.total(["year"]).values.tolist() == [30.0, 33.0]  # not 60 and 66
    # Without the total marked (as before), the total is counted twice.
    assert (
        _table({"1": "m", "2": "k", "T": "Totalt"}, [[10, 20, 30], [11, 22, 33]]).total(["year"]).values[0]
        == 60
    )


# --- figures that do not add up -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Procent", "percent"),
        ("%", "percent"),
        ("per cent", "percent"),
        ("Per 1 000 invånare", "rate"),
        ("Antal per 100 000 invånare", "rate"),
        ("Medelålder, år", "average"),
        ("Average income", "average"),
        ("Medianinkomst, tkr", "median"),
        ("Index 1980=100", "index"),
        ("Konsumentprisindex", "index"),
        ("Andel", "share"),
        ("antal", ""),
        ("personer", ""),
        ("Number of persons", ""),
        ("tusental personer", ""),
        ("Handel", ""),  # trade, not a share (andel)
        ("kronor", ""),
    ],
)
def test_units_and_contents_say_whether_figures_add_up(text, kind):
    assert measure_kind(text) == kind


def test_percentages_are_never_summed_over_any_dimension():
    table = _table({"1": "män", "2": "kvinnor"}, [[60, 40], [55, 45]], unit="procent")
    assert table.measure == PERCENT
    with pytest.raises(NotAdditive) as refused:
        table.total(["year"])
    assert (refused.value.dimension, refused.value.why) == ("sex", PERCENT)
    # One category of it is shown as it is.
    assert table.select({"sex": ["2"]}).total(["year"]).values.tolist() == [40.0, 45.0]
    assert fixed_categories(table, ["year"], {}) == {"sex": "1"}
    assert fixed_categories(table, ["sex"], {}) == {"year": "2023"}  # the latest period
    assert fixed_categories(table, ["year"], {"sex": ["2", "1"]}) == {"sex": "2"}


def test_different_measures_of_a_contents_dimension_are_never_added():
    table = Cube(
        (_dim("year", YEARS, role=TIME), _dim("c", {"pop": "Folkmängd", "births": "Födda"}, role=CONTENTS)),
        np.array([[1000.0, 10], [1010, 12]]),
    )
    assert table.measure == ""  # each measure is a count
    with pytest.raises(NotAdditive) as refused:
        table.total(["year"])
    assert refused.value.why == MEASURES
    assert table.total(["c"]).values.tolist() == [2010.0, 22.0]  # over the years they add up
    # A unit per contents category counts too.
    rate = Cube(
        table.dimensions,
        table.values,
        meta=TableMeta(content_units=(("pop", "antal"), ("births", "per 1 000 invånare"))),
    )
    assert rate.measure == "rate"


# --- every view obeys it --------------------------------------------------------------------------


@pytest.fixture
def shares(db):
    """Percentages of men and women by year (made up), imported as an aggregate."""
    store(_table({"1": "män", "2": "kvinnor"}, [[60, 40], [55, 45]], unit="procent"), slug="andel")


@pytest.fixture
def with_total(db):
    """Counts with a "Totalt" category that no keyword declares."""
    store(_table({"1": "män", "2": "kvinnor", "T": "Totalt"}, [[10, 20, 30], [11, 22, 33]]), slug="antal")


def test_an_imported_total_is_marked_and_the_page_csv_and_api_show_it(client, with_total):
    stored = version_cube(
        selectors.current_version(selectors.dataset_get_for(actor=Actor.anonymous(), slug="antal"))
    )
    assert stored.dimension("sex").total == "T"
    page = client.get("/statistics/datasets/antal/?x=year&by=").content.decode()
    # The table's figures (not the page's tokens, which may hold any digits): the total, not twice it.
    figures = page[page.index("data-table=") :].split("</table>", 1)[0]
    assert re.findall(r'<td class="govuk-table__cell sv-num">([^<]*)</td>', figures) == ["30", "33"]
    rows = list(
        csv.reader(
            io.StringIO(client.get("/statistics/datasets/antal/table.csv?x=year&by=").content.decode())
        )
    )
    assert [row[1] for row in rows[1:]] == ["30", "33"]
    body = client.get(f"{URL}/antal/observations?keep=year").json()
    assert [o["value"] for o in body["observations"]] == [30.0, 33.0]


def test_the_page_shows_one_category_of_percentages_and_says_so(client, shares):
    response = client.get("/statistics/datasets/andel/?x=year&by=", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "These figures are percentages: they are not added up." in page
    assert "The table shows" in page and "män" in page
    rows = list(
        csv.reader(
            io.StringIO(client.get("/statistics/datasets/andel/table.csv?x=year&by=").content.decode())
        )
    )
    assert [row[1] for row in rows[1:]] == ["60", "55"]  # men, not 100
    # Both sexes chosen but not shown as columns: the first chosen.
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/statistics/datasets/andel/table.csv?x=year&by=&sex=2&sex=1").content.decode()
            )
        )
    )
    assert [row[1] for row in rows[1:]] == ["40", "45"]
    # Shown as columns, both are there.
    page = client.get("/statistics/datasets/andel/?x=year&by=sex", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "not added up" not in page


def test_the_api_shows_one_category_and_refuses_to_add_percentages(client, shares):
    body = client.get(f"{URL}/andel/observations?keep=year").json()
    assert [o["value"] for o in body["observations"]] == [60.0, 55.0]
    assert body["fixed"] == {"sex": "1"}
    refused = client.get(f"{URL}/andel/observations?keep=year&sex=1,2", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 422
    assert "sex" in refused.content.decode() and "percentages" in refused.content.decode()


def test_composition_refuses_figures_that_are_not_counts(shares, english):
    dataset = selectors.dataset_get_for(actor=Actor.anonymous(), slug="andel")
    with pytest.raises(ValidationError) as refused:
        selectors.composition_for(actor=Actor.anonymous(), dataset=dataset, dimensions=["sex"])
    assert "percentages" in str(refused.value.errors["dimensions"])


# --- the real file of the issue -------------------------------------------------------------------

BE101ACE = Path(__file__).with_name("fixtures") / "real" / "pxweb" / "Population" / "BE101ACE.px"
SWEDEN_1968 = 7_931_193  # men and women of every marital status and age, 31 December 1968


@pytest.fixture
def population_1968(db):
    """Statistics Sweden's example table (PxWeb's example database): population by marital
    status, age, period and sex, whose third sex code is empty — the total, with no ELIMINATION."""
    statistics_import(
        actor=Actor.system(),
        data=BE101ACE.read_bytes(),
        filename=BE101ACE.name,
        fields=DatasetFields(title_sv="Folkmängd", source_organisation="SCB"),
    )
    return selectors.dataset_get_for(actor=Actor.anonymous(), slug="be0101a1")


def test_swedens_1968_population_is_the_total_on_the_page_in_the_csv_and_the_api(client, population_1968):
    sex = version_cube(selectors.current_version(population_1968)).dimension("sex")
    assert sex.total == "total" and sex.codes == ("1", "2", "total")
    # The default view (periods down, marital status across) adds up the marital statuses.
    default = client.get("/statistics/datasets/be0101a1/table.csv").content.decode()
    rows = list(csv.reader(io.StringIO(default)))
    assert rows[1][0] == "1968" and sum(int(v) for v in rows[1][1:]) == SWEDEN_1968
    # Periods only: one figure per year, the total (not men + women + total = 15.9 million).
    rows = list(
        csv.reader(
            io.StringIO(client.get("/statistics/datasets/be0101a1/table.csv?x=period&by=").content.decode())
        )
    )
    assert rows[1] == ["1968", str(SWEDEN_1968)]
    page = client.get(
        "/statistics/datasets/be0101a1/?x=period&by=", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "7,931,193" in page and "15,862,386" not in page
    body = client.get(f"{URL}/be0101a1/observations?keep=period&period=1968").json()
    assert body["observations"] == [{"period": "1968", "value": float(SWEDEN_1968), "status": None}]
    # By sex, the three columns are men, women and their total.
    body = client.get(f"{URL}/be0101a1/observations?keep=sex&period=1968").json()
    men, women, total = (o["value"] for o in body["observations"])
    assert men + women == total == SWEDEN_1968


BE0101A1PROC = BE101ACE.with_name("BE0101A1proc.px")


def test_a_pxweb_sort_variable_of_number_and_per_cent_is_a_dimension_of_measures():
    """PxWeb's example table with "$$SORT" = Number, Per cent beside region, marital status and
    sex (UNITS="number" for the table): adding the two would give nonsense, and what may be
    added over the other dimensions depends on which of the two is shown."""
    table = parse_px(BE0101A1PROC.read_bytes())
    assert table.summable("$$SORT") == MEASURES
    number = table.select({"$$SORT": ["Number"]})
    per_cent = table.select({"$$SORT": ["Per cent"]})
    assert number.measure == "" and per_cent.measure == PERCENT
    assert number.total(["period"]).values.tolist() == [
        float(v) for v in np.nansum(number.values, axis=(0, 1, 2, 3)).tolist()
    ]
    with pytest.raises(NotAdditive):
        per_cent.total(["period"])
    assert fixed_categories(table, ["period"], {}) == {"$$SORT": "Number"}
    assert fixed_categories(table, ["period"], {"$$SORT": ["Per cent"]}) == {
        "region": "01",
        "marital status": "OG",
        "sex": "1",
    }
    # A unit per contents category: the count alone adds up, the rate does not.
    rates = Cube(
        (_dim("year", YEARS, role=TIME), _dim("c", {"pop": "Folkmängd", "births": "Födda"}, role=CONTENTS)),
        np.array([[1000.0, 10], [1010, 12]]),
        meta=TableMeta(content_units=(("pop", "antal"), ("births", "per 1 000 invånare"))),
    )
    assert rates.select({"c": ["pop"]}).measure == "" and rates.select({"c": ["births"]}).measure == "rate"


def test_the_sort_variable_file_shows_numbers_on_the_page_and_in_the_api(client, db):
    statistics_import(
        actor=Actor.system(),
        data=BE0101A1PROC.read_bytes(),
        filename=BE0101A1PROC.name,
        dataset_slug="proc",
        fields=DatasetFields(title_sv="Folkmängd", source_organisation="SCB"),
    )
    table = parse_px(BE0101A1PROC.read_bytes()).select({"$$SORT": ["Number"]})
    numbers = [int(v) for v in table.total(["period"]).values.tolist()]
    page = client.get("/statistics/datasets/proc/?x=period&by=", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Different measures are not added up." in page and "$$SORT: Number" in page
    rows = list(
        csv.reader(
            io.StringIO(client.get("/statistics/datasets/proc/table.csv?x=period&by=").content.decode())
        )
    )
    assert [int(row[1]) for row in rows[1:]] == numbers
    body = client.get(f"{URL}/proc/observations", {"keep": "period"}).json()
    assert body["fixed"] == {"$$SORT": "Number"}
    assert [o["value"] for o in body["observations"]] == numbers
    body = client.get(f"{URL}/proc/observations", {"keep": "period", "$$SORT": "Per cent"}).json()
    assert body["fixed"] == {"region": "01", "marital status": "OG", "sex": "1"}
