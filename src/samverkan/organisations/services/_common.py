"""Private helpers shared by the organisation and agreement services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.organisations import permissions as perms
from samverkan.organisations.models import Agreement


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
    except DjangoValidationError as exc:
        raise ValidationError.from_django(exc) from exc


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: [_("“%(value)s” is not a valid choice.") % {"value": value}]})
    return str(value)


def _check_contact(email: str) -> None:
    if not email:
        return
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise ValidationError({"contact_email": list(exc.messages)}) from exc


def _locked_agreement(actor: Actor, agreement_id: int) -> Agreement:
    agreement = Agreement.objects.select_for_update().filter(pk=agreement_id).first()
    if agreement is None or not perms.can_view_agreement(actor, agreement):
        raise NotFound("agreement")
    return agreement
