"""Public statistics pages (theme pages, one page per dataset, CSV downloads) and the upload page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from samverkan.accounts.actors import actor_from_request
from samverkan.core.actor import Actor
from samverkan.core.errors import DomainError, ValidationError
from samverkan.core.export import csv_response
from samverkan.core.uploads import SizeLimitUploadHandler
from samverkan.organisations.permissions import WRITERS, is_platform_admin
from samverkan.organisations.selectors import organisation_list, organisation_list_for_actor
from samverkan.statistics import charts, forecasting, selectors
from samverkan.statistics import permissions as perms
from samverkan.statistics.cube import TIME
from samverkan.statistics.forms import StatisticsUploadForm
from samverkan.statistics.models import Dataset
from samverkan.statistics.services import DatasetFields, statistics_import
from samverkan.statistics.tables import TableView, build_table

ASYLUM_SEEKERS = "asylum-seekers"
FORECASTS = "asylum-forecasts"


def _language() -> str:
    return (get_language() or "sv")[:2]


def _dataset_or_404(request: HttpRequest, slug: str) -> Dataset:
    return selectors.dataset_get_for(actor=actor_from_request(request), slug=slug)


# Query parameters of the dataset page and its CSV that name one thing each.
SINGLE_PARAMS = ("x", "by")


def _params(request: HttpRequest) -> dict[str, list[str]]:
    """The query parameters; one given twice where it names one thing is refused (the filters
    themselves are checked by ``selectors.table_for``)."""
    try:
        query = request.GET
    except TooManyFieldsSent:
        # Refused here rather than by Django, whose DEBUG page would read request.GET again.
        raise ValidationError(
            {
                "__all__": [
                    _("The address has more than %(limit)s parameters.")
                    % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
                ]
            }
        ) from None
    params = {key: query.getlist(key) for key in query}
    for name in SINGLE_PARAMS:
        if len(params.get(name, ())) > 1:
            raise ValidationError({name: [_("Give “%(name)s” once.") % {"name": name}]})
    return params


def _with_years(message: str, first: str, last: str) -> SafeString:
    """``message`` (escaped) with its ``%(years)s`` as the range first–last, isolated so that it
    reads first–last inside right-to-left text too."""
    years = format_html('<bdi dir="ltr">{}–{}</bdi>', first, last)
    return mark_safe(conditional_escape(message) % {"years": years})  # noqa: S308 - escaped above


def _chart(view: TableView, chart_id: str, title: str) -> dict[str, Any]:
    language = _language()
    spec = charts.line_chart(
        view.chart_rows(language),
        title=title,
        x_title=view.x.label(language),
        y_title=view.dataset.unit_in(language) or _("Value"),
        series_title=view.by.label(language) if view.by else "",
        language=language,
        x_sort=[c.label(language) for c in view.x.categories],
        series_sort=view.column_labels(language) if view.by else None,
        bars=view.x.role != TIME,
    )
    return {"id": chart_id, "spec_id": f"{chart_id}-spec", "spec": spec, "title": title}


def index(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    datasets = selectors.dataset_list_for(actor=actor)
    context = {
        "datasets": datasets,
        "can_upload": perms.can_upload_statistics(actor),
        "themes": selectors.themes_available(actor=actor),
    }
    return render(request, "statistics/index.html", context)


def asylum_seekers(request: HttpRequest) -> HttpResponse:
    """Theme page: asylum seekers over time, and by sex."""
    dataset = _dataset_or_404(request, ASYLUM_SEEKERS)
    actor = actor_from_request(request)
    total = build_table(actor=actor, dataset=dataset, params={"sex": ["1+2"], "x": ["year"], "by": [""]})
    by_sex = build_table(
        actor=actor,
        dataset=dataset,
        params={
            "sex": ["2", "1"],
            "year": [c.code for c in total.x.categories if int(c.code) >= 2002],
            "x": ["year"],
            "by": ["sex"],
        },
    )
    figures = [
        {
            "view": total,
            "chart": _chart(total, "chart-total", _("Asylum seekers in Sweden per year")),
            "caption": _with_years(
                _("Asylum seekers in Sweden per year, %(years)s."),
                total.x.categories[0].code,
                total.x.categories[-1].code,
            ),
        },
        {
            "view": by_sex,
            "chart": _chart(by_sex, "chart-sex", _("Asylum seekers per year, women and men")),
            "caption": _with_years(
                _("Asylum seekers per year by sex, %(years)s (sex is published from 2002)."),
                by_sex.x.categories[0].code,
                by_sex.x.categories[-1].code,
            ),
        },
    ]
    return render(request, "statistics/theme_asylum.html", {"dataset": dataset, "figures": figures})


def forecasts(request: HttpRequest) -> HttpResponse:
    """Theme page: the agency's forecasts against outcomes, and the models' intervals."""
    actor = actor_from_request(request)
    annual = _dataset_or_404(request, ASYLUM_SEEKERS)
    published = _dataset_or_404(request, FORECASTS)
    language = _language()
    page = forecasting.forecast_page(actor=actor, annual=annual, published=published, language=language)
    return render(
        request,
        "statistics/theme_forecasts.html",
        {"page": page, "annual": annual, "published": published},
    )


def forecasts_csv(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    annual = _dataset_or_404(request, ASYLUM_SEEKERS)
    published = _dataset_or_404(request, FORECASTS)
    page = forecasting.forecast_page(actor=actor, annual=annual, published=published, language=_language())
    return csv_response(
        "asylum-forecasts-models.csv",
        [_("Model"), _("Year"), _("Forecast"), "lo80", "hi80", "lo95", "hi95"],
        (
            [m.label, m.year, *(round(v) for v in (m.point, m.lo80, m.hi80, m.lo95, m.hi95))]
            for m in page.models
        ),
    )


def _refusal(exc: ValidationError) -> HttpResponse:
    """A refused request as plain text, each message after the parameter it is about."""
    message = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = _dataset_or_404(request, slug)
    actor = actor_from_request(request)
    errors: dict[str, list[str]] = {}
    try:
        view = build_table(actor=actor, dataset=dataset, params=_params(request))
    except ValidationError as exc:
        errors = exc.errors
        try:
            view = build_table(actor=actor, dataset=dataset, params={})
        except ValidationError as default_exc:
            # Not even the default view can be shown: say why, in plain text (never a 500).
            for field, messages in default_exc.errors.items():
                errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
            return _refusal(ValidationError(errors))
    chart = _chart(view, "chart-dataset", dataset.title)
    return render(
        request,
        "statistics/dataset_detail.html",
        {
            "dataset": dataset,
            "view": view,
            "chart": chart,
            "errors": errors,
            "versions": selectors.version_list(dataset)[:10],
            "max_checkboxes": 30,
            "can_maintain": perms.can_import_version(actor, dataset),
        },
        status=400 if errors else 200,
    )


def dataset_csv(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = _dataset_or_404(request, slug)
    try:
        view = build_table(actor=actor_from_request(request), dataset=dataset, params=_params(request))
    except ValidationError as exc:
        return _refusal(exc)
    header, rows = view.csv(_language())
    return csv_response(f"{dataset.slug}.csv", header, rows)


def _too_large(request: HttpRequest, owners: Any) -> HttpResponse:
    limit_mb = settings.STATISTICS_MAX_UPLOAD_BYTES // (1024 * 1024)
    message = _("The file is larger than %(limit)s MB, the most that can be uploaded.") % {"limit": limit_mb}
    form = StatisticsUploadForm(None, owners=owners)
    context = {"form": form, "size_error": message, "limit_mb": limit_mb}
    return render(request, "statistics/upload.html", context, status=413)


def _owners(actor: Actor) -> Any:
    if is_platform_admin(actor):
        return organisation_list()
    writable = [org_id for org_id in actor.organisation_ids if actor.has_role(org_id, *WRITERS)]
    return organisation_list_for_actor(actor=actor).filter(pk__in=writable)


@csrf_exempt
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """The size limit is applied before anything reads the body (the CSRF check included, which
    runs inside: Django's documented pattern for custom upload handlers)."""
    actor = actor_from_request(request)
    if not perms.can_upload_statistics(actor):
        raise DjangoPermissionDenied
    limit = settings.STATISTICS_MAX_UPLOAD_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        # Refused from the declared length alone: not one byte of the body is read or stored.
        return _too_large(request, _owners(actor))
    handler = SizeLimitUploadHandler(request, limit)
    request.upload_handlers.insert(0, handler)
    return _upload(request, actor, handler)


@csrf_protect
def _upload(request: HttpRequest, actor: Actor, handler: SizeLimitUploadHandler) -> HttpResponse:
    owners = _owners(actor)
    form = StatisticsUploadForm(request.POST or None, request.FILES or None, owners=owners)
    if request.method == "POST" and handler.exceeded:
        return _too_large(request, owners)
    limit_mb = settings.STATISTICS_MAX_UPLOAD_BYTES // (1024 * 1024)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload_file = data["file"]
        try:
            outcome = statistics_import(
                actor=actor,
                data=upload_file.read(),
                format=data["format"],
                filename=upload_file.name,
                dataset_slug=data["dataset"] or "",
                fields=DatasetFields(
                    title_sv=data["title"],
                    title_en=data["title_en"],
                    title_ar=data["title_ar"],
                    source_organisation=data["source_organisation"],
                    source_url=data["source_url"],
                    licence=data["licence"],
                    person_level=data["person_level"],
                    disclosure_threshold=data["threshold"],
                    is_public=not data["internal"],
                    owner_id=data["owner"].pk,
                ),
            )
        except ValidationError as exc:
            form.add_domain_errors(exc, {"title_sv": "title", "disclosure_threshold": "threshold"})
        except DomainError:
            # Another organisation's dataset (internal or not): the same answer either way.
            form.add_error("dataset", _("This short name is taken by another dataset; choose another."))
        else:
            if outcome.unchanged:
                messages.info(
                    request,
                    _("Nothing changed: this table is already version %(number)s of the dataset.")
                    % {"number": outcome.version.number},
                )
            else:
                stored = _("Version %(number)s stored with %(cells)s cells.") % {
                    "number": outcome.version.number,
                    "cells": outcome.version.cell_count,
                }
                # What the reader accepted although the file bends its format (a DATA block
                # without its closing ";", ...): said here, and kept in the list of versions.
                warned = outcome.version.warning_texts()
                if warned:
                    stored = " ".join([stored, str(_("Read with warnings:")), *warned])
                messages.success(request, stored)
            return redirect("statistics:dataset_detail", outcome.dataset.slug)
    return render(request, "statistics/upload.html", {"form": form, "limit_mb": limit_mb})
