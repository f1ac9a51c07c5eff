"""Pages for logging in, two-factor authentication, the account, members, invitations and audit."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts import permissions as perms
from samverkan.accounts import selectors, services
from samverkan.accounts.actors import actor_from_request, request_ip
from samverkan.accounts.forms import (
    AcceptInvitationForm,
    AuditFilterForm,
    CodeForm,
    InviteForm,
    LoginForm,
    RecoveryForm,
    RoleForm,
)
from samverkan.accounts.middleware import start_session_clock
from samverkan.accounts.models import Membership, RecoveryCodes
from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError
from samverkan.organisations import permissions as org_perms
from samverkan.organisations import selectors as organisation_selectors
from samverkan.organisations.models import Organisation

AUDIT_PAGE_SIZE = 50


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


# --- Log in and out -------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = request_ip(request)
        try:
            user = services.login_authenticate(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=ip,
                request=request,
            )
        except services.LoginLocked:
            form.add_error(
                None,
                _(
                    "Too many failed attempts to log in. For your security, logging in to this account "
                    "from here is paused for %(minutes)d minutes. Try again later or reset your password."
                )
                % {"minutes": int(settings.LOGIN_LOCKOUT_WINDOW.total_seconds() // 60)},
            )
        except services.LoginFailed:
            form.add_error(None, _("The e-mail address or the password is not correct."))
        else:
            auth_login(request, user)  # rotates the session key
            start_session_clock(request)
            if user_has_device(user):
                return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': next_url})}")
            return redirect(next_url)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url, "expired": request.GET.get("expired") == "1"},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.logout_record(actor=actor_from_request(request))
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- Account and two-factor -----------------------------------------------------------------
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "two_factor_enabled": services.has_authenticator(user),
            "recovery_codes_left": services.recovery_codes_left(user),
            "memberships": user.memberships.select_related("organisation"),
        },
    )


def _qr_svg(data: str) -> str:
    """An inline SVG QR code, made on the server (no image service, no script)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    next_url = _safe_next(request, "accounts:account")
    # Someone who passed the second factor with a recovery code (a lost phone) may replace their
    # authenticator; anyone else with one must ask an administrator.
    replacing = user.is_verified() and isinstance(getattr(user, "otp_device", None), RecoveryCodes)
    if services.has_authenticator(user) and not replacing:
        if not user.is_verified():
            return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': next_url})}")
        messages.info(request, _("Two-factor authentication is already set up for your account."))
        return redirect("accounts:account")
    actor = actor_from_request(request)
    device = services.two_factor_device_start(actor=actor, replacing=replacing)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_confirm(
                actor=actor, device_id=device.pk, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            django_otp.login(request, device)
            messages.success(request, _("Two-factor authentication is now on for your account."))
            codes = services.recovery_codes_issue(actor=actor_from_request(request))
            return _recovery_codes_page(request, codes, next_url)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "replacing": replacing,
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - generated by qrcode, no user input
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


def _recovery_codes_page(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
    response["Cache-Control"] = "no-store"  # shown once: never from a cache or the back button
    return response


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """A new set of recovery codes (the old set stops working); only in a verified session."""
    user: Any = request.user
    if not user.is_verified():
        return redirect(
            f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': reverse('accounts:account')})}"
        )
    try:
        codes = services.recovery_codes_issue(actor=actor_from_request(request))
    except ValidationError as exc:
        for ms in exc.errors.values():
            for m in ms:
                messages.error(request, m)
        return redirect("accounts:account")
    return _recovery_codes_page(request, codes, reverse("accounts:account"))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    next_url = _safe_next(request, settings.LOGIN_REDIRECT_URL)
    # No authenticator (never set up, or reset by an administrator): set one up. Recovery codes
    # left from before a reset do not stand in for it.
    if not services.has_authenticator(user):
        return redirect(f"{reverse('accounts:two_factor_setup')}?{urlencode({'next': next_url})}")
    if user.is_verified():
        return redirect(next_url)
    recovering = request.POST.get("action") == "recovery"
    form = CodeForm(request.POST if request.method == "POST" and not recovering else None)
    recovery_form = RecoveryForm(request.POST if recovering else None)
    if request.method == "POST" and not recovering and form.is_valid():
        try:
            device: TOTPDevice = services.two_factor_verify(
                actor=actor_from_request(request), code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            django_otp.login(request, device)
            return redirect(next_url)
    if recovering and recovery_form.is_valid():
        try:
            recovery = services.two_factor_recover(
                actor=actor_from_request(request), code=recovery_form.cleaned_data["recovery_code"]
            )
        except ValidationError as exc:
            recovery_form.add_domain_errors(exc)
        else:
            django_otp.login(request, recovery)
            return render(
                request,
                "accounts/recovered.html",
                {"left": services.recovery_codes_left(user), "next": next_url},
            )
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "recovery_form": recovery_form, "next": next_url},
    )


# --- Members --------------------------------------------------------------------------------
def _organisation(slug: str) -> Organisation:
    return organisation_selectors.organisation_get(slug=slug)


@login_required
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_from_request(request)
    organisation = _organisation(slug)
    memberships = list(selectors.member_list_for(actor=actor, organisation_id=organisation.pk))
    can_manage = perms.can_manage_members(actor, organisation)
    invitations = (
        list(selectors.pending_invitation_list_for(actor=actor, organisation_id=organisation.pk))
        if org_perms.can_invite_member(actor, organisation)
        else []
    )
    return render(
        request,
        "accounts/member_list.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "invitations": invitations,
            "can_manage": can_manage,
            "can_invite": org_perms.can_invite_member(actor, organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_invite(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_from_request(request)
    organisation = _organisation(slug)
    if not org_perms.can_invite_member(actor, organisation):
        raise Http404
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.membership_invite(
                actor=actor,
                organisation_id=organisation.pk,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(
                request, _("An invitation has been sent to %(email)s.") % {"email": issued.invitation.email}
            )
            return redirect("accounts:member_list", slug=organisation.slug)
    return render(request, "accounts/member_invite.html", {"organisation": organisation, "form": form})


def _managed_membership(actor: Actor, slug: str, membership_id: int) -> tuple[Organisation, Membership]:
    """The organisation and one of its memberships, if the actor manages its members; else 404."""
    organisation = _organisation(slug)
    if not perms.can_manage_members(actor, organisation):
        raise Http404
    membership = selectors.membership_get_for(
        actor=actor, organisation_id=organisation.pk, membership_id=membership_id
    )
    return organisation, membership


@login_required
@require_http_methods(["GET", "POST"])
def member_change_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    organisation, membership = _managed_membership(actor, slug, membership_id)
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                actor=actor,
                organisation_id=organisation.pk,
                membership_id=membership.pk,
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, _("The role of %(name)s has been changed.") % {"name": membership.user})
            return redirect("accounts:member_list", slug=organisation.slug)
    return render(
        request,
        "accounts/member_change_role.html",
        {"organisation": organisation, "membership": membership, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    organisation, membership = _managed_membership(actor, slug, membership_id)
    error = None
    if request.method == "POST":
        try:
            services.membership_remove(
                actor=actor, organisation_id=organisation.pk, membership_id=membership.pk
            )
        except ValidationError as exc:
            error = " ".join(m for messages_ in exc.errors.values() for m in messages_)
        else:
            messages.success(
                request,
                _("%(name)s no longer holds the role %(role)s.")
                % {"name": membership.user, "role": membership.get_role_display()},
            )
            return redirect("accounts:member_list", slug=organisation.slug)
    return render(
        request,
        "accounts/member_remove.html",
        {"organisation": organisation, "membership": membership, "error": error},
    )


# --- Invitations ----------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    user: Any = request.user
    try:
        invitation = services.invitation_get_by_token(token)
    except ValidationError as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"problem": exc.errors["__all__"][0]}, status=410
        )
    context: dict[str, Any] = {"invitation": invitation}
    if user.is_authenticated:
        context["wrong_user"] = user.email.lower() != invitation.email.lower()
        if request.method == "POST" and not context["wrong_user"]:
            accepted = _accept(request, token, user=user)
            assert accepted is not None
            return accepted
        return render(request, "accounts/invitation_accept.html", context)

    if selectors.account_exists(invitation.email):
        context["login_url"] = f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"
        return render(request, "accounts/invitation_accept.html", context)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _accept(
            request,
            token,
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password"],
            form=form,
        )
        if response is not None:
            return response
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context)


def _accept(request: HttpRequest, token: str, form: Any = None, **kwargs: Any) -> HttpResponse | None:
    """Accept, then redirect; None when the errors belong beside the form's fields."""
    try:
        membership = services.invitation_accept(token=token, ip=request_ip(request), **kwargs)
    except ValidationError as exc:
        if form is not None and set(exc.errors) - {"__all__"}:
            form.add_domain_errors(exc)
            return None
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"problem": " ".join(m for ms in exc.errors.values() for m in ms)},
            status=400,
        )
    organisation = membership.organisation
    if kwargs.get("user") is not None:
        messages.success(
            request, _("You are now a member of %(organisation)s.") % {"organisation": organisation}
        )
        return redirect("site:dashboard")
    messages.success(
        request,
        _("Your account has been created and you are a member of %(organisation)s. Log in to continue.")
        % {"organisation": organisation},
    )
    return redirect("accounts:login")


# --- Audit log ------------------------------------------------------------------------------
@login_required
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_from_request(request)
    organisation = _organisation(slug)
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        filters = {k: data.get(k) or None for k in ("code_prefix", "actor_email", "date_from", "date_to")}
    events = selectors.audit_event_list_for(actor=actor, organisation_id=organisation.pk, **filters)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {"organisation": organisation, "form": form, "page": page, "query": query.urlencode()},
    )
