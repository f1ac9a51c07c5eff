"""Item 7 of issue #15: user text in mail headers, and reminders that fail to send.

A title with a CR/LF must not start a new header (``Bcc: …``) nor stop the mail (Django raises
``BadHeaderError``); a reminder is recorded as sent only when its mail went out; one failing mail
never keeps the others of the same run from going out, and the failed one goes out on the next run.
Agreement reminders and meeting-place reminders alike.
"""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from samverkan.core.actor import Actor
from samverkan.core.models import AuditEvent
from samverkan.meetingplace import services as meetingplace_services
from samverkan.meetingplace.models import Activity, Registration
from samverkan.meetingplace.tests.factories import session
from samverkan.organisations import services as organisation_services
from samverkan.organisations.models import AgreementReminder
from samverkan.organisations.tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

HOSTILE = "Fiktivt avtal\r\nBcc: x@evil.invalid"
REFUSED: set[str] = set()  # recipients the failing backend below refuses


class RefusingBackend(LocmemBackend):
    """The locmem backend, except that it fails (as an SMTP server would) for the addresses in
    REFUSED."""

    def send_messages(self, messages):
        for message in messages:
            refused = set(message.recipients()) & REFUSED
            if refused:
                raise smtplib.SMTPRecipientsRefused({r: (550, b"no such mailbox") for r in refused})
        return super().send_messages(messages)


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    REFUSED.clear()
    yield REFUSED
    REFUSED.clear()


def _headers_are_clean(message) -> None:
    raw = message.message().as_string()
    head = raw.split("\n\n", 1)[0]
    assert "\r" not in message.subject and "\n" not in message.subject
    assert message.bcc == [] and "x@evil.invalid" not in message.recipients()
    assert not any(line.lower().startswith("bcc:") for line in head.splitlines())
    assert "Fiktivt avtal Bcc: x@evil.invalid" in message.subject  # the text kept, on one line


# --- Agreements -----------------------------------------------------------------------------------
TODAY = dt.date(2026, 1, 15)


def _ending_agreement(title: str, contact: str):
    agreement = AgreementFactory(title=title, end_date=dt.date(2026, 2, 1), start_date=dt.date(2025, 1, 1))
    agreement.parties.update(contact_email=contact)
    return agreement


def _sent_agreement_ids() -> set[int]:
    return {int(e.object_id) for e in AuditEvent.objects.filter(code="organisations.agreement.reminder_sent")}


def test_an_agreement_title_with_a_line_break_gives_one_clean_subject_line(
    mailoutbox, django_capture_on_commit_callbacks
):
    agreement = _ending_agreement(HOSTILE, "kontakt@example.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        sent = organisation_services.agreement_send_reminders(actor=Actor.system(), today=TODAY)
    assert sent == 1 and len(mailoutbox) == 1
    _headers_are_clean(mailoutbox[0])
    assert mailoutbox[0].to == ["kontakt@example.invalid"]
    assert _sent_agreement_ids() == {agreement.pk}


def test_a_failing_agreement_reminder_is_not_recorded_and_does_not_stop_the_others(
    mailoutbox, refusing, django_capture_on_commit_callbacks
):
    failing = _ending_agreement("Fiktivt avtal A", "borta@example.invalid")
    working = _ending_agreement("Fiktivt avtal B", "kontakt@example.invalid")
    refusing.add("borta@example.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        sent = organisation_services.agreement_send_reminders(actor=Actor.system(), today=TODAY)
    assert sent == 1
    assert [m.to for m in mailoutbox] == [["kontakt@example.invalid"]]
    assert _sent_agreement_ids() == {working.pk}
    assert not AgreementReminder.objects.filter(agreement=failing).exists()
    # The mailbox works again: the next run sends the one that failed, and only that one.
    refusing.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert organisation_services.agreement_send_reminders(actor=Actor.system(), today=TODAY) == 1
    assert [m.to for m in mailoutbox] == [["kontakt@example.invalid"], ["borta@example.invalid"]]
    assert _sent_agreement_ids() == {working.pk, failing.pk}
    assert AuditEvent.objects.filter(code="organisations.agreement.reminder_sent").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert organisation_services.agreement_send_reminders(actor=Actor.system(), today=TODAY) == 0
    assert len(mailoutbox) == 2


# --- Meeting places -------------------------------------------------------------------------------
def _registered(the_session, n: int, email: str) -> Registration:
    return meetingplace_services.registration_create(
        actor=Actor.anonymous(ip=f"198.51.100.{n}"),
        session=the_session,
        name=f"Fiktiv Person {n}",
        email=email,
        language="sv",
    )


def test_a_meeting_title_with_a_line_break_gives_one_clean_subject_line(
    mailoutbox, django_capture_on_commit_callbacks
):
    the_session = session(days=1, capacity=5)
    Activity.objects.filter(pk=the_session.activity_id).update(title={"sv": HOSTILE, "en": HOSTILE})
    registration = _registered(the_session, 1, "deltagare@example.invalid")
    soon = the_session.starts_at - dt.timedelta(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert meetingplace_services.send_reminders(now=soon) == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["deltagare@example.invalid"]
    _headers_are_clean(mailoutbox[0])
    registration.refresh_from_db()
    assert registration.reminded_at is not None


def test_a_failing_meeting_reminder_is_not_recorded_and_does_not_stop_the_others(
    mailoutbox, refusing, django_capture_on_commit_callbacks
):
    the_session = session(days=1, capacity=5)
    failing = _registered(the_session, 1, "borta@example.invalid")
    working = _registered(the_session, 2, "deltagare@example.invalid")
    refusing.add("borta@example.invalid")
    soon = the_session.starts_at - dt.timedelta(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert meetingplace_services.send_reminders(now=soon) == 1
    assert [m.to for m in mailoutbox] == [["deltagare@example.invalid"]]
    failing.refresh_from_db()
    working.refresh_from_db()
    assert failing.reminded_at is None and working.reminded_at is not None
    refusing.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert meetingplace_services.send_reminders(now=soon + dt.timedelta(minutes=5)) == 1
    assert [m.to for m in mailoutbox] == [["deltagare@example.invalid"], ["borta@example.invalid"]]
    failing.refresh_from_db()
    assert failing.reminded_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert meetingplace_services.send_reminders(now=soon + dt.timedelta(minutes=10)) == 0
    assert len(mailoutbox) == 2
