"""Build the Actor for a request or a user."""

from __future__ import annotations

from typing import Any

from samverkan.accounts.models import Membership
from samverkan.core.actor import Actor


def actor_for_user(user: Any, ip: str | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Actor.anonymous(ip)
    roles: dict[int, set[str]] = {}
    for org_id, role in Membership.objects.filter(user=user).values_list("organisation_id", "role"):
        roles.setdefault(org_id, set()).add(role)
    return Actor(user=user, roles={k: frozenset(v) for k, v in roles.items()}, ip=ip)


def actor_from_request(request: Any) -> Actor:
    cached = getattr(request, "_samverkan_actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    actor = actor_for_user(getattr(request, "user", None), getattr(request, "client_ip", None))
    request._samverkan_actor = actor
    return actor
