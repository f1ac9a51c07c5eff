"""Writes for MIG Talks stories. One transaction each: authorise → validate → write → audit.

The person interviewed acts through their personal link (``link_resolve`` turns a token into the
link, or NotFound); every person-side service takes the link and the revision number the person
was shown, so an approval is always bound to the text the person actually read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.organisations.models import Organisation
from samverkan.stories import permissions as perms
from samverkan.stories.models import (
    LANGUAGES,
    Ground,
    MunicipalityType,
    OriginRegion,
    PersonDecision,
    PersonLink,
    Story,
    StoryComment,
    StoryPhoto,
    StoryRevision,
)
from samverkan.stories.photos import PhotoError, clean_photo

LANGUAGE_CODES = tuple(code for code, _name in LANGUAGES)
TITLE_MAX = 200
BODY_MAX = 20_000
COMMENT_MAX = 4_000
RESERVED_SLUGS = frozenset({"manage", "p", "feed"})
TAG = re.compile(r"[\w\- ]{1,40}")

log = logging.getLogger(__name__)


# --- Validation helpers -----------------------------------------------------------------------


def _texts(texts: Mapping[str, Mapping[str, str]], original_language: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for language, version in texts.items():
        title = (version.get("title") or "").strip()
        body = (version.get("body") or "").replace("\r\n", "\n").strip()
        if not title and not body:
            continue
        if language not in LANGUAGE_CODES:
            raise ValidationError({"texts": [_("Unknown language code %(code)s.") % {"code": language}]})
        if not title:
            raise ValidationError({f"title_{language}": [_("Give the title in this language too.")]})
        if not body:
            raise ValidationError({f"body_{language}": [_("Give the text in this language too.")]})
        if len(title) > TITLE_MAX or "\x00" in title:
            raise ValidationError({f"title_{language}": [_("At most %(n)s characters.") % {"n": TITLE_MAX}]})
        if len(body) > BODY_MAX or "\x00" in body:
            raise ValidationError({f"body_{language}": [_("At most %(n)s characters.") % {"n": BODY_MAX}]})
        out[language] = {"title": title, "body": body}
    if original_language not in out:
        raise ValidationError(
            {f"title_{original_language}": [_("Give the title and text in the language of the interview.")]}
        )
    return out


def _display_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"display_name": [_("Give the name or pseudonym the person chose.")]})
    if len(name) > 80 or "\x00" in name:
        raise ValidationError({"display_name": [_("At most %(n)s characters.") % {"n": 80}]})
    return name


def _tags(tags: Sequence[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split()).lower()
        if not tag:
            continue
        if not TAG.fullmatch(tag):
            raise ValidationError(
                {
                    "tags": [
                        _("Tags are words of at most 40 letters, digits or hyphens: %(tag)s") % {"tag": tag}
                    ]
                }
            )
        if tag not in out:
            out.append(tag)
    if len(out) > 12:
        raise ValidationError({"tags": [_("At most %(n)s tags.") % {"n": 12}]})
    return out


@dataclass(frozen=True)
class Details:
    """What places the story in the statistics and its themes (shown beside the text, so part of
    the revision the person approves), and the interview date (editorial, never shown)."""

    ground: str
    origin_region: str
    arrival_year: int
    municipality_type: str
    tags: Sequence[str] = ()
    interview_date: dt.date | None = None


def _details(details: Details) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    if details.ground not in Ground.values:
        errors["ground"] = [_("Choose a ground for settlement.")]
    if details.origin_region not in OriginRegion.values:
        errors["origin_region"] = [_("Choose a region of origin.")]
    if details.municipality_type not in MunicipalityType.values:
        errors["municipality_type"] = [_("Choose a type of municipality.")]
    this_year = timezone.localdate().year
    if not 1945 <= details.arrival_year <= this_year:
        errors["arrival_year"] = [_("A year between 1945 and %(year)s.") % {"year": this_year}]
    if details.interview_date and details.interview_date > timezone.localdate():
        errors["interview_date"] = [_("The interview date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    return {
        "ground": details.ground,
        "origin_region": details.origin_region,
        "arrival_year": details.arrival_year,
        "municipality_type": details.municipality_type,
        "tags": _tags(details.tags),
    }


FACETS = ("ground", "origin_region", "arrival_year", "municipality_type", "tags")


@dataclass(frozen=True)
class Photo:
    data: bytes
    alt: str
    consent: bool


def _store_photo(story: Story, photo: Photo) -> StoryPhoto:
    if not photo.consent:
        raise ValidationError({"photo_consent": [_("A photo is shown only with the person's consent.")]})
    alt = photo.alt.strip()
    if not alt or len(alt) > 200:
        raise ValidationError(
            {"photo_alt": [_("Describe the photo for people who cannot see it (at most 200 characters).")]}
        )
    try:
        data = clean_photo(photo.data)
    except PhotoError:
        raise ValidationError({"photo": [_("The photo must be a JPEG, PNG or WebP image.")]}) from None
    return StoryPhoto.objects.create(story=story, data=data, sha256=hashlib.sha256(data).hexdigest())


def _photo_alt(alt: str) -> str:
    alt = (alt or "").strip()
    if len(alt) > 200:
        raise ValidationError({"photo_alt": [_("At most %(n)s characters.") % {"n": 200}]})
    return alt


def _record(actor: Actor, code: str, story: Story, **data: object) -> None:
    """An audit event on the story (its history), in the caller's transaction."""
    audit.record(actor=actor, code=code, obj=story, organisation_id=story.organisation_id, data=data)


