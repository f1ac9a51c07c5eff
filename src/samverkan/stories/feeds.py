"""RSS 2.0 and Atom feeds of the published stories, in the reader's language where a version
exists (Django's syndication framework)."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed

from samverkan.stories import selectors
from samverkan.stories.models import Story
from samverkan.stories.richtext import render


class StoryFeed(Feed):
    description_template = None

    def title(self) -> str:
        return translation.gettext("MIG Talks – stories on Samverkan")

    def link(self) -> str:
        return reverse("stories:list")

    def description(self) -> str:
        return translation.gettext("The people behind the migration statistics, in their own words.")

    def items(self) -> list[Story]:
        return list(selectors.public_stories()[:30])

    def item_title(self, item: Story) -> str:
        return item.published_revision.text()[1]["title"]  # type: ignore[union-attr]

    def item_description(self, item: Story) -> str:
        # Already sanitised HTML: feed readers show it as the entry's content.
        return render(item.published_revision.text()[1]["body"])  # type: ignore[union-attr]

    def item_link(self, item: Story) -> str:
        return reverse("stories:detail", args=[item.slug])

    def item_author_name(self, item: Story) -> str:
        return item.published_revision.display_name  # type: ignore[union-attr]

    def item_pubdate(self, item: Story) -> dt.datetime | None:
        return item.first_published_at

    def item_updateddate(self, item: Story) -> dt.datetime | None:
        return item.publish_at

    def item_categories(self, item: Story) -> list[str]:
        revision = item.published_revision
        assert revision is not None  # public_stories() lists published stories only
        return [str(revision.get_ground_display()), *revision.tags]


class StoryAtomFeed(StoryFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()
