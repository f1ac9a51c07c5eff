"""What the person interviewed does through their link: revise, comment, approve or decline,
withdraw consent, take their photo down."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.stories import permissions as perms
from samverkan.stories.models import PersonDecision, PersonLink, Story, StoryComment, StoryRevision
from samverkan.stories.services._common import _comment, _current, _erase_photo, _locked, _record, _texts
from samverkan.stories.services.mail import _notify_editor

FACETS = ("ground", "origin_region", "arrival_year", "municipality_type", "tags")


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


def _person_audit(actor: Actor, code: str, story: Story, link: PersonLink, **data: object) -> None:
    _record(actor, code, story, link=link.pk, **data)
    _notify_editor(story, code)


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


def person_remove_photo(*, actor: Actor, link: PersonLink, base_number: int) -> None:
    """The person takes their photo down: erased at once, from the public page too, with no one's
    approval needed. The text and its approvals stay as they are."""
    with transaction.atomic(durable=True):
        story, current = _person_revision(link, base_number, actor)
        if not _erase_photo(current.photo, timezone.now()):
            raise ValidationError(_("There is no photo to remove."))
        _record(actor, "stories.photo.removed", story, revision=current.number, by="person", link=link.pk)
        _notify_editor(story, "stories.photo.removed")
