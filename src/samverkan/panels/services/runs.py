"""Selection runs: queued by the organiser, computed and drawn in a worker, failed when stalled."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.core import audit, runs
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.panels import permissions as perms
from samverkan.panels.lottery import (
    ALGORITHM_VERSION,
    InfeasibleQuotas,
    LotteryInputError,
    LotteryTimeout,
    explain_infeasible,
    select,
    validate,
)
from samverkan.panels.lottery.draw import ALGORITHMS
from samverkan.panels.messages import in_english, render
from samverkan.panels.models import PanelMember, Pool, RunStep, SelectionRun
from samverkan.panels.selectors import run_instance

log = logging.getLogger(__name__)


def run_start(*, actor: Actor, pool: Pool, algorithm: str = "leximin", seed: str = "") -> SelectionRun:
    """Queue a selection. The seed is the organiser's (e.g. numbers drawn in public) or a random one."""
    if not perms.can_manage_pool(actor, pool):
        raise NotFound
    if algorithm not in ALGORITHMS:
        raise ValidationError({"algorithm": [_("Unknown algorithm.")]})
    seed = seed.strip() or str(secrets.randbelow(10**12))
    if len(seed) > 100 or "\x00" in seed:
        raise ValidationError({"seed": [_("The seed must be at most 100 characters.")]})
    quotas = [[q.feature, q.value, q.min, q.max, q.target_share] for q in pool.quotas.order_by("position")]
    if not quotas:
        raise ValidationError({"__all__": [_("Set the quotas before running a selection.")]})
    with transaction.atomic(durable=True):
        run = SelectionRun.objects.create(
            pool=pool,
            algorithm=algorithm,
            seed=seed,
            panel_size=pool.panel_size,
            quotas=quotas,
            step=RunStep.WAITING,
            created_by=actor.user if actor.is_authenticated else None,
        )
        try:
            validate(run_instance(run))
        except LotteryInputError as exc:
            raise ValidationError({"__all__": [render(exc.message)]}) from exc
        audit.record(
            actor=actor,
            code="panels.run.started",
            obj=run,
            organisation_id=pool.owner_id,
            data={"pool": pool.pk, "algorithm": algorithm, "seed": seed},
        )
        runs.enqueue(run)  # execute_selection_run, on commit
    return run


def run_execute(*, run_id: int) -> SelectionRun:
    """Compute the lottery and draw the panel. Runs in a worker; nothing of a failed run is kept
    except its status and the reason. Re-running a finished run changes nothing."""
    run = SelectionRun.objects.select_related("pool").get(pk=run_id)
    if not runs.claim(run, progress=10, step=RunStep.CHECKING):
        return run
    actor = Actor.system()
    try:
        instance = run_instance(run)
        error = explain_infeasible(instance)
        if error is not None:
            raise error
        runs.progress(run, 30, step=RunStep.COMPUTING)
        selection = select(instance, run.algorithm, run.seed, time_limit=settings.PANELS_TIME_LIMIT)
        runs.progress(run, 90, step=RunStep.DRAWING)
    except InfeasibleQuotas as exc:
        return _fail(run, actor, [reason.as_dict() for reason in exc.reasons])
    except LotteryInputError as exc:
        return _fail(run, actor, [exc.message.as_dict()])
    except LotteryTimeout:
        return _fail(run, actor, [{"code": "run_timeout", "params": {"seconds": settings.PANELS_TIME_LIMIT}}])
    except Exception:
        log.exception("selection run %s failed", run.pk)
        _fail(run, actor, [{"code": "run_internal", "params": {}}])
        raise
    distribution = selection.distribution
    with transaction.atomic(durable=True):
        run = SelectionRun.objects.select_related("pool").get(pk=run_id)
        finished = runs.finish(
            run,
            step=RunStep.DONE,
            input_sha256=selection.input_sha256,
            algorithm_version=selection.algorithm_version,
            probabilities={p: round(v, 12) for p, v in distribution.probabilities.items()},
            min_probability=distribution.min_probability,
            seconds=distribution.seconds,
            stats={k: v for k, v in distribution.stats.items()},
        )
        if not finished:  # declared stalled meanwhile: its result is not wanted
            return run
        ids = dict(run.pool.volunteers.values_list("external_id", "pk"))
        PanelMember.objects.bulk_create([PanelMember(run=run, volunteer_id=ids[p]) for p in selection.panel])
        audit.record(
            actor=actor,
            code="panels.run.done",
            obj=run,
            organisation_id=run.pool.owner_id,
            data={
                "input_sha256": run.input_sha256,
                "algorithm_version": ALGORITHM_VERSION,
                "seed": run.seed,
                "panel": list(selection.panel),
            },
        )
    return run


def _fail(run: SelectionRun, actor: Actor, problems: list[dict[str, Any]]) -> SelectionRun:
    """End ``run`` as failed with ``problems`` (messages as dicts, rendered when the page is read)
    and their English text as its ``error``."""
    message = "\n".join(in_english(problem) for problem in problems)
    with transaction.atomic():
        if runs.fail(run, message, step=RunStep.FAILED, problems=problems):  # not if failed as stalled
            PanelMember.objects.filter(run_id=run.pk).delete()
            audit.record(
                actor=actor,
                code="panels.run.failed",
                obj=run,
                organisation_id=run.pool.owner_id,
                data={"error": message[:500]},
            )
    run.refresh_from_db()
    return run


def runs_fail_stalled(*, now: dt.datetime | None = None) -> int:
    """Mark as failed the runs still *running* well past the solver's time limit: their worker
    stopped (killed, restarted, out of memory) and will not finish them. They hold no members, so
    nothing half-made is left; the organiser starts a new run. Returns how many were failed."""

    def audited(run: SelectionRun) -> None:
        audit.record(
            actor=Actor.system(),
            code="panels.run.failed",
            obj=run,
            organisation_id=run.pool.owner_id,
            data={"error": "stalled"},
        )

    return runs.fail_stalled(
        SelectionRun.objects.select_related("pool"),
        dt.timedelta(seconds=2 * settings.PANELS_TIME_LIMIT + 300),
        message="The worker stopped before the selection finished; start a new run.",
        now=now,
        on_failed=audited,
        step=RunStep.FAILED,
        problems=[{"code": "run_stalled", "params": {}}],
    )
