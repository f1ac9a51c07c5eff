"""A small scheduler: enqueues the periodic tasks on the task queue at a fixed interval.

Run one scheduler per deployment (see docs/operations.md); the tasks themselves are idempotent,
so a second scheduler or a restart causes no duplicate reminders.

The audit checkpoint (``core/audit_checkpoints.py``) is written by the scheduler itself, every
``AUDIT_CHECKPOINT_INTERVAL`` seconds, not through the queue: a worker may run on any host, the
scheduler on one, so the files land in one known ``AUDIT_CHECKPOINT_DIR``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from samverkan.core.audit_checkpoints import write_checkpoint
from samverkan.core.tasks import prune_rate_hits
from samverkan.meetingplace.tasks import send_session_reminders
from samverkan.organisations.tasks import send_agreement_reminders
from samverkan.panels.tasks import fail_stalled_selection_runs
from samverkan.resettlement.tasks import fail_stalled_placement_runs, release_followup_dashboard

# It lives in ``site``, the one app that may depend on all the others.
PERIODIC_TASKS = [
    send_agreement_reminders,
    send_session_reminders,
    fail_stalled_selection_runs,
    fail_stalled_placement_runs,
    release_followup_dashboard,  # makes a release once per RESETTLEMENT_DASHBOARD_INTERVAL
    prune_rate_hits,
]

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Enqueue periodic tasks (agreement reminders, stalled selection runs) every --interval seconds, "
        "and write the audit checkpoint every AUDIT_CHECKPOINT_INTERVAL seconds."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval", type=int, default=3600, help="seconds between rounds (default 3600)"
        )
        parser.add_argument("--once", action="store_true", help="enqueue one round and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"]
        checkpoint_every = settings.AUDIT_CHECKPOINT_INTERVAL
        next_round = next_checkpoint = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= next_round:
                for periodic in PERIODIC_TASKS:
                    result = periodic.enqueue()
                    self.stdout.write(f"enqueued {periodic.name} ({result.id})")
                next_round = now + interval
            if checkpoint_every > 0 and now >= next_checkpoint:
                self._checkpoint()
                next_checkpoint = now + checkpoint_every
            if options["once"]:
                return
            wake = min(next_round, next_checkpoint) if checkpoint_every > 0 else next_round
            time.sleep(max(1.0, wake - time.monotonic()))

    def _checkpoint(self) -> None:
        """Write the audit checkpoint; a failure is logged and never stops the scheduler."""
        try:
            result = write_checkpoint()
        except Exception:  # disk full, database away: try again next time
            logger.exception("Writing the audit checkpoint failed")
            self.stderr.write("audit checkpoint failed (see the log)")
            return
        if result.path is not None:
            self.stdout.write(f"audit checkpoint {result.path.name}")
        if result.problem:
            self.stderr.write(f"audit log disagrees with its newest earlier checkpoint: {result.problem}")
