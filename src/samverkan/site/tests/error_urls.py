"""A URLconf for the error-page tests: the site's own, plus a page that fails."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a page")


urlpatterns = [path("__boom__/", boom), *site_urlpatterns]

__all__ = ["handler500", "urlpatterns"]
