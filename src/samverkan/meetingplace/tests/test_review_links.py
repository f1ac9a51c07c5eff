"""Reviewers find the review queue (issue #18, point 1): the meeting-place pages they work on link
to it, and only for those who may open it (the same predicate as the queue itself)."""

from __future__ import annotations

import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.actor import Actor
from samverkan.meetingplace import selectors, services
from samverkan.meetingplace.tests.factories import activity, session
from samverkan.organisations.models import Organisation

pytestmark = pytest.mark.django_db

LINK = 'href="/meetingplace/review/"'


@pytest.fixture
def agency():
    return Organisation.objects.create(name="Migrationsverket", slug="migrationsverket", kind="agency")


def test_reviewers_find_the_queue_from_the_pages_they_work_on(client, agency):
    own = session(activity(agency))  # the agency's own session: its staff plan and report it
    ngo_session = session()
    ngo_editor = member("editor", ngo_session.activity.organiser)
    material = services.material_submit(
        actor=actor_for_user(ngo_editor),
        session=ngo_session,
        organisation_id=ngo_session.activity.organiser_id,
        title="Om arbete (fiktiv)",
        text="Välkommen på fika.",
    )
    reviewer = member("case_officer", agency)
    verified_login(client, reviewer)
    assert client.get("/meetingplace/review/").status_code == 200
    for url in (
        "/meetingplace/",
        "/meetingplace/overview/",
        f"/meetingplace/sessions/{own.pk}/",
        f"/meetingplace/sessions/{own.pk}/plan/",
        f"/meetingplace/materials/{material.pk}/",
        "/meetingplace/facts/",
    ):
        page = client.get(url)
        assert page.status_code == 200 and LINK in page.content.decode(), url
    assert selectors.review_queue_waiting(actor=actor_for_user(reviewer)) == 1


def test_the_link_is_shown_only_to_those_the_queue_opens_for(client, agency):
    ngo_session = session()
    ngo = ngo_session.activity.organiser
    people = {
        "agency editor": member("editor", agency),
        "agency reader": member("reader", agency),
        "NGO administrator": member("administrator", ngo),
        "other organisation's coordinator": member("coordinator", organisation()),
    }
    for who, user in people.items():
        client.logout()
        verified_login(client, user)
        opens = client.get("/meetingplace/review/").status_code == 200
        for url in ("/meetingplace/", f"/meetingplace/sessions/{ngo_session.pk}/", "/meetingplace/facts/"):
            assert (LINK in client.get(url).content.decode()) == opens, (who, url)
        assert selectors.can_open_review_queue(actor=actor_for_user(user)) == opens, who
    client.logout()
    assert client.get("/meetingplace/review/").status_code in (302, 404)
    assert LINK not in client.get("/meetingplace/").content.decode()
    assert not selectors.can_open_review_queue(actor=Actor.anonymous())
