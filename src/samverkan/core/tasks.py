"""Background housekeeping for the foundation."""

from __future__ import annotations

from django_tasks import task

from samverkan.core import ratelimit


@task()
def prune_rate_hits() -> int:
    """Delete rate-limit rows older than any window (they only slow the counting down)."""
    return ratelimit.prune()
