"""The one run lifecycle (core.runs) against the database, with both concrete run models: panels'
SelectionRun and resettlement's PlacementRun. The models are looked up by label so that core does
not import the feature apps."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.apps import apps
from django.db import close_old_connections, connection
from django.utils import timezone

from samverkan.core import runs
from samverkan.core.runs import JobStatus

pytestmark = pytest.mark.django_db

MODELS = ["panels.SelectionRun", "resettlement.PlacementRun"]
STEP = {"panels.SelectionRun": "checking", "resettlement.PlacementRun": "reading"}


def _new_run(label: str, **fields):
    model = apps.get_model(label)
    if label == "panels.SelectionRun":
        organisation = apps.get_model("organisations.Organisation").objects.create(
            name="Run test", slug=f"run-test-{model.objects.count()}", kind="ngo", is_fictional=True
        )
        pool = apps.get_model("panels.Pool").objects.create(owner=organisation, name="Pool", panel_size=1)
        return model.objects.create(pool=pool, seed="1", panel_size=1, **fields)
    return model.objects.create(year=2027, **fields)


@pytest.fixture(params=MODELS)
def label(request) -> str:
    return request.param


def _row(run):
    return type(run).objects.get(pk=run.pk)


# --- claim ------------------------------------------------------------------------------------
def test_claim_moves_a_queued_run_to_running_once(label):
    run = _new_run(label)
    other = _row(run)  # a second worker's copy, read while the run was still queued
    assert runs.claim(run, progress=10, step=STEP[label])
    assert run.status == JobStatus.RUNNING and run.started_at is not None
    stored = _row(run)
    assert (stored.status, stored.progress, stored.step) == (JobStatus.RUNNING, 10, STEP[label])
    assert stored.started_at == run.started_at

    assert not runs.claim(other, progress=99)  # the second worker gets nothing
    assert other.status == JobStatus.RUNNING  # and sees the run as it is
    stored = _row(run)
    assert stored.progress == 10 and stored.started_at == run.started_at


@pytest.mark.parametrize("status", [JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED])
def test_only_a_queued_run_can_be_claimed(label, status):
    run = _new_run(label, status=status)
    assert not runs.claim(run)
    assert _row(run).status == status and _row(run).started_at is None


@pytest.mark.django_db(transaction=True)
def test_of_workers_claiming_at_once_exactly_one_gets_the_run(label):
    run = _new_run(label)
    workers = 4
    barrier = threading.Barrier(workers)
    won: list[bool] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            mine = type(run).objects.get(pk=run.pk)
            barrier.wait()
            won.append(runs.claim(mine))
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(won) == [False] * (workers - 1) + [True]
    assert _row(run).status == JobStatus.RUNNING


# --- progress and finish ----------------------------------------------------------------------
def test_progress_is_written_while_the_run_runs_and_not_after(label):
    run = _new_run(label)
    runs.claim(run)
    assert runs.progress(run, 40, step=STEP[label])
    stored = _row(run)
    assert (stored.progress, stored.step, stored.status) == (40, STEP[label], JobStatus.RUNNING)

    runs.fail(run, "stopped")
    assert not runs.progress(run, 90, step="done")
    stored = _row(run)
    assert (stored.progress, stored.step, stored.status) == (40, STEP[label], JobStatus.FAILED)


def test_finish_ends_a_running_run_with_its_result(label):
    run = _new_run(label)
    runs.claim(run)
    before = timezone.now()
    assert runs.finish(run, step="done", seconds=1.5, stats={"n": 3})
    stored = _row(run)
    assert (stored.status, stored.progress, stored.step) == (JobStatus.DONE, 100, "done")
    assert stored.seconds == 1.5 and stored.stats == {"n": 3}
    assert stored.finished_at is not None and stored.finished_at >= before
    assert stored.error == ""
    assert run.status == JobStatus.DONE and run.finished_at == stored.finished_at


def test_finish_takes_the_apps_own_end_state():
    run = _new_run("resettlement.PlacementRun")
    runs.claim(run)
    assert runs.finish(run, status="proposed")
    assert _row(run).status == "proposed" and _row(run).progress == 100


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.DONE, JobStatus.FAILED])
def test_only_a_running_run_can_finish(label, status):
    run = _new_run(label, status=status, error="first" if status == JobStatus.FAILED else "")
    assert not runs.finish(run, seconds=9.0)
    stored = _row(run)
    assert stored.status == status and stored.seconds is None and stored.finished_at is None
    assert run.status == status  # the caller sees why and drops its result


# --- fail -------------------------------------------------------------------------------------
@pytest.mark.parametrize("claimed", [False, True])
def test_fail_ends_a_queued_or_running_run_with_its_reason(label, claimed):
    run = _new_run(label)
    if claimed:
        runs.claim(run)
    assert runs.fail(run, "The solver gave up.", step="failed")
    stored = _row(run)
    assert (stored.status, stored.error, stored.step) == (JobStatus.FAILED, "The solver gave up.", "failed")
    assert stored.finished_at is not None


def test_an_ended_run_is_not_failed_again(label):
    run = _new_run(label)
    runs.claim(run)
    runs.finish(run)
    assert not runs.fail(run, "late")
    assert _row(run).status == JobStatus.DONE and _row(run).error == ""

    failed = _new_run(label)
    runs.fail(failed, "first reason")
    assert not runs.fail(failed, "second reason")
    assert _row(failed).error == "first reason"


# --- fail_stalled -----------------------------------------------------------------------------
NOW = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.UTC)
LIMIT = dt.timedelta(minutes=10)


def _runs_at_the_limit(label):
    """One run per case: running too long, running within the limit, ended long ago, queued."""
    old = NOW - LIMIT - dt.timedelta(seconds=1)
    return {
        "stalled": _new_run(label, status=JobStatus.RUNNING, started_at=old),
        "at the limit": _new_run(label, status=JobStatus.RUNNING, started_at=NOW - LIMIT),
        "recent": _new_run(label, status=JobStatus.RUNNING, started_at=NOW - dt.timedelta(minutes=1)),
        "done": _new_run(label, status=JobStatus.DONE, started_at=old),
        "failed": _new_run(label, status=JobStatus.FAILED, started_at=old, error="own reason"),
        "queued": _new_run(label, status=JobStatus.QUEUED),
    }


@pytest.mark.parametrize("per_run", [False, True], ids=["duration", "duration per run"])
def test_fail_stalled_fails_only_running_runs_older_than_the_limit(label, per_run):
    made = _runs_at_the_limit(label)
    model = type(made["stalled"])
    seen: list[int] = []
    count = runs.fail_stalled(
        model.objects.all(),
        (lambda run: LIMIT) if per_run else LIMIT,
        message="The worker stopped.",
        now=NOW,
        on_failed=lambda run: seen.append(run.pk),
        step="failed",
    )
    assert count == 1 and seen == [made["stalled"].pk]
    status = {name: _row(run).status for name, run in made.items()}
    assert status == {
        "stalled": JobStatus.FAILED,
        "at the limit": JobStatus.RUNNING,
        "recent": JobStatus.RUNNING,
        "done": JobStatus.DONE,
        "failed": JobStatus.FAILED,
        "queued": JobStatus.QUEUED,
    }
    stalled = _row(made["stalled"])
    assert (stalled.error, stalled.step, stalled.finished_at) == ("The worker stopped.", "failed", NOW)
    assert _row(made["failed"]).error == "own reason"
    # the stalled run's worker comes back: it can neither report nor finish
    assert not runs.progress(made["stalled"], 90) and not runs.finish(made["stalled"])
    assert runs.fail_stalled(model.objects.all(), LIMIT, message="again", now=NOW) == 0


# --- enqueue ----------------------------------------------------------------------------------
def test_each_run_model_is_executed_by_its_apps_task():
    names = {label: runs._executor(apps.get_model(label)).__self__.name for label in MODELS}
    assert names == {
        "panels.SelectionRun": "execute_selection_run",
        "resettlement.PlacementRun": "execute_placement_run",
    }


def test_enqueue_hands_the_run_over_only_when_the_transaction_commits(
    label, monkeypatch, django_capture_on_commit_callbacks
):
    run = _new_run(label)
    started: list[int] = []
    monkeypatch.setitem(runs._executors, type(run), started.append)
    with django_capture_on_commit_callbacks() as callbacks:
        runs.enqueue(run)
    assert started == []  # not before the commit
    for callback in callbacks:
        callback()
    assert started == [run.pk]
