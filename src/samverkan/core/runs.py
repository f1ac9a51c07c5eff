"""The one lifecycle of a background job run: queued → running → done or failed.

An app's run model inherits ``JobRun`` (status, progress, reason and timestamps) and adds its
input, its own steps and its results. Its services move a run only through the functions here:

- ``enqueue`` hands a new run to the task registered for its model, once the transaction commits;
- ``claim`` moves it queued → running in the worker (exactly one worker gets it);
- ``progress`` reports how far it is while it runs;
- ``finish`` stores its result and ends it (done, or the app's own end state);
- ``fail`` ends it with a reason the user reads;
- ``fail_stalled`` (the scheduler) fails runs whose worker stopped.

Each move is one conditional UPDATE on the run's row (``WHERE status IN (...)``), so two writers
never both move the same run: the second matches no row and gets False. A run failed as stalled
therefore stays failed when its worker comes back, and whatever it computed is dropped. Extra
keyword arguments are written in the same UPDATE (an app's ``step``, a run's results).

Tasks wrap services (an app's ``tasks`` module imports its ``services``), never the other way: the
tasks module registers its executing task here with ``register``, and ``enqueue`` looks it up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    """The lifecycle's states. An app with more end states (resettlement's proposed, approved,
    discarded) keeps its own choices, with these values for these states."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """A run of a background job. ``error`` is the reason a failed run gives its user."""

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


R = TypeVar("R", bound=JobRun)


def _move(run: JobRun, from_: Collection[str], values: dict[str, Any], *, refresh: bool = True) -> bool:
    """Write ``values`` to ``run``'s row if its status is still one of ``from_``; True if it was.
    The instance gets the values too, or (``refresh``) the row as it is when someone else moved it."""
    moved = type(run)._default_manager.filter(pk=run.pk, status__in=list(from_)).update(**values)
    if moved:
        for name, value in values.items():
            setattr(run, name, value)
    elif refresh:
        run.refresh_from_db()
    return bool(moved)


# --- The worker's side ------------------------------------------------------------------------
def claim(run: JobRun, **fields: Any) -> bool:
    """Move a queued run to running and stamp ``started_at``: the worker that gets True executes
    it; any other (a second delivery of the task, a re-run of a finished run) gets False and
    leaves it alone (the instance is refreshed to the run as it is)."""
    return _move(
        run, [JobStatus.QUEUED], {"status": JobStatus.RUNNING, "started_at": timezone.now(), **fields}
    )


def progress(run: JobRun, percent: int, **fields: Any) -> bool:
    """Report a running run's progress (with e.g. the app's ``step``); nothing once it has ended."""
    return _move(run, [JobStatus.RUNNING], {"progress": percent, **fields}, refresh=False)


def finish(run: JobRun, *, status: str = JobStatus.DONE, **fields: Any) -> bool:
    """End a running run with its result (``fields``): ``status`` (done, or the app's own end state),
    progress 100 and ``finished_at``. False when it is no longer running (failed as stalled
    meanwhile): the caller then stores nothing of its result. Call it in the transaction that writes
    the result's rows, before writing them, so the run and its rows are committed together or not."""
    values = {"status": status, "progress": 100, "finished_at": timezone.now(), **fields}
    return _move(run, [JobStatus.RUNNING], values)


def fail(run: JobRun, message: str, *, now: dt.datetime | None = None, **fields: Any) -> bool:
    """End a queued or running run as failed, with ``message`` as its reason and ``finished_at``.
    False when it had already ended (a run failed as stalled keeps its first reason)."""
    values = {"status": JobStatus.FAILED, "error": message, "finished_at": now or timezone.now(), **fields}
    return _move(run, [JobStatus.QUEUED, JobStatus.RUNNING], values)


# --- The scheduler's side ---------------------------------------------------------------------
def fail_stalled(
    queryset: models.QuerySet[R],
    older_than: dt.timedelta | Callable[[R], dt.timedelta],
    *,
    message: str,
    now: dt.datetime | None = None,
    on_failed: Callable[[R], object] | None = None,
    **fields: Any,
) -> int:
    """Fail the runs of ``queryset`` still *running* more than ``older_than`` after they started
    (a duration, or one per run): their worker stopped (killed, restarted, out of memory) and will
    not finish them. Each is failed in its own transaction, conditionally, so a worker that
    finishes at this moment keeps its result; ``on_failed`` runs in that transaction (to audit).
    Returns how many were failed."""
    now = now or timezone.now()
    running = queryset.filter(status=JobStatus.RUNNING, started_at__isnull=False)
    if isinstance(older_than, dt.timedelta):
        running = running.filter(started_at__lt=now - older_than)
    count = 0
    for run in running:
        if callable(older_than) and not (run.started_at and run.started_at + older_than(run) < now):
            continue
        with transaction.atomic():
            values = {"status": JobStatus.FAILED, "error": message, "finished_at": now, **fields}
            if _move(run, [JobStatus.RUNNING], values, refresh=False):
                if on_failed is not None:
                    on_failed(run)
                count += 1
    return count


# --- Enqueueing -------------------------------------------------------------------------------
_executors: dict[type[JobRun], Callable[[int], object]] = {}


def register(model: type[JobRun], enqueue_task: Callable[[int], object]) -> None:
    """Name how runs of ``model`` are executed: ``enqueue_task(run_id)``, typically the ``enqueue``
    of the task in the app's ``tasks`` module, which calls this when it is imported."""
    _executors[model] = enqueue_task


def _executor(model: type[JobRun]) -> Callable[[int], object]:
    if model not in _executors:
        # Registrations live in the apps' tasks modules, found the way Django finds admin modules.
        autodiscover_modules("tasks")
    try:
        return _executors[model]
    except KeyError:
        raise ImproperlyConfigured(
            f"No task executes {model._meta.label} runs: register one with core.runs.register."
        ) from None


def enqueue(run: JobRun) -> None:
    """Hand ``run`` to its model's task once the current transaction commits (never a run whose
    creation is rolled back). Call it inside the transaction that created the run."""
    execute = _executor(type(run))
    run_id = run.pk
    transaction.on_commit(lambda: execute(run_id))
