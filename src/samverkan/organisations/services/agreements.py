"""Agreements: creating and editing one, and changing a party's contact."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.organisations import permissions as perms
from samverkan.organisations.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    Organisation,
    Visibility,
)
from samverkan.organisations.services._common import _check_contact, _choice, _full_clean, _locked_agreement

AGREEMENT_FIELDS = (
    "kind",
    "title",
    "purpose",
    "scope",
    "start_date",
    "end_date",
    "status",
    "visibility",
    "open_for_joining",
)


def _parse_date(value: Any, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = [_("Enter a valid date (YYYY-MM-DD).")]
        return None


def _apply_agreement_fields(agreement: Agreement, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for field, choices in (("kind", AgreementKind), ("status", AgreementStatus), ("visibility", Visibility)):
        if field in data:
            try:
                setattr(agreement, field, _choice(data[field], choices, field))
            except ValidationError as exc:
                errors.update(exc.errors)
    for field in ("title", "purpose", "scope"):
        if field in data:
            setattr(agreement, field, str(data[field] or "").strip())
    if "title" in data and not agreement.title:
        errors["title"] = [_("Enter a title.")]
    if "purpose" in data and not agreement.purpose:
        errors["purpose"] = [_("Describe the agreement's purpose.")]
    if "start_date" in data:
        start = _parse_date(data["start_date"], "start_date", errors)
        if start is None and "start_date" not in errors:
            errors["start_date"] = [_("Enter the start date.")]
        agreement.start_date = start  # type: ignore[assignment]
    if "end_date" in data:
        agreement.end_date = _parse_date(data["end_date"], "end_date", errors)
    if "open_for_joining" in data:
        agreement.open_for_joining = bool(data["open_for_joining"])
    if (
        agreement.start_date
        and agreement.end_date
        and "start_date" not in errors
        and "end_date" not in errors
        and agreement.end_date < agreement.start_date
    ):
        errors["end_date"] = [_("The end date cannot be before the start date.")]
    if (
        agreement.open_for_joining
        and agreement.visibility != Visibility.PUBLIC
        and "visibility" not in errors
    ):
        errors["open_for_joining"] = [_("Only a public agreement can be open for others to join.")]
    if errors:
        raise ValidationError(errors)
    _full_clean(agreement, exclude=["owner"])


def agreement_create(
    *,
    actor: Actor,
    owner_id: int,
    data: dict[str, Any],
    contact_name: str = "",
    contact_email: str = "",
    is_fictional: bool = False,
) -> Agreement:
    with transaction.atomic(durable=True):
        owner = Organisation.objects.filter(pk=owner_id).first()
        if owner is None or not (actor.is_system or actor.is_member(owner.pk)):
            raise ValidationError({"owner": [_("Choose one of your own organisations.")]})
        if not (actor.is_system or perms.can_create_agreement(actor, owner)):
            raise PermissionDenied("agreement.create")
        agreement = Agreement(owner=owner, is_fictional=is_fictional)
        # Required fields are always applied (missing ones become "" and are reported by name).
        fields: dict[str, Any] = {
            "kind": "",
            "title": "",
            "purpose": "",
            "start_date": "",
            "status": AgreementStatus.DRAFT,
            "visibility": Visibility.INTERNAL,
            "open_for_joining": False,
        }
        fields.update({k: data[k] for k in AGREEMENT_FIELDS if k in data})
        _apply_agreement_fields(agreement, fields)
        _check_contact(contact_email)
        agreement.source_note = str(data.get("source_note", "") or "")
        agreement.save()
        AgreementParty.objects.create(
            agreement=agreement,
            organisation=owner,
            joined_on=agreement.start_date,
            contact_name=contact_name,
            contact_email=contact_email,
        )
        audit.record(
            actor=actor,
            code="organisations.agreement.created",
            obj=agreement,
            organisation_id=owner.pk,
            data={"title": agreement.title, "kind": agreement.kind, "visibility": agreement.visibility},
        )
    return agreement


def agreement_update(*, actor: Actor, agreement_id: int, data: dict[str, Any]) -> Agreement:
    with transaction.atomic(durable=True):
        agreement = _locked_agreement(actor, agreement_id)
        if not perms.can_edit_agreement(actor, agreement):
            raise PermissionDenied("agreement.edit")
        changes = {k: data[k] for k in AGREEMENT_FIELDS if k in data}
        _apply_agreement_fields(agreement, changes)
        agreement.save()
        audit.record(
            actor=actor,
            code="organisations.agreement.updated",
            obj=agreement,
            organisation_id=agreement.owner_id,
            data={"fields": sorted(changes)},
        )
    return agreement


def party_update_contact(
    *, actor: Actor, agreement_id: int, organisation_id: int, contact_name: str, contact_email: str
) -> AgreementParty:
    """Change who answers for one party (and receives the reminders before the end date)."""
    with transaction.atomic(durable=True):
        agreement = _locked_agreement(actor, agreement_id)
        party = agreement.parties.select_for_update().filter(organisation_id=organisation_id).first()
        if party is None:
            raise NotFound("party")
        if not perms.can_edit_party_contact(actor, organisation_id):
            raise PermissionDenied("agreement.party.edit")
        contact_email = contact_email.strip()
        _check_contact(contact_email)
        party.contact_name = contact_name.strip()[:200]
        party.contact_email = contact_email
        party.save(update_fields=["contact_name", "contact_email"])
        audit.record(
            actor=actor,
            code="organisations.agreement.contact_changed",
            obj=agreement,
            organisation_id=organisation_id,
            data={"party": party.pk},
        )
    return party
