"""Session limits and the two-factor requirement."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from samverkan.accounts.actors import actor_from_request

SESSION_AUTH_AT = "samverkan_auth_at"
SESSION_LAST_SEEN = "samverkan_last_seen"


class SessionTimeoutMiddleware:
    """Log out after SESSION_IDLE_SECONDS without a request, or SESSION_ABSOLUTE_SECONDS after login.

    The session cookie's own age enforces the idle limit in the browser; this enforces both limits
    on the server, whatever the client does with its cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            auth_at = request.session.get(SESSION_AUTH_AT)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            if auth_at is None:
                request.session[SESSION_AUTH_AT] = now
            elif now - auth_at > settings.SESSION_ABSOLUTE_SECONDS or now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return HttpResponseRedirect(f"{reverse('accounts:login')}?next={request.path}&expired=1")
            request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


def requires_two_factor(request: HttpRequest) -> bool:
    actor = actor_from_request(request)
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    return any(roles & required for roles in actor.roles.values()) or bool(request.user.is_superuser)


class RequireTwoFactorMiddleware:
    """Users holding a role that handles personal data must pass a second factor.

    Until they do, every page except logging out and the two-factor pages redirects to setting
    up (first time) or verifying (later) a TOTP authenticator; the API answers 403.
    """

    EXEMPT_PREFIXES = ("/accounts/logout/", "/accounts/two-factor/", "/static/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and not getattr(request, "_api_token_auth", False)
            and not user.is_verified()  # type: ignore[attr-defined]
            and requires_two_factor(request)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": "Two-factor authentication required."}, status=403)
            from django_otp import user_has_device

            target = "accounts:two_factor_verify" if user_has_device(user) else "accounts:two_factor_setup"
            return HttpResponseRedirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
