"""Reads for meeting places. The calendar is public; participant lists only for the organisers'
staff (``NotFound`` for everyone else, like a session that does not exist)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.meetingplace import permissions as perms
from samverkan.meetingplace.models import (
    FactStatement,
    Material,
    MaterialRevision,
    Registration,
    RegistrationStatus,
    ReviewStatus,
    Session,
    SessionStatus,
)
from samverkan.meetingplace.services import organiser_ids
from samverkan.organisations.models import Organisation


@dataclass(frozen=True)
class CalendarFilter:
    group: str = ""
    language: str = ""
    place: str = ""
    organiser: str = ""  # organisation slug


def calendar(*, filters: CalendarFilter, now: dt.datetime | None = None) -> QuerySet[Session]:
    """Planned sessions that have not ended, soonest first, with their confirmed places counted."""
    now = now or timezone.now()
    qs = (
        Session.objects.filter(status=SessionStatus.PLANNED, ends_at__gt=now)
        .select_related("activity", "activity__organiser")
        .prefetch_related("activity__co_organisers")
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))
        )
        .order_by("starts_at", "pk")
    )
    if filters.place:
        qs = qs.filter(place_kind=filters.place)
    if filters.organiser:
        qs = qs.filter(
            Q(activity__organiser__slug=filters.organiser)
            | Q(activity__co_organisers__slug=filters.organiser)
        )
    # JSON list membership: filtered in Python (portable across SQLite and PostgreSQL)
    if filters.group or filters.language:
        keep = [
            s.pk
            for s in qs
            if (not filters.group or filters.group in s.activity.target_groups)
            and (
                not filters.language
                or filters.language in s.activity.languages
                or filters.language in s.activity.interpretation
            )
        ]
        qs = qs.filter(pk__in=keep)
    return qs.distinct()


def session_get(*, session_id: int) -> Session:
    session = (
        Session.objects.select_related("activity", "activity__organiser")
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))
        )
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFound
    return session


def participants_of(*, actor: Actor, session: Session, via: str = "page") -> list[Registration]:
    """Who registered (names, e-mail addresses, phone numbers, codes), for the organisers' staff.

    Personal data: every read is logged here, where it is made (``meetingplace.participants.viewed``,
    filed under the organiser, with ``via`` = page or api and how many people were listed; never
    who)."""
    if not perms.can_handle_participants(actor, organiser_ids(session.activity)):
        raise NotFound
    people = list(session.registrations.exclude(status=RegistrationStatus.CANCELLED).order_by("status", "pk"))
    with transaction.atomic():
        audit.record(
            actor=actor,
            code="meetingplace.participants.viewed",
            obj=session,
            organisation_id=session.activity.organiser_id,
            data={"session": session.pk, "count": len(people), "via": via},
        )
    return people


def registration_by_code(code: str) -> Registration:
    registration = (
        Registration.objects.select_related("session", "session__activity", "session__activity__organiser")
        .filter(code=code.strip().upper()[:12])
        .first()
    )
    if registration is None:
        raise NotFound
    return registration


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    return (
        Registration.objects.filter(
            session_id=registration.session_id, status=RegistrationStatus.WAITING, pk__lt=registration.pk
        ).count()
        + 1
    )


@dataclass(frozen=True)
class Attribution:
    """Who stands behind a session or a piece of material, and whether the agency reviewed it."""

    organisers: list[Organisation]
    agency: str  # the reviewing agency's name
    by_agency: bool
    reviewed_at: dt.datetime | None = None


def attribution_of(session: Session, agency: str | None = None) -> Attribution:
    """``agency``: the agency's name when the caller already has it (lists: one query, not many)."""
    activity = session.activity
    organisers = [activity.organiser, *activity.co_organisers.all()]
    agency = agency or agency_name()
    by_agency = activity.organiser.slug == settings.MEETINGPLACE_AGENCY
    return Attribution(organisers=organisers, agency=agency, by_agency=by_agency)


def agency_name() -> str:
    name = (
        Organisation.objects.filter(slug=settings.MEETINGPLACE_AGENCY).values_list("name", flat=True).first()
    )
    return name or "Migrationsverket"


def organisers_with_sessions() -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(activities__sessions__status=SessionStatus.PLANNED)
        .distinct()
        .order_by("name")
    )


# --- Material and facts ---------------------------------------------------------------------------
def material_get_for(*, actor: Actor, material_id: int) -> Material:
    """The submitting organisation's planners and the agency's reviewers see a material whole."""
    material = (
        Material.objects.select_related("session", "session__activity", "organisation")
        .filter(pk=material_id)
        .first()
    )
    if material is None:
        raise NotFound
    agency = (
        Organisation.objects.filter(slug=settings.MEETINGPLACE_AGENCY).values_list("pk", flat=True).first()
    )
    if not (perms.can_plan(actor, [material.organisation_id]) or perms.can_review(actor, agency)):
        raise NotFound
    return material


def review_queue_for(*, actor: Actor) -> list[MaterialRevision]:
    agency = (
        Organisation.objects.filter(slug=settings.MEETINGPLACE_AGENCY).values_list("pk", flat=True).first()
    )
    if not perms.can_review(actor, agency):
        raise NotFound
    revisions = list(
        MaterialRevision.objects.filter(status=ReviewStatus.SUBMITTED)
        .select_related(
            "material", "material__organisation", "material__session", "material__session__activity"
        )
        .order_by("submitted_at")
    )
    for r in revisions:
        r.flagged_count = sum(1 for f in r.precheck if f.get("flagged"))  # type: ignore[attr-defined]
    return revisions


def approved_materials(session: Session) -> list[Material]:
    """What participants may see: materials with an approved revision."""
    return list(
        session.materials.filter(approved_revision__isnull=False).select_related(
            "approved_revision", "organisation"
        )
    )


def findings_with_facts(revision: MaterialRevision) -> list[dict[str, object]]:
    ids = {m[0] for f in revision.precheck for m in f.get("matches", [])}
    facts = {f.pk: f for f in FactStatement.objects.filter(pk__in=ids)}
    return [
        {**f, "facts": [(facts[m[0]], m[1]) for m in f.get("matches", []) if m[0] in facts]}
        for f in revision.precheck
    ]
