"""Writes for resettlement. One transaction each: authorise → validate → write → audit → enqueue on
commit. Imports are all-or-nothing; a run's proposals are written only when the solver has
finished; approval places every case of the run or none."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core import audit, runs
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.organisations.models import Municipality
from samverkan.resettlement import permissions as perms
from samverkan.resettlement import selectors
from samverkan.resettlement.imports import ParsedCase, parse_case_file
from samverkan.resettlement.models import (
    Case,
    NeedDefinition,
    Observation,
    Person,
    PlacementRun,
    PrevalenceRelease,
    Proposal,
    Reception,
    RunStatus,
    RunStep,
    Service,
    TaxonomyVersion,
)
from samverkan.resettlement.optimizer import NEED_CODES, breaches, demand_of, solve
from samverkan.resettlement.optimizer import Municipality as OptMunicipality
from samverkan.resettlement.optimizer.files import (
    MAX_NUMBER,
    InputError,
    parse_municipalities,
    parse_need_slots,
)
from samverkan.resettlement.taxonomy import SHIPPED_NOTE, shipped_entries, top_level
from samverkan.statistics.disclosure import shared

log = logging.getLogger(__name__)
MIN_YEAR, MAX_YEAR = 2000, 2100


def _changed_meanwhile() -> str:
    return _("Someone changed the definitions meanwhile. Reload the page and make your change again.")


def _agency_id(actor: Actor) -> int | None:
    return selectors.scope_for(actor).agency_id


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": [_("Give a year between %(a)s and %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}]}
        )
    return year


# --- Taxonomy -----------------------------------------------------------------------------------
SUBCODE = re.compile(r"[A-Z]{2}-[A-Z]{2,3}")


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
    "label_sv",
    "label_en",
    "definition_sv",
    "definition_en",
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
    base_version: int | None = None,
) -> TaxonomyVersion:
    """Change one entry: the whole taxonomy is copied into a new dated version with the change, so
    every earlier version stays as it was (placements and follow-ups name the version they used)."""
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
            "definition_sv": definition_sv.strip(),
            "definition_en": definition_en.strip(),
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
    base_version: int | None = None,
) -> TaxonomyVersion:
    """Add a sub-code under one of the needs (a broader definition, as municipalities asked for):
    a new dated version with the entry after its siblings. Top-level needs stay UNHCR's eleven, the
    codes reception numbers and the optimizer count service places by."""
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
        if not any(e.code == parent and e.kind == "need" for e in entries):
            raise ValidationError({"parent": [_("Choose one of the needs.")]})
        if any(e.code == code for e in entries):
            raise ValidationError({"code": [_("The code %(code)s already exists.") % {"code": code}]})
        rows = [{k: getattr(e, k) for k in ENTRY_FIELDS} for e in entries]
        after = max(i for i, e in enumerate(entries) if parent in (e.code, e.parent))
        new = {
            "kind": "subneed",
            "code": code,
            "parent": parent,
            "label_sv": label_sv.strip(),
            "label_en": label_en.strip(),
            "definition_sv": definition_sv.strip(),
            "definition_en": definition_en.strip(),
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


# --- Reception ----------------------------------------------------------------------------------
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
        raise ValidationError({"file": [str(exc)]}) from exc
    if not rows:
        raise ValidationError({"file": [str(InputError(name, 2, "row", "no municipalities in the file"))]})
    known = set(Municipality.objects.values_list("code", flat=True))
    lines = {m.code: i + 2 for i, m in enumerate(rows)}
    unknown = next((m for m in rows if m.code not in known), None)
    if unknown is not None:
        raise ValidationError(
            {
                "file": [
                    str(
                        InputError(
                            name, lines[unknown.code], "code", f"unknown municipality code '{unknown.code}'"
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
        raise ValidationError({"need_slots": [exc.reason]}) from exc


# --- Cases --------------------------------------------------------------------------------------
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
        raise ValidationError({"file": [str(exc)]}) from exc
    taken = set(
        Case.objects.filter(reference__in=[c.reference for c in parsed]).values_list("reference", flat=True)
    )
    clash = next((c for c in parsed if c.reference in taken), None)
    if clash is not None:
        raise ValidationError(
            {
                "file": [
                    str(InputError(name, clash.line, "case_id", f"case '{clash.reference}' already exists"))
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


# --- Placement runs -----------------------------------------------------------------------------
def run_start(*, actor: Actor, year: int, time_limit: int | None = None) -> PlacementRun:
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    _year(year)
    limit = settings.RESETTLEMENT_TIME_LIMIT if time_limit is None else time_limit
    if not 1 <= limit <= settings.RESETTLEMENT_MAX_TIME_LIMIT:
        raise ValidationError(
            {
                "time_limit": [
                    _("Give a time limit from 1 to %(max)s seconds.")
                    % {"max": settings.RESETTLEMENT_MAX_TIME_LIMIT}
                ]
            }
        )
    if not Case.objects.filter(year=year, placed_in__isnull=True).exists():
        raise ValidationError({"year": [_("There are no cases left to place in %(year)s.") % {"year": year}]})
    if not Reception.objects.filter(year=year).exists():
        raise ValidationError(
            {"year": [_("No municipality has a reception number for %(year)s.") % {"year": year}]}
        )
    with transaction.atomic(durable=True):
        run = PlacementRun.objects.create(
            year=year,
            time_limit=limit,
            taxonomy_version=taxonomy_current(),
            created_by=actor.user if actor.is_authenticated else None,
        )
        audit.record(
            actor=actor,
            code="resettlement.run.started",
            obj=run,
            organisation_id=scope.agency_id,
            data={"year": year, "time_limit": limit},
        )
        runs.enqueue(run)  # execute_placement_run, on commit
    return run


def run_execute(*, run_id: int) -> PlacementRun:
    """Solve the placement in a worker. The proposals are written in one transaction at the end;
    a run that fails or is killed before then holds none."""
    run = PlacementRun.objects.get(pk=run_id)
    if not runs.claim(run, progress=5, step=RunStep.READING):
        return run
    actor = Actor.system()
    claimed = run  # the solver's stages are reported to it (``run`` is re-read at the end)

    def report(percent: int, step: str) -> None:
        runs.progress(claimed, percent, step=step)

    try:
        data = selectors.run_input(run)
        placement = solve(data.problem, time_limit=run.time_limit, progress=report)
    except TimeoutError:
        return _fail(
            run,
            actor,
            _("The solver did not finish within %(s)s seconds; try a longer time limit.")
            % {"s": run.time_limit},
        )
    except Exception:
        log.exception("placement run %s failed", run_id)
        _fail(run, actor, _("An internal error stopped the placement; nothing was proposed."))
        raise
    with transaction.atomic(durable=True):
        run = PlacementRun.objects.get(pk=run_id)
        # a case placed by another run's approval while this one computed is left out
        still_open = set(
            Case.objects.filter(
                pk__in=[c.pk for c in data.cases.values()], placed_in__isnull=True
            ).values_list("reference", flat=True)
        )
        proposals = []
        for reference, code in placement.assignment.items():
            if reference not in still_open:
                continue
            why = placement.explanations[reference]
            proposals.append(
                Proposal(
                    run=run,
                    case=data.cases[reference],
                    suggested_id=code,
                    municipality_id=code,
                    score=why.score,
                    parts=dict(why.parts),
                    binding=list(why.binding),
                    reasons=list(why.reasons),
                )
            )
        finished = runs.finish(
            run,
            status=RunStatus.PROPOSED,
            step=RunStep.DONE,
            input_sha256=placement.input_sha256,
            capacity_sha256=data.capacity_sha256,
            objective=placement.objective,
            lp_bound=placement.lp_bound,
            gap=placement.gap,
            seconds=placement.seconds,
            solver=placement.solver,
            stats={**placement.stats, "placed": placement.placed, "unplaced": placement.unplaced},
        )
        if not finished:  # declared stalled meanwhile
            return run
        Proposal.objects.bulk_create(proposals, batch_size=1000)
        audit.record(
            actor=actor,
            code="resettlement.run.proposed",
            obj=run,
            organisation_id=_agency_id(actor),
            data={
                "input_sha256": placement.input_sha256,
                "placed": placement.placed,
                "unplaced": placement.unplaced,
                "gap": placement.gap,
            },
        )
    return run


def _fail(run: PlacementRun, actor: Actor, message: str) -> PlacementRun:
    with transaction.atomic():
        if runs.fail(run, message, step=RunStep.FAILED):  # not when failed as stalled meanwhile
            Proposal.objects.filter(run_id=run.pk).delete()
            audit.record(
                actor=actor,
                code="resettlement.run.failed",
                obj=run,
                organisation_id=_agency_id(actor),
                data={"error": message[:500]},
            )
    run.refresh_from_db()
    return run


def runs_fail_stalled(*, now: dt.datetime | None = None) -> int:
    """Fail runs still *running* well past their time limit: their worker stopped and will not
    finish them. They hold no proposals, so nothing half-made is left."""

    def audited(run: PlacementRun) -> None:
        audit.record(
            actor=Actor.system(),
            code="resettlement.run.failed",
            obj=run,
            organisation_id=_agency_id(Actor.system()),
            data={"error": "stalled"},
        )

    return runs.fail_stalled(
        PlacementRun.objects.all(),
        lambda run: dt.timedelta(seconds=2 * run.time_limit + 300),
        message=_("The worker stopped before the placement finished; start a new run."),
        now=now,
        on_failed=audited,
        step=RunStep.FAILED,
    )


def override_warnings(run: PlacementRun, proposal: Proposal, code: str | None) -> list[str]:
    """What moving the case to ``code`` would break, given the run's other proposals and the
    placements already approved this year: the tie, the reception number, large dwellings and
    each need code's service places."""
    if code is None:
        return []
    case = proposal.case
    warnings: list[str] = []
    if case.tie_id and case.tie_id != code:
        warnings.append(_("The case is tied to %(tie)s (relatives there).") % {"tie": case.tie_id})
    reception = Reception.objects.filter(year=run.year, municipality_id=code).first()
    if reception is None:
        return [
            *warnings,
            _("%(code)s has no reception number for %(year)s.") % {"code": code, "year": run.year},
        ]
    others = Case.objects.filter(proposals__run=run, proposals__municipality_id=code).exclude(pk=case.pk)
    approved = Case.objects.filter(year=run.year, placed_in_id=code).exclude(pk=case.pk)
    there = [*others.values_list("pk", flat=True), *approved.values_list("pk", flat=True)]
    members: dict[int, list[list[str]]] = {}
    for cid, needs in Person.objects.filter(case_id__in=there).values_list("case_id", "needs"):
        members.setdefault(cid, []).append(needs)
    own = demand_of(list(case.persons.values_list("needs", flat=True)))
    load = sum((demand_of(person_needs) for person_needs in members.values()), own)
    limits = OptMunicipality(
        code=code,
        name=code,
        capacity_persons=reception.capacity_persons,
        large_dwellings=reception.large_dwellings,
        need_slots={k: int(v) for k, v in reception.need_slots.items()},
    )
    for breach in breaches(limits, load, case=own):
        if breach.kind == "persons":
            warnings.append(
                _("Reception number: %(load)s persons for %(cap)s places.")
                % {"load": breach.needed, "cap": breach.capacity}
            )
        elif breach.kind == "large_dwellings":
            warnings.append(
                _("Large dwellings: %(n)s families of 6 or more for %(cap)s dwellings.")
                % {"n": breach.needed, "cap": breach.capacity}
            )
        else:
            warnings.append(
                _("Service places for %(code)s: %(n)s needed for %(cap)s places.")
                % {"code": breach.code, "n": breach.needed, "cap": breach.capacity}
            )
    return warnings


