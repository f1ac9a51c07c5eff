"""The meeting-place API: the same services and permissions as the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from samverkan.accounts.tests.factories import member, organisation
from samverkan.core.actor import Actor
from samverkan.meetingplace import services
from samverkan.meetingplace.models import Registration
from samverkan.meetingplace.tests.factories import session
from samverkan.organisations.models import Organisation
from samverkan.organisations.tests.test_api import bearer

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_the_calendar_and_a_session_are_public_with_their_attribution(client):
    the_session = session()
    listing = client.get("/api/v1/meetingplace/sessions").json()
    assert [s["id"] for s in listing["items"]] == [the_session.pk]
    one = client.get(f"/api/v1/meetingplace/sessions/{the_session.pk}").json()
    assert one["attribution"]["organisers"][0]["slug"] == the_session.activity.organiser.slug
    assert one["attribution"]["by_agency"] is False and one["places_left"] == 50
    assert client.get("/api/v1/meetingplace/sessions/999999").status_code == 404


def test_anyone_registers_gets_a_code_and_cancels_with_it(client):
    the_session = session(capacity=1)
    url = f"/api/v1/meetingplace/sessions/{the_session.pk}/registrations"
    first = client.post(url, {"name": "Fiktiv", "email": "a@example.invalid"}, content_type=JSON)
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    second = client.post(url, {"name": "Fiktiv Två", "phone": "070 111 22 33"}, content_type=JSON).json()
    assert second["status"] == "waiting" and second["waiting_position"] == 1
    again = client.post(url, {"name": "Fiktiv", "email": "A@example.invalid"}, content_type=JSON)
    assert again.status_code == 422
    missing = client.post(url, {"name": "Ingen kontakt"}, content_type=JSON)
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][-1] == "email"
    behalf = client.post(url, {"name": "X", "on_behalf": True}, content_type=JSON)
    assert behalf.status_code == 403
    cancelled = client.delete(f"/api/v1/meetingplace/registrations/{first.json()['code']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.get(f"/api/v1/meetingplace/registrations/{second['code']}").json()["status"] == "confirmed"
    assert client.delete("/api/v1/meetingplace/registrations/NOSUCH").status_code == 404


def test_the_api_has_the_same_brakes_as_the_pages(client, settings):
    settings.MEETINGPLACE_REGISTRATIONS_PER_ADDRESS = 1
    settings.MEETINGPLACE_BAD_CODES_PER_ADDRESS = 2
    the_session = session()
    url = f"/api/v1/meetingplace/sessions/{the_session.pk}/registrations"
    first = client.post(url, {"name": "Fiktiv", "phone": "070 111 22 33"}, content_type=JSON)
    assert first.status_code == 201
    # The page and the API share one count per address and session.
    page = client.post(
        f"/meetingplace/sessions/{the_session.pk}/", {"name": "Fiktiv Två", "phone": "070 111 22 44"}
    )
    assert page.status_code == 429
    limited = client.post(url, {"name": "Fiktiv Tre", "phone": "070 111 22 55"}, content_type=JSON)
    assert limited.status_code == 429 and limited["Retry-After"] == "3600"
    assert Registration.objects.count() == 1
    for guess in ("AAAAAAAAAA", "BBBBBBBBBB"):
        assert client.get(f"/api/v1/meetingplace/registrations/{guess}").status_code == 404
    assert client.delete("/api/v1/meetingplace/registrations/CCCCCCCCCC").status_code == 429
    code = first.json()["code"]
    assert client.get(f"/api/v1/meetingplace/registrations/{code}").status_code == 200


def test_participants_are_for_the_organisers_staff(client):
    the_session = session()
    services.registration_create(
        actor=Actor.anonymous(), session=the_session, name="F", email="f@example.invalid"
    )
    url = f"/api/v1/meetingplace/sessions/{the_session.pk}/registrations"
    assert client.get(url).status_code == 401
    assert client.get(url, **bearer(member("coordinator", organisation()))).status_code == 404
    staff = client.get(url, **bearer(member("case_officer", the_session.activity.organiser))).json()
    assert [p["name"] for p in staff["items"]] == ["F"]


def test_material_is_submitted_and_reviewed_through_the_api_never_by_its_submitter(client):
    agency = Organisation.objects.create(name="Migrationsverket", slug="migrationsverket", kind="agency")
    services.fact_save(
        actor=Actor.system(),
        key="bidrag",
        topic="benefits",
        text_sv="Särskilt bidrag prövas.",
        text_en="A special allowance is assessed.",
        valid_from=dt.date(2020, 1, 1),
    )
    the_session = session()
    ngo_editor = member("editor", the_session.activity.organiser)
    created = client.post(
        f"/api/v1/meetingplace/sessions/{the_session.pk}/materials",
        {
            "organisation_id": the_session.activity.organiser_id,
            "title": "Bidrag",
            "text": "Alla får särskilt bidrag.",
        },
        content_type=JSON,
        **bearer(ngo_editor),
    )
    assert created.status_code == 201
    body = created.json()
    assert body["findings"][0]["flagged"] and body["findings"][0]["facts"] == ["bidrag"]
    review_url = f"/api/v1/meetingplace/materials/{body['id']}/review"
    assert (
        client.post(review_url, {"decision": "approve"}, content_type=JSON, **bearer(ngo_editor)).status_code
        == 404
    )
    reviewer = member("case_officer", agency)
    decided = client.post(review_url, {"decision": "approve"}, content_type=JSON, **bearer(reviewer))
    assert decided.status_code == 200 and decided.json()["approved_revision"] == 1
    assert (
        client.get(
            f"/api/v1/meetingplace/materials/{body['id']}", **bearer(member("editor", organisation()))
        ).status_code
        == 404
    )
    assert Registration.objects.count() == 0


def test_the_planners_cancel_a_session_through_the_api(client):
    the_session = session()
    services.registration_create(
        actor=Actor.anonymous(), session=the_session, name="F", email="f@example.invalid"
    )
    url = f"/api/v1/meetingplace/sessions/{the_session.pk}/cancel"
    outsider = bearer(member("editor", organisation()))
    assert client.post(url, {"reason": "Sjuk"}, content_type=JSON, **outsider).status_code == 404
    planner = bearer(member("editor", the_session.activity.organiser))
    assert client.post(url, {"reason": ""}, content_type=JSON, **planner).status_code == 422
    done = client.post(url, {"reason": "Tolken är sjuk."}, content_type=JSON, **planner)
    assert done.status_code == 200
    body = done.json()
    assert body["session"]["status"] == "cancelled" and body["session"]["cancel_reason"] == "Tolken är sjuk."
    assert (body["emailed"], body["without_email"]) == (1, 0)
    assert client.get(f"/api/v1/meetingplace/sessions/{the_session.pk}").json()["status"] == "cancelled"
    again = client.post(url, {"reason": "Igen"}, content_type=JSON, **planner)
    assert again.status_code == 422


@pytest.mark.parametrize(
    ("field", "value"),
    [("organiser", "a\x00b"), ("language", "s\x00"), ("group", "x\x00"), ("place", "\x00")],
)
def test_a_calendar_filter_that_is_no_code_is_refused_naming_the_field(client, field, value):
    """Found by schemathesis on PostgreSQL, which refuses a NUL byte in a text query (a 500): the
    filters are codes and slugs, anything else is a 422 that names the field."""
    response = client.get("/api/v1/meetingplace/sessions", {field: value})
    assert response.status_code == 422
    assert field in str(response.json())


def test_the_calendar_page_with_a_nul_in_a_filter_lists_nothing(client):
    session()
    response = client.get("/meetingplace/", {"organiser": "a\x00b"})
    assert response.status_code == 200
