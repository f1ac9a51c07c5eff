"""Reads for meeting places. The calendar is public; participant lists only for the organisers'
staff (``NotFound`` for everyone else, like a session that does not exist). Participants'
anonymous answers leave only through :func:`evaluation_figures`, under the platform's disclosure
rule."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.meetingplace import permissions as perms
from samverkan.meetingplace.models import (
    Activity,
    ClosingReport,
    Evaluation,
    FactStatement,
    FactTopic,
    Material,
    MaterialRevision,
    Rating,
    Registration,
    RegistrationStatus,
    ReviewStatus,
    Session,
    SessionStatus,
)
from samverkan.organisations.models import Organisation
from samverkan.statistics import disclosure


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
    if any("\x00" in value for value in (filters.group, filters.language, filters.place, filters.organiser)):
        return qs.none()  # no code or slug holds a NUL byte (and PostgreSQL refuses one in a query)
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


EVALUATION_DAYS = 14  # after the session starts, participants can answer for two weeks


def organiser_ids(activity: Activity) -> list[int]:
    """The activity's organiser and co-organisers (the permissions take these)."""
    return [activity.organiser_id, *activity.co_organisers.values_list("pk", flat=True)]


def facts_current(on: dt.date | None = None) -> list[FactStatement]:
    """The newest version of each statement, if it is valid on the day."""
    on = on or timezone.localdate()
    newest: dict[str, FactStatement] = {}
    for fact in FactStatement.objects.order_by("key", "-version"):
        newest.setdefault(fact.key, fact)
    return [f for f in newest.values() if f.valid_from <= on and (f.valid_to is None or f.valid_to >= on)]


def calendar_feed(*, scope: str, key: str | int) -> tuple[QuerySet[Session], str]:
    """The sessions of a calendar file and its name: one session (``key`` its id, past or not), an
    activity's coming sessions (``key`` its id) or an organiser's, co-organised ones included
    (``key`` its slug). NotFound for an unknown one. Public, as the calendar is."""
    sessions = Session.objects.select_related("activity", "activity__organiser")
    if scope == "session":
        session = sessions.filter(pk=key).first()
        if session is None:
            raise NotFound
        return sessions.filter(pk=key), session.activity.title_text
    coming = sessions.filter(ends_at__gt=timezone.now())
    if scope == "activity":
        activity = Activity.objects.filter(pk=key).first()
        if activity is None:
            raise NotFound
        return coming.filter(activity=activity), activity.title_text
    organiser = Organisation.objects.filter(slug=key).first()
    if organiser is None:
        raise NotFound
    return (
        coming.filter(Q(activity__organiser=organiser) | Q(activity__co_organisers=organiser)).distinct(),
        organiser.name,
    )


def activity_get(*, activity_id: int) -> Activity:
    """An activity with its organiser (NotFound if there is none)."""
    activity = Activity.objects.select_related("organiser").filter(pk=activity_id).first()
    if activity is None:
        raise NotFound
    return activity


