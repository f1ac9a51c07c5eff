"""Reads, scoped to the actor. Another organisation's pool is NotFound, like one that does not exist."""

from __future__ import annotations

from django.db.models import Count, QuerySet

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
