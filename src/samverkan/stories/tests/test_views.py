"""The story pages: the public hub, the feeds, the editors' pages, and the person's link with its
security: guessed, expired, replaced or withdrawn links get nothing, one link never reaches
another story, requests are rate-limited, and stored script never runs."""

from __future__ import annotations

import datetime as dt
import io
import logging
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from PIL import Image

from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.actor import Actor
from samverkan.core.logredact import RedactSecrets
from samverkan.core.models import AuditEvent
from samverkan.stories import services
from samverkan.stories.models import (
    Ground,
    MunicipalityType,
    OriginRegion,
    PersonDecision,
    PersonLink,
    Story,
)
from samverkan.stories.tests.factories import TEXT_SV, edit, editor, jpeg, story

pytestmark = pytest.mark.django_db
PERSON = Actor.anonymous()


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _issue(the_story, language="sv"):
    return services.link_issue(actor=editor(the_story.organisation), story=the_story, language=language)


def _published(**texts):
    the_story = story(**texts)
    issued = _issue(the_story)
    services.person_decide(actor=PERSON, link=issued.link, base_number=1, approve=True)
    the_story = services.story_publish(actor=editor(the_story.organisation), story=the_story, base_number=1)
    return the_story, issued


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - the platform's own feed, generated in this test


def _person_url(token):
    return f"/stories/p/{token}/"


def test_the_public_sees_published_stories_only(client):
    public, _ = _published()
    draft = story()
    body = client.get("/stories/").content.decode()
    assert f'data-story="{public.slug}"' in body and f'data-story="{draft.slug}"' not in body
    assert client.get(f"/stories/{public.slug}/").status_code == 200
    assert client.get(f"/stories/{draft.slug}/").status_code == 404
    home = client.get("/").content.decode()
    assert f'data-story="{public.slug}"' in home


def test_a_story_page_has_share_metadata_and_the_facts_beside_it(client):
    public, _ = _published()
    body = client.get(f"/stories/{public.slug}/").content.decode()
    assert '<meta property="og:title" content="En kall vinter">' in body
    assert f'<link rel="canonical" href="http://testserver/stories/{public.slug}/">' in body
    assert 'property="og:description" content="Jag kom till Sverige en kall vinter.' in body
    assert "?ground=work" in body and 'lang="sv"' in body


def test_stored_script_never_reaches_the_page_and_the_policy_forbids_inline_script(client):
    attack = (
        '<script>window.pwned=1</script>\n\n<img src=x onerror="window.pwned=1">\n\n[x](javascript:alert(1))'
    )
    public, _ = _published(sv={"title": "<script>alert(1)</script>Titel", "body": "Text.\n\n" + attack})
    response = client.get(f"/stories/{public.slug}/")
    body = response.content.decode()
    assert "<script>window.pwned" not in body and "<img src=x" not in body and "<script>alert(1)" not in body
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in body
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    # In the feed the entry's HTML holds the script as text, never as an element.
    feed = _xml(client.get("/stories/feed.atom").content)
    atom = "{http://www.w3.org/2005/Atom}"
    entry_html = feed.find(f"{atom}entry/{atom}summary").text
    assert "&lt;script&gt;window.pwned" in entry_html
    assert "<script" not in entry_html and "<img" not in entry_html


def test_the_feeds_list_published_stories_in_rss_and_atom(client):
    public, _ = _published()
    story()  # a draft
    rss = client.get("/stories/feed.rss")
    assert rss["Content-Type"].startswith("application/rss+xml")
    items = _xml(rss.content).findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["En kall vinter"]
    assert items[0].findtext("link").endswith(f"/stories/{public.slug}/")
    atom = client.get("/stories/feed.atom")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = _xml(atom.content).findall("a:entry", ns)
    assert len(entries) == 1 and entries[0].findtext("a:author/a:name", namespaces=ns) == "Amira (fiktiv)"


def test_the_person_page_works_without_an_account_and_is_private(client):
    the_story = story()
    issued = _issue(the_story)
    response = client.get(_person_url(issued.token))
    body = response.content.decode()
    assert response.status_code == 200 and "Jag kom till Sverige" in body
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]
    # The link (a key) is never sent to another site in a Referer header.
    assert response["Referrer-Policy"] == "same-origin"


