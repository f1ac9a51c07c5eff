"""Writes for statistics: importing a table as a new dataset version, with provenance and audit.

An import is one transaction: the file is parsed and checked completely before anything is
written, so a refused or crashed import leaves the database as it was. Importing a table that
is already stored (same content digest) writes nothing and says which version holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.statistics import disclosure_store, importers
from samverkan.statistics import permissions as perms
from samverkan.statistics.cube import Cube, totals_by_data, with_totals
from samverkan.statistics.importers.errors import ImportRefused
from samverkan.statistics.models import Dataset, DatasetVersion
from samverkan.statistics.storage import decode_dimensions, version_fields


@dataclass(frozen=True)
class DatasetFields:
    """What a new dataset says about itself; empty strings are taken from the file's metadata."""

    slug: str = ""
    title_sv: str = ""
    title_en: str = ""
    title_ar: str = ""
    description_sv: str = ""
    description_en: str = ""
    description_ar: str = ""
    source_organisation: str = ""
    table_id: str = ""
    source_url: str = ""
    source_note: str = ""
    caveats_sv: str = ""
    caveats_en: str = ""
    caveats_ar: str = ""
    internal_note: str = ""
    unit: str = ""
    unit_en: str = ""
    unit_ar: str = ""
    licence: str = ""
    person_level: bool = False
    disclosure_threshold: int | None = None
    is_public: bool = True
    owner_id: int | None = None


@dataclass(frozen=True)
class ImportOutcome:
    dataset: Dataset
    version: DatasetVersion
    created_dataset: bool
    unchanged: bool


def import_limits() -> importers.ImportLimits:
    """The platform's limits on one statistics file (settings STATISTICS_MAX_CELLS,
    STATISTICS_MAX_ABSENT_CELLS and STATISTICS_MAX_JSON_BYTES), checked by the readers before they
    allocate the table."""
    return importers.ImportLimits(
        max_cells=settings.STATISTICS_MAX_CELLS,
        max_absent_cells=settings.STATISTICS_MAX_ABSENT_CELLS,
        max_json_bytes=settings.STATISTICS_MAX_JSON_BYTES,
    )


def statistics_import(
    *,
    actor: Actor,
    data: bytes,
    format: str = "auto",
    filename: str = "",
    dataset_slug: str = "",
    fields: DatasetFields | None = None,
    retrieved_at: dt.datetime | None = None,
) -> ImportOutcome:
    """Parse a statistics file (PC-Axis, JSON-stat2, CSV) and store it as a dataset version."""
    if format not in ("auto", *importers.FORMATS):
        raise ValidationError({"format": [_("Unknown format “%(format)s”.") % {"format": format}]})
    try:
        detected = importers.detect_format(data, filename) if format == "auto" else format
        result = importers.read(data, detected, filename=filename, limits=import_limits())
    except ImportRefused as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    return dataset_version_import(
        actor=actor,
        cube=result.cube,
        format=detected,
        warnings=[w.as_dict() for w in result.warnings],
        filename=filename,
        dataset_slug=dataset_slug,
        fields=fields,
        retrieved_at=retrieved_at,
    )


def _dataset_slug(cube: Cube, filename: str, dataset_slug: str, fields: DatasetFields | None) -> str:
    candidates = [dataset_slug, fields.slug if fields else "", cube.meta.table_id, PurePath(filename).stem]
    for candidate in candidates:
        slug = slugify(candidate or "")[:100]
        if slug:
            return slug
    raise ValidationError(
        {"dataset": [_("Give the dataset a short name: the file does not name its table.")]}
    )


# An internal dataset's short name is the chosen one plus "--" and its owner's id ("tab--12"), so
# that it never takes a name someone outside could choose: slugify() folds "--" into "-", so no
# chosen name falls into that space, and uploading under any name says nothing about the internal
# datasets of other organisations (issue #15, item 12).
INTERNAL_MARK = "--"


def _internal_slug(base: str, owner_id: int | None) -> str:
    suffix = f"{INTERNAL_MARK}{owner_id if owner_id is not None else 'platform'}"
    return f"{base[: 100 - len(suffix)].rstrip('-')}{suffix}"


