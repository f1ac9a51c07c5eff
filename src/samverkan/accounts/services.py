"""Writes for accounts: log-in with lockout, two-factor devices, invitations and memberships.

Every service follows authorise → validate → write → audit → enqueue on commit. Where a refused
attempt must itself leave a trace (a failed log-in, a wrong two-factor code), the trace is written
and committed before the refusal is raised.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts import permissions as perms
from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.models import (
    Invitation,
    LoginFailure,
    Membership,
    RecoveryCode,
    RecoveryCodes,
    Role,
    User,
    recovery_code_hash,
)
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import DomainError, NotFound, PermissionDenied, ValidationError
from samverkan.core.mail import header_text
from samverkan.core.models import AuditEvent
from samverkan.organisations import permissions as org_perms
from samverkan.organisations.models import Organisation

INVITATION_LIFETIME = timedelta(days=7)


# --- Log-in and lockout ---------------------------------------------------------------------
class LoginLocked(DomainError):
    """Too many recent failures for this (username, address) pair or this address."""


class LoginFailed(DomainError):
    """Wrong e-mail address or password (deliberately not saying which)."""


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()[:254]


def lockout_address(ip: str | None) -> str | None:
    """The address failures are counted against: an IPv4 address as it is, an IPv6 address by
    its /64 network, since one IPv6 client usually holds a whole /64 to rotate through."""
    if not ip:
        return None
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _ip_q(ip: str | None) -> Q:
    ip = lockout_address(ip)
    return Q(ip=ip) if ip else Q(ip__isnull=True)


def _username_for_log(name: str) -> dict[str, str]:
    """A typed log-in name enters the log only if it is an account's address: people sometimes
    type their password into the name field, and that must never be stored."""
    if User.objects.filter(email__iexact=name).exists():
        return {"username": name}
    return {"unknown_username_sha256": hashlib.sha256(name.encode()).hexdigest()[:16]}


def login_is_locked(*, username: str, ip: str | None, counting_this_attempt: bool = False) -> bool:
    """True while the pair, or the address across all usernames, has too many recent failures.
    With ``counting_this_attempt`` the attempt's own row is among them (one more is allowed)."""
    allowance = 1 if counting_this_attempt else 0
    since = timezone.now() - settings.LOGIN_LOCKOUT_WINDOW
    recent = LoginFailure.objects.filter(at__gte=since)
    pair = recent.filter(_ip_q(ip), username=normalise_username(username)).count()
    if pair >= settings.LOGIN_LOCKOUT_FAILURES + allowance:
        return True
    if ip is None:
        return False
    return recent.filter(_ip_q(ip)).count() >= settings.LOGIN_LOCKOUT_ADDRESS_FAILURES + allowance


def login_authenticate(*, username: str, password: str, ip: str | None, request: Any = None) -> User:
    """Check a log-in attempt. Returns the user, or raises LoginLocked / LoginFailed.

    The lockout is per (username, address) pair, so someone guessing a user's password from
    their own address cannot lock the user out elsewhere; a per-address ceiling stops one address
    from trying many usernames. A locked pair is refused even with the correct password.
    """
    name = normalise_username(username)
    anonymous = Actor.anonymous(ip)
    if not name:
        raise LoginFailed
    if login_is_locked(username=name, ip=ip):
        with transaction.atomic(durable=True):
            audit.record(actor=anonymous, code="accounts.login.locked", data=_username_for_log(name))
        raise LoginLocked
    # The attempt counts as a failure before the password is checked, and the count is taken again
    # with it: parallel guesses cannot all slip through the check above before any of them is
    # recorded. A success removes the row again.
    with transaction.atomic(durable=True):
        attempt = LoginFailure.objects.create(username=name, ip=lockout_address(ip))
    if login_is_locked(username=name, ip=ip, counting_this_attempt=True):
        with transaction.atomic(durable=True):
            attempt.delete()  # no password was tried
            audit.record(actor=anonymous, code="accounts.login.locked", data=_username_for_log(name))
        raise LoginLocked
    user = authenticate(request, username=name, password=password)
    if user is None:
        with transaction.atomic(durable=True):
            audit.record(actor=anonymous, code="accounts.login.failed", data=_username_for_log(name))
        raise LoginFailed
    with transaction.atomic(durable=True):
        LoginFailure.objects.filter(_ip_q(ip), username=name).delete()
        audit.record(actor=actor_for_user(user, ip), code="accounts.login.succeeded", obj=user)
    return user


