"""Follow-up dashboard releases, protected by the disclosure rule, made on a schedule or by hand."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.resettlement import permissions as perms
from samverkan.resettlement import selectors
from samverkan.resettlement.models import PrevalenceRelease
from samverkan.statistics.disclosure import shared

from .taxonomy import taxonomy_current


def _as_release(row: PrevalenceRelease) -> shared.Release:
    """A stored release as the disclosure rule's history: its contributions and what it showed."""
    snapshot = {
        int(year): {
            municipality: shared.Contribution(persons=c["persons"], counts=c["counts"])
            for municipality, c in contributions.items()
        }
        for year, contributions in row.contributions.items()
    }
    blocks = {
        int(year): shared.Shown(
            state=shared.BlockState(block["state"]),
            as_of=block["as_of"],
            persons=block["persons"],
            contributors=block["municipalities"],
            figures=block["figures"],
        )
        for year, block in row.published.items()
    }
    return shared.Release(number=row.number, snapshot=snapshot, blocks=blocks)


def dashboard_release(*, actor: Actor, scheduled_for: dt.datetime | None = None) -> PrevalenceRelease | None:
    """Make the next release of the follow-up dashboard: the contributions of every municipality
    now, protected by ``statistics.disclosure.shared.next_release`` (threshold
    ``RESETTLEMENT_MIN_CELL``) together with every earlier release, stored with what it shows, in
    one transaction, audited (``resettlement.dashboard.released``). The system (scheduler, command)
    and the agency's officers may make one. ``scheduled_for`` is the start of the scheduled period:
    if that period already has a release, or another process makes the same release at the same
    moment, nothing is written and the answer is None."""
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    version = taxonomy_current()
    codes = selectors.top_level_codes(version)
    threshold = settings.RESETTLEMENT_MIN_CELL
    user = actor.user if actor.is_authenticated else None
    try:
        with transaction.atomic(durable=True):
            # Serialise release makers (on PostgreSQL; SQLite serialises writers anyway), then read
            # the newest state in fresh statements.
            list(PrevalenceRelease.objects.select_for_update().order_by("-number").values_list("pk")[:1])
            if (
                scheduled_for is not None
                and PrevalenceRelease.objects.filter(scheduled_for__gte=scheduled_for).exists()
            ):
                return None
            earlier = list(PrevalenceRelease.objects.order_by("number"))
            number = earlier[-1].number + 1 if earlier else 1
            now = timezone.now()
            dates = {r.number: r.created_at for r in earlier} | {number: now}
            snapshot = selectors.prevalence_contributions(codes)
            result = shared.next_release(
                number,
                snapshot,
                [_as_release(r) for r in earlier],
                layout=selectors.prevalence_layout(codes),
                threshold=threshold,
                audiences=selectors.pooled_municipalities(),
            )
            published: dict[str, dict[str, object]] = {}
            reasons: dict[str, dict[str, object]] = {}
            for year, shown in sorted(result.blocks.items()):
                reasons[str(year)] = {
                    "state": shown.state.value,
                    "block": [r.value for r in shown.reasons],
                    "figures": {f: [r.value for r in rs] for f, rs in shown.withheld.items()},
                }
                if shown.state == shared.BlockState.WITHHELD or shown.as_of is None:
                    continue
                published[str(year)] = {
                    "state": shown.state.value,
                    "as_of": shown.as_of,
                    "as_of_date": dates[shown.as_of].isoformat(),
                    "persons": shown.persons,
                    "municipalities": shown.contributors,
                    "figures": dict(shown.figures),
                }
            release = PrevalenceRelease.objects.create(
                number=number,
                taxonomy_version=version,
                threshold=threshold,
                scheduled_for=scheduled_for,
                contributions={
                    str(year): {
                        m: {"persons": c.persons, "counts": dict(c.counts)}
                        for m, c in sorted(contributions.items())
                    }
                    for year, contributions in sorted(snapshot.items())
                },
                published=published,
                reasons=reasons,
                created_by=user,
                created_at=now,
            )
            states = Counter(r["state"] for r in reasons.values())
            audit.record(
                actor=actor,
                code="resettlement.dashboard.released",
                obj=release,
                organisation_id=scope.agency_id,
                data={
                    "release": number,
                    "taxonomy_version": version.number,
                    "threshold": threshold,
                    "scheduled": scheduled_for.isoformat() if scheduled_for else None,
                    "fresh_years": states["fresh"],
                    "stale_years": states["stale"],
                    "withheld_years": states["withheld"],
                },
            )
    except IntegrityError:  # the same number or period, made by another process at the same moment
        return None
    return release


def dashboard_release_due(*, now: dt.datetime | None = None) -> PrevalenceRelease | None:
    """The scheduled release: one per period of ``RESETTLEMENT_DASHBOARD_INTERVAL`` seconds
    (counted from 1970-01-01 00:00 UTC), made by the first call in the period; later calls in the
    same period, and every call when the interval is 0, do nothing (None)."""
    interval = settings.RESETTLEMENT_DASHBOARD_INTERVAL
    if interval <= 0:
        return None
    now = now or timezone.now()
    period = dt.datetime.fromtimestamp(int(now.timestamp()) // interval * interval, tz=dt.UTC)
    if PrevalenceRelease.objects.filter(scheduled_for__gte=period).exists():
        return None
    return dashboard_release(actor=Actor.system(), scheduled_for=period)
