"""Forms for the story pages. The services validate; forms only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samverkan.core.forms import StyledFormMixin
from samverkan.organisations.models import Organisation
from samverkan.stories.models import LANGUAGES, Ground, MunicipalityType, OriginRegion

BODY_HELP = _(
    "Paragraphs are separated by an empty line. **Bold**, *italic*, lists with - and "
    "links as [text](https://…) are kept; everything else is shown as plain text."
)
LANGUAGE_LABELS = {"sv": _("Swedish"), "en": _("English"), "ar": _("Arabic")}


def _textarea(rows: int = 12) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class StoryForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Publisher"), empty_label=None
    )
    original_language = forms.ChoiceField(label=_("Language of the interview"), choices=LANGUAGES)
    display_name = forms.CharField(
        label=_("Name shown"), max_length=80, help_text=_("The name or pseudonym the person chose.")
    )
    ground = forms.ChoiceField(label=_("Ground for settlement"), choices=[("", _("Choose")), *Ground.choices])
    origin_region = forms.ChoiceField(
        label=_("Region of origin"), choices=[("", _("Choose")), *OriginRegion.choices]
    )
    arrival_year = forms.IntegerField(label=_("Year of arrival in Sweden"), min_value=1900, max_value=2100)
    municipality_type = forms.ChoiceField(
        label=_("Type of home municipality"), choices=[("", _("Choose")), *MunicipalityType.choices]
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas, e.g. work, family."),
    )
    interview_date = forms.DateField(
        label=_("Interview date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    title_sv = forms.CharField(label=_("Title (Swedish)"), max_length=200, required=False)
    body_sv = forms.CharField(
        label=_("Text (Swedish)"), widget=_textarea(), required=False, help_text=BODY_HELP
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_en = forms.CharField(label=_("Text (English)"), widget=_textarea(), required=False)
    title_ar = forms.CharField(label=_("Title (Arabic)"), max_length=200, required=False)
    body_ar = forms.CharField(label=_("Text (Arabic)"), widget=_textarea(), required=False)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Location, camera and every other hidden detail are removed."),
    )
    photo_alt = forms.CharField(label=_("Photo description (alt text)"), max_length=200, required=False)
    photo_consent = forms.BooleanField(
        label=_("The person has consented to the photo being published"), required=False
    )

    def __init__(self, *args: Any, organisations: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organisation"]
            del self.fields["original_language"]
            self.fields["remove_photo"] = forms.BooleanField(label=_("Remove the photo"), required=False)
            self.fields["base_number"] = forms.IntegerField(widget=forms.HiddenInput)
        else:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        for code in ("ar",):
            for name in (f"title_{code}", f"body_{code}"):
                self.fields[name].widget.attrs.update({"dir": "rtl", "lang": code})
        for code in ("sv", "en"):
            for name in (f"title_{code}", f"body_{code}"):
                self.fields[name].widget.attrs["lang"] = code

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > settings.STORIES_PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("The photo is larger than %(n)s MB.") % {"n": settings.STORIES_PHOTO_MAX_BYTES // 2**20}
            )
        return photo

    def texts(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            code: {"title": data[f"title_{code}"], "body": data[f"body_{code}"]} for code, _n in LANGUAGES
        }

    def tag_list(self) -> list[str]:
        return [t for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]


class LinkForm(StyledFormMixin, forms.Form):
    language = forms.ChoiceField(label=_("The person's language"), choices=LANGUAGES)
    email = forms.CharField(
        label=_("The person's e-mail address"),
        max_length=254,
        required=False,
        help_text=_("If given, the link is e-mailed; the address is not stored. Otherwise send it yourself."),
    )


class PublishForm(StyledFormMixin, forms.Form):
    base_number = forms.IntegerField(widget=forms.HiddenInput)
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        help_text=_("Leave empty to publish now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class CommentForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=_textarea(4), max_length=4000)


class PersonEditForm(StyledFormMixin, forms.Form):
    """The person's own edit of the text in their language."""

    base_number = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Your text"), widget=_textarea(16), max_length=20_000)
    comment = forms.CharField(
        label=_("Comment to the editor"), widget=_textarea(3), max_length=4000, required=False
    )


class PersonDecisionForm(StyledFormMixin, forms.Form):
    base_number = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("What should change?"), widget=_textarea(4), max_length=4000, required=False
    )


class WithdrawForm(StyledFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, remove my story and withdraw my consent"),
        error_messages={"required": _("Tick the box to confirm.")},
    )