def test_the_person_page_speaks_the_links_language_unless_the_person_chose_another(client):
    the_story = story(
        sv={"title": "En kall vinter", "body": TEXT_SV},
        ar={"title": "شتاء بارد", "body": "وصلت إلى السويد في شتاء بارد."},
    )
    issued = _issue(the_story, language="ar")
    body = client.get(_person_url(issued.token)).content.decode()
    assert '<html lang="ar" dir="rtl"' in body and "وصلت إلى السويد" in body
    client.cookies["samverkan_language"] = "en"
    body = client.get(_person_url(issued.token)).content.decode()
    assert '<html lang="en" dir="ltr"' in body and "Your story" in body
    assert "وصلت إلى السويد" in body  # the text stays in the person's language


def test_the_person_edits_a_sentence_and_approves_through_the_page(client):
    the_story = story()
    issued = _issue(the_story)
    url = _person_url(issued.token)
    changed = TEXT_SV.replace("en kall vinter", "en mörk vinter")
    response = client.post(
        url,
        {
            "action": "save_approve",
            "edit-base_number": 1,
            "edit-title": "En kall vinter",
            "edit-body": changed,
            "edit-comment": "",
        },
    )
    assert response.status_code == 302
    current = the_story.revisions.order_by("-number").first()
    assert current.number == 2 and current.texts["sv"]["body"] == changed
    assert current.person_decision == PersonDecision.APPROVED and current.by_person


def test_the_person_sees_what_the_page_says_about_them_and_can_remove_their_photo(client):
    org = organisation()
    the_story = services.story_create(
        actor=editor(org),
        organisation_id=org.pk,
        original_language="sv",
        details=services.Details(
            ground="family",
            origin_region="africa",
            arrival_year=2016,
            municipality_type="rural",
            tags=["skola"],
        ),
        display_name="Amira (fiktiv)",
        texts={"sv": {"title": "En kall vinter", "body": TEXT_SV}},
        photo=services.Photo(data=jpeg(), alt="Amira vid en sjö", consent=True),
    )
    url = _person_url(_issue(the_story).token)
    body = client.get(url).content.decode()
    facts = body.split("data-story-facts")[1].split("</dl>")[0]
    with translation.override("sv"):  # the page speaks the link's language
        labels = [str(Ground.FAMILY.label), str(OriginRegion.AFRICA.label), str(MunicipalityType.RURAL.label)]
    assert all(label in facts for label in labels) and "2016" in facts and "skola" in facts
    assert client.get(url + "photo.jpg").status_code == 200
    response = client.post(url, {"action": "remove_photo", "decision-base_number": 1}, follow=True)
    assert "Your photo is removed" in response.content.decode()
    assert client.get(url + "photo.jpg").status_code == 404
    assert "data-remove-photo" not in client.get(url).content.decode()


def test_an_editor_logged_in_cannot_approve_in_the_persons_place(client):
    the_story = story()
    issued = _issue(the_story)
    verified_login(client, member("editor", the_story.organisation))
    response = client.post(
        _person_url(issued.token), {"action": "approve", "decision-base_number": 1, "decision-comment": ""}
    )
    assert response.status_code == 200
    assert "Only the person interviewed answers here" in response.content.decode()
    assert the_story.revisions.get().person_decision == PersonDecision.PENDING


def test_list_pages_and_feeds_read_the_stories_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    def published_count(n):
        for _ in range(n):
            _published()

    published_count(2)
    counts = {}
    for url in ("/stories/", "/stories/feed.atom", "/"):
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few)
    published_count(6)
    for url, before in counts.items():
        with django_assert_max_num_queries(before):
            assert client.get(url).status_code == 200


