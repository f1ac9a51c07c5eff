"""Background work for resettlement. Arguments are ids. Tasks wrap services; services never import
tasks: a new run reaches ``execute_placement_run`` through ``core.runs.enqueue``."""

from __future__ import annotations

from django_tasks import task

from samverkan.core import runs
from samverkan.resettlement.models import PlacementRun
from samverkan.resettlement.services import dashboard_release_due, run_execute, runs_fail_stalled


@task()
def execute_placement_run(run_id: int) -> str:
    return run_execute(run_id=run_id).status


runs.register(PlacementRun, execute_placement_run.enqueue)


@task()
def fail_stalled_placement_runs() -> int:
    return runs_fail_stalled()


@task()
def release_followup_dashboard() -> int:
    """The follow-up dashboard's scheduled release, if its period has none yet (its number, or 0)."""
    release = dashboard_release_due()
    return release.number if release is not None else 0