# --- Editors ----------------------------------------------------------------------------------


def _editable(actor: Actor, story: Story) -> None:
    if not perms.can_edit_stories(actor, story.organisation_id):
        raise NotFound("story")


def _locked(story: Story) -> Story:
    return Story.objects.select_for_update().get(pk=story.pk)


def _current(story: Story) -> StoryRevision:
    return story.revisions.order_by("-number").first()  # type: ignore[return-value]


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60].strip("-") or "berattelse"
    slug = base
    while slug in RESERVED_SLUGS or Story.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


def _draft_slug() -> str:
    # Until its first publication a story's address says nothing: the public address is made from
    # the title the person approved, not from an editor's first draft.
    return f"utkast-{secrets.token_hex(6)}"


def _erase_photo(photo: StoryPhoto | None, now: dt.datetime) -> bool:
    if photo is None or photo.removed_at is not None:
        return False
    photo.data, photo.removed_at = b"", now
    photo.save(update_fields=["data", "removed_at"])
    return True


def story_create(
    *,
    actor: Actor,
    organisation_id: int,
    original_language: str,
    details: Details,
    display_name: str,
    texts: Mapping[str, Mapping[str, str]],
    photo: Photo | None = None,
    is_fictional: bool = False,
) -> Story:
    """A new story, its first revision written (and so approved) by the editor."""
    if not perms.can_edit_stories(actor, organisation_id):
        raise PermissionDenied("only the organisation's editors write stories")
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound("organisation")
    if original_language not in LANGUAGE_CODES:
        raise ValidationError({"original_language": [_("Choose the language of the interview.")]})
    clean_texts = _texts(texts, original_language)
    name = _display_name(display_name)
    facets = _details(details)
    with transaction.atomic():
        story = Story.objects.create(
            organisation=organisation,
            slug=_draft_slug(),
            original_language=original_language,
            editor=actor.user,
            is_fictional=is_fictional,
            interview_date=details.interview_date,
        )
        stored = _store_photo(story, photo) if photo else None
        now = timezone.now()
        revision = StoryRevision.objects.create(
            story=story,
            number=1,
            texts=clean_texts,
            display_name=name,
            photo=stored,
            photo_alt=photo.alt.strip() if photo else "",
            **facets,
            written_by=actor.user,
            editor_approved_by=actor.user,
            editor_approved_at=now,
        )
        _record(
            actor, "stories.story.created", story, revision=revision.number, languages=sorted(clean_texts)
        )
    return story


def story_edit(
    *,
    actor: Actor,
    story: Story,
    base_number: int,
    details: Details,
    display_name: str,
    texts: Mapping[str, Mapping[str, str]],
    photo: Photo | None = None,
    photo_alt: str | None = None,
    remove_photo: bool = False,
) -> StoryRevision | None:
    """Change the interview date and, if anything the person approves changed (texts, name, photo,
    facets, tags), write a new revision, which the person must approve again. ``base_number`` is
    the revision the editor started from: if someone wrote a newer one meanwhile, nothing is saved.
    Answers the new revision, or None."""
    _editable(actor, story)
    if story.withdrawn_at:
        raise ValidationError(_("The person has withdrawn their consent: the story cannot be changed."))
    clean_texts = _texts(texts, story.original_language)
    name = _display_name(display_name)
    facets = _details(details)
    with transaction.atomic(durable=True):
        story = _locked(story)
        if story.withdrawn_at:
            raise ValidationError(_("The person has withdrawn their consent: the story cannot be changed."))
        current = _current(story)
        if current.number != base_number:
            raise ValidationError(
                _("Revision %(n)s was saved while you were editing: open the story again and redo it.")
                % {"n": current.number}
            )
        if story.interview_date != details.interview_date:
            story.interview_date = details.interview_date
            story.save(update_fields=["interview_date"])
            _record(actor, "stories.story.details_changed", story, fields=["interview_date"])
        new_photo = current.photo
        alt = current.photo_alt if photo_alt is None else _photo_alt(photo_alt)
        if remove_photo:
            # Taking a photo down needs nobody's approval: it leaves the public page at once.
            if _erase_photo(current.photo, timezone.now()):
                _record(actor, "stories.photo.removed", story, revision=current.number, by="editor")
            new_photo, alt = None, ""
        if photo is not None:
            new_photo, alt = _store_photo(story, photo), photo.alt.strip()
        if new_photo is not None and not alt:
            raise ValidationError({"photo_alt": [_("Describe the photo for people who cannot see it.")]})
        if (
            clean_texts == current.texts
            and name == current.display_name
            and new_photo == current.photo
            and alt == current.photo_alt
            and all(getattr(current, key) == value for key, value in facets.items())
        ):
            return None
        now = timezone.now()
        revision = StoryRevision.objects.create(
            story=story,
            number=current.number + 1,
            texts=clean_texts,
            display_name=name,
            photo=new_photo,
            photo_alt=alt,
            **facets,
            written_by=actor.user,
            editor_approved_by=actor.user,
            editor_approved_at=now,
        )
        _record(actor, "stories.revision.created", story, revision=revision.number, by="editor")
    return revision


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


