"""Password reset requests, throttled per address and per account."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from samverkan.accounts.models import User
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.models import AuditEvent

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
