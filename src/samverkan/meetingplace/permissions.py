"""Who may do what with meeting places. Pure predicates over the actor.

- An activity's organiser and co-organisers: their administrators, coordinators and editors plan
  activities and sessions; their administrators, coordinators and case officers see the
  participant lists (personal data), register people on their behalf and check them in.
- Anyone, without an account, may register for a session open to registration.
"""

from __future__ import annotations

from collections.abc import Iterable

from samverkan.core.actor import Actor
from samverkan.organisations.permissions import ADMIN, CASE_OFFICER, COORDINATOR, EDITOR

PLANNERS = (ADMIN, COORDINATOR, EDITOR)
STAFF = (ADMIN, COORDINATOR, CASE_OFFICER)


def can_create_activity(actor: Actor, organiser_id: int | None) -> bool:
    return actor.is_system or actor.has_role(organiser_id, *PLANNERS)


def can_plan(actor: Actor, organiser_ids: Iterable[int]) -> bool:
    return actor.is_system or any(actor.has_role(org, *PLANNERS) for org in organiser_ids)


def can_handle_participants(actor: Actor, organiser_ids: Iterable[int]) -> bool:
    """See who registered, register people on their behalf, check them in."""
    return actor.is_system or any(actor.has_role(org, *STAFF) for org in organiser_ids)


def overview_organisations(actor: Actor) -> list[int]:
    """The organisations whose sessions' overview ``actor`` may open (planners and participant staff)."""
    return [
        org
        for org in actor.organisation_ids
        if can_plan(actor, [org]) or can_handle_participants(actor, [org])
    ]


REVIEWERS = (ADMIN, COORDINATOR, CASE_OFFICER, EDITOR)
FACT_EDITORS = (ADMIN, COORDINATOR, EDITOR)


def can_review(actor: Actor, agency_id: int | None) -> bool:
    """The agency's staff review partner material (never their own submission: see services)."""
    return actor.has_role(agency_id, *REVIEWERS)


def can_edit_facts(actor: Actor, agency_id: int | None) -> bool:
    return actor.is_system or actor.has_role(agency_id, *FACT_EDITORS)
