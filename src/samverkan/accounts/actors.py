"""Build the Actor for a request or a user."""

from __future__ import annotations

from typing import Any

from samverkan.accounts import authn
from samverkan.accounts.models import Membership
from samverkan.core.actor import Actor


def actor_for_user(user: Any, ip: str | None = None, *, two_factor_verified: bool = False) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Actor.anonymous(ip)
    roles: dict[int, set[str]] = {}
    for org_id, role in Membership.objects.filter(user=user).values_list("organisation_id", "role"):
        roles.setdefault(org_id, set()).add(role)
    return Actor(
        user=user,
        roles={k: frozenset(v) for k, v in roles.items()},
        ip=ip,
        two_factor_verified=two_factor_verified,
    )


def request_ip(request: Any) -> str | None:
    """The client address: set by the core middleware, or REMOTE_ADDR before it has run."""
    ip = getattr(request, "client_ip", None)
    if ip:
        return str(ip)
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or None


def actor_from_request(request: Any) -> Actor:
    cached = getattr(request, "_samverkan_actor", None)
    user = getattr(request, "user", None)
    verified = authn.session_verified(request)
    # The cache is only valid for the same user and second factor (a login, logout or two-factor
    # verification inside the request changes them).
    if (
        cached is not None
        and cached.user_id == getattr(user, "pk", None)
        and cached.two_factor_verified == verified
    ):
        return cached
    actor = actor_for_user(user, request_ip(request), two_factor_verified=verified)
    request._samverkan_actor = actor
    return actor
