"""Forms for the panels pages. The services validate; forms only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samverkan.core.forms import StyledFormMixin
from samverkan.organisations.models import Organisation
from samverkan.panels.models import Algorithm

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _small_file(upload: Any) -> Any:
    if upload is not None and upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(_("The file is larger than 20 MB."))
    return upload


class PoolForm(StyledFormMixin, forms.Form):
    owner = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation"), empty_label=None
    )
    name = forms.CharField(label=_("Name of the pool"), max_length=200)
    panel_size = forms.IntegerField(label=_("Panel size"), min_value=1, max_value=10000, initial=100)
    people = forms.FileField(
        label=_("Volunteers (people.csv)"),
        help_text=_("UTF-8 CSV with a header row: an id column and one column per feature."),
        required=False,
    )
    people_text = forms.CharField(
        label=_("Or enter the volunteers here"),
        help_text=_("The same rows as the file: a header row, then one volunteer per line, comma-separated."),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=2_000_000,
    )
    id_column = forms.CharField(
        label=_("Id column"),
        max_length=200,
        required=False,
        help_text=_(
            "Empty: the column named id; a file without one (such as the research data's "
            "respondents.csv) has its volunteers numbered 0, 1, 2, … in file order."
        ),
    )
    feature_columns = forms.CharField(
        label=_("Feature columns"),
        max_length=2000,
        required=False,
        help_text=_(
            "Comma-separated. Empty: every column but the id and household. Other columns are not stored."
        ),
    )
    household_column = forms.CharField(
        label=_("Household or address column"),
        max_length=200,
        required=False,
        help_text=_("At most one person per household is selected."),
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def clean_people(self) -> Any:
        return _small_file(self.cleaned_data.get("people"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("people")) == bool((data.get("people_text") or "").strip()):
            self.add_error("people", _("Upload a file or enter the volunteers, not both and not neither."))
        return data


class QuotaFileForm(StyledFormMixin, forms.Form):
    features = forms.FileField(
        label=_("Quotas (features.csv) or target shares"),
        help_text=_("Columns feature,value,min,max; or feature,value,share, rounded to seats."),
    )
    tolerance = forms.IntegerField(
        label=_("Tolerance for shares (seats)"), min_value=0, max_value=1000, initial=0, required=False
    )

    def clean_features(self) -> Any:
        return _small_file(self.cleaned_data.get("features"))


class DatasetChoiceForm(StyledFormMixin, forms.Form):
    dataset = forms.ChoiceField(label=_("Statistics dataset"))

    def __init__(self, *args: Any, datasets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = datasets  # type: ignore[attr-defined]


class StatisticsQuotaForm(StyledFormMixin, forms.Form):
    tolerance = forms.IntegerField(
        label=_("Tolerance (seats)"),
        min_value=0,
        max_value=1000,
        initial=1,
        help_text=_("Each quota may deviate this many seats from the rounded target."),
    )

    def __init__(
        self, *args: Any, features: list[str], dimensions: list[tuple[str, str]], time: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Not mirrored")), *dimensions]
        for i, feature in enumerate(features):
            self.fields[f"map_{i}"] = forms.ChoiceField(
                label=_("Feature “%(feature)s” mirrors") % {"feature": feature},
                choices=choices,
                required=False,
            )
        if time is not None:
            language = (get_language() or "sv")[:2]
            self.fields["years"] = forms.MultipleChoiceField(
                label=_("Only these periods (%(dimension)s)") % {"dimension": time.label(language)},
                choices=[(c.code, c.label(language)) for c in time.categories],
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 6}),
                help_text=_("None chosen: all periods."),
            )


class RunForm(StyledFormMixin, forms.Form):
    algorithm = forms.ChoiceField(
        label=_("Algorithm"),
        choices=Algorithm.choices,
        initial=Algorithm.LEXIMIN,
    )
    seed = forms.CharField(
        label=_("Seed"),
        max_length=100,
        required=False,
        help_text=_(
            "Announce beforehand how it is chosen, e.g. numbers drawn in public. Empty: a random number."
        ),
    )
