"""Makes the client address available to the audit log for the length of a request."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _trusted(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for login lockout and the audit log.

    ``REMOTE_ADDR`` unless it is one of settings.TRUSTED_PROXIES (addresses or networks of the
    deployment's own load balancers). Then X-Forwarded-For is read from the right, skipping our
    own proxies: the first address a trusted proxy received the request from is the client. A
    client can forge the left part of the header, never the part our proxies appended.
    """
    remote = request.META.get("REMOTE_ADDR")
    networks = [ipaddress.ip_network(n, strict=False) for n in settings.TRUSTED_PROXIES]
    if not remote or not networks or not _trusted(remote, networks):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote
    return remote


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.client_ip = client_ip(request)  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A domain error that escapes a view becomes the HTTP answer it means, never a 500: pages
        do not translate them by hand. ``NotFound`` is the 404 page (indistinguishable from a
        missing id), ``PermissionDenied`` the 403 page, ``RateLimited`` a 429 page with its advice
        and a Retry-After header."""
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.http import Http404
        from django.shortcuts import render

        from samverkan.core.errors import NotFound, PermissionDenied, RateLimited

        if isinstance(exception, NotFound):
            raise Http404 from exception
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied from exception
        if isinstance(exception, RateLimited):
            response = render(request, "core/too_many.html", {"advice": exception.advice}, status=429)
            response["Retry-After"] = str(exception.retry_after)
            response["Cache-Control"] = "no-store"
            response["X-Robots-Tag"] = "noindex, nofollow"
            return response
        return None


class QueryLanguageMiddleware:
    """``?lang=sv``, ``en`` or ``ar`` shows that page in that language, for this request only
    (nothing is stored: the cookie set by the language menu and Accept-Language decide the
    rest). A link can so name the language it is written for, as the open data API's ``lang``
    does. Any other value is ignored. The language menu is given the address without ``lang``
    (``request.language_next``), so that choosing another language is not overridden by it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.core.exceptions import TooManyFieldsSent
        from django.utils import translation

        try:
            wanted = request.GET.get("lang", "")
        except TooManyFieldsSent:
            wanted = ""  # the view refuses such an address itself
        if wanted in dict(settings.LANGUAGES):
            translation.activate(wanted)
            request.LANGUAGE_CODE = wanted
            query = request.GET.copy()
            query.pop("lang")
            rest = query.urlencode()
            request.language_next = request.path + (f"?{rest}" if rest else "")  # type: ignore[attr-defined]
        return self.get_response(request)
