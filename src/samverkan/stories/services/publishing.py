"""Editors publish a revision the person approved (now or later), and unpublish it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError
from samverkan.stories.models import PersonDecision, Story
from samverkan.stories.services._common import _current, _editable, _locked, _record

RESERVED_SLUGS = frozenset({"manage", "p", "feed"})


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60].strip("-") or "berattelse"
    slug = base
    while slug in RESERVED_SLUGS or Story.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


def story_publish(
    *, actor: Actor, story: Story, base_number: int, publish_at: dt.datetime | None = None
) -> Story:
    """An editor approves the current revision and publishes it, now or at ``publish_at``. Only a
    revision the person has approved can be published."""
    _editable(actor, story)
    with transaction.atomic():
        story = _locked(story)
        if story.withdrawn_at:
            raise ValidationError(_("The person has withdrawn their consent: the story cannot be published."))
        current = _current(story)
        if current.number != base_number:
            raise ValidationError(
                _("Revision %(n)s was saved meanwhile: read it before you publish.") % {"n": current.number}
            )
        if current.person_decision != PersonDecision.APPROVED:
            raise ValidationError(_("The person has not approved this revision: it cannot be published."))
        now = timezone.now()
        if publish_at is not None and publish_at < now - dt.timedelta(minutes=5):
            raise ValidationError({"publish_at": [_("Choose a time that has not passed, or publish now.")]})
        if current.editor_approved_at is None:
            current.editor_approved_by, current.editor_approved_at = actor.user, now
            current.save(update_fields=["editor_approved_by", "editor_approved_at"])
        story.published_revision = current
        story.publish_at = publish_at or now
        if story.first_published_at is None:
            story.first_published_at = story.publish_at
            story.slug = _unique_slug(current.texts[story.original_language]["title"])
        fields = ["published_revision", "publish_at", "first_published_at", "slug"]
        try:
            with transaction.atomic():
                story.save(update_fields=fields)
        except IntegrityError:  # another story took the same address a moment ago
            story.slug = f"{story.slug[:70]}-{secrets.token_hex(3)}"
            story.save(update_fields=fields)
        _record(
            actor,
            "stories.story.published",
            story,
            revision=current.number,
            publish_at=story.publish_at.isoformat(),
        )
    return story


def story_unpublish(*, actor: Actor, story: Story) -> Story:
    _editable(actor, story)
    with transaction.atomic(durable=True):
        story = _locked(story)
        if story.published_revision_id is None:
            return story
        story.published_revision = None
        story.publish_at = None
        story.save(update_fields=["published_revision", "publish_at"])
        _record(actor, "stories.story.unpublished", story)
    return story
