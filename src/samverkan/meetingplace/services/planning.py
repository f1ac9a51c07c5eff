"""Planning: activities and their sessions (create, publish with the first session, cancel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.mail import header_text
from samverkan.meetingplace import permissions as perms
from samverkan.meetingplace.models import (
    Activity,
    PlaceKind,
    RegistrationStatus,
    Session,
    SessionStatus,
    TargetGroup,
    in_language,
)
from samverkan.meetingplace.selectors import organiser_ids
from samverkan.meetingplace.services._common import LANGUAGE, MAX_CAPACITY, log
from samverkan.organisations.models import Organisation


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
