"""Who may see and import statistics. Pure predicates over Actor and objects."""

from __future__ import annotations

from samverkan.core.actor import Actor
from samverkan.organisations.permissions import WRITERS, is_platform_admin
from samverkan.statistics.models import Dataset


def can_view_dataset(actor: Actor, dataset: Dataset) -> bool:
    return (
        dataset.is_public or actor.is_system or is_platform_admin(actor) or actor.is_member(dataset.owner_id)
    )


def can_import_version(actor: Actor, dataset: Dataset) -> bool:
    """A new version of an existing dataset: its owner's editors, or platform administrators."""
    return actor.is_system or is_platform_admin(actor) or actor.has_role(dataset.owner_id, *WRITERS)


def can_set_threshold(actor: Actor, dataset: Dataset) -> bool:
    """The suppression threshold is the platform's to set (administrators)."""
    return actor.is_system or is_platform_admin(actor)


def can_create_dataset(actor: Actor, owner_id: int | None) -> bool:
    """A new dataset owned by an organisation (its editors), or by the platform (administrators)."""
    if actor.is_system or is_platform_admin(actor):
        return True
    return owner_id is not None and actor.has_role(owner_id, *WRITERS)


def can_upload_statistics(actor: Actor) -> bool:
    """Whether to offer the upload page at all."""
    return (
        actor.is_system
        or is_platform_admin(actor)
        or any(actor.has_role(org_id, *WRITERS) for org_id in actor.organisation_ids)
    )
