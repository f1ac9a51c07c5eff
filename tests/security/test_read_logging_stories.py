"""An editor's read of a story's unpublished content (the person's words, facets, photo) is logged.

Found by the read-logging sweep of issue #15: the editor pages showed a person's draft, ground for
settlement and region of origin with no read event.
"""

from __future__ import annotations

import pytest

from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.models import AuditEvent
from samverkan.stories import selectors
from samverkan.stories.tests.factories import story

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "view"), [("/stories/manage/{pk}/", "detail"), ("/stories/manage/{pk}/edit/", "edit")]
)
def test_an_editor_page_that_shows_the_story_logs_one_read(client, url, view):
    the_story = story()
    editor = member("editor", the_story.organisation)
    verified_login(client, editor)
    assert client.get(url.format(pk=the_story.pk)).status_code == 200
    events = AuditEvent.objects.filter(code="stories.story.viewed")
    assert [(e.actor_user_id, e.organisation_id, e.object_id, e.data) for e in events] == [
        (editor.pk, the_story.organisation_id, str(the_story.pk), {"view": view})
    ]
    # The read is in the audit log, not in the story's own history shown to the editors.
    assert not selectors.history(the_story).filter(code="stories.story.viewed").exists()


def test_a_refused_read_logs_nothing(client):
    the_story = story()
    verified_login(client, member("editor", organisation()))
    assert client.get(f"/stories/manage/{the_story.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(code="stories.story.viewed").exists()
