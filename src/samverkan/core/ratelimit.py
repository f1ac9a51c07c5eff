"""A small rate limiter shared by every web process (it counts rows in the database).

``allow(key, limit, window)`` counts the hits on ``key`` in the last ``window`` and, if there are
fewer than ``limit``, records one more and answers True. Keys name what is limited and for whom,
for example ``stories.link.ip:203.0.113.7``. Count-then-insert is not atomic, so under a burst a
few requests more than ``limit`` can pass; the limit is a brake on guessing, not an exact quota.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.crypto import salted_hmac

from samverkan.core.models import RateHit

PRUNE_AFTER = timedelta(days=1)


def _key(key: str) -> str:
    # Addresses and tokens are kept out of the table in clear: only a keyed hash is stored (a plain
    # hash of an IPv4 address is reversed by trying all four billion).
    return salted_hmac("samverkan.core.ratelimit", key, algorithm="sha256").hexdigest()


def count(key: str, window: timedelta) -> int:
    return RateHit.objects.filter(key=_key(key), at__gte=timezone.now() - window).count()


def allow(key: str, limit: int, window: timedelta) -> bool:
    """True, and one hit recorded, while ``key`` has had fewer than ``limit`` hits in ``window``."""
    now = timezone.now()
    hashed = _key(key)
    if RateHit.objects.filter(key=hashed, at__gte=now - window).count() >= limit:
        return False
    RateHit.objects.create(key=hashed, at=now)
    return True


def hit(key: str) -> None:
    """Record a hit without checking (for counting failures)."""
    RateHit.objects.create(key=_key(key), at=timezone.now())


def prune() -> int:
    return RateHit.objects.filter(at__lt=timezone.now() - PRUNE_AFTER).delete()[0]
