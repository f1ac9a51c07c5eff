"""Who is acting: a user (or nobody, for the public), their organisations and roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """The subject of every service and selector call.

    ``roles`` maps organisation id to the set of role codes the user holds there. ``user`` is the
    Django user object (None for an anonymous visitor or the system). ``two_factor_verified`` is
    true only for a session that has passed a second factor (never for an API token).
    """

    user: Any = None
    roles: dict[int, frozenset[str]] = field(default_factory=dict)
    ip: str | None = None
    is_system: bool = False
    two_factor_verified: bool = False
    # Values derived from the actor (an app's scope), built once: an actor lives for one request
    # (``accounts.actors.actor_from_request`` keeps it on the request) or one task.
    _memo: dict[str, Any] = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """``build()``, computed once per actor under ``key`` (e.g. an app's permission scope)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and bool(getattr(self.user, "is_authenticated", False))

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(self.roles)

    def has_role(self, organisation_id: int | None, *roles: str) -> bool:
        if organisation_id is None:
            return False
        held = self.roles.get(organisation_id, frozenset())
        return bool(held.intersection(roles)) if roles else bool(held)

    def is_member(self, organisation_id: int | None) -> bool:
        return organisation_id is not None and organisation_id in self.roles

    @classmethod
    def anonymous(cls, ip: str | None = None) -> Actor:
        return cls(ip=ip)

    @classmethod
    def system(cls) -> Actor:
        return cls(is_system=True)


ANONYMOUS = Actor()
