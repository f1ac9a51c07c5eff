"""Who may manage accounts and memberships. Pure predicates over Actor and objects."""

from __future__ import annotations

from samverkan.core.actor import Actor
from samverkan.organisations import permissions as org_perms
from samverkan.organisations.models import Organisation


def can_manage_members(actor: Actor, organisation: Organisation) -> bool:
    """Change a member's role or remove a member: the organisation's administrators only."""
    return org_perms.can_invite_member(actor, organisation)
