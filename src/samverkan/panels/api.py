"""JSON API for panels (/api/v1/panels/...): pools, quotas, selection runs, their results and
verification files, and publication of the report. The same services, selectors and permissions
as the organisers' pages (``panels/views.py``): only the owning organisation's administrators,
coordinators and case officers reach a pool or a run; for anyone else it is 404, like an id that
does not exist. Reads of the persons on a panel are audited by the same selectors as the pages
(``panels.run.viewed``, ``panels.panel.exported``, ``panels.input.exported``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from samverkan.accounts.api import AUTH, Pagination, actor_of
from samverkan.accounts.schemas import Id
from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError
from samverkan.core.export import csv_response
from samverkan.panels import permissions as perms
from samverkan.panels import selectors, services
from samverkan.panels.forms import MAX_UPLOAD_BYTES
from samverkan.panels.messages import render_all, render_origin
from samverkan.panels.models import Pool, RunStatus, SelectionRun
from samverkan.panels.schemas import (
    PoolCreatedOut,
    PoolDeleteIn,
    PoolDetailOut,
    PoolIn,
    PoolOut,
    PublicationIn,
    QuotaFileIn,
    QuotasIn,
    QuotasOut,
    QuotaStatisticsIn,
    ResultOut,
    RunIn,
    RunOut,
)
from samverkan.statistics import selectors as stats
from samverkan.statistics.cube import TIME

router = Router(tags=["panels"], auth=AUTH)
OPTIONAL_FILE: Any = File(None)  # an optional multipart file (people: the file or the text)


# --- Shaping ------------------------------------------------------------------------------------
def _pool_out(pool: Pool, volunteer_count: int | None = None) -> dict[str, Any]:
    count = getattr(pool, "volunteer_count", None) if volunteer_count is None else volunteer_count
    return {
        "id": pool.pk,
        "name": pool.name,
        "owner": {"id": pool.owner_id, "name": pool.owner.name},
        "panel_size": pool.panel_size,
        "features": list(pool.features),
        "has_households": pool.has_households,
        "volunteer_count": pool.volunteers.count() if count is None else count,
        "created_at": pool.created_at,
    }


def _values(pool: Pool) -> list[dict[str, Any]]:
    """Every value of every feature with its count of volunteers and its quota, as the pool page's
    table (the page is for the pool's managers only, who see the volunteers themselves)."""
    current = {(q.feature, q.value): q for q in pool.quotas.all()}
    counts: dict[tuple[str, str], int] = {}
    for row in pool.volunteers.values_list("features", flat=True):
        for feature in pool.features:
            counts[(feature, row[feature])] = counts.get((feature, row[feature]), 0) + 1
    out = []
    for feature, value in sorted(counts, key=lambda k: (pool.features.index(k[0]), k[1])):
        quota = current.get((feature, value))
        out.append(
            {
                "feature": feature,
                "value": value,
                "volunteers": counts[(feature, value)],
                "min": None if quota is None else quota.min,
                "max": None if quota is None else quota.max,
                "target_share": None if quota is None else quota.target_share,
            }
        )
    return out


def _run_brief(run: SelectionRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "algorithm": run.algorithm,
        "seed": run.seed,
        "created_at": run.created_at,
        "is_published": run.is_published,
    }


def _pool_detail(pool: Pool) -> dict[str, Any]:
    return {
        **_pool_out(pool),
        "quota_origin": render_origin(pool.quota_origin, pool.quota_source),
        "values": _values(pool),
        "runs": [_run_brief(run) for run in pool.runs.all()[:20]],
    }


def _quotas_out(pool: Pool, notes: list[str] | None = None) -> dict[str, Any]:
    return {
        "origin": render_origin(pool.quota_origin, pool.quota_source),
        "quotas": [
            {
                "feature": q.feature,
                "value": q.value,
                "min": q.min,
                "max": q.max,
                "target_share": q.target_share,
            }
            for q in pool.quotas.order_by("position")
        ],
        "notes": notes or [],
    }


def _run_out(run: SelectionRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "pool_id": run.pool_id,
        "status": run.status,
        "step": run.step,
        "progress": run.progress,
        "algorithm": run.algorithm,
        "seed": run.seed,
        "panel_size": run.panel_size,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "problems": render_all(run.problems) if run.problems else run.error.splitlines(),
        "is_published": run.is_published,
        "input_sha256": run.input_sha256,
        "algorithm_version": run.algorithm_version,
        "min_probability": run.min_probability,
        "seconds": run.seconds,
    }


def _upload(upload: UploadedFile, field: str) -> bytes:
    # As the page's form: a file over 20 MB is refused before it is read.
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({field: [_("The file is larger than 20 MB.")]})
    return upload.read()


def _finished(run: SelectionRun) -> None:
    if run.status != RunStatus.DONE:
        raise ValidationError({"__all__": [_("The selection has not finished.")]})


def _verify_command(run: SelectionRun) -> str:
    household = " --household-column household" if run.pool.has_households else ""
    return (
        f"samverkan-panel select --people people.csv --features features.csv --size {run.panel_size} "
        f"--id-column id{household} --algorithm {run.algorithm} --seed '{run.seed}' --json result.json"
    )


def _pool_for(actor: Actor, pool_id: int) -> Pool:
    return selectors.pool_get_for(actor=actor, pool_id=pool_id)


# --- Pools --------------------------------------------------------------------------------------
@router.get(
    "/panels/pools", response=list[PoolOut], summary="The pools of the organisations you organise panels for"
)
@paginate(Pagination)
def pool_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_pool_out(pool) for pool in selectors.pool_list_for(actor=actor_of(request)).order_by("-pk")]


