"""Public read API for the stories (MIG Talks), beside the RSS and Atom feeds: the list with the
list page's filters and facet counts, and one story. Only what ``selectors.public_stories``
returns — approved by the person interviewed, published, its publication time come, not withdrawn
— and only what the public pages show: never the person's link, contact details, comments or
editors' notes. A story that is not public is 404, exactly like a slug that never existed."""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from ninja import Query, Router

from samverkan.accounts.api import OPTIONAL_AUTH, PUBLIC
from samverkan.core.errors import NotFound
from samverkan.stories import selectors
from samverkan.stories.models import LANGUAGES, Ground, MunicipalityType, OriginRegion, Story
from samverkan.stories.richtext import plain, render
from samverkan.stories.schemas import StoryDetailOut, StoryDetailQuery, StoryListOut, StoryQuery

router = Router(tags=["stories"], auth=OPTIONAL_AUTH)

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")
LANGUAGE_NAMES = dict(LANGUAGES)
SUMMARY_CHARS = 200  # as the list page's cards


def _code_label(
    choices: type[Ground] | type[OriginRegion] | type[MunicipalityType], code: str
) -> dict[str, str]:
    return {"code": code, "label": str(dict(choices.choices).get(code, code))}


def _story_out(request: HttpRequest, story: Story, language: str | None) -> tuple[dict[str, Any], str]:
    """The fields of the list page's card and the story page's facts; and the body's markup."""
    revision = story.published_revision
    assert revision is not None  # public_stories() lists published stories only
    code, text = revision.text(language)
    out = {
        "slug": story.slug,
        "url": request.build_absolute_uri(reverse("stories:detail", args=[story.slug])),
        "language": code,
        "languages": [c for c, _name in LANGUAGES if c in revision.texts],
        "title": text["title"],
        "summary": plain(text["body"], SUMMARY_CHARS),
        "display_name": revision.display_name,
        "photo_url": (
            request.build_absolute_uri(reverse("stories:photo", args=[story.slug]))
            if revision.shows_photo
            else None
        ),
        "photo_alt": revision.photo_alt if revision.shows_photo else "",
        "ground": _code_label(Ground, revision.ground),
        "origin_region": _code_label(OriginRegion, revision.origin_region),
        "municipality_type": _code_label(MunicipalityType, revision.municipality_type),
        "arrival_year": revision.arrival_year,
        "tags": list(revision.tags),
        "organisation": story.organisation.name,
        "published_at": story.first_published_at or story.publish_at,
        "updated_at": story.publish_at,
        "is_fictional": story.is_fictional,
    }
    return out, text["body"]


def _counts(values: Iterable[str], label: Any = None) -> list[dict[str, Any]]:
    counted = Counter(values)
    return [
        {"value": value, "label": str(label(value)) if label else value, "count": n}
        for value, n in sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    ]


def _facets(stories: QuerySet[Story]) -> dict[str, list[dict[str, Any]]]:
    """Counts of stories per value over the whole filtered set (one query, public stories only)."""
    rows = list(
        stories.values_list(
            "published_revision__ground",
            "published_revision__origin_region",
            "published_revision__municipality_type",
            "published_revision__arrival_year",
            "published_revision__tags",
            "published_revision__texts",
        )
    )
    return {
        "ground": _counts((r[0] for r in rows), lambda v: dict(Ground.choices).get(v, v)),
        "origin_region": _counts((r[1] for r in rows), lambda v: dict(OriginRegion.choices).get(v, v)),
        "municipality_type": _counts(
            (r[2] for r in rows), lambda v: dict(MunicipalityType.choices).get(v, v)
        ),
        "arrival_year": _counts(str(r[3]) for r in rows),
        "tag": _counts(tag for r in rows for tag in set(r[4] or [])),
        "language": _counts(
            (code for r in rows for code in (r[5] or {}) if code in LANGUAGE_NAMES),
            lambda v: LANGUAGE_NAMES[v],
        ),
    }


@router.get(
    "/stories",
    response=StoryListOut,
    openapi_extra=PUBLIC,
    summary="The published stories, newest first, with the list page's filters and facet counts",
)
def story_list(request: HttpRequest, query: Query[StoryQuery]) -> dict[str, Any]:
    """The stories the public list page shows for the same filters (``ground``,
    ``origin_region``, ``municipality_type``, ``arrival_year``, ``tag``), paginated with
    ``limit`` and ``offset``; ``facets`` counts the stories per value over every story that
    matches, not only this page."""
    filters = selectors.StoryFilter(
        ground=query.ground or "",
        origin_region=query.origin_region or "",
        municipality_type=query.municipality_type or "",
        arrival_year=query.arrival_year,
        tag=query.tag.strip().lower(),  # as StoryFilter.from_query
    )
    stories = selectors.public_stories(filters=filters)
    page = stories[query.offset : query.offset + query.limit]
    with translation.override(query.lang or translation.get_language()):
        return {
            "count": stories.count(),
            "items": [_story_out(request, story, query.lang)[0] for story in page],
            "facets": _facets(stories),
        }


@router.get(
    "/stories/{slug}",
    response=StoryDetailOut,
    openapi_extra=PUBLIC,
    summary="One published story, with its text as the page shows it",
)
def story_get(request: HttpRequest, slug: str, query: Query[StoryDetailQuery]) -> dict[str, Any]:
    """A story the public may read; any other address — a draft, a story waiting for the person's
    approval, scheduled for later or withdrawn — is 404, like one that never existed."""
    if not SLUG.fullmatch(slug):
        raise NotFound("story")
    story = selectors.public_story(slug=slug)
    with translation.override(query.lang or translation.get_language()):
        out, body = _story_out(request, story, query.lang)
    return {**out, "html": render(body), "text": plain(body, sys.maxsize)}
