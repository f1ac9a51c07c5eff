"""Makes the client address available to the audit log for the length of a request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def client_ip(request: HttpRequest) -> str | None:
    # Behind a trusted proxy, configure it to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips);
    # X-Forwarded-For is never trusted here because any client can forge it.
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.client_ip = client_ip(request)  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A domain error that escapes a view becomes the HTTP answer it means, never a 500."""
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.http import Http404

        from samverkan.core.errors import NotFound, PermissionDenied

        if isinstance(exception, NotFound):
            raise Http404 from exception
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied from exception
        return None