@router.post(
    "/panels/pools",
    response={201: PoolCreatedOut},
    summary="Store a pool from a people.csv (multipart: the page's form fields and the file people)",
)
def pool_create(
    request: HttpRequest, payload: Form[PoolIn], people: UploadedFile | None = OPTIONAL_FILE
) -> Status[dict[str, Any]]:
    """As the page: the volunteers come as the file ``people`` or as ``people_text``, not both;
    only the id, the feature columns and the household column are stored."""
    actor = actor_of(request)
    allowed = [o for o in actor.organisation_ids if perms.can_create_pool(actor, o)]
    if payload.owner_id not in allowed:
        raise ValidationError({"owner_id": [_("Choose an organisation you organise panels for.")]})
    if (people is None) == (not payload.people_text.strip()):
        raise ValidationError(
            {"people": [_("Upload a file or enter the volunteers, not both and not neither.")]}
        )
    if people is not None:
        raw, filename = _upload(people, "people"), people.name or "people.csv"
    else:
        raw, filename = payload.people_text.encode(), _("the volunteers entered on the page")
    pool, notes = services.pool_create_with_notes(
        actor=actor,
        owner_id=payload.owner_id,
        name=payload.name,
        panel_size=payload.panel_size,
        data=raw,
        filename=filename,
        id_column=payload.id_column.strip() or None,
        feature_columns=[c.strip() for c in payload.feature_columns.split(",") if c.strip()],
        household_column=payload.household_column.strip(),
    )
    return Status(201, {**_pool_detail(_pool_for(actor, pool.pk)), "notes": render_all(notes)})


@router.get(
    "/panels/pools/{pool_id}",
    response=PoolDetailOut,
    summary="A pool's summary: its volunteers per feature value, its quotas and its runs",
)
def pool_get(request: HttpRequest, pool_id: Id) -> dict[str, Any]:
    return _pool_detail(_pool_for(actor_of(request), pool_id))


@router.delete(
    "/panels/pools/{pool_id}",
    response={204: None},
    summary="Erase a pool with everything drawn from it (its name in the body, to confirm)",
)
def pool_delete(request: HttpRequest, pool_id: Id, payload: PoolDeleteIn) -> Status[None]:
    actor = actor_of(request)
    services.pool_delete(actor=actor, pool=_pool_for(actor, pool_id), confirm_name=payload.confirm_name)
    return Status(204, None)


# --- Quotas -------------------------------------------------------------------------------------
@router.get("/panels/pools/{pool_id}/quotas", response=QuotasOut, summary="A pool's quotas")
def quota_list(request: HttpRequest, pool_id: Id) -> dict[str, Any]:
    return _quotas_out(_pool_for(actor_of(request), pool_id))


