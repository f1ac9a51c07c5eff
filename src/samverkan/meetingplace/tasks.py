"""Background work for meeting places."""

from __future__ import annotations

from django_tasks import task

from samverkan.meetingplace.services import send_reminders


@task()
def send_session_reminders() -> int:
    return send_reminders()
