"""JSON API for resettlement (/api/v1/resettlement/...): the needs taxonomy, reception numbers,
cases and placement runs (the agency's placement officers), packets, follow-up and the follow-up
dashboard. The same services, selectors and permissions as the
pages (``resettlement/views.py``): a packet, a reception number or a follow-up the caller may not
reach is 404, exactly like one that does not exist. Reads of personal data are audited by the same
selectors as the pages (``resettlement.packets.listed``, ``resettlement.packet.viewed`` with
``how: api``, ``resettlement.followup.viewed``, ``resettlement.cases.listed``,
``resettlement.run.viewed``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.params import Path
from ninja.responses import Status

from samverkan.accounts.api import AUTH, OPTIONAL_AUTH, PUBLIC, actor_of
from samverkan.accounts.schemas import Id
from samverkan.core.errors import NotFound, ValidationError
from samverkan.core.limits import UploadRefused, check_upload
from samverkan.resettlement import explain, selectors, services
from samverkan.resettlement import permissions as perms
from samverkan.resettlement.forms import IMPORT_LIMITS
from samverkan.resettlement.models import Case, PlacementRun, Reception, RunStatus, Sex, TaxonomyVersion
from samverkan.resettlement.optimizer import NEED_CODES
from samverkan.resettlement.schemas import (
    CaseImportedOut,
    CaseOut,
    ConfirmIn,
    FollowupIn,
    FollowupOut,
    Kommunkod,
    OverrideIn,
    PacketListOut,
    PacketOut,
    PrevalenceOut,
    ProposalOut,
    ProposalsOut,
    ReceptionIn,
    ReceptionOut,
    Reference,
    RunIn,
    RunOut,
    TaxonomyOut,
    TaxonomyVersionOut,
    VersionNumber,
    Year,
)

router = Router(tags=["resettlement"], auth=AUTH)
API = "/resettlement"


class PageQuery(Schema):
    """Limit/offset with the house's bounds."""

    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


# --- Shaping ------------------------------------------------------------------------------------
def _current() -> TaxonomyVersion | None:
    try:
        return selectors.taxonomy_current()
    except NotFound:  # a database emptied since the migration that loads version 1
        return None


def _version_out(version: TaxonomyVersion, current: TaxonomyVersion | None) -> dict[str, Any]:
    return {
        "number": version.number,
        "created_at": version.created_at,
        "note": version.note_text,
        "current": current is not None and version.pk == current.pk,
    }


def _need(entry: Any) -> dict[str, str]:
    return {"code": entry.code, "label": entry.label}


def _municipality(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name}


def _reception_out(reception: Reception, used: dict[str, int]) -> dict[str, Any]:
    return {
        "municipality": _municipality(reception.municipality_id, reception.municipality.name),
        "year": reception.year,
        "capacity_persons": reception.capacity_persons,
        "large_dwellings": reception.large_dwellings,
        "need_slots": {k: int(v) for k, v in sorted(reception.need_slots.items())},
        "languages": list(reception.languages),
        "placed_persons": used.get(reception.municipality_id, 0),
        "updated_at": reception.updated_at,
    }


def _brief(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "municipality": _municipality(case.placed_in_id or "", case.placed_in.name if case.placed_in else ""),
        "persons": case.size,  # type: ignore[attr-defined]  # annotated by packet_cases_for
        "expected_arrival": case.expected_arrival,
        "followed_up": case.followed,  # type: ignore[attr-defined]
        "is_fictional": case.is_fictional,
    }


# --- Taxonomy (public, as its page) ---------------------------------------------------------------
@router.get(
    f"{API}/taxonomy/versions",
    response=list[TaxonomyVersionOut],
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="The versions of the common definition of special needs, newest first (public)",
)
def taxonomy_version_list(request: HttpRequest, page: Query[PageQuery]) -> list[dict[str, Any]]:
    current = _current()
    versions = selectors.taxonomy_versions()[page.offset : page.offset + page.limit]
    return [_version_out(v, current) for v in versions]


