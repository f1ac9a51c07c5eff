"""Organisations: creating one and editing its details (kind and kommunkod by administrators only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.organisations import permissions as perms
from samverkan.organisations.models import Municipality, Organisation, OrganisationKind
from samverkan.organisations.services._common import _choice, _full_clean
from samverkan.organisations.validators import normalise_org_number

ORGANISATION_FIELDS = ("name", "kind", "org_number", "municipality_code", "website", "description")


def _apply_organisation_fields(org: Organisation, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "name" in data:
        org.name = str(data["name"] or "").strip()
        if not org.name:
            errors["name"] = [_("Enter the organisation's name.")]
    if "kind" in data:
        try:
            org.kind = _choice(data["kind"], OrganisationKind, "kind")
        except ValidationError as exc:
            errors.update(exc.errors)
    if "org_number" in data:
        raw = str(data["org_number"] or "").strip()
        if raw:
            try:
                org.org_number = normalise_org_number(raw)
            except DjangoValidationError as exc:
                errors["org_number"] = list(exc.messages)
        else:
            org.org_number = ""
    if "municipality_code" in data:
        code = str(data["municipality_code"] or "").strip()
        if code:
            municipality = Municipality.objects.filter(code=code).first()
            if municipality is None:
                errors["municipality_code"] = [
                    _("“%(code)s” is not a Swedish kommunkod (four digits, e.g. 0180 for Stockholm).")
                    % {"code": code}
                ]
            org.municipality = municipality
        else:
            org.municipality = None
    if "website" in data:
        org.website = str(data["website"] or "")
    if "description" in data:
        org.description = str(data["description"] or "")
    if (
        org.kind == OrganisationKind.MUNICIPALITY
        and org.municipality is None
        and "municipality_code" not in errors
    ):
        errors["municipality_code"] = [_("A municipality must be linked to its kommunkod.")]
    if org.org_number:
        clash = Organisation.objects.filter(org_number=org.org_number).exclude(pk=org.pk).exists()
        if clash:
            errors["org_number"] = [_("Another organisation already has this organisation number.")]
    if errors:
        raise ValidationError(errors)
    _full_clean(org, exclude=["slug", "municipality"])


def _refuse_identity_change(org: Organisation, changes: dict[str, Any]) -> None:
    """An organisation's kind and kommunkod decide what it may see elsewhere (a municipality reads
    the resettlement cases placed with it), so only platform administrators change them."""
    errors: dict[str, list[str]] = {}
    message = _("Only the platform's administrators can change this. Contact them if it is wrong.")
    if "kind" in changes and str(changes["kind"] or "") != org.kind:
        errors["kind"] = [message]
    if "municipality_code" in changes and (str(changes["municipality_code"] or "").strip() or None) != (
        org.municipality_id or None
    ):
        errors["municipality_code"] = [message]
    if errors:
        raise ValidationError(errors)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "org"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def organisation_create(*, actor: Actor, data: dict[str, Any], is_fictional: bool = False) -> Organisation:
    if not (actor.is_system or perms.can_create_organisation(actor)):
        raise PermissionDenied("organisation.create")
    with transaction.atomic(durable=True):
        org = Organisation(is_fictional=is_fictional)
        _apply_organisation_fields(org, {k: data.get(k, "") for k in ORGANISATION_FIELDS})
        org.slug = _unique_slug(org.name)
        org.save()
        audit.record(
            actor=actor,
            code="organisations.organisation.created",
            obj=org,
            organisation_id=org.pk,
            data={"name": org.name, "kind": org.kind},
        )
    return org


def organisation_update(*, actor: Actor, organisation_id: int, data: dict[str, Any]) -> Organisation:
    with transaction.atomic(durable=True):
        org = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
        if org is None:
            raise NotFound("organisation")
        if not perms.can_edit_organisation(actor, org):
            raise PermissionDenied("organisation.edit")
        changes = {k: data[k] for k in ORGANISATION_FIELDS if k in data}
        if not (actor.is_system or perms.is_platform_admin(actor)):
            _refuse_identity_change(org, changes)
        _apply_organisation_fields(org, changes)
        org.save()
        audit.record(
            actor=actor,
            code="organisations.organisation.updated",
            obj=org,
            organisation_id=org.pk,
            data={"fields": sorted(changes)},
        )
    return org
