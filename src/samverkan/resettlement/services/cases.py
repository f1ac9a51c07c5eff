"""Cases to place: imported with their persons from the platform's case file."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.organisations.models import Municipality
from samverkan.resettlement import explain, selectors
from samverkan.resettlement import permissions as perms
from samverkan.resettlement.imports import ParsedCase, parse_case_file
from samverkan.resettlement.models import Case, Person
from samverkan.resettlement.optimizer.files import InputError

from ._common import _year
from .taxonomy import taxonomy_current


def case_import(*, actor: Actor, year: int, data: bytes, filename: str) -> int:
    """Cases with their persons from the platform's case file (one row per person). All or none;
    a case reference that already exists is refused. Returns the number of cases."""
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    _year(year)
    name = filename or "cases.csv"
    version = taxonomy_current()
    try:
        parsed = parse_case_file(
            name,
            data,
            need_codes=selectors.need_codes_of(version),
            municipality_codes=set(Municipality.objects.values_list("code", flat=True)),
        )
    except InputError as exc:
        raise ValidationError({"file": [explain.input_error_text(exc)]}) from exc
    taken = set(
        Case.objects.filter(reference__in=[c.reference for c in parsed]).values_list("reference", flat=True)
    )
    clash = next((c for c in parsed if c.reference in taken), None)
    if clash is not None:
        raise ValidationError(
            {
                "file": [
                    explain.input_error_text(
                        InputError(name, clash.line, "case_id", "case_exists", case=clash.reference)
                    )
                ]
            }
        )
    try:
        return _cases_write(actor, scope, year, name, parsed, version.number)
    except IntegrityError:  # the same reference imported by someone else at the same moment
        raise ValidationError(
            {
                "file": [
                    _("Someone imported some of these cases at the same moment. Reload the page and check.")
                ]
            }
        ) from None


def _cases_write(
    actor: Actor, scope: perms.Scope, year: int, name: str, parsed: list[ParsedCase], version_number: int
) -> int:
    user = actor.user if actor.is_authenticated else None
    with transaction.atomic():
        cases = Case.objects.bulk_create(
            [
                Case(
                    reference=c.reference,
                    year=year,
                    priority=c.priority or "normal",
                    tie_id=c.tie or None,
                    expected_arrival=c.arrival,
                    created_by=user,
                )
                for c in parsed
            ]
        )
        ids = {c.reference: c.pk for c in cases}
        if any(pk is None for pk in ids.values()):  # backends that do not return ids
            ids = dict(Case.objects.filter(reference__in=list(ids)).values_list("reference", "pk"))
        Person.objects.bulk_create(
            [
                Person(
                    case_id=ids[c.reference],
                    position=i,
                    age=p.age,
                    sex=p.sex,
                    needs=p.needs,
                    languages=p.languages,
                    education=p.education,
                    occupation=p.occupation,
                )
                for c in parsed
                for i, p in enumerate(c.persons, start=1)
            ],
            batch_size=1000,
        )
        audit.record(
            actor=actor,
            code="resettlement.cases.imported",
            organisation_id=scope.agency_id,
            data={
                "year": year,
                "file": name,
                "cases": len(parsed),
                "persons": sum(len(c.persons) for c in parsed),
                "taxonomy_version": version_number,
            },
        )
    return len(parsed)
