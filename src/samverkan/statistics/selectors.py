"""Reads for statistics, scoped to the actor. Every figure leaves through ``table_for``, which
applies disclosure control to person-level datasets: no other read returns their cells."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.organisations.permissions import is_platform_admin
from samverkan.statistics import disclosure_store, measures
from samverkan.statistics import permissions as perms
from samverkan.statistics.cube import Cube, Dimension, NotAdditive, fixed_categories
from samverkan.statistics.disclosure import DisclosureError
from samverkan.statistics.models import Dataset, DatasetVersion
from samverkan.statistics.storage import version_cube, version_dimensions

logger = logging.getLogger(__name__)

SUPPRESSED = "x"
"""Status symbol of a cell withheld by disclosure control (as Statistics Canada marks it)."""


def dataset_list_for(*, actor: Actor) -> QuerySet[Dataset]:
    datasets = Dataset.objects.filter(versions__isnull=False).distinct()
    if actor.is_system or is_platform_admin(actor):
        return datasets
    return datasets.filter(Q(is_public=True) | Q(owner_id__in=actor.organisation_ids))


def dataset_get_for(*, actor: Actor, slug: str) -> Dataset:
    dataset = Dataset.objects.select_related("owner").filter(slug=slug).first()
    if dataset is None or not perms.can_view_dataset(actor, dataset):
        raise NotFound()
    return dataset


def version_list(dataset: Dataset) -> QuerySet[DatasetVersion]:
    return dataset.versions.defer("values", "suppression").select_related("imported_by")


def current_version(dataset: Dataset) -> DatasetVersion:
    version = version_list(dataset).order_by("-number").first()
    if version is None:
        raise NotFound()
    return version


def dataset_dimensions(dataset: Dataset) -> tuple[Dimension, ...]:
    return version_dimensions(current_version(dataset))


@dataclass(frozen=True)
class PublishedTable:
    dataset: Dataset
    version: DatasetVersion
    cube: Cube
    # Dimension → the one category shown because its figures may not be added up.
    fixed: dict[str, str] = field(default_factory=dict)

    @property
    def suppressed_count(self) -> int:
        return sum(1 for symbol in self.cube.status.values() if symbol == SUPPRESSED)


def _selection(cube: Cube, filters: Mapping[str, Sequence[str]]) -> list[list[int] | None]:
    """Category positions per dimension (None: every category) for ``filters`` (dimension code →
    category codes), which come from a request: every way they can be wrong is a ValidationError
    keyed by the parameter (the dimension's code), never an error further down."""
    known = {d.code: d for d in cube.dimensions}
    for code in filters:
        if code not in known:
            raise ValidationError(
                {
                    code: [
                        _("Unknown dimension “%(code)s”; the dataset has %(known)s.")
                        % {"code": code[:100], "known": ", ".join(known)}
                    ]
                }
            )
    selection: list[list[int] | None] = []
    for dim in cube.dimensions:
        wanted = filters.get(dim.code)
        if wanted is None:
            selection.append(None)
            continue
        index = {category.code: i for i, category in enumerate(dim.categories)}
        positions: list[int] = []
        seen: set[int] = set()
        for code in wanted:
            if not code:
                raise ValidationError(
                    {dim.code: [_("An empty value was given for “%(dimension)s”.") % {"dimension": dim.code}]}
                )
            position = index.get(code)
            if position is None:
                raise ValidationError(
                    {
                        dim.code: [
                            _("“%(value)s” is not a category of “%(dimension)s”.")
                            % {"value": code[:100], "dimension": dim.code}
                        ]
                    }
                )
            if position in seen:
                raise ValidationError(
                    {
                        dim.code: [
                            _("The category “%(value)s” of “%(dimension)s” is given more than once.")
                            % {"value": code, "dimension": dim.code}
                        ]
                    }
                )
            seen.add(position)
            positions.append(position)
        if not positions:
            raise ValidationError({dim.code: [_("Choose at least one category.")]})
        selection.append(positions)
    return selection


def _published(
    version: DatasetVersion, cube: Cube, selection: list[list[int] | None], sum_axes: list[int]
) -> np.ndarray:
    """The disclosure-controlled figures of a person-level view. ``_selection`` has checked the
    request, so the disclosure package should have nothing to refuse; if it still does, the
    answer is a refusal of the request (never a server error, whose debug page would show the
    unprotected table)."""
    try:
        return disclosure_store.published_values(version, cube, selection, sum_axes)
    except DisclosureError as exc:
        logger.warning("Disclosure control refused a view of dataset version %s: %s", version.pk, exc)
        raise ValidationError({"__all__": [_("These figures cannot be shown for this selection.")]}) from None


def table_for(
    *,
    actor: Actor,
    dataset: Dataset,
    filters: Mapping[str, Sequence[str]] | None = None,
    keep: Sequence[str] | None = None,
    choose: bool = True,
) -> PublishedTable:
    """The figures the actor may see: the cells chosen by ``filters`` (dimension → category
    codes), with every dimension not in ``keep`` totalled (all dimensions kept when None).

    A dimension not kept is reduced by its total category when it has one, else summed — but
    figures that may not be added up (``cube.summable``) never are: with ``choose``, a dimension
    left unfiltered shows one category (``cube.fixed_categories``; listed in ``fixed``), and a
    filter of several categories is refused naming the dimension."""
    if not perms.can_view_dataset(actor, dataset):
        raise NotFound()
    version = current_version(dataset)
    cube = version_cube(version)
    filters = dict(filters or {})
    selection = _selection(cube, filters)
    keep_codes = list(keep) if keep is not None else [d.code for d in cube.dimensions]
    for code in keep_codes:
        if code not in {d.code for d in cube.dimensions}:
            raise ValidationError({"keep": [_("Unknown dimension “%(code)s”.") % {"code": code}]})
    if not keep_codes:
        raise ValidationError({"keep": [_("Keep at least one dimension.")]})
    if len(set(keep_codes)) != len(keep_codes):
        raise ValidationError({"keep": [_("Name each dimension to keep once.")]})
    size = 1
    for dim, chosen in zip(cube.dimensions, selection, strict=True):
        if dim.code in keep_codes:
            size *= len(chosen) if chosen is not None else len(dim.categories)
    if size > settings.STATISTICS_MAX_CELLS_PER_REQUEST:
        raise ValidationError(
            {
                "__all__": [
                    _("The selection holds %(cells)s cells; choose fewer categories (at most %(limit)s).")
                    % {"cells": size, "limit": settings.STATISTICS_MAX_CELLS_PER_REQUEST}
                ]
            }
        )
    if not dataset.person_level:
        fixed: dict[str, str] = {}
        if keep is not None and choose:
            # Figures that may not be added up (percentages, different measures, ...): one
            # category of each dimension not filtered, said in the answer (``fixed``).
            fixed = {
                code: category
                for code, category in fixed_categories(cube, keep_codes, filters).items()
                if code not in filters
            }
        selected = cube.select({**filters, **{code: [category] for code, category in fixed.items()}})
        try:
            result = selected if keep is None else selected.total(keep_codes)
        except NotAdditive as exc:
            raise ValidationError({exc.dimension: [measures.not_additive(exc.dimension, exc.why)]}) from None
        return PublishedTable(dataset, version, result, fixed)

    # Person-level: the values come from the disclosure-controlled publication rule only.
    axes_keep = [cube.axis(code) for code in keep_codes]
    sum_axes = [i for i in range(len(cube.dimensions)) if i not in axes_keep]
    values = _published(version, cube, selection, sum_axes)
    remaining = [i for i in range(len(cube.dimensions)) if i not in sum_axes]
    values = np.transpose(values, [remaining.index(a) for a in axes_keep])
    dims = []
    for axis in axes_keep:
        dim = cube.dimensions[axis]
        chosen = selection[axis]
        if chosen is not None:
            dim = replace(dim, categories=tuple(dim.categories[i] for i in chosen))
        dims.append(dim)
    status = {int(i): SUPPRESSED for i in np.flatnonzero(np.isnan(values))}
    return PublishedTable(dataset, version, Cube(tuple(dims), values, status, cube.meta))


def view_choices(
    dataset: Dataset, keep: Sequence[str], filters: Mapping[str, Sequence[str]]
) -> tuple[str, dict[str, str]]:
    """(why the figures may not be added up, or ""; dimension → the one category a view that
    keeps ``keep`` shows of each dimension it may not sum over). Decided on the table's shape
    and texts only: no figure leaves here."""
    cube = version_cube(current_version(dataset))
    if dataset.person_level:
        return "", {}  # counts of persons: totals are derived under disclosure control
    usable = {
        dim.code: [code for code in filters[dim.code] if code in dim.codes]
        for dim in cube.dimensions
        if filters.get(dim.code)
    }
    usable = {code: codes for code, codes in usable.items() if codes}
    fixed = fixed_categories(cube, keep, usable)
    # What the figures shown are: the table narrowed to the measure shown, if there are several.
    shown = cube.select({**usable, **{code: [category] for code, category in fixed.items()}})
    return shown.measure, fixed


@dataclass(frozen=True)
class Share:
    code: str
    label_sv: str
    label_en: str
    count: float | None
    share: float | None
    label_ar: str = ""


@dataclass(frozen=True)
class Composition:
    dimension: Dimension
    total: float | None
    shares: tuple[Share, ...]

    @property
    def complete(self) -> bool:
        return all(s.share is not None for s in self.shares)


def composition_for(
    *,
    actor: Actor,
    dataset: Dataset,
    dimensions: Sequence[str],
    filters: Mapping[str, Sequence[str]] | None = None,
) -> list[Composition]:
    """Target shares per category of each dimension to mirror (e.g. a panel's quotas), over the
    filtered cells (e.g. the last five years). Withheld counts have no share; the shares of the
    rest are still of the full total, so they never add up to a withheld figure's exact value
    unless the total itself is published."""
    if not perms.can_view_dataset(actor, dataset):
        raise NotFound()
    if not dimensions:
        raise ValidationError({"dimensions": [_("Choose at least one dimension to mirror.")]})
    known = [d.code for d in dataset_dimensions(dataset)]
    for code in dimensions:
        if code not in known:
            raise ValidationError(
                {
                    "dimensions": [
                        _("Unknown dimension “%(code)s”; the dataset has %(known)s.")
                        % {"code": code[:100], "known": ", ".join(known)}
                    ]
                }
            )
    if len(set(dimensions)) != len(dimensions):
        raise ValidationError({"dimensions": [_("Name each dimension to mirror once.")]})
    measure = version_cube(current_version(dataset)).measure
    if measure:
        raise ValidationError(
            {
                "dimensions": [
                    _(
                        "The figures of this dataset are %(kind)s, not counts: they cannot be divided into "
                        "shares of a whole. Mirror a dataset of counts (of persons, for a panel)."
                    )
                    % {"kind": measures.kind_text(measure)}
                ]
            }
        )
    result = []
    for code in dimensions:
        table = table_for(actor=actor, dataset=dataset, filters=filters, keep=[code], choose=False).cube
        dim = table.dimensions[0]
        counts = [None if np.isnan(v) else float(v) for v in table.values.tolist()]
        rows = [
            (category, count)
            for category, count in zip(dim.categories, counts, strict=True)
            if category.code != dim.total
        ]
        if dim.total:
            total_value = counts[dim.position(dim.total)]
        elif all(c is not None for _cat, c in rows):
            total_value = float(sum(c for _cat, c in rows if c is not None))
        elif dataset.person_level:
            total_value = _grand_total(actor, dataset, filters)
        else:
            total_value = None  # a missing source cell leaves the total unknown
        shares = tuple(
            Share(
                code=category.code,
                label_sv=category.label_sv,
                label_en=category.label_en,
                label_ar=category.label_ar,
                count=count,
                share=(count / total_value) if count is not None and total_value else None,
            )
            for category, count in rows
        )
        result.append(Composition(dimension=dim, total=total_value, shares=shares))
    return result


def _grand_total(actor: Actor, dataset: Dataset, filters: Mapping[str, Sequence[str]] | None) -> float | None:
    version = current_version(dataset)
    cube = version_cube(version)
    selection = _selection(cube, dict(filters or {}))
    value = _published(version, cube, selection, list(range(len(cube.dimensions))))
    total = float(np.asarray(value).reshape(-1)[0])
    return None if np.isnan(total) else total


THEME_DATASETS = {"asylum_seekers": ("asylum-seekers",), "forecasts": ("asylum-seekers", "asylum-forecasts")}
"""The datasets each theme page (``statistics:<theme>``) shows; without them the page is a 404."""


def themes_available(*, actor: Actor) -> set[str]:
    """The theme pages ``actor`` can open, so that pages link only to those (a new platform has
    no datasets until they are imported)."""
    slugs = set(dataset_list_for(actor=actor).values_list("slug", flat=True))
    return {theme for theme, needed in THEME_DATASETS.items() if slugs.issuperset(needed)}
