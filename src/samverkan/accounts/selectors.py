"""Reads for accounts, always scoped to the actor. "Not yours" and "does not exist" are NotFound.

Member lists and the audit log hold personal data, so reading them is itself audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from samverkan.accounts.models import ApiToken, Invitation, Membership, User
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.core.models import AuditEvent
from samverkan.organisations import permissions as org_perms
from samverkan.organisations.models import Organisation


def _organisation(organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound("organisation")
    return organisation


def member_list_for(*, actor: Actor, organisation_id: int) -> QuerySet[Membership]:
    """The organisation's memberships, for its administrators and coordinators."""
    organisation = _organisation(organisation_id)
    if not org_perms.can_view_members(actor, organisation):
        raise NotFound("organisation")
    audit.record_read(actor=actor, code="accounts.membership.listed", organisation_id=organisation.pk)
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email", "role")
    )


def membership_get_for(*, actor: Actor, organisation_id: int, membership_id: int) -> Membership:
    organisation = _organisation(organisation_id)
    if not org_perms.can_view_members(actor, organisation):
        raise NotFound("membership")
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(pk=membership_id, organisation=organisation)
        .first()
    )
    if membership is None:
        raise NotFound("membership")
    return membership


def pending_invitation_list_for(*, actor: Actor, organisation_id: int) -> QuerySet[Invitation]:
    """Open (unused, unexpired) invitations of the organisation, for its administrators."""
    organisation = _organisation(organisation_id)
    if not org_perms.can_invite_member(actor, organisation):
        raise NotFound("organisation")
    return Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_event_list_for(
    *,
    actor: Actor,
    organisation_id: int,
    code_prefix: str | None = None,
    actor_email: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's audit events, newest first; for its administrators. Dates are inclusive."""
    organisation = _organisation(organisation_id)
    if not org_perms.can_view_audit(actor, organisation):
        raise NotFound("organisation")
    filters: dict[str, Any] = {
        "code_prefix": code_prefix or "",
        "actor_email": actor_email or "",
        "date_from": date_from.isoformat() if date_from else "",
        "date_to": date_to.isoformat() if date_to else "",
    }
    audit.record_read(
        actor=actor,
        code="core.audit.viewed",
        organisation_id=organisation.pk,
        data={k: v for k, v in filters.items() if v},
    )
    qs = AuditEvent.objects.filter(organisation_id=organisation.pk)
    if code_prefix:
        qs = qs.filter(code__startswith=code_prefix.strip())
    if actor_email:
        email = actor_email.strip()
        qs = qs.filter(Q(actor_user__email__iexact=email) | Q(actor_label__iexact=email))
    if date_from:
        qs = qs.filter(occurred_at__gte=_day_start(date_from))
    if date_to and date_to < dt.date.max:
        qs = qs.filter(occurred_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return qs.order_by("-seq")


def memberships_of(*, actor: Actor) -> QuerySet[Membership]:
    """The actor's own memberships, with their organisations (none for anonymous)."""
    if not actor.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=actor.user).select_related("organisation")


def account_exists(email: str) -> bool:
    """Whether an account uses ``email`` (an invitation to it is accepted by logging in)."""
    return User.objects.filter(email__iexact=email).exists()


def api_token_list_for(*, actor: Actor) -> list[ApiToken]:
    if not actor.is_authenticated:
        return []
    return list(ApiToken.objects.filter(user=actor.user).order_by("-created_at"))
