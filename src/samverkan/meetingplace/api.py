"""JSON API for meeting places: the public calendar, registration (with or without an account),
participant lists for the organisers' staff, and material with its review. The same services and
permissions as the pages."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from samverkan.accounts.api import AUTH, OPTIONAL_AUTH, PUBLIC, Pagination, actor_of
from samverkan.accounts.schemas import Id
from samverkan.core.errors import NotFound, ValidationError
from samverkan.meetingplace import brakes, selectors, services
from samverkan.meetingplace.models import Material, Registration, RegistrationStatus, Session
from samverkan.meetingplace.schemas import (
    CancelIn,
    CancelOut,
    MaterialIn,
    MaterialOut,
    ParticipantOut,
    RegistrationIn,
    RegistrationOut,
    ReviewIn,
    SessionFilter,
    SessionOut,
)

router = Router(tags=["meetingplace"], auth=AUTH)


def _session_out(session: Session, agency: str | None = None) -> dict[str, Any]:
    activity = session.activity
    attribution = selectors.attribution_of(session, agency)
    confirmed = getattr(session, "confirmed", None)
    if confirmed is None:
        confirmed = session.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    return {
        "id": session.pk,
        "title": activity.title,
        "description": activity.description,
        "target_groups": activity.target_groups,
        "languages": activity.languages,
        "interpretation": activity.interpretation,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "place_kind": session.place_kind,
        "address": session.address,
        "capacity": session.capacity,
        "places_left": max(session.capacity - confirmed, 0),
        "status": session.status,
        "cancel_reason": session.cancel_reason,
        "attribution": {
            "organisers": attribution.organisers,
            "agency": attribution.agency,
            "by_agency": attribution.by_agency,
        },
    }


def _registration_out(registration: Registration) -> dict[str, Any]:
    return {
        "code": registration.code,
        "status": registration.status,
        "waiting_position": selectors.waiting_position(registration),
        "session_id": registration.session_id,
    }


def _material_out(material: Material) -> dict[str, Any]:
    latest = material.revisions.order_by("-number").first()
    findings = selectors.findings_with_facts(latest) if latest else []
    return {
        "id": material.pk,
        "session_id": material.session_id,
        "organisation": material.organisation,
        "title": material.title,
        "revision": latest.number if latest else 0,
        "status": latest.status if latest else "submitted",
        "comment": latest.comment if latest else "",
        "approved_revision": material.approved_revision.number if material.approved_revision else None,
        "findings": [
            {
                "statement": f["statement"],
                "topic": f["topic"],
                "flagged": f["flagged"],
                "facts": [fact.key for fact, _score in f["facts"]],  # type: ignore[attr-defined]
            }
            for f in findings
        ],
    }


def _session_or_404(session_id: int) -> Session:
    return selectors.session_get(session_id=session_id)


# --- Sessions (public) --------------------------------------------------------------------------
@router.get(
    "/meetingplace/sessions",
    response=list[SessionOut],
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="Upcoming information sessions (public)",
)
@paginate(Pagination)
def session_list(request: HttpRequest, filters: Query[SessionFilter]) -> list[dict[str, Any]]:
    sessions = selectors.calendar(filters=selectors.CalendarFilter(**filters.dict()))
    agency = selectors.agency_name()
    return [_session_out(s, agency) for s in sessions]


@router.get(
    "/meetingplace/sessions/{session_id}",
    response=SessionOut,
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="One session, with who stands behind it (public)",
)
def session_get(request: HttpRequest, session_id: Id) -> dict[str, Any]:
    return _session_out(_session_or_404(session_id))


# --- Registration -------------------------------------------------------------------------------
@router.post(
    "/meetingplace/sessions/{session_id}/registrations",
    response={201: RegistrationOut},
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="Register for a session: a place, or the waiting list (no account needed)",
)
def registration_create(
    request: HttpRequest, session_id: Id, payload: RegistrationIn
) -> Status[dict[str, Any]]:
    actor, session = actor_of(request), _session_or_404(session_id)
    registration = services.registration_create(actor=actor, session=session, **payload.dict())
    return Status(201, _registration_out(registration))


@router.get(
    "/meetingplace/registrations/{code}",
    response=RegistrationOut,
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="A registration, by the code on its confirmation",
)
def registration_get(request: HttpRequest, code: str) -> dict[str, Any]:
    if not (code.isascii() and code.isalnum() and len(code) <= 12):
        raise NotFound
    return _registration_out(brakes.registration_by_code(code, actor_of(request)))


@router.delete(
    "/meetingplace/registrations/{code}",
    response=RegistrationOut,
    auth=OPTIONAL_AUTH,
    openapi_extra=PUBLIC,
    summary="Cancel a registration by its code; the first on the waiting list gets the place",
)
def registration_cancel(request: HttpRequest, code: str) -> dict[str, Any]:
    if not (code.isascii() and code.isalnum() and len(code) <= 12):
        raise NotFound
    registration = brakes.registration_by_code(code, actor_of(request))
    services.registration_cancel(actor=actor_of(request), registration=registration, code=code)
    registration.refresh_from_db()
    return _registration_out(registration)


@router.get(
    "/meetingplace/sessions/{session_id}/registrations",
    response=list[ParticipantOut],
    summary="Who registered (the organisers' staff)",
)
@paginate(Pagination)
def participant_list(request: HttpRequest, session_id: Id) -> list[dict[str, Any]]:
    people = selectors.participants_of(
        actor=actor_of(request), session=_session_or_404(session_id), via="api"
    )
    return [
        {
            "name": p.name,
            "status": p.status,
            "language": p.language,
            "code": p.code,
            "registered_by_staff": p.registered_by_id is not None,
            "checked_in_at": p.checked_in_at,
        }
        for p in people
    ]


@router.post(
    "/meetingplace/sessions/{session_id}/cancel",
    response=CancelOut,
    summary="Cancel a session with a reason (its planners); everyone registered with an e-mail is told",
)
def session_cancel(request: HttpRequest, session_id: Id, payload: CancelIn) -> dict[str, Any]:
    done = services.session_cancel(
        actor=actor_of(request), session=_session_or_404(session_id), reason=payload.reason
    )
    return {"session": _session_out(done.session), "emailed": done.emailed, "without_email": done.to_call}


# --- Material -----------------------------------------------------------------------------------
@router.post(
    "/meetingplace/sessions/{session_id}/materials",
    response={201: MaterialOut},
    summary="Submit material for the agency's review (the session's organisers)",
)
def material_create(request: HttpRequest, session_id: Id, payload: MaterialIn) -> Status[dict[str, Any]]:
    material = services.material_submit(
        actor=actor_of(request), session=_session_or_404(session_id), **payload.dict()
    )
    return Status(201, _material_out(material))


@router.get(
    "/meetingplace/materials/{material_id}",
    response=MaterialOut,
    summary="Material with its latest revision and pre-check (its organisation and the reviewers)",
)
def material_get(request: HttpRequest, material_id: Id) -> dict[str, Any]:
    return _material_out(selectors.material_get_for(actor=actor_of(request), material_id=material_id))


@router.post(
    "/meetingplace/materials/{material_id}/review",
    response=MaterialOut,
    summary="Decide on the latest revision (the agency's reviewers, never the submitter)",
)
def material_review(request: HttpRequest, material_id: Id, payload: ReviewIn) -> dict[str, Any]:
    actor = actor_of(request)
    material = selectors.material_get_for(actor=actor, material_id=material_id)
    latest = material.revisions.order_by("-number").first()
    if latest is None:
        raise ValidationError({"decision": ["Nothing to review."]})
    services.material_review(actor=actor, revision=latest, decision=payload.decision, comment=payload.comment)
    material.refresh_from_db()
    return _material_out(material)
