"""Brakes on what anyone may do without an account, shared by the pages and the API.

- Self-registration: one address may hold only a share of a session's places, by default
  ``max(2, 10 %)`` of its capacity (``MEETINGPLACE_ADDRESS_MIN_PLACES``,
  ``MEETINGPLACE_ADDRESS_SHARE_PERCENT``), and never more than
  ``MEETINGPLACE_REGISTRATIONS_PER_ADDRESS``. Enough for a family or two on shared wifi, not for
  a script that would take every seat from the people the session is for (they can ask the
  organiser, whose staff register on their behalf and are not braked, nor are logged-in users).
  The count is of the session's live registrations (confirmed or waiting) made from the address;
  each registration stores a keyed hash of the session and the address (``address_key``, an
  HMAC: never the address, and not linkable across sessions). The authoritative check runs in
  ``services.registration_create`` under the session row lock, so the count and the insert cannot
  race.
- Registration codes: one address may try ``MEETINGPLACE_BAD_CODES_PER_ADDRESS`` unknown codes per
  15 minutes. A real code is looked up first and never refused for other people's guesses from
  the same address.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

from samverkan.core import ratelimit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, RateLimited
from samverkan.meetingplace import selectors
from samverkan.meetingplace.models import Registration, RegistrationStatus, Session

REGISTRATION_WINDOW = timedelta(hours=1)  # the Retry-After of a refused registration
CODE_WINDOW = timedelta(minutes=15)


def address_key(actor: Actor, session: Session) -> str:
    """The keyed hash that marks ``actor``'s self-registrations in ``session``; "" for those who
    are not braked (logged-in users, staff, the system)."""
    if actor.is_authenticated or actor.is_system:
        return ""
    return salted_hmac(
        "samverkan.meetingplace.address", f"{session.pk}:{actor.ip or 'unknown'}", algorithm="sha256"
    ).hexdigest()


def places_per_address(session: Session) -> int:
    """How many live registrations one address may hold in ``session``."""
    share = session.capacity * settings.MEETINGPLACE_ADDRESS_SHARE_PERCENT // 100
    return min(
        settings.MEETINGPLACE_REGISTRATIONS_PER_ADDRESS, max(settings.MEETINGPLACE_ADDRESS_MIN_PLACES, share)
    )


def check_share(session: Session, key: str) -> None:
    """RateLimited if the address behind ``key`` already holds its share of ``session``. Atomic
    only when called with the session row locked (``registration_create`` does)."""
    if not key:
        return
    held = (
        Registration.objects.filter(session=session, address_key=key)
        .exclude(status=RegistrationStatus.CANCELLED)
        .count()
    )
    if held >= places_per_address(session):
        raise RateLimited(int(REGISTRATION_WINDOW.total_seconds()))


def registration_by_code(code: str, actor: Actor) -> Registration:
    """The registration for ``code``; NotFound (counted against the address) or RateLimited."""
    try:
        return selectors.registration_by_code(code)
    except NotFound:
        key = f"meetingplace.badcode:{actor.ip or 'unknown'}"
        if ratelimit.count(key, CODE_WINDOW) >= settings.MEETINGPLACE_BAD_CODES_PER_ADDRESS:
            raise RateLimited(
                int(CODE_WINDOW.total_seconds()),
                advice=gettext_lazy(
                    "Please wait 15 minutes and try your code again. If it still does not work, "
                    "contact the organiser of the session."
                ),
            ) from None
        ratelimit.hit(key)
        raise
