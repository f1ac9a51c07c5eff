"""The published research data (Flanigan et al., Nature 2021), read as it is published (issue #20).

``categories.csv`` names the feature column ``category`` and the value column ``feature``;
``respondents.csv`` has no id column. Both the command line and the pool upload read them without
renaming, number the people 0..n-1 in file order (as the research code does) and say so, and give
exactly the probabilities of the same files renamed to the Sortition Foundation layout. The files are
real (fixtures/research/README.md: repository, commit, licence). A file that is truly ambiguous or
broken is still refused, naming the column.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.html import escape

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.errors import ValidationError
from samverkan.core.models import AuditEvent
from samverkan.panels import services
from samverkan.panels.cli import EXIT_BAD_INPUT, main
from samverkan.panels.lottery.files import InputError, parse_features, parse_people, parse_shares
from samverkan.panels.lottery.messages import message
from samverkan.panels.messages import FSI, PDI, render
from samverkan.panels.models import Pool, RunStatus

RESEARCH = Path(__file__).parent / "fixtures" / "research"
# The instance's panel size is the number its folder ends in (the research code's convention).
INSTANCES = {"example_small_20": 20, "example_large_200": 200}
SMALL = "example_small_20"


def plain(text: str) -> str:
    return text.replace(FSI, "").replace(PDI, "")


def renamed(instance: str, target: Path) -> tuple[Path, Path]:
    """The instance renamed by hand to the Sortition Foundation layout: features.csv with
    ``feature,value,min,max`` and people.csv with an ``id`` column holding the research code's ids."""
    source = RESEARCH / instance
    with (source / "categories.csv").open(encoding="utf-8", newline="") as stream:
        quotas = list(csv.DictReader(stream))
    features = target / "features.csv"
    with features.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["feature", "value", "min", "max"])
        writer.writerows([q["category"], q["feature"], q["min"], q["max"]] for q in quotas)
    with (source / "respondents.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    people = target / "people.csv"
    with people.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", *rows[0]])
        writer.writerows([str(i), *row] for i, row in enumerate(rows[1:]))  # analysis.py: agent_id = i
    return people, features


def paper_leximin(instance: str) -> list[float]:
    """The paper's leximin probabilities of the instance (its reference output), sorted."""
    path = RESEARCH / instance / f"{instance}_prob_allocs_data.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return sorted(float(r["selection probability"]) for r in rows if r["algorithm"] == "LexiMin")


def select(
    capsys, tmp_path: Path, people: Path, features: Path, size: int, *extra: str
) -> tuple[int, str, str]:
    code = main(
        [
            "select",
            "--people",
            str(people),
            "--features",
            str(features),
            "--size",
            str(size),
            "--seed",
            "2021",
            "--json",
            str(tmp_path / "result.json"),
            *extra,
        ]
    )
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- The command line --------------------------------------------------------------------------
@pytest.mark.parametrize("instance", sorted(INSTANCES))
def test_the_research_files_as_published_give_the_probabilities_of_the_renamed_files(
    instance, tmp_path, capsys
):
    size = INSTANCES[instance]
    people, features = renamed(instance, tmp_path)
    code, out, err = select(capsys, tmp_path, people, features, size, "--id-column", "id")
    assert code == 0, err
    by_hand = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert "numbered" not in out and by_hand["ids_numbered"] is False

    code, out, err = select(
        capsys,
        tmp_path,
        RESEARCH / instance / "respondents.csv",
        RESEARCH / instance / "categories.csv",
        size,
    )
    assert code == 0, err
    as_published = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    n = len(as_published["probabilities"])
    # The numbering is said, in the output and in the result file.
    assert (
        f"note: {RESEARCH / instance / 'respondents.csv'} has no id column (named 'id'): its {n} people "
        f"are numbered 0 to {n - 1} "
        "in file order (0 is the first row after the header)"
    ) in out.splitlines()
    assert as_published["id_column"] is None and as_published["ids_numbered"] is True
    # Every person has exactly the same probability, the same instance and the same panel.
    assert as_published["probabilities"] == by_hand["probabilities"]
    assert list(as_published["probabilities"]) == [str(i) for i in range(n)]
    assert as_published["input_sha256"] == by_hand["input_sha256"]
    assert as_published["panel"] == by_hand["panel"]
    # And they are the paper's leximin probabilities (its own values are within Gurobi's tolerance).
    ours = sorted(as_published["probabilities"].values())
    paper = paper_leximin(instance)
    assert len(paper) == n
    assert max(abs(a - b) for a, b in zip(ours, paper, strict=True)) < 5e-7


def test_a_draw_of_the_research_files_verifies_from_the_same_files(tmp_path, capsys):
    people, features = RESEARCH / SMALL / "respondents.csv", RESEARCH / SMALL / "categories.csv"
    code, _out, err = select(capsys, tmp_path, people, features, INSTANCES[SMALL])
    assert code == 0, err
    verified = main(
        [
            "verify",
            "--people",
            str(people),
            "--features",
            str(features),
            "--result",
            str(tmp_path / "result.json"),
        ]
    )
    out = capsys.readouterr().out
    assert verified == 0, out
    assert out.splitlines()[0].startswith(f"note: {people} has no id column (named 'id')")
    assert out.splitlines()[-1] == "verified"


def test_an_id_column_given_by_name_must_exist(tmp_path, capsys):
    people, features = RESEARCH / SMALL / "respondents.csv", RESEARCH / SMALL / "categories.csv"
    code, out, err = select(capsys, tmp_path, people, features, 20, "--id-column", "respondent")
    assert code == EXIT_BAD_INPUT and out == ""
    assert err.strip() == f"{people}:1: no id column: expected a column named 'respondent'"
    assert not (tmp_path / "result.json").exists()


def test_a_column_named_id_is_the_id_when_none_is_given(tmp_path, capsys):
    people, features = renamed(SMALL, tmp_path)
    people.write_text(people.read_text(encoding="utf-8").replace("id,", "ID,", 1), encoding="utf-8")
    code, out, err = select(capsys, tmp_path, people, features, 20)
    assert code == 0, err
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert "numbered" not in out and result["ids_numbered"] is False


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        # A broken research file: the column is named.
        ("category,feature,max", "no min column: expected a column named 'min'"),
        ("category,feature,min", "no max column: expected a column named 'max'"),
        # Truly ambiguous: with a value column, both category and feature could be the feature.
        ("category,feature,value,min,max", "more than one feature column (category, feature)"),
        ("category,feature,name,min,max", "more than one feature column (category, feature)"),
        # Without a category column, feature is the feature and the value column is missing.
        ("feature,min,max", "no value column: expected a column named 'value' or 'name'"),
    ],
)
def test_a_broken_or_ambiguous_categories_file_is_refused_naming_the_column(header, reason, tmp_path, capsys):
    published = (RESEARCH / SMALL / "categories.csv").read_text(encoding="utf-8").splitlines()
    columns = published[0].split(",")
    kept = [columns.index(c) if c in columns else None for c in header.split(",")]
    rows = [",".join(row.split(",")[i] if i is not None else "x" for i in kept) for row in published[1:]]
    features = tmp_path / "categories.csv"
    features.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    code, out, err = select(capsys, tmp_path, RESEARCH / SMALL / "respondents.csv", features, 20)
    assert code == EXIT_BAD_INPUT and out == ""
    assert err.strip() == f"{features}:1: {reason}"
    assert not (tmp_path / "result.json").exists()