# --- The personal link --------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    link: PersonLink
    token: str
    url: str


def _send_link(*, email: str, url: str, language: str, days: int, story_id: int) -> None:
    with translation.override(language):
        body = render_to_string("stories/email/link.txt", {"url": url, "days": days})
        subject = _("Your story for MIG Talks: read and approve it")
    try:
        send_mail(subject, body, None, [email])
    except Exception:  # the link is saved and shown to the editor; a mail failure must not hide it
        log.exception("The personal link of story %s could not be e-mailed", story_id)


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


def _not_an_editor(actor: Actor, story: Story) -> None:
    """The person answers for themself: an editor of the story, logged in, cannot answer for them
    (their own approval is the editor's; the link is the person's)."""
    if actor.user is not None and perms.can_edit_stories(actor, story.organisation_id):
        raise PermissionDenied("an editor of the story cannot answer for the person")


def _person_revision(link: PersonLink, base_number: int, actor: Actor) -> tuple[Story, StoryRevision]:
    """Lock the link's story and check it is still live and the person saw its current revision."""
    story = _locked(link.story)
    fresh = PersonLink.objects.get(pk=link.pk)
    if story.withdrawn_at or fresh.revoked_at or fresh.expires_at <= timezone.now():
        raise NotFound("link")
    _not_an_editor(actor, story)
    current = _current(story)
    if current.number != base_number:
        raise ValidationError(
            _("The text was changed after you opened this page. Read the new version before you answer.")
        )
    return story, current


def _comment(
    story: Story, revision: StoryRevision, text: str, *, by_person: bool, author: Any = None
) -> None:
    text = (text or "").strip()
    if not text:
        return
    if len(text) > COMMENT_MAX or "\x00" in text:
        raise ValidationError({"comment": [_("At most %(n)s characters.") % {"n": COMMENT_MAX}]})
    StoryComment.objects.create(story=story, revision=revision, text=text, by_person=by_person, author=author)


def _person_audit(actor: Actor, code: str, story: Story, link: PersonLink, **data: object) -> None:
    _record(actor, code, story, link=link.pk, **data)
    _notify_editor(story, code)


NOTICES = {
    "stories.revision.created": gettext_noop("The person changed the text."),
    "stories.person.commented": gettext_noop("The person sent a comment."),
    "stories.person.approved": gettext_noop("The person approved the text."),
    "stories.person.declined": gettext_noop("The person did not approve the text."),
    "stories.person.withdrew": gettext_noop("The person withdrew their consent: the story is unpublished."),
    "stories.photo.removed": gettext_noop("The person removed their photo: it is no longer shown."),
}


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


def _follow_approval(actor: Actor, story: Story, revision: StoryRevision) -> None:
    """A live story follows its newest fully approved revision (logged as a publication of it)."""
    if story.published_revision_id is not None and revision.fully_approved:
        story.published_revision = revision
        story.save(update_fields=["published_revision"])
        _record(actor, "stories.story.published", story, revision=revision.number, by="person_approval")


