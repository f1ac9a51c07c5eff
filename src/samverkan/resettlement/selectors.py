"""Reads for resettlement, scoped to the actor. A case, run or packet the actor may not see is
``NotFound``, exactly like one that does not exist."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils import timezone

from samverkan.accounts.models import Membership
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.organisations.models import Municipality, Organisation, OrganisationKind
from samverkan.resettlement import explain
from samverkan.resettlement import permissions as perms
from samverkan.resettlement.models import (
    Case,
    NeedDefinition,
    Person,
    PlacementRun,
    PrevalenceRelease,
    Proposal,
    Reception,
    RunStatus,
    TaxonomyVersion,
)
from samverkan.resettlement.optimizer import (
    NORMAL,
    Demand,
    Problem,
    Reason,
    breaches,
    case_needs,
    demand_of,
    remaining,
)
from samverkan.resettlement.optimizer import Case as OptCase
from samverkan.resettlement.optimizer import Municipality as OptMunicipality
from samverkan.resettlement.taxonomy import top_level
from samverkan.statistics.disclosure import shared


def scope_for(actor: Actor) -> perms.Scope:
    """Who the actor is in resettlement: the agency's organisation and the actor's municipalities
    (built once per actor, i.e. once per request, however many checks ask for it)."""
    return actor.memo("resettlement.scope", lambda: _scope(actor))


def _scope(actor: Actor) -> perms.Scope:
    agency_id = (
        Organisation.objects.filter(slug=settings.RESETTLEMENT_AGENCY).values_list("pk", flat=True).first()
    )
    municipality_of = dict(
        Organisation.objects.filter(pk__in=actor.organisation_ids, kind=OrganisationKind.MUNICIPALITY)
        .exclude(municipality__isnull=True)
        .values_list("pk", "municipality_id")
    )
    return perms.Scope(agency_id=agency_id, municipality_of=municipality_of)


# --- Taxonomy -----------------------------------------------------------------------------------
def taxonomy_current() -> TaxonomyVersion:
    """The version in force (NotFound in a database without any, see ``services.taxonomy_current``)."""
    version = TaxonomyVersion.objects.current()
    if version is None:
        raise NotFound
    return version


def taxonomy_version(number: int) -> TaxonomyVersion:
    version = TaxonomyVersion.objects.filter(number=number).first()
    if version is None:
        raise NotFound
    return version


def taxonomy_versions() -> QuerySet[TaxonomyVersion]:
    """Every version, newest first (the taxonomy page lists them; the taxonomy is public)."""
    return TaxonomyVersion.objects.order_by("-number").select_related("created_by")


def entries_of(version: TaxonomyVersion) -> dict[str, NeedDefinition]:
    return {e.code: e for e in version.entries.all()}


def need_codes_of(version: TaxonomyVersion) -> list[str]:
    """Codes a person can be flagged with: the needs and their sub-codes (not the categories)."""
    return list(version.entries.exclude(kind="category").values_list("code", flat=True))


# --- Reception and cases ------------------------------------------------------------------------
def municipalities(codes: Collection[str]) -> list[Municipality]:
    """The register's municipalities with these kommunkoder (public facts), in code order."""
    return list(Municipality.objects.filter(code__in=list(codes)).order_by("code"))


def reception_of(*, code: str, year: int) -> tuple[Municipality, Reception | None]:
    """A municipality of the register (NotFound if the code is not one) and its reception for the
    year, if set. The caller has checked that the actor may edit it."""
    municipality = Municipality.objects.filter(pk=code).first()
    if municipality is None:
        raise NotFound
    return municipality, Reception.objects.filter(municipality=municipality, year=year).first()


def receptions_for(*, actor: Actor, year: int) -> QuerySet[Reception]:
    scope = scope_for(actor)
    qs = Reception.objects.filter(year=year).select_related("municipality")
    if perms.is_officer(actor, scope):
        return qs
    return qs.filter(municipality_id__in=perms.municipalities_served(actor, scope))


def placed_persons(year: int) -> dict[str, int]:
    """Persons already placed by approved runs, per municipality, in a year."""
    rows = (
        Person.objects.filter(case__year=year, case__placed_in__isnull=False)
        .values("case__placed_in")
        .annotate(n=Count("pk"))
    )
    return {r["case__placed_in"]: r["n"] for r in rows}


