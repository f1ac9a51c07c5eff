"""Writes for meeting places. One transaction each: authorise → validate → write → audit.

Registration is race-free on both databases: the session row is locked (``SELECT … FOR UPDATE``
on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), the confirmed places are counted
under the lock, and a partial unique index refuses a second live registration of the same person.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.mail import header_text
from samverkan.meetingplace import permissions as perms
from samverkan.meetingplace.embedding import get_embedder
from samverkan.meetingplace.extract import ExtractError, extract_text
from samverkan.meetingplace.models import (
    Activity,
    ChecklistEntry,
    ChecklistItem,
    ClosingReport,
    Evaluation,
    FactStatement,
    FactTopic,
    Material,
    MaterialRevision,
    PlaceKind,
    Rating,
    Registration,
    RegistrationStatus,
    ReviewStatus,
    Session,
    SessionStatus,
    TargetGroup,
    in_language,
)
from samverkan.meetingplace.precheck import Fact as PrecheckFact
from samverkan.meetingplace.precheck import precheck as precheck_text
from samverkan.organisations.models import Organisation

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door
LANGUAGE = re.compile(r"[a-z]{2,3}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_CAPACITY = 10_000


def organiser_ids(activity: Activity) -> list[int]:
    return [activity.organiser_id, *activity.co_organisers.values_list("pk", flat=True)]


def _texts(field: str, texts: Mapping[str, str], required: bool, limit: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for language, text in texts.items():
        text = (text or "").strip()
        if not text:
            continue
        if not LANGUAGE.fullmatch(language):
            raise ValidationError({field: [_("Unknown language code %(code)s.") % {"code": language}]})
        if len(text) > limit or "\x00" in text:
            raise ValidationError({field: [_("At most %(n)s characters.") % {"n": limit}]})
        out[language] = text
    if required and "sv" not in out:
        raise ValidationError({field: [_("Give at least the Swedish text.")]})
    return out


def _codes(field: str, values: Sequence[str], allowed: Sequence[str] | None = None) -> list[str]:
    out: list[str] = []
    for value in values:
        value = value.strip().lower()
        if not value:
            continue
        if (allowed is not None and value not in allowed) or (
            allowed is None and not LANGUAGE.fullmatch(value)
        ):
            raise ValidationError({field: [_("Unknown value %(v)s.") % {"v": value[:20]}]})
        if value not in out:
            out.append(value)
    return out


# --- Activities and sessions --------------------------------------------------------------------
def activity_create(
    *,
    actor: Actor,
    organiser_id: int,
    title: Mapping[str, str],
    description: Mapping[str, str] | None = None,
    target_groups: Sequence[str] = (),
    languages: Sequence[str] = (),
    interpretation: Sequence[str] = (),
    agenda: str = "",
    co_organiser_ids: Sequence[int] = (),
) -> Activity:
    if not perms.can_create_activity(actor, organiser_id):
        raise PermissionDenied
    titles = _texts("title", title, required=True, limit=200)
    descriptions = _texts("description", description or {}, required=False, limit=5000)
    groups = _codes("target_groups", target_groups, TargetGroup.values)
    if not groups:
        raise ValidationError({"target_groups": [_("Choose at least one target group.")]})
    spoken = _codes("languages", languages)
    if not spoken:
        raise ValidationError({"languages": [_("Give the language the session is held in.")]})
    interpreted = _codes("interpretation", interpretation)
    co = list(Organisation.objects.filter(pk__in=co_organiser_ids).exclude(pk=organiser_id))
    if len(co) != len(set(co_organiser_ids) - {organiser_id}):
        raise ValidationError({"co_organisers": [_("Unknown organisation.")]})
    with transaction.atomic():
        activity = Activity.objects.create(
            organiser_id=organiser_id,
            title=titles,
            description=descriptions,
            target_groups=groups,
            languages=spoken,
            interpretation=interpreted,
            agenda=agenda.strip()[:5000],
            created_by=actor.user if actor.is_authenticated else None,
        )
        activity.co_organisers.set(co)
        audit.record(
            actor=actor,
            code="meetingplace.activity.created",
            obj=activity,
            organisation_id=organiser_id,
            data={"title": titles.get("sv", ""), "co_organisers": [o.pk for o in co]},
        )
    return activity


def activity_publish(
    *,
    actor: Actor,
    organiser_id: int,
    title: Mapping[str, str],
    description: Mapping[str, str],
    target_groups: Sequence[str],
    languages: Sequence[str],
    interpretation: Sequence[str],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place_kind: str,
    capacity: int,
    address: str = "",
) -> Session:
    """A new activity with its first session, both or neither."""
    with transaction.atomic(durable=True):
        activity = activity_create(
            actor=actor,
            organiser_id=organiser_id,
            title=title,
            description=description,
            target_groups=target_groups,
            languages=languages,
            interpretation=interpretation,
        )
        return session_create(
            actor=actor,
            activity=activity,
            starts_at=starts_at,
            ends_at=ends_at,
            place_kind=place_kind,
            address=address,
            capacity=capacity,
        )


def session_create(
    *,
    actor: Actor,
    activity: Activity,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place_kind: str,
    capacity: int,
    address: str = "",
    registration_opens: dt.datetime | None = None,
    registration_closes: dt.datetime | None = None,
) -> Session:
    if not perms.can_plan(actor, organiser_ids(activity)):
        raise NotFound
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The session must end after it starts.")]
    if place_kind not in PlaceKind.values:
        errors["place_kind"] = [_("Choose a kind of place.")]
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [_("Give from 1 to %(n)s places.") % {"n": MAX_CAPACITY}]
    if registration_opens and registration_closes and registration_closes <= registration_opens:
        errors["registration_closes"] = [_("Registration must close after it opens.")]
    if registration_closes and registration_closes > starts_at:
        errors["registration_closes"] = [_("Registration must close before the session starts.")]
    if len(address) > 300 or "\x00" in address:
        errors["address"] = [_("At most %(n)s characters.") % {"n": 300}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = Session.objects.create(
            activity=activity,
            starts_at=starts_at,
            ends_at=ends_at,
            place_kind=place_kind,
            address=address.strip(),
            capacity=capacity,
            registration_opens=registration_opens,
            registration_closes=registration_closes,
        )
        audit.record(
            actor=actor,
            code="meetingplace.session.created",
            obj=session,
            organisation_id=activity.organiser_id,
            data={"activity": activity.pk, "starts_at": starts_at.isoformat(), "capacity": capacity},
        )
    return session


@dataclass(frozen=True)
class Cancelled:
    session: Session
    emailed: int  # registrations told by e-mail
    to_call: int  # registrations without an e-mail address: the organisers must reach them


def _send_logged(subject: str, body: str, to: str, registration_id: int) -> None:
    from django.core.mail import send_mail

    try:
        send_mail(subject, body, None, [to])
    except Exception:  # the cancellation stands; the organisers see who has no confirmed notice
        log.exception("Registration %s could not be told by e-mail", registration_id)


def session_cancel(
    *, actor: Actor, session: Session, reason: str, now: dt.datetime | None = None
) -> Cancelled:
    """Cancel a planned session: no one can register any more, its page and calendar files say it is
    cancelled and why, and everyone with a place or on the waiting list who gave an e-mail address
    is told, in their language, after the commit. Registrations are kept, so the organisers can
    call the others."""
    import functools

    from django.template.loader import render_to_string
    from django.utils import translation

    if not perms.can_plan(actor, organiser_ids(session.activity)):
        raise NotFound
    now = now or timezone.now()
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 500:
        raise ValidationError({"reason": [_("Say why the session is cancelled (at most 500 characters).")]})
    with transaction.atomic(durable=True):
        session = (
            Session.objects.select_for_update()
            .select_related("activity", "activity__organiser")
            .get(pk=session.pk)
        )
        if session.status == SessionStatus.CANCELLED:
            raise ValidationError({"__all__": [_("The session is already cancelled.")]})
        if session.ends_at <= now:
            raise ValidationError({"__all__": [_("The session is over: it cannot be cancelled.")]})
        session.status, session.cancelled_at, session.cancel_reason = SessionStatus.CANCELLED, now, reason
        session.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        affected = list(session.registrations.exclude(status=RegistrationStatus.CANCELLED).order_by("pk"))
        emailed = 0
        for registration in affected:
            if not registration.email:
                continue
            language = registration.language if registration.language in ("sv", "en", "ar") else "sv"
            title = in_language(session.activity.title, language)
            with translation.override(language):
                subject = _("Cancelled: %(title)s") % {"title": header_text(title)}
                body = render_to_string(
                    "meetingplace/email/cancelled.txt",
                    {
                        "registration": registration,
                        "session": session,
                        "title": title,
                        "starts_at": timezone.localtime(session.starts_at),
                        "organiser": session.activity.organiser.name,
                        "reason": reason,
                        "site_url": settings.SITE_URL,
                    },
                )
            transaction.on_commit(
                functools.partial(_send_logged, subject, body, registration.email, registration.pk)
            )
            emailed += 1
        audit.record(
            actor=actor,
            code="meetingplace.session.cancelled",
            obj=session,
            organisation_id=session.activity.organiser_id,
            data={"registrations": len(affected), "emailed": emailed},
        )
    return Cancelled(session=session, emailed=emailed, to_call=len(affected) - emailed)


# --- Registration -------------------------------------------------------------------------------
def _identity(*, user_id: int | None, email: str, phone: str, name: str, registered_by: int | None) -> str:
    if user_id is not None and registered_by is None:
        return f"user:{user_id}"
    if email:
        return f"email:{email.lower()}"
    if phone:
        return "phone:" + re.sub(r"\D", "", phone)
    # registered by staff with a name only: the same staff member cannot register the name twice
    return f"staff:{registered_by}:name:{' '.join(name.casefold().split())}"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def registration_create(
    *,
    actor: Actor,
    session: Session,
    name: str,
    email: str = "",
    phone: str = "",
    language: str = "",
    on_behalf: bool = False,
    now: dt.datetime | None = None,
) -> Registration:
    """Register a person: a confirmed place while there is one, else the waiting list. Anyone may
    register themselves (a name and an e-mail address or phone number); the organisers' staff may
    register someone on their behalf with a name only (many participants have no account)."""
    from samverkan.meetingplace import brakes  # brakes reads through selectors, which import us

    now = now or timezone.now()
    activity = session.activity
    if on_behalf and not perms.can_handle_participants(actor, organiser_ids(activity)):
        raise PermissionDenied
    name = " ".join(name.split())
    email = email.strip()
    phone = phone.strip()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100 or "\x00" in name:
        errors["name"] = [_("Give a name (at most 100 characters).")]
    if email and (len(email) > 254 or not EMAIL.fullmatch(email)):
        errors["email"] = [_("Give an e-mail address like namn@example.se.")]
    if phone and not (6 <= len(re.sub(r"\D", "", phone)) <= 15 and re.fullmatch(r"[+0-9 ()-]{6,30}", phone)):
        errors["phone"] = [_("Give a phone number with 6 to 15 digits.")]
    if not on_behalf and not actor.is_authenticated and not (email or phone) and "email" not in errors:
        errors["email"] = [_("Give an e-mail address or a phone number, so we can tell you about changes.")]
    if language and not LANGUAGE.fullmatch(language):
        errors["language"] = [_("Unknown language code %(code)s.") % {"code": language[:10]}]
    if errors:
        raise ValidationError(errors)
    registered_by = actor.user_id if on_behalf else None
    identity = _identity(
        user_id=actor.user_id if actor.is_authenticated else None,
        email=email,
        phone=phone,
        name=name,
        registered_by=registered_by,
    )
    try:
        with transaction.atomic(durable=True):
            session = Session.objects.select_for_update().select_related("activity").get(pk=session.pk)
            if session.status != SessionStatus.PLANNED:
                raise ValidationError({"__all__": [_("The session is cancelled.")]})
            if session.starts_at <= now:
                raise ValidationError({"__all__": [_("The session has already started.")]})
            if session.registration_opens and now < session.registration_opens:
                raise ValidationError({"__all__": [_("Registration has not opened yet.")]})
            if session.registration_closes and now >= session.registration_closes:
                raise ValidationError({"__all__": [_("Registration has closed.")]})
            if (
                session.registrations.filter(identity=identity)
                .exclude(status=RegistrationStatus.CANCELLED)
                .exists()
            ):
                raise ValidationError({"__all__": [_("This person is already registered for the session.")]})
            # One address holds at most its share of the places: counted under the session lock
            # taken above, so a burst from one address cannot pass between count and insert.
            address = brakes.address_key(actor, session)
            brakes.check_share(session, address)
            taken = session.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
            status = RegistrationStatus.CONFIRMED if taken < session.capacity else RegistrationStatus.WAITING
            registration = Registration.objects.create(
                session=session,
                name=name,
                email=email,
                phone=phone,
                language=language,
                identity=identity,
                user=actor.user if actor.is_authenticated and not on_behalf else None,
                registered_by=actor.user if on_behalf else None,
                status=status,
                code=_new_code(),
                address_key=address,
            )
            audit.record(
                actor=actor,
                code="meetingplace.registration.created",
                obj=registration,
                organisation_id=session.activity.organiser_id,
                data={"session": session.pk, "status": status, "on_behalf": on_behalf},
            )
    except IntegrityError:  # the partial unique index: the same person at the same moment
        raise ValidationError(
            {"__all__": [_("This person is already registered for the session.")]}
        ) from None
    return registration


def registration_cancel(*, actor: Actor, registration: Registration, code: str = "") -> Registration | None:
    """Cancel a place: by the person (their account, or the code from their confirmation) or by
    the organisers' staff. A freed confirmed place goes to the first on the waiting list, who is
    returned (None if nobody was waiting)."""
    activity = registration.session.activity
    own = (actor.is_authenticated and registration.user_id == actor.user_id) or (
        code and secrets.compare_digest(code.upper(), registration.code)
    )
    if not own and not perms.can_handle_participants(actor, organiser_ids(activity)):
        raise NotFound
    with transaction.atomic(durable=True):
        session = Session.objects.select_for_update().get(pk=registration.session_id)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            raise ValidationError({"__all__": [_("The registration is already cancelled.")]})
        was_confirmed = registration.status == RegistrationStatus.CONFIRMED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        promoted = None
        if was_confirmed:
            confirmed = session.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
            if confirmed < session.capacity:
                promoted = (
                    session.registrations.filter(status=RegistrationStatus.WAITING).order_by("pk").first()
                )
                if promoted is not None:
                    promoted.status = RegistrationStatus.CONFIRMED
                    promoted.promoted_at = timezone.now()
                    promoted.save(update_fields=["status", "promoted_at"])
        audit.record(
            actor=actor,
            code="meetingplace.registration.cancelled",
            obj=registration,
            organisation_id=activity.organiser_id,
            data={"session": session.pk, "promoted": promoted.pk if promoted else None},
        )
    return promoted


def check_in(*, actor: Actor, session: Session, code: str) -> Registration:
    """Mark a confirmed participant present, by the code on their confirmation (or from the list)."""
    if not perms.can_handle_participants(actor, organiser_ids(session.activity)):
        raise NotFound
    with transaction.atomic(durable=True):
        registration = (
            Registration.objects.select_for_update()
            .filter(session=session, code=code.strip().upper()[:12])
            .first()
        )
        if registration is None:
            raise ValidationError({"code": [_("No registration for this session has that code.")]})
        if registration.status != RegistrationStatus.CONFIRMED:
            raise ValidationError(
                {"code": [_("%(name)s has no confirmed place.") % {"name": registration.name}]}
            )
        if registration.checked_in_at is None:
            registration.checked_in_at = timezone.now()
            registration.save(update_fields=["checked_in_at"])
            audit.record(
                actor=actor,
                code="meetingplace.registration.checked_in",
                obj=registration,
                organisation_id=session.activity.organiser_id,
                data={"session": session.pk},
            )
    return registration


# --- Planning, running, follow-up ---------------------------------------------------------------
EVALUATION_DAYS = 14  # after the session starts, participants can answer for two weeks


def checklist_save(
    *, actor: Actor, session: Session, entries: Mapping[str, tuple[bool, str]]
) -> list[ChecklistEntry]:
    """Save checklist points (point -> (done, note)) together: every point is checked first, and
    all are written in one transaction or none."""
    if not perms.can_plan(actor, organiser_ids(session.activity)):
        raise NotFound
    for item, (_done, note) in entries.items():
        if item not in ChecklistItem.values:
            raise ValidationError({"item": [_("Unknown checklist point.")]})
        if len(note) > 500 or "\x00" in note:
            raise ValidationError({f"note_{item}": [_("At most %(n)s characters.") % {"n": 500}]})
    user = actor.user if actor.is_authenticated else None
    saved = []
    with transaction.atomic(durable=True):
        for item, (done, note) in entries.items():
            entry, _created = ChecklistEntry.objects.update_or_create(
                session=session, item=item, defaults={"done": done, "note": note.strip(), "updated_by": user}
            )
            saved.append(entry)
        audit.record(
            actor=actor,
            code="meetingplace.checklist.set",
            obj=session,
            organisation_id=session.activity.organiser_id,
            data={"done": sorted(item for item, (done, _note) in entries.items() if done)},
        )
    return saved


def checklist_set(*, actor: Actor, session: Session, item: str, done: bool, note: str = "") -> ChecklistEntry:
    return checklist_save(actor=actor, session=session, entries={item: (done, note)})[0]


def report_save(
    *,
    actor: Actor,
    session: Session,
    attended: int,
    organisation_ids: Sequence[int] = (),
    questions: str = "",
    notes: str = "",
    now: dt.datetime | None = None,
) -> ClosingReport:
    """The closing report, written once the session has started (and corrected later if needed)."""
    if not perms.can_handle_participants(actor, organiser_ids(session.activity)):
        raise NotFound
    now = now or timezone.now()
    if session.starts_at > now:
        raise ValidationError({"__all__": [_("The closing report is written after the session.")]})
    if not 0 <= attended <= MAX_CAPACITY:
        raise ValidationError({"attended": [_("Give the number of people who came.")]})
    for name, text in (("questions", questions), ("notes", notes)):
        if len(text) > 10_000 or "\x00" in text:
            raise ValidationError({name: [_("At most %(n)s characters.") % {"n": 10_000}]})
    present = list(Organisation.objects.filter(pk__in=organisation_ids))
    with transaction.atomic(durable=True):
        report, _created = ClosingReport.objects.update_or_create(
            session=session,
            defaults={
                "attended": attended,
                "questions": questions.strip(),
                "notes": notes.strip(),
                "written_by": actor.user if actor.is_authenticated else None,
            },
        )
        report.organisations_present.set(present)
        audit.record(
            actor=actor,
            code="meetingplace.report.saved",
            obj=session,
            organisation_id=session.activity.organiser_id,
            data={"attended": attended, "organisations": [o.pk for o in present]},
        )
    return report


def evaluation_submit(
    *,
    session: Session,
    understood: int,
    useful: int,
    language: str = "",
    code: str = "",
    now: dt.datetime | None = None,
) -> Evaluation:
    """A participant's anonymous answer. With the code from their registration, one answer per
    registration; without it (at the door, on a shared tablet), one more answer."""
    now = now or timezone.now()
    if not (session.starts_at <= now <= session.starts_at + dt.timedelta(days=EVALUATION_DAYS)):
        raise ValidationError(
            {"__all__": [_("Answers are taken from the start of the session and two weeks after.")]}
        )
    if understood not in Rating.values or useful not in Rating.values:
        raise ValidationError({"__all__": [_("Choose one answer to each question.")]})
    if language and not LANGUAGE.fullmatch(language):
        language = ""
    with transaction.atomic(durable=True):
        registration = None
        if code:
            registration = (
                Registration.objects.select_for_update()
                .filter(session=session, code=code.strip().upper()[:12])
                .first()
            )
            if registration is None:
                raise ValidationError({"code": [_("No registration for this session has that code.")]})
            if Evaluation.objects.filter(registration=registration).exists():
                raise ValidationError({"code": [_("You have already answered. Thank you!")]})
        return Evaluation.objects.create(
            session=session,
            understood=understood,
            useful=useful,
            language=language,
            registration=registration,
        )


# --- Fact base and content review ----------------------------------------------------------------
def agency_id() -> int | None:
    return Organisation.objects.filter(slug=settings.MEETINGPLACE_AGENCY).values_list("pk", flat=True).first()


def fact_save(
    *,
    actor: Actor,
    key: str,
    topic: str,
    text_sv: str,
    text_en: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    legal_reference: str = "",
) -> FactStatement:
    """A new version of an authoritative statement (or its first). Earlier versions are kept."""
    owner = agency_id()
    if owner is None or not perms.can_edit_facts(actor, owner):
        raise NotFound
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", key):
        errors["key"] = [_("Use lower-case letters, digits and hyphens.")]
    if topic not in FactTopic.values:
        errors["topic"] = [_("Choose a topic.")]
    for name, value in (("text_sv", text_sv), ("text_en", text_en)):
        if not value.strip() or len(value) > 5000 or "\x00" in value:
            errors[name] = [_("Give the statement (at most %(n)s characters).") % {"n": 5000}]
    if valid_to and valid_to < valid_from:
        errors["valid_to"] = [_("The end cannot be before the start.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        latest = FactStatement.objects.select_for_update().filter(key=key).order_by("-version").first()
        fact = FactStatement.objects.create(
            key=key,
            version=(latest.version + 1) if latest else 1,
            topic=topic,
            text_sv=text_sv.strip(),
            text_en=text_en.strip(),
            legal_reference=legal_reference.strip()[:300],
            valid_from=valid_from,
            valid_to=valid_to,
            owner_id=owner,
            created_by=actor.user if actor.is_authenticated else None,
        )
        audit.record(
            actor=actor,
            code="meetingplace.fact.saved",
            obj=fact,
            organisation_id=owner,
            data={"key": key, "version": fact.version, "topic": topic},
        )
    return fact


def facts_current(on: dt.date | None = None) -> list[FactStatement]:
    """The newest version of each statement, if it is valid on the day."""
    on = on or timezone.localdate()
    newest: dict[str, FactStatement] = {}
    for fact in FactStatement.objects.order_by("key", "-version"):
        newest.setdefault(fact.key, fact)
    return [f for f in newest.values() if f.valid_from <= on and (f.valid_to is None or f.valid_to >= on)]


def _run_precheck(text: str) -> tuple[list[dict[str, object]], str]:
    facts = facts_current()
    by_key = {f.key: f for f in facts}
    embedder = get_embedder()
    findings = precheck_text(
        text,
        [PrecheckFact(f.key, f.topic, f.text_sv, f.text_en, f.legal_reference) for f in facts],
        embed=embedder,
    )
    return [
        {
            "statement": f.statement,
            "topic": f.topic,
            "flagged": f.flagged,
            "matches": [[by_key[m.key].pk, m.score] for m in f.matches],
        }
        for f in findings
    ], ("lexical + " + embedder.name) if embedder else "lexical"


def _material_text(text: str, upload: tuple[str, bytes] | None) -> tuple[str, str]:
    if upload is not None:
        filename, data = upload
        try:
            return extract_text(filename, data), filename[:200]
        except ExtractError as exc:
            raise ValidationError(
                {"file": [_("%(file)s: %(reason)s.") % {"file": filename[:100], "reason": exc}]}
            ) from None
    text = text.replace("\x00", "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the text, or upload a PDF, Word or text file.")]})
    if len(text) > 500_000:
        raise ValidationError({"text": [_("At most %(n)s characters.") % {"n": 500_000}]})
    return text, ""


@dataclass(frozen=True)
class _Prepared:
    text: str
    filename: str
    findings: list[dict[str, object]]
    method: str


def _prepare(text: str, upload: tuple[str, bytes] | None) -> _Prepared:
    """Extract and pre-check outside any transaction: it can take seconds."""
    body, filename = _material_text(text, upload)
    findings, method = _run_precheck(body)
    return _Prepared(body, filename, findings, method)


def _add_revision(actor: Actor, material: Material, number: int, prepared: _Prepared) -> MaterialRevision:
    return MaterialRevision.objects.create(
        material=material,
        number=number,
        text=prepared.text,
        filename=prepared.filename,
        precheck=prepared.findings,
        precheck_method=prepared.method,
        submitted_by=actor.user,
    )


def material_submit(
    *,
    actor: Actor,
    session: Session,
    organisation_id: int,
    title: str,
    text: str = "",
    upload: tuple[str, bytes] | None = None,
) -> Material:
    """An organiser submits what it wants to say at a session: pre-checked and queued for review."""
    organisers = organiser_ids(session.activity)
    if organisation_id not in organisers or not perms.can_plan(actor, [organisation_id]):
        raise NotFound
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise ValidationError({"title": [_("Give a title (at most 200 characters).")]})
    prepared = _prepare(text, upload)
    with transaction.atomic(durable=True):
        material = Material.objects.create(
            session=session, organisation_id=organisation_id, title=title, created_by=actor.user
        )
        revision = _add_revision(actor, material, 1, prepared)
        audit.record(
            actor=actor,
            code="meetingplace.material.submitted",
            obj=material,
            organisation_id=organisation_id,
            data={"revision": revision.number, "flagged": sum(1 for f in prepared.findings if f["flagged"])},
        )
    return material


def material_revise(
    *, actor: Actor, material: Material, text: str = "", upload: tuple[str, bytes] | None = None
) -> MaterialRevision:
    """An edit is a new revision that needs its own approval; participants keep seeing the last
    approved revision (if any) until then."""
    if not perms.can_plan(actor, [material.organisation_id]):
        raise NotFound
    prepared = _prepare(text, upload)
    with transaction.atomic(durable=True):
        material = Material.objects.select_for_update().get(pk=material.pk)
        latest = material.revisions.order_by("-number").first()
        material.revisions.filter(status=ReviewStatus.SUBMITTED).update(status=ReviewStatus.SUPERSEDED)
        revision = _add_revision(actor, material, (latest.number + 1) if latest else 1, prepared)
        audit.record(
            actor=actor,
            code="meetingplace.material.revised",
            obj=material,
            organisation_id=material.organisation_id,
            data={"revision": revision.number},
        )
    return revision


def material_review(
    *, actor: Actor, revision: MaterialRevision, decision: str, comment: str = ""
) -> MaterialRevision:
    """The agency's reviewer approves, requests changes or rejects one revision; never their own."""
    agency = agency_id()
    if not perms.can_review(actor, agency):
        raise NotFound
    if decision not in ("approve", "changes", "reject"):
        raise ValidationError({"decision": [_("Choose a decision.")]})
    comment = comment.strip()
    if decision != "approve" and not comment:
        raise ValidationError({"comment": [_("Say what should change, or why it is rejected.")]})
    if len(comment) > 10_000 or "\x00" in comment:
        raise ValidationError({"comment": [_("At most %(n)s characters.") % {"n": 10_000}]})
    with transaction.atomic(durable=True):
        material = Material.objects.select_for_update().get(pk=revision.material_id)
        revision = MaterialRevision.objects.get(pk=revision.pk)
        if revision.submitted_by_id is not None and revision.submitted_by_id == actor.user_id:
            raise PermissionDenied
        if revision.status != ReviewStatus.SUBMITTED:
            raise ValidationError({"__all__": [_("Only a revision waiting for review can be decided.")]})
        revision.status = {
            "approve": ReviewStatus.APPROVED,
            "changes": ReviewStatus.CHANGES_REQUESTED,
            "reject": ReviewStatus.REJECTED,
        }[decision]
        revision.reviewed_by = actor.user
        revision.reviewed_at = timezone.now()
        revision.comment = comment
        revision.save(update_fields=["status", "reviewed_by", "reviewed_at", "comment"])
        if decision == "approve":
            material.approved_revision = revision
            material.save(update_fields=["approved_revision"])
        audit.record(
            actor=actor,
            code=f"meetingplace.material.{revision.status}",
            obj=material,
            organisation_id=agency,
            data={"revision": revision.number, "submitter_organisation": material.organisation_id},
        )
    return revision


