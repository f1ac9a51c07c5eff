"""Personal API tokens: their format, their hash, and authentication by token.

Only the SHA-256 of a token is stored. A token is looked up by its hash, so the database never
compares secrets character by character, and the stored hash is compared again in constant time.
Creating, renewing and revoking tokens are services (``accounts.services.tokens``); listing them is
a selector (``accounts.selectors.api_token_list_for``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.utils import timezone

from samverkan.accounts.models import ApiToken, User

TOKEN_PREFIX = "sv_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = 10  # "sv_" and seven characters: enough to recognise a token in a list
MAX_TOKEN_LENGTH = 200
# last_used_at is written at most this often per token, so busy clients do not write on every call.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def authenticate_token(raw: str | None) -> User | None:
    """The active user a valid, unrevoked, unexpired token belongs to; None otherwise."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(raw)
    token = ApiToken.objects.select_related("user").filter(token_hash=digest).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now:
        return None
    user = token.user
    if not user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
