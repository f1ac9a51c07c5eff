"""API-token writes: create (the raw token is shown once), renew and revoke; every token expires.

Creating and renewing need a session that passed the second factor where the user must use one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.authn import second_factor_required
from samverkan.accounts.models import ApiToken
from samverkan.accounts.tokens import PREFIX_LENGTH, TOKEN_PREFIX, hash_token
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError


def _new_raw_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _days_error(days: int) -> dict[str, list[str]]:
    top = settings.API_TOKEN_MAX_DAYS
    if 1 <= days <= top:
        return {}
    return {"expires_in_days": [_("Enter a number of days from 1 to %(max)d.") % {"max": top}]}


def _require_verified_session(actor: Actor, user: Any, action: str) -> None:
    """Only the token's own user, in a session that passed the second factor where one is needed."""
    if actor.is_system:
        return
    if not actor.is_authenticated:
        raise PermissionDenied(action)
    if second_factor_required(user) and not actor.two_factor_verified:
        raise PermissionDenied(f"{action}.second_factor")


def api_token_create(
    *, actor: Actor, name: str, expires_in_days: int | None = None, for_user: Any = None
) -> tuple[ApiToken, str]:
    """Create a token for the actor's own user (or, for the system actor, for ``for_user``).

    Returns the stored token and the raw token, which is never stored and cannot be shown again.
    """
    if actor.is_system:
        user = for_user
        if user is None:
            raise ValidationError({"user": [_("Choose the user the token is for.")]})
    else:
        if not actor.is_authenticated:
            raise PermissionDenied("api_token.create")
        if for_user is not None and getattr(for_user, "pk", None) != actor.user_id:
            raise PermissionDenied("api_token.create")
        user = actor.user
    _require_verified_session(actor, user, "api_token.create")
    errors: dict[str, list[str]] = {}
    clean_name = str(name or "").strip()
    if not clean_name:
        errors["name"] = [_("Give the token a name.")]
    elif len(clean_name) > 100:
        errors["name"] = [_("Use at most 100 characters.")]
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    errors.update(_days_error(days))
    if not user.is_active:
        errors["user"] = [_("The user is not active.")]
    if errors:
        raise ValidationError(errors)
    raw = _new_raw_token()
    expires_at = timezone.now() + dt.timedelta(days=days)
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(
            user=user,
            name=clean_name,
            prefix=raw[:PREFIX_LENGTH],
            token_hash=hash_token(raw),
            expires_at=expires_at,
        )
        # The token, its hash and its prefix never enter the log.
        audit.record(
            actor=actor,
            code="accounts.api_token.created",
            obj=token,
            data={"name": clean_name, "user": user.pk, "expires_at": expires_at},
        )
    return token, raw


def api_token_renew(*, actor: Actor, token_id: int, expires_in_days: int | None = None) -> ApiToken:
    """Move the expiry of one of the actor's own live tokens to ``expires_in_days`` from now.

    A revoked or already expired token stays dead (make a new one): renewing is for a token that
    is still in use, so a forgotten one is not brought back by accident.
    """
    if not actor.is_authenticated:
        raise NotFound("api_token")
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    with transaction.atomic(durable=True):
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor.user).first()
        if token is None:
            raise NotFound("api_token")
        _require_verified_session(actor, token.user, "api_token.renew")
        errors = _days_error(days)
        now = timezone.now()
        if token.revoked_at is not None or token.expires_at <= now:
            errors["token"] = [_("This token has been revoked or has expired. Create a new one.")]
        if errors:
            raise ValidationError(errors)
        token.expires_at = now + dt.timedelta(days=days)
        token.save(update_fields=["expires_at"])
        audit.record(
            actor=actor,
            code="accounts.api_token.renewed",
            obj=token,
            data={"user": token.user_id, "expires_at": token.expires_at},
        )
    return token


def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens. Revoking twice is harmless."""
    if not actor.is_authenticated and not actor.is_system:
        raise NotFound("api_token")
    with transaction.atomic(durable=True):
        qs = ApiToken.objects.select_for_update().filter(pk=token_id)
        if not actor.is_system:
            qs = qs.filter(user=actor.user)
        token = qs.first()
        if token is None:
            raise NotFound("api_token")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(
                actor=actor, code="accounts.api_token.revoked", obj=token, data={"user": token.user_id}
            )
    return token