def closing_report_of(session: Session) -> ClosingReport | None:
    """The session's closing report, if one was written (the caller has checked who may read it)."""
    return ClosingReport.objects.filter(session=session).first()


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
    audit.record_read(
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
    """Who stands behind a session, and whether it is the agency itself. A session's description is
    never reviewed by the agency (only material is, each piece on its own: ``approved_materials``)."""

    organisers: list[Organisation]
    agency: str  # the reviewing agency's name
    by_agency: bool


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


# --- Participants' answers and the overview -------------------------------------------------------
RATINGS: tuple[int, ...] = tuple(int(r) for r in Rating.values)
"""The answers' order in :class:`EvaluationFigures`: no, partly, yes."""


@dataclass(frozen=True)
class EvaluationFigures:
    """What may be shown of one session's anonymous answers. ``None`` is a withheld figure.

    ``answers`` is the number of answers; ``understood`` and ``useful`` are the answers to each
    question per rating, in :data:`RATINGS` order (no, partly, yes); ``threshold`` is the
    disclosure threshold they were protected with. While participants can still answer
    (``open_until``), nothing is shown."""

    answers: int | None
    understood: tuple[int | None, ...]
    useful: tuple[int | None, ...]
    threshold: int
    open_until: dt.datetime | None = None

    @property
    def withheld(self) -> bool:
        """Whether any figure is withheld."""
        return None in (self.answers, *self.understood, *self.useful)

    @property
    def understood_share(self) -> float | None:
        """The share answering "yes" to "did you understand?": ``None`` without answers or when
        the count of "yes" or of answers is withheld."""
        return _yes_share(self.understood, self.answers)

    @property
    def useful_share(self) -> float | None:
        return _yes_share(self.useful, self.answers)


def _yes_share(counts: tuple[int | None, ...], answers: int | None) -> float | None:
    yes = counts[RATINGS.index(Rating.YES)]
    if yes is None or not answers:
        return None
    return yes / answers


def _published(values: np.ndarray) -> tuple[int | None, ...]:
    return tuple(None if np.isnan(v) else int(v) for v in np.atleast_1d(values))


def answering_closes(session: Session) -> dt.datetime:
    """When participants can no longer answer a session's questions."""
    return session.starts_at + dt.timedelta(days=EVALUATION_DAYS)


def evaluation_figures(
    answers: Iterable[tuple[int, int]], *, threshold: int | None = None, open_until: dt.datetime | None = None
) -> EvaluationFigures:
    """One session's ``(understood, useful)`` answers as they may be shown, under the platform's
    disclosure rule (``statistics.disclosure``, threshold ``STATISTICS_DISCLOSURE_THRESHOLD``).

    The answers are anonymous, but a session is small: with a handful of answers a share of "yes"
    tells what people the organiser can name answered. Each question is a one-way table (answers
    per rating, its total being the number of answers) protected by ``disclosure.protect``; every
    figure shown is read with ``disclosure.publish`` from that table and its pattern: small counts
    are withheld, and where needed one more, so that none can be worked out from the others.

    The two tables share their total. When both patterns publish it, each table is protected on its
    own (two one-way tables with the same total can come from any cross-table of the answers, so
    one says nothing more about the other). When either withholds it (fewer answers than the
    threshold, or needed to protect a small count), the other table would give it away, so then
    the total and every non-zero count of both tables are withheld; zeros stay published, as the
    rule says everywhere ("nobody" identifies no one).

    Answers arrive one by one for two weeks: an organiser reading the figures before and after one
    more answer would learn that answer. So while answering is open (``open_until``) every figure
    is withheld, and the figures are published once, from the final answers."""
    if threshold is None:
        threshold = int(settings.STATISTICS_DISCLOSURE_THRESHOLD)
    if open_until is not None:
        hidden = (None,) * len(RATINGS)
        return EvaluationFigures(None, hidden, hidden, threshold, open_until=open_until)
    pairs = list(answers)
    tables = [
        np.array([sum(1 for pair in pairs if pair[question] == rating) for rating in RATINGS], dtype=np.int64)
        for question in (0, 1)
    ]
    patterns = [disclosure.protect(table, threshold) for table in tables]
    if any(pattern.is_suppressed((None,)) for pattern in patterns):
        patterns = [_all_but_zeros(table, pattern) for table, pattern in zip(tables, patterns, strict=True)]
    cells = [_published(disclosure.publish(t, p, [None], [])) for t, p in zip(tables, patterns, strict=True)]
    totals = [
        _published(disclosure.publish(t, p, [None], [0]))[0] for t, p in zip(tables, patterns, strict=True)
    ]
    return EvaluationFigures(
        answers=totals[0] if totals[0] == totals[1] else None,
        understood=cells[0],
        useful=cells[1],
        threshold=threshold,
    )


def _all_but_zeros(
    table: np.ndarray, pattern: disclosure.SuppressionPattern
) -> disclosure.SuppressionPattern:
    """``pattern`` with every non-zero cell of the table and its total withheld as well."""
    nonzero = disclosure.extended_table(table) != 0
    return disclosure.SuppressionPattern(
        shape=pattern.shape,
        extended=pattern.extended | nonzero,
        primary_extended=pattern.primary_extended,
        threshold=pattern.threshold,
        protection=pattern.protection,
    )


def evaluation_of(session: Session) -> EvaluationFigures:
    """The figures of a session's answers (its plan page)."""
    answers = session.evaluations.values_list("understood", "useful")
    return evaluation_figures(answers, open_until=_open(session))


def _open(session: Session) -> dt.datetime | None:
    closes = answering_closes(session)
    return closes if timezone.now() <= closes else None


@dataclass(frozen=True)
class OverviewRow:
    session: Session
    registered: int
    waiting: int
    checked_in: int
    attended: int | None
    evaluation: EvaluationFigures
    checklist_done: int


def overview(*, actor: Actor, organiser_id: int, start: dt.date, end: dt.date) -> list[OverviewRow]:
    """Per session an organiser runs or co-organises in a period: registrations, the waiting list,
    check-ins, attendance from the closing report, the participants' answers, and how much of the
    checklist was done. For the organisation's planners and participant staff only (``NotFound``
    for everyone else).

    Registrations, check-ins and attendance are the organisers' operational figures about their own
    sessions, not a publication of counts about people: the same staff see the participants by
    name on the participant list, so withholding a count of them here would protect nobody. The
    participants' answers are different: they are anonymous, and shown only as
    :func:`evaluation_figures` allows."""
    if not perms.can_plan(actor, [organiser_id]) and not perms.can_handle_participants(actor, [organiser_id]):
        raise NotFound
    sessions = list(
        Session.objects.filter(
            Q(activity__organiser_id=organiser_id) | Q(activity__co_organisers=organiser_id),
            starts_at__date__gte=start,
            starts_at__date__lte=end,
        )
        .distinct()
        .select_related("activity", "report")
        .annotate(
            registered=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED), distinct=True
            ),
            waiting=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING), distinct=True
            ),
            checked_in=Count(
                "registrations", filter=Q(registrations__checked_in_at__isnull=False), distinct=True
            ),
            checklist_done=Count("checklist", filter=Q(checklist__done=True), distinct=True),
        )
        .order_by("starts_at")
    )
    answers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for session_id, understood, useful in Evaluation.objects.filter(session__in=sessions).values_list(
        "session_id", "understood", "useful"
    ):
        answers[session_id].append((understood, useful))
    rows = []
    for s in sessions:
        report = getattr(s, "report", None)
        rows.append(
            OverviewRow(
                session=s,
                registered=s.registered,
                waiting=s.waiting,
                checked_in=s.checked_in,
                attended=report.attended if report else None,
                evaluation=evaluation_figures(answers[s.pk], open_until=_open(s)),
                checklist_done=s.checklist_done,
            )
        )
    return rows


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
    if not (perms.can_plan(actor, [material.organisation_id]) or perms.can_review(actor, _agency_id())):
        raise NotFound
    return material


