"""Total categories in the plain CSV (the ``<dimension>.total`` column) and the refusal of a total
that a person-level table holds as an ordinary category.

A person-level table is stored without totals: the platform derives them and protects them with
the rest (``disclosure``). A total imported as one more category ("1+2", "totalt") is published
beside its parts as if it were independent of them, so the difference between it and the
published parts gives back counts the disclosure control withheld. The attack test shows that with
the independent attacker of ``tests/security/interval_audit.py`` on what ``selectors.table_for``
publishes, then that the import is now refused, and that the same file with the total declared
imports without it and gives the attacker nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samverkan.accounts.tests.factories import member
from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.statistics import selectors, services
from samverkan.statistics.cube import Cube
from samverkan.statistics.importers import ImportRefused, parse, parse_csv
from samverkan.statistics.models import Dataset, DatasetVersion
from samverkan.statistics.services import DatasetFields, statistics_import
from samverkan.statistics.storage import version_cube
from samverkan.statistics.tests.factories import cube, dim, store
from tests.security.interval_audit import Model, pinned

FIXTURES = Path(__file__).with_name("fixtures")
DOCS = Path(__file__).parents[4] / "docs" / "statistics-formats.md"
THRESHOLD = 5

# Newly arrived persons in the introduction programme, by municipality and sex. The municipality
# codes and names are real (Jämtland); the counts are made up for the test.
MUNICIPALITIES = {
    "2380": "Östersund",
    "2309": "Krokom",
    "2361": "Härjedalen",
    "2305": "Ragunda",
    "2303": "Bräcke",
}
MEN = [26, 12, 32, 5, 6]
WOMEN = [16, 32, 10, 1, 3]
SEXES = {"1": ("män", "men"), "2": ("kvinnor", "women"), "1+2": ("totalt", "total")}


def person_csv(*, declare: bool) -> bytes:
    """The table as an officer would export it from a spreadsheet: a "1+2" (totalt) row per
    municipality, declared as the total (``kon.total``) or not."""
    header = "kommun,kon,value,kommun.label_sv,kon.label_sv,kon.label_en" + (",kon.total" if declare else "")
    lines = [header]
    for (code, name), men, women in zip(MUNICIPALITIES.items(), MEN, WOMEN, strict=True):
        for sex, value in (("1", men), ("2", women), ("1+2", men + women)):
            row = f"{code},{sex},{value},{name},{SEXES[sex][0]},{SEXES[sex][1]}"
            if declare:
                row += ",ja" if sex == "1+2" else ","
            lines.append(row)
    return ("\n".join(lines) + "\n").encode()


def import_person_level(data: bytes, slug: str = "nyanlanda-kommun-kon"):
    return statistics_import(
        actor=Actor.system(),
        data=data,
        filename="nyanlanda.csv",
        dataset_slug=slug,
        fields=DatasetFields(
            title_sv="Nyanlända i etableringsprogrammet efter kommun och kön (fiktiva tal)",
            source_organisation="Fiktiv källa",
            person_level=True,
            disclosure_threshold=THRESHOLD,
        ),
    )


# --- the CSV convention -------------------------------------------------------------------------


def test_a_total_column_declares_the_total_category():
    table = parse_csv(person_csv(declare=True))
    kommun, kon = table.dimensions
    assert (kommun.total, kon.total) == ("", "1+2")
    assert kon.codes == ("1", "2", "1+2")  # the reader keeps it; a person-level import drops it
    assert table.without_totals().dimensions[1].codes == ("1", "2")


def test_without_a_total_column_a_total_row_is_an_ordinary_category():
    table = parse_csv(person_csv(declare=False))
    assert [d.total for d in table.dimensions] == ["", ""]
    assert table.dimensions[1].codes == ("1", "2", "1+2")


def test_the_long_fixture_with_a_total_column_reads_as_the_pc_axis_file_does():
    plain = (FIXTURES / "asylum_sex_2002_2004_long.csv").read_text(encoding="utf-8").splitlines()
    marked = [plain[0] + ",Kon.total"] + [
        line + (",yes" if line.startswith("1+2,") else ",") for line in plain[1:]
    ]
    from_csv = parse_csv(("\n".join(marked) + "\n").encode())
    from_px = parse((FIXTURES / "asylum_sex_2002_2004_utf8.px").read_bytes(), "px")
    assert [d.total for d in from_csv.dimensions] == [d.total for d in from_px.dimensions] == ["1+2", "", ""]
    assert list(from_csv.rows()) == list(from_px.rows())


@pytest.mark.parametrize(
    ("mark", "total"),
    [
        ("yes", "T"),
        ("JA", "T"),
        (" true ", "T"),
        ("1", "T"),
        ("no", ""),
        ("Nej", ""),
        ("0", ""),
        ("false", ""),
    ],
)
def test_total_marks_are_yes_or_no_in_any_case(mark, total):
    data = f"region,value,region.total\nA,1,\nB,2,\nT,3,{mark}\n".encode()
    assert parse_csv(data).dimensions[0].total == total


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("region,value,region.total\nA,1,\nT,3,x\n", "“x” in the column “region.total” is neither yes", 3),
        (
            "region,year,value,region.total\nT,2022,3,yes\nA,2022,1,\nT,2023,4,no\n",
            "region=T is marked not a total here but a total on line 2",
            4,
        ),
        (
            "region,value,region.total\nT,3,yes\nA,1,\nS,3,ja\n",
            "marks region=S as the total here and region=T on line 2; a dimension has one total",
            4,
        ),
        (
            "region,value,sex.total\nA,1,\n",
            "The total column “sex.total” is for an unknown dimension “sex”",
            1,
        ),
    ],
)
def test_bad_total_marks_are_refused_with_the_line(text, message, line):
    with pytest.raises(ImportRefused) as exc:
        parse_csv(text.encode())
    assert message in exc.value.message
    assert exc.value.line == line


def test_the_documented_example_declares_its_total():
    docs = DOCS.read_text(encoding="utf-8")
    section = docs[docs.index("## The plain CSV format") :]
    example = re.search(r"```\n(.*?)```", section, re.S)
    assert example is not None
    table = parse_csv(example.group(1).encode())
    kon = table.dimensions[0]
    assert kon.code == "Kon" and kon.total == "1+2"
    # The total row really is the total, and nothing but it is a sum of the others.
    values = table.values[:, 0, 0]
    assert values[kon.position("1+2")] == values[kon.position("1")] + values[kon.position("2")]
    assert services._undeclared_total(table) is None


# --- the refusal --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_level_file_with_an_undeclared_total_is_refused_naming_it(english):
    with pytest.raises(ValidationError) as exc:
        import_person_level(person_csv(declare=False))
    (message,) = exc.value.errors["file"]
    assert "The category “1+2” of “kon” is the sum of the other categories in every cell" in message
    assert "a column “kon.total”" in message
    assert not Dataset.objects.exists() and not DatasetVersion.objects.exists()


@pytest.mark.django_db
def test_the_upload_page_refuses_it_naming_the_row(client):
    organisation = OrganisationFactory()
    client.force_login(member("editor", organisation))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        "/statistics/upload/",
        {
            "file": SimpleUploadedFile("nyanlanda.csv", person_csv(declare=False)),
            "format": "auto",
            "owner": organisation.pk,
            "dataset": "nyanlanda",
            "title": "Nyanlända efter kommun och kön (fiktiva tal)",
            "source_organisation": "Fiktiv källa",
            "person_level": "on",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The category “1+2” of “kon” is the sum of the other categories" in body
    assert not Dataset.objects.exists() and not DatasetVersion.objects.exists()


@pytest.mark.django_db
def test_a_declared_total_imports_and_is_dropped():
    outcome = import_person_level(person_csv(declare=True))
    stored = version_cube(outcome.version)
    _kommun, kon = stored.dimensions
    assert kon.codes == ("1", "2") and kon.total == ""
    assert stored.values.tolist() == [list(pair) for pair in zip(MEN, WOMEN, strict=True)]
    # The platform derives the total itself (and withholds what it must).
    totals = selectors.table_for(actor=Actor.anonymous(), dataset=outcome.dataset, keep=["kommun"]).cube
    published = [v for v in totals.values.tolist() if not np.isnan(v)]
    assert set(published) <= {m + w for m, w in zip(MEN, WOMEN, strict=True)}


@pytest.mark.django_db
def test_an_aggregate_keeps_its_total_rows():
    # Not person-level (an SCB table, say): the total row is the source's figure and stays.
    outcome = statistics_import(
        actor=Actor.system(),
        data=person_csv(declare=False),
        filename="scb.csv",
        dataset_slug="scb-tabell",
        fields=DatasetFields(title_sv="Aggregat", source_organisation="SCB"),
    )
    assert version_cube(outcome.version).dimensions[1].codes == ("1", "2", "1+2")


@pytest.mark.parametrize(
    ("values", "found"),
    [
        # "T" = A + B in every cell: refused.
        ([[1, 2, 3], [4, 5, 9]], ("sex", "3")),
        # One non-zero part only: T is a copy of A, not a sum of parts.
        ([[1, 0, 1], [4, 0, 4]], None),
        # Nobody at all: zeros are sums of zeros, and there is nothing to difference.
        ([[0, 0, 0], [0, 0, 0]], None),
        # Equal in one row only.
        ([[1, 2, 3], [4, 5, 8]], None),
    ],
)
def test_the_rule_needs_every_cell_and_two_populated_others(values, found):
    table = cube(values, sexes=("1", "2", "3"))
    assert services._undeclared_total(table) == found


def test_the_rule_looks_along_every_dimension_and_skips_a_declared_total():
    # A total year (2022+2023) rather than a total sex.
    table = cube([[3, 4], [5, 6], [8, 10]], years=("2022", "2023", "alla"))
    assert services._undeclared_total(table) == ("year", "alla")
    declared = Cube((dim("year", ["2022", "2023", "alla"], total="alla"), table.dimensions[1]), table.values)
    assert services._undeclared_total(declared) is None


@pytest.mark.django_db
def test_a_person_level_table_with_a_total_in_another_format_is_refused_too(english):
    # Any reader: the check is on the table, not the file format.
    table = Cube(
        (dim("region", ["A", "B", "C", "Riket"]), dim("sex", ["1", "2"])),
        [[10, 2], [7, 9], [30, 40], [47, 51]],
    )
    with pytest.raises(ValidationError, match="The category “Riket” of “region”"):
        store(table, person_level=True)
    assert store(table).dataset.person_level is False  # an aggregate is accepted as it is


# --- the attack ---------------------------------------------------------------------------------


def _published_facts(dataset: Dataset) -> list[tuple[list[int], float | None, list[int] | None]]:
    """Every figure ``table_for`` publishes for the full table and its two one-way totals, as
    (atoms, value or None when withheld, the interior atom when the figure is one cell). Atoms
    are the true counts: municipality × {men, women}; a "1+2" category is both of them, because
    the reader sees its label "totalt"."""
    kommun_codes = list(MUNICIPALITIES)
    stored_sexes = selectors.dataset_dimensions(dataset)[1].codes
    facts = []
    for keep in (None, ["kommun"], ["kon"]):
        published = selectors.table_for(actor=Actor.anonymous(), dataset=dataset, keep=keep).cube
        codes = [d.code for d in published.dimensions]
        for combo, value, _status in published.rows():
            where = dict(zip(codes, combo, strict=True))
            municipalities = [where["kommun"]] if "kommun" in where else kommun_codes
            sexes = [where["kon"]] if "kon" in where else list(stored_sexes)
            atoms = [
                2 * kommun_codes.index(m) + part
                for m in municipalities
                for sex in sexes
                for part in ((0, 1) if sex == "1+2" else (int(sex) - 1,))
            ]
            single = atoms if len(atoms) == 1 else None
            facts.append((atoms, value, single))
    return facts


def _pinned_cells(dataset: Dataset) -> list[tuple[str, str, int, tuple[float, float]]]:
    """The small counts the independent attacker can prove are small, or fix exactly."""
    model = Model(2 * len(MUNICIPALITIES), integer=True)
    for atoms, value, single in _published_facts(dataset):
        if value is not None:
            model.equal(atoms, value)
        elif single is not None:
            model.at_least(single, 1)  # zeros are published, so a withheld cell holds someone
    found = []
    for m, code in enumerate(MUNICIPALITIES):
        for part, truth in enumerate((MEN[m], WOMEN[m])):
            interval = model.interval([2 * m + part])
            assert interval[0] <= truth <= interval[1]  # the facts are true
            if pinned(interval, truth, THRESHOLD):
                found.append((code, str(part + 1), truth, interval))
    return found


@pytest.mark.django_db
def test_attack_an_undeclared_total_gave_away_small_counts_and_is_now_refused(monkeypatch):
    # Before: person-level imports did not look for totals; the same file was stored with "1+2"
    # as a third sex and every figure published through the disclosure control.
    with monkeypatch.context() as before:
        before.setattr(services, "_undeclared_total", lambda table: None)
        dataset = import_person_level(person_csv(declare=False)).dataset
        assert selectors.dataset_dimensions(dataset)[1].codes == ("1", "2", "1+2")
        assert selectors.table_for(actor=Actor.anonymous(), dataset=dataset).suppressed_count > 0
        leaked = _pinned_cells(dataset)
    # With these figures (and the disclosure control as written) the women of Ragunda (1) and
    # Bräcke (3) come out exactly; the test asks only that some withheld small count does.
    assert leaked, "the published figures should let the attacker pin a withheld small count"
    assert all(0 < truth < THRESHOLD for _k, _s, truth, _i in leaked)
    Dataset.objects.all().delete()

    # Now: the import is refused and nothing is stored.
    with pytest.raises(ValidationError) as exc:
        import_person_level(person_csv(declare=False))
    assert "1+2" in exc.value.errors["file"][0] and "kon" in exc.value.errors["file"][0]
    assert not Dataset.objects.exists() and not DatasetVersion.objects.exists()

    # Declared, the total is left out and derived by the platform: the attacker pins nothing.
    dataset = import_person_level(person_csv(declare=True)).dataset
    assert selectors.table_for(actor=Actor.anonymous(), dataset=dataset).suppressed_count > 0
    assert _pinned_cells(dataset) == []
