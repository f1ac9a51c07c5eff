"""The resettlement pages: the public taxonomy, imports that name the bad line, the run page with its
override form, packets reachable only by the receiving municipality (and logged), follow-up."""

from __future__ import annotations

import datetime as dt

import pytest

from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.models import AuditEvent
from samverkan.resettlement import selectors, services
from samverkan.resettlement.models import Case, PlacementRun, Reception, RunStatus
from samverkan.resettlement.tests.factories import (
    CASES_CSV,
    GOTEBORG,
    KIRUNA,
    OSTERSUND,
    RECEPTION_CSV,
    YEAR,
    give_the_case_what_a_packet_must_not_show,
    municipal_user,
    officer,
    officer_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def client(client):
    """Pages in English, so messages can be asserted by their msgids."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def agent():
    return officer_user()


@pytest.fixture
def proposed(agent, django_capture_on_commit_callbacks):
    actor = officer()
    services.reception_import(actor=actor, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    services.case_import(actor=actor, year=YEAR, data=CASES_CSV, filename="c.csv")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(actor=actor, year=YEAR, time_limit=10)
    run.refresh_from_db()
    return run


def test_the_taxonomy_is_public_with_its_versions(client):
    response = client.get("/resettlement/needs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-code="SM"' in body and 'data-code="LAS"' in body and 'data-version="1"' in body
    assert "/resettlement/needs/SM/edit/" not in body  # no edit links for the public


def test_reading_the_taxonomy_never_writes_and_a_write_loads_the_shipped_version_again(client):
    """A database emptied since the migration (a flush) has no taxonomy: the public page answers
    404 instead of writing during a GET; the first write that needs one loads version 1 again."""
    from samverkan.resettlement.models import NeedDefinition, TaxonomyVersion

    NeedDefinition.objects.all().delete()
    TaxonomyVersion.objects.all().delete()
    assert client.get("/resettlement/needs/").status_code == 404
    assert not TaxonomyVersion.objects.exists() and not NeedDefinition.objects.exists()
    version = services.taxonomy_current()
    assert version.number == 1 and selectors.entries_of(version)["SM"].kind == "need"
    assert client.get("/resettlement/needs/").status_code == 200


def test_an_agency_coordinator_changes_a_definition_through_the_form(client):
    user = officer_user("coordinator")
    verified_login(client, user)
    entry = selectors.entries_of(selectors.taxonomy_current())["ER"]
    form = {
        "label_sv": entry.label_sv,
        "label_en": entry.label_en,
        "definition_sv": entry.definition_sv,
        "definition_en": "Changed in a test.",
        "services": ["elder_care", "primary_care"],
        "note": "",
        "base_version": 1,
    }
    response = client.post("/resettlement/needs/ER/edit/", form)
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post("/resettlement/needs/ER/edit/", {**form, "note": "clearer"})
    assert response.status_code == 302
    assert selectors.taxonomy_current().number == 2
    assert "Changed in a test." in client.get("/resettlement/needs/").content.decode()
    assert "Changed in a test." not in client.get("/resettlement/needs/?version=1").content.decode()
    # a form loaded before that change (version 1) is refused, not saved over it
    response = client.post(
        "/resettlement/needs/ER/edit/", {**form, "note": "stale", "definition_en": "Old form."}
    )
    assert (
        response.status_code == 200
        and "Someone changed the definitions meanwhile" in response.content.decode()
    )
    assert selectors.taxonomy_current().number == 2


def test_the_edit_page_is_404_for_everyone_else(client):
    verified_login(client, municipal_user(OSTERSUND, "administrator"))
    assert client.get("/resettlement/needs/SM/edit/").status_code == 404


def test_a_bad_case_file_is_answered_with_the_line_on_the_page(client, agent):
    verified_login(client, agent)
    bad = CASES_CSV.replace(b"K-2,30,F,WR,ti,,,urgent,1480", b"K-2,30,F,WR,ti,,,urgent,0000")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"/resettlement/cases/{YEAR}/", {"file": SimpleUploadedFile("cases.csv", bad)})
    assert response.status_code == 200
    assert (
        "cases.csv:5: tie_municipality: unknown municipality code &#x27;0000&#x27;"
        in response.content.decode()
    )
    assert not Case.objects.exists()
    response = client.post(
        f"/resettlement/cases/{YEAR}/", {"file": SimpleUploadedFile("cases.csv", CASES_CSV)}
    )
    assert response.status_code == 302 and Case.objects.count() == 4


def test_a_municipality_edits_its_reception_through_the_form(client):
    verified_login(client, municipal_user(KIRUNA))
    url = f"/resettlement/reception/{YEAR}/{KIRUNA}/"
    response = client.post(
        url, {"capacity_persons": 8, "large_dwellings": 1, "need_slots": "SM=x", "languages": ""}
    )
    assert response.status_code == 200 and "not CODE=number" not in response.content.decode()
    assert "SM=x" in response.content.decode() and not Reception.objects.exists()
    response = client.post(
        url, {"capacity_persons": 8, "large_dwellings": 1, "need_slots": "SM=1;DS=2", "languages": "ar;so"}
    )
    assert response.status_code == 302
    assert Reception.objects.get(municipality_id=KIRUNA).need_slots == {"SM": 1, "DS": 2}
    assert client.get(f"/resettlement/reception/{YEAR}/{OSTERSUND}/").status_code == 404


def test_the_run_page_shows_the_proposal_and_a_move_asks_for_confirmation(client, agent, proposed):
    verified_login(client, agent)
    body = client.get(f"/resettlement/runs/{proposed.pk}/").content.decode()
    assert 'data-case="K-1"' in body and "data-approve" in body
    url = f"/resettlement/runs/{proposed.pk}/cases/K-2/"
    response = client.post(url, {"municipality": KIRUNA, "note": "test"})
    assert response.status_code == 200 and "tied to Göteborgs kommun" in response.content.decode()
    assert "data-confirm-form" in response.content.decode()
    assert proposed.proposals.get(case__reference="K-2").municipality_id == GOTEBORG
    response = client.post(url, {"municipality": KIRUNA, "note": "test", "confirmed": "yes"})
    assert response.status_code == 302
    assert proposed.proposals.get(case__reference="K-2").municipality_id == KIRUNA


def test_runs_are_404_outside_the_agency(client, proposed):
    for user in (municipal_user(OSTERSUND), member("administrator", organisation())):
        client.force_login(user)
        verified_login(client, user)
        assert client.get(f"/resettlement/runs/{proposed.pk}/").status_code == 404
        assert client.post(f"/resettlement/runs/{proposed.pk}/approve/").status_code == 404
    assert PlacementRun.objects.get(pk=proposed.pk).status == RunStatus.PROPOSED


def test_a_packet_is_readable_and_printable_by_its_municipality_only_and_every_read_is_logged(
    client, agent, proposed
):
    verified_login(client, agent)
    client.post(f"/resettlement/runs/{proposed.pk}/approve/", {"confirmed": "yes"})
    home = Case.objects.get(reference="K-2").placed_in_id
    other = next(c for c in (OSTERSUND, GOTEBORG, KIRUNA) if c != home)
    receiver = municipal_user(home)
    verified_login(client, receiver)
    assert "K-2" in client.get("/resettlement/packets/").content.decode()
    listed = AuditEvent.objects.get(code="resettlement.packets.listed")
    assert "K-2" in listed.data["cases"] and listed.actor_user_id == receiver.pk
    body = client.get("/resettlement/packets/K-2/").content.decode()
    assert 'data-packet="K-2"' in body and "2027-04-01" in body
    assert client.get("/resettlement/packets/K-2/?print=1").status_code == 200
    events = AuditEvent.objects.filter(code="resettlement.packet.viewed")
    assert [e.data["how"] for e in events.order_by("seq")] == ["page", "print"]
    assert all(e.actor_user_id == receiver.pk for e in events)
    for outsider in (municipal_user(other), member("administrator", organisation(kind="ngo"))):
        verified_login(client, outsider)
        assert client.get("/resettlement/packets/K-2/").status_code == 404
        assert client.get("/resettlement/packets/K-2/followup/").status_code == 404
    assert events.count() == 2


def test_a_packet_page_and_its_print_show_no_education_occupation_tie_or_reasoning(client, agent, proposed):
    verified_login(client, agent)
    assert client.post(f"/resettlement/runs/{proposed.pk}/approve/", {"confirmed": "yes"}).status_code == 302
    secrets = give_the_case_what_a_packet_must_not_show("K-1")
    verified_login(client, municipal_user(Case.objects.get(reference="K-1").placed_in_id))
    pages = ("/resettlement/packets/", "/resettlement/packets/K-1/", "/resettlement/packets/K-1/?print=1")
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        body = response.content.decode()
        assert "K-1" in body and [s for s in secrets if s in body] == [], address
    body = client.get("/resettlement/packets/K-1/").content.decode()
    assert 'data-packet="K-1"' in body and "2027-03-01" in body  # what it does show


def test_follow_up_through_the_form(client, agent, proposed):
    services.run_approve(actor=officer(), run=proposed)
    Case.objects.filter(reference="K-1").update(expected_arrival=dt.date.today() - dt.timedelta(days=1))
    home = Case.objects.get(reference="K-1").placed_in_id
    verified_login(client, municipal_user(home))
    response = client.post(
        "/resettlement/packets/K-1/followup/",
        {"person_1": ["TR"], "person_2": ["SM-CI", "BAD"], "person_3": ["none"]},
    )
    assert response.status_code == 200 and "Unknown need code BAD" in response.content.decode()
    response = client.post(
        "/resettlement/packets/K-1/followup/",
        {"person_1": ["TR"], "person_2": ["SM-CI"], "person_3": ["none"]},
    )
    assert response.status_code == 302
    case = Case.objects.get(reference="K-1")
    assert case.persons.get(position=1).observation.needs == ["TR"]
    assert client.get("/resettlement/followup/").status_code == 200


def test_the_start_page_opens_on_the_latest_year_with_data(client, agent):
    services.reception_import(actor=officer(), year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    verified_login(client, agent)
    body = client.get("/resettlement/").content.decode()
    assert f'<option value="{YEAR}" selected>' in body and "data-receptions>3" in body
    assert client.get("/resettlement/?year=1999").status_code == 200


def test_malformed_addresses_and_parameters_are_404_or_ignored_never_an_error(client, agent):
    verified_login(client, agent)
    for url in (
        "/resettlement/packets/a%00/",
        "/resettlement/packets/" + "a" * 41 + "/",
        "/resettlement/packets/a%20b/followup/",
        f"/resettlement/reception/{YEAR}/a%00/",
        f"/resettlement/reception/{YEAR}/12345/",
        "/resettlement/needs/sm%00/edit/",
        "/resettlement/runs/1/cases/%00/",
    ):
        assert client.get(url).status_code == 404, url
    for version in ("²", "9" * 5000, "-1", "abc"):
        assert client.get("/resettlement/needs/", {"version": version}).status_code in (200, 404), version


def test_an_absurd_reception_number_is_a_message_not_an_error(client):
    verified_login(client, municipal_user(KIRUNA))
    response = client.post(
        f"/resettlement/reception/{YEAR}/{KIRUNA}/",
        {"capacity_persons": 10**20, "large_dwellings": 1, "need_slots": "", "languages": ""},
    )
    assert response.status_code == 200 and 'id="id_capacity_persons_error"' in response.content.decode()
    assert not Reception.objects.exists()


def test_the_agency_adds_a_sub_code_that_cases_and_follow_up_can_use_at_once(client):
    verified_login(client, officer_user("administrator"))
    form = {
        "parent": "SM",
        "code": "sm-pt",
        "label_sv": "Psykisk ohälsa efter trauma, ej diagnostiserad (fiktiv testkod)",
        "label_en": "Post-traumatic distress, not diagnosed (fictional test code)",
        "definition_sv": "Testdefinition.",
        "definition_en": "Test definition.",
        "services": ["mental_health"],
        "note": "Kommunerna bad om en bredare definition",
        "base_version": 1,
    }
    response = client.post("/resettlement/needs/new/", {**form, "code": "DS-PT"})
    assert response.status_code == 200 and 'id="id_code_error"' in response.content.decode()
    response = client.post("/resettlement/needs/new/", form)
    assert response.status_code == 302
    version = selectors.taxonomy_current()
    codes = [e.code for e in version.entries.order_by("position")]
    assert version.number == 2 and "SM-PT" in codes
    assert codes[codes.index("SM-PT") - 1].startswith("SM")  # placed after its siblings
    assert "SM-PT" not in selectors.need_codes_of(selectors.taxonomy_version(1))
    assert AuditEvent.objects.get(code="resettlement.taxonomy.added").data["entry"] == "SM-PT"
    services.case_import(
        actor=officer(), year=YEAR, data=b"case_id,age,sex,needs\nN-1,30,F,SM-PT\n", filename="c.csv"
    )
    response = client.post("/resettlement/needs/new/", {**form, "base_version": 2})
    assert "already exists" in response.content.decode()
    verified_login(client, municipal_user(OSTERSUND, "administrator"))
    assert client.get("/resettlement/needs/new/").status_code == 404