# --- Two-factor authentication --------------------------------------------------------------
def has_authenticator(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_device_start(*, actor: Actor, replacing: bool = False) -> TOTPDevice:
    """The user's unconfirmed TOTP device for setting up an authenticator (made if missing).

    Refused while the user already has a confirmed device, unless ``replacing``: the view allows
    that only in a session whose second factor was a recovery code, so a stolen password alone can
    never register the thief's authenticator. The old authenticator stays until the new one is
    confirmed.
    """
    if not actor.is_authenticated:
        raise PermissionDenied("log in first")
    user = actor.user
    if not replacing and has_authenticator(user):
        raise ValidationError(_("Two-factor authentication is already set up for your account."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def _clean_code(code: str) -> str:
    return "".join((code or "").split())


def two_factor_confirm(*, actor: Actor, device_id: int, code: str) -> TOTPDevice:
    """Confirm a new device with a code from the authenticator; audited as enabled."""
    if not actor.is_authenticated:
        raise PermissionDenied("log in first")
    device = TOTPDevice.objects.filter(pk=device_id, user=actor.user, confirmed=False).first()
    if device is None:
        raise NotFound("device")
    if not device.verify_token(_clean_code(code)):
        with transaction.atomic(durable=True):
            audit.record(actor=actor, code="accounts.two_factor.failed", obj=device, data={"stage": "setup"})
        raise ValidationError(
            {"code": [_("The code is not correct. Enter the 6-digit code your app shows now.")]}
        )
    with transaction.atomic(durable=True):
        replaced = (
            TOTPDevice.objects.filter(user=actor.user, confirmed=True).exclude(pk=device.pk).delete()[0]
        )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=actor.user, confirmed=False).delete()
        audit.record(
            actor=actor,
            code="accounts.two_factor.replaced" if replaced else "accounts.two_factor.enabled",
            obj=device,
        )
    return device


RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: copied by hand


def recovery_codes_issue(*, actor: Actor) -> list[str]:
    """Ten new one-time recovery codes (any earlier set stops working), answered once: only their
    hashes are kept. Needs a confirmed authenticator; the caller checks the session is verified."""
    if not actor.is_authenticated:
        raise PermissionDenied("log in first")
    if not has_authenticator(actor.user):
        raise ValidationError(_("Set up an authenticator app first."))
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5)) for _part in range(2))
        for _code in range(RECOVERY_CODE_COUNT)
    ]
    with transaction.atomic(durable=True):
        RecoveryCodes.objects.filter(user=actor.user).delete()
        device = RecoveryCodes.objects.create(user=actor.user, name="Recovery codes", confirmed=True)
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, code_hash=recovery_code_hash(c)) for c in codes
        )
        audit.record(
            actor=actor,
            code="accounts.two_factor.recovery_codes_issued",
            obj=device,
            data={"count": len(codes)},
        )
    return codes


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(
        device__user=user, device__confirmed=True, used_at__isnull=True
    ).count()


def two_factor_recover(*, actor: Actor, code: str) -> RecoveryCodes:
    """Pass the second factor with a recovery code; the code is used up. Wrong codes are throttled
    and audited like wrong authenticator codes."""
    if not actor.is_authenticated:
        raise PermissionDenied("log in first")
    wrong = ValidationError({"recovery_code": [_("This recovery code is not valid, or it has been used.")]})
    with transaction.atomic(durable=True):
        device = RecoveryCodes.objects.select_for_update().filter(user=actor.user, confirmed=True).first()
        ok = device is not None and device.verify_token(code)
        if ok:
            audit.record(
                actor=actor,
                code="accounts.two_factor.recovered",
                obj=device,
                data={"left": recovery_codes_left(actor.user)},
            )
        else:
            audit.record(actor=actor, code="accounts.two_factor.failed", data={"stage": "recovery"})
    if not ok or device is None:
        raise wrong
    return device


def two_factor_verify(*, actor: Actor, code: str) -> TOTPDevice:
    """Check a code against the user's confirmed devices; the device that accepted it is returned."""
    if not actor.is_authenticated:
        raise PermissionDenied("log in first")
    devices = list(TOTPDevice.objects.filter(user=actor.user, confirmed=True))
    if not devices:
        raise NotFound("device")
    token = _clean_code(code)
    for device in devices:
        if device.verify_token(token):
            with transaction.atomic(durable=True):
                audit.record(actor=actor, code="accounts.two_factor.verified", obj=device)
            return device
    with transaction.atomic(durable=True):
        audit.record(actor=actor, code="accounts.two_factor.failed", data={"stage": "verify"})
    raise ValidationError(
        {"code": [_("The code is not correct. Enter the 6-digit code your app shows now.")]}
    )


