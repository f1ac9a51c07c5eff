"""The person's personal link: issued by an editor, resolved from its token, opened."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.stories.models import PersonLink, Story
from samverkan.stories.services._common import LANGUAGE_CODES, _editable, _locked, _record
from samverkan.stories.services.mail import _send_link


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    link: PersonLink
    token: str
    url: str


def link_issue(*, actor: Actor, story: Story, language: str, email: str = "") -> IssuedLink:
    """A new personal link for the person interviewed; earlier links stop working. The token is
    answered once (and e-mailed if an address is given; the address is not stored)."""
    _editable(actor, story)
    if language not in LANGUAGE_CODES:
        raise ValidationError({"language": [_("Choose the person's language.")]})
    email = (email or "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ValidationError({"email": [_("Enter a valid e-mail address, or leave it empty.")]})
    days = settings.STORIES_LINK_DAYS
    with transaction.atomic():
        story = _locked(story)
        if story.withdrawn_at:
            raise ValidationError(_("The person has withdrawn their consent: no new link can be sent."))
        now = timezone.now()
        PersonLink.objects.filter(story=story, revoked_at__isnull=True).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        link = PersonLink.objects.create(
            story=story,
            token_hash=_hash(token),
            language=language,
            created_by=actor.user,
            expires_at=now + dt.timedelta(days=days),
        )
        url = urljoin(settings.SITE_URL, reverse("stories:person", args=[token]))
        _record(
            actor,
            "stories.link.issued",
            story,
            link=link.pk,
            language=language,
            emailed=bool(email),
            days=days,
        )
        if email:
            transaction.on_commit(
                lambda: _send_link(email=email, url=url, language=language, days=days, story_id=story.pk)
            )
    return IssuedLink(link=link, token=token, url=url)


def link_resolve(*, token: str, actor: Actor) -> PersonLink:
    """The live link for ``token``, or NotFound for a guessed, expired, replaced or withdrawn one
    (the same answer for each). A refused link that did exist is audit-logged."""
    if not token or len(token) > 100:
        raise NotFound("link")
    link = PersonLink.objects.select_related("story").filter(token_hash=_hash(token)).first()
    if link is None:
        raise NotFound("link")
    now = timezone.now()
    reason = (
        "withdrawn"
        if link.story.withdrawn_at
        else "revoked"
        if link.revoked_at
        else "expired"
        if link.expires_at <= now
        else ""
    )
    if reason:
        with transaction.atomic(durable=True):
            _record(actor, "stories.link.refused", link.story, link=link.pk, reason=reason)
        raise NotFound("link")
    return link


def link_opened(*, actor: Actor, link: PersonLink) -> None:
    """The person opened their page (a read of their story before publication: logged)."""
    with transaction.atomic(durable=True):
        PersonLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
        _record(actor, "stories.link.opened", link.story, link=link.pk)
