"""Background work for organisations. Arguments are plain values (ids, dates as text)."""

from __future__ import annotations

from django_tasks import task

from samverkan.core.actor import Actor
from samverkan.organisations.services import agreement_send_reminders


@task()
def send_agreement_reminders() -> int:
    return agreement_send_reminders(actor=Actor.system())
