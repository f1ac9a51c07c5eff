"""The scheduler: enqueues every periodic task each round and writes the audit checkpoint on its
own interval, on a simulated clock (no real waiting)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from samverkan.core import audit, audit_checkpoints
from samverkan.core.actor import Actor
from samverkan.site.management.commands import run_scheduler

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_EMAIL = ""
    settings.AUDIT_CHECKPOINT_INTERVAL = 3600
    return settings.AUDIT_CHECKPOINT_DIR


class _Stop(Exception):
    pass


class _Clock:
    """Stands in for the ``time`` module: sleeping moves the clock on; past ``until`` it stops."""

    def __init__(self, until: float) -> None:
        self.now = 0.0
        self.until = until

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        if self.now > self.until:
            raise _Stop


def test_one_round_enqueues_every_periodic_task_and_writes_a_checkpoint(folder):
    audit.record_read(actor=Actor.system(), code="test.thing")
    out = io.StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    for periodic in run_scheduler.PERIODIC_TASKS:
        assert f"enqueued {periodic.name}" in out.getvalue()
    (path,) = folder.glob("*.json")
    checkpoint = audit_checkpoints.load(path)
    # the round's own tasks may have appended events; the checkpoint covers the head it read
    assert checkpoint.tree_size >= 1
    call_command("audit_verify", checkpoints=folder)


def test_checkpoints_follow_their_own_interval(folder, settings, monkeypatch):
    settings.AUDIT_CHECKPOINT_INTERVAL = 900
    clock = _Clock(until=3600)
    rounds: list[float] = []
    checkpoints: list[float] = []
    task = SimpleNamespace(name="fake", enqueue=lambda: rounds.append(clock.now) or SimpleNamespace(id="1"))
    monkeypatch.setattr(run_scheduler, "time", clock)
    monkeypatch.setattr(run_scheduler, "PERIODIC_TASKS", [task])
    monkeypatch.setattr(
        run_scheduler,
        "write_checkpoint",
        lambda: checkpoints.append(clock.now) or SimpleNamespace(path=None, problem=""),
    )
    with pytest.raises(_Stop):
        call_command("run_scheduler", "--interval", "3600", stdout=io.StringIO())
    assert rounds == [0, 3600]
    assert checkpoints == [0, 900, 1800, 2700, 3600]


def test_no_checkpoints_when_the_interval_is_zero(folder, settings):
    settings.AUDIT_CHECKPOINT_INTERVAL = 0
    call_command("run_scheduler", "--once", stdout=io.StringIO())
    assert not folder.exists()


def test_a_failing_checkpoint_does_not_stop_the_scheduler(folder, monkeypatch):
    def broken():
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run_scheduler, "write_checkpoint", broken)
    out, err = io.StringIO(), io.StringIO()
    call_command("run_scheduler", "--once", stdout=out, stderr=err)
    assert "audit checkpoint failed" in err.getvalue()
    assert f"enqueued {run_scheduler.PERIODIC_TASKS[-1].name}" in out.getvalue()