def _person_needs(through: str = "persons") -> Prefetch:
    """A case's persons with their need codes only (``case_need_codes``)."""
    return Prefetch(
        through, queryset=Person.objects.only("id", "case_id", "position", "needs").order_by("position")
    )


def case_need_codes(case: Case) -> list[str]:
    """The need codes a case's persons are flagged with, each once, in the persons' order (from
    the persons ``case_list_for`` and ``proposals_for`` read with the case)."""
    return list(dict.fromkeys(code for p in case.persons.all() for code in p.needs))


def case_proposal_run(case: Case) -> int | None:
    """The run to open a case of ``case_list_for`` in: the approved run that placed it, else the
    newest proposed run that holds it, else none."""
    if case.approved_run_id:
        return case.approved_run_id
    open_runs = [p.run_id for p in getattr(case, "open_proposals", [])]
    return max(open_runs) if open_runs else None


def case_list_for(*, actor: Actor, year: int) -> list[Case]:
    """The year's cases (family size, priority, tie, arrival, placement), for the placement
    officers. Personal data: each read is logged (``resettlement.cases.listed``, with the
    references shown, at most 500, and how many)."""
    scope = scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    cases: list[Case] = list(
        Case.objects.filter(year=year)
        .select_related("tie", "placed_in")
        .annotate(size=Count("persons"))
        .prefetch_related(
            _person_needs(),
            Prefetch(
                "proposals",
                queryset=Proposal.objects.filter(run__status=RunStatus.PROPOSED).only(
                    "id", "case_id", "run_id"
                ),
                to_attr="open_proposals",
            ),
        )
        .order_by("reference")
    )
    audit.record_read(
        actor=actor,
        code="resettlement.cases.listed",
        organisation_id=scope.agency_id,
        data={"year": year, "cases": [c.reference for c in cases[:500]], "count": len(cases)},
    )
    return cases


def case_counts_for(*, actor: Actor, year: int) -> tuple[int, int]:
    """How many cases the year has, and how many are not placed yet (numbers only, not logged)."""
    if not perms.is_officer(actor, scope_for(actor)):
        raise NotFound
    cases = Case.objects.filter(year=year)
    return cases.count(), cases.filter(placed_in__isnull=True).count()


def years_with_data() -> list[int]:
    years = set(Case.objects.values_list("year", flat=True)) | set(
        Reception.objects.values_list("year", flat=True)
    )
    return sorted(years, reverse=True)


# --- Runs ---------------------------------------------------------------------------------------
def run_get_for(*, actor: Actor, run_id: int) -> PlacementRun:
    run = PlacementRun.objects.filter(pk=run_id).first()
    if run is None or not perms.is_officer(actor, scope_for(actor)):
        raise NotFound
    return run


def run_list_for(*, actor: Actor) -> QuerySet[PlacementRun]:
    if not perms.is_officer(actor, scope_for(actor)):
        raise NotFound
    return PlacementRun.objects.annotate(cases=Count("proposals"))


def case_persons_for(*, actor: Actor, run: PlacementRun, case: Case) -> list[Person]:
    """The persons of a case in a run (age, sex, need codes, languages), for the placement
    officers. Personal data: each read is logged (``resettlement.case.viewed``)."""
    scope = scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    persons = list(case.persons.order_by("position"))
    audit.record_read(
        actor=actor,
        code="resettlement.case.viewed",
        obj=case,
        organisation_id=scope.agency_id,
        data={"case": case.reference, "run": run.pk, "persons": len(persons)},
    )
    return persons


def proposals_for(*, actor: Actor, run: PlacementRun) -> list[Proposal]:
    """Every case of a run with its family size and proposed municipality, for the placement
    officers. Like the case list, a read of personal data: logged (``resettlement.run.viewed``,
    with how many cases were shown)."""
    scope = scope_for(actor)
    if not perms.is_officer(actor, scope):
        raise NotFound
    proposals = list(proposals_of(run).prefetch_related(_person_needs("case__persons")))
    audit.record_read(
        actor=actor,
        code="resettlement.run.viewed",
        obj=run,
        organisation_id=scope.agency_id,
        data={"run": run.pk, "year": run.year, "cases": len(proposals)},
    )
    return proposals


