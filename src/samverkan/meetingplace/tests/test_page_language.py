"""No English left on the meeting-place pages in Swedish or Arabic (issue #18, points 11 and 12):
every page, as the person who sees it, with its forms' errors and the questions that ask first,
is rendered in both languages and read for English (``language_check``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member
from samverkan.accounts.tests.helpers import verified_login
from samverkan.meetingplace import services
from samverkan.meetingplace.models import Session
from samverkan.meetingplace.tests.factories import activity, session
from samverkan.organisations.models import Organisation
from tests.browser.language_check import html_left

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    agency = Organisation.objects.create(name="Migrationsverket", slug="migrationsverket", kind="agency")
    services.fact_save(
        actor=actor_for_user(member("editor", agency)),
        key="at-und",
        topic="right_to_work",
        text_sv="En asylsökande som är undantagen från kravet på arbetstillstånd får arbeta (testfakta).",
        text_en="An asylum seeker exempt from the work permit requirement may work (test fact).",
        valid_from=dt.date(2020, 1, 1),
    )
    act = activity()
    ngo = act.organiser
    coming = session(act, capacity=1)
    past = session(act)
    Session.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=1), ends_at=timezone.now() - dt.timedelta(hours=22)
    )
    ngo_editor = member("editor", ngo)
    material = services.material_submit(
        actor=actor_for_user(ngo_editor),
        session=coming,
        organisation_id=ngo.pk,
        title="Om arbete (fiktiv)",
        text="Alla asylsökande får arbeta direkt. Välkommen på fika.",
    )
    reviewer = member("case_officer", agency)
    services.material_review(
        actor=actor_for_user(reviewer), revision=material.revisions.get(), decision="approve"
    )
    services.material_revise(actor=actor_for_user(ngo_editor), material=material, text="Ny text om fika.")
    return {
        "agency": agency,
        "ngo": ngo,
        "activity": act,
        "coming": coming,
        "past": past,
        "material": material,
        "ngo_editor": ngo_editor,
        "coordinator": member("coordinator", ngo),
        "reviewer": reviewer,
    }


def _read(client, language: str, method: str, url: str, data: dict | None = None) -> list[str]:
    client.cookies["samverkan_language"] = language
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    return [f"{url}: {text}" for text in html_left(response.content.decode(), language)]


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_no_english_on_the_meeting_place_pages(client, world, language):
    coming, past, material = world["coming"], world["past"], world["material"]
    found: list[str] = []

    # a participant, without an account
    found += _read(client, language, "get", "/meetingplace/")
    found += _read(client, language, "get", "/meetingplace/", {"code": "ZZZZZZZZZZ"})
    found += _read(client, language, "get", f"/meetingplace/sessions/{coming.pk}/")
    found += _read(client, language, "post", f"/meetingplace/sessions/{coming.pk}/", {"name": ""})
    found += _read(client, language, "get", f"/meetingplace/sessions/{coming.pk}/poster/")
    found += _read(client, language, "get", "/meetingplace/facts/")
    found += _read(client, language, "get", f"/meetingplace/sessions/{past.pk}/evaluation/")
    found += _read(client, language, "post", f"/meetingplace/sessions/{past.pk}/evaluation/", {})
    placed = client.post(
        f"/meetingplace/sessions/{coming.pk}/", {"name": "Fiktiv Ett", "phone": "070-000 00 01"}
    )
    waiting = client.post(
        f"/meetingplace/sessions/{coming.pk}/", {"name": "Fiktiv Två", "phone": "070-000 00 02"}
    )
    for response in (placed, waiting):
        found += _read(client, language, "get", response["Location"])
        found += _read(client, language, "post", response["Location"])  # the question before cancelling
    client.post(placed["Location"], {"confirmed": "yes"})
    found += _read(client, language, "get", placed["Location"])

    # the organisers' staff
    verified_login(client, world["coordinator"])
    found += _read(client, language, "get", f"/meetingplace/sessions/{coming.pk}/participants/")
    found += _read(
        client, language, "post", f"/meetingplace/sessions/{coming.pk}/participants/", {"action": "check_in"}
    )
    found += _read(client, language, "get", f"/meetingplace/sessions/{past.pk}/plan/")
    found += _read(client, language, "get", "/meetingplace/overview/")
    found += _read(client, language, "get", f"/meetingplace/sessions/{coming.pk}/cancel/")
    found += _read(client, language, "get", "/meetingplace/new/")
    found += _read(client, language, "get", f"/meetingplace/activities/{world['activity'].pk}/sessions/new/")
    verified_login(client, world["ngo_editor"])
    found += _read(client, language, "get", f"/meetingplace/sessions/{coming.pk}/materials/new/")
    for text in ("", "Egen text."):  # a file that is not what it says; a text and a file at once
        found += _read(
            client,
            language,
            "post",
            f"/meetingplace/sessions/{coming.pk}/materials/new/",
            {
                "organisation": world["ngo"].pk,
                "title": "Fel fil (fiktiv)",
                "text": text,
                "file": SimpleUploadedFile("info.pdf", b"inte en pdf", content_type="application/pdf"),
            },
        )
    found += _read(client, language, "get", f"/meetingplace/materials/{material.pk}/")

    # the agency's reviewer
    verified_login(client, world["reviewer"])
    found += _read(client, language, "get", "/meetingplace/review/")
    found += _read(client, language, "get", f"/meetingplace/materials/{material.pk}/")
    found += _read(client, language, "post", f"/meetingplace/materials/{material.pk}/", {"action": "review"})
    assert not found, "English left:\n" + "\n".join(found)


def test_the_check_finds_english_and_leaves_marked_text_and_data_alone():
    page = (
        "<main><p>Visa koden vid entrén.</p><p>Show the code at the door.</p>"
        '<input placeholder="Your name"><p lang="en">The agency says this.</p>'
        "<code>the code</code><p>Fiktiv förening 1</p></main><p>Outside main: the footer</p>"
    )
    assert html_left(page, "sv") == ["Show the code at the door.", "Your name"]
