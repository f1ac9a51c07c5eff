"""Withdrawals with their replacements, and publishing the run's report as releases."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.panels import permissions as perms
from samverkan.panels import reporting
from samverkan.panels.lottery import replacement
from samverkan.panels.models import MemberStatus, PanelMember, ReportRelease, RunStatus, SelectionRun
from samverkan.panels.selectors import latest_release, members_of, run_instance

log = logging.getLogger(__name__)


def member_withdraw(*, actor: Actor, run: SelectionRun, member_id: int) -> PanelMember | None:
    """Record that a panel member withdrew and draw a replacement who keeps every quota (and the
    household rule), uniformly among those eligible with the documented seeded rule. Returns the
    replacement, or None when nobody keeps the quotas (the seat stays empty)."""
    if not perms.can_manage_pool(actor, run.pool):
        raise NotFound
    with transaction.atomic(durable=True):
        run = SelectionRun.objects.select_for_update().select_related("pool").get(pk=run.pk)
        if run.status != RunStatus.DONE:
            raise ValidationError({"__all__": [_("Only a finished selection has members to replace.")]})
        member = run.members.select_related("volunteer").filter(pk=member_id).first()
        if member is None:
            raise NotFound
        if member.status != MemberStatus.ACTIVE:
            raise ValidationError(
                {"__all__": [_("%(id)s has already withdrawn.") % {"id": member.volunteer.external_id}]}
            )
        seats = list(run.members.select_related("volunteer"))
        active = [m.volunteer.external_id for m in seats if m.status == MemberStatus.ACTIVE]
        ever = [m.volunteer.external_id for m in seats]
        withdrawn = member.volunteer.external_id
        chosen = replacement(run_instance(run), active, withdrawn, run.seed, exclude=ever)
        member.status = MemberStatus.WITHDRAWN
        member.withdrawn_at = timezone.now()
        member.save(update_fields=["status", "withdrawn_at"])
        new = None
        if chosen is not None:
            volunteer = run.pool.volunteers.get(external_id=chosen)
            new = PanelMember.objects.create(run=run, volunteer=volunteer, replaces=member)
        audit.record(
            actor=actor,
            code="panels.member.replaced",
            obj=run,
            organisation_id=run.pool.owner_id,
            data={"withdrawn": withdrawn, "replacement": chosen, "seed": run.seed},
        )
        if run.is_published:
            try:
                _release(actor=actor, run=run)
            except reporting.ReportNotSafe as exc:
                # Too small now to report on safely: the report is taken down, not left stale.
                log.warning("panel report of run %s taken down: %s", run.pk, exc)
                run.is_published = False
                run.save(update_fields=["is_published"])
                audit.record(
                    actor=actor,
                    code="panels.report.withdrawn",
                    obj=run,
                    organisation_id=run.pool.owner_id,
                    data={"reason": "too small to report"},
                )
    return new


def run_publish(*, actor: Actor, run: SelectionRun, published: bool = True) -> SelectionRun:
    """Publish the run's report (or withdraw it). Publishing makes a new release when the panel
    changed since the last one (always the first time); the report page shows only releases."""
    if not perms.can_manage_pool(actor, run.pool):
        raise NotFound
    given = run
    with transaction.atomic(durable=True):
        run = SelectionRun.objects.select_for_update().select_related("pool").get(pk=run.pk)
        if run.status != RunStatus.DONE:
            raise ValidationError({"__all__": [_("Only a finished selection can be published.")]})
        run.is_published = published
        run.save(update_fields=["is_published"])
        audit.record(
            actor=actor,
            code="panels.report.published" if published else "panels.report.withdrawn",
            obj=run,
            organisation_id=run.pool.owner_id,
        )
        if published:
            try:
                _release(actor=actor, run=run)
            except reporting.ReportNotSafe as exc:
                log.warning("panel report of run %s not published: %s", run.pk, exc)
                message = _(
                    "The report cannot be published: the panel is too small for its counts to be "
                    "withheld safely."
                )
                raise ValidationError({"__all__": [message]}) from None
    given.is_published = published
    return run


def _release(*, actor: Actor, run: SelectionRun) -> ReportRelease | None:
    """Make the next release of ``run``'s public report from its active members, protected jointly
    with the latest release (who left and who joined since is known exactly from its member ids).
    Only inside the transaction of a service that holds the run's row lock; nothing when the panel
    and the threshold are what the latest release counted. Raises ``reporting.ReportNotSafe`` (before
    writing anything) when the disclosure rule finds no safe way to publish it (e.g. a panel too small
    to report on); the callers then refuse to publish or take the report down."""
    threshold = int(settings.STATISTICS_DISCLOSURE_THRESHOLD)
    features = list(dict.fromkeys(q[0] for q in run.quotas))
    active = {m.pk: m.volunteer.features for m in members_of(run, active_only=True)}
    latest = latest_release(run)
    left: list[dict[str, str]] = []
    joined: list[dict[str, str]] = []
    previous = None
    if latest is not None:
        if set(latest.members) == set(active) and latest.threshold == threshold:
            return None
        before = set(latest.members)
        gone = PanelMember.objects.filter(run=run, pk__in=before - set(active)).select_related("volunteer")
        left = [m.volunteer.features for m in gone]
        joined = [active[pk] for pk in set(active) - before]
        previous = {"threshold": latest.threshold, "protection": latest.protection, "tables": latest.tables}
    tables = reporting.release_tables(
        run.quotas,
        [{f: features_of[f] for f in features} for features_of in active.values()],
        threshold=threshold,
        previous=previous,
        left=left,
        joined=joined,
        panel_size=run.panel_size,
    )
    release = ReportRelease.objects.create(
        run=run,
        number=latest.number + 1 if latest is not None else 1,
        size=len(active),
        threshold=threshold,
        protection=threshold,  # release_tables protects with the default level, the threshold
        members=sorted(active),
        tables=tables,
    )
    audit.record(
        actor=actor,
        code="panels.report.released",
        obj=run,
        organisation_id=run.pool.owner_id,
        data={"release": release.number, "size": release.size},
    )
    return release
