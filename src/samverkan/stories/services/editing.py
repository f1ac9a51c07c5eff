"""Editors write stories: create, edit (a new revision for the person to approve) and comment."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.organisations.models import Organisation
from samverkan.stories import permissions as perms
from samverkan.stories.models import Ground, MunicipalityType, OriginRegion, Story, StoryPhoto, StoryRevision
from samverkan.stories.photos import PhotoError, clean_photo
from samverkan.stories.services._common import (
    LANGUAGE_CODES,
    _comment,
    _current,
    _editable,
    _erase_photo,
    _locked,
    _record,
    _texts,
)

TAG = re.compile(r"[\w\- ]{1,40}")


def _display_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"display_name": [_("Give the name or pseudonym the person chose.")]})
    if len(name) > 80 or "\x00" in name:
        raise ValidationError({"display_name": [_("At most %(n)s characters.") % {"n": 80}]})
    return name


def _tags(tags: Sequence[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split()).lower()
        if not tag:
            continue
        if not TAG.fullmatch(tag):
            raise ValidationError(
                {
                    "tags": [
                        _("Tags are words of at most 40 letters, digits or hyphens: %(tag)s") % {"tag": tag}
                    ]
                }
            )
        if tag not in out:
            out.append(tag)
    if len(out) > 12:
        raise ValidationError({"tags": [_("At most %(n)s tags.") % {"n": 12}]})
    return out


@dataclass(frozen=True)
class Details:
    """What places the story in the statistics and its themes (shown beside the text, so part of
    the revision the person approves), and the interview date (editorial, never shown)."""

    ground: str
    origin_region: str
    arrival_year: int
    municipality_type: str
    tags: Sequence[str] = ()
    interview_date: dt.date | None = None


def _details(details: Details) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    if details.ground not in Ground.values:
        errors["ground"] = [_("Choose a ground for settlement.")]
    if details.origin_region not in OriginRegion.values:
        errors["origin_region"] = [_("Choose a region of origin.")]
    if details.municipality_type not in MunicipalityType.values:
        errors["municipality_type"] = [_("Choose a type of municipality.")]
    this_year = timezone.localdate().year
    if not 1945 <= details.arrival_year <= this_year:
        errors["arrival_year"] = [_("A year between 1945 and %(year)s.") % {"year": this_year}]
    if details.interview_date and details.interview_date > timezone.localdate():
        errors["interview_date"] = [_("The interview date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    return {
        "ground": details.ground,
        "origin_region": details.origin_region,
        "arrival_year": details.arrival_year,
        "municipality_type": details.municipality_type,
        "tags": _tags(details.tags),
    }


@dataclass(frozen=True)
class Photo:
    data: bytes
    alt: str
    consent: bool


def _store_photo(story: Story, photo: Photo) -> StoryPhoto:
    if not photo.consent:
        raise ValidationError({"photo_consent": [_("A photo is shown only with the person's consent.")]})
    alt = photo.alt.strip()
    if not alt or len(alt) > 200:
        raise ValidationError(
            {"photo_alt": [_("Describe the photo for people who cannot see it (at most 200 characters).")]}
        )
    try:
        data = clean_photo(photo.data)
    except PhotoError:
        raise ValidationError({"photo": [_("The photo must be a JPEG, PNG or WebP image.")]}) from None
    return StoryPhoto.objects.create(story=story, data=data, sha256=hashlib.sha256(data).hexdigest())


def _photo_alt(alt: str) -> str:
    alt = (alt or "").strip()
    if len(alt) > 200:
        raise ValidationError({"photo_alt": [_("At most %(n)s characters.") % {"n": 200}]})
    return alt


def _draft_slug() -> str:
    # Until its first publication a story's address says nothing: the public address is made from
    # the title the person approved, not from an editor's first draft.
    return f"utkast-{secrets.token_hex(6)}"


def story_create(
    *,
    actor: Actor,
    organisation_id: int,
    original_language: str,
    details: Details,
    display_name: str,
    texts: Mapping[str, Mapping[str, str]],
    photo: Photo | None = None,
    is_fictional: bool = False,
) -> Story:
    """A new story, its first revision written (and so approved) by the editor."""
    if not perms.can_edit_stories(actor, organisation_id):
        raise PermissionDenied("only the organisation's editors write stories")
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound("organisation")
    if original_language not in LANGUAGE_CODES:
        raise ValidationError({"original_language": [_("Choose the language of the interview.")]})
    clean_texts = _texts(texts, original_language)
    name = _display_name(display_name)
    facets = _details(details)
    with transaction.atomic():
        story = Story.objects.create(
            organisation=organisation,
            slug=_draft_slug(),
            original_language=original_language,
            editor=actor.user,
            is_fictional=is_fictional,
            interview_date=details.interview_date,
        )
        stored = _store_photo(story, photo) if photo else None
        now = timezone.now()
        revision = StoryRevision.objects.create(
            story=story,
            number=1,
            texts=clean_texts,
            display_name=name,
            photo=stored,
            photo_alt=photo.alt.strip() if photo else "",
            **facets,
            written_by=actor.user,
            editor_approved_by=actor.user,
            editor_approved_at=now,
        )
        _record(
            actor, "stories.story.created", story, revision=revision.number, languages=sorted(clean_texts)
        )
    return story


def story_edit(
    *,
    actor: Actor,
    story: Story,
    base_number: int,
    details: Details,
    display_name: str,
    texts: Mapping[str, Mapping[str, str]],
    photo: Photo | None = None,
    photo_alt: str | None = None,
    remove_photo: bool = False,
) -> StoryRevision | None:
    """Change the interview date and, if anything the person approves changed (texts, name, photo,
    facets, tags), write a new revision, which the person must approve again. ``base_number`` is
    the revision the editor started from: if someone wrote a newer one meanwhile, nothing is saved.
    Answers the new revision, or None."""
    _editable(actor, story)
    if story.withdrawn_at:
        raise ValidationError(_("The person has withdrawn their consent: the story cannot be changed."))
    clean_texts = _texts(texts, story.original_language)
    name = _display_name(display_name)
    facets = _details(details)
    with transaction.atomic(durable=True):
        story = _locked(story)
        if story.withdrawn_at:
            raise ValidationError(_("The person has withdrawn their consent: the story cannot be changed."))
        current = _current(story)
        if current.number != base_number:
            raise ValidationError(
                _("Revision %(n)s was saved while you were editing: open the story again and redo it.")
                % {"n": current.number}
            )
        if story.interview_date != details.interview_date:
            story.interview_date = details.interview_date
            story.save(update_fields=["interview_date"])
            _record(actor, "stories.story.details_changed", story, fields=["interview_date"])
        new_photo = current.photo
        alt = current.photo_alt if photo_alt is None else _photo_alt(photo_alt)
        if remove_photo:
            # Taking a photo down needs nobody's approval: it leaves the public page at once.
            if _erase_photo(current.photo, timezone.now()):
                _record(actor, "stories.photo.removed", story, revision=current.number, by="editor")
            new_photo, alt = None, ""
        if photo is not None:
            new_photo, alt = _store_photo(story, photo), photo.alt.strip()
        if new_photo is not None and not alt:
            raise ValidationError({"photo_alt": [_("Describe the photo for people who cannot see it.")]})
        if (
            clean_texts == current.texts
            and name == current.display_name
            and new_photo == current.photo
            and alt == current.photo_alt
            and all(getattr(current, key) == value for key, value in facets.items())
        ):
            return None
        now = timezone.now()
        revision = StoryRevision.objects.create(
            story=story,
            number=current.number + 1,
            texts=clean_texts,
            display_name=name,
            photo=new_photo,
            photo_alt=alt,
            **facets,
            written_by=actor.user,
            editor_approved_by=actor.user,
            editor_approved_at=now,
        )
        _record(actor, "stories.revision.created", story, revision=revision.number, by="editor")
    return revision


def editor_comment(*, actor: Actor, story: Story, comment: str) -> None:
    """An editor answers the person's comments on the current revision."""
    _editable(actor, story)
    with transaction.atomic(durable=True):
        story = _locked(story)
        if story.withdrawn_at:
            raise ValidationError(_("The person has withdrawn their consent: the story cannot be changed."))
        if not comment.strip():
            raise ValidationError({"comment": [_("Write your comment.")]})
        current = _current(story)
        _comment(story, current, comment, by_person=False, author=actor.user)
        _record(actor, "stories.editor.commented", story, revision=current.number)
