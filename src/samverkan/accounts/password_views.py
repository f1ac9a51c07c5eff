"""Forgotten and changed passwords, on Django's own views, styled and audited.

Django's views save the new password themselves, so the two that do (reset confirmed, password
changed) record the event in the same transaction here: the one place where a view writes the
audit log (docs/architecture.md). A reset request is logged and throttled by
``services.password_reset_request``.

A reset link is e-mailed only to an active account's address, and the page says the same
whether or not the address has an account (no account enumeration). The second factor is not
touched: after a reset the person still needs their authenticator.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

from samverkan.accounts import services
from samverkan.accounts.actors import actor_for_user, actor_from_request, request_ip
from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.forms import StyledFormMixin


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
        if not services.password_reset_request(
            actor=Actor.anonymous(request_ip(self.request)), email=form.cleaned_data["email"]
        ):
            # Same answer as always (no enumeration), but no mail: nobody can use the form to
            # flood an inbox or the mail server.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


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
