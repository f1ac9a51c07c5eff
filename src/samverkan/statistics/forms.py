from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samverkan.core.forms import StyledFormMixin
from samverkan.organisations.models import Organisation

FORMAT_CHOICES = [
    ("auto", _("Recognise from the file")),
    ("px", _("PC-Axis (.px)")),
    ("jsonstat2", _("JSON-stat 2 (PxWeb API)")),
    ("pxweb-csv", _("CSV from PxWeb")),
    ("csv", _("CSV (plain, long format)")),
]


class StatisticsUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PC-Axis, JSON-stat 2 or CSV; see the format guide."))
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="auto", label=_("Format"))
    dataset = forms.SlugField(
        max_length=100,
        required=False,
        label=_("Dataset short name"),
        help_text=_("An existing dataset gets a new version; empty takes the table id from the file."),
    )
    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Owning organisation"))
    title = forms.CharField(max_length=300, required=False, label=_("Title (Swedish)"))
    title_en = forms.CharField(max_length=300, required=False, label=_("Title (English)"))
    title_ar = forms.CharField(max_length=300, required=False, label=_("Title (Arabic)"))
    source_organisation = forms.CharField(
        max_length=200,
        required=False,
        label=_("Source organisation"),
        help_text=_("Who published the figures."),
    )
    source_url = forms.URLField(
        max_length=500, required=False, assume_scheme="https", label=_("Source address")
    )
    licence = forms.CharField(max_length=100, required=False, label=_("Licence"))
    person_level = forms.BooleanField(
        required=False,
        label=_("Counts of persons"),
        help_text=_("Small cells are then suppressed so that no published figure can identify a person."),
    )
    threshold = forms.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        label=_("Suppression threshold"),
    )
    internal = forms.BooleanField(
        required=False, label=_("Internal"), help_text=_("Only members of the owning organisation see it.")
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners if owners is not None else Organisation.objects.none()
        self.fields["threshold"].help_text = _("Empty: the platform's threshold, %(n)s.") % {
            "n": settings.STATISTICS_DISCLOSURE_THRESHOLD
        }
