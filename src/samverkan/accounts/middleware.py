"""Session limits and the two-factor requirement."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from samverkan.accounts import authn

SESSION_AUTH_AT = "samverkan_auth_at"
SESSION_LAST_SEEN = "samverkan_last_seen"


def start_session_clock(request: HttpRequest) -> None:
    """Call right after logging a user in: the absolute limit counts from here."""
    now = time.time()
    request.session[SESSION_AUTH_AT] = now
    request.session[SESSION_LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Log out after SESSION_IDLE_SECONDS without a request, or SESSION_ABSOLUTE_SECONDS after login.

    The session cookie's own age enforces the idle limit in the browser; this enforces both limits
    on the server, whatever the client does with its cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if authn.auth_kind(request) == authn.SESSION and request.user.is_authenticated:
            now = time.time()
            auth_at = request.session.get(SESSION_AUTH_AT)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            if auth_at is None:
                request.session[SESSION_AUTH_AT] = now
            elif (
                now - auth_at > settings.SESSION_ABSOLUTE_SECONDS
                or now - last_seen > settings.SESSION_IDLE_SECONDS
            ):
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                query = urlencode({"next": request.get_full_path(), "expired": "1"})
                return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")
            request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


def requires_two_factor(request: HttpRequest) -> bool:
    """Whether the request's user must pass a second factor (see ``authn.second_factor_required``)."""
    return authn.second_factor_required(request.user)


class ApiAuthenticationMiddleware:
    """Decides, once, whether a request is a token request or a session request (``authn``).

    It runs right after Django's AuthenticationMiddleware, before every session rule, so a token
    request never touches the session and a session request gets every session rule.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = authn.decide(request)
        if refused is not None:
            return refused
        return self.get_response(request)


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
            and authn.auth_kind(request) == authn.SESSION
            and not user.is_verified()  # type: ignore[attr-defined]
            and requires_two_factor(request)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": "Two-factor authentication required."}, status=403)
            from django_otp import user_has_device

            target = "accounts:two_factor_verify" if user_has_device(user) else "accounts:two_factor_setup"
            return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