def _agency_id() -> int | None:
    return Organisation.objects.filter(slug=settings.MEETINGPLACE_AGENCY).values_list("pk", flat=True).first()


def can_open_review_queue(*, actor: Actor) -> bool:
    """Whether ``actor`` may open the review queue (``meetingplace:review_queue``): the agency's
    reviewers (``permissions.can_review``). Pages show the link only when this holds, since for
    everyone else the queue is a 404."""
    return actor.is_authenticated and perms.can_review(actor, _agency_id())


def review_queue_waiting(*, actor: Actor) -> int | None:
    """How many revisions wait for review, for those who may open the queue; ``None`` for the rest
    (so a template shows the link with ``{% if review_waiting is not None %}``)."""
    if not can_open_review_queue(actor=actor):
        return None
    return MaterialRevision.objects.filter(status=ReviewStatus.SUBMITTED).count()


def review_queue_for(*, actor: Actor) -> list[MaterialRevision]:
    if not perms.can_review(actor, _agency_id()):
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
    topics = dict(FactTopic.choices)
    return [
        {
            **f,
            # the topic by its label, never its code ("The right to work", not right_to_work)
            "topic_label": topics.get(f.get("topic") or "", ""),
            "facts": [(facts[m[0]], m[1]) for m in f.get("matches", []) if m[0] in facts],
        }
        for f in revision.precheck
    ]
