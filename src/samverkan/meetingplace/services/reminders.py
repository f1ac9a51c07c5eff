"""Reminders: one e-mail per confirmed place, in the participant's language, a day before the session."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core.mail import header_text
from samverkan.meetingplace.models import Registration, RegistrationStatus, SessionStatus, in_language
from samverkan.meetingplace.services._common import log, when_text, where_text

REMINDER_HOURS = 24
# A reminder claimed longer ago than this and still not marked sent is reported in the log.
REMINDER_CLAIM_STALE = dt.timedelta(hours=1)


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """E-mail everyone with a confirmed place and an e-mail address, in their language, once, about
    a session that starts within a day. Returns how many went out.

    Each reminder on its own: the registration is claimed (``reminder_claimed_at``, committed) so
    no other worker or run sends it too; the mail is handed to the mail server outside any
    transaction; only then is ``reminded_at`` set. If sending raises, the claim is cleared (the
    next run retries) and the run goes on with the others. A claim never followed by
    ``reminded_at`` (the process stopped in between) is not sent again, and is logged."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    now = now or timezone.now()
    window = Q(
        status=RegistrationStatus.CONFIRMED,
        reminded_at__isnull=True,
        session__status=SessionStatus.PLANNED,
        session__starts_at__gt=now,
        session__starts_at__lte=now + dt.timedelta(hours=REMINDER_HOURS),
    )
    for stale in Registration.objects.filter(
        window, reminder_claimed_at__lt=timezone.now() - REMINDER_CLAIM_STALE
    ).values_list("pk", flat=True):
        log.warning(
            "The reminder of registration %s was claimed but never marked sent: check the mail log", stale
        )
    due = Registration.objects.filter(window, reminder_claimed_at__isnull=True).exclude(email="")
    sent = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic(durable=True):
            registration = (
                Registration.objects.select_for_update()
                .select_related("session", "session__activity", "session__activity__organiser")
                .filter(pk=pk, reminded_at__isnull=True, reminder_claimed_at__isnull=True)
                .first()
            )
            if registration is None:
                continue
            registration.reminder_claimed_at = timezone.now()
            registration.save(update_fields=["reminder_claimed_at"])
        session = registration.session
        language = registration.language if registration.language in ("sv", "en", "ar") else "sv"
        with translation.override(language):
            title = in_language(session.activity.title, language)
            subject = _("Reminder: %(title)s") % {"title": header_text(title)}
            body = render_to_string(
                "meetingplace/email/reminder.txt",
                {
                    "registration": registration,
                    "session": session,
                    "title": title,
                    "when": when_text(session),
                    "where": where_text(session),
                    "site_url": settings.SITE_URL,
                },
            )
        try:
            send_mail(subject, body, None, [registration.email])
        except Exception as exc:  # one failing mail never stops the others; retried next run
            log.warning(
                "The reminder of registration %s was not sent (%s); it is retried on the next run",
                pk,
                type(exc).__name__,
            )
            Registration.objects.filter(pk=pk, reminded_at__isnull=True).update(reminder_claimed_at=None)
            continue
        Registration.objects.filter(pk=pk).update(reminded_at=now)
        sent += 1
    return sent