# --- The reader -------------------------------------------------------------------------------
def test_the_research_layout_reads_as_feature_and_value_and_ignores_other_columns():
    data = (RESEARCH / SMALL / "categories.csv").read_bytes()
    table = parse_features("categories.csv", data)
    assert table.features == {"gender": ("female", "male"), "leaning": ("liberal", "conservative")}
    assert [(r.min, r.max, r.line) for r in table.rows] == [(9, 20, 2), (9, 20, 3), (9, 20, 4), (9, 20, 5)]
    # Columns the research code does not read are ignored here too; min_flex/max_flex are checked.
    header, *rows = data.decode().splitlines()
    extended = "\n".join([f"{header},min_flex,max_flex,note"] + [f"{r},0,200,x" for r in rows])
    again = parse_features("categories.csv", extended.encode())
    assert [(r.feature, r.value, r.min, r.max) for r in again.rows] == [
        (r.feature, r.value, r.min, r.max) for r in table.rows
    ]
    # Target shares in the same layout.
    assert parse_shares("shares.csv", b"category,feature,share\ngender,female,1\ngender,male,1\n") == {
        "gender": {"female": 1.0, "male": 1.0}
    }


def test_people_without_an_id_column_are_numbered_from_zero_in_file_order_skipping_blank_lines():
    table = parse_features("categories.csv", (RESEARCH / SMALL / "categories.csv").read_bytes())
    data = b"gender,leaning\nfemale,liberal\n\nmale,conservative\nmale,liberal\n"
    pool = parse_people("respondents.csv", data, table)
    assert pool.people == ("0", "1", "2") and pool.ids_numbered
    assert pool.lines == {"0": 2, "1": 4, "2": 5}
    assert pool.features["1"] == {"gender": "male", "leaning": "conservative"}
    assert pool.notes == (
        message("ids_numbered", file="respondents.csv", column="id", count=3, first="0", last="2"),
    )
    # A bad row names the numbered person and its line.
    with pytest.raises(InputError) as info:
        parse_people("respondents.csv", data + b"male,green\n", table)
    assert str(info.value).startswith(
        "respondents.csv:6: value 'green' of feature 'leaning' is not in categories.csv (person '3';"
    )
    # With an id column, nothing is numbered and nothing is said.
    named = parse_people("people.csv", b"id,gender,leaning\nA,female,liberal\n", table)
    assert named.people == ("A",) and not named.ids_numbered and named.notes == ()


