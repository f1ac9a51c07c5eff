"""Changes to memberships by an organisation's administrators: role changes and removals."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samverkan.accounts import permissions as perms
from samverkan.accounts.models import Membership, Role
from samverkan.accounts.services._common import _organisation
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.organisations import permissions as org_perms


def _membership_for_manager(actor: Actor, membership_id: int, organisation_id: int) -> Membership:
    organisation = _organisation(organisation_id)
    if not org_perms.can_view_members(actor, organisation):
        raise NotFound("membership")
    if not perms.can_manage_members(actor, organisation):
        raise PermissionDenied("only administrators manage members")
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organisation")
        .filter(pk=membership_id, organisation=organisation)
        .first()
    )
    if membership is None:
        raise NotFound("membership")
    return membership


def _other_administrators(membership: Membership) -> int:
    """Administrators of the organisation besides this membership's user (rows locked)."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Role.ADMINISTRATOR)
        .exclude(user_id=membership.user_id)
        .values_list("user_id", flat=True)
    )
    return len(set(admins))


LAST_ADMIN_MESSAGE = gettext_noop(
    "An organisation must keep at least one administrator. Make someone else administrator first."
)


def membership_change_role(
    *, actor: Actor, organisation_id: int, membership_id: int, role: str
) -> Membership:
    with transaction.atomic(durable=True):
        membership = _membership_for_manager(actor, membership_id, organisation_id)
        if role not in Role.values:
            raise ValidationError({"role": [_("Choose a role.")]})
        old = membership.role
        if role == old:
            return membership
        if Membership.objects.filter(
            user_id=membership.user_id, organisation_id=membership.organisation_id, role=role
        ).exists():
            raise ValidationError({"role": [_("This person already holds that role in the organisation.")]})
        if old == Role.ADMINISTRATOR and _other_administrators(membership) == 0:
            raise ValidationError({"role": [_(LAST_ADMIN_MESSAGE)]})
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(
            actor=actor,
            code="accounts.membership.role_changed",
            obj=membership,
            organisation_id=membership.organisation_id,
            data={"user_id": membership.user_id, "from": old, "to": role},
        )
    return membership


def membership_remove(*, actor: Actor, organisation_id: int, membership_id: int) -> None:
    with transaction.atomic(durable=True):
        membership = _membership_for_manager(actor, membership_id, organisation_id)
        if membership.role == Role.ADMINISTRATOR and _other_administrators(membership) == 0:
            raise ValidationError(_(LAST_ADMIN_MESSAGE))
        audit.record(
            actor=actor,
            code="accounts.membership.removed",
            obj=membership,
            organisation_id=membership.organisation_id,
            data={"user_id": membership.user_id, "role": membership.role},
        )
        membership.delete()
