"""Pages for organisers (pools, quotas, runs, replacements, exports) and the public panel report."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from samverkan.accounts.actors import actor_from_request
from samverkan.core.actor import Actor
from samverkan.core.confirm import ask_first
from samverkan.core.errors import ValidationError
from samverkan.core.export import csv_response, sheet_value
from samverkan.organisations.selectors import organisation_list_for_actor
from samverkan.panels import permissions as perms
from samverkan.panels import reporting, selectors, services
from samverkan.panels.forms import DatasetChoiceForm, PoolForm, QuotaFileForm, RunForm, StatisticsQuotaForm
from samverkan.panels.lottery import ALGORITHM_VERSION
from samverkan.panels.messages import isolate, render_all, render_origin
from samverkan.panels.models import MemberStatus, Pool, RunStatus, SelectionRun
from samverkan.statistics import selectors as stats
from samverkan.statistics.cube import TIME


def _language() -> str:
    return (translation.get_language() or "sv")[:2]


def _pool(request: HttpRequest, pool_id: int) -> tuple[Actor, Pool]:
    actor = actor_from_request(request)
    return actor, selectors.pool_get_for(actor=actor, pool_id=pool_id)


def _run(request: HttpRequest, run_id: int) -> tuple[Actor, SelectionRun]:
    actor = actor_from_request(request)
    return actor, selectors.run_get_for(actor=actor, run_id=run_id)


def _owners(actor: Actor) -> Any:
    allowed = [o for o in actor.organisation_ids if perms.can_create_pool(actor, o)]
    return organisation_list_for_actor(actor=actor).filter(pk__in=allowed)


@login_required
def pool_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    if not perms.can_offer_pools(actor):
        raise DjangoPermissionDenied
    return render(request, "panels/pool_list.html", {"pools": selectors.pool_list_for(actor=actor)})


@login_required
def pool_new(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    if not perms.can_offer_pools(actor):
        raise DjangoPermissionDenied
    form = PoolForm(request.POST or None, request.FILES or None, owners=_owners(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["people"]
        raw, filename = (
            (upload.read(), upload.name)
            if upload
            else (data["people_text"].encode(), _("the volunteers entered on the page"))
        )
        columns = [c.strip() for c in data["feature_columns"].split(",") if c.strip()]
        try:
            pool, notes = services.pool_create_with_notes(
                actor=actor,
                owner_id=data["owner"].pk,
                name=data["name"],
                panel_size=data["panel_size"],
                data=raw,
                filename=filename,
                id_column=data["id_column"].strip() or None,
                feature_columns=columns,
                household_column=data["household_column"].strip(),
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The pool is stored. Now set the quotas."))
            for note in render_all(notes):  # e.g. no id column: the volunteers are numbered
                messages.info(request, note)
            return redirect("panels:pool_detail", pool_id=pool.pk)
    return render(request, "panels/pool_new.html", {"form": form})


def _quota_grid(pool: Pool) -> list[dict[str, Any]]:
    """The hand-entry table: every value of every feature in the pool, with the current quota."""
    current = {(q.feature, q.value): q for q in pool.quotas.all()}
    counts: dict[tuple[str, str], int] = {}
    for row in pool.volunteers.values_list("features", flat=True):
        for feature in pool.features:
            counts[(feature, row[feature])] = counts.get((feature, row[feature]), 0) + 1
    grid = []
    for i, (feature, value) in enumerate(sorted(counts, key=lambda k: (pool.features.index(k[0]), k[1]))):
        quota = current.get((feature, value))
        grid.append(
            {
                "index": i,
                "feature": feature,
                "value": value,
                "pool": counts[(feature, value)],
                "min": "" if quota is None else quota.min,
                "max": "" if quota is None else quota.max,
                "target_share": None if quota is None else quota.target_share,
            }
        )
    return grid


def _pool_page(
    request: HttpRequest,
    pool: Pool,
    *,
    grid: list[dict[str, Any]] | None = None,
    quota_file_form: QuotaFileForm | None = None,
    quota_errors: list[str] | None = None,
) -> HttpResponse:
    """The pool page; with ``quota_errors`` it answers 422 and keeps what was entered."""
    grid = _quota_grid(pool) if grid is None else grid
    return render(
        request,
        "panels/pool_detail.html",
        {
            "pool": pool,
            "volunteer_count": pool.volunteers.count(),
            "quota_origin": render_origin(pool.quota_origin, pool.quota_source),
            "grid": grid,
            "grid_has_target": any(cell["target_share"] is not None for cell in grid),
            "has_quotas": pool.quotas.exists(),
            "quota_file_form": quota_file_form or QuotaFileForm(),
            "run_form": RunForm(),
            "runs": pool.runs.all()[:20],
            "quota_errors": quota_errors or [],
        },
        status=422 if quota_errors else 200,
    )


@login_required
def pool_detail(request: HttpRequest, pool_id: int) -> HttpResponse:
    _actor, pool = _pool(request, pool_id)
    return _pool_page(request, pool)


@login_required
@require_POST
def pool_quotas(request: HttpRequest, pool_id: int) -> HttpResponse:
    """Quotas entered by hand in the grid (a feature with all fields empty is not quota'd)."""
    actor, pool = _pool(request, pool_id)
    grid = _quota_grid(pool)
    rows: list[services.QuotaRow] = []
    errors: list[str] = []
    by_feature: dict[str, list[tuple[dict[str, Any], str, str]]] = {}
    for cell in grid:
        low = request.POST.get(f"min-{cell['index']}", "").strip()
        high = request.POST.get(f"max-{cell['index']}", "").strip()
        cell["min"], cell["max"] = low, high
        by_feature.setdefault(cell["feature"], []).append((cell, low, high))
    for feature, cells in by_feature.items():
        if all(not low and not high for _c, low, high in cells):
            continue
        for cell, low, high in cells:
            label = isolate(f"{feature}={cell['value']}")
            if not low.isdigit() or not high.isdigit():
                errors.append(
                    _("%(label)s: enter a whole number for both minimum and maximum.") % {"label": label}
                )
                continue
            # The target share stays what it was: editing the bounds does not change the target.
            rows.append(services.QuotaRow(feature, cell["value"], int(low), int(high), cell["target_share"]))
    if not errors:
        try:
            services.pool_quotas_set(
                actor=actor, pool=pool, rows=rows, source="entered by hand", origin={"code": "hand"}
            )
        except ValidationError as exc:
            errors = [m for ms in exc.errors.values() for m in ms]
        else:
            messages.success(request, _("The quotas are saved."))
            return redirect("panels:pool_detail", pool_id=pool.pk)
    return _pool_page(request, pool, grid=grid, quota_errors=errors)


@login_required
@require_POST
def pool_delete(request: HttpRequest, pool_id: int) -> HttpResponse:
    actor, pool = _pool(request, pool_id)
    try:
        services.pool_delete(actor=actor, pool=pool, confirm_name=request.POST.get("confirm_name", ""))
    except ValidationError as exc:
        for ms in exc.errors.values():
            for m in ms:
                messages.error(request, m)
        return redirect("panels:pool_detail", pool_id=pool.pk)
    messages.success(request, _("The pool and everything drawn from it are erased."))
    return redirect("panels:pool_list")


@login_required
@require_POST
def pool_quotas_csv(request: HttpRequest, pool_id: int) -> HttpResponse:
    actor, pool = _pool(request, pool_id)
    form = QuotaFileForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["features"]
        try:
            services.pool_quotas_from_csv(
                actor=actor,
                pool=pool,
                data=upload.read(),
                filename=upload.name,
                tolerance=form.cleaned_data.get("tolerance") or 0,
            )
        except ValidationError as exc:
            errors = [m for ms in exc.errors.values() for m in ms]
        else:
            messages.success(request, _("The quotas are saved."))
            return redirect("panels:pool_detail", pool_id=pool.pk)
    else:
        errors = [str(m) for ms in form.errors.values() for m in ms]
    return _pool_page(request, pool, quota_file_form=form, quota_errors=errors)


@login_required
def pool_quotas_statistics(request: HttpRequest, pool_id: int) -> HttpResponse:
    actor, pool = _pool(request, pool_id)
    datasets = [(d.slug, d.title or d.slug) for d in stats.dataset_list_for(actor=actor)]
    slug = request.GET.get("dataset", "")
    choose = DatasetChoiceForm(request.GET if slug else None, datasets=datasets)
    context: dict[str, Any] = {"pool": pool, "choose": choose}
    if not slug or not choose.is_valid():
        return render(request, "panels/quotas_statistics.html", context)
    dataset = stats.dataset_get_for(actor=actor, slug=choose.cleaned_data["dataset"])
    dims = stats.dataset_dimensions(dataset)
    time = next((d for d in dims if d.role == TIME), None)
    choices = [(d.code, d.label(_language())) for d in dims if d.role != TIME]
    form = StatisticsQuotaForm(request.POST or None, features=pool.features, dimensions=choices, time=time)
    context.update({"dataset": dataset, "form": form})
    if request.method == "POST" and form.is_valid():
        mapping = {f: form.cleaned_data.get(f"map_{i}", "") for i, f in enumerate(pool.features)}
        years = form.cleaned_data.get("years") or []
        filters = {time.code: list(years)} if time is not None and years else None
        try:
            _quotas, notes = services.pool_quotas_from_statistics(
                actor=actor,
                pool=pool,
                dataset=dataset,
                mapping=mapping,
                tolerance=form.cleaned_data["tolerance"],
                filters=filters,
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            for note in notes:
                messages.info(request, note)
            messages.success(
                request, _("The quotas now mirror %(title)s.") % {"title": isolate(dataset.title)}
            )
            return redirect("panels:pool_detail", pool_id=pool.pk)
    return render(request, "panels/quotas_statistics.html", context)


@login_required
@require_POST
def run_start(request: HttpRequest, pool_id: int) -> HttpResponse:
    actor, pool = _pool(request, pool_id)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            run = services.run_start(
                actor=actor,
                pool=pool,
                algorithm=form.cleaned_data["algorithm"],
                seed=form.cleaned_data["seed"],
            )
        except ValidationError as exc:
            for ms in exc.errors.values():
                for m in ms:
                    messages.error(request, m)
        else:
            return redirect("panels:run_detail", run_id=run.pk)
    return redirect("panels:pool_detail", pool_id=pool.pk)


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    actor, run = _run(request, run_id)
    context: dict[str, Any] = {
        "run": run,
        "pool": run.pool,
        "algorithm_version": ALGORITHM_VERSION,
        "problems": render_all(run.problems) if run.problems else run.error.splitlines(),
    }
    if run.status == RunStatus.DONE:
        language = _language()
        features = list(dict.fromkeys(q[0] for q in run.quotas))
        active = [
            {f: m.volunteer.features[f] for f in features}
            for m in selectors.members_of(run, active_only=True)
        ]
        pool_rows = [
            {f: row[f] for f in features} for row in run.pool.volunteers.values_list("features", flat=True)
        ]
        rows = reporting.composition(run, active, pool_rows)
        hist = reporting.histogram(list(run.probabilities.values()))
        everyone = sorted(run.probabilities.items(), key=lambda kv: (kv[1], kv[0]))
        context.update(
            {
                "features": features,
                "composition": rows,
                "composition_has_target": any(r.target_share is not None for r in rows),
                "composition_chart": {
                    "id": "chart-composition",
                    "spec_id": "chart-composition-spec",
                    "spec": reporting.composition_chart(
                        rows,
                        title=_("Panel against target"),
                        language=language,
                        target=_("Target"),
                        panel=_("Panel"),
                    ),
                },
                "histogram": hist,
                "histogram_chart": {
                    "id": "chart-probabilities",
                    "spec_id": "chart-probabilities-spec",
                    "spec": reporting.histogram_chart(
                        hist,
                        title=_("Selection probabilities"),
                        language=language,
                        x_title=_("Probability"),
                        y_title=_("Volunteers"),
                    ),
                },
                "members": selectors.member_rows_for(actor=actor, run=run),
                "everyone": everyone,
                "active_count": len(active),
                "verify_command": _verify_command(run),
            }
        )
    return render(request, "panels/run_detail.html", context)


def _verify_command(run: SelectionRun) -> str:
    household = " --household-column household" if run.pool.has_households else ""
    return (
        f"samverkan-panel select --people people.csv --features features.csv --size {run.panel_size} "
        f"--id-column id{household} --algorithm {run.algorithm} --seed '{run.seed}' --json result.json"
    )


@login_required
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress fragment the run page polls while the selection runs."""
    _actor, run = _run(request, run_id)
    response = render(request, "panels/_run_status.html", {"run": run})
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def member_withdraw(request: HttpRequest, run_id: int, member_id: int) -> HttpResponse:
    actor, run = _run(request, run_id)
    member = selectors.member_get_for(actor=actor, run=run, member_id=member_id)
    name = member.volunteer.external_id
    # A seat already given up has nothing to confirm: the service says so.
    question = member.status == MemberStatus.ACTIVE and ask_first(
        request,
        title=_("Replace %(id)s on the panel?") % {"id": isolate(name)},
        consequence=_(
            "%(id)s is recorded as withdrawn and leaves the panel for good. A replacement is drawn, by "
            "the documented rule, among the volunteers who keep every quota; if nobody does, the seat "
            "stays empty. If the public report is published, it gets a new version. This cannot be "
            "undone."
        )
        % {"id": isolate(name)},
        button=_("Yes, replace %(id)s") % {"id": isolate(name)},
        cancel_url=reverse("panels:run_detail", args=[run.pk]),
    )
    if question:
        return question
    was_published = run.is_published
    try:
        new = services.member_withdraw(actor=actor, run=run, member_id=member_id)
    except ValidationError as exc:
        for ms in exc.errors.values():
            for m in ms:
                messages.error(request, m)
    else:
        run.refresh_from_db(fields=["is_published"])
        if was_published and not run.is_published:
            messages.warning(
                request,
                _(
                    "The panel is now too small for its counts to be withheld safely, so its public "
                    "report was withdrawn."
                ),
            )
        if new is None:
            messages.warning(request, _("Nobody left in the pool keeps every quota: the seat stays empty."))
        else:
            messages.success(
                request,
                _("%(id)s replaces the withdrawn member; every quota still holds.")
                % {"id": isolate(new.volunteer.external_id)},
            )
    return redirect("panels:run_detail", run_id=run.pk)


@login_required
@require_POST
def run_publish(request: HttpRequest, run_id: int) -> HttpResponse:
    actor, run = _run(request, run_id)
    published = request.POST.get("published") != "0"
    # Withdrawing the report can be undone by publishing it again; publishing cannot be taken back.
    if published and (
        question := ask_first(
            request,
            title=_("Publish the panel's composition?"),
            consequence=_(
                "Anyone can then read the report without logging in: the panel's size and, per "
                "feature, the counts the disclosure rule allows. Withdrawing the report later takes "
                "it off the site, but not out of what people have already read or saved."
            ),
            button=_("Yes, publish the report"),
            cancel_url=reverse("panels:run_detail", args=[run.pk]),
            warning=False,
        )
    ):
        return question
    try:
        services.run_publish(actor=actor, run=run, published=published)
    except ValidationError as exc:
        for ms in exc.errors.values():
            for m in ms:
                messages.error(request, m)
    return redirect("panels:run_detail", run_id=run.pk)


@login_required
def run_export(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    actor, run = _run(request, run_id)
    if run.status != RunStatus.DONE:
        raise Http404
    header, rows = selectors.panel_table_for(actor=actor, run=run, fmt=fmt)
    name = f"panel-{run.pk}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, rows)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Panel"
    sheet.append([sheet_value(h) for h in header])
    for row in rows:
        # Text cells are neutralised like the CSV (core.export); numbers stay numbers.
        sheet.append([sheet_value(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def run_input(request: HttpRequest, run_id: int, which: str) -> HttpResponse:
    """The run's exact input as Sortition Foundation files, to re-run the draw with samverkan-panel."""
    actor, run = _run(request, run_id)
    header, rows = selectors.run_input_table_for(actor=actor, run=run, which=which)
    return csv_response(f"{which}-{run.pk}.csv", header, rows)


def report(request: HttpRequest, run_id: int) -> HttpResponse:
    """Public once published: the latest stored release of the panel's coarse composition (never
    counted here: a GET writes and computes nothing), small cells withheld."""
    actor = actor_from_request(request)
    run = selectors.report_get_for(actor=actor, run_id=run_id)
    release = selectors.latest_release(run)
    tables = reporting.public_report(release.tables) if release is not None else []
    return render(
        request,
        "panels/report.html",
        {
            "run": run,
            "release": release,
            "shown": [t for t in tables if t.shown],
            "any_withheld": any(c.count is None for t in tables if t.shown for c in t.cells),
            # The features of which nothing can be shown, named in one sentence instead of a
            # table of withheld figures.
            "not_shown": format_html_join(
                pgettext("list separator", ", "),
                "<bdi>{}</bdi>",
                ((t.feature,) for t in tables if not t.shown),
            ),
        },
    )
