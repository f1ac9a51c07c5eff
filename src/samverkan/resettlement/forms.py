"""Forms for the resettlement pages. The services validate; forms only shape the input."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.core.forms import StyledFormMixin
from samverkan.core.limits import MB, UploadLimits, UploadRefused, check_upload
from samverkan.resettlement.imports import MAX_LINES
from samverkan.resettlement.models import Service
from samverkan.resettlement.optimizer.files import MAX_NUMBER

MAX_UPLOAD_BYTES = 20 * MB
# A reception or case file: 20 MB, and at most MAX_LINES lines, counted in chunks before the
# service reads the file into rows.
IMPORT_LIMITS = UploadLimits(max_bytes=MAX_UPLOAD_BYTES, max_lines=MAX_LINES)


def _small_file(upload: Any) -> Any:
    if upload is not None:
        try:
            check_upload(upload, IMPORT_LIMITS)
        except UploadRefused as exc:
            raise forms.ValidationError(str(exc)) from None
    return upload


def this_year() -> int:
    return dt.date.today().year


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def clean_file(self) -> Any:
        return _small_file(self.cleaned_data.get("file"))


class RunForm(StyledFormMixin, forms.Form):
    time_limit = forms.IntegerField(
        label=_("Time limit (seconds)"),
        min_value=1,
        max_value=3600,
        initial=30,
        help_text=_(
            "The placement tool stops here with the best placement it has found, and says how good it is."
        ),
    )


class ReceptionForm(StyledFormMixin, forms.Form):
    capacity_persons = forms.IntegerField(
        label=_("Reception number (persons)"), min_value=0, max_value=MAX_NUMBER
    )
    large_dwellings = forms.IntegerField(
        label=_("Large dwellings (families of 6 or more)"), min_value=0, max_value=MAX_NUMBER
    )
    need_slots = forms.CharField(
        label=_("Service places per need code"),
        required=False,
        max_length=500,
        help_text=_("Like SM=3;DS=1. A code left out means no places for it."),
    )
    languages = forms.CharField(
        label=_("Languages with interpreters"),
        required=False,
        max_length=500,
        help_text=_("Language codes separated by semicolons, like ar;ti;prs."),
    )


class TaxonomyEntryForm(StyledFormMixin, forms.Form):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=10**9)
    label_sv = forms.CharField(label=_("Name (Swedish)"), max_length=200)
    label_en = forms.CharField(label=_("Name (English)"), max_length=200)
    label_ar = forms.CharField(
        label=_("Name (Arabic)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "ar", "dir": "rtl"}),
        help_text=_("Empty: Arabic pages show the Swedish name."),
    )
    definition_sv = forms.CharField(label=_("Definition (Swedish)"), widget=forms.Textarea(attrs={"rows": 4}))
    definition_en = forms.CharField(label=_("Definition (English)"), widget=forms.Textarea(attrs={"rows": 4}))
    definition_ar = forms.CharField(
        label=_("Definition (Arabic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "ar", "dir": "rtl"}),
        help_text=_(
            "Empty: Arabic pages show the Swedish definition. If you change the Swedish or English "
            "text, change the Arabic too, or empty it."
        ),
    )
    services = forms.MultipleChoiceField(
        label=_("Services it calls for"),
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("What changed and why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the new version of the taxonomy."),
    )


class SubcodeForm(TaxonomyEntryForm):
    parent = forms.ChoiceField(label=_("Under the need"), choices=())
    code = forms.CharField(
        label=_("Code"),
        max_length=10,
        help_text=_("The need's code, a hyphen and two or three letters, like SM-PT."),
    )
    field_order = ["parent", "code"]

    def __init__(self, *args: Any, parents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = parents  # type: ignore[attr-defined]


class OverrideForm(StyledFormMixin, forms.Form):
    """Move a case: the municipality chosen from a list by name (``choices``: the view's, grouped by
    whether the case fits there, each with what it has left); ``UNPLACED`` leaves the case unplaced."""

    UNPLACED = "none"

    municipality = forms.ChoiceField(
        label=_("Move the case to"),
        choices=(),
        help_text=_(
            "Each municipality shows what it has left this year, after the approved placements and "
            "this run's other cases. Type the first letters of a name to find it."
        ),
    )
    note = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = choices  # type: ignore[attr-defined]
