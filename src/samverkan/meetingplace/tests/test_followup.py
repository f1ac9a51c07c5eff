"""Planning, running and following up a session in the common framework: the checklist, the
closing report after the session, participants' anonymous answers, and the overview per organiser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.meetingplace import selectors, services
from samverkan.meetingplace.models import ChecklistEntry, Evaluation, Session
from samverkan.meetingplace.tests.factories import session

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _started(the_session: Session, hours: int = 1) -> Session:
    start = timezone.now() - dt.timedelta(hours=hours)
    Session.objects.filter(pk=the_session.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    the_session.refresh_from_db()
    return the_session


def test_the_checklist_is_kept_per_point_by_the_planners():
    the_session = session()
    planner = actor_for_user(member("editor", the_session.activity.organiser))
    services.checklist_set(
        actor=planner, session=the_session, item="interpreter", done=True, note="Tolk i arabiska bokad"
    )
    services.checklist_set(actor=planner, session=the_session, item="interpreter", done=False)
    assert ChecklistEntry.objects.get(session=the_session, item="interpreter").done is False
    with pytest.raises(ValidationError):
        services.checklist_set(actor=planner, session=the_session, item="coffee", done=True)
    with pytest.raises(NotFound):
        services.checklist_set(
            actor=actor_for_user(member("editor", organisation())),
            session=the_session,
            item="purpose",
            done=True,
        )


def test_the_closing_report_comes_after_the_session():
    the_session = session()
    staff = actor_for_user(member("coordinator", the_session.activity.organiser))
    with pytest.raises(ValidationError):
        services.report_save(actor=staff, session=the_session, attended=3)
    guest = organisation()
    report = services.report_save(
        actor=staff,
        session=_started(the_session),
        attended=12,
        organisation_ids=[guest.pk],
        questions="Om AT-UND",
    )
    assert report.attended == 12 and list(report.organisations_present.all()) == [guest]


def test_answers_are_anonymous_one_per_registration_and_only_after_the_start():
    the_session = session()
    registration = services.registration_create(
        actor=Actor.anonymous(), session=the_session, name="Fiktiv", email="f@example.invalid"
    )
    with pytest.raises(ValidationError):
        services.evaluation_submit(session=the_session, understood=3, useful=3)
    _started(the_session)
    services.evaluation_submit(session=the_session, understood=3, useful=2, code=registration.code)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_submit(session=the_session, understood=1, useful=1, code=registration.code)
    assert "code" in exc.value.errors
    services.evaluation_submit(session=the_session, understood=2, useful=3)  # at the door, no code
    with pytest.raises(ValidationError):
        services.evaluation_submit(session=the_session, understood=7, useful=3)
    assert Evaluation.objects.count() == 2
    later = the_session.starts_at + dt.timedelta(days=15)
    with pytest.raises(ValidationError):
        services.evaluation_submit(session=the_session, understood=3, useful=3, now=later)


def test_the_overview_counts_registrations_attendance_answers_and_the_checklist(client):
    the_session = session(capacity=1)
    org = the_session.activity.organiser
    staff = actor_for_user(member("coordinator", org))
    anyone = Actor.anonymous()
    first = services.registration_create(
        actor=anyone, session=the_session, name="A", email="a@example.invalid"
    )
    services.registration_create(actor=anyone, session=the_session, name="B", email="b@example.invalid")
    services.check_in(actor=staff, session=the_session, code=first.code)
    services.checklist_set(actor=staff, session=the_session, item="purpose", done=True)
    _started(the_session)
    services.evaluation_submit(session=the_session, understood=3, useful=1, code=first.code)
    today = timezone.localdate()
    rows = selectors.overview(
        actor=staff, organiser_id=org.pk, start=today - dt.timedelta(days=1), end=today + dt.timedelta(days=1)
    )
    assert len(rows) == 1
    row = rows[0]
    # The organiser's own operational figures are shown as they are, even when small ...
    assert (row.registered, row.waiting, row.checked_in, row.checklist_done) == (1, 1, 1, 1)
    # ... the one anonymous answer is not (tests/test_evaluation_disclosure.py has the rule).
    assert row.evaluation.answers is None and row.evaluation.understood_share is None
    with pytest.raises(NotFound):
        selectors.overview(
            actor=actor_for_user(member("reader", org)), organiser_id=org.pk, start=today, end=today
        )
    user = member("coordinator", org)
    verified_login(client, user)
    body = client.get(
        "/meetingplace/overview/",
        {"organiser": org.pk, "start": str(today - dt.timedelta(days=1)), "end": str(today)},
    ).content.decode()
    assert f'data-session="{the_session.pk}"' in body


def test_the_evaluation_page_takes_an_answer_without_an_account(client):
    the_session = _started(session())
    url = f"/meetingplace/sessions/{the_session.pk}/evaluation/"
    page = client.get(url).content.decode()
    assert 'name="understood"' in page and "data-attribution" in page
    response = client.post(url, {"understood": "3"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    response = client.post(url, {"understood": "3", "useful": "2"})
    assert "data-thanks" in response.content.decode() and Evaluation.objects.count() == 1


def test_the_plan_page_is_for_the_organisers_only(client):
    the_session = _started(session())
    url = f"/meetingplace/sessions/{the_session.pk}/plan/"
    verified_login(client, member("coordinator", organisation()))
    assert client.get(url).status_code == 404
    verified_login(client, member("coordinator", the_session.activity.organiser))
    response = client.post(url, {"action": "checklist", "done_purpose": "on", "note_purpose": "Syftet klart"})
    assert response.status_code == 302
    assert ChecklistEntry.objects.get(session=the_session, item="purpose").note == "Syftet klart"
    response = client.post(url, {"action": "report", "attended": "7", "questions": "Om bostad"})
    assert response.status_code == 302 and the_session.report.attended == 7


def test_a_checklist_with_one_bad_point_saves_none_of_them():
    the_session = session()
    planner = actor_for_user(member("editor", the_session.activity.organiser))
    with pytest.raises(ValidationError) as exc:
        services.checklist_save(
            actor=planner,
            session=the_session,
            entries={"purpose": (True, "Klart"), "interpreter": (True, "x" * 501)},
        )
    assert "note_interpreter" in exc.value.errors
    assert not ChecklistEntry.objects.exists()