# --- Invitations ----------------------------------------------------------------------------
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once (in the e-mail); only its SHA-256 is stored


def _organisation(organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound("organisation")
    return organisation


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


# --- Memberships ----------------------------------------------------------------------------
def _membership_for_manager(actor: Actor, membership_id: int, organisation_id: int) -> Membership:
    organisation = _organisation(organisation_id)
    if not org_perms.can_view_members(actor, organisation):
        raise NotFound("membership")
    if not perms.can_manage_members(actor, organisation):
        raise PermissionDenied("only administrators manage members")
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organisation")
        .filter(pk=membership_id, organisation=organisation)
        .first()
    )
    if membership is None:
        raise NotFound("membership")
    return membership


def _other_administrators(membership: Membership) -> int:
    """Administrators of the organisation besides this membership's user (rows locked)."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Role.ADMINISTRATOR)
        .exclude(user_id=membership.user_id)
        .values_list("user_id", flat=True)
    )
    return len(set(admins))


LAST_ADMIN_MESSAGE = gettext_noop(
    "An organisation must keep at least one administrator. Make someone else administrator first."
)


def membership_change_role(
    *, actor: Actor, organisation_id: int, membership_id: int, role: str
) -> Membership:
    with transaction.atomic(durable=True):
        membership = _membership_for_manager(actor, membership_id, organisation_id)
        if role not in Role.values:
            raise ValidationError({"role": [_("Choose a role.")]})
        old = membership.role
        if role == old:
            return membership
        if Membership.objects.filter(
            user_id=membership.user_id, organisation_id=membership.organisation_id, role=role
        ).exists():
            raise ValidationError({"role": [_("This person already holds that role in the organisation.")]})
        if old == Role.ADMINISTRATOR and _other_administrators(membership) == 0:
            raise ValidationError({"role": [_(LAST_ADMIN_MESSAGE)]})
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(
            actor=actor,
            code="accounts.membership.role_changed",
            obj=membership,
            organisation_id=membership.organisation_id,
            data={"user_id": membership.user_id, "from": old, "to": role},
        )
    return membership


def membership_remove(*, actor: Actor, organisation_id: int, membership_id: int) -> None:
    with transaction.atomic(durable=True):
        membership = _membership_for_manager(actor, membership_id, organisation_id)
        if membership.role == Role.ADMINISTRATOR and _other_administrators(membership) == 0:
            raise ValidationError(_(LAST_ADMIN_MESSAGE))
        audit.record(
            actor=actor,
            code="accounts.membership.removed",
            obj=membership,
            organisation_id=membership.organisation_id,
            data={"user_id": membership.user_id, "role": membership.role},
        )
        membership.delete()


# --- Passwords and sessions ------------------------------------------------------------------------
RESET_WINDOW = timedelta(hours=1)
RESET_PER_ADDRESS = 10
RESET_PER_ACCOUNT = 3


def _reset_throttled(ip: str | None, account: User | None) -> bool:
    """At most RESET_PER_ADDRESS requests an hour from one address, and RESET_PER_ACCOUNT mails
    an hour to one account. Counted from the audit log, which records every request anyway."""
    recent = AuditEvent.objects.filter(
        code="accounts.password.reset_requested", occurred_at__gte=timezone.now() - RESET_WINDOW
    )
    if ip and recent.filter(ip=ip).count() >= RESET_PER_ADDRESS:
        return True
    return account is not None and (
        recent.filter(object_type=User._meta.label_lower, object_id=str(account.pk)).count()
        >= RESET_PER_ACCOUNT
    )


def password_reset_request(*, actor: Actor, email: str) -> bool:
    """Log a request for a password reset link; False when it is throttled and no mail may go.

    The page answers the same either way and whether or not the address has an account (no
    enumeration); an unknown address is not personal data of anyone here, so only its hash is kept.
    """
    email = email.strip().lower()
    account = User.objects.filter(email__iexact=email, is_active=True).first()
    with transaction.atomic(durable=True):
        if _reset_throttled(actor.ip, account):
            audit.record(actor=actor, code="accounts.password.reset_throttled", obj=account)
            return False
        audit.record(
            actor=actor,
            code="accounts.password.reset_requested",
            obj=account,
            data={"known_account": account is not None}
            | ({} if account else {"email_sha256": hashlib.sha256(email.encode()).hexdigest()[:16]}),
        )
    return True


def logout_record(*, actor: Actor) -> None:
    """Log that the actor logged out (the session itself is ended by Django's ``logout``)."""
    if not actor.is_authenticated:
        return
    with transaction.atomic(durable=True):
        audit.record(actor=actor, code="accounts.logout")