@router.put(
    "/panels/pools/{pool_id}/quotas",
    response=QuotasOut,
    summary="Replace a pool's quotas (as entered by hand on the pool page)",
)
def quota_set(request: HttpRequest, pool_id: Id, payload: QuotasIn) -> dict[str, Any]:
    actor = actor_of(request)
    pool = _pool_for(actor, pool_id)
    shares = {(q.feature, q.value): q.target_share for q in pool.quotas.all()}
    rows = [
        services.QuotaRow(q.feature, q.value, q.min, q.max, shares.get((q.feature, q.value)))
        for q in payload.quotas
    ]
    services.pool_quotas_set(
        actor=actor, pool=pool, rows=rows, source="entered by hand", origin={"code": "hand"}
    )
    return _quotas_out(pool)


@router.post(
    "/panels/pools/{pool_id}/quotas/csv",
    response=QuotasOut,
    summary="Set a pool's quotas from a features.csv or a CSV of target shares (multipart: features)",
)
def quota_from_csv(
    request: HttpRequest, pool_id: Id, payload: Form[QuotaFileIn], features: File[UploadedFile]
) -> dict[str, Any]:
    actor = actor_of(request)
    pool = _pool_for(actor, pool_id)
    try:
        services.pool_quotas_from_csv(
            actor=actor,
            pool=pool,
            data=_upload(features, "features"),
            filename=features.name or "features.csv",
            tolerance=payload.tolerance,
        )
    except ValidationError as exc:
        # The service names the quotas; here they come as the file ``features``.
        raise ValidationError(
            {"features" if k == "quotas" else k: v for k, v in exc.errors.items()}
        ) from None
    return _quotas_out(pool)


@router.post(
    "/panels/pools/{pool_id}/quotas/statistics",
    response=QuotasOut,
    summary="Set a pool's quotas to mirror a statistics dataset's composition",
)
def quota_from_statistics(request: HttpRequest, pool_id: Id, payload: QuotaStatisticsIn) -> dict[str, Any]:
    actor = actor_of(request)
    pool = _pool_for(actor, pool_id)
    # As the page: only a dataset the caller may read, only its dimensions that are not time.
    if not stats.dataset_list_for(actor=actor).filter(slug=payload.dataset).exists():
        raise ValidationError({"dataset": [_("Choose a statistics dataset you may read.")]})
    dataset = stats.dataset_get_for(actor=actor, slug=payload.dataset)
    dimensions = stats.dataset_dimensions(dataset)
    time = next((d for d in dimensions if d.role == TIME), None)
    codes = {d.code for d in dimensions if d.role != TIME}
    unknown = sorted(set(payload.mapping) - set(pool.features))
    if unknown:
        raise ValidationError(
            {"mapping": [_("The pool has no feature “%(feature)s”.") % {"feature": unknown[0]}]}
        )
    wrong = sorted({d for d in payload.mapping.values() if d and d not in codes})
    if wrong:
        raise ValidationError(
            {"mapping": [_("The dataset has no dimension “%(code)s”.") % {"code": wrong[0]}]}
        )
    filters = None
    if payload.years:
        periods = {c.code for c in time.categories} if time is not None else set()
        missing = sorted(set(payload.years) - periods)
        if missing:
            raise ValidationError(
                {"years": [_("The dataset has no period “%(code)s”.") % {"code": missing[0]}]}
            )
        assert time is not None
        filters = {time.code: list(payload.years)}
    _quotas, notes = services.pool_quotas_from_statistics(
        actor=actor,
        pool=pool,
        dataset=dataset,
        mapping=payload.mapping,
        tolerance=payload.tolerance,
        filters=filters,
    )
    pool.refresh_from_db()
    return _quotas_out(pool, [str(n) for n in notes])