def proposal_override(
    *,
    actor: Actor,
    run: PlacementRun,
    reference: str,
    municipality_code: str,
    note: str,
    confirm: bool = False,
) -> Proposal:
    """Move one case by hand (empty code: leave it unplaced). Breaking a constraint needs
    ``confirm``; the warnings, the note and who did it are kept on the proposal and in the log."""
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    code = municipality_code.strip() or None
    if code is not None and not Municipality.objects.filter(pk=code).exists():
        raise ValidationError({"municipality": [_("Unknown municipality code %(code)s.") % {"code": code}]})
    if not note.strip():
        raise ValidationError({"note": [_("Say why the case is moved.")]})
    with transaction.atomic(durable=True):
        run = PlacementRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.PROPOSED:
            raise ValidationError({"__all__": [_("Only a proposed placement can be changed.")]})
        proposal = run.proposals.select_related("case").filter(case__reference=reference).first()
        if proposal is None:
            raise NotFound
        if proposal.municipality_id == code:
            raise ValidationError({"municipality": [_("The case is already there.")]})
        warnings = override_warnings(run, proposal, code)
        if warnings and not confirm:
            raise ValidationError({"confirm": warnings})
        before = proposal.municipality_id
        proposal.municipality_id = code
        proposal.override_note = note.strip()
        proposal.override_warnings = warnings
        proposal.overridden_by = actor.user if actor.is_authenticated else None
        proposal.overridden_at = timezone.now()
        proposal.save()
        audit.record(
            actor=actor,
            code="resettlement.proposal.overridden",
            obj=run,
            organisation_id=scope.agency_id,
            # the reason stays on the proposal: it may name health matters the log should not keep
            data={"case": reference, "from": before, "to": code, "warnings": warnings},
        )
    return proposal


