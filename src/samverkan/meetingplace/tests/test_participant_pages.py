"""A participant on a phone, without an account (issue #18, point 6, and the meeting-place parts of
points 9, 11 and 12): cancelling asks first; the page and the e-mail give the whole link, and a
code alone finds the page; the confirmation says where; a cancelled place says so instead of
"show the code at the door"; languages are named in the page's language; the home page lists the
calendar's sessions; times read left to right in Arabic."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from samverkan.accounts.tests.factories import member
from samverkan.accounts.tests.helpers import verified_login
from samverkan.meetingplace.models import Registration, Session
from samverkan.meetingplace.tests.factories import activity, session

pytestmark = pytest.mark.django_db


def t(msgid: str, language: str, context: str | None = None) -> str:
    with translation.override(language):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def _in(client, language: str):
    client.cookies["samverkan_language"] = language
    return client


def _register(client, the_session, **data) -> Registration:
    fields = {"name": "Fiktiv Person", "phone": "070-000 00 00", **data}
    response = client.post(f"/meetingplace/sessions/{the_session.pk}/", fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Registration.objects.get(code=response["Location"].rstrip("/").rsplit("/", 1)[1])


def _at_two(the_session: Session) -> Session:
    """The session from 14:00 to 16:00 local time, a week ahead."""
    day = timezone.localdate() + dt.timedelta(days=7)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(14, 0)))
    Session.objects.filter(pk=the_session.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    the_session.refresh_from_db()
    return the_session


# --- Point 6 --------------------------------------------------------------------------------------
def test_one_tap_does_not_cancel_a_place_the_person_is_asked_first(client):
    the_session = session(capacity=1)
    mine = _register(client, the_session)
    waiting = _register(client, the_session, name="Fiktiv Två", phone="070-111 11 11")
    own_page = f"/meetingplace/r/{mine.code}/"
    question = _in(client, "sv").post(own_page)
    body = question.content.decode()
    assert question.status_code == 200 and "data-confirm-form" in body
    assert t("Cancel your place?", "sv") in body and t("Yes, cancel my place", "sv") in body
    assert f'href="{own_page}"' in body  # "No, keep my place" leads back unchanged
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == ("confirmed", "waiting")  # the first POST changed nothing
    done = client.post(own_page, {"confirmed": "yes"})
    assert done.status_code == 302 and done["Location"] == own_page
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == ("cancelled", "confirmed")


def test_the_registration_page_gives_the_whole_link_and_says_where(client):
    the_session = session()
    mine = _register(client, the_session)
    page = _in(client, "sv").get(f"/meetingplace/r/{mine.code}/").content.decode()
    assert f"http://testserver/meetingplace/r/{mine.code}/" in page  # the link, not only the code
    where = re.search(r"<dd[^>]*data-where>(.*?)</dd>", page, re.S)
    assert where is not None
    assert "Fiktiv gata 1, Exempelstad" in where.group(1)
    assert t("The agency's premises", "sv") in where.group(1)
    assert t("Show the code at the door.", "sv") in page


def test_a_code_alone_finds_the_persons_page(client):
    mine = _register(client, session())
    typed = f"{mine.code[:5].lower()} {mine.code[5:]}"  # as read aloud and typed on a phone
    found = client.get("/meetingplace/", {"code": typed})
    assert found.status_code == 302 and found["Location"] == f"/meetingplace/r/{mine.code}/"
    wrong = _in(client, "sv").get("/meetingplace/", {"code": "ZZZZZZZZZZ"})
    assert wrong.status_code == 200
    assert 'id="find-code-error"' in wrong.content.decode() and "ZZZZZZZZZZ" in wrong.content.decode()


def test_the_confirmation_email_has_the_link_the_place_and_the_code(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://samverkan.example.invalid"
    the_session = _at_two(session())
    with django_capture_on_commit_callbacks(execute=True):
        mine = _register(client, the_session, email="fiktiv@example.invalid", language="ar")
        _register(client, the_session, name="Utan e-post", phone="070-222 22 22")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["fiktiv@example.invalid"]
    body = mailoutbox[0].body
    assert f"https://samverkan.example.invalid/meetingplace/r/{mine.code}/" in body and mine.code in body
    assert "Fiktiv gata 1, Exempelstad" in body
    assert t("Your code (show it at the door)", "ar") in body  # in the language the person chose
    assert "\u206614:00–16:00\u2069" in body  # the range kept left to right in Arabic text


def test_a_cancelled_place_says_it_is_cancelled_not_show_the_code(client):
    mine = _register(client, session())
    client.post(f"/meetingplace/r/{mine.code}/", {"confirmed": "yes"})
    page = _in(client, "sv").get(f"/meetingplace/r/{mine.code}/").content.decode()
    assert "data-registration-cancelled" in page
    assert t("Show the code at the door.", "sv") not in page and "Visa koden" not in page
    assert ">Avbokad<" in page and "data-cancel>" not in page
    assert "Återkalla" not in page and "återkalla" not in page


def test_swedish_wording_for_participants(client):
    the_session = session()
    page = _in(client, "sv").get(f"/meetingplace/sessions/{the_session.pk}/").content.decode()
    assert ">Anmäl dig<" in page  # the button and the heading, not the bare "Anmäl"
    mine = _register(client, the_session)
    page = client.get(f"/meetingplace/r/{mine.code}/").content.decode()
    assert "Avboka min plats" in page
    assert t("The registration is already cancelled.", "sv") == "Platsen är redan avbokad."


@pytest.mark.parametrize(
    ("language", "tigrinya"), [("sv", "tigrinska"), ("ar", "التغرينية"), ("en", "Tigrinya")]
)
def test_languages_are_named_in_the_pages_language(client, language, tigrinya):
    the_session = session()  # held in sv and ar, interpreted into ar and ti
    _in(client, language)
    page = client.get(f"/meetingplace/sessions/{the_session.pk}/").content.decode()
    languages = re.search(r"<dd[^>]*data-languages>(.*?)</dd>", page, re.S)
    assert languages is not None and tigrinya in languages.group(1)
    assert not re.search(r"\b(ti|sv|ar)\b", languages.group(1))  # no codes
    assert re.search(r"<option value=\"ti\">ትግርኛ[^<]*</option>", page)  # own name first in the form
    calendar = client.get("/meetingplace/").content.decode()
    assert tigrinya in calendar
    poster = client.get(f"/meetingplace/sessions/{the_session.pk}/poster/").content.decode()
    assert tigrinya in poster and not re.search(r", ti\b", poster)


def test_the_participant_list_names_the_language(client):
    the_session = session()
    _register(client, the_session, language="ti")
    verified_login(client, member("case_officer", the_session.activity.organiser))
    page = _in(client, "sv").get(f"/meetingplace/sessions/{the_session.pk}/participants/").content.decode()
    assert '<td class="govuk-table__cell">tigrinska</td>' in page


# --- Point 9 --------------------------------------------------------------------------------------
def test_the_home_page_lists_the_sessions_the_calendar_lists(client):
    _in(client, "en")
    empty = client.get("/").content.decode()
    assert t("No public events are planned just now.", "en") in empty
    first = session(activity(), days=3)  # for asylum seekers: not tagged "everyone", still public
    second = session(days=5)
    home = client.get("/").content.decode()
    calendar = client.get("/meetingplace/").content.decode()
    assert t("No public events are planned just now.", "en") not in home
    for listed in (first, second):
        assert f'data-session="{listed.pk}"' in home and f'data-session="{listed.pk}"' in calendar
    assert home.index(f'data-session="{first.pk}"') < home.index(f'data-session="{second.pk}"')


# --- Point 11: times read left to right in Arabic ---------------------------------------------------
def test_time_ranges_are_isolated_left_to_right_on_arabic_pages(client):
    the_session = _at_two(session())
    mine = _register(client, the_session)
    _in(client, "ar")
    isolated = '<bdi dir="ltr" data-time-range>14:00–16:00</bdi>'
    pages = [
        "/",
        "/meetingplace/",
        f"/meetingplace/sessions/{the_session.pk}/",
        f"/meetingplace/sessions/{the_session.pk}/poster/",
        f"/meetingplace/r/{mine.code}/",
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert isolated in page, url
        assert "14:00</time>–" not in page, url
    verified_login(client, member("coordinator", the_session.activity.organiser))
    for url in (
        f"/meetingplace/sessions/{the_session.pk}/participants/",
        f"/meetingplace/sessions/{the_session.pk}/plan/",
        f"/meetingplace/sessions/{the_session.pk}/cancel/",
    ):
        assert isolated in client.get(url).content.decode(), url