def test_guessed_expired_and_replaced_links_get_nothing(client):
    the_story = story()
    old = _issue(the_story)
    new = _issue(the_story)
    for token in (old.token, new.token[:-4] + "AAAA", "x" * 43):
        assert client.get(_person_url(token)).status_code == 404
        response = client.post(_person_url(token), {"action": "approve", "decision-base_number": 1})
        assert response.status_code == 404
    PersonLink.objects.filter(pk=new.link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(_person_url(new.token)).status_code == 404
    assert client.get(_person_url(new.token) + "photo.jpg").status_code == 404
    assert the_story.revisions.get().person_decision == PersonDecision.PENDING


def test_a_link_that_expires_while_the_person_acts_is_refused_and_nothing_changes(client, monkeypatch):
    the_story = story()
    issued = _issue(the_story)
    url = _person_url(issued.token)
    assert client.get(url).status_code == 200  # the page loads with a live link
    real_resolve = services.link_resolve

    def resolve_then_expire(**kwargs):
        # The link passes the check at the door of the request and expires right after it, before
        # the service acts on it (the person pressed the button in the link's last moment).
        link = real_resolve(**kwargs)
        PersonLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        return link

    monkeypatch.setattr(services, "link_resolve", resolve_then_expire)
    events = AuditEvent.objects.count()
    response = client.post(url, {"action": "approve", "decision-base_number": 1})
    assert response.status_code == 404
    revision = the_story.revisions.get()
    assert revision.person_decision == PersonDecision.PENDING and revision.person_decided_at is None
    assert AuditEvent.objects.count() == events


def test_a_link_is_useless_after_withdrawal_and_the_story_leaves_the_site_at_once(client):
    public, issued = _published()
    url = _person_url(issued.token)
    response = client.post(url, {"action": "withdraw"})
    assert (
        response.status_code == 200 and Story.objects.get(pk=public.pk).withdrawn_at is None
    )  # not confirmed
    response = client.post(url, {"action": "withdraw", "withdraw-confirm": "on"})
    assert response.status_code == 200 and "data-withdrawn" in response.content.decode()
    assert client.get(f"/stories/{public.slug}/").status_code == 404
    assert public.slug not in client.get("/stories/feed.rss").content.decode()
    assert client.get(url).status_code == 404
    response = client.post(url, {"action": "approve", "decision-base_number": 1})
    assert response.status_code == 404


def test_one_persons_link_cannot_read_or_act_on_another_story(client):
    mine = story()
    theirs = story(sv={"title": "Någon annans berättelse", "body": "Hemlig text om någon annan."})
    my_link = _issue(mine)
    _issue(theirs)
    body = client.get(_person_url(my_link.token)).content.decode()
    assert "Hemlig text" not in body
    # Acting with the other story's ids and revision numbers changes only the link's own story.
    for data in (
        {"action": "approve", "decision-base_number": 1, "story": theirs.pk, "story_id": theirs.pk},
        {"action": "withdraw", "withdraw-confirm": "on", "story": theirs.pk},
    ):
        client.post(_person_url(my_link.token), data)
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None
    assert theirs.revisions.get().person_decision == PersonDecision.PENDING
    assert client.get(f"/stories/p/{my_link.token}/photo.jpg").status_code == 404


def test_bad_links_from_one_address_are_rate_limited_but_never_lock_out_a_live_link(client, settings):
    settings.STORIES_BAD_LINKS_PER_ADDRESS = 3
    the_story = story()
    issued = _issue(the_story)
    for i in range(3):
        assert client.get(_person_url(f"guess-{i}")).status_code == 404
    response = client.get(_person_url("guess-3"))
    assert response.status_code == 429 and response["Retry-After"] == "900"
    assert "no-store" in response["Cache-Control"]
    # Another address is not affected.
    assert client.get(_person_url("guess-4"), REMOTE_ADDR="203.0.113.9").status_code == 404
    # Many people share one address (housing, a mobile operator): someone else's guessing there
    # must not lock the person out of their own link.
    assert client.get(_person_url(issued.token)).status_code == 200


def test_a_link_never_reaches_the_log(client):
    issued = _issue(story())
    stream = io.StringIO()
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, RedactSecrets) for f in h.filters)
    )
    old = handler.setStream(stream)
    try:
        client.get(f"/stories/p/{issued.token}/photo.jpg")  # a live link, but no photo: logged as 404
        client.get(_person_url("a-guessed-token"))
    finally:
        handler.setStream(old)
    logged = stream.getvalue()
    assert "Not Found: /stories/p/[redacted]/photo.jpg" in logged
    assert issued.token not in logged and "a-guessed-token" not in logged


