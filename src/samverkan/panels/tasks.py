"""Background work for panels. Arguments are ids. Tasks wrap services; services never import
tasks: a new run reaches ``execute_selection_run`` through ``core.runs.enqueue``."""

from __future__ import annotations

from django_tasks import task

from samverkan.core import runs
from samverkan.panels.models import SelectionRun
from samverkan.panels.services import run_execute, runs_fail_stalled


@task()
def execute_selection_run(run_id: int) -> str:
    return run_execute(run_id=run_id).status


runs.register(SelectionRun, execute_selection_run.enqueue)


@task()
def fail_stalled_selection_runs() -> int:
    return runs_fail_stalled()
