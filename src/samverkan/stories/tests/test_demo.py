"""seed_demo: fictional MIG Talks stories, two public (approved by their invented person), one
waiting for approval; loaded once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from samverkan.stories import selectors
from samverkan.stories.models import PersonDecision, Story

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_fictional_stories_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Story.objects.count() == 3 and not Story.objects.filter(is_fictional=False).exists()
    public = list(selectors.public_stories())
    assert len(public) == 2
    assert all(s.published_revision.person_decision == PersonDecision.APPROVED for s in public)
    assert all("fiktiv" in s.revisions.get().display_name for s in Story.objects.all())