def _loads(run: PlacementRun, case: Case, codes: Collection[str] | None = None) -> dict[str, Demand]:
    """What the other cases take of each municipality (of ``codes``, or all): the run's other
    proposals there and the cases approved there this year."""
    there: dict[str, set[int]] = {}
    proposed = run.proposals.filter(municipality__isnull=False).exclude(case_id=case.pk)
    approved = Case.objects.filter(year=run.year, placed_in__isnull=False).exclude(pk=case.pk)
    if codes is not None:
        proposed = proposed.filter(municipality_id__in=list(codes))
        approved = approved.filter(placed_in_id__in=list(codes))
    for cid, code in [
        *proposed.values_list("case_id", "municipality_id"),
        *approved.values_list("pk", "placed_in_id"),
    ]:
        there.setdefault(code, set()).add(cid)
    members: dict[int, list[list[str]]] = {}
    ids = set().union(*there.values()) if there else set()
    for cid, needs in Person.objects.filter(case_id__in=ids).values_list("case_id", "needs"):
        members.setdefault(cid, []).append(needs)
    return {
        code: sum((demand_of(members[cid]) for cid in cases if cid in members), Demand())
        for code, cases in there.items()
    }


def _limits(reception: Reception) -> OptMunicipality:
    return OptMunicipality(
        code=reception.municipality_id,
        name=reception.municipality_id,
        capacity_persons=reception.capacity_persons,
        large_dwellings=reception.large_dwellings,
        need_slots={k: int(v) for k, v in reception.need_slots.items()},
    )


def _warnings(
    case: Case, year: int, code: str, limits: OptMunicipality | None, load: Demand, own: Demand
) -> list[Reason]:
    out = [Reason(explain.TIE, {"municipality": case.tie_id})] if case.tie_id and case.tie_id != code else []
    if limits is None:
        return [*out, Reason(explain.NO_RECEPTION, {"municipality": code, "year": year})]
    for breach in breaches(limits, load + own, case=own):
        need = {"need": breach.code} if breach.code else {}
        out.append(
            Reason(
                explain.OVER_LIMIT,
                {"limit": breach.kind, **need, "needed": breach.needed, "capacity": breach.capacity},
            )
        )
    return out


def case_demand(case: Case) -> Demand:
    """What a case takes of a municipality (``optimizer.capacity``): its persons, a large dwelling
    for a large family, and service places of the codes its persons are flagged with."""
    return demand_of(list(case.persons.values_list("needs", flat=True)))


def override_warnings(run: PlacementRun, proposal: Proposal, code: str | None) -> list[Reason]:
    """What moving the case to ``code`` would break, given the run's other proposals and the
    placements already approved this year: the tie, the reception number, large dwellings and
    each need code's service places (codes, worded by ``explain.reason_text``)."""
    if code is None:
        return []
    case = proposal.case
    reception = Reception.objects.filter(year=run.year, municipality_id=code).first()
    own = case_demand(case)
    load = _loads(run, case, [code]).get(code, Demand()) if reception is not None else Demand()
    return _warnings(case, run.year, code, _limits(reception) if reception else None, load, own)


@dataclass(frozen=True)
class MoveOption:
    """A municipality a case could be moved to: what it has left for the case (its reception for
    the year less the cases approved there and the run's other proposals there; ``None`` without a
    reception number) and what the move would break (``override_warnings``)."""

    code: str
    name: str
    left: OptMunicipality | None
    warnings: list[Reason]


def move_options(run: PlacementRun, proposal: Proposal) -> list[MoveOption]:
    """Every municipality of the register as a place to move the proposal's case to, by name."""
    case = proposal.case
    receptions = {r.municipality_id: _limits(r) for r in Reception.objects.filter(year=run.year)}
    loads = _loads(run, case)
    own = case_demand(case)
    out = []
    for code, name in Municipality.objects.order_by("name", "code").values_list("code", "name"):
        limits = receptions.get(code)
        load = loads.get(code, Demand())
        out.append(
            MoveOption(
                code=code,
                name=name,
                left=remaining(limits, load) if limits is not None else None,
                warnings=_warnings(case, run.year, code, limits, load, own),
            )
        )
    return out


