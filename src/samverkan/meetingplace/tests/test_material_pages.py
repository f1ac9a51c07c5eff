"""Material (issue #18, point 7, and its Swedish wording, point 12): a typed text is never dropped
for a file without a word; the session page says plainly what the agency reviewed and what it did
not; the pre-check names topics, not codes; a file's refusal is worded in the reader's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.errors import ValidationError
from samverkan.meetingplace import services
from samverkan.meetingplace.models import MaterialRevision
from samverkan.meetingplace.tests.factories import session
from samverkan.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def t(msgid: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.fixture
def agency():
    agency = Organisation.objects.create(name="Migrationsverket", slug="migrationsverket", kind="agency")
    services.fact_save(
        actor=actor_for_user(member("editor", agency)),
        key="at-und",
        topic="right_to_work",
        text_sv="En asylsökande som är undantagen från kravet på arbetstillstånd får arbeta (testfakta).",
        text_en="An asylum seeker exempt from the work permit requirement may work (test fact).",
        valid_from=dt.date(2020, 1, 1),
    )
    return agency


def _sv(client):
    client.cookies["samverkan_language"] = "sv"
    return client


def test_a_typed_text_and_a_file_together_are_refused_by_name_never_dropped(client, agency):
    the_session = session()
    ngo = the_session.activity.organiser
    editor = member("editor", ngo)
    with pytest.raises(ValidationError) as both:
        services.material_submit(
            actor=actor_for_user(editor),
            session=the_session,
            organisation_id=ngo.pk,
            title="Båda (fiktiv)",
            text="Egen text som inte får försvinna.",
            upload=("info.txt", b"Text ur filen."),
        )
    assert set(both.value.errors) == {"text", "file"}
    assert not MaterialRevision.objects.exists()

    verified_login(client, editor)
    response = _sv(client).post(
        f"/meetingplace/sessions/{the_session.pk}/materials/new/",
        {
            "organisation": ngo.pk,
            "title": "Båda (fiktiv)",
            "text": "Egen text som inte får försvinna.",
            "file": SimpleUploadedFile("info.txt", b"Text ur filen.", content_type="text/plain"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not MaterialRevision.objects.exists()
    assert 'id="id_text_error"' in page and 'id="id_file_error"' in page
    assert "Egen text som inte får försvinna." in page  # what was typed is still there
    assert "Töm fältet för att skicka filen." in page

    # a file alone, then a new version from a file with the form's text left as it was
    response = client.post(
        f"/meetingplace/sessions/{the_session.pk}/materials/new/",
        {
            "organisation": ngo.pk,
            "title": "Fil (fiktiv)",
            "text": "",
            "file": SimpleUploadedFile("info.txt", b"Text ur filen.", content_type="text/plain"),
        },
    )
    assert response.status_code == 302
    material_url = response["Location"]
    client.post(
        material_url,
        {
            "action": "revise",
            "text": "Text ur filen.",  # the form came filled with it
            "file": SimpleUploadedFile("ny.txt", b"Ny text ur en ny fil.", content_type="text/plain"),
        },
    )
    assert MaterialRevision.objects.order_by("-number").first().text == "Ny text ur en ny fil."
    response = client.post(
        material_url,
        {
            "action": "revise",
            "text": "Ändrad text.",
            "file": SimpleUploadedFile("tredje.txt", b"Tredje.", content_type="text/plain"),
        },
    )
    assert 'id="id_text_error"' in response.content.decode()
    assert MaterialRevision.objects.count() == 2


def test_the_session_page_says_what_the_agency_reviewed_and_what_it_did_not(client, agency):
    the_session = session()
    ngo = the_session.activity.organiser
    material = services.material_submit(
        actor=actor_for_user(member("editor", ngo)),
        session=the_session,
        organisation_id=ngo.pk,
        title="Om arbete (fiktiv)",
        text="Välkommen på fika.",
    )
    services.material_review(
        actor=actor_for_user(member("case_officer", agency)),
        revision=material.revisions.get(),
        decision="approve",
    )
    page = _sv(client).get(f"/meetingplace/sessions/{the_session.pk}/").content.decode()
    banner = re.search(r"<div class=\"sv-attribution\".*?</div>", page, re.S).group(0)
    assert "har inte granskat beskrivningen av den här träffen" in banner
    assert "Arrangören ansvarar ensam för den." in banner and "ensam ansvarar" not in page
    assert "data-materials-reviewed" in banner  # and says the material below is reviewed
    assert "har inte granskat den här informationen" not in page
    note = re.search(r"<section class=\"sv-material\".*?</section>", page, re.S).group(0)
    assert "granskade och godkände det den" in note and 'data-reviewed="reviewed"' in note


def test_the_pre_check_names_the_topic_and_refusals_are_in_the_readers_language(client, agency):
    the_session = session()
    ngo = the_session.activity.organiser
    editor = member("editor", ngo)
    material = services.material_submit(
        actor=actor_for_user(editor),
        session=the_session,
        organisation_id=ngo.pk,
        title="Om arbete (fiktiv)",
        text="Alla asylsökande får arbeta direkt utan arbetstillstånd.",
    )
    verified_login(client, editor)
    page = _sv(client).get(f"/meetingplace/materials/{material.pk}/").content.decode()
    topic = re.search(r'data-topic="right_to_work">([^<]*)<', page)
    assert topic is not None and topic.group(1) == t("The right to work", "sv") != "right_to_work"
    response = client.post(
        f"/meetingplace/sessions/{the_session.pk}/materials/new/",
        {
            "organisation": ngo.pk,
            "title": "Fel fil (fiktiv)",
            "file": SimpleUploadedFile("info.pdf", b"inte en pdf", content_type="application/pdf"),
        },
    )
    assert "info.pdf: filen är inte en PDF." in response.content.decode()
