"""Resettlement in the platform: the versioned taxonomy, reception and case imports (all or
nothing), placement runs as tasks, overrides with warnings, approval (all or nothing), packets only
for the receiving municipality, and follow-up (the dashboard: test_dashboard.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from unittest import mock

import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.core.audit import verify
from samverkan.core.errors import NotFound, ValidationError
from samverkan.core.models import AuditEvent
from samverkan.resettlement import selectors, services
from samverkan.resettlement.models import (
    Case,
    NeedDefinition,
    Observation,
    Person,
    PlacementRun,
    Proposal,
    Reception,
    RunStatus,
    TaxonomyVersion,
)
from samverkan.resettlement.tests.factories import (
    CASES_CSV,
    GOTEBORG,
    KIRUNA,
    OSTERSUND,
    RECEPTION_CSV,
    YEAR,
    give_the_case_what_a_packet_must_not_show,
    municipal,
    officer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def agent():
    return officer()


@pytest.fixture
def loaded(agent):
    services.reception_import(actor=agent, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    services.case_import(actor=agent, year=YEAR, data=CASES_CSV, filename="c.csv")
    return agent


def _run(agent, capture) -> PlacementRun:
    with capture(execute=True):
        run = services.run_start(actor=agent, year=YEAR, time_limit=10)
    run.refresh_from_db()
    return run


# --- Taxonomy -----------------------------------------------------------------------------------
def test_the_shipped_taxonomy_has_unhcrs_codes_and_the_seven_categories():
    version = selectors.taxonomy_current()
    codes = selectors.entries_of(version)
    for code in ("SM", "DS", "CR", "SC", "WR", "SP", "ER", "TR", "SV", "LP", "FU"):
        assert codes[code].kind == "need" and codes[code].label_sv and codes[code].definition_en
    categories = [e.code for e in version.entries.filter(kind="category")]
    assert sorted(categories) == ["AWR", "CHL", "FAM", "LAS", "LPN", "MED", "SVT"]
    assert all(codes[e.parent].kind == "need" for e in version.entries.filter(kind="subneed"))
    assert codes["SM"].services  # a need maps to the services it calls for


def test_a_change_makes_a_new_dated_version_and_keeps_the_old_one(agent):
    editor = officer("coordinator")
    before = selectors.taxonomy_current()
    old = selectors.entries_of(before)["SP"]
    version = services.taxonomy_update(
        actor=editor,
        code="SP",
        label_sv=old.label_sv,
        label_en=old.label_en,
        definition_sv=old.definition_sv + " Även vårdnadshavare som inte är förälder.",
        definition_en=old.definition_en,
        services=["childcare", "social_services"],
        note="Kommunernas synpunkter 2019",
    )
    assert version.number == before.number + 1 and selectors.taxonomy_current() == version
    assert selectors.entries_of(version)["SP"].services == ["childcare", "social_services"]
    assert NeedDefinition.objects.get(version=before, code="SP").definition_sv == old.definition_sv
    assert version.entries.count() == before.entries.count()
    event = AuditEvent.objects.get(code="resettlement.taxonomy.changed")
    assert event.data["entry"] == "SP" and event.data["version"] == version.number
    assert verify().ok


def test_only_the_agencys_administrators_and_coordinators_change_the_taxonomy(agent):
    args = dict(
        code="SM", label_sv="x", label_en="x", definition_sv="x", definition_en="x", services=[], note="n"
    )
    for actor in (agent, municipal(OSTERSUND, "administrator")):  # a case officer; a municipality
        with pytest.raises(NotFound):
            services.taxonomy_update(actor=actor, **args)
    with pytest.raises(ValidationError) as exc:
        services.taxonomy_update(actor=officer("administrator"), **{**args, "note": " ", "services": ["spa"]})
    assert set(exc.value.errors) == {"note", "services"}
    assert TaxonomyVersion.objects.count() == 1


# --- Reception ----------------------------------------------------------------------------------
def test_reception_numbers_import_and_replace_the_years_rows(agent):
    assert services.reception_import(actor=agent, year=YEAR, data=RECEPTION_CSV, filename="m.csv") == 3
    ost = Reception.objects.get(municipality_id=OSTERSUND, year=YEAR)
    assert (ost.capacity_persons, ost.large_dwellings, ost.need_slots, ost.languages) == (
        12,
        1,
        {"SM": 2, "CR": 1},
        ["ar", "ti"],
    )
    services.reception_import(
        actor=agent,
        year=YEAR,
        data=b"code,name,capacity_persons,large_dwellings,need_slots\n2380,x,20,2,\n",
        filename="m.csv",
    )
    ost.refresh_from_db()
    assert (ost.capacity_persons, ost.need_slots) == (20, {})
    assert Reception.objects.filter(year=YEAR).count() == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("2380,x,12,1,\n1480,y,-3,0,\n", "m.csv:3: capacity_persons: -3 is negative"),
        ("2380,x,12,1,\n9999,y,3,0,\n", "m.csv:3: code: unknown municipality code '9999'"),
        ("2380,x,12,1,XX=2\n", "m.csv:2: need_slots: unknown need code 'XX'"),
        ("2380,x,12,1,\n2380,x,3,0,\n", "m.csv:3: code: '2380' is given twice"),
    ],
)
def test_a_bad_reception_file_names_the_line_and_writes_nothing(agent, body, message):
    data = ("code,name,capacity_persons,large_dwellings,need_slots\n" + body).encode()
    with pytest.raises(ValidationError) as exc:
        services.reception_import(actor=agent, year=YEAR, data=data, filename="m.csv")
    assert exc.value.errors["file"][0].startswith(message)
    assert not Reception.objects.exists()


def test_a_municipality_keeps_its_own_reception_and_nobody_elses(agent):
    ost = municipal(OSTERSUND)
    services.reception_set(
        actor=ost,
        municipality_code=OSTERSUND,
        year=YEAR,
        capacity_persons=30,
        large_dwellings=2,
        need_slots={"SM": 3},
        languages=["AR", " ti "],
    )
    r = Reception.objects.get(municipality_id=OSTERSUND, year=YEAR)
    assert (r.capacity_persons, r.languages) == (30, ["ar", "ti"])
    event = AuditEvent.objects.get(code="resettlement.reception.set")
    assert event.data["after"]["capacity_persons"] == 30 and event.data["before"] is None
    with pytest.raises(NotFound):
        services.reception_set(
            actor=ost,
            municipality_code=GOTEBORG,
            year=YEAR,
            capacity_persons=1,
            large_dwellings=0,
            need_slots={},
            languages=[],
        )
    with pytest.raises(NotFound):
        services.reception_import(actor=ost, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    with pytest.raises(ValidationError) as exc:
        services.reception_set(
            actor=ost,
            municipality_code=OSTERSUND,
            year=YEAR,
            capacity_persons=-1,
            large_dwellings=0,
            need_slots={},
            languages=[],
        )
    assert "capacity_persons" in exc.value.errors


# --- Cases --------------------------------------------------------------------------------------
def test_cases_import_with_their_persons(agent):
    assert services.case_import(actor=agent, year=YEAR, data=CASES_CSV, filename="c.csv") == 4
    k1 = Case.objects.get(reference="K-1")
    assert k1.expected_arrival == dt.date(2027, 3, 1) and k1.persons.count() == 3
    assert Person.objects.get(case=k1, position=2).needs == ["SM-CI"]
    assert Case.objects.get(reference="K-2").tie_id == GOTEBORG
    event = AuditEvent.objects.get(code="resettlement.cases.imported")
    assert event.data["persons"] == 7 and "engineer" not in str(event.data)


def test_a_bad_case_file_names_the_line_and_writes_nothing(agent):
    bad = CASES_CSV.replace(b"K-3,55,M,SM,", b"K-3,55,M,SMX,")
    with pytest.raises(ValidationError) as exc:
        services.case_import(actor=agent, year=YEAR, data=bad, filename="c.csv")
    assert exc.value.errors["file"][0].startswith("c.csv:7: needs: unknown need code 'SMX'")
    assert not Case.objects.exists() and not Person.objects.exists()


def test_a_case_that_already_exists_is_refused_whole(agent):
    services.case_import(actor=agent, year=YEAR, data=b"case_id,age,sex\nK-3,30,F\n", filename="c.csv")
    with pytest.raises(ValidationError) as exc:
        services.case_import(actor=agent, year=YEAR, data=CASES_CSV, filename="c.csv")
    assert exc.value.errors["file"][0].startswith("c.csv:7: case_id: case 'K-3' already exists")
    assert Case.objects.count() == 1


def test_nobody_but_the_agencys_officers_imports_cases():
    for actor in (municipal(OSTERSUND), actor_for_user(member("administrator", organisation()))):
        with pytest.raises(NotFound):
            services.case_import(actor=actor, year=YEAR, data=CASES_CSV, filename="c.csv")


# --- Runs ---------------------------------------------------------------------------------------
def test_a_run_places_every_case_within_the_limits_and_explains_each(
    loaded, django_capture_on_commit_callbacks
):
    run = _run(loaded, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.PROPOSED and run.progress == 100
    assert run.gap is not None and run.gap <= 1e-6 and run.input_sha256
    where = dict(run.proposals.values_list("case__reference", "municipality_id"))
    assert all(where.values()) and where["K-2"] == GOTEBORG  # every case; the tie honoured
    assert where["K-1"] != KIRUNA  # Kiruna has no SM places
    k2 = run.proposals.get(case__reference="K-2")
    assert k2.score > 0 and k2.parts and k2.suggested_id == GOTEBORG
    assert not Case.objects.filter(placed_in__isnull=False).exists()  # nothing placed before approval


def test_a_failed_run_keeps_no_proposals(loaded, django_capture_on_commit_callbacks):
    with mock.patch("samverkan.resettlement.services.runs.solve", side_effect=TimeoutError):
        run = _run(loaded, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED and "did not finish" in run.error
    assert not Proposal.objects.exists()
    with mock.patch("samverkan.resettlement.services.runs.solve", side_effect=RuntimeError("boom")):
        run = _run(loaded, django_capture_on_commit_callbacks)  # the worker logs the crash
    assert run.status == RunStatus.FAILED and "internal error" in run.error
    assert not Proposal.objects.exists()


def test_a_run_whose_worker_died_is_failed_after_its_time_limit(loaded):
    run = services.run_start(actor=loaded, year=YEAR, time_limit=10)  # not executed: no commit hook
    PlacementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    )
    assert services.runs_fail_stalled(now=dt.datetime(2027, 1, 1, 0, 5, tzinfo=dt.UTC)) == 0
    assert services.runs_fail_stalled(now=dt.datetime(2027, 1, 1, 0, 6, tzinfo=dt.UTC)) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and not run.proposals.exists()


def test_a_run_needs_cases_and_reception_numbers(agent):
    with pytest.raises(ValidationError) as exc:
        services.run_start(actor=agent, year=YEAR)
    assert "year" in exc.value.errors
    services.case_import(actor=agent, year=YEAR, data=CASES_CSV, filename="c.csv")
    with pytest.raises(ValidationError) as exc:
        services.run_start(actor=agent, year=YEAR)
    assert "reception" in exc.value.errors["year"][0]
    with pytest.raises(ValidationError):
        services.run_start(actor=agent, year=YEAR, time_limit=0)
    with pytest.raises(NotFound):
        services.run_start(actor=municipal(OSTERSUND), year=YEAR)


# --- Override and approval ----------------------------------------------------------------------
def test_an_override_that_breaks_a_limit_needs_confirmation_and_keeps_the_warnings(
    loaded, django_capture_on_commit_callbacks
):
    run = _run(loaded, django_capture_on_commit_callbacks)
    # K-2 is tied to Göteborg; Kiruna has 4 places and no large dwellings, and K-1 has SM
    with pytest.raises(ValidationError) as exc:
        services.proposal_override(
            actor=loaded, run=run, reference="K-2", municipality_code=KIRUNA, note="test"
        )
    assert any("tied to Göteborgs kommun" in w for w in exc.value.errors["confirm"])
    with pytest.raises(ValidationError) as exc:
        services.proposal_override(
            actor=loaded, run=run, reference="K-1", municipality_code=KIRUNA, note="test"
        )
    assert any("Serious medical condition" in w for w in exc.value.errors["confirm"])
    assert run.proposals.filter(overridden_at__isnull=False).count() == 0
    p = services.proposal_override(
        actor=loaded, run=run, reference="K-1", municipality_code=KIRUNA, note="family asked", confirm=True
    )
    assert p.municipality_id == KIRUNA and p.suggested_id != KIRUNA and p.override_warnings
    assert {w["code"] for w in p.override_warnings} == {"over_limit"}  # kept as codes
    event = AuditEvent.objects.get(code="resettlement.proposal.overridden")
    assert event.data["to"] == KIRUNA and event.data["warnings"] == p.override_warnings
    with pytest.raises(ValidationError) as exc:
        services.proposal_override(actor=loaded, run=run, reference="K-4", municipality_code="2380", note="")
    assert "note" in exc.value.errors


def test_an_override_within_the_limits_needs_no_confirmation(loaded, django_capture_on_commit_callbacks):
    run = _run(loaded, django_capture_on_commit_callbacks)
    current = run.proposals.get(case__reference="K-4").municipality_id
    target = next(c for c in (OSTERSUND, GOTEBORG, KIRUNA) if c != current)
    p = services.proposal_override(
        actor=loaded, run=run, reference="K-4", municipality_code=target, note="closer to work"
    )
    assert p.municipality_id == target and p.override_warnings == []


def test_approval_places_every_case_and_opens_the_packets(loaded, django_capture_on_commit_callbacks):
    run = _run(loaded, django_capture_on_commit_callbacks)
    services.run_approve(actor=loaded, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED and run.approved_at
    placed = dict(Case.objects.values_list("reference", "placed_in_id"))
    assert placed == dict(run.proposals.values_list("case__reference", "municipality_id"))
    with pytest.raises(ValidationError):
        services.run_approve(actor=loaded, run=run)
    # a second run has nothing left to place
    with pytest.raises(ValidationError):
        services.run_start(actor=loaded, year=YEAR)


def test_a_crash_during_approval_leaves_nothing_approved(loaded, django_capture_on_commit_callbacks):
    run = _run(loaded, django_capture_on_commit_callbacks)
    real = services.runs.audit.record

    def failing(**kwargs):
        if kwargs["code"] == "resettlement.run.approved":
            raise RuntimeError("disk full")
        return real(**kwargs)

    with mock.patch.object(services.runs.audit, "record", side_effect=failing), pytest.raises(RuntimeError):
        services.run_approve(actor=loaded, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.PROPOSED
    assert not Case.objects.filter(placed_in__isnull=False).exists()


def test_the_next_run_counts_what_was_approved_before(loaded, django_capture_on_commit_callbacks):
    first = _run(loaded, django_capture_on_commit_callbacks)
    services.run_approve(actor=loaded, run=first)
    services.case_import(
        actor=loaded, year=YEAR, data=b"case_id,age,sex,needs\nK-9,30,F,SM\n", filename="c.csv"
    )
    problem = selectors.run_input(PlacementRun(year=YEAR)).problem
    assert [c.case_id for c in problem.cases] == ["K-9"]
    muni = {m.code: m for m in problem.municipalities}
    persons_in_ost = Person.objects.filter(case__placed_in_id=OSTERSUND).count()
    assert muni[OSTERSUND].capacity_persons == 12 - persons_in_ost
    sm_used = sum(
        1
        for n in Person.objects.filter(case__placed_in_id=OSTERSUND).values_list("needs", flat=True)
        if any(c.startswith("SM") for c in n)
    )
    assert muni[OSTERSUND].need_slots.get("SM", 0) == 2 - sm_used


# --- Packets and follow-up ----------------------------------------------------------------------
@pytest.fixture
def approved(loaded, django_capture_on_commit_callbacks):
    run = _run(loaded, django_capture_on_commit_callbacks)
    services.run_approve(actor=loaded, run=run)
    return dict(Case.objects.values_list("reference", "placed_in_id"))


def test_a_packet_reaches_only_the_receiving_municipality(approved):
    home = approved["K-2"]
    other = next(c for c in (OSTERSUND, GOTEBORG, KIRUNA) if c != home)
    reader = municipal(home)
    case = selectors.packet_case_for(actor=reader, reference="K-2")
    assert {c.reference for c in selectors.packet_cases_for(actor=reader)} == {
        r for r, m in approved.items() if m == home
    }
    for outsider in (
        municipal(other),
        actor_for_user(member("administrator", organisation(kind="ngo"))),
        municipal(home, "reader"),  # a reader of the right municipality: not a personal-data role
    ):
        with pytest.raises(NotFound):
            selectors.packet_case_for(actor=outsider, reference="K-2")
        assert not selectors.packet_cases_for(actor=outsider).filter(reference="K-2").exists()
    packet = selectors.packet_for(actor=reader, case=case, how="page")
    assert [p.age for p in packet["persons"]] == [30, 4]
    assert [n.code for n in packet["persons"][0].needs] == ["WR"] and packet["services"]


def test_a_packet_and_its_follow_up_stay_in_the_taxonomy_version_of_the_placement(approved):
    """Definitions changed after the run placed the case were not in force when it was proposed:
    the municipality prepares, and records what it observed, by the version the run used."""
    home = approved["K-2"]
    reader = municipal(home)
    placed_in = selectors.taxonomy_current()
    old = selectors.entries_of(placed_in)["WR"]
    editor = officer("coordinator")
    services.taxonomy_update(
        actor=editor,
        code="WR",
        label_sv=old.label_sv + " (ny)",
        label_en=old.label_en,
        definition_sv=old.definition_sv,
        definition_en=old.definition_en,
        services=["childcare"],
        note="Ändrad efter placeringen",
    )
    newer = services.taxonomy_add(
        actor=editor,
        parent="WR",
        code="WR-NY",
        label_sv="Ny underkod",
        label_en="New sub-code",
        definition_sv="Tillkom efter placeringen.",
        definition_en="Added after the placement.",
        services=["childcare"],
        note="Ny kod",
    )
    assert selectors.taxonomy_current() == newer != placed_in
    arrived("K-2")
    case = selectors.packet_case_for(actor=reader, reference="K-2")
    packet = selectors.packet_for(actor=reader, case=case, how="page")
    assert packet["version"] == placed_in
    wr = packet["persons"][0].needs[0]
    assert (wr.code, wr.label_sv, wr.services) == ("WR", old.label_sv, old.services)
    # The follow-up takes the placement's codes, and refuses one that came later.
    with pytest.raises(ValidationError):
        services.observation_record(actor=reader, case=case, observed={1: ["WR-NY"]}, nothing_observed=[2])
    services.observation_record(actor=reader, case=case, observed={1: ["WR"]}, nothing_observed=[2])
    assert Observation.objects.get(person__case=case, person__position=1).taxonomy_version == placed_in


def test_a_packet_leaves_out_education_occupation_ties_and_the_optimizers_reasoning(approved):
    # K-1's persons have all of it (the case without any, K-2, could not tell).
    secrets = give_the_case_what_a_packet_must_not_show("K-1")
    reader = municipal(approved["K-1"])
    case = selectors.packet_case_for(actor=reader, reference="K-1")
    packet = selectors.packet_for(actor=reader, case=case, how="page")
    # What a packet holds, by name: the case (for its reference, municipality and arrival), the
    # family (position, age, sex, needs, languages), the services and the taxonomy version.
    # The municipality also sees the follow-up it recorded itself (none yet here).
    assert set(packet) == {"case", "persons", "services", "version", "followup"}
    assert [f.observed for f in packet["followup"]] == [None, None, None]
    assert {f.name for f in dataclasses.fields(selectors.PacketPerson)} == {
        "position",
        "age",
        "sex",
        "needs",
        "languages",
    }
    assert [(p.age, p.sex) for p in packet["persons"]] == [(41, "Male"), (38, "Female"), (9, "Female")]
    text = repr(packet["persons"]) + repr(packet["services"]) + repr(packet["version"])
    assert [s for s in secrets if s in text] == []


def test_no_packet_before_approval(loaded, django_capture_on_commit_callbacks):
    _run(loaded, django_capture_on_commit_callbacks)
    with pytest.raises(NotFound):
        selectors.packet_case_for(actor=municipal(GOTEBORG), reference="K-2")


def arrived(reference: str) -> None:
    """The family of case ``reference`` arrived a month ago: follow-up can be recorded."""
    Case.objects.filter(reference=reference).update(expected_arrival=dt.date.today() - dt.timedelta(days=30))


def test_follow_up_is_recorded_by_the_receiving_municipality_only(approved):
    home = approved["K-1"]
    arrived("K-1")
    case = Case.objects.get(reference="K-1")
    other = next(c for c in (OSTERSUND, GOTEBORG, KIRUNA) if c != home)
    with pytest.raises(NotFound):
        services.observation_record(actor=municipal(other), case=case, observed={1: ["SM"]})
    with pytest.raises(NotFound):
        services.observation_record(actor=officer(), case=case, observed={1: ["SM"]})
    with pytest.raises(ValidationError) as exc:
        services.observation_record(actor=municipal(home), case=case, observed={1: ["NOPE"]})
    assert "person_1" in exc.value.errors
    services.observation_record(
        actor=municipal(home), case=case, observed={1: ["TR"], 2: ["SM-CI", "TR"]}, nothing_observed=[3]
    )
    assert Person.objects.get(case=case, position=2).observation.needs == ["SM-CI", "TR"]
    assert AuditEvent.objects.filter(code="resettlement.followup.recorded").count() == 1


def test_an_emptied_database_gets_the_shipped_taxonomy_back():
    shipped = sorted(selectors.need_codes_of(selectors.taxonomy_current()))
    TaxonomyVersion.objects.all().delete()
    with pytest.raises(NotFound):  # a read never writes it back
        selectors.taxonomy_current()
    version = services.taxonomy_current()  # the first write that needs one does
    assert version.number == 1 and sorted(selectors.need_codes_of(version)) == shipped


def test_approval_is_refused_when_the_reception_changed_since_the_run(
    loaded, django_capture_on_commit_callbacks
):
    run = _run(loaded, django_capture_on_commit_callbacks)
    services.reception_set(
        actor=municipal(OSTERSUND),
        municipality_code=OSTERSUND,
        year=YEAR,
        capacity_persons=1,
        large_dwellings=0,
        need_slots={},
        languages=[],
    )
    with pytest.raises(ValidationError) as exc:
        services.run_approve(actor=loaded, run=run)
    assert "Start a new run" in exc.value.errors["__all__"][0]
    assert not Case.objects.filter(placed_in__isnull=False).exists()


def test_an_override_keeps_its_reason_on_the_proposal_not_in_the_log(
    loaded, django_capture_on_commit_callbacks
):
    run = _run(loaded, django_capture_on_commit_callbacks)
    current = run.proposals.get(case__reference="K-4").municipality_id
    target = next(c for c in (OSTERSUND, GOTEBORG, KIRUNA) if c != current)
    services.proposal_override(
        actor=loaded,
        run=run,
        reference="K-4",
        municipality_code=target,
        note="behandling på sjukhuset",
        confirm=True,
    )
    assert run.proposals.get(case__reference="K-4").override_note == "behandling på sjukhuset"
    event = AuditEvent.objects.get(code="resettlement.proposal.overridden")
    assert "sjukhuset" not in str(event.data)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "m.csv:2: no municipalities in the file"),
        ("2380,x,99999999999,1,\n", "m.csv:2: capacity_persons: 99999999999 is too large"),
        ("2380,x,1,1,SM=99999999999\n", "m.csv:2: need_slots: 99999999999 is too large"),
    ],
)
def test_empty_and_absurd_reception_files_are_refused(agent, body, message):
    data = ("code,name,capacity_persons,large_dwellings,need_slots\n" + body).encode()
    with pytest.raises(ValidationError) as exc:
        services.reception_import(actor=agent, year=YEAR, data=data, filename="m.csv")
    assert exc.value.errors["file"][0].startswith(message)
    assert not Reception.objects.exists()