def need_names(version: TaxonomyVersion | None = None) -> dict[str, str]:
    """Every need code of a taxonomy version (the current one by default) by its name in the
    page's language."""
    version = version or TaxonomyVersion.objects.current()
    if version is None:
        return {}
    return {e.code: e.label for e in version.entries.all()}


def names_for(
    *,
    needs: Collection[str] = (),
    municipalities: Collection[str] = (),
    version: TaxonomyVersion | None = None,
) -> explain.Names:
    """The names of need codes (in the taxonomy ``version``, the current one by default) and of
    kommunkoder (public facts), for wording the placement's codes."""
    need_labels = need_names(version) if needs else {}
    rows = Municipality.objects.filter(code__in=list(municipalities)).values_list("code", "name")
    return explain.Names(needs=need_labels, municipalities=dict(rows) if municipalities else {})


def proposals_of(run: PlacementRun) -> QuerySet[Proposal]:
    return run.proposals.select_related("case", "municipality", "suggested").annotate(
        size=Count("case__persons")
    )


@dataclass(frozen=True)
class RunInput:
    problem: Problem
    cases: dict[str, Case]
    capacity_sha256: str


def remaining_capacity(year: int) -> list[OptMunicipality]:
    """Each municipality with a reception number for the year, less what approved runs already
    placed there (the capacity model, ``optimizer.capacity``: persons, large dwellings, and one
    service place of a top-level code per person flagged with it or any of its sub-codes)."""
    persons: dict[int, tuple[str, list[list[str]]]] = {}  # case -> (placed in, persons' needs)
    for case_id, placed_in, needs in Person.objects.filter(
        case__year=year, case__placed_in__isnull=False
    ).values_list("case_id", "case__placed_in", "needs"):
        persons.setdefault(case_id, (placed_in, []))[1].append(needs)
    used: dict[str, Demand] = {}
    for placed_in, person_needs in persons.values():
        used[placed_in] = used.get(placed_in, Demand()) + demand_of(person_needs)
    municipalities = []
    for r in Reception.objects.filter(year=year).select_related("municipality").order_by("municipality_id"):
        code = r.municipality_id
        reception = OptMunicipality(
            code=code,
            name=r.municipality.name,
            capacity_persons=r.capacity_persons,
            large_dwellings=r.large_dwellings,
            need_slots={k: int(v) for k, v in r.need_slots.items()},
            languages=frozenset(r.languages),
        )
        municipalities.append(remaining(reception, used.get(code, Demand())))
    return municipalities


def capacity_fingerprint(municipalities: list[OptMunicipality]) -> str:
    """What the municipalities can still take, hashed: if it changes after a run was computed
    (reception numbers edited, another run approved), the run's proposal may break a limit."""
    rows = [
        [m.code, m.capacity_persons, m.large_dwellings, sorted(m.need_slots.items())]
        for m in sorted(municipalities, key=lambda m: m.code)
    ]
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()


def run_input(run: PlacementRun) -> RunInput:
    """The optimizer's problem for a run: the year's open cases (not placed by an approved run) and
    each municipality's remaining capacity (``remaining_capacity``)."""
    year = run.year
    municipalities = remaining_capacity(year)
    fingerprint = capacity_fingerprint(municipalities)
    known = {m.code for m in municipalities}
    cases = list(
        Case.objects.filter(year=year, placed_in__isnull=True)
        .prefetch_related("persons")
        .order_by("reference")
    )
    for case in cases:  # a tie to a municipality without reception this year: it has no room
        if case.tie_id and case.tie_id not in known:
            known.add(case.tie_id)
            municipalities.append(
                OptMunicipality(code=case.tie_id, name=case.tie_id, capacity_persons=0, large_dwellings=0)
            )
    opt_cases = []
    for case in cases:
        persons = list(case.persons.all())
        languages: set[str] = set()
        for p in persons:
            languages.update(p.languages)
        opt_cases.append(
            OptCase(
                case_id=case.reference,
                size=len(persons),
                needs=case_needs([p.needs for p in persons]),
                tie=case.tie_id,
                languages=frozenset(languages),
                priority=case.priority or NORMAL,
            )
        )
    problem = Problem(municipalities=tuple(municipalities), cases=tuple(opt_cases))
    return RunInput(problem, {c.reference: c for c in cases}, fingerprint)


