"""Pages for a person's own API tokens: list (with last use and expiry), create, renew, revoke.

The services decide (``accounts.services.tokens``): creating and renewing need a session that passed the
second factor where the person must use one; these pages only show the outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from samverkan.accounts import selectors, services
from samverkan.accounts.actors import actor_from_request
from samverkan.accounts.forms import ApiTokenForm
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for field_messages in exc.errors.values():
        for message in field_messages:
            messages.error(request, message)


def _refused(request: HttpRequest) -> HttpResponse:
    messages.error(
        request, _("Log in again with your second factor before you create or renew an API token.")
    )
    return redirect("accounts:api_tokens")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form = ApiTokenForm(request.POST or None, initial={"expires_in_days": settings.API_TOKEN_DEFAULT_DAYS})
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(
                actor=actor,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except PermissionDenied:
            return _refused(request)
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            response = render(request, "accounts/api_token_created.html", {"token": token, "raw": raw})
            response["Cache-Control"] = "no-store"  # shown once: never from a cache or the back button
            return response
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": selectors.api_token_list_for(actor=actor),
            "max_days": settings.API_TOKEN_MAX_DAYS,
            "default_days": settings.API_TOKEN_DEFAULT_DAYS,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def api_token_renew(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_renew(actor=actor_from_request(request), token_id=token_id)
    except PermissionDenied:
        return _refused(request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(
            request,
            _("The token “%(name)s” is now valid until %(date)s.")
            % {"name": token.name, "date": token.expires_at.date().isoformat()},
        )
    return redirect("accounts:api_tokens")


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    token = next((t for t in selectors.api_token_list_for(actor=actor) if t.pk == token_id), None)
    if token is None or token.revoked_at is not None:
        raise NotFound("api_token")
    if request.method == "POST":
        services.api_token_revoke(actor=actor, token_id=token.pk)
        messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
        return redirect("accounts:api_tokens")
    return render(request, "accounts/api_token_revoke.html", {"token": token})