def run_approve(*, actor: Actor, run: PlacementRun) -> PlacementRun:
    """Place every case the run places, at once: the receiving municipalities' packets open. A case
    placed meanwhile by another approved run stops the approval (nothing is placed)."""
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    with transaction.atomic(durable=True):
        # every run of the year is locked (in one order): approvals of the same year take turns,
        # and each sees what the previous one placed
        list(PlacementRun.objects.select_for_update().filter(year=run.year).order_by("pk").values_list("pk"))
        run = PlacementRun.objects.get(pk=run.pk)
        if run.status != RunStatus.PROPOSED:
            raise ValidationError({"__all__": [_("Only a proposed placement can be approved.")]})
        placed = list(run.proposals.filter(municipality__isnull=False).select_related("case"))
        case_ids = [p.case_id for p in placed]
        locked = Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk")
        taken = [reference for reference, where in locked.values_list("reference", "placed_in_id") if where]
        if taken:
            raise ValidationError(
                {
                    "__all__": [
                        _("Already placed by another approved run: %(cases)s.")
                        % {"cases": ", ".join(sorted(taken)[:20])}
                    ]
                }
            )
        if run.capacity_sha256 and run.capacity_sha256 != selectors.capacity_fingerprint(
            selectors.remaining_capacity(run.year)
        ):
            raise ValidationError(
                {
                    "__all__": [
                        _(
                            "Reception numbers or approved placements have changed since this run was "
                            "computed, so it may break a limit. Start a new run."
                        )
                    ]
                }
            )
        by_municipality: dict[str, list[int]] = {}
        for p in placed:
            by_municipality.setdefault(str(p.municipality_id), []).append(p.case_id)
        for code, ids in by_municipality.items():
            Case.objects.filter(pk__in=ids).update(placed_in_id=code, approved_run=run)
        run.status = RunStatus.APPROVED
        run.approved_by = actor.user if actor.is_authenticated else None
        run.approved_at = timezone.now()
        run.save(update_fields=["status", "approved_by", "approved_at"])
        per_municipality = Counter(p.municipality_id for p in placed)
        audit.record(
            actor=actor,
            code="resettlement.run.approved",
            obj=run,
            organisation_id=scope.agency_id,
            data={
                "year": run.year,
                "placed": len(placed),
                "overridden": run.proposals.filter(overridden_at__isnull=False).count(),
                "municipalities": dict(sorted(per_municipality.items())),
            },
        )
    return run