# --- Packets ------------------------------------------------------------------------------------
def packet_cases_for(*, actor: Actor, municipality_code: str | None = None) -> QuerySet[Case]:
    """Approved cases placed with the actor's municipalities (or one of them), with their size and
    how many of their persons the municipality has followed up (``followed``)."""
    scope = scope_for(actor)
    served = perms.municipalities_served(actor, scope)
    if municipality_code is not None:
        served = served & {municipality_code}
    return (
        Case.objects.filter(placed_in__in=served, approved_run__status=RunStatus.APPROVED)
        .select_related("placed_in")
        .annotate(size=Count("persons"), followed=Count("persons__observation"))
        .order_by("expected_arrival", "reference")
    )


def packet_case_for(*, actor: Actor, reference: str) -> Case:
    case = (
        Case.objects.select_related("placed_in", "approved_run__taxonomy_version")
        .filter(reference=reference)
        .first()
    )
    if (
        case is None
        or case.approved_run is None
        or case.approved_run.status != RunStatus.APPROVED
        or not perms.can_read_packet(actor, scope_for(actor), case.placed_in_id)
    ):
        raise NotFound
    return case


def packets_listed(*, actor: Actor, cases: Sequence[Case]) -> None:
    """Log that a list of placed cases was read: one event per municipality whose cases it showed,
    filed under that municipality's organisation."""
    scope = scope_for(actor)
    served = perms.municipalities_served(actor, scope)
    for org, code in sorted(scope.municipality_of.items()):
        if code not in served:
            continue
        shown = [c.reference for c in cases if c.placed_in_id == code]
        audit.record_read(
            actor=actor,
            code="resettlement.packets.listed",
            organisation_id=org,
            data={"municipality": code, "cases": shown[:500], "count": len(shown)},
        )


@dataclass(frozen=True)
class PacketPerson:
    position: int
    age: int
    sex: str
    needs: list[NeedDefinition]
    languages: list[str]


@dataclass(frozen=True)
class PacketFollowup:
    """What the receiving municipality recorded for one person: the needs it observed (empty:
    nothing observed; None: nothing recorded yet), who recorded it and when."""

    position: int
    observed: list[NeedDefinition] | None
    recorded_by: str
    recorded_at: dt.datetime | None


def placement_taxonomy(case: Case) -> TaxonomyVersion:
    """The taxonomy version a placed case was proposed and approved in: that of the run that placed
    it. Its packet and follow-up use those definitions, not ones that came into force afterwards
    (the current version for a run that recorded none)."""
    run = case.approved_run
    version = run.taxonomy_version if run is not None else None
    return version if version is not None else taxonomy_current()


def packet_for(*, actor: Actor, case: Case, how: str) -> dict[str, Any]:
    """What the receiving municipality needs to prepare, and nothing more: family composition
    (age and sex), need codes with the services they call for, languages, arrival, in the
    taxonomy version of the placement. Education, occupation, ties and the optimizer's reasoning
    stay with the agency. For the receiving municipality (only: the agency sees follow-up in
    aggregate, on the dashboard) also the follow-up it recorded, per person (``followup``; None for
    everyone else). ``case`` comes from ``packet_case_for``; the read is logged (``how``: page or
    print) under the receiving municipality's organisation."""
    scope = scope_for(actor)
    if not perms.can_read_packet(actor, scope, case.placed_in_id):
        raise NotFound
    version = placement_taxonomy(case)
    entries = entries_of(version)
    persons = []
    services: dict[str, None] = {}
    receiving = perms.can_record_followup(actor, scope, case.placed_in_id)
    followup: list[PacketFollowup] | None = [] if receiving else None
    family = case.persons.order_by("position")
    if receiving:
        family = family.select_related("observation__recorded_by")
    for p in family:
        needs = [entries[c] for c in p.needs if c in entries]
        for e in needs:
            services.update(dict.fromkeys(e.service_labels))
            parent = entries.get(e.parent) if e.parent else None
            if parent is not None:
                services.update(dict.fromkeys(parent.service_labels))
        persons.append(
            PacketPerson(
                position=p.position, age=p.age, sex=p.get_sex_display(), needs=needs, languages=p.languages
            )
        )
        if followup is not None:
            seen = getattr(p, "observation", None)
            followup.append(
                PacketFollowup(
                    position=p.position,
                    observed=None if seen is None else [entries[c] for c in seen.needs if c in entries],
                    recorded_by=str(seen.recorded_by) if seen is not None and seen.recorded_by else "",
                    recorded_at=seen.recorded_at if seen is not None else None,
                )
            )
    org = next((o for o, code in scope.municipality_of.items() if code == case.placed_in_id), scope.agency_id)
    audit.record_read(
        actor=actor,
        code="resettlement.packet.viewed",
        obj=case,
        organisation_id=org,
        data={"case": case.reference, "municipality": case.placed_in_id, "how": how},
    )
    return {
        "case": case,
        "persons": persons,
        "services": list(services),
        "version": version,
        "followup": followup,
    }


