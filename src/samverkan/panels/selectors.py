"""Reads, scoped to the actor. Another organisation's pool is NotFound, like one that does not exist.

Reads of the persons on a panel (the member list, its export, the lottery's input) are logged here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.panels import permissions as perms
from samverkan.panels.lottery import Instance, Quota
from samverkan.panels.models import MemberStatus, PanelMember, Pool, ReportRelease, SelectionRun


def pool_list_for(*, actor: Actor) -> QuerySet[Pool]:
    owners = [org for org in actor.organisation_ids if actor.has_role(org, *perms.ORGANISERS)]
    return (
        Pool.objects.filter(owner_id__in=owners)
        .select_related("owner")
        .annotate(volunteer_count=Count("volunteers", distinct=True))
    )


def pool_get_for(*, actor: Actor, pool_id: int) -> Pool:
    pool = Pool.objects.select_related("owner").filter(pk=pool_id).first()
    if pool is None or not perms.can_manage_pool(actor, pool):
        raise NotFound
    return pool


def run_get_for(*, actor: Actor, run_id: int) -> SelectionRun:
    run = SelectionRun.objects.select_related("pool", "pool__owner").filter(pk=run_id).first()
    if run is None or not perms.can_manage_pool(actor, run.pool):
        raise NotFound
    return run


def report_get_for(*, actor: Actor, run_id: int) -> SelectionRun:
    run = SelectionRun.objects.select_related("pool", "pool__owner").filter(pk=run_id).first()
    if run is None or run.status != "done" or not perms.can_view_report(actor, run):
        raise NotFound
    return run


def latest_release(run: SelectionRun) -> ReportRelease | None:
    """The release the report shows (see ``report_get_for`` for who may see it)."""
    return run.releases.order_by("-number").first()


def members_of(run: SelectionRun, *, active_only: bool = False) -> QuerySet[PanelMember]:
    members = run.members.select_related("volunteer", "replaces__volunteer")
    return members.filter(status=MemberStatus.ACTIVE) if active_only else members


def run_instance(run: SelectionRun) -> Instance:
    """The lottery input of ``run``: the pool's volunteers with the run's own quota snapshot."""
    volunteers = list(run.pool.volunteers.order_by("position").values("external_id", "features", "household"))
    households = None
    if run.pool.has_households:
        # A blank address is a household of its own, keyed as the file reader keys it.
        households = {v["external_id"]: v["household"] or f"\x00{v['external_id']}" for v in volunteers}
    quota_features = list(dict.fromkeys(row[0] for row in run.quotas))
    return Instance(
        people=tuple(v["external_id"] for v in volunteers),
        # Only the quota'd features enter the lottery (and its input hash), as with the command line.
        features={v["external_id"]: {f: v["features"][f] for f in quota_features} for v in volunteers},
        quotas=tuple(Quota(f, v, int(lo), int(hi)) for f, v, lo, hi, *_rest in run.quotas),
        size=run.panel_size,
        households=households,
    )


def _require_manager(actor: Actor, run: SelectionRun) -> None:
    """Persons on a panel are read by those who manage its pool only (others: NotFound)."""
    if not perms.can_manage_pool(actor, run.pool):
        raise NotFound


def member_get_for(*, actor: Actor, run: SelectionRun, member_id: int) -> PanelMember:
    """One seat of ``run`` (for the question before a replacement); NotFound if not the run's."""
    _require_manager(actor, run)
    member = run.members.select_related("volunteer").filter(pk=member_id).first()
    if member is None:
        raise NotFound
    return member


def member_rows_for(*, actor: Actor, run: SelectionRun) -> list[dict[str, Any]]:
    """The panel's members as the run page lists them (logged as a view of the run)."""
    _require_manager(actor, run)
    features = list(dict.fromkeys(q[0] for q in run.quotas))
    rows = [
        {
            "member": m,
            "id": m.volunteer.external_id,
            "features": [m.volunteer.features.get(f, "") for f in features],
            "probability": run.probabilities.get(m.volunteer.external_id, 0.0),
            "replaces": m.replaces.volunteer.external_id if m.replaces else "",
        }
        for m in members_of(run)
    ]
    audit.record_read(actor=actor, code="panels.run.viewed", obj=run, organisation_id=run.pool.owner_id)
    return rows


def panel_table_for(*, actor: Actor, run: SelectionRun, fmt: str) -> tuple[list[str], list[list[Any]]]:
    """The panel as an exported table (header, rows), logged as an export in ``fmt``."""
    _require_manager(actor, run)
    features = list(dict.fromkeys(q[0] for q in run.quotas))
    header = ["id", *features, "status", "replaces", "probability"]
    rows = [
        [
            m.volunteer.external_id,
            *[m.volunteer.features.get(f, "") for f in features],
            m.status,
            m.replaces.volunteer.external_id if m.replaces else "",
            round(run.probabilities.get(m.volunteer.external_id, 0.0), 6),
        ]
        for m in members_of(run)
    ]
    audit.record_read(
        actor=actor,
        code="panels.panel.exported",
        obj=run,
        organisation_id=run.pool.owner_id,
        data={"format": fmt, "rows": len(rows)},
    )
    return header, rows


def run_input_for(*, actor: Actor, run: SelectionRun, which: str) -> Instance:
    """The run's lottery input (``run_instance``), logged as an export of the file ``which``."""
    _require_manager(actor, run)
    instance = run_instance(run)
    audit.record_read(
        actor=actor,
        code="panels.input.exported",
        obj=run,
        organisation_id=run.pool.owner_id,
        data={"file": which},
    )
    return instance


def run_input_table_for(*, actor: Actor, run: SelectionRun, which: str) -> tuple[list[str], list[list[Any]]]:
    """The run's exact input as a Sortition Foundation file (``which``: "people" or "features"),
    header and rows, to re-run the draw with samverkan-panel (logged, as ``run_input_for``)."""
    instance = run_input_for(actor=actor, run=run, which=which)
    if which == "features":
        return ["feature", "value", "min", "max"], [
            [q.feature, q.value, q.min, q.max] for q in instance.quotas
        ]
    features = list(dict.fromkeys(q.feature for q in instance.quotas))
    households = (
        dict(run.pool.volunteers.values_list("external_id", "household")) if run.pool.has_households else {}
    )
    header = ["id", *features, *(["household"] if run.pool.has_households else [])]
    rows = [
        [p, *[instance.features[p][f] for f in features], *([households[p]] if households else [])]
        for p in instance.people
    ]
    return header, rows