def run_discard(*, actor: Actor, run: PlacementRun) -> PlacementRun:
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    with transaction.atomic(durable=True):
        run = PlacementRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.PROPOSED:
            raise ValidationError({"__all__": [_("Only a proposed placement can be discarded.")]})
        run.status = RunStatus.DISCARDED
        run.save(update_fields=["status"])
        audit.record(actor=actor, code="resettlement.run.discarded", obj=run, organisation_id=scope.agency_id)
    return run


# --- Packets and follow-up ----------------------------------------------------------------------
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


# --- Follow-up dashboard releases ---------------------------------------------------------------
def _as_release(row: PrevalenceRelease) -> shared.Release:
    """A stored release as the disclosure rule's history: its contributions and what it showed."""
    snapshot = {
        int(year): {
            municipality: shared.Contribution(persons=c["persons"], counts=c["counts"])
            for municipality, c in contributions.items()
        }
        for year, contributions in row.contributions.items()
    }
    blocks = {
        int(year): shared.Shown(
            state=shared.BlockState(block["state"]),
            as_of=block["as_of"],
            persons=block["persons"],
            contributors=block["municipalities"],
            figures=block["figures"],
        )
        for year, block in row.published.items()
    }
    return shared.Release(number=row.number, snapshot=snapshot, blocks=blocks)