# --- Follow-up ----------------------------------------------------------------------------------
MEASURES = ("flagged", "observed")  # flagged by the agency before arrival; observed by the municipality
ANY = "*"  # the "any need" row


def figure_key(measure: str, code: str) -> str:
    return f"{measure}:{code}"


def top_level_codes(version: TaxonomyVersion) -> list[str]:
    """The top-level need codes of a taxonomy version, in its order: the dashboard's rows."""
    return list(version.entries.filter(kind="need").order_by("position").values_list("code", flat=True))


def prevalence_layout(codes: list[str]) -> shared.Layout:
    """The dashboard's figures per year: for each measure, "any need" and each top-level code nested
    in it; "any need" counts exactly the persons with at least one of the codes."""
    figures: list[str] = []
    parent: dict[str, str] = {}
    for measure in MEASURES:
        figures.append(figure_key(measure, ANY))
        for code in codes:
            figures.append(figure_key(measure, code))
            parent[figure_key(measure, code)] = figure_key(measure, ANY)
    return shared.Layout(
        figures=tuple(figures),
        parent=parent,
        exhaustive=frozenset(figure_key(m, ANY) for m in MEASURES),
    )


def prevalence_contributions(codes: list[str]) -> dict[int, dict[str, shared.Contribution]]:
    """What each municipality contributes to the dashboard, per year: its persons followed up and,
    per figure, how many of them have the code (flagged or observed). Internal: the input of a
    release (``services.dashboard_release``), never shown."""
    listed = set(codes)
    persons: Counter[tuple[int, str]] = Counter()
    counts: dict[tuple[int, str], Counter[str]] = {}
    rows = Person.objects.filter(observation__isnull=False, case__placed_in__isnull=False).values_list(
        "case__year", "case__placed_in", "needs", "observation__needs"
    )
    for year, placed_in, flags, seen in rows:
        key = (year, placed_in)
        persons[key] += 1
        c = counts.setdefault(key, Counter())
        for measure, needs in zip(MEASURES, (flags, seen), strict=True):
            tops = {top_level(code) for code in needs or []} & listed
            if tops:
                c[figure_key(measure, ANY)] += 1
            c.update(figure_key(measure, code) for code in tops)
    out: dict[int, dict[str, shared.Contribution]] = {}
    for (year, placed_in), n in sorted(persons.items()):
        out.setdefault(year, {})[placed_in] = shared.Contribution(
            persons=n, counts=dict(counts[(year, placed_in)])
        )
    return out


def pooled_municipalities() -> list[frozenset[str]]:
    """Municipalities whose follow-up one person handles together (a user with an officer role in
    several municipalities' organisations): they are an audience of the dashboard together."""
    served: dict[int, set[str]] = {}
    memberships = Membership.objects.filter(
        role__in=perms.OFFICERS,
        organisation__kind=OrganisationKind.MUNICIPALITY,
        organisation__municipality__isnull=False,
    ).values_list("user_id", "organisation__municipality_id")
    for user_id, code in memberships:
        served.setdefault(user_id, set()).add(code)
    return sorted({frozenset(codes) for codes in served.values() if len(codes) > 1}, key=sorted)


