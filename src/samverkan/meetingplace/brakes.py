"""Brakes on what anyone may do without an account, shared by the pages and the API.

- Self-registration: one address may fill only ``MEETINGPLACE_REGISTRATIONS_PER_ADDRESS`` places
  in one session per hour. Enough for a group on shared wifi (asylum housing, a school), not for a
  script that would take every seat from the people the session is for. Only successful
  registrations count; staff and logged-in users are not braked.
- Registration codes: one address may try ``MEETINGPLACE_BAD_CODES_PER_ADDRESS`` unknown codes per
  15 minutes. A real code is looked up first and never refused for other people's guesses from
  the same address.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from samverkan.core import ratelimit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, RateLimited
from samverkan.meetingplace import selectors
from samverkan.meetingplace.models import Registration, Session

REGISTRATION_WINDOW = timedelta(hours=1)
CODE_WINDOW = timedelta(minutes=15)


def _registration_key(actor: Actor, session: Session) -> str | None:
    if actor.is_authenticated:
        return None
    return f"meetingplace.register:{session.pk}:{actor.ip or 'unknown'}"


def check_registration(actor: Actor, session: Session) -> None:
    key = _registration_key(actor, session)
    if key and ratelimit.count(key, REGISTRATION_WINDOW) >= settings.MEETINGPLACE_REGISTRATIONS_PER_ADDRESS:
        raise RateLimited(int(REGISTRATION_WINDOW.total_seconds()))


def count_registration(actor: Actor, session: Session) -> None:
    key = _registration_key(actor, session)
    if key:
        ratelimit.hit(key)


def registration_by_code(code: str, actor: Actor) -> Registration:
    """The registration for ``code``; NotFound (counted against the address) or RateLimited."""
    try:
        return selectors.registration_by_code(code)
    except NotFound:
        key = f"meetingplace.badcode:{actor.ip or 'unknown'}"
        if ratelimit.count(key, CODE_WINDOW) >= settings.MEETINGPLACE_BAD_CODES_PER_ADDRESS:
            raise RateLimited(int(CODE_WINDOW.total_seconds())) from None
        ratelimit.hit(key)
        raise
