"""Open data API: /api/v1/statistics/... lists datasets and returns their figures, filtered by
dimension, as JSON or CSV. Person-level datasets answer with disclosure control applied, exactly
as the pages do (the same selector).

Filters are query parameters named after a dataset's dimensions, with category codes repeated
or comma-separated (``?sex=1,2&year=2023``); ``keep`` lists the dimensions to keep (the rest are
totalled), ``format`` is json or csv, ``lang`` the language of the ``label`` fields (sv, en, ar
or any other language the table carries; by default the request's language). Every label the
table has is in ``labels`` ({language: text}); ``label_sv``/``label_en``/``label_ar`` stay as
they were.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router

from samverkan.accounts.api import OPTIONAL_AUTH, PUBLIC, actor_of
from samverkan.core.errors import ValidationError
from samverkan.core.export import csv_response
from samverkan.statistics import selectors
from samverkan.statistics.cube import OWN_LANGUAGES, Category, Dimension, language_code
from samverkan.statistics.models import Dataset
from samverkan.statistics.schemas import (
    CompositionResult,
    DatasetDetailOut,
    DatasetOut,
    ObservationFormat,
    ObservationsOut,
)

router = Router(tags=["statistics"], auth=OPTIONAL_AUTH)
RESERVED = frozenset({"format", "keep", "dimensions", "lang"})


def _category(c: Category, language: str, main: str) -> dict[str, Any]:
    return {
        "code": c.code,
        "label_sv": c.label_sv,
        "label_en": c.label_en,
        "label_ar": c.label_ar,
        "label": c.label(language, main),
        "labels": c.texts(),
    }


def _dimension(dim: Dimension, language: str = "sv", main: str = "") -> dict[str, Any]:
    return {
        "code": dim.code,
        "label_sv": dim.label_sv,
        "label_en": dim.label_en,
        "label_ar": dim.label_ar,
        "label": dim.label(language, main),
        "labels": dim.texts(),
        "role": dim.role,
        "total": dim.total,
        "categories": [_category(c, language, main) for c in dim.categories],
    }


def _language(request: HttpRequest, dimensions: tuple[Dimension, ...]) -> str:
    """The language of the ``label`` fields: ``lang`` when given (sv, en, ar or a language the
    table carries, else 422 naming ``lang``), else the request's language."""
    given = request.GET.get("lang")
    if given is None:
        return language_code(get_language()) or "sv"
    code = language_code(given)
    carried = set(OWN_LANGUAGES).union(*(d.languages() for d in dimensions))
    if code not in carried and code.split("-", 1)[0] not in carried:
        raise ValidationError(
            {
                "lang": [
                    _("“%(lang)s” is not a language of this table: give one of %(languages)s.")
                    % {"lang": given, "languages": ", ".join(sorted(carried))}
                ]
            }
        )
    return code


def _main_language(version: Any) -> str:
    # The source's main language (PC-Axis LANGUAGE), which labels fall back to after Swedish.
    meta = getattr(version, "meta", None)
    return str(meta.get("language") or "") if isinstance(meta, dict) else ""


def _dataset(dataset: Dataset, number: int) -> dict[str, Any]:
    # The public fields only: the internal note is for those who maintain the dataset.
    fields = [
        "slug",
        "title_sv",
        "title_en",
        "title_ar",
        "description_sv",
        "description_en",
        "description_ar",
        "source_organisation",
        "table_id",
        "source_url",
        "source_note",
        "caveats_sv",
        "caveats_en",
        "caveats_ar",
        "unit",
        "unit_en",
        "unit_ar",
        "licence",
        "person_level",
        "is_public",
    ]
    return {**{name: getattr(dataset, name) for name in fields}, "current_version": number}


def _codes(values: list[str]) -> list[str]:
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def _filters(request: HttpRequest) -> dict[str, list[str]]:
    """The dimension filters of the query string (checked by ``selectors.table_for``); a reserved
    parameter given twice is refused rather than one of its values silently taken."""
    for name in sorted(RESERVED):
        if len(request.GET.getlist(name)) > 1:
            raise ValidationError({name: [_("Give “%(name)s” once.") % {"name": name}]})
    return {key: _codes(request.GET.getlist(key)) for key in request.GET if key not in RESERVED}


