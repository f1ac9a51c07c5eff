"""Reminders e-mailed to the parties' contacts before an agreement ends."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.organisations.models import Agreement, AgreementStatus

log = logging.getLogger(__name__)


# A reminder claimed longer ago than this and still not marked sent is reported in the log.
REMINDER_CLAIM_STALE = dt.timedelta(hours=1)


def agreement_send_reminders(*, actor: Actor, today: dt.date | None = None) -> int:
    """E-mail the parties' contacts of agreements ending soon; once per threshold. Returns how many
    reminders went out.

    Each reminder is claimed, sent and recorded on its own: (1) the unique reminder row is written
    and committed as a claim (a second worker or run finds it and skips: never twice); (2) the mail
    is handed to the mail server outside any transaction; (3) only then is the row marked sent and
    the audit event written. If sending raises, the claim is deleted (nothing recorded, and the
    next run retries) and the run goes on with the other reminders. A claim left unmarked (the
    process stopped between (2) and (3)) is not sent again; it is logged for a person to check."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from samverkan.core.mail import header_text
    from samverkan.organisations.models import AgreementReminder

    today = today or timezone.localdate()
    sent = 0
    thresholds = sorted(settings.AGREEMENT_REMINDER_DAYS)
    horizon = today + dt.timedelta(days=max(thresholds))
    candidates = Agreement.objects.filter(
        status=AgreementStatus.ACTIVE, end_date__isnull=False, end_date__gte=today, end_date__lte=horizon
    ).prefetch_related("parties__organisation")
    for agreement in candidates:
        assert agreement.end_date is not None
        days_left = (agreement.end_date - today).days
        # The tightest threshold reached: a 10-days-left agreement gets the 14-day reminder only.
        due = [d for d in thresholds if days_left <= d]
        if not due:
            continue
        threshold = due[0]
        recipients = sorted({p.contact_email for p in agreement.parties.all() if p.contact_email})
        with transaction.atomic(durable=True):
            reminder, created = AgreementReminder.objects.get_or_create(
                agreement=agreement,
                days_before=threshold,
                end_date=agreement.end_date,
                defaults={"recipients": recipients},
            )
        if not created:
            if reminder.sent_at is None and timezone.now() - reminder.claimed_at > REMINDER_CLAIM_STALE:
                log.warning(
                    "Agreement reminder %s was claimed at %s but never marked sent: check the mail log",
                    reminder.pk,
                    reminder.claimed_at.isoformat(),
                )
            continue
        if recipients:
            with translation.override(settings.LANGUAGE_CODE):
                body = render_to_string(
                    "organisations/email/agreement_reminder.txt",
                    {"agreement": agreement, "days_left": days_left, "site_url": settings.SITE_URL},
                )
                subject = _("Agreement ending on %(date)s: %(title)s") % {
                    "date": agreement.end_date.isoformat(),
                    "title": header_text(agreement.title),
                }
            try:
                send_mail(subject, body, None, recipients)
            except Exception as exc:  # one failing mail never stops the others; retried next run
                log.warning(
                    "Agreement reminder %s not sent (%s); it is retried on the next run",
                    reminder.pk,
                    type(exc).__name__,
                )
                AgreementReminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).delete()
                continue
        with transaction.atomic(durable=True):
            AgreementReminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
            audit.record(
                actor=actor,
                code="organisations.agreement.reminder_sent",
                obj=agreement,
                organisation_id=agreement.owner_id,
                data={"days_before": threshold, "recipients": len(recipients)},
            )
        sent += 1
    return sent
