"""Writes for MIG Talks stories. One transaction each: authorise → validate → write → audit.

The person interviewed acts through their personal link (``link_resolve`` turns a token into the
link, or NotFound); every person-side service takes the link and the revision number the person
was shown, so an approval is always bound to the text the person actually read.

One module per process, re-exported here.
"""

from samverkan.stories.services.editing import Details, Photo, editor_comment, story_create, story_edit
from samverkan.stories.services.links import IssuedLink, link_issue, link_opened, link_resolve
from samverkan.stories.services.mail import NOTICES
from samverkan.stories.services.person import (
    person_comment,
    person_decide,
    person_remove_photo,
    person_revise,
    person_withdraw,
)
from samverkan.stories.services.publishing import story_publish, story_unpublish

__all__ = [
    "NOTICES",
    "Details",
    "IssuedLink",
    "Photo",
    "editor_comment",
    "link_issue",
    "link_opened",
    "link_resolve",
    "person_comment",
    "person_decide",
    "person_remove_photo",
    "person_revise",
    "person_withdraw",
    "story_create",
    "story_edit",
    "story_publish",
    "story_unpublish",
]
