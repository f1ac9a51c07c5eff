"""Moving the facets from the story to its revisions keeps every story's values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("stories", "0002_photo_removed_at")]
AFTER = [("stories", "0003_facets_on_revisions")]


@pytest.mark.django_db(transaction=True)
def test_each_revision_gets_its_storys_facets_and_tags():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    org = old.get_model("organisations", "Organisation").objects.create(
        name="Fiktiv redaktion", slug="fiktiv-red"
    )
    story = old.get_model("stories", "Story").objects.create(
        organisation=org,
        slug="en-kall-vinter",
        ground="family",
        origin_region="africa",
        arrival_year=2016,
        municipality_type="rural",
        tags=["skola"],
    )
    Revision = old.get_model("stories", "StoryRevision")
    for number in (1, 2):
        Revision.objects.create(
            story=story, number=number, texts={"sv": {"title": "T", "body": "B"}}, display_name="A"
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    revisions = new.get_model("stories", "StoryRevision").objects.filter(story_id=story.pk).order_by("number")
    assert [(r.ground, r.origin_region, r.arrival_year, r.municipality_type, r.tags) for r in revisions] == [
        ("family", "africa", 2016, "rural", ["skola"])
    ] * 2
