"""Irreversible actions ask first: one pattern for every page, without JavaScript.

A view that performs an action which cannot be undone (cancel a place, replace a panel member,
approve or discard a placement, …) calls ``ask_first`` at the top of its POST branch::

    if (question := ask_first(request, title=..., consequence=..., button=..., cancel_url=...)):
        return question
    services.registration_cancel(actor=..., ...)

The first POST does nothing but answer with a confirmation page that says what will happen and
posts the same fields again, with ``confirmed=yes``; a link leads back unchanged. Only that second
POST returns ``None`` here, so the view goes on and acts. Because the question is a page of its
own, it works with a screen reader, on a phone and with scripts off, and a test can assert that
one POST alone changes nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED_FIELD = "confirmed"
CONFIRMED_VALUE = "yes"


def confirmed(request: HttpRequest) -> bool:
    """Whether this POST is the answer to the confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRMED_FIELD) == CONFIRMED_VALUE


def ask_first(
    request: HttpRequest,
    *,
    title: str,
    consequence: str,
    button: str,
    cancel_url: str,
    cancel_label: str | None = None,
    warning: bool = True,
) -> HttpResponse | None:
    """The confirmation page for an irreversible action, or ``None`` once the person confirmed.

    ``title`` is the question (the page's heading), ``consequence`` says plainly what will happen
    and what cannot be undone, ``button`` is the label of the button that acts, ``cancel_url``
    where "No, go back" leads. Every field of the first POST (files excepted: a form that uploads
    should not be irreversible) is posted again unchanged.
    """
    if confirmed(request):
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRMED_FIELD)
        for value in values
    ]
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "consequence": consequence,
            "button": button,
            "cancel_url": cancel_url,
            "cancel_label": cancel_label,
            "warning": warning,
            "fields": fields,
            "action": request.get_full_path(),
            "confirmed_field": CONFIRMED_FIELD,
            "confirmed_value": CONFIRMED_VALUE,
        },
    )
