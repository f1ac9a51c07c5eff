"""Private helpers shared by the story services: text checks, locking, comments and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.stories import permissions as perms
from samverkan.stories.models import LANGUAGES, Story, StoryComment, StoryPhoto, StoryRevision

LANGUAGE_CODES = tuple(code for code, _name in LANGUAGES)


TITLE_MAX = 200


BODY_MAX = 20_000


COMMENT_MAX = 4_000


def _texts(texts: Mapping[str, Mapping[str, str]], original_language: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for language, version in texts.items():
        title = (version.get("title") or "").strip()
        body = (version.get("body") or "").replace("\r\n", "\n").strip()
        if not title and not body:
            continue
        if language not in LANGUAGE_CODES:
            raise ValidationError({"texts": [_("Unknown language code %(code)s.") % {"code": language}]})
        if not title:
            raise ValidationError({f"title_{language}": [_("Give the title in this language too.")]})
        if not body:
            raise ValidationError({f"body_{language}": [_("Give the text in this language too.")]})
        if len(title) > TITLE_MAX or "\x00" in title:
            raise ValidationError({f"title_{language}": [_("At most %(n)s characters.") % {"n": TITLE_MAX}]})
        if len(body) > BODY_MAX or "\x00" in body:
            raise ValidationError({f"body_{language}": [_("At most %(n)s characters.") % {"n": BODY_MAX}]})
        out[language] = {"title": title, "body": body}
    if original_language not in out:
        raise ValidationError(
            {f"title_{original_language}": [_("Give the title and text in the language of the interview.")]}
        )
    return out


def _record(actor: Actor, code: str, story: Story, **data: object) -> None:
    """An audit event on the story (its history), in the caller's transaction."""
    audit.record(actor=actor, code=code, obj=story, organisation_id=story.organisation_id, data=data)


def _editable(actor: Actor, story: Story) -> None:
    if not perms.can_edit_stories(actor, story.organisation_id):
        raise NotFound("story")


def _locked(story: Story) -> Story:
    return Story.objects.select_for_update().get(pk=story.pk)


def _current(story: Story) -> StoryRevision:
    return story.revisions.order_by("-number").first()  # type: ignore[return-value]


def _erase_photo(photo: StoryPhoto | None, now: dt.datetime) -> bool:
    if photo is None or photo.removed_at is not None:
        return False
    photo.data, photo.removed_at = b"", now
    photo.save(update_fields=["data", "removed_at"])
    return True


def _comment(
    story: Story, revision: StoryRevision, text: str, *, by_person: bool, author: Any = None
) -> None:
    text = (text or "").strip()
    if not text:
        return
    if len(text) > COMMENT_MAX or "\x00" in text:
        raise ValidationError({"comment": [_("At most %(n)s characters.") % {"n": COMMENT_MAX}]})
    StoryComment.objects.create(story=story, revision=revision, text=text, by_person=by_person, author=author)
