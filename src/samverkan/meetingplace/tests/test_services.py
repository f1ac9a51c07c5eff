"""Meeting places: planning activities and sessions, registering (oneself or on someone's behalf),
the registration window, cancelling and check-in, with who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.models import AuditEvent
from samverkan.meetingplace import services
from samverkan.meetingplace.models import Registration, RegistrationStatus, Session
from samverkan.meetingplace.tests.factories import activity, session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
ANYONE = Actor.anonymous()


def _register(the_session, n=0, **kwargs):
    return services.registration_create(
        # each person from an address of their own: the per-address brake is tested in tests/security
        actor=kwargs.pop("actor", Actor.anonymous(ip=f"198.51.100.{n % 250}")),
        session=the_session,
        name=kwargs.pop("name", f"Fiktiv Person {n}"),
        email=kwargs.pop("email", f"p{n}@example.invalid"),
        **kwargs,
    )


def test_an_activity_needs_swedish_a_target_group_and_a_language():
    org = organisation()
    planner = actor_for_user(member("editor", org))
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            actor=planner, organiser_id=org.pk, title={"en": "Only English"}, target_groups=["x"]
        )
    assert "title" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.activity_create(actor=planner, organiser_id=org.pk, title={"sv": "Träff"}, target_groups=[])
    assert "target_groups" in exc.value.errors
    with pytest.raises(PermissionDenied):
        services.activity_create(
            actor=actor_for_user(member("reader", org)), organiser_id=org.pk, title={"sv": "Träff"}
        )


def test_a_session_is_planned_by_the_organisers_only_and_ends_after_it_starts():
    act = activity()
    start = timezone.now() + dt.timedelta(days=3)
    args = dict(activity=act, starts_at=start, ends_at=start, place_kind="online", capacity=10)
    with pytest.raises(ValidationError) as exc:
        services.session_create(actor=actor_for_user(member("coordinator", act.organiser)), **args)
    assert "ends_at" in exc.value.errors
    with pytest.raises(NotFound):
        services.session_create(actor=actor_for_user(member("coordinator", organisation())), **args)
    assert not Session.objects.exists()


def test_registration_gives_a_place_then_the_waiting_list_and_refuses_a_second_time():
    the_session = session(capacity=2)
    first, second, third = (_register(the_session, n) for n in range(3))
    assert [r.status for r in (first, second, third)] == ["confirmed", "confirmed", "waiting"]
    with pytest.raises(ValidationError) as exc:
        _register(the_session, 0, email="P0@EXAMPLE.INVALID", name="Någon annan")
    assert "already registered" in exc.value.errors["__all__"][0]
    assert len({first.code, second.code, third.code}) == 3 and len(first.code) == 10
    event = AuditEvent.objects.filter(code="meetingplace.registration.created").first()
    assert "Fiktiv" not in str(event.data) and "example.invalid" not in str(event.data)


def test_self_registration_needs_a_way_to_reach_the_person_and_staff_may_register_with_a_name_only():
    the_session = session()
    with pytest.raises(ValidationError) as exc:
        _register(the_session, email="")
    assert "email" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        _register(the_session, email="inte-en-adress", phone="12")
    assert set(exc.value.errors) == {"email", "phone"}
    staff = actor_for_user(member("case_officer", the_session.activity.organiser))
    on_behalf = _register(the_session, actor=staff, email="", name="Amina", on_behalf=True)
    assert on_behalf.registered_by_id == staff.user_id and on_behalf.status == "confirmed"
    with pytest.raises(ValidationError):
        _register(the_session, actor=staff, email="", name=" amina ", on_behalf=True)
    with pytest.raises(PermissionDenied):  # another organisation's staff
        _register(the_session, actor=actor_for_user(member("case_officer", organisation())), on_behalf=True)


def test_the_registration_window_and_a_cancelled_session_are_respected():
    the_session = session()
    opens = timezone.now() + dt.timedelta(days=1)
    Session.objects.filter(pk=the_session.pk).update(
        registration_opens=opens, registration_closes=opens + dt.timedelta(days=2)
    )
    the_session.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        _register(the_session)
    assert "not opened" in exc.value.errors["__all__"][0]
    assert _register(the_session, now=opens + dt.timedelta(hours=1)).status == "confirmed"
    with pytest.raises(ValidationError) as exc:
        _register(the_session, 1, now=opens + dt.timedelta(days=3))
    assert "closed" in exc.value.errors["__all__"][0]
    Session.objects.filter(pk=the_session.pk).update(status="cancelled")
    with pytest.raises(ValidationError):
        _register(the_session, 2, now=opens + dt.timedelta(hours=1))


def test_cancelling_by_code_or_by_staff_promotes_the_first_waiting():
    the_session = session(capacity=1)
    first, second, third = (_register(the_session, n) for n in range(3))
    with pytest.raises(NotFound):  # a wrong code
        services.registration_cancel(actor=ANYONE, registration=first, code="AAAAAAAAAA")
    promoted = services.registration_cancel(actor=ANYONE, registration=first, code=first.code.lower())
    assert promoted.pk == second.pk
    staff = actor_for_user(member("coordinator", the_session.activity.organiser))
    assert services.registration_cancel(actor=staff, registration=third) is None  # a waiting one leaves
    with pytest.raises(ValidationError):
        services.registration_cancel(actor=staff, registration=third)
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "cancelled", second.pk: "confirmed", third.pk: "cancelled"}
    assert _register(the_session, 0).status == "waiting"  # the first may register again, last in line


def test_check_in_by_code_for_confirmed_places_only():
    the_session = session(capacity=1)
    confirmed, waiting = _register(the_session, 0), _register(the_session, 1)
    staff = actor_for_user(member("case_officer", the_session.activity.organiser))
    assert services.check_in(actor=staff, session=the_session, code=confirmed.code.lower()).checked_in_at
    with pytest.raises(ValidationError):
        services.check_in(actor=staff, session=the_session, code=waiting.code)
    with pytest.raises(ValidationError):
        services.check_in(actor=staff, session=the_session, code="NOPE")
    with pytest.raises(NotFound):
        services.check_in(
            actor=actor_for_user(member("editor", the_session.activity.organiser)),
            session=the_session,
            code=confirmed.code,
        )
    assert Registration.objects.get(pk=confirmed.pk).status == RegistrationStatus.CONFIRMED


def test_reminders_go_once_a_day_before_in_the_persons_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    the_session = session(days=2, capacity=1)
    arabic = _register(the_session, 0, language="ar")
    _register(the_session, 1)  # waiting: no reminder
    staff = actor_for_user(member("case_officer", the_session.activity.organiser))
    _register(the_session, 2, actor=staff, email="", name="Utan e-post", on_behalf=True)
    soon = the_session.starts_at - dt.timedelta(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(now=the_session.starts_at - dt.timedelta(days=2)) == 0
        assert services.send_reminders(now=soon) == 1
        assert services.send_reminders(now=soon + dt.timedelta(hours=1)) == 0
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [arabic.email]
    assert arabic.code in mailoutbox[0].body and f"/meetingplace/r/{arabic.code}/" in mailoutbox[0].body


def test_cancelling_a_session_tells_everyone_registered_why_in_their_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    the_session = session(capacity=1)
    arabic = _register(the_session, 0, language="ar")
    waiting = _register(the_session, 1, language="en")
    gone = _register(the_session, 2, language="en")
    services.registration_cancel(actor=ANYONE, registration=gone, code=gone.code)
    staff = actor_for_user(member("case_officer", the_session.activity.organiser))
    _register(
        the_session, 3, actor=staff, email="", name="Utan e-post", phone="070 123 45 67", on_behalf=True
    )
    planner = actor_for_user(member("editor", the_session.activity.organiser))
    outsider = actor_for_user(member("editor", organisation()))
    with pytest.raises(NotFound):
        services.session_cancel(actor=outsider, session=the_session, reason="Sjukdom")
    with pytest.raises(NotFound):  # the organisers' case officers handle participants, not the plan
        services.session_cancel(actor=staff, session=the_session, reason="Sjukdom")
    with pytest.raises(ValidationError) as no_reason:
        services.session_cancel(actor=planner, session=the_session, reason="  ")
    assert "reason" in no_reason.value.errors
    with django_capture_on_commit_callbacks(execute=True):
        done = services.session_cancel(
            actor=planner, session=the_session, reason="Tolken är sjuk.\nNytt datum kommer."
        )
    assert (done.emailed, done.to_call) == (2, 1)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([arabic.email, waiting.email])
    to_arabic = next(m for m in mailoutbox if m.to == [arabic.email])
    assert (
        "Tolken är sjuk. Nytt datum kommer." in to_arabic.body
        and f"/meetingplace/r/{arabic.code}/" in to_arabic.body
    )
    english = next(m for m in mailoutbox if m.to == [waiting.email])
    assert english.subject.startswith("Cancelled:") and "is cancelled" in english.body
    assert not to_arabic.subject.startswith("Cancelled:")  # it is in Arabic
    the_session.refresh_from_db()
    assert (
        the_session.status == "cancelled"
        and the_session.cancel_reason == "Tolken är sjuk. Nytt datum kommer."
    )
    event = AuditEvent.objects.get(code="meetingplace.session.cancelled")
    assert event.data == {"registrations": 3, "emailed": 2}
    with pytest.raises(ValidationError):
        _register(the_session, 9)
    with pytest.raises(ValidationError):
        services.session_cancel(actor=planner, session=the_session, reason="Igen")


def test_a_session_that_is_over_cannot_be_cancelled_and_a_failing_mail_server_changes_nothing(
    monkeypatch, django_capture_on_commit_callbacks
):
    the_session = session()
    _register(the_session, 0)
    planner = actor_for_user(member("editor", the_session.activity.organiser))
    with pytest.raises(ValidationError):
        services.session_cancel(
            actor=planner,
            session=the_session,
            reason="Sent",
            now=the_session.ends_at + dt.timedelta(minutes=1),
        )

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.session_cancel(actor=planner, session=the_session, reason="Lokalen är stängd.")
    assert done.emailed == 1
    assert Session.objects.get(pk=the_session.pk).status == "cancelled"