# --- The pool upload ----------------------------------------------------------------------------
@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def user(org):
    return member("coordinator", org)


def _pool_run(
    actor, org, people: bytes, people_name: str, quotas: bytes, quotas_name: str, id_column, capture
):
    the_pool, notes = services.pool_create_with_notes(
        actor=actor,
        owner_id=org.pk,
        name=people_name,
        panel_size=INSTANCES[SMALL],
        data=people,
        filename=people_name,
        id_column=id_column,
    )
    services.pool_quotas_from_csv(actor=actor, pool=the_pool, data=quotas, filename=quotas_name)
    with capture(execute=True):
        run = services.run_start(actor=actor, pool=the_pool, seed="2021")
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return the_pool, notes, run


@pytest.mark.django_db
def test_the_pool_upload_reads_the_research_files_with_the_probabilities_of_the_renamed_files(
    user, org, tmp_path, english, django_capture_on_commit_callbacks
):
    actor = actor_for_user(user)
    people, features = renamed(SMALL, tmp_path)
    hand_pool, hand_notes, by_hand = _pool_run(
        actor,
        org,
        people.read_bytes(),
        "people.csv",
        features.read_bytes(),
        "features.csv",
        "id",
        django_capture_on_commit_callbacks,
    )
    research_pool, notes, as_published = _pool_run(
        actor,
        org,
        (RESEARCH / SMALL / "respondents.csv").read_bytes(),
        "respondents.csv",
        (RESEARCH / SMALL / "categories.csv").read_bytes(),
        "categories.csv",
        None,
        django_capture_on_commit_callbacks,
    )
    assert hand_notes == ()
    assert [plain(render(note)) for note in notes] == [
        "respondents.csv has no id column (named “id”): its 200 people are numbered 0 to 199 in file "
        "order (0 is the first row after the header)"
    ]
    assert research_pool.features == hand_pool.features == ["gender", "leaning"]
    assert list(research_pool.volunteers.values_list("external_id", flat=True)) == [
        str(i) for i in range(200)
    ]
    # Every person has exactly the same probability; the same input, the same panel.
    assert as_published.probabilities == by_hand.probabilities and len(by_hand.probabilities) == 200
    assert as_published.input_sha256 == by_hand.input_sha256
    panel = sorted(as_published.members.values_list("volunteer__external_id", flat=True))
    assert panel == sorted(by_hand.members.values_list("volunteer__external_id", flat=True))
    created = AuditEvent.objects.filter(code="panels.pool.created").order_by("pk")
    assert [e.data["ids_numbered"] for e in created] == [False, True]


@pytest.mark.django_db
def test_the_pool_upload_refuses_a_named_id_column_that_is_missing(user, org, english):
    with pytest.raises(ValidationError) as info:
        services.pool_create(
            actor=actor_for_user(user),
            owner_id=org.pk,
            name="X",
            panel_size=20,
            data=(RESEARCH / SMALL / "respondents.csv").read_bytes(),
            filename="respondents.csv",
            id_column="id",
        )
    assert plain(info.value.errors["people"][0]) == (
        "respondents.csv, line 1: no column for “id”: expected a column named id"
    )
    assert not Pool.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "sv", "ar"])
def test_the_upload_page_says_the_volunteers_are_numbered_in_the_page_language(client, user, org, language):
    verified_login(client, user)
    client.cookies["samverkan_language"] = language
    upload = io.BytesIO((RESEARCH / SMALL / "respondents.csv").read_bytes())
    upload.name = "respondents.csv"
    response = client.post(
        "/panels/new/",
        {"owner": org.pk, "name": "Forskningsdata", "panel_size": 20, "id_column": "", "people": upload},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    note = message("ids_numbered", file="respondents.csv", column="id", count=200, first="0", last="199")
    with translation.override(language):
        said = render(note)
    assert escape(said) in page
    if language != "en":  # said in the page's language, not the lottery's English
        assert "numbered" not in plain(said) and "0" in plain(said) and "199" in plain(said)
    assert list(Pool.objects.get().volunteers.values_list("external_id", flat=True)[:3]) == ["0", "1", "2"]