def _existing_dataset(actor: Actor, requested: str, base: str, fields: DatasetFields) -> Dataset | None:
    """The dataset an import adds a version to (locked), or None when it makes a new one.

    Looked for under the requested name as given (an internal dataset's full name), the name in
    the owner's internal space and the plain name; a dataset the actor may not see is never
    found, so its name is as free to them as any unused one."""
    names = [_internal_slug(base, fields.owner_id), base]
    if fields.is_public:
        names.reverse()
    requested = requested.strip().lower()
    if INTERNAL_MARK in requested:
        names.insert(0, requested)
    for name in names:
        dataset = Dataset.objects.select_for_update().filter(slug=name).first()
        if dataset is not None and perms.can_view_dataset(actor, dataset):
            return dataset
    return None


def _listed(codes: list[str], most: int = 6) -> str:
    shown = ", ".join(codes[:most])
    return f"{shown}, … (+{len(codes) - most})" if len(codes) > most else shown


def _check_same_dimensions(dataset: Dataset, cube: Cube) -> None:
    """Refuse a file for an existing dataset (matched by its short name: the table id, MATRIX,
    unless one is given) whose dimensions are not the dataset's, saying which dataset matched, how
    the dimensions differ, and how to import the file as another dataset instead."""
    current = dataset.versions.order_by("-number").only("dimensions").first()
    if current is None:
        return
    known = [d["code"] for d in current.dimensions]
    given = [d.code for d in cube.dimensions]
    added = [code for code in given if code not in known]
    missing = [code for code in known if code not in given]
    if not added and not missing:
        return
    differences = []
    if added:
        differences.append(_("dimensions in the file only: %(codes)s") % {"codes": _listed(added)})
    if missing:
        differences.append(
            _("dimensions of the dataset missing from the file: %(codes)s") % {"codes": _listed(missing)}
        )
    stored = {d.code: d.codes for d in decode_dimensions(current.dimensions)}
    for dim in cube.dimensions:
        if dim.code not in stored:
            continue
        new_codes = [c.code for c in dim.categories if c.code not in stored[dim.code]]
        gone = [c for c in stored[dim.code] if c not in dim.codes]
        if new_codes:
            differences.append(
                _("categories of “%(dimension)s” in the file only: %(codes)s")
                % {"dimension": dim.code, "codes": _listed(new_codes)}
            )
        if gone:
            differences.append(
                _("categories of “%(dimension)s” missing from the file: %(codes)s")
                % {"dimension": dim.code, "codes": _listed(gone)}
            )
    raise ValidationError(
        {
            "file": [
                _(
                    "The file matches the dataset “%(slug)s” (%(title)s), but its dimensions differ "
                    "from the dataset's: %(differences)s. To import it as another dataset, give it a "
                    "short name of its own: --dataset SLUG on the command line, the short-name field "
                    "on the upload page."
                )
                % {"slug": dataset.slug, "title": dataset.title, "differences": "; ".join(differences)}
            ]
        }
    )


def _undeclared_total(cube: Cube) -> tuple[str, str] | None:
    """(dimension, category) of the first category that is not declared a total but holds one
    (``cube.totals_by_data``), or None. A person-level table may not keep one: see
    ``_check_person_level``."""
    found = totals_by_data(cube)
    return found[0] if found else None


def _check_person_level(cube: Cube) -> Cube:
    """Counts of persons are stored without total categories (totals are derived and protected)
    and must be complete, non-negative whole numbers. A category that holds a total without
    being declared one is refused: published beside its parts, it would let a reader difference
    out withheld small counts that the disclosure control (which sees it as one more category)
    cannot know to protect."""
    interior = cube.without_totals()
    limit = settings.STATISTICS_PERSON_LEVEL_MAX_CELLS
    if interior.size > limit:
        raise ValidationError(
            {
                "file": [
                    _(
                        "A person-level table may have at most %(limit)s cells (this one has %(cells)s): "
                        "its disclosure control is computed at import. Split it, e.g. by year."
                    )
                    % {"limit": limit, "cells": interior.size}
                ]
            }
        )
    values = interior.values
    bad = np.flatnonzero(np.isnan(values) | (values < 0) | (values != np.round(values)))
    if bad.size:
        index = int(bad[0])
        combo = np.unravel_index(index, interior.shape)
        where = ", ".join(
            f"{d.code}={d.categories[int(i)].code}" for d, i in zip(interior.dimensions, combo, strict=True)
        )
        value = values.flat[index]
        reason = (
            _("is missing")
            if np.isnan(value)
            else _("is not a count of persons (%(value)s)") % {"value": value}
        )
        raise ValidationError(
            {
                "file": [
                    _("Cell %(where)s %(reason)s; a person-level table needs every count.")
                    % {"where": where, "reason": reason}
                ]
            }
        )
    found = _undeclared_total(interior)
    if found is not None:
        dimension, category = found
        raise ValidationError(
            {
                "file": [
                    _(
                        "The category “%(category)s” of “%(dimension)s” is the sum of the other "
                        "categories in every cell: a total. A person-level table may not hold totals "
                        "as ordinary categories, since the difference between a total and its parts "
                        "would reveal withheld small counts. Declare it as the total (in the plain "
                        "CSV: a column “%(dimension)s.total” with “yes” on its rows) so that it is "
                        "left out and derived, or remove its rows."
                    )
                    % {"category": category, "dimension": dimension}
                ]
            }
        )
    return interior