@dataclass(frozen=True)
class PrevalenceRow:
    year: int
    code: str
    label: str
    persons: int  # persons followed up in the year (as of the figures' release)
    flagged: int | None
    observed: int | None
    as_of: int  # the release whose data the year shows
    as_of_date: dt.datetime
    stale: bool  # held back: the figures of an earlier release

    @property
    def flagged_percent(self) -> float | None:
        return None if self.flagged is None or not self.persons else 100 * self.flagged / self.persons

    @property
    def observed_percent(self) -> float | None:
        return None if self.observed is None or not self.persons else 100 * self.observed / self.persons


@dataclass(frozen=True)
class Prevalence:
    number: int | None  # the release shown; None before the first one
    released_at: dt.datetime | None
    rows: list[PrevalenceRow]
    threshold: int = 0  # the disclosure rule's threshold: fewer persons are never shown
    contributors_needed: int = 1  # municipalities that must have reported for this viewer to see a year
    next_release: dt.datetime | None = None  # when the next scheduled release is due (None: none is)

    @property
    def held(self) -> list[PrevalenceRow]:
        """One row per year that shows the figures of an earlier release (its "any need" row)."""
        return [r for r in self.rows if r.stale and r.code == ANY]


def prevalence(*, actor: Actor) -> Prevalence:
    """The newest release of the follow-up dashboard: per year and top-level need code, among
    persons followed up by their municipality, how many the agency flagged with the code and how
    many the municipality observed with it, plus an "any need" row (the seed's 9 % question).

    Nothing is computed here: releases are made on a schedule (``services.dashboard_release``),
    whose rule (``statistics.disclosure.shared``) protects every municipality's view (it knows its
    own persons) and every release against the earlier ones. Municipalities see a year only when at
    least ``RESETTLEMENT_MIN_MUNICIPALITIES`` municipalities contributed to its figures; the
    agency's officers see every year of the release (an extra caution for municipalities, not what
    the protection rests on)."""
    scope = scope_for(actor)
    if not perms.can_view_dashboard(actor, scope):
        raise NotFound
    release = (
        PrevalenceRelease.objects.order_by("-number")
        .select_related("taxonomy_version")
        .defer("contributions", "reasons")
        .first()
    )
    contributors_needed = 1 if perms.is_officer(actor, scope) else settings.RESETTLEMENT_MIN_MUNICIPALITIES
    if release is None:
        return Prevalence(
            number=None,
            released_at=None,
            rows=[],
            threshold=settings.RESETTLEMENT_MIN_CELL,
            contributors_needed=contributors_needed,
            next_release=next_release_due(),
        )
    labels = {e.code: e.label for e in release.taxonomy_version.entries.filter(kind="need")}
    codes = [ANY, *top_level_codes(release.taxonomy_version)]
    rows = []
    for year, block in sorted(release.published.items(), key=lambda item: -int(item[0])):
        if block["municipalities"] < contributors_needed:
            continue
        figures = block["figures"]
        as_of_date = dt.datetime.fromisoformat(block["as_of_date"])
        for code in codes:
            rows.append(
                PrevalenceRow(
                    year=int(year),
                    code=code,
                    label=labels.get(code, ""),
                    persons=block["persons"],
                    flagged=figures.get(figure_key("flagged", code)),
                    observed=figures.get(figure_key("observed", code)),
                    as_of=block["as_of"],
                    as_of_date=as_of_date,
                    stale=block["as_of"] != release.number,
                )
            )
    return Prevalence(
        number=release.number,
        released_at=release.created_at,
        rows=rows,
        threshold=release.threshold,
        contributors_needed=contributors_needed,
        next_release=next_release_due(),
    )


