"""Log-in with lockout per (username, address) pair and per address, and the logout record."""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.models import LoginFailure, User
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import DomainError


class LoginLocked(DomainError):
    """Too many recent failures for this (username, address) pair or this address."""


class LoginFailed(DomainError):
    """Wrong e-mail address or password (deliberately not saying which)."""


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()[:254]


def lockout_address(ip: str | None) -> str | None:
    """The address failures are counted against: an IPv4 address as it is, an IPv6 address by
    its /64 network, since one IPv6 client usually holds a whole /64 to rotate through."""
    if not ip:
        return None
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _ip_q(ip: str | None) -> Q:
    ip = lockout_address(ip)
    return Q(ip=ip) if ip else Q(ip__isnull=True)


def _username_for_log(name: str) -> dict[str, str]:
    """A typed log-in name enters the log only if it is an account's address: people sometimes
    type their password into the name field, and that must never be stored."""
    if User.objects.filter(email__iexact=name).exists():
        return {"username": name}
    return {"unknown_username_sha256": hashlib.sha256(name.encode()).hexdigest()[:16]}


def login_is_locked(*, username: str, ip: str | None, counting_this_attempt: bool = False) -> bool:
    """True while the pair, or the address across all usernames, has too many recent failures.
    With ``counting_this_attempt`` the attempt's own row is among them (one more is allowed)."""
    allowance = 1 if counting_this_attempt else 0
    since = timezone.now() - settings.LOGIN_LOCKOUT_WINDOW
    recent = LoginFailure.objects.filter(at__gte=since)
    pair = recent.filter(_ip_q(ip), username=normalise_username(username)).count()
    if pair >= settings.LOGIN_LOCKOUT_FAILURES + allowance:
        return True
    if ip is None:
        return False
    return recent.filter(_ip_q(ip)).count() >= settings.LOGIN_LOCKOUT_ADDRESS_FAILURES + allowance


def login_authenticate(*, username: str, password: str, ip: str | None, request: Any = None) -> User:
    """Check a log-in attempt. Returns the user, or raises LoginLocked / LoginFailed.

    The lockout is per (username, address) pair, so someone guessing a user's password from
    their own address cannot lock the user out elsewhere; a per-address ceiling stops one address
    from trying many usernames. A locked pair is refused even with the correct password.
    """
    name = normalise_username(username)
    anonymous = Actor.anonymous(ip)
    if not name:
        raise LoginFailed
    if login_is_locked(username=name, ip=ip):
        with transaction.atomic(durable=True):
            audit.record(actor=anonymous, code="accounts.login.locked", data=_username_for_log(name))
        raise LoginLocked
    # The attempt counts as a failure before the password is checked, and the count is taken again
    # with it: parallel guesses cannot all slip through the check above before any of them is
    # recorded. A success removes the row again.
    with transaction.atomic(durable=True):
        attempt = LoginFailure.objects.create(username=name, ip=lockout_address(ip))
    if login_is_locked(username=name, ip=ip, counting_this_attempt=True):
        with transaction.atomic(durable=True):
            attempt.delete()  # no password was tried
            audit.record(actor=anonymous, code="accounts.login.locked", data=_username_for_log(name))
        raise LoginLocked
    user = authenticate(request, username=name, password=password)
    if user is None:
        with transaction.atomic(durable=True):
            audit.record(actor=anonymous, code="accounts.login.failed", data=_username_for_log(name))
        raise LoginFailed
    with transaction.atomic(durable=True):
        LoginFailure.objects.filter(_ip_q(ip), username=name).delete()
        audit.record(actor=actor_for_user(user, ip), code="accounts.login.succeeded", obj=user)
    return user


def logout_record(*, actor: Actor) -> None:
    """Log that the actor logged out (the session itself is ended by Django's ``logout``)."""
    if not actor.is_authenticated:
        return
    with transaction.atomic(durable=True):
        audit.record(actor=actor, code="accounts.logout")
