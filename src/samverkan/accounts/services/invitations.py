"""Invitations to an organisation: issued by its administrators, accepted by link."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.models import Invitation, Membership, Role, User
from samverkan.accounts.services._common import _organisation
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.mail import header_text
from samverkan.organisations import permissions as org_perms

INVITATION_LIFETIME = timedelta(days=7)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once (in the e-mail); only its SHA-256 is stored


def _send_invitation(*, email: str, organisation_name: str, role_label: str, link: str, days: int) -> None:
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"organisation": organisation_name, "role": role_label, "link": link, "days": days},
    )
    subject = _("Invitation to %(organisation)s on Samverkan") % {
        "organisation": header_text(organisation_name)
    }
    send_mail(subject, body, None, [email])


def membership_invite(*, actor: Actor, organisation_id: int, email: str, role: str) -> IssuedInvitation:
    organisation = _organisation(organisation_id)
    if not org_perms.can_invite_member(actor, organisation):
        if not org_perms.can_view_members(actor, organisation):
            raise NotFound("organisation")
        raise PermissionDenied("only administrators invite members")

    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = [_("Enter an e-mail address in the right format, like name@example.se.")]
    if role not in Role.values:
        errors["role"] = [_("Choose a role.")]
    if (
        not errors
        and Membership.objects.filter(
            organisation=organisation, user__email__iexact=email, role=role
        ).exists()
    ):
        errors["email"] = [_("This person already holds that role in the organisation.")]
    if errors:
        raise ValidationError(errors)

    token = secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=actor.user,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit.record(
            actor=actor,
            code="accounts.invitation.created",
            obj=invitation,
            organisation_id=organisation.pk,
            data={"email": email, "role": role},
        )
        link = urljoin(settings.SITE_URL, reverse("accounts:invitation_accept", args=[token]))
        role_label = str(Role(role).label)
        transaction.on_commit(
            lambda: _send_invitation(
                email=email,
                organisation_name=organisation.name,
                role_label=role_label,
                link=link,
                days=INVITATION_LIFETIME.days,
            )
        )
    return IssuedInvitation(invitation=invitation, token=token)


def _invitation_problem(invitation: Invitation | None) -> str | None:
    if invitation is None:
        return _("This invitation link is not valid. Check that you copied the whole link.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        return _("This invitation has expired. Ask the organisation's administrator for a new one.")
    return None


def invitation_get_by_token(token: str) -> Invitation:
    """The open invitation the token belongs to, or a ValidationError saying why there is none."""
    invitation = (
        Invitation.objects.select_related("organisation").filter(token_hash=hash_token(token)).first()
    )
    problem = _invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    assert invitation is not None
    return invitation


def invitation_accept(
    *,
    token: str,
    user: Any = None,
    full_name: str | None = None,
    password: str | None = None,
    ip: str | None = None,
) -> Membership:
    """Accept an invitation: as the logged-in ``user`` (same e-mail), or by creating an account."""
    with transaction.atomic(durable=True):
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("organisation")
            .filter(token_hash=hash_token(token or ""))
            .first()
        )
        problem = _invitation_problem(invitation)
        if problem:
            raise ValidationError(problem)
        assert invitation is not None

        if user is not None and getattr(user, "is_authenticated", False):
            if user.email.lower() != invitation.email.lower():
                raise ValidationError(
                    _(
                        "This invitation was sent to another e-mail address. "
                        "Log out and log in with the address it was sent to."
                    )
                )
            created = False
        else:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise ValidationError(
                    _("An account with this e-mail address already exists. Log in to accept the invitation.")
                )
            user = _create_invited_user(invitation.email, full_name, password)
            created = True

        membership, _new = Membership.objects.get_or_create(
            user=user, organisation=invitation.organisation, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        actor = actor_for_user(user, ip)
        if created:
            audit.record(actor=actor, code="accounts.user.created", obj=user, data={"via": "invitation"})
        audit.record(
            actor=actor,
            code="accounts.invitation.accepted",
            obj=invitation,
            organisation_id=invitation.organisation_id,
            data={"role": invitation.role, "new_account": created},
        )
    return membership


def _create_invited_user(email: str, full_name: str | None, password: str | None) -> User:
    errors: dict[str, list[str]] = {}
    full_name = (full_name or "").strip()
    if not full_name:
        errors["full_name"] = [_("Enter your full name.")]
    elif len(full_name) > 200:
        errors["full_name"] = [_("The name can be at most 200 characters.")]
    candidate = User(email=email, username=email[:150], full_name=full_name)
    if not password:
        errors["password"] = [_("Choose a password.")]
    else:
        try:
            validate_password(password, user=candidate)
        except DjangoValidationError as exc:
            errors["password"] = [str(m) for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    if User.objects.filter(username=candidate.username).exists():
        candidate.username = f"{email[:130]}-{secrets.token_hex(4)}"
    candidate.set_password(password)
    candidate.save()
    return candidate
