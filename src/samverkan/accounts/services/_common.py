"""Private helpers shared by the accounts services."""

from __future__ import annotations

from samverkan.core.errors import NotFound
from samverkan.organisations.models import Organisation


def _organisation(organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound("organisation")
    return organisation
