"""Reception numbers: a municipality's places for a year, set by hand or imported from a file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.organisations.models import Municipality
from samverkan.resettlement import explain, selectors
from samverkan.resettlement import permissions as perms
from samverkan.resettlement.models import Reception
from samverkan.resettlement.optimizer import NEED_CODES
from samverkan.resettlement.optimizer.files import (
    MAX_NUMBER,
    InputError,
    parse_municipalities,
    parse_need_slots,
)

from ._common import _year


def _check_slots(slots: Mapping[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for code, value in slots.items():
        if code not in NEED_CODES:
            raise ValidationError({"need_slots": [_("Unknown need code %(code)s.") % {"code": code}]})
        if value < 0:
            raise ValidationError(
                {"need_slots": [_("%(code)s: the number cannot be negative.") % {"code": code}]}
            )
        if value > MAX_NUMBER:
            raise ValidationError(
                {"need_slots": [_("The number can be at most %(max)s.") % {"max": MAX_NUMBER}]}
            )
        if value:
            out[code] = int(value)
    return out


def reception_set(
    *,
    actor: Actor,
    municipality_code: str,
    year: int,
    capacity_persons: int,
    large_dwellings: int,
    need_slots: Mapping[str, int],
    languages: Iterable[str],
) -> Reception:
    """The agency, or the municipality itself, sets its reception for a year."""
    scope = selectors.scope_for(actor)
    if not perms.can_edit_reception(actor, scope, municipality_code):
        raise NotFound
    municipality = Municipality.objects.filter(pk=municipality_code).first()
    if municipality is None:
        raise NotFound
    _year(year)
    for name, value in (("capacity_persons", capacity_persons), ("large_dwellings", large_dwellings)):
        if value < 0:
            raise ValidationError({name: [_("The number cannot be negative.")]})
        if value > MAX_NUMBER:
            raise ValidationError({name: [_("The number can be at most %(max)s.") % {"max": MAX_NUMBER}]})
    slots = _check_slots(need_slots)
    langs = sorted({lang.strip().lower() for lang in languages if lang.strip()})[:50]
    try:
        return _reception_write(
            actor, scope, municipality, year, capacity_persons, large_dwellings, slots, langs
        )
    except IntegrityError:  # the same row created by someone else at the same moment
        raise ValidationError(
            {"__all__": [_("Someone saved this at the same moment. Reload the page and try again.")]}
        ) from None


def _reception_write(
    actor: Actor,
    scope: perms.Scope,
    municipality: Municipality,
    year: int,
    capacity_persons: int,
    large_dwellings: int,
    slots: dict[str, int],
    langs: list[str],
) -> Reception:
    municipality_code = municipality.code
    with transaction.atomic():
        reception = Reception.objects.select_for_update().filter(municipality=municipality, year=year).first()
        before = (
            None
            if reception is None
            else {
                "capacity_persons": reception.capacity_persons,
                "large_dwellings": reception.large_dwellings,
                "need_slots": reception.need_slots,
                "languages": reception.languages,
            }
        )
        reception = reception or Reception(municipality=municipality, year=year)
        reception.capacity_persons = capacity_persons
        reception.large_dwellings = large_dwellings
        reception.need_slots = slots
        reception.languages = langs
        reception.updated_by = actor.user if actor.is_authenticated else None
        reception.save()
        audit.record(
            actor=actor,
            code="resettlement.reception.set",
            obj=reception,
            organisation_id=next(
                (org for org, code in scope.municipality_of.items() if code == municipality_code),
                scope.agency_id,
            ),
            data={
                "municipality": municipality_code,
                "year": year,
                "before": before,
                "after": {
                    "capacity_persons": capacity_persons,
                    "large_dwellings": large_dwellings,
                    "need_slots": slots,
                    "languages": langs,
                },
            },
        )
    return reception


def reception_import(*, actor: Actor, year: int, data: bytes, filename: str) -> int:
    """Reception numbers for a year from a municipalities.csv (the command line's format); rows
    replace what the municipalities had for the year. All rows or none. Returns the row count."""
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    _year(year)
    name = filename or "municipalities.csv"
    try:
        rows = parse_municipalities(name, data)
    except InputError as exc:
        raise ValidationError({"file": [explain.input_error_text(exc)]}) from exc
    if not rows:
        raise ValidationError(
            {"file": [explain.input_error_text(InputError(name, 2, "row", "no_municipalities"))]}
        )
    known = set(Municipality.objects.values_list("code", flat=True))
    lines = {m.code: i + 2 for i, m in enumerate(rows)}
    unknown = next((m for m in rows if m.code not in known), None)
    if unknown is not None:
        raise ValidationError(
            {
                "file": [
                    explain.input_error_text(
                        InputError(
                            name, lines[unknown.code], "code", "unknown_municipality", code=unknown.code
                        )
                    )
                ]
            }
        )
    with transaction.atomic():
        existing = {r.municipality_id: r for r in Reception.objects.select_for_update().filter(year=year)}
        user = actor.user if actor.is_authenticated else None
        new: list[Reception] = []
        changed: list[Reception] = []
        for m in rows:
            r = existing.get(m.code) or Reception(municipality_id=m.code, year=year)
            r.capacity_persons = m.capacity_persons
            r.large_dwellings = m.large_dwellings
            r.need_slots = {k: v for k, v in m.need_slots.items() if v}
            r.languages = sorted(m.languages)
            r.updated_by = user
            (changed if r.pk else new).append(r)
        Reception.objects.bulk_create(new, batch_size=500)
        Reception.objects.bulk_update(
            changed,
            ["capacity_persons", "large_dwellings", "need_slots", "languages", "updated_by"],
            batch_size=500,
        )
        audit.record(
            actor=actor,
            code="resettlement.reception.imported",
            organisation_id=scope.agency_id,
            data={"year": year, "file": name, "rows": len(rows), "new": len(new), "updated": len(changed)},
        )
    return len(rows)


def parse_slots_text(text: str) -> dict[str, int]:
    """``SM=3;DS=1`` from a form field, as a ValidationError naming the field."""
    try:
        return parse_need_slots("need_slots", 1, text)
    except InputError as exc:
        raise ValidationError({"need_slots": [explain.input_reason_text(exc)]}) from exc
