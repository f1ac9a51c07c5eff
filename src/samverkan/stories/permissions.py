"""Who may do what with stories. Pure predicates over the actor.

- The publishing organisation's administrators, coordinators and editors write stories, send the
  person their link, and publish. Nobody else sees a story before it is published.
- The person interviewed has no account: their personal link is their only key (services).
- Everyone reads published stories.
"""

from __future__ import annotations

from samverkan.core.actor import Actor
from samverkan.organisations.permissions import ADMIN, COORDINATOR, EDITOR

EDITORS = (ADMIN, COORDINATOR, EDITOR)


def can_edit_stories(actor: Actor, organisation_id: int | None) -> bool:
    return actor.is_system or actor.has_role(organisation_id, *EDITORS)


def editor_organisations(actor: Actor) -> list[int]:
    return sorted(org for org in actor.organisation_ids if actor.has_role(org, *EDITORS))