def person_revise(
    *,
    actor: Actor,
    link: PersonLink,
    base_number: int,
    language: str,
    title: str,
    body: str,
    comment: str = "",
    approve: bool = False,
) -> StoryRevision:
    """The person changes the text in their language: a new revision, which an editor must approve
    (and the person too, here at once when ``approve``)."""
    with transaction.atomic(durable=True):
        story, current = _person_revision(link, base_number, actor)
        if language not in current.texts:
            raise ValidationError({"body": [_("This language version does not exist.")]})
        texts = {code: dict(version) for code, version in current.texts.items()}
        texts[language] = {"title": title, "body": body}
        clean_texts = _texts(texts, story.original_language)
        if clean_texts == current.texts:
            revision = current
        else:
            revision = StoryRevision.objects.create(
                story=story,
                number=current.number + 1,
                texts=clean_texts,
                display_name=current.display_name,
                photo=current.photo,
                photo_alt=current.photo_alt,
                **{key: getattr(current, key) for key in FACETS},
                by_person=True,
            )
            _person_audit(
                actor, "stories.revision.created", story, link, revision=revision.number, by="person"
            )
        _comment(story, revision, comment, by_person=True)
        if comment.strip():
            _person_audit(actor, "stories.person.commented", story, link, revision=revision.number)
        if approve:
            _decide(actor, story, revision, link, approve=True)
    return revision


def _decide(actor: Actor, story: Story, revision: StoryRevision, link: PersonLink, *, approve: bool) -> None:
    revision.person_decision = PersonDecision.APPROVED if approve else PersonDecision.DECLINED
    revision.person_decided_at = timezone.now()
    revision.save(update_fields=["person_decision", "person_decided_at"])
    _person_audit(
        actor,
        "stories.person.approved" if approve else "stories.person.declined",
        story,
        link,
        revision=revision.number,
    )
    if approve:
        _follow_approval(actor, story, revision)
    elif story.published_revision_id == revision.pk:
        # The person no longer stands behind the text the public reads: it comes down at once.
        story.published_revision, story.publish_at = None, None
        story.save(update_fields=["published_revision", "publish_at"])
        _record(actor, "stories.story.unpublished", story, revision=revision.number, by="person_declined")


def person_decide(
    *, actor: Actor, link: PersonLink, base_number: int, approve: bool, comment: str = ""
) -> StoryRevision:
    """The person approves or declines the revision they were shown, with an optional comment."""
    with transaction.atomic():
        story, current = _person_revision(link, base_number, actor)
        if not approve and not comment.strip():
            raise ValidationError({"comment": [_("Tell the editor what should change.")]})
        _comment(story, current, comment, by_person=True)
        if comment.strip():
            _person_audit(actor, "stories.person.commented", story, link, revision=current.number)
        _decide(actor, story, current, link, approve=approve)
    return current


def person_comment(*, actor: Actor, link: PersonLink, base_number: int, comment: str) -> StoryComment:
    with transaction.atomic(durable=True):
        story, current = _person_revision(link, base_number, actor)
        if not comment.strip():
            raise ValidationError({"comment": [_("Write your comment.")]})
        _comment(story, current, comment, by_person=True)
        _person_audit(actor, "stories.person.commented", story, link, revision=current.number)
    return story.comments.order_by("-id").first()  # type: ignore[return-value]


def person_withdraw(*, actor: Actor, link: PersonLink) -> Story:
    """The person withdraws their consent: the story is unpublished at once, every link stops
    working, and it can never be published again."""
    with transaction.atomic(durable=True):
        story = _locked(link.story)
        fresh = PersonLink.objects.get(pk=link.pk)
        if story.withdrawn_at or fresh.revoked_at or fresh.expires_at <= timezone.now():
            raise NotFound("link")
        _not_an_editor(actor, story)
        now = timezone.now()
        was_public = story.published_revision_id is not None
        story.withdrawn_at = now
        story.published_revision = None
        story.publish_at = None
        story.save(update_fields=["withdrawn_at", "published_revision", "publish_at"])
        PersonLink.objects.filter(story=story, revoked_at__isnull=True).update(revoked_at=now)
        _person_audit(actor, "stories.person.withdrew", story, link, was_public=was_public)
    return story


def editor_comment(*, actor: Actor, story: Story, comment: str) -> None:
    """An editor answers the person's comments on the current revision."""
    _editable(actor, story)
    with transaction.atomic(durable=True):
        story = _locked(story)
        if story.withdrawn_at:
            raise ValidationError(_("The person has withdrawn their consent: the story cannot be changed."))
        if not comment.strip():
            raise ValidationError({"comment": [_("Write your comment.")]})
        current = _current(story)
        _comment(story, current, comment, by_person=False, author=actor.user)
        _record(actor, "stories.editor.commented", story, revision=current.number)


def person_remove_photo(*, actor: Actor, link: PersonLink, base_number: int) -> None:
    """The person takes their photo down: erased at once, from the public page too, with no one's
    approval needed. The text and its approvals stay as they are."""
    with transaction.atomic(durable=True):
        story, current = _person_revision(link, base_number, actor)
        if not _erase_photo(current.photo, timezone.now()):
            raise ValidationError(_("There is no photo to remove."))
        _record(actor, "stories.photo.removed", story, revision=current.number, by="person", link=link.pk)
        _notify_editor(story, "stories.photo.removed")
