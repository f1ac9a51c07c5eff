"""Reads for stories: the public sees only published revisions; editors see their organisation's
stories; the person sees their own through the link (services.link_resolve)."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound
from samverkan.core.models import AuditEvent
from samverkan.stories import permissions as perms
from samverkan.stories.models import Ground, MunicipalityType, OriginRegion, Story, StoryRevision

VIEWED = "stories.story.viewed"


@dataclass(frozen=True)
class StoryFilter:
    ground: str = ""
    origin_region: str = ""
    municipality_type: str = ""
    arrival_year: int | None = None
    tag: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> StoryFilter:
        year = query.get("arrival_year", "")
        return cls(
            ground=query.get("ground", "") if query.get("ground", "") in Ground.values else "",
            origin_region=query.get("origin_region", "")
            if query.get("origin_region") in OriginRegion.values
            else "",
            municipality_type=(
                query.get("municipality_type", "")
                if query.get("municipality_type") in MunicipalityType.values
                else ""
            ),
            arrival_year=int(year) if year.isdigit() and len(year) == 4 else None,
            tag=query.get("tag", "")[:40].strip().lower(),
        )

    @property
    def active(self) -> bool:
        return bool(
            self.ground or self.origin_region or self.municipality_type or self.arrival_year or self.tag
        )


def public_stories(*, filters: StoryFilter | None = None, now: dt.datetime | None = None) -> QuerySet[Story]:
    """Published stories whose publication time has come, newest first."""
    now = now or timezone.now()
    qs = (
        Story.objects.filter(published_revision__isnull=False, withdrawn_at__isnull=True, publish_at__lte=now)
        # The revision's story comes along (its text falls back to the story's language) and the
        # photo without its bytes: one query for the whole list.
        .select_related("published_revision__story", "published_revision__photo", "organisation")
        .defer("published_revision__photo__data")
        .order_by("-publish_at", "-id")
    )
    if filters:
        # The public filters on what the public reads: the facets of the published revision.
        for name in ("ground", "origin_region", "municipality_type", "arrival_year"):
            value = getattr(filters, name)
            if value:
                qs = qs.filter(**{f"published_revision__{name}": value})
        if filters.tag:
            # JSON containment is not on SQLite; tags are few, so filter the short list in Python.
            ids = [pk for pk, tags in qs.values_list("id", "published_revision__tags") if filters.tag in tags]
            qs = qs.filter(pk__in=ids)
    return qs


def public_story(*, slug: str) -> Story:
    story = public_stories().filter(slug=slug).first()
    if story is None:
        raise NotFound("story")
    return story


def public_tags() -> list[str]:
    tags: set[str] = set()
    for story_tags in public_stories().values_list("published_revision__tags", flat=True):
        tags.update(story_tags)
    return sorted(tags)


def story_list_for(*, actor: Actor) -> QuerySet[Story]:
    return (
        Story.objects.filter(organisation_id__in=perms.editor_organisations(actor))
        .select_related("organisation", "published_revision")
        .prefetch_related("revisions")
        .order_by("-created_at", "-id")
    )


def story_get_for(*, actor: Actor, story_id: int) -> Story:
    story = Story.objects.select_related("organisation", "published_revision").filter(pk=story_id).first()
    if story is None or not perms.can_edit_stories(actor, story.organisation_id):
        raise NotFound("story")
    return story


def story_read_for(*, actor: Actor, story_id: int, view: str) -> Story:
    """``story_get_for`` for an editor's page that shows what the person said (text, facets,
    photo): personal data, so the read is logged here (``stories.story.viewed``, with the view;
    never the content). The story's history on its page leaves these events out."""
    story = story_get_for(actor=actor, story_id=story_id)
    audit.record_read(
        actor=actor,
        code=VIEWED,
        obj=story,
        organisation_id=story.organisation_id,
        data={"view": view},
    )
    return story


def current_revision(story: Story) -> StoryRevision:
    revision = story.revisions.select_related("photo").order_by("-number").first()
    assert revision is not None  # every story is created with its first revision
    return revision


def is_live(story: Story, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(story.published_revision_id and story.publish_at and story.publish_at <= now)


def history(story: Story) -> QuerySet[AuditEvent]:
    """The story's audit trail, newest first."""
    return (
        AuditEvent.objects.filter(Q(object_type="stories.story", object_id=str(story.pk)))
        .exclude(code=VIEWED)
        .order_by("-seq")
    )


@dataclass(frozen=True)
class Change:
    language: str
    field: str
    lines: list[str]


def changes(before: StoryRevision | None, after: StoryRevision) -> list[Change]:
    """What changed between two revisions, per language and field, as unified-diff lines."""
    out: list[Change] = []
    if before is None:
        return out
    for language in sorted(set(before.texts) | set(after.texts)):
        for field in ("title", "body"):
            old = before.texts.get(language, {}).get(field, "")
            new = after.texts.get(language, {}).get(field, "")
            if old != new:
                diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1))[2:]
                out.append(Change(language, field, diff))
    if before.display_name != after.display_name:
        out.append(Change("", "display_name", [f"-{before.display_name}", f"+{after.display_name}"]))
    if before.photo_id != after.photo_id or before.photo_alt != after.photo_alt:
        out.append(Change("", "photo", [f"-{before.photo_alt}", f"+{after.photo_alt}"]))
    for name in ("ground", "origin_region", "municipality_type"):
        if getattr(before, name) != getattr(after, name):
            shown = [getattr(revision, f"get_{name}_display")() for revision in (before, after)]
            out.append(Change("", name, [f"-{shown[0]}", f"+{shown[1]}"]))
    if before.arrival_year != after.arrival_year:
        out.append(Change("", "arrival_year", [f"-{before.arrival_year}", f"+{after.arrival_year}"]))
    if before.tags != after.tags:
        out.append(Change("", "tags", [f"-{', '.join(before.tags)}", f"+{', '.join(after.tags)}"]))
    return out
