"""Writes for panels: pools, quotas, selection runs, replacements, publishing. One transaction each:
authorise → validate → write → audit → enqueue on commit."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core import audit, runs
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.limits import MB, UploadLimits, UploadRefused, check_bytes, check_lines
from samverkan.panels import permissions as perms
from samverkan.panels import reporting
from samverkan.panels.lottery import (
    ALGORITHM_VERSION,
    InfeasibleQuotas,
    LotteryTimeout,
    explain_infeasible,
    quotas_from_shares,
    replacement,
    select,
    validate,
)
from samverkan.panels.lottery.draw import ALGORITHMS
from samverkan.panels.lottery.files import InputError, parse_features, parse_pool, parse_shares
from samverkan.panels.models import (
    MemberStatus,
    PanelMember,
    Pool,
    PoolQuota,
    ReportRelease,
    RunStatus,
    RunStep,
    SelectionRun,
    Volunteer,
)
from samverkan.panels.selectors import latest_release, members_of, run_instance
from samverkan.statistics.models import Dataset
from samverkan.statistics.selectors import composition_for, current_version, dataset_dimensions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuotaRow:
    feature: str
    value: str
    min: int
    max: int
    target_share: float | None = None


# --- Pools ------------------------------------------------------------------------------------
# What one uploaded file may cost (docs/architecture.md, "Upload limits"): 20 MB, and lines
# counted on the bytes before the CSV reader builds a row object per line. A people.csv may have
# PANELS_MAX_POOL people plus a header and some blank lines; a quota file a few thousand rows.
UPLOAD_MAX_BYTES = 20 * MB
QUOTA_MAX_LINES = 10_000


def pool_upload_limits() -> UploadLimits:
    return UploadLimits(max_bytes=UPLOAD_MAX_BYTES, max_lines=settings.PANELS_MAX_POOL + 1000)


QUOTA_LIMITS = UploadLimits(max_bytes=UPLOAD_MAX_BYTES, max_lines=QUOTA_MAX_LINES)


def _check_upload(data: bytes, limits: UploadLimits, field: str) -> None:
    try:
        check_bytes(len(data), limits)
        check_lines(data, limits)
    except UploadRefused as exc:
        raise ValidationError({field: [str(exc)]}) from None


def pool_create(
    *,
    actor: Actor,
    owner_id: int,
    name: str,
    panel_size: int,
    data: bytes,
    filename: str,
    id_column: str,
    feature_columns: Sequence[str] = (),
    household_column: str = "",
) -> Pool:
    """Store a pool from a people.csv: the id, the named feature columns and the household column;
    every other column of the file is dropped unread."""
    if not perms.can_create_pool(actor, owner_id):
        raise PermissionDenied
    if not name.strip():
        raise ValidationError({"name": [_("Give the pool a name.")]})
    if panel_size < 1:
        raise ValidationError({"panel_size": [_("The panel size must be at least 1.")]})
    _check_upload(data, pool_upload_limits(), "people")
    try:
        people, features = parse_pool(
            filename or "people.csv",
            data,
            id_column=id_column,
            feature_columns=feature_columns,
            household_columns=[household_column] if household_column else (),
        )
    except InputError as exc:
        raise ValidationError({"people": [str(exc)]}) from exc
    limit = settings.PANELS_MAX_POOL
    if len(people.people) > limit:
        raise ValidationError(
            {
                "people": [
                    _("The pool has %(n)s people; at most %(limit)s are allowed.")
                    % {"n": len(people.people), "limit": limit}
                ]
            }
        )
    if len(people.people) < panel_size:
        raise ValidationError(
            {
                "panel_size": [
                    _("The pool has %(n)s people, fewer than the panel size %(size)s.")
                    % {"n": len(people.people), "size": panel_size}
                ]
            }
        )
    too_long = next((p for p in people.people if len(p) > 200), None)
    if too_long is not None:
        raise ValidationError(
            {
                "people": [
                    _("%(file)s:%(line)s: the id is longer than 200 characters.")
                    % {"file": people.path, "line": people.lines[too_long]}
                ]
            }
        )
    with transaction.atomic(durable=True):
        pool = Pool.objects.create(
            owner_id=owner_id,
            name=name.strip(),
            panel_size=panel_size,
            features=list(features),
            has_households=bool(household_column),
            created_by=actor.user if actor.is_authenticated else None,
        )
        homes = people.households or {}
        Volunteer.objects.bulk_create(
            [
                Volunteer(
                    pool=pool,
                    position=i,
                    external_id=person,
                    features=people.features[person],
                    # Blank addresses are keyed "\x00<id>" by the reader; PostgreSQL stores no NUL.
                    household="" if homes.get(person, "").startswith("\x00") else homes.get(person, ""),
                )
                for i, person in enumerate(people.people)
            ],
            batch_size=1000,
        )
        audit.record(
            actor=actor,
            code="panels.pool.created",
            obj=pool,
            organisation_id=owner_id,
            data={
                "volunteers": len(people.people),
                "features": list(features),
                "households": bool(household_column),
            },
        )
    return pool


def pool_delete(*, actor: Actor, pool: Pool, confirm_name: str) -> None:
    """Erase a pool with its volunteers, quotas, runs and panels (personal data kept no longer than
    needed). The audit log keeps that it happened and the counts, never the volunteers."""
    if not perms.can_manage_pool(actor, pool):
        raise NotFound
    if confirm_name.strip() != pool.name:
        raise ValidationError({"confirm_name": [_("Type the pool's name exactly to confirm.")]})
    with transaction.atomic(durable=True):
        counts = {
            "volunteers": pool.volunteers.count(),
            "runs": pool.runs.count(),
            "name": pool.name,
        }
        audit.record(
            actor=actor, code="panels.pool.deleted", obj=pool, organisation_id=pool.owner_id, data=counts
        )
        pool.delete()


def _pool_values(pool: Pool) -> dict[str, list[str]]:
    values: dict[str, dict[str, None]] = {f: {} for f in pool.features}
    for row in pool.volunteers.values_list("features", flat=True):
        for feature in pool.features:
            values[feature][row[feature]] = None
    return {f: list(v) for f, v in values.items()}


def pool_quotas_set(*, actor: Actor, pool: Pool, rows: Sequence[QuotaRow], source: str) -> list[PoolQuota]:
    """Replace the pool's quotas. Every value present in the pool of a quota'd feature needs a quota."""
    if not perms.can_manage_pool(actor, pool):
        raise NotFound
    if not rows:
        raise ValidationError({"quotas": [_("Set at least one quota.")]})
    values = _pool_values(pool)
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    by_feature: dict[str, list[QuotaRow]] = {}
    for row in rows:
        label = f"{row.feature}={row.value}"
        if row.feature not in values:
            errors.append(
                _("%(label)s: the pool has no feature “%(feature)s”.")
                % {"label": label, "feature": row.feature}
            )
            continue
        if (row.feature, row.value) in seen:
            errors.append(_("%(label)s is given twice.") % {"label": label})
        seen.add((row.feature, row.value))
        if row.min < 0 or row.max < 0:
            errors.append(_("%(label)s: minimum and maximum must not be negative.") % {"label": label})
        elif row.min > row.max:
            errors.append(
                _("%(label)s: the minimum %(min)s exceeds the maximum %(max)s.")
                % {"label": label, "min": row.min, "max": row.max}
            )
        by_feature.setdefault(row.feature, []).append(row)
    for feature, feature_rows in by_feature.items():
        missing = [v for v in values[feature] if (feature, v) not in seen]
        if missing:
            errors.append(
                _("%(feature)s: the pool has volunteers with %(values)s but no quota for them.")
                % {"feature": feature, "values": ", ".join(missing)}
            )
        low, high = sum(r.min for r in feature_rows), sum(r.max for r in feature_rows)
        if low > pool.panel_size:
            errors.append(
                _("%(feature)s: the minimums add up to %(sum)s, more than the panel size %(size)s.")
                % {"feature": feature, "sum": low, "size": pool.panel_size}
            )
        if high < pool.panel_size:
            errors.append(
                _("%(feature)s: the maximums add up to %(sum)s, less than the panel size %(size)s.")
                % {"feature": feature, "sum": high, "size": pool.panel_size}
            )
    if errors:
        raise ValidationError({"quotas": errors})
    with transaction.atomic(durable=True):
        pool.quotas.all().delete()
        created = PoolQuota.objects.bulk_create(
            [
                PoolQuota(
                    pool=pool,
                    position=i,
                    feature=r.feature,
                    value=r.value,
                    min=r.min,
                    max=r.max,
                    target_share=r.target_share,
                )
                for i, r in enumerate(rows)
            ]
        )
        pool.quota_source = source[:400]
        pool.save(update_fields=["quota_source"])
        audit.record(
            actor=actor,
            code="panels.quotas.set",
            obj=pool,
            organisation_id=pool.owner_id,
            data={"source": pool.quota_source, "quotas": [[r.feature, r.value, r.min, r.max] for r in rows]},
        )
    return created


def pool_quotas_from_csv(
    *, actor: Actor, pool: Pool, data: bytes, filename: str, tolerance: int = 0
) -> list[PoolQuota]:
    """Quotas from a Sortition Foundation features.csv (feature,value,min,max), or from a CSV of
    target shares (feature,value,share) rounded to seats by largest remainder ± ``tolerance``."""
    name = filename or "features.csv"
    _check_upload(data, QUOTA_LIMITS, "quotas")
    first_line = data.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    try:
        if "share" in [cell.strip().strip('"\ufeff') for cell in first_line.split(",")]:
            shares = parse_shares(name, data)
            quotas = quotas_from_shares(shares, pool.panel_size, tolerance)
            totals = {f: sum(v.values()) for f, v in shares.items()}
            rows = [
                QuotaRow(q.feature, q.value, q.min, q.max, shares[q.feature][q.value] / totals[q.feature])
                for q in quotas
            ]
            source = f"shares from {name}, tolerance {tolerance}"
        else:
            table = parse_features(name, data)
            rows = [QuotaRow(r.feature, r.value, r.min, r.max) for r in table.rows]
            source = f"features.csv ({name})"
    except (InputError, ValueError) as exc:
        raise ValidationError({"quotas": [str(exc)]}) from exc
    return pool_quotas_set(actor=actor, pool=pool, rows=rows, source=source)


def _match(value: str, labels: Mapping[str, tuple[str, ...]]) -> str | None:
    """The category code whose code or Swedish or English label equals ``value`` (ignoring case)."""
    wanted = value.strip().casefold()
    for code, names in labels.items():
        if any(name.strip().casefold() == wanted for name in names if name):
            return code
    return None


def pool_quotas_from_statistics(
    *,
    actor: Actor,
    pool: Pool,
    dataset: Dataset,
    mapping: Mapping[str, str],
    tolerance: int,
    filters: Mapping[str, Sequence[str]] | None = None,
) -> tuple[list[PoolQuota], list[str]]:
    """Quotas mirroring a dataset's composition: for each pool feature mapped to a dimension, the
    shares of its categories (over the filtered cells) rounded to seats by largest remainder, ± the
    tolerance. Pool values are matched to categories by code or label. Returns the quotas and notes
    (categories without volunteers, which are left out and the rest rescaled)."""
    if not perms.can_manage_pool(actor, pool):
        raise NotFound
    mapping = {f: d for f, d in mapping.items() if d}
    if not mapping:
        raise ValidationError({"__all__": [_("Choose a dimension for at least one feature.")]})
    if tolerance < 0:
        raise ValidationError({"tolerance": [_("The tolerance must not be negative.")]})
    dimensions = {d.code: d for d in dataset_dimensions(dataset)}
    unknown = [d for d in mapping.values() if d not in dimensions]
    if unknown:
        raise ValidationError(
            {"__all__": [_("The dataset has no dimension “%(code)s”.") % {"code": unknown[0]}]}
        )
    compositions = {
        c.dimension.code: c
        for c in composition_for(
            actor=actor, dataset=dataset, dimensions=list(dict.fromkeys(mapping.values())), filters=filters
        )
    }
    values = _pool_values(pool)
    shares: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    errors: list[str] = []
    for feature, code in mapping.items():
        composition = compositions[code]
        labels = {s.code: (s.code, s.label_sv, s.label_en) for s in composition.shares}
        share_of = {s.code: s.share for s in composition.shares}
        matched: dict[str, str] = {}
        for value in values.get(feature, []):
            category = _match(value, labels)
            if category is None:
                errors.append(
                    _("%(feature)s: the value “%(value)s” matches no category of %(dimension)s.")
                    % {"feature": feature, "value": value, "dimension": code}
                )
            else:
                matched[value] = category
        withheld = [v for v, c in matched.items() if share_of[c] is None]
        if withheld:
            errors.append(
                _("%(feature)s: the share of %(values)s is withheld in the dataset; set the quotas by hand.")
                % {"feature": feature, "values": ", ".join(withheld)}
            )
        left_out = [
            s.label_sv or s.code
            for s in composition.shares
            if s.code not in matched.values() and (s.share or 0) > 0
        ]
        if left_out:
            notes.append(
                _("%(feature)s: no volunteer has %(values)s; the other shares are rescaled.")
                % {"feature": feature, "values": ", ".join(left_out)}
            )
        shares[feature] = {v: float(share_of[c] or 0.0) for v, c in matched.items()}
    if errors:
        raise ValidationError({"__all__": errors})
    try:
        quotas = quotas_from_shares(shares, pool.panel_size, tolerance)
    except ValueError as exc:
        raise ValidationError({"__all__": [str(exc)]}) from exc
    totals = {f: sum(v.values()) for f, v in shares.items()}
    rows = [
        QuotaRow(
            q.feature,
            q.value,
            q.min,
            q.max,
            shares[q.feature][q.value] / totals[q.feature] if totals[q.feature] else None,
        )
        for q in quotas
    ]
    version = current_version(dataset)
    source = (
        f"statistics: {dataset.title_sv} ({dataset.slug}, version {version.number}), tolerance {tolerance}"
    )
    if filters:
        source += "; " + "; ".join(f"{k}={','.join(v)}" for k, v in filters.items())
    return pool_quotas_set(actor=actor, pool=pool, rows=rows, source=source), notes


# --- Selection runs ---------------------------------------------------------------------------
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
        except ValueError as exc:
            raise ValidationError({"__all__": [str(exc)]}) from exc
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
    except (InfeasibleQuotas, LotteryTimeout, ValueError) as exc:
        message = (
            "\n".join(exc.conflicts)
            if isinstance(exc, InfeasibleQuotas)
            else _("The solver did not finish within %(s)s seconds.") % {"s": settings.PANELS_TIME_LIMIT}
            if isinstance(exc, LotteryTimeout)
            else str(exc)
        )
        return _fail(run, actor, message)
    except Exception:
        log.exception("selection run %s failed", run.pk)
        _fail(run, actor, _("An internal error stopped the selection; nothing was drawn."))
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


def _fail(run: SelectionRun, actor: Actor, message: str) -> SelectionRun:
    with transaction.atomic():
        if runs.fail(run, message, step=RunStep.FAILED):  # not when failed as stalled meanwhile
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
        message=_("The worker stopped before the selection finished; start a new run."),
        now=now,
        on_failed=audited,
        step=RunStep.FAILED,
    )


# --- Replacements and publishing ---------------------------------------------------------------
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
