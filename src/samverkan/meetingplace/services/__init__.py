"""Writes for meeting places, one module per process. One transaction each: authorise → validate →
write → audit."""

from samverkan.meetingplace.services._common import LANGUAGE, MAX_CAPACITY, agency_id
from samverkan.meetingplace.services.framework import (
    checklist_save,
    checklist_set,
    evaluation_submit,
    fact_save,
    report_save,
)
from samverkan.meetingplace.services.planning import (
    Cancelled,
    activity_create,
    activity_publish,
    session_cancel,
    session_create,
)
from samverkan.meetingplace.services.registration import (
    CODE_ALPHABET,
    EMAIL,
    check_in,
    registration_cancel,
    registration_create,
)
from samverkan.meetingplace.services.reminders import REMINDER_CLAIM_STALE, REMINDER_HOURS, send_reminders
from samverkan.meetingplace.services.review import material_review, material_revise, material_submit

__all__ = [
    "CODE_ALPHABET",
    "EMAIL",
    "LANGUAGE",
    "MAX_CAPACITY",
    "REMINDER_CLAIM_STALE",
    "REMINDER_HOURS",
    "Cancelled",
    "activity_create",
    "activity_publish",
    "agency_id",
    "check_in",
    "checklist_save",
    "checklist_set",
    "evaluation_submit",
    "fact_save",
    "material_review",
    "material_revise",
    "material_submit",
    "registration_cancel",
    "registration_create",
    "report_save",
    "send_reminders",
    "session_cancel",
    "session_create",
]
