"""Mail: the personal link to the person, and notices of the person's actions to the editor."""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samverkan.stories.models import Story

log = logging.getLogger(__name__)


NOTICES = {
    "stories.revision.created": gettext_noop("The person changed the text."),
    "stories.person.commented": gettext_noop("The person sent a comment."),
    "stories.person.approved": gettext_noop("The person approved the text."),
    "stories.person.declined": gettext_noop("The person did not approve the text."),
    "stories.person.withdrew": gettext_noop("The person withdrew their consent: the story is unpublished."),
    "stories.photo.removed": gettext_noop("The person removed their photo: it is no longer shown."),
}


def _send_link(*, email: str, url: str, language: str, days: int, story_id: int) -> None:
    with translation.override(language):
        body = render_to_string("stories/email/link.txt", {"url": url, "days": days})
        subject = _("Your story for MIG Talks: read and approve it")
    try:
        send_mail(subject, body, None, [email])
    except Exception:  # the link is saved and shown to the editor; a mail failure must not hide it
        log.exception("The personal link of story %s could not be e-mailed", story_id)


def _notify_editor(story: Story, code: str) -> None:
    """Tell the story's editor by e-mail, once per person action, after the commit. The e-mail
    names what happened and links to the editor's page; it carries no text of the story."""
    editor_email = getattr(story.editor, "email", "") if story.editor_id else ""
    if not editor_email or code not in NOTICES:
        return
    pending: list[str] | None = getattr(story, "_pending_notices", None)
    if pending is None:
        pending = []
        story._pending_notices = pending  # type: ignore[attr-defined]
        url = urljoin(settings.SITE_URL, reverse("stories:editor_detail", args=[story.pk]))

        def send() -> None:
            with translation.override(settings.LANGUAGE_CODE):
                body = render_to_string(
                    "stories/email/editor_notice.txt", {"events": [_(n) for n in pending], "url": url}
                )
                try:
                    send_mail(_("A story on Samverkan has news"), body, None, [editor_email])
                except Exception:  # the person's action is saved; their page must not fail on mail
                    log.exception("The editor of story %s could not be told by e-mail", story.pk)

        transaction.on_commit(send)
    pending.append(NOTICES[code])
