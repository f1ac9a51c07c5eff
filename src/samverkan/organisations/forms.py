from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.core.forms import StyledFormMixin
from samverkan.organisations.models import (
    AgreementKind,
    AgreementStatus,
    DocumentType,
    Organisation,
    OrganisationKind,
    Visibility,
)


def _set_queryset(field: forms.Field, queryset: Any) -> None:
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class DateInput(forms.DateInput):
    input_type = "date"


class AgreementForm(StyledFormMixin, forms.Form):
    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Initiating organisation"))
    kind = forms.ChoiceField(choices=AgreementKind.choices, label=_("Kind"))
    title = forms.CharField(max_length=200, label=_("Title"))
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("Purpose"))
    scope = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Scope"))
    start_date = forms.DateField(widget=DateInput, label=_("Start date"))
    end_date = forms.DateField(
        widget=DateInput,
        required=False,
        label=_("End date"),
        help_text=_("Leave empty if the agreement runs until further notice."),
    )
    status = forms.ChoiceField(choices=AgreementStatus.choices, label=_("Status"))
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        label=_("Visibility"),
        help_text=_("Public agreements and their parties are listed on the public site."),
    )
    open_for_joining = forms.BooleanField(required=False, label=_("Open for other organisations to join"))
    contact_name = forms.CharField(max_length=200, required=False, label=_("Responsible contact"))
    contact_email = forms.EmailField(
        required=False,
        label=_("Contact e-mail"),
        help_text=_("Receives reminders before the agreement ends."),
    )

    def __init__(self, *args: Any, owners: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("owner", "contact_name", "contact_email"):
                del self.fields[name]
        else:
            _set_queryset(self.fields["owner"], owners if owners is not None else Organisation.objects.none())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class InviteOrganisationForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation to invite")
    )
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Message"))

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if candidates is not None:
            _set_queryset(self.fields["organisation"], candidates)


class JoinForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Join as"))
    contact_name = forms.CharField(max_length=200, required=False, label=_("Responsible contact"))
    contact_email = forms.EmailField(required=False, label=_("Contact e-mail"))

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            _set_queryset(self.fields["organisation"], organisations)


class ContactForm(StyledFormMixin, forms.Form):
    """A party's responsible contact (also asked when accepting an invitation)."""

    contact_name = forms.CharField(max_length=200, required=False, label=_("Responsible contact"))
    contact_email = forms.EmailField(required=False, label=_("Contact e-mail"))


class DocumentForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    doc_type = forms.ChoiceField(choices=DocumentType.choices, label=_("Document type"))
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, Word, Excel, OpenDocument, PNG or JPEG; at most 10 MB.")
    )


class OrganisationForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    kind = forms.ChoiceField(choices=OrganisationKind.choices, label=_("Kind"))
    org_number = forms.CharField(
        max_length=11, required=False, label=_("Organisation number"), help_text=_("Ten digits, NNNNNN-NNNN.")
    )
    municipality_code = forms.CharField(
        max_length=4,
        required=False,
        label=_("Kommunkod"),
        help_text=_("For a municipality: its four-digit code, e.g. 0180."),
    )
    website = forms.URLField(required=False, label=_("Website"), assume_scheme="https")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label=_("Description")
    )
