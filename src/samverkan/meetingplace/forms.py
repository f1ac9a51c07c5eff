"""Forms for the meeting-place pages. The services validate; forms only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.core.forms import StyledFormMixin
from samverkan.meetingplace.languages import language_choices
from samverkan.meetingplace.models import PlaceKind, TargetGroup
from samverkan.organisations.models import Organisation


def _language_choices() -> list[tuple[str, str]]:
    """Evaluated each time the field is shown, so the names follow the page's language."""
    return language_choices(str(_("Choose")))


class RegistrationForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        help_text=_("An e-mail address or a phone number."),
    )
    phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)
    language = forms.ChoiceField(label=_("Language you prefer"), choices=_language_choices, required=False)


class OnBehalfForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the person"), max_length=100)
    phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)
    language = forms.ChoiceField(
        label=_("Language the person prefers"), choices=_language_choices, required=False
    )


class CheckInForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code on the confirmation"), max_length=12)


class ActivityForm(StyledFormMixin, forms.Form):
    organiser = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organiser"), empty_label=None
    )
    title_sv = forms.CharField(label=_("Title (Swedish)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    title_ar = forms.CharField(label=_("Title (Arabic)"), max_length=200, required=False)
    description_sv = forms.CharField(
        label=_("Description (Swedish)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    description_ar = forms.CharField(
        label=_("Description (Arabic)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    target_groups = forms.MultipleChoiceField(label=_("For whom"), choices=TargetGroup.choices)
    languages = forms.CharField(
        label=_("Held in"), max_length=100, help_text=_("Language codes separated by semicolons, like sv;ar.")
    )
    interpretation = forms.CharField(
        label=_("Interpreted into"), max_length=100, required=False, help_text=_("Like ar;ti;so.")
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place_kind = forms.ChoiceField(label=_("Place"), choices=PlaceKind.choices)
    address = forms.CharField(label=_("Address or link"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers  # type: ignore[attr-defined]


class ReportForm(StyledFormMixin, forms.Form):
    attended = forms.IntegerField(label=_("How many came"), min_value=0, max_value=10_000)
    organisations_present = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.order_by("name"), label=_("Organisations present"), required=False
    )
    questions = forms.CharField(
        label=_("Questions people asked"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        required=False,
    )
    notes = forms.CharField(
        label=_("Other notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000, required=False
    )


class OverviewForm(StyledFormMixin, forms.Form):
    organiser = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organiser"), empty_label=None
    )
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers  # type: ignore[attr-defined]


class MaterialForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("On behalf of"), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), required=False, max_length=500_000
    )
    file = forms.FileField(
        label=_("Or a file (PDF, Word or text)"),
        required=False,
        help_text=_("Write the text or choose a file, not both."),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class ReviseForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("New text"), widget=forms.Textarea(attrs={"rows": 10}), required=False, max_length=500_000
    )
    file = forms.FileField(
        label=_("Or a file (PDF, Word or text)"),
        required=False,
        help_text=_("To send a file instead, leave the text above as it is or empty it."),
    )


class ReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("changes", _("Request changes")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment to the organisation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10_000,
    )


class FactForm(StyledFormMixin, forms.Form):
    key = forms.SlugField(
        label=_("Key"), max_length=80, help_text=_("A short name that stays the same across versions.")
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=())
    text_sv = forms.CharField(
        label=_("Statement (Swedish)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    text_en = forms.CharField(
        label=_("Statement (English)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    legal_reference = forms.CharField(label=_("Legal reference"), max_length=300, required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        label=_("Valid to"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from samverkan.meetingplace.models import FactTopic

        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = FactTopic.choices  # type: ignore[attr-defined]


class CancelSessionForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the session is cancelled"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the session's page and sent to everyone registered with an e-mail address."),
    )


class SessionForm(StyledFormMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place_kind = forms.ChoiceField(label=_("Place"), choices=PlaceKind.choices)
    address = forms.CharField(label=_("Address or link"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)
    registration_opens = forms.DateTimeField(
        label=_("Registration opens"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    registration_closes = forms.DateTimeField(
        label=_("Registration closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
