"""A small scheduler: enqueues the periodic tasks on the task queue at a fixed interval.

Run one scheduler per deployment (see docs/operations.md); the tasks themselves are idempotent,
so a second scheduler or a restart causes no duplicate reminders.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from samverkan.core.tasks import prune_rate_hits
from samverkan.meetingplace.tasks import send_session_reminders
from samverkan.organisations.tasks import send_agreement_reminders
from samverkan.panels.tasks import fail_stalled_selection_runs
from samverkan.resettlement.tasks import fail_stalled_placement_runs

# It lives in ``site``, the one app that may depend on all the others.
PERIODIC_TASKS = [
    send_agreement_reminders,
    send_session_reminders,
    fail_stalled_selection_runs,
    fail_stalled_placement_runs,
    prune_rate_hits,
]


class Command(BaseCommand):
    help = "Enqueue periodic tasks (agreement reminders, stalled selection runs) every --interval seconds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval", type=int, default=3600, help="seconds between rounds (default 3600)"
        )
        parser.add_argument("--once", action="store_true", help="enqueue one round and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for periodic in PERIODIC_TASKS:
                result = periodic.enqueue()
                self.stdout.write(f"enqueued {periodic.name} ({result.id})")
            if options["once"]:
                return
            time.sleep(options["interval"])
