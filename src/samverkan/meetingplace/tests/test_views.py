"""The meeting-place pages: the public calendar with filters, the session page with the
attribution banner, registering and cancelling without an account, and the organisers' list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.meetingplace.models import Registration
from samverkan.meetingplace.tests.factories import activity, session
from samverkan.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_calendar_lists_upcoming_sessions_and_filters_them(client):
    near = session(days=2)
    other = session(days=5)
    other.activity.target_groups = ["employers"]
    other.activity.save()
    body = client.get("/meetingplace/").content.decode()
    assert f'data-session="{near.pk}"' in body and f'data-session="{other.pk}"' in body
    assert body.index(f'data-session="{near.pk}"') < body.index(f'data-session="{other.pk}"')
    body = client.get("/meetingplace/", {"group": "employers"}).content.decode()
    assert f'data-session="{near.pk}"' not in body and f'data-session="{other.pk}"' in body
    body = client.get("/meetingplace/", {"organiser": near.activity.organiser.slug}).content.decode()
    assert f'data-session="{near.pk}"' in body and f'data-session="{other.pk}"' not in body
    assert client.get("/meetingplace/", {"language": "ti"}).status_code == 200


def test_the_session_page_says_who_stands_behind_it_and_that_the_agency_has_not_reviewed_it(client):
    ngo_session = session()
    body = client.get(f"/meetingplace/sessions/{ngo_session.pk}/").content.decode()
    assert 'data-reviewed="not-reviewed"' in body and ngo_session.activity.organiser.name in body
    agency = Organisation.objects.create(name="Migrationsverket", slug="migrationsverket", kind="agency")
    own = session(activity(agency))
    body = client.get(f"/meetingplace/sessions/{own.pk}/").content.decode()
    assert 'data-reviewed="agency"' in body
    arabic = client.get(
        f"/meetingplace/sessions/{ngo_session.pk}/", HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert 'dir="rtl"' in arabic and "data-attribution" in arabic


def test_a_person_registers_without_an_account_and_cancels_with_the_code(client):
    the_session = session(capacity=1)
    url = f"/meetingplace/sessions/{the_session.pk}/"
    response = client.post(url, {"name": "Fiktiv Person", "email": "", "phone": ""})
    assert response.status_code == 200 and 'id="id_email_error"' in response.content.decode()
    response = client.post(
        url, {"name": "Fiktiv Person", "email": "fiktiv@example.invalid", "language": "ar"}
    )
    registration = Registration.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetingplace/r/{registration.code}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-registration-status="confirmed"' in page and registration.code in page
    second = client.post(url, {"name": "Fiktiv Två", "phone": "070-123 45 67"})
    waiting = Registration.objects.get(phone="070-123 45 67")
    assert waiting.status == "waiting"
    assert "number 1 in line" in client.get(second["Location"]).content.decode()
    assert "data-confirm-form" in client.post(f"/meetingplace/r/{registration.code}/").content.decode()
    client.post(f"/meetingplace/r/{registration.code}/", {"confirmed": "yes"})
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert client.get("/meetingplace/r/NOSUCHCODE/").status_code == 404


def test_one_address_can_fill_only_so_many_places_in_a_session(client, settings):
    settings.MEETINGPLACE_REGISTRATIONS_PER_ADDRESS = 2
    the_session = session(capacity=10)
    url = f"/meetingplace/sessions/{the_session.pk}/"
    for i in range(2):
        assert client.post(url, {"name": f"Fiktiv {i}", "phone": f"070-000 00 0{i}"}).status_code == 302
    response = client.post(url, {"name": "Fiktiv 2", "phone": "070-000 00 02"})
    assert response.status_code == 429 and "Ask the organiser to register you" in response.content.decode()
    assert Registration.objects.count() == 2
    # Someone on another connection still gets a place, and so does the organisers' staff.
    other = client.post(url, {"name": "Fiktiv 3", "phone": "070-000 00 03"}, REMOTE_ADDR="203.0.113.40")
    assert other.status_code == 302
    # Refused forms (a missing contact) do not use up the address's places.
    settings.MEETINGPLACE_REGISTRATIONS_PER_ADDRESS = 3
    settings.MEETINGPLACE_ADDRESS_MIN_PLACES = 3
    assert client.post(url, {"name": "Utan kontakt"}).status_code == 200
    assert client.post(url, {"name": "Fiktiv 4", "phone": "070-000 00 04"}).status_code == 302


def test_guessed_registration_codes_are_limited_but_a_real_code_always_works(client, settings):
    settings.MEETINGPLACE_BAD_CODES_PER_ADDRESS = 3
    the_session = session()
    response = client.post(
        f"/meetingplace/sessions/{the_session.pk}/", {"name": "Fiktiv", "phone": "070-111 11 11"}
    )
    real = response["Location"]
    for guess in ("AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC"):
        assert client.get(f"/meetingplace/r/{guess}/").status_code == 404
    limited = client.get("/meetingplace/r/DDDDDDDDDD/")
    assert limited.status_code == 429 and limited["Retry-After"] == "900"
    page = client.get(real)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]  # a name on it: never cached


def test_the_participant_list_is_for_the_organisers_staff_only(client):
    the_session = session(capacity=2)
    url = f"/meetingplace/sessions/{the_session.pk}/participants/"
    verified_login(client, member("coordinator", organisation()))
    assert client.get(url).status_code == 404
    verified_login(client, member("case_officer", the_session.activity.organiser))
    response = client.post(url, {"action": "register", "name": "Amina (fiktiv)", "language": "ar"})
    assert response.status_code == 302
    added = Registration.objects.get()
    assert added.registered_by_id is not None and added.status == "confirmed"
    response = client.post(url, {"action": "check_in", "code": added.code.lower()})
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.checked_in_at is not None
    response = client.post(url, {"action": "check_in", "code": "WRONG"})
    assert 'id="id_code_error"' in response.content.decode()


def test_an_organiser_publishes_an_activity_with_its_first_session(client):
    org = organisation()
    verified_login(client, member("editor", org))
    start = (timezone.localtime() + dt.timedelta(days=10)).replace(second=0, microsecond=0)
    form = {
        "organiser": org.pk,
        "title_sv": "Dina rättigheter på arbetsplatsen (fiktiv)",
        "target_groups": ["asylum_seekers", "permit_holders"],
        "languages": "sv;ar",
        "interpretation": "ti",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place_kind": "service_office",
        "capacity": 30,
    }
    response = client.post("/meetingplace/new/", {**form, "ends_at": form["starts_at"]})
    assert response.status_code == 200 and 'id="id_ends_at_error"' in response.content.decode()
    response = client.post("/meetingplace/new/", form)
    assert response.status_code == 302
    assert "Dina rättigheter" in client.get("/meetingplace/").content.decode()
    verified_login(client, member("reader", organisation()))
    assert client.get("/meetingplace/new/").status_code == 403


def test_calendar_files_for_a_session_an_activity_and_an_organiser_are_valid_icalendar(client):
    from icalendar import Calendar

    act = activity()
    first, second = session(act, days=3), session(act, days=10)
    other = session(days=4)
    response = client.get(f"/meetingplace/sessions/{first.pk}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == act.title["en"]  # the reader's language (English here)
    assert event.decoded("dtstart") == first.starts_at and event.decoded("dtend") == first.ends_at
    assert str(event["uid"]).startswith(f"session-{first.pk}@")
    assert (
        act.organiser.name in str(event["description"])
        and event["organizer"].params["cn"] == act.organiser.name
    )
    both = Calendar.from_ical(client.get(f"/meetingplace/activities/{act.pk}.ics").content).walk("VEVENT")
    assert {str(e["uid"]).split("@")[0] for e in both} == {f"session-{first.pk}", f"session-{second.pk}"}
    by_org = Calendar.from_ical(
        client.get(f"/meetingplace/organisers/{other.activity.organiser.slug}.ics").content
    )
    assert [str(e["uid"]).split("@")[0] for e in by_org.walk("VEVENT")] == [f"session-{other.pk}"]
    english = Calendar.from_ical(
        client.get(f"/meetingplace/sessions/{first.pk}.ics", HTTP_ACCEPT_LANGUAGE="en").content
    )
    assert str(english.walk("VEVENT")[0]["summary"]) == act.title["en"]
    for url in (
        "/meetingplace/sessions/x.ics",
        "/meetingplace/activities/999999.ics",
        "/meetingplace/organisers/nobody.ics",
    ):
        assert client.get(url).status_code == 404


def test_the_poster_has_every_title_the_attribution_and_a_qr_code_to_the_session(client):
    the_session = session()
    body = client.get(f"/meetingplace/sessions/{the_session.pk}/poster/").content.decode()
    assert "data-poster" in body and "<svg" in body and "data-attribution" in body
    assert the_session.activity.title["sv"] in body and the_session.activity.title["en"] in body
    assert f"/meetingplace/sessions/{the_session.pk}/" in body


def test_a_planner_adds_another_date_to_the_series_with_a_registration_window(client):
    first = session()
    url = f"/meetingplace/activities/{first.activity.pk}/sessions/new/"
    verified_login(client, member("coordinator", organisation()))
    assert client.get(url).status_code == 404
    verified_login(client, member("editor", first.activity.organiser))
    start = (timezone.localtime() + dt.timedelta(days=20)).replace(second=0, microsecond=0)
    form = {
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place_kind": "online",
        "capacity": 12,
        "registration_closes": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post(url, form)
    assert response.status_code == 200 and 'id="id_registration_closes_error"' in response.content.decode()
    response = client.post(
        url, {**form, "registration_closes": (start - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    assert first.activity.sessions.count() == 2


def test_the_organisers_cancel_a_session_and_everyone_sees_why(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    the_session = session()
    url = f"/meetingplace/sessions/{the_session.pk}/"
    registered = client.post(url, {"name": "Fiktiv", "email": "fiktiv@example.invalid", "language": "en"})
    own_page = registered["Location"]
    client.post(url, {"name": "Bara telefon", "phone": "070-222 33 44"}, REMOTE_ADDR="203.0.113.50")
    cancel = f"/meetingplace/sessions/{the_session.pk}/cancel/"
    assert client.get(cancel).status_code == 302  # log in first
    verified_login(client, member("editor", organisation()))
    assert client.get(cancel).status_code == 404  # not an organiser
    client.logout()
    verified_login(client, member("coordinator", the_session.activity.organiser))
    page = client.get(cancel).content.decode()
    assert "2 people are registered." in page and "1 of them has no e-mail address" in page
    assert client.post(cancel, {"reason": ""}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel, {"reason": "Lokalen är vattenskadad."}, follow=True)
    assert response.redirect_chain[-1][0] == f"/meetingplace/sessions/{the_session.pk}/participants/"
    assert "1 people have no e-mail address" in response.content.decode()
    assert len(mailoutbox) == 1 and "Lokalen är vattenskadad." in mailoutbox[0].body
    client.logout()
    public = client.get(url).content.decode()
    assert "data-cancelled" in public and "Lokalen är vattenskadad." in public and 'name="name"' not in public
    mine = client.get(own_page).content.decode()
    assert "data-cancelled" in mine and "data-cancel>" not in mine
    assert f'data-session="{the_session.pk}"' not in client.get("/meetingplace/").content.decode()
    assert "STATUS:CANCELLED" in client.get(f"/meetingplace/sessions/{the_session.pk}.ics").content.decode()
