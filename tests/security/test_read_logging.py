"""Reads of personal data are audit events: each read of a participant list, a case list, a case's
persons or a follow-up form writes exactly one event, by the reader, filed under the organisation
whose data it is, with numbers and ids but never a name. Refused reads write nothing.

Issue #15, item 6."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.core.models import AuditEvent
from samverkan.meetingplace import selectors as meetingplace_selectors
from samverkan.meetingplace import services as meetingplace_services
from samverkan.meetingplace.tests.factories import session as new_session
from samverkan.organisations.models import Organisation
from samverkan.organisations.tests.test_api import bearer
from samverkan.resettlement import selectors as resettlement_selectors
from samverkan.resettlement import services as resettlement_services
from samverkan.resettlement.models import Case
from samverkan.resettlement.tests.factories import (
    CASES_CSV,
    OSTERSUND,
    RECEPTION_CSV,
    YEAR,
    agency,
    municipal_user,
    officer,
    officer_user,
)

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Fiktiv Deltagare", "deltagare@example.invalid", "070-000 11 22"


def _events(code: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(code=code).order_by("seq"))


# --- Meeting places -----------------------------------------------------------------------------
@pytest.fixture
def registered():
    the_session = new_session(capacity=5)
    meetingplace_services.registration_create(
        actor=Actor.anonymous(), session=the_session, name=NAME, email=EMAIL, phone=PHONE
    )
    return the_session


def test_each_read_of_the_participant_list_page_is_one_event(client, registered):
    organiser = registered.activity.organiser
    staff = member("case_officer", organiser)
    url = f"/meetingplace/sessions/{registered.pk}/participants/"
    verified_login(client, member("coordinator", organisation()))
    assert client.get(url).status_code == 404
    assert _events("meetingplace.participants.viewed") == []  # a refused read is not a read

    verified_login(client, staff)
    body = client.get(url).content.decode()
    assert NAME in body  # the page did show the personal data
    [event] = _events("meetingplace.participants.viewed")
    assert event.actor_user_id == staff.pk
    assert event.organisation_id == organiser.pk
    assert event.object_id == str(registered.pk)
    assert event.data["count"] == 1 and event.data["via"] == "page"
    logged = json.dumps(event.data, ensure_ascii=False)
    code = registered.registrations.get().code
    assert not [v for v in (NAME, EMAIL, PHONE, code) if v in logged]

    client.get(url)
    assert len(_events("meetingplace.participants.viewed")) == 2


def test_a_check_in_that_redirects_logs_the_write_and_the_next_read_only(client, registered):
    staff = member("coordinator", registered.activity.organiser)
    verified_login(client, staff)
    code = registered.registrations.get().code
    url = f"/meetingplace/sessions/{registered.pk}/participants/"
    assert client.post(url, {"action": "check_in", "code": code}).status_code == 302
    assert _events("meetingplace.participants.viewed") == []
    assert len(_events("meetingplace.registration.checked_in")) == 1
    client.get(url)
    assert len(_events("meetingplace.participants.viewed")) == 1


def test_each_read_of_the_participant_list_api_is_one_event(client, registered):
    organiser = registered.activity.organiser
    url = f"/api/v1/meetingplace/sessions/{registered.pk}/registrations"
    assert client.get(url, **bearer(member("administrator", organisation()))).status_code == 404
    assert _events("meetingplace.participants.viewed") == []
    staff = member("administrator", organiser)
    response = client.get(url, **bearer(staff))
    assert [p["name"] for p in response.json()["items"]] == [NAME]
    [event] = _events("meetingplace.participants.viewed")
    assert (event.actor_user_id, event.organisation_id) == (staff.pk, organiser.pk)
    assert event.data["via"] == "api" and event.data["count"] == 1
    assert NAME not in json.dumps(event.data, ensure_ascii=False)


# --- Resettlement -------------------------------------------------------------------------------
@pytest.fixture
def run(django_capture_on_commit_callbacks):
    actor = officer()
    resettlement_services.reception_import(actor=actor, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    resettlement_services.case_import(actor=actor, year=YEAR, data=CASES_CSV, filename="c.csv")
    with django_capture_on_commit_callbacks(execute=True):
        the_run = resettlement_services.run_start(actor=actor, year=YEAR, time_limit=10)
    the_run.refresh_from_db()
    return the_run


def test_each_read_of_the_case_list_is_one_event(client):
    resettlement_services.case_import(actor=officer(), year=YEAR, data=CASES_CSV, filename="c.csv")
    agency_id = Organisation.objects.get(slug="migrationsverket").pk
    verified_login(client, municipal_user(OSTERSUND))
    assert client.get(f"/resettlement/cases/{YEAR}/").status_code == 404
    assert _events("resettlement.cases.listed") == []

    reader = officer_user()
    verified_login(client, reader)
    body = client.get(f"/resettlement/cases/{YEAR}/").content.decode()
    assert 'data-case="K-1"' in body
    [event] = _events("resettlement.cases.listed")
    assert (event.actor_user_id, event.organisation_id) == (reader.pk, agency_id)
    assert event.data["year"] == YEAR and event.data["count"] == 4
    assert sorted(event.data["cases"]) == ["K-1", "K-2", "K-3", "K-4"]
    # the start page shows counts only: not a read of the list
    assert client.get(f"/resettlement/?year={YEAR}").status_code == 200
    assert len(_events("resettlement.cases.listed")) == 1


def test_each_read_of_a_runs_case_table_is_one_event(client, run):
    url = f"/resettlement/runs/{run.pk}/"
    verified_login(client, municipal_user(OSTERSUND))
    assert client.get(url).status_code == 404
    assert _events("resettlement.run.viewed") == []
    reader = officer_user("coordinator")
    verified_login(client, reader)
    assert 'data-case="K-3"' in client.get(url).content.decode()
    [event] = _events("resettlement.run.viewed")
    assert (event.actor_user_id, event.organisation_id) == (reader.pk, agency().pk)
    assert event.object_id == str(run.pk)
    assert event.data == {"run": run.pk, "year": YEAR, "cases": 4}


def test_each_read_of_a_cases_persons_in_a_run_is_one_event(client, run):
    url = f"/resettlement/runs/{run.pk}/cases/K-1/"
    verified_login(client, municipal_user(OSTERSUND))
    assert client.get(url).status_code == 404
    assert _events("resettlement.case.viewed") == []
    reader = officer_user()
    verified_login(client, reader)
    body = client.get(url).content.decode()
    assert "Kronisk sjukdom" in body  # person 2's need (SM-CI) is on the page, by its name
    [event] = _events("resettlement.case.viewed")
    assert (event.actor_user_id, event.organisation_id) == (reader.pk, agency().pk)
    case = Case.objects.get(reference="K-1")
    assert event.object_id == str(case.pk)
    assert event.data == {"case": "K-1", "run": run.pk, "persons": 3}


def test_each_read_of_the_follow_up_form_is_one_event(client, run):
    verified_login(client, officer_user())
    client.post(f"/resettlement/runs/{run.pk}/approve/", {"confirmed": "yes"})
    # The family arrived a month ago: the form is there (before the arrival there is none to read).
    Case.objects.filter(reference="K-1").update(expected_arrival=dt.date.today() - dt.timedelta(days=30))
    case = Case.objects.get(reference="K-1")
    home = case.placed_in_id
    url = "/resettlement/packets/K-1/followup/"
    verified_login(client, officer_user())  # the agency reads packets but does not follow up
    assert client.get(url).status_code == 404
    assert _events("resettlement.followup.viewed") == []

    receiver = municipal_user(home)
    receiver_org = receiver.memberships.get().organisation_id
    verified_login(client, receiver)
    assert client.get(url).status_code == 200
    [event] = _events("resettlement.followup.viewed")
    assert (event.actor_user_id, event.organisation_id) == (receiver.pk, receiver_org)
    assert event.data == {"case": "K-1", "municipality": home, "persons": 3}
    # a save that redirects is the write's event, not a read
    response = client.post(url, {"person_1": ["TR"], "person_2": ["none"], "person_3": ["none"]})
    assert response.status_code == 302
    assert len(_events("resettlement.followup.viewed")) == 1
    assert len(_events("resettlement.followup.recorded")) == 1


# --- Who may read, by role: a refused read is NotFound and writes nothing -----------------------
ROLES = ["administrator", "coordinator", "case_officer", "editor", "reader"]
STAFF = {"administrator", "coordinator", "case_officer"}  # the roles that handle personal data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["organiser", "other"])
def test_participant_list_matrix(registered, role, whose):
    org = registered.activity.organiser if whose == "organiser" else organisation()
    actor = actor_for_user(member(role, org))
    if whose == "organiser" and role in STAFF:
        people = meetingplace_selectors.participants_of(actor=actor, session=registered)
        assert [p.name for p in people] == [NAME]
        assert len(_events("meetingplace.participants.viewed")) == 1
    else:
        with pytest.raises(NotFound):
            meetingplace_selectors.participants_of(actor=actor, session=registered)
        assert _events("meetingplace.participants.viewed") == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["agency", "municipality"])
def test_case_reads_matrix(run, role, whose):
    user = officer_user(role) if whose == "agency" else municipal_user(OSTERSUND, role)
    actor = actor_for_user(user)
    case = Case.objects.get(reference="K-1")
    reads = {
        "resettlement.cases.listed": lambda: resettlement_selectors.case_list_for(actor=actor, year=YEAR),
        "resettlement.run.viewed": lambda: resettlement_selectors.proposals_for(actor=actor, run=run),
        "resettlement.case.viewed": lambda: resettlement_selectors.case_persons_for(
            actor=actor, run=run, case=case
        ),
    }
    for code, read in reads.items():
        if whose == "agency" and role in STAFF:
            assert read()
            assert len(_events(code)) == 1
        else:
            with pytest.raises(NotFound):
                read()
            assert _events(code) == []