# --- Runs ---------------------------------------------------------------------------------------
@router.post(
    "/panels/pools/{pool_id}/runs",
    response={201: RunOut},
    summary="Start a selection run with the pool's quotas (computed by a worker; poll its status)",
)
def run_start(request: HttpRequest, pool_id: Id, payload: RunIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    run = services.run_start(
        actor=actor, pool=_pool_for(actor, pool_id), algorithm=payload.algorithm, seed=payload.seed
    )
    run.refresh_from_db()
    return Status(201, _run_out(run))


@router.get("/panels/runs/{run_id}", response=RunOut, summary="A selection run's status and progress")
def run_get(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    return _run_out(selectors.run_get_for(actor=actor_of(request), run_id=run_id))


@router.get(
    "/panels/runs/{run_id}/result",
    response=ResultOut,
    summary="A finished run's panel and every volunteer's selection probability (a logged read)",
)
def run_result(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    """The members as the run page lists them (logged as ``panels.run.viewed``, like the page)
    and everyone's probability, lowest first; 422 while the run has not finished."""
    actor = actor_of(request)
    run = selectors.run_get_for(actor=actor, run_id=run_id)
    _finished(run)
    features = list(dict.fromkeys(q[0] for q in run.quotas))
    rows = selectors.member_rows_for(actor=actor, run=run)
    return {
        "run": _run_out(run),
        "features": features,
        "quotas": [
            {"feature": f, "value": v, "min": lo, "max": hi, "target_share": rest[0] if rest else None}
            for f, v, lo, hi, *rest in run.quotas
        ],
        "members": [
            {
                "id": row["id"],
                "features": dict(zip(features, row["features"], strict=True)),
                "status": row["member"].status,
                "replaces": row["replaces"],
                "probability": row["probability"],
            }
            for row in rows
        ],
        "probabilities": [
            {"id": person, "probability": p}
            for person, p in sorted(run.probabilities.items(), key=lambda kv: (kv[1], kv[0]))
        ],
        "verify_command": _verify_command(run),
    }


@router.get(
    "/panels/runs/{run_id}/panel.csv",
    response={200: None},
    summary="A finished run's panel as CSV, with each member's probability (a logged export)",
    openapi_extra={"responses": {200: {"description": "CSV", "content": {"text/csv": {}}}}},
)
def run_panel_csv(request: HttpRequest, run_id: Id) -> HttpResponse:
    actor = actor_of(request)
    run = selectors.run_get_for(actor=actor, run_id=run_id)
    _finished(run)
    header, rows = selectors.panel_table_for(actor=actor, run=run, fmt="csv")
    return csv_response(f"panel-{run.pk}.csv", header, rows)


@router.get(
    "/panels/runs/{run_id}/people.csv",
    response={200: None},
    summary="The run's exact volunteers as a Sortition Foundation people.csv, to re-run the draw (logged)",
    openapi_extra={"responses": {200: {"description": "CSV", "content": {"text/csv": {}}}}},
)
def run_people_csv(request: HttpRequest, run_id: Id) -> HttpResponse:
    actor = actor_of(request)
    run = selectors.run_get_for(actor=actor, run_id=run_id)
    header, rows = selectors.run_input_table_for(actor=actor, run=run, which="people")
    return csv_response(f"people-{run.pk}.csv", header, rows)


@router.get(
    "/panels/runs/{run_id}/features.csv",
    response={200: None},
    summary="The run's quotas as a Sortition Foundation features.csv, to re-run the draw (logged)",
    openapi_extra={"responses": {200: {"description": "CSV", "content": {"text/csv": {}}}}},
)
def run_features_csv(request: HttpRequest, run_id: Id) -> HttpResponse:
    actor = actor_of(request)
    run = selectors.run_get_for(actor=actor, run_id=run_id)
    header, rows = selectors.run_input_table_for(actor=actor, run=run, which="features")
    return csv_response(f"features-{run.pk}.csv", header, rows)


@router.put(
    "/panels/runs/{run_id}/publication",
    response=RunOut,
    summary="Publish a finished run's report for anyone to read, or withdraw it",
)
def run_publication(request: HttpRequest, run_id: Id, payload: PublicationIn) -> dict[str, Any]:
    """``published: true`` is the confirmation the page asks for: anyone can then read the
    panel's size and the counts the disclosure rule allows."""
    actor = actor_of(request)
    run = selectors.run_get_for(actor=actor, run_id=run_id)
    services.run_publish(actor=actor, run=run, published=payload.published)
    run.refresh_from_db()
    return _run_out(run)
