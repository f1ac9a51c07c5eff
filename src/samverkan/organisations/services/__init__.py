"""Writes for organisations and agreements: authorise → validate → write → audit → enqueue.
One module per process, re-exported here."""

from samverkan.organisations.services.agreements import (
    AGREEMENT_FIELDS,
    agreement_create,
    agreement_update,
    party_update_contact,
)
from samverkan.organisations.services.documents import document_add
from samverkan.organisations.services.invitations import agreement_invite, agreement_join, invitation_answer
from samverkan.organisations.services.organisations import (
    ORGANISATION_FIELDS,
    organisation_create,
    organisation_update,
)
from samverkan.organisations.services.reminders import agreement_send_reminders

__all__ = [
    "AGREEMENT_FIELDS",
    "ORGANISATION_FIELDS",
    "agreement_create",
    "agreement_invite",
    "agreement_join",
    "agreement_send_reminders",
    "agreement_update",
    "document_add",
    "invitation_answer",
    "organisation_create",
    "organisation_update",
    "party_update_contact",
]
