"""Two-factor authentication: authenticator (TOTP) devices and one-time recovery codes."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.models import RecoveryCode, RecoveryCodes, recovery_code_hash
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError


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