def dataset_version_import(
    *,
    actor: Actor,
    cube: Cube,
    format: str,
    filename: str = "",
    dataset_slug: str = "",
    fields: DatasetFields | None = None,
    retrieved_at: dt.datetime | None = None,
    warnings: list[dict[str, object]] | None = None,
) -> ImportOutcome:
    """Store a parsed table as the next version of its dataset (creating the dataset if new).
    ``warnings`` are the reader's (``ParseWarning.as_dict()``), kept on the version."""
    slug = _dataset_slug(cube, filename, dataset_slug, fields)
    fields = fields or DatasetFields()
    with transaction.atomic(durable=True):
        dataset = _existing_dataset(actor, dataset_slug or fields.slug, slug, fields)
        created = dataset is None
        if dataset is None:
            if not fields.is_public:
                slug = _internal_slug(slug, fields.owner_id)
            elif Dataset.objects.filter(slug=slug).exists():
                # An internal dataset stored before internal names had their own space.
                raise NotFound()
            dataset = _new_dataset(actor, slug, cube, fields)
        elif not perms.can_import_version(actor, dataset):
            raise PermissionDenied()
        else:
            _check_same_dimensions(dataset, cube)
        # An aggregate keeps its total categories, each marked as such (declared, or known by
        # its code, label or figures: ``cube.find_totals``) so that no view sums over them.
        stored = _check_person_level(cube) if dataset.person_level else with_totals(cube)
        digest = stored.content_sha256()
        existing = dataset.versions.filter(content_sha256=digest).defer("values", "suppression").first()
        if existing is not None:
            return ImportOutcome(dataset, existing, created_dataset=False, unchanged=True)
        number = (dataset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = DatasetVersion(
            dataset=dataset,
            number=number,
            format=format,
            filename=PurePath(filename).name[:255],
            retrieved_at=retrieved_at,
            source_updated=stored.meta.updated[:50],
            imported_by=actor.user if actor.is_authenticated else None,
            warnings=list(warnings or []),
            **version_fields(stored),
        )
        if dataset.person_level:
            disclosure_store.protect_version(version, stored, dataset.threshold)
        try:
            with transaction.atomic():
                version.save()
        except IntegrityError as exc:  # a concurrent import of the same table won the race
            raise ValidationError(
                {"file": [_("This table was imported at the same moment; try again.")]}
            ) from exc
        audit.record(
            actor=actor,
            code="statistics.version.imported",
            obj=version,
            organisation_id=dataset.owner_id,
            data={
                "dataset": dataset.slug,
                "version": number,
                "cells": version.cell_count,
                "format": format,
                "filename": version.filename,
                "sha256": digest,
            },
        )
    return ImportOutcome(dataset, version, created_dataset=created, unchanged=False)


def _new_dataset(actor: Actor, slug: str, cube: Cube, fields: DatasetFields) -> Dataset:
    if not perms.can_create_dataset(actor, fields.owner_id):
        raise PermissionDenied()
    meta = cube.meta
    dataset = Dataset(
        slug=slug,
        # The Swedish title, else the one in the file's main language (a Finnish-only file has no
        # English title either), else any.
        title_sv=(fields.title_sv or meta.in_language("sv", meta.language))[:300],
        title_en=(fields.title_en or meta.title_en)[:300],
        title_ar=(fields.title_ar or meta.title_ar)[:300],
        description_sv=fields.description_sv,
        description_en=fields.description_en,
        description_ar=fields.description_ar,
        source_organisation=(fields.source_organisation or meta.source)[:200],
        table_id=(fields.table_id or meta.table_id)[:100],
        source_url=fields.source_url,
        source_note=fields.source_note or meta.notes,
        caveats_sv=fields.caveats_sv,
        caveats_en=fields.caveats_en,
        caveats_ar=fields.caveats_ar,
        internal_note=fields.internal_note,
        unit=(fields.unit or meta.unit)[:100],
        unit_en=fields.unit_en[:100],
        unit_ar=fields.unit_ar[:100],
        licence=(fields.licence or meta.licence)[:100],
        person_level=fields.person_level,
        disclosure_threshold=fields.disclosure_threshold,
        is_public=fields.is_public,
        owner_id=fields.owner_id,
    )
    errors: dict[str, list[str]] = {}
    if not dataset.title_sv:
        errors["title_sv"] = [_("The file has no title; give the dataset one.")]
    if not dataset.source_organisation:
        errors["source_organisation"] = [_("The file names no source; say where the figures come from.")]
    if dataset.disclosure_threshold is not None and dataset.disclosure_threshold < 1:
        errors["disclosure_threshold"] = [_("The threshold must be at least 1.")]
    if errors:
        raise ValidationError(errors)
    dataset.save()
    audit.record(
        actor=actor,
        code="statistics.dataset.created",
        obj=dataset,
        organisation_id=dataset.owner_id,
        data={"slug": slug, "person_level": dataset.person_level, "public": dataset.is_public},
    )
    return dataset


def dataset_threshold_set(*, actor: Actor, dataset: Dataset, threshold: int | None) -> Dataset:
    """Change a dataset's suppression threshold (``None``: the platform default) and re-protect its
    versions for it at once: what was published stays the attacker's, so raising the threshold
    protects against it and lowering it publishes nothing more (``disclosure_store``)."""
    if not perms.can_set_threshold(actor, dataset):
        raise PermissionDenied()
    if threshold is not None and not 1 <= int(threshold) <= 100:
        raise ValidationError({"disclosure_threshold": [_("Choose a threshold from 1 to 100.")]})
    # Not durable: the admin's change form calls it inside its own transaction.
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        before = locked.threshold
        locked.disclosure_threshold = threshold
        locked.save(update_fields=["disclosure_threshold"])
        changed = disclosure_store.reprotect_dataset(locked) if locked.person_level else []
        audit.record(
            actor=actor,
            code="statistics.dataset.threshold_changed",
            obj=locked,
            organisation_id=locked.owner_id,
            data={"from": before, "to": locked.threshold, "versions": [v.number for v in changed]},
        )
    dataset.disclosure_threshold = threshold
    return locked


# What a dataset says about itself in words, in each language; never its figures.
TEXT_FIELDS = (
    "title_sv",
    "title_en",
    "title_ar",
    "description_sv",
    "description_en",
    "description_ar",
    "source_organisation",
    "source_note",
    "caveats_sv",
    "caveats_en",
    "caveats_ar",
    "internal_note",
    "unit",
    "unit_en",
    "unit_ar",
)


def dataset_texts_set(*, actor: Actor, dataset: Dataset, fields: DatasetFields) -> list[str]:
    """Bring a dataset's titles, descriptions, notes and units in line with ``fields`` (an empty
    text in ``fields`` leaves the stored one); returns the names of the fields changed. The demo
    loader uses it so that a re-run puts corrected texts in place."""
    if not perms.can_import_version(actor, dataset):
        raise PermissionDenied()
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        changed = []
        for name in TEXT_FIELDS:
            field = Dataset._meta.get_field(name)
            wanted = getattr(fields, name)[: getattr(field, "max_length", None)]
            if wanted and getattr(locked, name) != wanted:
                setattr(locked, name, wanted)
                changed.append(name)
        if not changed:
            return []
        locked.save(update_fields=changed)
        audit.record(
            actor=actor,
            code="statistics.dataset.texts_changed",
            obj=locked,
            organisation_id=locked.owner_id,
            data={"slug": locked.slug, "fields": changed},
        )
    for name in changed:
        setattr(dataset, name, getattr(locked, name))
    return changed
