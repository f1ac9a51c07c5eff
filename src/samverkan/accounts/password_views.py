"""Forgotten and changed passwords, on Django's own views, styled and audited.

A reset link is e-mailed only to an active account's address, and the page says the same
whether or not the address has an account (no account enumeration). The second factor is not
touched: after a reset the person still needs their authenticator.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils import timezone

from samverkan.accounts.actors import actor_for_user, actor_from_request, request_ip
from samverkan.accounts.models import User
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.forms import StyledFormMixin
from samverkan.core.models import AuditEvent


class ResetRequestForm(StyledFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(StyledFormMixin, auth_forms.SetPasswordForm):
    pass


class ChangePasswordForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: auth_forms.PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        account = User.objects.filter(email__iexact=email, is_active=True).first()
        ip = request_ip(self.request)
        if _reset_throttled(ip, account):
            # Same answer as always (no enumeration), but no mail: nobody can use the form to
            # flood an inbox or the mail server.
            with transaction.atomic():
                audit.record(actor=Actor.anonymous(ip), code="accounts.password.reset_throttled", obj=account)
            return HttpResponseRedirect(self.get_success_url())
        with transaction.atomic():
            audit.record(
                actor=Actor.anonymous(ip),
                code="accounts.password.reset_requested",
                obj=account,
                # an unknown address is not personal data of anyone here: only its hash is kept
                data={"known_account": account is not None}
                | ({} if account else {"email_sha256": hashlib.sha256(email.encode()).hexdigest()[:16]}),
            )
        return super().form_valid(form)


RESET_WINDOW = timedelta(hours=1)
RESET_PER_ADDRESS = 10
RESET_PER_ACCOUNT = 3


def _reset_throttled(ip: str | None, account: User | None) -> bool:
    """At most RESET_PER_ADDRESS requests an hour from one address, and RESET_PER_ACCOUNT mails
    an hour to one account. Counted from the audit log, which records every request anyway."""
    recent = AuditEvent.objects.filter(
        code="accounts.password.reset_requested", occurred_at__gte=timezone.now() - RESET_WINDOW
    )
    if ip and recent.filter(ip=ip).count() >= RESET_PER_ADDRESS:
        return True
    return account is not None and (
        recent.filter(object_type=User._meta.label_lower, object_id=str(account.pk)).count()
        >= RESET_PER_ACCOUNT
    )


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(
                actor=actor_for_user(form.user, request_ip(self.request)),
                code="accounts.password.reset_done",
                obj=form.user,
            )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        from django.contrib import messages
        from django.utils.translation import gettext as _

        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(
                actor=actor_from_request(self.request), code="accounts.password.changed", obj=form.user
            )
        messages.success(self.request, _("Your password was changed."))
        return response
