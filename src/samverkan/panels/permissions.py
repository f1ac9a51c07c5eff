"""Who may work with panel pools. A pool holds personal data about volunteers, so only the owning
organisation's roles that handle personal data (and must use two-factor authentication) reach it."""

from __future__ import annotations

from samverkan.core.actor import Actor
from samverkan.organisations.permissions import ADMIN, CASE_OFFICER, COORDINATOR
from samverkan.panels.models import Pool, SelectionRun

ORGANISERS = (ADMIN, COORDINATOR, CASE_OFFICER)


def can_create_pool(actor: Actor, owner_id: int | None) -> bool:
    return actor.is_system or actor.has_role(owner_id, *ORGANISERS)


def can_offer_pools(actor: Actor) -> bool:
    """Whether to show the panels pages at all."""
    return any(actor.has_role(org_id, *ORGANISERS) for org_id in actor.organisation_ids)


def can_manage_pool(actor: Actor, pool: Pool) -> bool:
    """See the volunteers, set quotas, run selections, replace and export (all personal data)."""
    return actor.is_system or actor.has_role(pool.owner_id, *ORGANISERS)


def can_view_report(actor: Actor, run: SelectionRun) -> bool:
    """The coarse, disclosure-controlled composition of a panel: public once published."""
    return run.is_published or can_manage_pool(actor, run.pool)