@router.get(
    f"{API}/taxonomy/versions/{{number}}",
    response=TaxonomyOut,
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="One version of the needs taxonomy with its definitions (public)",
)
def taxonomy_version_get(request: HttpRequest, number: Path[VersionNumber]) -> dict[str, Any]:
    version = selectors.taxonomy_version(number)
    return {
        **_version_out(version, _current()),
        "entries": [
            {
                "code": e.code,
                "kind": e.kind,
                "parent": e.parent,
                "applies_to": e.applies_to,
                "label_sv": e.label_sv,
                "label_en": e.label_en,
                "label_ar": e.label_ar,
                "definition_sv": e.definition_sv,
                "definition_en": e.definition_en,
                "definition_ar": e.definition_ar,
                "services": list(e.services),
            }
            for e in version.entries.order_by("position")
        ],
    }


# --- Reception ------------------------------------------------------------------------------------
@router.get(
    f"{API}/reception/{{year}}",
    response=list[ReceptionOut],
    summary="A year's reception numbers: your municipalities' own (the agency's officers: all)",
)
def reception_list(request: HttpRequest, year: Path[Year]) -> list[dict[str, Any]]:
    actor = actor_of(request)
    if not perms.can_use(actor, selectors.scope_for(actor)):
        raise NotFound
    used = selectors.placed_persons(year)
    return [_reception_out(r, used) for r in selectors.receptions_for(actor=actor, year=year)]


@router.get(
    f"{API}/reception/{{year}}/{{code}}",
    response=ReceptionOut,
    summary="One municipality's reception numbers for a year (yours, or any for the agency's officers)",
)
def reception_get(request: HttpRequest, year: Path[Year], code: Path[Kommunkod]) -> dict[str, Any]:
    actor = actor_of(request)
    if not perms.can_edit_reception(actor, selectors.scope_for(actor), code):
        raise NotFound
    _municipality_row, reception = selectors.reception_of(code=code, year=year)
    if reception is None:
        raise NotFound
    return _reception_out(reception, selectors.placed_persons(year))


@router.put(
    f"{API}/reception/{{year}}/{{code}}",
    response=ReceptionOut,
    summary="Set a municipality's reception numbers for a year (as its reception page)",
)
def reception_set(
    request: HttpRequest, year: Path[Year], code: Path[Kommunkod], payload: ReceptionIn
) -> dict[str, Any]:
    actor = actor_of(request)
    reception = services.reception_set(
        actor=actor,
        municipality_code=code,
        year=year,
        capacity_persons=payload.capacity_persons,
        large_dwellings=payload.large_dwellings,
        need_slots=payload.need_slots,
        languages=payload.languages,
    )
    reception.refresh_from_db()
    return _reception_out(reception, selectors.placed_persons(year))