def dashboard_release(*, actor: Actor, scheduled_for: dt.datetime | None = None) -> PrevalenceRelease | None:
    """Make the next release of the follow-up dashboard: the contributions of every municipality
    now, protected by ``statistics.disclosure.shared.next_release`` (threshold
    ``RESETTLEMENT_MIN_CELL``) together with every earlier release, stored with what it shows, in
    one transaction, audited (``resettlement.dashboard.released``). The system (scheduler, command)
    and the agency's officers may make one. ``scheduled_for`` is the start of the scheduled period:
    if that period already has a release, or another process makes the same release at the same
    moment, nothing is written and the answer is None."""
    scope = selectors.scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    version = taxonomy_current()
    codes = selectors.top_level_codes(version)
    threshold = settings.RESETTLEMENT_MIN_CELL
    user = actor.user if actor.is_authenticated else None
    try:
        with transaction.atomic(durable=True):
            # Serialise release makers (on PostgreSQL; SQLite serialises writers anyway), then read
            # the newest state in fresh statements.
            list(PrevalenceRelease.objects.select_for_update().order_by("-number").values_list("pk")[:1])
            if (
                scheduled_for is not None
                and PrevalenceRelease.objects.filter(scheduled_for__gte=scheduled_for).exists()
            ):
                return None
            earlier = list(PrevalenceRelease.objects.order_by("number"))
            number = earlier[-1].number + 1 if earlier else 1
            now = timezone.now()
            dates = {r.number: r.created_at for r in earlier} | {number: now}
            snapshot = selectors.prevalence_contributions(codes)
            result = shared.next_release(
                number,
                snapshot,
                [_as_release(r) for r in earlier],
                layout=selectors.prevalence_layout(codes),
                threshold=threshold,
                audiences=selectors.pooled_municipalities(),
            )
            published: dict[str, dict[str, object]] = {}
            reasons: dict[str, dict[str, object]] = {}
            for year, shown in sorted(result.blocks.items()):
                reasons[str(year)] = {
                    "state": shown.state.value,
                    "block": [r.value for r in shown.reasons],
                    "figures": {f: [r.value for r in rs] for f, rs in shown.withheld.items()},
                }
                if shown.state == shared.BlockState.WITHHELD or shown.as_of is None:
                    continue
                published[str(year)] = {
                    "state": shown.state.value,
                    "as_of": shown.as_of,
                    "as_of_date": dates[shown.as_of].isoformat(),
                    "persons": shown.persons,
                    "municipalities": shown.contributors,
                    "figures": dict(shown.figures),
                }
            release = PrevalenceRelease.objects.create(
                number=number,
                taxonomy_version=version,
                threshold=threshold,
                scheduled_for=scheduled_for,
                contributions={
                    str(year): {
                        m: {"persons": c.persons, "counts": dict(c.counts)}
                        for m, c in sorted(contributions.items())
                    }
                    for year, contributions in sorted(snapshot.items())
                },
                published=published,
                reasons=reasons,
                created_by=user,
                created_at=now,
            )
            states = Counter(r["state"] for r in reasons.values())
            audit.record(
                actor=actor,
                code="resettlement.dashboard.released",
                obj=release,
                organisation_id=scope.agency_id,
                data={
                    "release": number,
                    "taxonomy_version": version.number,
                    "threshold": threshold,
                    "scheduled": scheduled_for.isoformat() if scheduled_for else None,
                    "fresh_years": states["fresh"],
                    "stale_years": states["stale"],
                    "withheld_years": states["withheld"],
                },
            )
    except IntegrityError:  # the same number or period, made by another process at the same moment
        return None
    return release


def dashboard_release_due(*, now: dt.datetime | None = None) -> PrevalenceRelease | None:
    """The scheduled release: one per period of ``RESETTLEMENT_DASHBOARD_INTERVAL`` seconds
    (counted from 1970-01-01 00:00 UTC), made by the first call in the period; later calls in the
    same period, and every call when the interval is 0, do nothing (None)."""
    interval = settings.RESETTLEMENT_DASHBOARD_INTERVAL
    if interval <= 0:
        return None
    now = now or timezone.now()
    period = dt.datetime.fromtimestamp(int(now.timestamp()) // interval * interval, tz=dt.UTC)
    if PrevalenceRelease.objects.filter(scheduled_for__gte=period).exists():
        return None
    return dashboard_release(actor=Actor.system(), scheduled_for=period)
