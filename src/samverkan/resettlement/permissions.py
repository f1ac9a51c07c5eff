"""Who may do what in resettlement. Pure predicates over the actor and a ``Scope``: which
organisation is the placing agency and which municipality each of the actor's organisations is.

- *Placement officers* (the agency's administrators, coordinators and case officers, the roles
  that handle personal data and use two-factor) import cases and reception numbers, run, override
  and approve placements.
- The agency's administrators and coordinators edit the needs taxonomy (a new dated version).
- A municipality's administrators, coordinators and case officers keep their own reception numbers
  up to date, read the packets of the cases placed with them, and record follow-up.
- The taxonomy is public: a common definition is meant to be read by everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samverkan.core.actor import Actor
from samverkan.organisations.permissions import ADMIN, CASE_OFFICER, COORDINATOR

OFFICERS = (ADMIN, COORDINATOR, CASE_OFFICER)
EDITORS = (ADMIN, COORDINATOR)


@dataclass(frozen=True)
class Scope:
    agency_id: int | None
    municipality_of: dict[int, str] = field(default_factory=dict)  # organisation id -> kommunkod


def is_officer(actor: Actor, scope: Scope) -> bool:
    return actor.is_system or actor.has_role(scope.agency_id, *OFFICERS)


def can_edit_taxonomy(actor: Actor, scope: Scope) -> bool:
    return actor.is_system or actor.has_role(scope.agency_id, *EDITORS)


def municipalities_served(actor: Actor, scope: Scope) -> frozenset[str]:
    """The municipalities whose packets, reception and follow-up this actor handles."""
    return frozenset(code for org, code in scope.municipality_of.items() if actor.has_role(org, *OFFICERS))


def can_edit_reception(actor: Actor, scope: Scope, municipality_code: str) -> bool:
    return is_officer(actor, scope) or municipality_code in municipalities_served(actor, scope)


def can_read_packet(actor: Actor, scope: Scope, placed_in: str | None) -> bool:
    """Only the receiving municipality (and the agency that placed the case)."""
    if placed_in is None:
        return False
    return is_officer(actor, scope) or placed_in in municipalities_served(actor, scope)


def can_record_followup(actor: Actor, scope: Scope, placed_in: str | None) -> bool:
    return placed_in is not None and placed_in in municipalities_served(actor, scope)


def can_view_dashboard(actor: Actor, scope: Scope) -> bool:
    """Aggregates with small cells suppressed: the agency and every municipality's officers."""
    return is_officer(actor, scope) or bool(municipalities_served(actor, scope))


def can_use(actor: Actor, scope: Scope) -> bool:
    return is_officer(actor, scope) or bool(municipalities_served(actor, scope))
