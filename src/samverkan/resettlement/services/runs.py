"""Placement runs: started, solved in a worker, moved by hand, then approved or discarded."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core import audit, runs
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.organisations.models import Municipality
from samverkan.resettlement import explain, selectors
from samverkan.resettlement import permissions as perms
from samverkan.resettlement.models import (
    Case,
    PlacementRun,
    Proposal,
    Reception,
    RunStatus,
    RunStep,
)
from samverkan.resettlement.optimizer import solve
from samverkan.resettlement.optimizer.solver import TooManyCases

from ._common import _year
from .taxonomy import taxonomy_current

log = logging.getLogger(__name__)


def _agency_id(actor: Actor) -> int | None:
    return selectors.scope_for(actor).agency_id


def run_start(*, actor: Actor, year: int, time_limit: int | None = None) -> PlacementRun:
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    _year(year)
    limit = settings.RESETTLEMENT_TIME_LIMIT if time_limit is None else time_limit
    if not 1 <= limit <= settings.RESETTLEMENT_MAX_TIME_LIMIT:
        raise ValidationError(
            {
                "time_limit": [
                    _("Give a time limit from 1 to %(max)s seconds.")
                    % {"max": settings.RESETTLEMENT_MAX_TIME_LIMIT}
                ]
            }
        )
    if not Case.objects.filter(year=year, placed_in__isnull=True).exists():
        raise ValidationError({"year": [_("There are no cases left to place in %(year)s.") % {"year": year}]})
    if not Reception.objects.filter(year=year).exists():
        raise ValidationError(
            {"year": [_("No municipality has a reception number for %(year)s.") % {"year": year}]}
        )
    with transaction.atomic(durable=True):
        run = PlacementRun.objects.create(
            year=year,
            time_limit=limit,
            taxonomy_version=taxonomy_current(),
            created_by=actor.user if actor.is_authenticated else None,
        )
        audit.record(
            actor=actor,
            code="resettlement.run.started",
            obj=run,
            organisation_id=scope.agency_id,
            data={"year": year, "time_limit": limit},
        )
        runs.enqueue(run)  # execute_placement_run, on commit
    return run


def run_execute(*, run_id: int) -> PlacementRun:
    """Solve the placement in a worker. The proposals are written in one transaction at the end;
    a run that fails or is killed before then holds none."""
    run = PlacementRun.objects.get(pk=run_id)
    if not runs.claim(run, progress=5, step=RunStep.READING):
        return run
    actor = Actor.system()
    claimed = run  # the solver's stages are reported to it (``run`` is re-read at the end)

    def report(percent: int, step: str) -> None:
        runs.progress(claimed, percent, step=step)

    try:
        data = selectors.run_input(run)
        placement = solve(data.problem, time_limit=run.time_limit, progress=report)
    except TimeoutError:
        return _fail(
            run,
            actor,
            _("The solver did not finish within %(s)s seconds; try a longer time limit.")
            % {"s": run.time_limit},
        )
    except TooManyCases:
        # Placement by priority is exact or not done (the optimizer's "Priority"): say why.
        return _fail(
            run,
            actor,
            _(
                "Too many cases to place by priority in one run: split the year's cases into "
                "smaller runs, or give fewer cases the priority emergency or urgent."
            ),
        )
    except Exception:
        log.exception("placement run %s failed", run_id)
        _fail(run, actor, _("An internal error stopped the placement; nothing was proposed."))
        raise
    with transaction.atomic(durable=True):
        run = PlacementRun.objects.get(pk=run_id)
        # a case placed by another run's approval while this one computed is left out
        still_open = set(
            Case.objects.filter(
                pk__in=[c.pk for c in data.cases.values()], placed_in__isnull=True
            ).values_list("reference", flat=True)
        )
        proposals = []
        for reference, code in placement.assignment.items():
            if reference not in still_open:
                continue
            why = placement.explanations[reference]
            proposals.append(
                Proposal(
                    run=run,
                    case=data.cases[reference],
                    suggested_id=code,
                    municipality_id=code,
                    score=why.score,
                    parts=dict(why.parts),
                    binding=list(why.binding),
                    reasons=[r.as_json() for r in why.reasons],
                )
            )
        finished = runs.finish(
            run,
            status=RunStatus.PROPOSED,
            step=RunStep.DONE,
            input_sha256=placement.input_sha256,
            capacity_sha256=data.capacity_sha256,
            objective=placement.objective,
            lp_bound=placement.lp_bound,
            gap=placement.gap,
            seconds=placement.seconds,
            solver=placement.solver,
            stats={
                **placement.stats,
                "placed": placement.placed,
                "unplaced": placement.unplaced,
                "score": placement.score,
                "bound": placement.bound,
                "penalty": placement.penalty,
                # per priority: {"placed": n, "unplaced": n}, as the optimizer proposed it
                "priorities": {k: dict(v) for k, v in placement.priorities.items()},
            },
        )
        if not finished:  # declared stalled meanwhile
            return run
        Proposal.objects.bulk_create(proposals, batch_size=1000)
        audit.record(
            actor=actor,
            code="resettlement.run.proposed",
            obj=run,
            organisation_id=_agency_id(actor),
            data={
                "input_sha256": placement.input_sha256,
                "placed": placement.placed,
                "unplaced": placement.unplaced,
                "gap": placement.gap,
                "priorities": {k: dict(v) for k, v in placement.priorities.items()},
            },
        )
    return run


def _fail(run: PlacementRun, actor: Actor, message: str) -> PlacementRun:
    with transaction.atomic():
        if runs.fail(run, message, step=RunStep.FAILED):  # not when failed as stalled meanwhile
            Proposal.objects.filter(run_id=run.pk).delete()
            audit.record(
                actor=actor,
                code="resettlement.run.failed",
                obj=run,
                organisation_id=_agency_id(actor),
                data={"error": message[:500]},
            )
    run.refresh_from_db()
    return run


def runs_fail_stalled(*, now: dt.datetime | None = None) -> int:
    """Fail runs still *running* well past their time limit: their worker stopped and will not
    finish them. They hold no proposals, so nothing half-made is left."""

    def audited(run: PlacementRun) -> None:
        audit.record(
            actor=Actor.system(),
            code="resettlement.run.failed",
            obj=run,
            organisation_id=_agency_id(Actor.system()),
            data={"error": "stalled"},
        )

    return runs.fail_stalled(
        PlacementRun.objects.all(),
        lambda run: dt.timedelta(seconds=2 * run.time_limit + 300),
        message=_("The worker stopped before the placement finished; start a new run."),
        now=now,
        on_failed=audited,
        step=RunStep.FAILED,
    )


def proposal_override(
    *,
    actor: Actor,
    run: PlacementRun,
    reference: str,
    municipality_code: str,
    note: str,
    confirm: bool = False,
) -> Proposal:
    """Move one case by hand (empty code: leave it unplaced). Breaking a constraint needs
    ``confirm``; the warnings, the note and who did it are kept on the proposal and in the log."""
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    code = municipality_code.strip() or None
    if code is not None and not Municipality.objects.filter(pk=code).exists():
        raise ValidationError({"municipality": [_("Unknown municipality code %(code)s.") % {"code": code}]})
    if not note.strip():
        raise ValidationError({"note": [_("Say why the case is moved.")]})
    with transaction.atomic(durable=True):
        run = PlacementRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.PROPOSED:
            raise ValidationError({"__all__": [_("Only a proposed placement can be changed.")]})
        proposal = run.proposals.select_related("case").filter(case__reference=reference).first()
        if proposal is None:
            raise NotFound
        if proposal.municipality_id == code:
            raise ValidationError({"municipality": [_("The case is already there.")]})
        found = selectors.override_warnings(run, proposal, code)
        if found and not confirm:
            needs, places = explain.mentioned(found)
            names = selectors.names_for(needs=needs, municipalities=places, version=run.taxonomy_version)
            raise ValidationError({"confirm": [explain.reason_text(w, names) for w in found]})
        warnings = [w.as_json() for w in found]
        before = proposal.municipality_id
        proposal.municipality_id = code
        proposal.override_note = note.strip()
        proposal.override_warnings = warnings
        proposal.overridden_by = actor.user if actor.is_authenticated else None
        proposal.overridden_at = timezone.now()
        proposal.save()
        audit.record(
            actor=actor,
            code="resettlement.proposal.overridden",
            obj=run,
            organisation_id=scope.agency_id,
            # the reason stays on the proposal: it may name health matters the log should not keep
            data={"case": reference, "from": before, "to": code, "warnings": warnings},
        )
    return proposal


def run_approve(*, actor: Actor, run: PlacementRun) -> PlacementRun:
    """Place every case the run places, at once: the receiving municipalities' packets open. A case
    placed meanwhile by another approved run stops the approval (nothing is placed)."""
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    with transaction.atomic(durable=True):
        # every run of the year is locked (in one order): approvals of the same year take turns,
        # and each sees what the previous one placed
        list(PlacementRun.objects.select_for_update().filter(year=run.year).order_by("pk").values_list("pk"))
        run = PlacementRun.objects.get(pk=run.pk)
        if run.status != RunStatus.PROPOSED:
            raise ValidationError({"__all__": [_("Only a proposed placement can be approved.")]})
        placed = list(run.proposals.filter(municipality__isnull=False).select_related("case"))
        case_ids = [p.case_id for p in placed]
        locked = Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk")
        taken = [reference for reference, where in locked.values_list("reference", "placed_in_id") if where]
        if taken:
            raise ValidationError(
                {
                    "__all__": [
                        _("Already placed by another approved run: %(cases)s.")
                        % {"cases": ", ".join(sorted(taken)[:20])}
                    ]
                }
            )
        if run.capacity_sha256 and run.capacity_sha256 != selectors.capacity_fingerprint(
            selectors.remaining_capacity(run.year)
        ):
            raise ValidationError(
                {
                    "__all__": [
                        _(
                            "Reception numbers or approved placements have changed since this run was "
                            "computed, so it may break a limit. Start a new run."
                        )
                    ]
                }
            )
        by_municipality: dict[str, list[int]] = {}
        for p in placed:
            by_municipality.setdefault(str(p.municipality_id), []).append(p.case_id)
        for code, ids in by_municipality.items():
            Case.objects.filter(pk__in=ids).update(placed_in_id=code, approved_run=run)
        run.status = RunStatus.APPROVED
        run.approved_by = actor.user if actor.is_authenticated else None
        run.approved_at = timezone.now()
        run.save(update_fields=["status", "approved_by", "approved_at"])
        per_municipality = Counter(p.municipality_id for p in placed)
        audit.record(
            actor=actor,
            code="resettlement.run.approved",
            obj=run,
            organisation_id=scope.agency_id,
            data={
                "year": run.year,
                "placed": len(placed),
                "overridden": run.proposals.filter(overridden_at__isnull=False).count(),
                "municipalities": dict(sorted(per_municipality.items())),
            },
        )
    return run


def run_discard(*, actor: Actor, run: PlacementRun) -> PlacementRun:
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    with transaction.atomic(durable=True):
        run = PlacementRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.PROPOSED:
            raise ValidationError({"__all__": [_("Only a proposed placement can be discarded.")]})
        run.status = RunStatus.DISCARDED
        run.save(update_fields=["status"])
        audit.record(actor=actor, code="resettlement.run.discarded", obj=run, organisation_id=scope.agency_id)
    return run
