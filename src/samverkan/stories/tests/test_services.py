"""Stories: the approval bound to a revision, publishing, withdrawal, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.models import AuditEvent
from samverkan.stories import selectors, services
from samverkan.stories.models import PersonDecision, PersonLink, Story, StoryRevision
from samverkan.stories.tests.factories import TEXT_SV, edit, editor, jpeg, story

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PERSON = Actor.anonymous("198.51.100.7")


def _link(the_story, actor=None, language="sv"):
    issued = services.link_issue(
        actor=actor or editor(the_story.organisation), story=the_story, language=language
    )
    return issued.token, services.link_resolve(token=issued.token, actor=PERSON)


def _current(the_story):
    return the_story.revisions.order_by("-number").first()


def _public_body(the_story):
    the_story.refresh_from_db()  # its public address is set at the first publication
    found = selectors.public_story(slug=the_story.slug)
    return found.published_revision.texts["sv"]["body"]


def test_only_the_publishers_editors_write_stories_and_others_cannot_see_them():
    org = organisation()
    with pytest.raises(PermissionDenied):
        story(actor=actor_for_user(member("reader", org)), org=org)
    with pytest.raises(PermissionDenied):
        story(actor=editor(organisation()), org=org)
    created = story(org=org)
    outsider = editor(organisation())
    with pytest.raises(NotFound):
        selectors.story_get_for(actor=outsider, story_id=created.pk)
    with pytest.raises(NotFound):
        services.link_issue(actor=outsider, story=created, language="sv")
    assert list(selectors.story_list_for(actor=outsider)) == []
    assert list(selectors.public_stories()) == []


def test_a_story_needs_the_text_in_the_interview_language_and_valid_facets():
    org = organisation()
    actor = editor(org)
    base = dict(actor=actor, organisation_id=org.pk, original_language="sv", display_name="A")
    good = services.Details(ground="work", origin_region="asia", arrival_year=2019, municipality_type="towns")
    with pytest.raises(ValidationError) as exc:
        services.story_create(**base, details=good, texts={"en": {"title": "T", "body": "B"}})
    assert "title_sv" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.story_create(**base, details=good, texts={"sv": {"title": "T", "body": ""}})
    assert "body_sv" in exc.value.errors
    bad = services.Details(ground="x", origin_region="mars", arrival_year=1800, municipality_type="y")
    with pytest.raises(ValidationError) as exc:
        services.story_create(**base, details=bad, texts={"sv": {"title": "T", "body": "B"}})
    assert set(exc.value.errors) == {"ground", "origin_region", "arrival_year", "municipality_type"}
    assert not Story.objects.exists()


def test_publishing_needs_the_persons_approval_of_the_current_revision():
    the_story = story()
    actor = editor(the_story.organisation)
    with pytest.raises(ValidationError):
        services.story_publish(actor=actor, story=the_story, base_number=1)
    _token, link = _link(the_story)
    services.person_decide(actor=PERSON, link=link, base_number=1, approve=True)
    services.story_publish(actor=actor, story=the_story, base_number=1)
    assert _public_body(the_story) == TEXT_SV


def test_a_person_edit_is_a_new_revision_that_an_editor_approves_by_publishing():
    the_story = story()
    actor = editor(the_story.organisation)
    _token, link = _link(the_story)
    changed = TEXT_SV.replace("sjuksköterska", "undersköterska")
    revision = services.person_revise(
        actor=PERSON,
        link=link,
        base_number=1,
        language="sv",
        title="En kall vinter",
        body=changed,
        approve=True,
    )
    assert revision.number == 2 and revision.by_person
    assert revision.person_decision == PersonDecision.APPROVED and revision.editor_approved_at is None
    services.story_publish(actor=actor, story=the_story, base_number=2)
    revision.refresh_from_db()
    assert revision.editor_approved_by == actor.user
    assert _public_body(the_story) == changed


def test_a_later_editor_change_is_not_public_until_the_person_approves_it_again():
    the_story = story()
    actor = editor(the_story.organisation)
    _token, link = _link(the_story)
    services.person_decide(actor=PERSON, link=link, base_number=1, approve=True)
    services.story_publish(actor=actor, story=the_story, base_number=1)
    edit(actor, the_story, TEXT_SV + "\n\nEn ny mening från redaktören.")
    the_story.refresh_from_db()
    assert _public_body(the_story) == TEXT_SV  # still revision 1
    with pytest.raises(ValidationError):
        services.story_publish(actor=actor, story=the_story, base_number=2)
    services.person_decide(actor=PERSON, link=link, base_number=2, approve=True)
    assert "En ny mening" in _public_body(the_story)
    # What the public reads changed: the log says so, and which revision it is now.
    published = AuditEvent.objects.filter(code="stories.story.published").order_by("seq")
    assert [(e.data["revision"], e.data.get("by")) for e in published] == [(1, None), (2, "person_approval")]


def test_declining_the_text_on_the_website_takes_it_off_at_once():
    the_story = story()
    _token, link = _link(the_story)
    services.person_decide(actor=PERSON, link=link, base_number=1, approve=True)
    services.story_publish(actor=editor(the_story.organisation), story=the_story, base_number=1)
    services.person_decide(actor=PERSON, link=link, base_number=1, approve=False, comment="Ta bort min bror.")
    the_story.refresh_from_db()
    assert the_story.published_revision is None and list(selectors.public_stories()) == []
    event = AuditEvent.objects.get(code="stories.story.unpublished")
    assert event.data == {"revision": 1, "by": "person_declined"} and event.actor_label == "anonymous"
    # The comment that came with the answer is in the log too.
    assert AuditEvent.objects.filter(code="stories.person.commented").count() == 1


def test_declining_a_new_version_leaves_the_approved_one_on_the_website():
    the_story = story()
    actor = editor(the_story.organisation)
    _token, link = _link(the_story)
    services.person_decide(actor=PERSON, link=link, base_number=1, approve=True)
    services.story_publish(actor=actor, story=the_story, base_number=1)
    edit(actor, the_story, TEXT_SV + "\n\nEn mening personen inte vill ha.")
    services.person_decide(actor=PERSON, link=link, base_number=2, approve=False, comment="Nej tack.")
    assert _public_body(the_story) == TEXT_SV


def test_the_public_address_comes_from_the_title_the_person_approved():
    the_story = story(sv={"title": "Fatima Al-Hassans resa", "body": TEXT_SV})
    assert the_story.slug.startswith("utkast-") and "fatima" not in the_story.slug
    _token, link = _link(the_story)
    services.person_revise(
        actor=PERSON,
        link=link,
        base_number=1,
        language="sv",
        title="Ett nytt liv",
        body=TEXT_SV,
        approve=True,
    )
    published = services.story_publish(actor=editor(the_story.organisation), story=the_story, base_number=2)
    assert published.slug == "ett-nytt-liv"
    # A story published later with the same title gets an address of its own.
    other = story(sv={"title": "Ett nytt liv", "body": TEXT_SV})
    _token, other_link = _link(other)
    services.person_decide(actor=PERSON, link=other_link, base_number=1, approve=True)
    again = services.story_publish(actor=editor(other.organisation), story=other, base_number=1)
    assert again.slug.startswith("ett-nytt-liv-") and again.slug != published.slug


def test_a_photo_is_taken_down_at_once_by_the_person_or_an_editor(django_capture_on_commit_callbacks):
    org = organisation()
    actor = editor(org)
    the_story, link = _story_with_photo_published(actor, org)
    photo = the_story.published_revision.photo
    assert the_story.published_revision.shows_photo
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.person_remove_photo(actor=PERSON, link=link, base_number=1)
    photo.refresh_from_db()
    assert photo.removed_at and bytes(photo.data) == b""
    found = selectors.public_story(slug=the_story.slug)
    assert not found.published_revision.shows_photo  # the same revision, still approved, without it
    assert found.published_revision.person_decision == PersonDecision.APPROVED
    event = AuditEvent.objects.get(code="stories.photo.removed")
    assert event.data["by"] == "person"
    with translation.override("sv"):  # the editor's notice is in the site's language
        notice = translation.gettext(services.NOTICES["stories.photo.removed"])
    assert len(mail.outbox) == 1 and notice in mail.outbox[0].body
    with pytest.raises(ValidationError):
        services.person_remove_photo(actor=PERSON, link=link, base_number=1)

    # An editor's removal does not wait for the person's approval either.
    second = services.story_edit(
        actor=actor,
        story=the_story,
        base_number=1,
        details=services.Details(
            ground="work", origin_region="asia", arrival_year=2019, municipality_type="towns"
        ),
        display_name="Amira (fiktiv)",
        texts={"sv": {"title": "En kall vinter", "body": TEXT_SV}},
        photo=services.Photo(data=jpeg(), alt="Amira i snön", consent=True),
    )
    services.person_decide(actor=PERSON, link=link, base_number=second.number, approve=True)
    new_photo = selectors.public_story(slug=the_story.slug).published_revision.photo
    services.story_edit(
        actor=actor,
        story=the_story,
        base_number=second.number,
        details=services.Details(
            ground="work", origin_region="asia", arrival_year=2019, municipality_type="towns"
        ),
        display_name="Amira (fiktiv)",
        texts={"sv": {"title": "En kall vinter", "body": TEXT_SV}},
        remove_photo=True,
    )
    new_photo.refresh_from_db()
    assert (
        new_photo.removed_at
        and not selectors.public_story(slug=the_story.slug).published_revision.shows_photo
    )


def test_an_editor_of_the_story_cannot_answer_for_the_person():
    the_story = story()
    actor = editor(the_story.organisation)
    _token, link = _link(the_story)
    with pytest.raises(PermissionDenied):
        services.person_decide(actor=actor, link=link, base_number=1, approve=True)
    with pytest.raises(PermissionDenied):
        services.person_withdraw(actor=actor, link=link)
    assert _current(the_story).person_decision == PersonDecision.PENDING


def test_a_failing_mail_server_does_not_undo_or_hide_a_saved_action(
    django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("samverkan.stories.services.mail.send_mail", refuse)  # link and notice
    the_story = story()
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.link_issue(
            actor=editor(the_story.organisation),
            story=the_story,
            language="sv",
            email="amira@example.invalid",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.person_decide(actor=PERSON, link=issued.link, base_number=1, approve=True)
    assert _current(the_story).person_decision == PersonDecision.APPROVED


def test_an_approval_is_bound_to_the_revision_the_person_was_shown():
    the_story = story()
    actor = editor(the_story.organisation)
    _token, link = _link(the_story)
    edit(actor, the_story, TEXT_SV + "\n\nÄndrat medan personen läste.")
    with pytest.raises(ValidationError):
        services.person_decide(actor=PERSON, link=link, base_number=1, approve=True)
    assert not StoryRevision.objects.filter(person_decision=PersonDecision.APPROVED).exists()


def test_an_editor_cannot_overwrite_a_revision_written_meanwhile():
    the_story = story()
    actor = editor(the_story.organisation)
    _token, link = _link(the_story)
    services.person_revise(
        actor=PERSON, link=link, base_number=1, language="sv", title="T", body="Personens text"
    )
    details = services.Details(
        ground="work", origin_region="asia", arrival_year=2019, municipality_type="towns"
    )
    with pytest.raises(ValidationError):
        services.story_edit(
            actor=actor,
            story=the_story,
            base_number=1,
            details=details,
            display_name="Amira (fiktiv)",
            texts={"sv": {"title": "T", "body": "Redaktörens text"}},
        )
    assert _current(the_story).texts["sv"]["body"] == "Personens text"


def test_declining_needs_a_comment_and_keeps_the_story_unpublishable():
    the_story = story()
    _token, link = _link(the_story)
    with pytest.raises(ValidationError) as exc:
        services.person_decide(actor=PERSON, link=link, base_number=1, approve=False)
    assert "comment" in exc.value.errors
    services.person_decide(actor=PERSON, link=link, base_number=1, approve=False, comment="Fel år.")
    assert _current(the_story).person_decision == PersonDecision.DECLINED
    assert the_story.comments.get().text == "Fel år."
    with pytest.raises(ValidationError):
        services.story_publish(actor=editor(the_story.organisation), story=the_story, base_number=1)


def test_withdrawal_unpublishes_at_once_closes_every_link_and_blocks_publishing():
    the_story = story()
    actor = editor(the_story.organisation)
    token, link = _link(the_story)
    services.person_decide(actor=PERSON, link=link, base_number=1, approve=True)
    services.story_publish(actor=actor, story=the_story, base_number=1)
    services.person_withdraw(actor=PERSON, link=link)
    the_story.refresh_from_db()
    assert the_story.withdrawn_at and the_story.published_revision is None
    assert list(selectors.public_stories()) == []
    with pytest.raises(NotFound):
        services.link_resolve(token=token, actor=PERSON)
    with pytest.raises(NotFound):
        services.person_decide(actor=PERSON, link=link, base_number=1, approve=True)
    with pytest.raises(ValidationError):
        services.story_publish(actor=actor, story=the_story, base_number=1)
    with pytest.raises(ValidationError):
        services.link_issue(actor=actor, story=the_story, language="sv")
    event = AuditEvent.objects.get(code="stories.person.withdrew")
    assert event.data["was_public"] is True and event.actor_label == "anonymous"


def test_links_expire_are_replaced_and_only_their_hash_is_stored():
    the_story = story()
    actor = editor(the_story.organisation)
    old = services.link_issue(actor=actor, story=the_story, language="ar")
    new = services.link_issue(actor=actor, story=the_story, language="ar")
    assert not PersonLink.objects.filter(token_hash=old.token).exists()
    with pytest.raises(NotFound):
        services.link_resolve(token=old.token, actor=PERSON)
    assert services.link_resolve(token=new.token, actor=PERSON).language == "ar"
    PersonLink.objects.filter(pk=new.link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(NotFound):
        services.link_resolve(token=new.token, actor=PERSON)
    with pytest.raises(NotFound):
        services.link_resolve(token="guessed-" + new.token[8:], actor=PERSON)
    reasons = sorted(e.data["reason"] for e in AuditEvent.objects.filter(code="stories.link.refused"))
    assert reasons == ["expired", "revoked"]
    assert all(new.token not in str(e.data) for e in AuditEvent.objects.all())


def _story_with_photo_published(actor=None, org=None):
    """A story with a photo, approved by the person through a link and published; and that link."""
    org = org or organisation()
    actor = actor or editor(org)
    the_story = services.story_create(
        actor=actor,
        organisation_id=org.pk,
        original_language="sv",
        details=services.Details(
            ground="work", origin_region="asia", arrival_year=2019, municipality_type="towns"
        ),
        display_name="Amira (fiktiv)",
        texts={"sv": {"title": "En kall vinter", "body": TEXT_SV}},
        photo=services.Photo(data=jpeg(), alt="Amira vid en sjö", consent=True),
    )
    _token, link = _link(the_story)
    services.person_decide(actor=PERSON, link=link, base_number=1, approve=True)
    return services.story_publish(actor=actor, story=the_story, base_number=1), link


def _everything_about(the_story) -> tuple:
    """What a person's action could change: revisions and decisions, comments, publication,
    withdrawal, the photo, the links, the audit log."""
    the_story.refresh_from_db()
    return (
        list(the_story.revisions.order_by("number").values_list("number", "person_decision", "texts")),
        list(the_story.comments.values_list("text", flat=True)),
        the_story.withdrawn_at,
        the_story.published_revision_id,
        list(the_story.photos.values_list("pk", "removed_at")),
        list(the_story.links.values_list("pk", "revoked_at", "expires_at")),
        AuditEvent.objects.count(),
    )


PERSON_ACTIONS = {
    "approve": lambda link: services.person_decide(actor=PERSON, link=link, base_number=1, approve=True),
    "decline": lambda link: services.person_decide(
        actor=PERSON, link=link, base_number=1, approve=False, comment="Fel år."
    ),
    "revise": lambda link: services.person_revise(
        actor=PERSON, link=link, base_number=1, language="sv", title="Ny titel", body="Ny text", approve=True
    ),
    "comment": lambda link: services.person_comment(actor=PERSON, link=link, base_number=1, comment="Hej"),
    "remove photo": lambda link: services.person_remove_photo(actor=PERSON, link=link, base_number=1),
    "withdraw": lambda link: services.person_withdraw(actor=PERSON, link=link),
}


@pytest.mark.parametrize("action", list(PERSON_ACTIONS))
def test_a_link_that_expires_after_the_page_loaded_cannot_act(action):
    the_story, _link_used = _story_with_photo_published()
    # The person's page loads: the link is live and resolved ...
    _token, link = _link(the_story)
    services.link_opened(actor=PERSON, link=link)
    # ... then it expires before they press the button: the action must check again.
    PersonLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    before = _everything_about(the_story)
    with pytest.raises(NotFound):
        PERSON_ACTIONS[action](link)
    assert _everything_about(the_story) == before


def test_a_link_is_emailed_when_an_address_is_given_and_the_address_is_not_kept(
    django_capture_on_commit_callbacks,
):
    the_story = story()
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.link_issue(
            actor=editor(the_story.organisation),
            story=the_story,
            language="en",
            email="amira@example.invalid",
        )
    assert len(mail.outbox) == 1 and issued.url in mail.outbox[0].body
    assert "amira@example.invalid" not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_scheduled_publishing_shows_the_story_from_its_time():
    the_story = story()
    actor = editor(the_story.organisation)
    _token, link = _link(the_story)
    services.person_decide(actor=PERSON, link=link, base_number=1, approve=True)
    at = timezone.now() + dt.timedelta(days=2)
    services.story_publish(actor=actor, story=the_story, base_number=1, publish_at=at)
    assert list(selectors.public_stories()) == []
    assert [s.pk for s in selectors.public_stories(now=at + dt.timedelta(seconds=1))] == [the_story.pk]
    with pytest.raises(ValidationError) as exc:
        services.story_publish(
            actor=actor, story=the_story, base_number=1, publish_at=timezone.now() - dt.timedelta(days=1)
        )
    assert "publish_at" in exc.value.errors


def test_the_public_filters_by_facet_and_tag():
    org = organisation()
    actor = editor(org)
    stories = [story(actor=actor, org=org) for _ in range(2)]
    for s in stories:
        _token, link = _link(s, actor)
        services.person_decide(actor=PERSON, link=link, base_number=1, approve=True)
        services.story_publish(actor=actor, story=s, base_number=1)
    # An editor places the second story under another ground and theme: the page and the filters
    # follow only once the person has approved that too.
    moved = services.story_edit(
        actor=actor,
        story=stories[1],
        base_number=1,
        details=services.Details(
            ground="studies",
            origin_region="asia",
            arrival_year=2019,
            municipality_type="towns",
            tags=["studier"],
        ),
        display_name="Amira (fiktiv)",
        texts=_current(stories[1]).texts,
    )
    assert moved is not None and moved.number == 2
    assert [c.field for c in selectors.changes(stories[1].revisions.get(number=1), moved)] == [
        "ground",
        "tags",
    ]
    only = selectors.StoryFilter.from_query({"ground": "studies"})
    assert list(selectors.public_stories(filters=only)) == []
    _token, link = _link(stories[1], actor)
    services.person_decide(actor=PERSON, link=link, base_number=2, approve=True)
    assert [s.pk for s in selectors.public_stories(filters=only)] == [stories[1].pk]
    tagged = selectors.StoryFilter.from_query({"tag": "arbete"})
    assert [s.pk for s in selectors.public_stories(filters=tagged)] == [stories[0].pk]
    nonsense = selectors.StoryFilter.from_query({"ground": "<script>", "arrival_year": "20x9"})
    assert not nonsense.active


def test_every_step_is_audit_logged():
    the_story = story()
    actor = editor(the_story.organisation)
    _token, link = _link(the_story)
    services.link_opened(actor=PERSON, link=link)
    services.person_comment(actor=PERSON, link=link, base_number=1, comment="Bra!")
    services.person_revise(
        actor=PERSON,
        link=link,
        base_number=1,
        language="sv",
        title="En kall vinter",
        body="Ny text",
        approve=True,
    )
    services.story_publish(actor=actor, story=the_story, base_number=2)
    services.story_unpublish(actor=actor, story=the_story)
    codes = list(selectors.history(the_story).values_list("code", flat=True))[::-1]
    assert codes == [
        "stories.story.created",
        "stories.link.issued",
        "stories.link.opened",
        "stories.person.commented",
        "stories.revision.created",
        "stories.person.approved",
        "stories.story.published",
        "stories.story.unpublished",
    ]


def test_the_editor_is_told_once_per_action_without_the_story_text(django_capture_on_commit_callbacks):
    the_story = story()
    _token, link = _link(the_story)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.person_revise(
            actor=PERSON,
            link=link,
            base_number=1,
            language="sv",
            title="T",
            body="Hemlig ny text",
            approve=True,
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [the_story.editor.email]
    assert "Hemlig ny text" not in message.body and f"/stories/manage/{the_story.pk}/" in message.body
    assert message.body.count("\n- ") == 2  # changed, approved