def next_release_due(now: dt.datetime | None = None) -> dt.datetime | None:
    """When the next scheduled release of the dashboard is due: the start of the next period of
    ``RESETTLEMENT_DASHBOARD_INTERVAL`` seconds if this period has its release, else now (the
    scheduler makes it on its next round); None when releases are made by hand only."""
    interval = settings.RESETTLEMENT_DASHBOARD_INTERVAL
    if interval <= 0:
        return None
    now = now or timezone.now()
    period = dt.datetime.fromtimestamp(int(now.timestamp()) // interval * interval, tz=dt.UTC)
    if PrevalenceRelease.objects.filter(scheduled_for__gte=period).exists():
        return period + dt.timedelta(seconds=interval)
    return now


def followup_persons_for(*, actor: Actor, case: Case) -> list[Person]:
    """The persons of a case placed with the actor's municipality, with the needs flagged and
    observed, for its follow-up. Personal data: each read is logged
    (``resettlement.followup.viewed``, filed under the receiving municipality's organisation)."""
    scope = scope_for(actor)
    if not perms.can_record_followup(actor, scope, case.placed_in_id):
        raise NotFound
    persons = list(case.persons.select_related("observation").order_by("position"))
    org = next((o for o, code in sorted(scope.municipality_of.items()) if code == case.placed_in_id), None)
    audit.record_read(
        actor=actor,
        code="resettlement.followup.viewed",
        obj=case,
        organisation_id=org,
        data={"case": case.reference, "municipality": case.placed_in_id, "persons": len(persons)},
    )
    return persons


def followup_opens(case: Case) -> dt.date | None:
    """The day follow-up can first be recorded: the expected arrival, if it is still to come (None
    when it can be recorded now, also when the arrival is not known: the municipality knows whether
    the family has come)."""
    arrival = case.expected_arrival
    return arrival if arrival is not None and timezone.localdate() < arrival else None


@dataclass(frozen=True)
class FollowupChoice:
    entry: NeedDefinition
    flagged: bool  # flagged by the agency before arrival
    checked: bool


@dataclass(frozen=True)
class FollowupGroup:
    """One need of the taxonomy with the sub-codes under it that can apply to the person."""

    need: NeedDefinition
    choices: list[FollowupChoice]

    @property
    def checked(self) -> int:
        return sum(1 for c in self.choices if c.checked)

    @property
    def flagged(self) -> bool:
        return any(c.flagged for c in self.choices)


@dataclass(frozen=True)
class FollowupRow:
    person: Person
    groups: list[FollowupGroup]
    flagged: list[NeedDefinition]  # what the agency flagged, in the taxonomy's order
    nothing: bool  # "no special need observed" is ticked
    recorded: bool  # the municipality has recorded this person's follow-up before
    errors: list[str]


def followup_form(
    version: TaxonomyVersion,
    persons: Sequence[Person],
    posted: dict[int, tuple[list[str], bool]] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> list[FollowupRow]:
    """The follow-up form, per person: the needs grouped under the taxonomy's top-level needs,
    only those that can apply at the person's age (``NeedDefinition.applies_to``) and any the
    agency flagged or the municipality recorded before. What is ticked: what was just posted (a
    form shown again with its errors), else what was recorded, else what the agency flagged (to
    confirm or untick). ``persons`` come from ``followup_persons_for`` (that read is logged)."""
    entries = [e for e in version.entries.order_by("position") if e.kind != "category"]
    needs = [e for e in entries if e.kind == "need"]
    rows = []
    for person in persons:
        observation = getattr(person, "observation", None)
        flagged = set(person.needs)
        if posted is not None and person.position in posted:
            ticked, nothing = set(posted[person.position][0]), posted[person.position][1]
        elif observation is not None:
            ticked, nothing = set(observation.needs), not observation.needs
        else:
            ticked, nothing = set(flagged), False
        shown = flagged | ticked | set(getattr(observation, "needs", None) or [])
        groups = []
        for need in needs:
            choices = [
                FollowupChoice(entry=e, flagged=e.code in flagged, checked=e.code in ticked)
                for e in entries
                if (e.code == need.code or e.parent == need.code)
                and (e.applies_at(person.age) or e.code in shown)
            ]
            if choices:
                groups.append(FollowupGroup(need=need, choices=choices))
        rows.append(
            FollowupRow(
                person=person,
                groups=groups,
                flagged=[e for e in entries if e.code in flagged],
                nothing=nothing,
                recorded=observation is not None,
                errors=(errors or {}).get(f"person_{person.position}", []),
            )
        )
    return rows


def person_positions(case: Case) -> list[int]:
    """The positions of a case's persons (1, 2, ...): no personal data, so not logged."""
    return list(case.persons.order_by("position").values_list("position", flat=True))


def reception_totals(year: int) -> dict[str, int]:
    agg = Reception.objects.filter(year=year).aggregate(
        persons=Sum("capacity_persons"), large=Sum("large_dwellings")
    )
    return {k: int(v or 0) for k, v in agg.items()}
