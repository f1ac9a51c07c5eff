"""Follow-up: the needs a receiving municipality observed in the persons of a placed case."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.resettlement import permissions as perms
from samverkan.resettlement import selectors
from samverkan.resettlement.models import Case, Observation


def observation_record(*, actor: Actor, case: Case, observed: Mapping[int, Sequence[str]]) -> int:
    """The receiving municipality records, per person (by position), the needs it observed after
    arrival, in the taxonomy version of the placement (``selectors.placement_taxonomy``): the form
    showed that version's needs. Returns how many persons were recorded."""
    scope = selectors.scope_for(actor)
    if not perms.can_record_followup(actor, scope, case.placed_in_id):
        raise NotFound
    version = selectors.placement_taxonomy(case)
    known = set(selectors.need_codes_of(version))
    persons = {p.position: p for p in case.persons.all()}
    for position, codes in observed.items():
        if position not in persons:
            raise ValidationError({"__all__": [_("The case has no person %(n)s.") % {"n": position}]})
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValidationError(
                {f"person_{position}": [_("Unknown need code %(code)s.") % {"code": unknown[0]}]}
            )
    user = actor.user if actor.is_authenticated else None
    with transaction.atomic(durable=True):
        for position, codes in observed.items():
            Observation.objects.update_or_create(
                person=persons[position],
                defaults={
                    "needs": list(dict.fromkeys(codes)),
                    "taxonomy_version": version,
                    "recorded_by": user,
                },
            )
        org = next((o for o, code in scope.municipality_of.items() if code == case.placed_in_id), None)
        audit.record(
            actor=actor,
            code="resettlement.followup.recorded",
            obj=case,
            organisation_id=org,
            data={"case": case.reference, "persons": len(observed), "taxonomy_version": version.number},
        )
    return len(observed)
