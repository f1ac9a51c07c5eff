"""Forms for logging in, two-factor codes, invitations, memberships and the audit log filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import Role
from samverkan.core.forms import StyledFormMixin


class LoginForm(StyledFormMixin, forms.Form):
    username = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={"required": _("Enter your e-mail address.")},
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )


class RecoveryForm(StyledFormMixin, forms.Form):
    recovery_code = forms.CharField(
        label=_("Recovery code"),
        help_text=_(
            "One of the codes you saved when you set up two-factor authentication, e.g. ABCDE-23456."
        ),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
        error_messages={"required": _("Enter one of your recovery codes.")},
    )


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6-digit code, for example 123456."),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(_("Enter the code as 6 digits, for example 123456."))
        return code


class InviteForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The invitation link is sent to this address."),
        error_messages={
            "required": _("Enter the e-mail address of the person you invite."),
            "invalid": _("Enter an e-mail address in the right format, like name@example.se."),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, error_messages={"required": _("Choose a role.")}
    )


class RoleForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(
        label=_("New role"), choices=Role.choices, error_messages={"required": _("Choose a role.")}
    )


class AcceptInvitationForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, error_messages={"required": _("Enter your full name.")}
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters. Avoid common passwords."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password.")},
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter the password again.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


# The audit page turns dates into local midnights: before year 1900 there is nothing to find, and
# near year 1 the conversion to UTC overflows (a 500 for ?date_from=0001-01-01).
_AUDIT_EARLIEST = MinValueValidator(
    dt.date(1900, 1, 1), message=_("Enter a date from %(limit_value)s or later, as YYYY-MM-DD.")
)


class AuditFilterForm(StyledFormMixin, forms.Form):
    code_prefix = forms.CharField(
        label=_("Event code starts with"),
        help_text=_("For example accounts.membership"),
        required=False,
        max_length=100,
    )
    actor_email = forms.CharField(label=_("E-mail address of the person"), required=False, max_length=254)
    date_from = forms.DateField(
        label=_("From date"),
        help_text=_("As YYYY-MM-DD, for example 2026-03-01."),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a real date as YYYY-MM-DD, for example 2026-03-01.")},
        validators=[_AUDIT_EARLIEST],
    )
    date_to = forms.DateField(
        label=_("To date"),
        help_text=_("As YYYY-MM-DD, for example 2026-03-31."),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a real date as YYYY-MM-DD, for example 2026-03-31.")},
        validators=[_AUDIT_EARLIEST],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The to date must be the same as or after the from date."))
        return data


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        help_text=_("For example the name of the script or system that will use it."),
        max_length=100,
        error_messages={"required": _("Give the token a name.")},
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        initial=90,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Enter the number of days the token is valid.")},
    )