def test_one_link_is_rate_limited_too(client, settings):
    settings.STORIES_REQUESTS_PER_LINK = 2
    issued = _issue(story())
    assert client.get(_person_url(issued.token)).status_code == 200
    assert client.get(_person_url(issued.token)).status_code == 200
    assert client.get(_person_url(issued.token)).status_code == 429


def test_an_approval_of_a_text_that_changed_meanwhile_is_refused_with_a_message(client):
    the_story = story()
    issued = _issue(the_story)
    edit(editor(the_story.organisation), the_story, TEXT_SV + "\n\nNy mening.")
    response = client.post(_person_url(issued.token), {"action": "approve", "decision-base_number": 1})
    assert response.status_code == 200 and "changed after you opened" in response.content.decode()
    assert not the_story.revisions.filter(person_decision=PersonDecision.APPROVED).exists()


def test_editor_pages_are_for_the_publishers_editors_only(client):
    the_story = story()
    verified_login(client, member("reader", the_story.organisation))
    assert client.get("/stories/manage/").status_code == 403
    assert client.get(f"/stories/manage/{the_story.pk}/").status_code == 404
    client.logout()
    verified_login(client, member("editor", organisation()))
    assert f"/stories/manage/{the_story.pk}/" not in client.get("/stories/manage/").content.decode()
    assert client.get(f"/stories/manage/{the_story.pk}/").status_code == 404
    assert (
        client.post(f"/stories/manage/{the_story.pk}/", {"action": "link", "link-language": "sv"}).status_code
        == 404
    )
    assert not PersonLink.objects.exists()


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Fiktiv kamera"
    exif[0x8825] = {1: "N", 2: (59.0, 19.0, 44.0)}
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 200)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_an_editor_writes_a_story_with_a_photo_sends_the_link_and_publishes(client):
    org = organisation()
    user = member("editor", org)
    verified_login(client, user)
    photo = io.BytesIO(_jpeg_with_gps())
    photo.name = "portrait.jpg"
    data = {
        "organisation": org.pk,
        "original_language": "sv",
        "display_name": "Samir (fiktiv)",
        "ground": "protection",
        "origin_region": "africa",
        "arrival_year": 2021,
        "municipality_type": "rural",
        "tags": "Hälsa, arbete",
        "title_sv": "Ett nytt hem",
        "body_sv": "Första stycket.\n\nAndra stycket.",
        "title_en": "",
        "body_en": "",
        "title_ar": "",
        "body_ar": "",
        "photo": photo,
        "photo_alt": "Samir står vid en sjö",
    }
    response = client.post("/stories/manage/new/", data)
    assert response.status_code == 200 and "photo_consent" in response.content.decode()  # consent missing
    assert not Story.objects.exists()
    photo.seek(0)
    response = client.post("/stories/manage/new/", {**data, "photo": photo, "photo_consent": "on"})
    the_story = Story.objects.get()
    assert response.status_code == 302 and the_story.revisions.get().tags == ["hälsa", "arbete"]
    stored = bytes(the_story.revisions.get().photo.data)
    assert b"Fiktiv kamera" not in stored and not Image.open(io.BytesIO(stored)).getexif()
    page = f"/stories/manage/{the_story.pk}/"
    response = client.post(page, {"action": "link", "link-language": "sv", "link-email": ""})
    body = response.content.decode()
    assert "data-link-url" in body
    token = body.split("/stories/p/")[1].split("/")[0]
    services.person_decide(
        actor=PERSON, link=services.link_resolve(token=token, actor=PERSON), base_number=1, approve=True
    )
    assert client.get(f"/stories/{the_story.slug}/photo.jpg").status_code == 404  # not yet public
    response = client.post(page, {"action": "publish", "publish-base_number": 1, "publish-publish_at": ""})
    assert response.status_code == 302
    the_story.refresh_from_db()
    photo_response = client.get(f"/stories/{the_story.slug}/photo.jpg")
    assert photo_response.status_code == 200 and photo_response["Content-Type"] == "image/jpeg"
    assert "Samir står vid en sjö" in client.get(f"/stories/{the_story.slug}/").content.decode()
