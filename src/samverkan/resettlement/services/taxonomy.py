"""The needs taxonomy: the version in force, and new dated versions that change or add an entry."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.resettlement import permissions as perms
from samverkan.resettlement import selectors
from samverkan.resettlement.models import NeedDefinition, Service, TaxonomyVersion
from samverkan.resettlement.taxonomy import SHIPPED_NOTE, shipped_entries, top_level

SUBCODE = re.compile(r"[A-Z]{2}-[A-Z]{2,3}")


def _changed_meanwhile() -> str:
    return _("Someone changed the definitions meanwhile. Reload the page and make your change again.")


def _entry_errors(
    label_sv: str, label_en: str, definition_sv: str, definition_en: str, services: Sequence[str], note: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value in (
        ("label_sv", label_sv),
        ("label_en", label_en),
        ("definition_sv", definition_sv),
        ("definition_en", definition_en),
        ("note", note),
    ):
        if not value.strip():
            errors[name] = [_("This field is required.")]
    unknown = [s for s in services if s not in Service.values]
    if unknown:
        errors["services"] = [_("Unknown service: %(s)s.") % {"s": ", ".join(unknown)}]
    return errors


def taxonomy_current() -> TaxonomyVersion:
    """The version in force, for a write that records it. The shipped version 1 is loaded by a
    migration; a database emptied since (a flush) gets it again here, so a write always has a
    definition to name (reads never write: ``selectors.taxonomy_current``)."""
    version = TaxonomyVersion.objects.current()
    if version is not None:
        return version
    with transaction.atomic():
        version, created = TaxonomyVersion.objects.get_or_create(number=1, defaults={"note": SHIPPED_NOTE})
        if created:
            NeedDefinition.objects.bulk_create(
                NeedDefinition(version=version, **entry) for entry in shipped_entries()
            )
    return version


def _locked_current(base_version: int | None) -> TaxonomyVersion:
    """The current version, row-locked: concurrent edits wait, and the later one then finds that
    the version it was based on is no longer current."""
    current = TaxonomyVersion.objects.select_for_update().get(pk=taxonomy_current().pk)
    if (base_version is not None and base_version != current.number) or TaxonomyVersion.objects.filter(
        number__gt=current.number
    ).exists():
        raise ValidationError({"__all__": [_changed_meanwhile()]})
    return current


def _save_version(
    actor: Actor, current: TaxonomyVersion, note: str, rows: list[dict[str, object]]
) -> TaxonomyVersion:
    version = TaxonomyVersion.objects.create(
        number=current.number + 1,
        note=note.strip(),
        created_by=actor.user if actor.is_authenticated else None,
    )
    NeedDefinition.objects.bulk_create(
        [NeedDefinition(version=version, position=i, **row) for i, row in enumerate(rows)]
    )
    return version


ENTRY_FIELDS = (
    "kind",
    "code",
    "parent",
    "applies_to",
    "label_sv",
    "label_en",
    "label_ar",
    "definition_sv",
    "definition_en",
    "definition_ar",
    "services",
)


def taxonomy_update(
    *,
    actor: Actor,
    code: str,
    label_sv: str,
    label_en: str,
    definition_sv: str,
    definition_en: str,
    services: Sequence[str],
    note: str,
    label_ar: str | None = None,
    definition_ar: str | None = None,
    base_version: int | None = None,
) -> TaxonomyVersion:
    """Change one entry: the whole taxonomy is copied into a new dated version with the change, so
    every earlier version stays as it was (placements and follow-ups name the version they used).
    The Arabic name and definition may be empty (Arabic pages then show the Swedish ones); left
    out (None), they stay as they were."""
    scope = selectors.scope_for(actor)
    if not perms.can_edit_taxonomy(actor, scope):
        raise NotFound
    errors = _entry_errors(label_sv, label_en, definition_sv, definition_en, services, note)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        current = _locked_current(base_version)
        entries = list(current.entries.order_by("position"))
        target = next((e for e in entries if e.code == code), None)
        if target is None:
            raise NotFound
        changed = {
            "label_sv": label_sv.strip(),
            "label_en": label_en.strip(),
            "label_ar": target.label_ar if label_ar is None else label_ar.strip(),
            "definition_sv": definition_sv.strip(),
            "definition_en": definition_en.strip(),
            "definition_ar": target.definition_ar if definition_ar is None else definition_ar.strip(),
            "services": list(dict.fromkeys(services)),
        }
        before = {k: getattr(target, k) for k in changed}
        if before == changed:
            raise ValidationError({"__all__": [_("Nothing was changed.")]})
        rows = [
            {**{k: getattr(e, k) for k in ENTRY_FIELDS}, **(changed if e.code == code else {})}
            for e in entries
        ]
        version = _save_version(actor, current, note, rows)
        audit.record(
            actor=actor,
            code="resettlement.taxonomy.changed",
            obj=version,
            organisation_id=scope.agency_id,
            data={
                "version": version.number,
                "entry": code,
                "before": before,
                "after": changed,
                "note": note.strip(),
            },
        )
    return version


def taxonomy_add(
    *,
    actor: Actor,
    parent: str,
    code: str,
    label_sv: str,
    label_en: str,
    definition_sv: str,
    definition_en: str,
    services: Sequence[str],
    note: str,
    label_ar: str = "",
    definition_ar: str = "",
    base_version: int | None = None,
) -> TaxonomyVersion:
    """Add a sub-code under one of the needs (a broader definition, as municipalities asked for):
    a new dated version with the entry after its siblings. Top-level needs stay UNHCR's eleven, the
    codes reception numbers and the optimizer count service places by. The sub-code applies to
    whom its need applies to (children, adults or anyone)."""
    scope = selectors.scope_for(actor)
    if not perms.can_edit_taxonomy(actor, scope):
        raise NotFound
    errors = _entry_errors(label_sv, label_en, definition_sv, definition_en, services, note)
    code = code.strip().upper()
    if not SUBCODE.fullmatch(code) or top_level(code) != parent:
        errors["code"] = [_("Give a sub-code of %(parent)s, like %(parent)s-XX.") % {"parent": parent}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        current = _locked_current(base_version)
        entries = list(current.entries.order_by("position"))
        need = next((e for e in entries if e.code == parent and e.kind == "need"), None)
        if need is None:
            raise ValidationError({"parent": [_("Choose one of the needs.")]})
        if any(e.code == code for e in entries):
            raise ValidationError({"code": [_("The code %(code)s already exists.") % {"code": code}]})
        rows = [{k: getattr(e, k) for k in ENTRY_FIELDS} for e in entries]
        after = max(i for i, e in enumerate(entries) if parent in (e.code, e.parent))
        new = {
            "kind": "subneed",
            "code": code,
            "parent": parent,
            "applies_to": need.applies_to,
            "label_sv": label_sv.strip(),
            "label_en": label_en.strip(),
            "label_ar": label_ar.strip(),
            "definition_sv": definition_sv.strip(),
            "definition_en": definition_en.strip(),
            "definition_ar": definition_ar.strip(),
            "services": list(dict.fromkeys(services)),
        }
        rows.insert(after + 1, new)
        version = _save_version(actor, current, note, rows)
        audit.record(
            actor=actor,
            code="resettlement.taxonomy.added",
            obj=version,
            organisation_id=scope.agency_id,
            data={"version": version.number, "entry": code, "after": new, "note": note.strip()},
        )
    return version