@router.get("/statistics/datasets", response=list[DatasetOut], openapi_extra=PUBLIC)
def dataset_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every dataset the caller may see, with its provenance and current version."""
    actor = actor_of(request)
    return [
        _dataset(dataset, selectors.current_version(dataset).number)
        for dataset in selectors.dataset_list_for(actor=actor)
    ]


@router.get("/statistics/datasets/{slug}", response=DatasetDetailOut, openapi_extra=PUBLIC)
def dataset_detail(request: HttpRequest, slug: str, lang: str | None = None) -> dict[str, Any]:
    """One dataset: provenance, dimensions with their coded categories (labelled in ``lang``,
    and in every language the table carries), and its versions."""
    dataset = selectors.dataset_get_for(actor=actor_of(request), slug=slug)
    version = selectors.current_version(dataset)
    dimensions = selectors.dataset_dimensions(dataset)
    language = _language(request, dimensions)
    main = _main_language(version)
    return {
        **_dataset(dataset, version.number),
        "dimensions": [_dimension(d, language, main) for d in dimensions],
        "versions": list(selectors.version_list(dataset)),
    }


@router.get(
    "/statistics/datasets/{slug}/observations",
    response=ObservationsOut,
    openapi_extra=PUBLIC,
)
def observations(
    request: HttpRequest,
    slug: str,
    format: ObservationFormat = "json",
    keep: str = "",
    lang: str | None = None,
) -> HttpResponse | dict[str, Any]:
    """The figures, filtered by dimension; dimensions not in ``keep`` (comma-separated; empty
    keeps all) are totalled: by their total category where they have one, else summed — except
    figures that may not be added up (percentages, rates, averages, medians, indices, shares, the
    measures of a contents dimension): of those one category is shown, listed in ``fixed``, and
    a filter of several categories is refused (422). Filter with query parameters named after
    the dataset's dimensions, category codes repeated or comma-separated (``?sex=1,2``).
    Withheld figures (disclosure control) have value null and status "x"; missing ones the
    source's symbol ("..")."""
    actor = actor_of(request)
    dataset = selectors.dataset_get_for(actor=actor, slug=slug)
    language = _language(request, selectors.dataset_dimensions(dataset))
    keep_codes = _codes([keep]) or None
    table = selectors.table_for(actor=actor, dataset=dataset, filters=_filters(request), keep=keep_codes)
    cube = table.cube
    codes = [d.code for d in cube.dimensions]
    rows = [
        {**dict(zip(codes, combo, strict=True)), "value": value, "status": status}
        for combo, value, status in cube.rows()
    ]
    withheld = table.suppressed_count
    if format == "csv":
        return csv_response(
            f"{dataset.slug}.csv",
            [*codes, "value", "status"],
            (
                [*(r[c] for c in codes), "" if r["value"] is None else _plain(r["value"]), r["status"] or ""]
                for r in rows
            ),
        )
    return {
        "dataset": dataset.slug,
        "version": table.version.number,
        "dimensions": [_dimension(d, language, cube.meta.language) for d in cube.dimensions],
        "observations": rows,
        "withheld": withheld,
        "fixed": table.fixed,
    }


def _plain(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


@router.get("/statistics/datasets/{slug}/composition", response=CompositionResult, openapi_extra=PUBLIC)
def composition(request: HttpRequest, slug: str, dimensions: str, lang: str | None = None) -> dict[str, Any]:
    """Target shares per category of each dimension to mirror (comma-separated ``dimensions``),
    over the cells chosen by the dimension filters — e.g. the quotas of a representative panel."""
    actor = actor_of(request)
    dataset = selectors.dataset_get_for(actor=actor, slug=slug)
    filters = _filters(request)
    language = _language(request, selectors.dataset_dimensions(dataset))
    main = _main_language(selectors.current_version(dataset))
    codes = _codes([dimensions])
    if not codes:
        raise ValidationError({"dimensions": ["Name at least one dimension."]})
    result = selectors.composition_for(actor=actor, dataset=dataset, dimensions=codes, filters=filters)
    return {
        "dataset": dataset.slug,
        "version": selectors.current_version(dataset).number,
        "filters": filters,
        "dimensions": [
            {
                "code": c.dimension.code,
                "label_sv": c.dimension.label_sv,
                "label_en": c.dimension.label_en,
                "label_ar": c.dimension.label_ar,
                "label": c.dimension.label(language, main),
                "labels": c.dimension.texts(),
                "total": c.total,
                "shares": [_share(s.__dict__, c.dimension, language, main) for s in c.shares],
            }
            for c in result
        ],
    }


def _share(share: dict[str, Any], dimension: Dimension, language: str, main: str) -> dict[str, Any]:
    # A share with its category's label in ``language`` and in every language the table carries.
    found = next((c for c in dimension.categories if c.code == share["code"]), None)
    if found is None:
        return share
    return {**share, "label": found.label(language, main), "labels": found.texts()}