# --- Reminders ------------------------------------------------------------------------------------
REMINDER_HOURS = 24
# A reminder claimed longer ago than this and still not marked sent is reported in the log.
REMINDER_CLAIM_STALE = dt.timedelta(hours=1)


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """E-mail everyone with a confirmed place and an e-mail address, in their language, once, about
    a session that starts within a day. Returns how many went out.

    Each reminder on its own: the registration is claimed (``reminder_claimed_at``, committed) so
    no other worker or run sends it too; the mail is handed to the mail server outside any
    transaction; only then is ``reminded_at`` set. If sending raises, the claim is cleared (the
    next run retries) and the run goes on with the others. A claim never followed by
    ``reminded_at`` (the process stopped in between) is not sent again, and is logged."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    now = now or timezone.now()
    window = Q(
        status=RegistrationStatus.CONFIRMED,
        reminded_at__isnull=True,
        session__status=SessionStatus.PLANNED,
        session__starts_at__gt=now,
        session__starts_at__lte=now + dt.timedelta(hours=REMINDER_HOURS),
    )
    for stale in Registration.objects.filter(
        window, reminder_claimed_at__lt=timezone.now() - REMINDER_CLAIM_STALE
    ).values_list("pk", flat=True):
        log.warning(
            "The reminder of registration %s was claimed but never marked sent: check the mail log", stale
        )
    due = Registration.objects.filter(window, reminder_claimed_at__isnull=True).exclude(email="")
    sent = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic(durable=True):
            registration = (
                Registration.objects.select_for_update()
                .select_related("session", "session__activity", "session__activity__organiser")
                .filter(pk=pk, reminded_at__isnull=True, reminder_claimed_at__isnull=True)
                .first()
            )
            if registration is None:
                continue
            registration.reminder_claimed_at = timezone.now()
            registration.save(update_fields=["reminder_claimed_at"])
        session = registration.session
        language = registration.language if registration.language in ("sv", "en", "ar") else "sv"
        with translation.override(language):
            title = in_language(session.activity.title, language)
            subject = _("Reminder: %(title)s") % {"title": header_text(title)}
            body = render_to_string(
                "meetingplace/email/reminder.txt",
                {
                    "registration": registration,
                    "session": session,
                    "title": title,
                    "starts_at": timezone.localtime(session.starts_at),
                    "site_url": settings.SITE_URL,
                },
            )
        try:
            send_mail(subject, body, None, [registration.email])
        except Exception as exc:  # one failing mail never stops the others; retried next run
            log.warning(
                "The reminder of registration %s was not sent (%s); it is retried on the next run",
                pk,
                type(exc).__name__,
            )
            Registration.objects.filter(pk=pk, reminded_at__isnull=True).update(reminder_claimed_at=None)
            continue
        Registration.objects.filter(pk=pk).update(reminded_at=now)
        sent += 1
    return sent