# --- Packets --------------------------------------------------------------------------------------
@router.get(
    f"{API}/packets",
    response=PacketListOut,
    summary="The cases placed with your municipalities (a logged read)",
)
def packet_list(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """As the list page: approved cases placed with the caller's municipalities, by expected
    arrival; the cases returned are logged (``resettlement.packets.listed``)."""
    actor = actor_of(request)
    if not perms.municipalities_served(actor, selectors.scope_for(actor)):
        raise NotFound
    cases = selectors.packet_cases_for(actor=actor)
    count = cases.count()
    shown = list(cases[page.offset : page.offset + page.limit])
    selectors.packets_listed(actor=actor, cases=shown)
    return {"items": [_brief(c) for c in shown], "count": count}


@router.get(
    f"{API}/packets/{{reference}}",
    response=PacketOut,
    summary="A placed case's packet: what the receiving municipality needs to prepare (a logged read)",
)
def packet_get(request: HttpRequest, reference: Path[Reference]) -> dict[str, Any]:
    """Exactly what the packet page shows; each read is logged (``resettlement.packet.viewed``,
    ``how: api``) under the receiving municipality. Another municipality's case is 404."""
    actor = actor_of(request)
    case = selectors.packet_case_for(actor=actor, reference=reference)
    packet = selectors.packet_for(actor=actor, case=case, how="api")
    followup = packet["followup"]
    # The packet names the sex in the reader's language; the API gives its code.
    sex_codes = {str(label): code for code, label in Sex.choices}
    return {
        "reference": case.reference,
        "municipality": _municipality(case.placed_in_id or "", case.placed_in.name if case.placed_in else ""),
        "expected_arrival": case.expected_arrival,
        "is_fictional": case.is_fictional,
        "services": [str(s) for s in packet["services"]],
        "persons": [
            {
                "position": p.position,
                "age": p.age,
                "sex": sex_codes[str(p.sex)],
                "needs": [_need(e) for e in p.needs],
                "languages": list(p.languages),
            }
            for p in packet["persons"]
        ],
        "taxonomy_version": packet["version"].number,
        "followup": None
        if followup is None
        else [
            {
                "position": f.position,
                "observed": None if f.observed is None else [_need(e) for e in f.observed],
                "recorded_by": f.recorded_by,
                "recorded_at": f.recorded_at,
            }
            for f in followup
        ],
        "followup_opens": selectors.followup_opens(case),
    }


# --- Follow-up ------------------------------------------------------------------------------------
def _followup_out(actor: Any, case: Case) -> dict[str, Any]:
    version = selectors.placement_taxonomy(case)
    opens = selectors.followup_opens(case)
    # As the page: the persons are read (and logged) only once follow-up is open.
    persons = [] if opens is not None else selectors.followup_persons_for(actor=actor, case=case)
    return {
        "reference": case.reference,
        "taxonomy_version": version.number,
        "opens": opens,
        "persons": [
            {
                "position": p.position,
                "age": p.age,
                "flagged": list(p.needs),
                "observed": None if getattr(p, "observation", None) is None else list(p.observation.needs),
                "recorded_at": p.observation.recorded_at if getattr(p, "observation", None) else None,
            }
            for p in persons
        ],
    }


def _followup_case(actor: Any, reference: str) -> Case:
    case = selectors.packet_case_for(actor=actor, reference=reference)
    if not perms.can_record_followup(actor, selectors.scope_for(actor), case.placed_in_id):
        raise NotFound
    return case


@router.get(
    f"{API}/packets/{{reference}}/followup",
    response=FollowupOut,
    summary="The needs your municipality recorded after arrival, per person (a logged read)",
)
def followup_get(request: HttpRequest, reference: Path[Reference]) -> dict[str, Any]:
    actor = actor_of(request)
    return _followup_out(actor, _followup_case(actor, reference))


@router.post(
    f"{API}/packets/{{reference}}/followup",
    response=FollowupOut,
    summary="Record the needs observed after arrival: for every person, needs or nothing_observed",
)
def followup_record(request: HttpRequest, reference: Path[Reference], payload: FollowupIn) -> dict[str, Any]:
    """As the follow-up form: a person without an answer is refused (``person_<n>``), and so is a
    follow-up before the expected arrival; codes are those of the placement's taxonomy version."""
    actor = actor_of(request)
    case = _followup_case(actor, reference)
    observed: dict[int, list[str]] = {}
    nothing: list[int] = []
    for answer in payload.persons:
        observed.setdefault(answer.position, []).extend(answer.needs)
        if answer.nothing_observed:
            nothing.append(answer.position)
    services.observation_record(actor=actor, case=case, observed=observed, nothing_observed=nothing)
    return _followup_out(actor, case)


# --- Dashboard ------------------------------------------------------------------------------------
@router.get(
    f"{API}/dashboard",
    response=PrevalenceOut,
    summary="The follow-up dashboard's newest release: flagged against observed needs, per year",
)
def dashboard(request: HttpRequest) -> dict[str, Any]:
    """The figures of the newest release exactly as the dashboard page shows them: made by the
    disclosure rule when released, a withheld figure is null; never a live count."""
    found = selectors.prevalence(actor=actor_of(request))
    return {
        "number": found.number,
        "released_at": found.released_at,
        "threshold": found.threshold,
        "contributors_needed": found.contributors_needed,
        "next_release": found.next_release,
        "rows": [
            {
                "year": r.year,
                "code": r.code,
                "label": r.label,
                "persons": r.persons,
                "flagged": r.flagged,
                "observed": r.observed,
                "as_of": r.as_of,
                "as_of_date": r.as_of_date,
                "stale": r.stale,
            }
            for r in found.rows
        ],
    }


# --- Cases (the agency's placement officers) -------------------------------------------------------
def _officer(actor: Any) -> None:
    if not perms.is_officer(actor, selectors.scope_for(actor)):
        raise NotFound


@router.get(
    f"{API}/cases/{{year}}",
    response=list[CaseOut],
    summary="A year's cases as the case list shows them (placement officers; a logged read)",
)
def case_list(request: HttpRequest, year: Path[Year]) -> list[dict[str, Any]]:
    actor = actor_of(request)
    cases = selectors.case_list_for(actor=actor, year=year)  # logged: resettlement.cases.listed
    names = selectors.names_for(needs={code for c in cases for code in selectors.case_need_codes(c)})
    return [
        {
            "reference": c.reference,
            "persons": c.size,  # type: ignore[attr-defined]  # annotated by case_list_for
            "priority": c.priority,
            "needs": [{"code": code, "label": names.need(code)} for code in selectors.case_need_codes(c)],
            "tie": _municipality(c.tie.code, c.tie.name) if c.tie else None,
            "expected_arrival": c.expected_arrival,
            "placed_in": _municipality(c.placed_in.code, c.placed_in.name) if c.placed_in else None,
            "run_id": selectors.case_proposal_run(c),
        }
        for c in cases
    ]


@router.post(
    f"{API}/cases/{{year}}",
    response={201: CaseImportedOut},
    summary="Import a year's cases from the platform's case file (multipart: file), all or nothing",
)
def case_import(request: HttpRequest, year: Path[Year], file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """As the case list page: the file's size and lines are checked before it is read; a case
    reference that already exists is refused (cases are changed by importing new ones)."""
    actor = actor_of(request)
    _officer(actor)
    try:
        check_upload(file, IMPORT_LIMITS)
    except UploadRefused as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    n = services.case_import(actor=actor, year=year, data=file.read(), filename=file.name or "cases.csv")
    return Status(201, {"year": year, "imported": n})


# --- Placement runs --------------------------------------------------------------------------------
def _run_out(run: PlacementRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "year": run.year,
        "status": run.status,
        "step": run.step,
        "step_label": explain.step_label(run.step, run.get_step_display()),
        "progress": run.progress,
        "time_limit": run.time_limit,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error": run.error,
        "taxonomy_version": run.taxonomy_version.number if run.taxonomy_version else None,
        "approved_at": run.approved_at,
    }


@router.get(
    f"{API}/runs",
    response=list[RunOut],
    summary="Placement runs, newest first (placement officers)",
)
def run_list(request: HttpRequest, page: Query[PageQuery], year: Year | None = None) -> list[dict[str, Any]]:
    runs = selectors.run_list_for(actor=actor_of(request)).select_related("taxonomy_version")
    if year is not None:
        runs = runs.filter(year=year)
    return [_run_out(r) for r in runs[page.offset : page.offset + page.limit]]


@router.post(
    f"{API}/runs",
    response={201: RunOut},
    summary="Start a placement run over the year's open cases (computed by a worker; poll its status)",
)
def run_start(request: HttpRequest, payload: RunIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    run = services.run_start(actor=actor, year=payload.year, time_limit=payload.time_limit)
    run.refresh_from_db()
    return Status(201, _run_out(run))


@router.get(f"{API}/runs/{{run_id}}", response=RunOut, summary="A placement run's status and progress")
def run_get(request: HttpRequest, run_id: Path[Id]) -> dict[str, Any]:
    return _run_out(selectors.run_get_for(actor=actor_of(request), run_id=run_id))


def _proposal_out(p: Any, names: explain.Names) -> dict[str, Any]:
    reasons = explain.stored_reasons(p.reasons) if p.municipality_id is None else []
    return {
        "reference": p.case.reference,
        "persons": p.size,
        "priority": p.case.priority,
        "needs": [{"code": c, "label": names.need(c)} for c in selectors.case_need_codes(p.case)],
        "municipality": _municipality(p.municipality.code, p.municipality.name) if p.municipality else None,
        "suggested": _municipality(p.suggested.code, p.suggested.name) if p.suggested else None,
        "overridden": p.overridden,
        "reasons": [explain.reason_text(r, names) for r in reasons]
        or (
            ([_("Left unplaced by hand.")] if p.overridden else [explain.stored_text(None, names)])
            if p.municipality_id is None
            else []
        ),
        "warnings": [explain.stored_text(w, names) for w in p.override_warnings],
    }


@router.get(
    f"{API}/runs/{{run_id}}/proposals",
    response=ProposalsOut,
    summary="A finished run's proposal: every case with where it goes, or why not (a logged read)",
)
def run_proposals(request: HttpRequest, run_id: Path[Id]) -> dict[str, Any]:
    """As the run page's case table (logged ``resettlement.run.viewed``); 422 while the run has no
    proposal (queued, running or failed)."""
    actor = actor_of(request)
    run = selectors.run_get_for(actor=actor, run_id=run_id)
    if run.status not in (RunStatus.PROPOSED, RunStatus.APPROVED, RunStatus.DISCARDED):
        raise ValidationError({"__all__": [_("The placement has not been computed.")]})
    proposals = selectors.proposals_for(actor=actor, run=run)  # logged
    reasons = [r for p in proposals if p.municipality_id is None for r in explain.stored_reasons(p.reasons)]
    reason_needs, reason_places = explain.mentioned(reasons)
    names = selectors.names_for(
        needs={c for p in proposals for c in selectors.case_need_codes(p.case)} | reason_needs,
        municipalities=reason_places,
        version=run.taxonomy_version,
    )
    return {
        "run": _run_out(run),
        "placed": sum(1 for p in proposals if p.municipality_id),
        "persons_placed": sum(p.size for p in proposals if p.municipality_id),  # type: ignore[attr-defined]
        "proposals": [_proposal_out(p, names) for p in proposals],
    }


@router.put(
    f"{API}/runs/{{run_id}}/proposals/{{reference}}",
    response=ProposalOut,
    summary="Move one case of a proposed run by hand (or leave it unplaced), with the reason",
)
def proposal_override(
    request: HttpRequest, run_id: Path[Id], reference: Path[Reference], payload: OverrideIn
) -> dict[str, Any]:
    """A move that breaks a limit (tie, reception number, large dwellings, service places) is 422
    on ``confirm``, naming the limits, unless ``confirm`` is true — the page's confirmation."""
    actor = actor_of(request)
    run = selectors.run_get_for(actor=actor, run_id=run_id)
    services.proposal_override(
        actor=actor,
        run=run,
        reference=reference,
        municipality_code=payload.municipality or "",
        note=payload.note,
        confirm=payload.confirm,
    )
    proposal = selectors.proposals_of(run).get(case__reference=reference)
    codes = set(selectors.case_need_codes(proposal.case))
    names = selectors.names_for(needs=codes | set(NEED_CODES), version=run.taxonomy_version)
    return _proposal_out(proposal, names)


@router.post(
    f"{API}/runs/{{run_id}}/approve",
    response=RunOut,
    summary="Approve a proposed run: every case it places is placed at once; packets open",
)
def run_approve(request: HttpRequest, run_id: Path[Id], payload: ConfirmIn) -> dict[str, Any]:
    """``confirm: true`` is the confirmation the page asks for: an approval cannot be undone."""
    actor = actor_of(request)
    run = services.run_approve(actor=actor, run=selectors.run_get_for(actor=actor, run_id=run_id))
    run.refresh_from_db()
    return _run_out(run)


@router.post(
    f"{API}/runs/{{run_id}}/discard",
    response=RunOut,
    summary="Discard a proposed run and every move made by hand in it",
)
def run_discard(request: HttpRequest, run_id: Path[Id], payload: ConfirmIn) -> dict[str, Any]:
    actor = actor_of(request)
    run = services.run_discard(actor=actor, run=selectors.run_get_for(actor=actor, run_id=run_id))
    run.refresh_from_db()
    return _run_out(run)
