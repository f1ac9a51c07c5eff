"""Registration: register a person (a place or the waiting list), cancel, check in at the door.

Whoever gives an e-mail address gets a confirmation after the commit, in their language: what,
when, where, the code to show at the door, and the full link to their own registration page.

Registration is race-free on both databases: the session row is locked (``SELECT … FOR UPDATE``
on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), the confirmed places are counted
under the lock, and a partial unique index refuses a second live registration of the same person.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.mail import header_text
from samverkan.meetingplace import permissions as perms
from samverkan.meetingplace.models import (
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
    in_language,
)
from samverkan.meetingplace.selectors import organiser_ids
from samverkan.meetingplace.services._common import LANGUAGE, log, mail_language, when_text, where_text

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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
            if email:
                _confirm_by_email(registration, session)
    except IntegrityError:  # the partial unique index: the same person at the same moment
        raise ValidationError(
            {"__all__": [_("This person is already registered for the session.")]}
        ) from None
    return registration


def _confirm_by_email(registration: Registration, session: Session) -> None:
    """Write the confirmation now, in the person's language, and send it once the commit is done."""
    from django.template.loader import render_to_string
    from django.utils import translation

    language = mail_language(registration.language)
    with translation.override(language):
        title = in_language(session.activity.title, language)
        subject = _("Your place: %(title)s") % {"title": header_text(title)}
        body = render_to_string(
            "meetingplace/email/confirmation.txt",
            {
                "registration": registration,
                "title": title,
                "when": when_text(session),
                "where": where_text(session),
                "organiser": session.activity.organiser.name,
                "site_url": settings.SITE_URL,
            },
        )
    transaction.on_commit(functools.partial(_send, subject, body, registration.email, registration.pk))


def _send(subject: str, body: str, to: str, registration_id: int) -> None:
    from django.core.mail import send_mail

    try:
        send_mail(subject, body, None, [to])
    except Exception:  # the registration stands; its page has the same link and code
        log.exception("The confirmation of registration %s could not be sent", registration_id)


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
