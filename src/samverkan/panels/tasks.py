"""Background work for panels. Arguments are ids."""

from __future__ import annotations

from django_tasks import task

from samverkan.panels.services import run_execute, runs_fail_stalled


@task()
def execute_selection_run(run_id: int) -> str:
    return run_execute(run_id=run_id).status


@task()
def fail_stalled_selection_runs() -> int:
    return runs_fail_stalled()
