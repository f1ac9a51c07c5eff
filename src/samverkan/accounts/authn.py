"""Authentication is decided here, once per request, and nowhere else.

A request is one of two kinds, never both:

- a **token request**: an ``/api/`` request that carries an ``Authorization`` header. The header
  must hold a valid personal token (``Bearer sv_…``); the token's user is the caller and the
  session cookie is not used at all (the request gets an empty session that is never saved). A
  wrong, expired or revoked token — or any other kind of credential — is a 401, even where
  anonymous access would work, so a client never silently gets someone else's view. The token's
  own two-factor rule applies: a user who must use a second factor but has no authenticator is
  refused (403), because a token must not reach what that person's own session could not.
- a **session request**: everything else. All session rules apply — the idle and absolute
  limits, and the second factor for the roles that need it (``RequireTwoFactorMiddleware``).

No header switches a check off: the kind of request is decided by whether a credential was
*proven*, and the API's authentication classes (``accounts.api``) only read the decision.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, JsonResponse

SESSION = "session"
TOKEN = "token"  # noqa: S105 (a label, not a secret)
API_PREFIX = "/api/"


def auth_kind(request: HttpRequest) -> str:
    """How ``request`` was authenticated: ``TOKEN`` or ``SESSION`` (the default)."""
    return getattr(request, "samverkan_auth", SESSION)


def second_factor_required(user: Any) -> bool:
    """A second factor is required for roles handling personal data, staff (the admin), and anyone
    who has set up an authenticator (so enabling it voluntarily actually protects the account)."""
    from django_otp import user_has_device

    from samverkan.accounts.models import Membership

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff or user_has_device(user):
        return True
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return bool(roles & set(settings.TWO_FACTOR_REQUIRED_ROLES))


def has_confirmed_authenticator(user: Any) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_verified(request: HttpRequest) -> bool:
    """Whether this request's session has passed a second factor (never true for a token)."""
    if auth_kind(request) != SESSION:
        return False
    user = getattr(request, "user", None)
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def _unauthorized() -> JsonResponse:
    response = JsonResponse({"detail": "Unauthorized"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def decide(request: HttpRequest) -> JsonResponse | None:
    """Decide the request's kind and caller; an answer to send instead of the view, or None."""
    from samverkan.accounts import tokens

    request.samverkan_auth = SESSION  # type: ignore[attr-defined]
    if not request.path_info.startswith(API_PREFIX) or "HTTP_AUTHORIZATION" not in request.META:
        return None
    # From here on this is a token request, whatever the header says: the session is not used.
    request.samverkan_auth = TOKEN  # type: ignore[attr-defined]
    # An empty session in place of the cookie's, and the cookie dropped from the request, so the
    # session is neither read, nor saved, nor cleared (the browser's own session stays as it is).
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
    request.user = AnonymousUser()
    scheme, _, credential = request.META["HTTP_AUTHORIZATION"].strip().partition(" ")
    user = tokens.authenticate_token(credential.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        return _unauthorized()
    if second_factor_required(user) and not has_confirmed_authenticator(user):
        # E.g. an editor's token, after the editor was made administrator: the token must not
        # reach personal data that the person's own session could not reach without 2FA.
        return JsonResponse(
            {"detail": "Two-factor authentication required: set it up in the web interface first."},
            status=403,
        )
    request.user = user
    return None
