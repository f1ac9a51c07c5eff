"""Follow-up: the needs a receiving municipality observed in the persons of a placed case."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.resettlement import permissions as perms
from samverkan.resettlement import selectors
from samverkan.resettlement.models import AppliesTo, Case, Observation


def _isolated(text: object) -> str:
    """A date inside a sentence, isolated for right-to-left text (FSI … PDI)."""
    return f"\u2068{text}\u2069"


def observation_record(
    *,
    actor: Actor,
    case: Case,
    observed: Mapping[int, Sequence[str]],
    nothing_observed: Collection[int] = (),
) -> int:
    """The receiving municipality records, for every person of the case (by position), the needs it
    observed after arrival, or that it observed none (``nothing_observed``): a person without either
    is refused, never saved as "nothing" by accident, and so is a follow-up before the family's
    expected arrival. The codes are those of the placement's taxonomy version
    (``selectors.placement_taxonomy``), the form showed them: a code for children only is refused
    for an adult and the other way round (``NeedDefinition.applies_to``), unless the agency flagged
    it or it was recorded before. Returns how many persons were recorded."""
    scope = selectors.scope_for(actor)
    if not perms.can_record_followup(actor, scope, case.placed_in_id):
        raise NotFound
    opens = selectors.followup_opens(case)
    if opens is not None:
        raise ValidationError(
            {
                "__all__": [
                    _("Follow-up can be recorded from the day the family arrives, %(date)s.")
                    % {"date": _isolated(opens.isoformat())}
                ]
            }
        )
    version = selectors.placement_taxonomy(case)
    entries = {code: e for code, e in selectors.entries_of(version).items() if e.kind != "category"}
    persons = {p.position: p for p in case.persons.select_related("observation")}
    strays = sorted(set(observed) - set(persons) | set(nothing_observed) - set(persons))
    if strays:
        raise ValidationError({"__all__": [_("The case has no person %(n)s.") % {"n": strays[0]}]})
    errors: dict[str, list[str]] = {}
    answers: dict[int, list[str]] = {}
    for position, person in sorted(persons.items()):
        codes = list(dict.fromkeys(observed.get(position, ())))
        who = {"n": position, "age": person.age}
        field = f"person_{position}"
        if codes and position in nothing_observed:
            errors[field] = [
                _(
                    "Person %(n)s (%(age)s years): you ticked needs and “No special need observed”. "
                    "Choose one of them."
                )
                % who
            ]
            continue
        if not codes and position not in nothing_observed:
            errors[field] = [
                _("Person %(n)s (%(age)s years): tick the needs you observed, or “No special need observed”.")
                % who
            ]
            continue
        earlier = set(person.needs) | set(getattr(getattr(person, "observation", None), "needs", None) or [])
        for code in codes:
            entry = entries.get(code)
            if entry is None:
                errors.setdefault(field, []).append(_("Unknown need code %(code)s.") % {"code": code})
            elif code not in earlier and not entry.applies_at(person.age):
                errors.setdefault(field, []).append(
                    (
                        _("Person %(n)s (%(age)s years): %(code)s is for children only.")
                        if entry.applies_to == AppliesTo.CHILD
                        else _("Person %(n)s (%(age)s years): %(code)s is for adults only.")
                    )
                    % {**who, "code": code}
                )
        answers[position] = codes
    if errors:
        raise ValidationError(errors)
    user = actor.user if actor.is_authenticated else None
    with transaction.atomic(durable=True):
        for position, codes in answers.items():
            Observation.objects.update_or_create(
                person=persons[position],
                defaults={"needs": codes, "taxonomy_version": version, "recorded_by": user},
            )
        org = next((o for o, code in scope.municipality_of.items() if code == case.placed_in_id), None)
        audit.record(
            actor=actor,
            code="resettlement.followup.recorded",
            obj=case,
            organisation_id=org,
            data={
                "case": case.reference,
                "persons": len(answers),
                "nothing_observed": sum(1 for codes in answers.values() if not codes),
                "taxonomy_version": version.number,
            },
        )
    return len(answers)
