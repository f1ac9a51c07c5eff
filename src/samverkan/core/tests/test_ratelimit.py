"""The database rate limiter: a limit per key within a window, addresses never stored in clear,
old rows pruned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from samverkan.core import ratelimit
from samverkan.core.models import RateHit
from samverkan.core.tasks import prune_rate_hits

pytestmark = pytest.mark.django_db
WINDOW = dt.timedelta(minutes=15)


def test_a_key_is_allowed_up_to_its_limit_within_the_window_and_others_are_separate():
    assert [ratelimit.allow("test:203.0.113.1", 2, WINDOW) for _ in range(3)] == [True, True, False]
    assert ratelimit.allow("test:203.0.113.2", 2, WINDOW)
    RateHit.objects.update(at=timezone.now() - WINDOW - dt.timedelta(seconds=1))
    assert ratelimit.allow("test:203.0.113.1", 2, WINDOW)  # the old hits are outside the window


def test_keys_are_stored_hashed_and_old_rows_are_pruned():
    ratelimit.hit("test:198.51.100.7")
    assert ratelimit.count("test:198.51.100.7", WINDOW) == 1
    assert not RateHit.objects.filter(key__contains="198.51.100.7").exists()
    RateHit.objects.update(at=timezone.now() - ratelimit.PRUNE_AFTER - dt.timedelta(minutes=1))
    ratelimit.hit("test:fresh")
    prune_rate_hits.call()
    assert RateHit.objects.count() == 1
