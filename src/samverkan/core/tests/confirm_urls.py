"""A URLconf for the ask-first tests: one irreversible action, counted."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from samverkan.core.confirm import ask_first

DONE: list[dict[str, list[str]]] = []


def destroy(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if question := ask_first(
            request,
            title="Cancel your place?",
            consequence="Your place goes to the next person on the waiting list.",
            button="Yes, cancel my place",
            cancel_url="/back/",
        ):
            return question
        DONE.append({k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"})
        return HttpResponse("done")
    return HttpResponse("form")


urlpatterns = [path("destroy/", destroy), *site_urlpatterns]
