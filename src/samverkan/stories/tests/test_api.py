"""The public stories API (/api/v1/stories): the same stories as the list page for the same filters,
facet counts over public stories only, one story as its page shows it, and nothing else: every
story that is not public is a 404 like a slug that never existed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from samverkan.accounts.tests.factories import organisation
from samverkan.core.actor import Actor
from samverkan.stories import services
from samverkan.stories.models import Story
from samverkan.stories.tests.factories import TEXT_SV, edit, editor, jpeg

pytestmark = pytest.mark.django_db
PERSON = Actor.anonymous()
API = "/api/v1/stories"


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _draft(
    title: str,
    *,
    ground: str = "work",
    origin_region: str = "asia",
    arrival_year: int = 2019,
    municipality_type: str = "towns",
    tags: tuple[str, ...] = ("arbete",),
    english: str = "",
    photo: bool = False,
) -> Story:
    org = organisation()
    texts = {"sv": {"title": title, "body": TEXT_SV}}
    if english:
        texts["en"] = {"title": english, "body": "I came to Sweden in a cold winter."}
    return services.story_create(
        actor=editor(org),
        organisation_id=org.pk,
        original_language="sv",
        details=services.Details(
            ground=ground,
            origin_region=origin_region,
            arrival_year=arrival_year,
            municipality_type=municipality_type,
            tags=list(tags),
        ),
        display_name=f"{title} (fiktiv)",
        texts=texts,
        photo=services.Photo(data=jpeg(), alt="Vid en sjö", consent=True) if photo else None,
    )


def _approved(the_story: Story):
    issued = services.link_issue(actor=editor(the_story.organisation), story=the_story, language="sv")
    number = the_story.revisions.order_by("-number").first().number
    services.person_decide(actor=PERSON, link=issued.link, base_number=number, approve=True)
    return issued


def _publish(the_story: Story, publish_at: dt.datetime | None = None) -> Story:
    number = the_story.revisions.order_by("-number").first().number
    return services.story_publish(
        actor=editor(the_story.organisation), story=the_story, base_number=number, publish_at=publish_at
    )


def _public(title: str, **details) -> Story:
    the_story = _draft(title, **details)
    _approved(the_story)
    return _publish(the_story)


def _page_slugs(client, query: str) -> list[str]:
    return re.findall(r'data-story="([^"]+)"', client.get(f"/stories/?{query}").content.decode())


def _api(client, query: str = "") -> dict:
    response = client.get(f"{API}?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _facet(body: dict, name: str) -> dict[str, int]:
    return {f["value"]: f["count"] for f in body["facets"][name]}


# Every story here is hidden from the public in a different way; each carries the theme "hemlig",
# the ground "studies" and an English version, so a leak shows in the list, the facets or both.
HIDDEN = {"tags": ("hemlig",), "ground": "studies", "english": "A hidden story"}


def _not_public() -> dict[str, Story]:
    draft = _draft("Ett utkast", **HIDDEN)
    waiting = _draft("Väntar på personen", **HIDDEN)
    services.link_issue(actor=editor(waiting.organisation), story=waiting, language="sv")
    declined = _draft("Nej tack", **HIDDEN)
    issued = services.link_issue(actor=editor(declined.organisation), story=declined, language="sv")
    services.person_decide(actor=PERSON, link=issued.link, base_number=1, approve=False, comment="Inte så.")
    approved_only = _draft("Godkänd men inte publicerad", **HIDDEN)
    _approved(approved_only)
    scheduled = _draft("Publiceras i morgon", **HIDDEN)
    _approved(scheduled)
    scheduled = _publish(scheduled, publish_at=timezone.now() + dt.timedelta(days=1))
    withdrawn = _draft("Tillbakadragen", **HIDDEN)
    link = _approved(withdrawn).link
    withdrawn = _publish(withdrawn)
    services.person_withdraw(actor=PERSON, link=link)
    unpublished = _draft("Avpublicerad", **HIDDEN)
    _approved(unpublished)
    unpublished = services.story_unpublish(
        actor=editor(unpublished.organisation), story=_publish(unpublished)
    )
    return {
        "draft": draft,
        "waiting for the person": waiting,
        "declined by the person": declined,
        "approved, not published": approved_only,
        "scheduled for later": scheduled,
        "withdrawn": withdrawn,
        "unpublished": unpublished,
    }


# --- The list ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "ground=work",
        "ground=family",
        "origin_region=africa",
        "municipality_type=rural",
        "arrival_year=2016",
        "tag=skola",
        "tag=Skola%20",
        "ground=family&tag=skola",
        "ground=work&origin_region=africa",
        "ground=studies",
    ],
)
def test_the_list_is_the_pages_list_for_the_same_filters(client, query):
    _public("Arbete i Asien")
    _public(
        "Familj i Afrika",
        ground="family",
        origin_region="africa",
        arrival_year=2016,
        municipality_type="rural",
        tags=("skola", "familj"),
    )
    _public("Familj i Asien", ground="family", tags=("skola",))
    _public("Arbete i Afrika", origin_region="africa", tags=())
    _not_public()
    page = _page_slugs(client, query)
    body = _api(client, f"{query}&limit=200" if query else "limit=200")
    assert [item["slug"] for item in body["items"]] == page
    assert body["count"] == len(page)


def test_facets_count_the_public_stories_that_match_over_every_page(client):
    _public("Arbete i Asien", english="Work in Asia")
    _public(
        "Familj i Afrika",
        ground="family",
        origin_region="africa",
        arrival_year=2016,
        municipality_type="rural",
        tags=("skola", "familj"),
    )
    _public("Familj i Asien", ground="family", tags=("skola",))
    _public("Arbete i Afrika", origin_region="africa", tags=())
    _not_public()

    everything = _api(client, "limit=1")
    assert everything["count"] == 4 and len(everything["items"]) == 1
    assert _facet(everything, "ground") == {"work": 2, "family": 2}
    assert _facet(everything, "origin_region") == {"asia": 2, "africa": 2}
    assert _facet(everything, "municipality_type") == {"towns": 3, "rural": 1}
    assert _facet(everything, "arrival_year") == {"2019": 3, "2016": 1}
    assert _facet(everything, "tag") == {"arbete": 1, "skola": 2, "familj": 1}
    assert _facet(everything, "language") == {"sv": 4, "en": 1}
    labels = {f["value"]: f["label"] for f in everything["facets"]["ground"]}
    assert labels == {"work": "Work", "family": "Family ties"}  # in the request's language

    family = _api(client, "ground=family")
    assert family["count"] == 2
    assert _facet(family, "ground") == {"family": 2}
    assert _facet(family, "tag") == {"skola": 2, "familj": 1}
    assert _facet(family, "origin_region") == {"africa": 1, "asia": 1}


def test_limit_and_offset_page_through_the_list(client):
    for n in range(5):
        _public(f"Berättelse {n}")
    whole = [item["slug"] for item in _api(client, "limit=200")["items"]]
    first, second = _api(client, "limit=2"), _api(client, "limit=2&offset=2")
    assert [i["slug"] for i in first["items"] + second["items"]] == whole[:4]
    assert first["count"] == second["count"] == 5
    assert _api(client, "offset=5")["items"] == []


# --- Stories that are not public ----------------------------------------------------------------


def test_every_story_that_is_not_public_is_404_like_a_missing_one_and_absent_from_list_and_facets(client):
    public = _public("Offentlig")
    hidden = _not_public()
    missing = client.get(f"{API}/finns-inte")
    assert missing.status_code == 404
    for state, the_story in hidden.items():
        the_story.refresh_from_db()
        response = client.get(f"{API}/{the_story.slug}")
        assert (response.status_code, response.content) == (404, missing.content), state
        assert client.get(f"/stories/{the_story.slug}/").status_code == 404, state  # as the page
    body = _api(client, "limit=200")
    assert [item["slug"] for item in body["items"]] == [public.slug]
    assert "hemlig" not in _facet(body, "tag") and "studies" not in _facet(body, "ground")
    assert "en" not in _facet(body, "language")
    for query in ("tag=hemlig", "ground=studies"):
        assert _api(client, query) == {"count": 0, "items": [], "facets": {n: [] for n in body["facets"]}}
    assert client.get(f"{API}/{public.slug}").status_code == 200


def test_a_scheduled_story_appears_when_its_time_comes(client):
    scheduled = _draft("I morgon")
    _approved(scheduled)
    scheduled = _publish(scheduled, publish_at=timezone.now() + dt.timedelta(hours=1))
    assert client.get(f"{API}/{scheduled.slug}").status_code == 404
    Story.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(f"{API}/{scheduled.slug}").status_code == 200
    assert [i["slug"] for i in _api(client)["items"]] == [scheduled.slug]


def test_a_later_change_stays_private_until_the_person_approves_it(client):
    public = _public("Första versionen")
    edit(editor(public.organisation), public, "Hemlig ändring som personen inte har sett.")
    body = client.get(f"{API}/{public.slug}").json()
    assert "Hemlig ändring" not in body["text"] and body["text"].startswith("Jag kom till Sverige")
    listed = _api(client)["items"][0]
    assert "Hemlig ändring" not in listed["summary"]


# --- One story -----------------------------------------------------------------------------------


def test_one_story_has_the_pages_text_and_facts_and_nothing_personal_beyond_the_page(client):
    the_story = _draft("En kall vinter", english="A cold winter", photo=True)
    services.story_edit(
        actor=editor(the_story.organisation),
        story=the_story,
        base_number=1,
        details=services.Details(
            ground="work", origin_region="asia", arrival_year=2019, municipality_type="towns", tags=["arbete"]
        ),
        display_name="Amira (fiktiv)",
        texts={
            "sv": {
                "title": "En kall vinter",
                "body": "Jag kom *en vinter*.\n\n<script>alert(1)</script>\n\n[länk](javascript:alert(1))",
            },
            "en": {"title": "A cold winter", "body": "I came **one winter**."},
        },
        photo=None,
    )
    issued = _approved(the_story)
    the_story = _publish(the_story)

    sv = client.get(f"{API}/{the_story.slug}?lang=sv")
    assert sv.status_code == 200
    body = sv.json()
    page = client.get(f"/stories/{the_story.slug}/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    shown = page.split("data-story-text>")[1].split("</div>")[0]
    assert body["html"] == shown  # the sanitised HTML the page shows
    assert "<script" not in body["html"] and "href" not in body["html"]
    assert "<em>en vinter</em>" in body["html"]
    assert body["text"].startswith("Jag kom en vinter.") and "*" not in body["text"]
    assert (body["title"], body["language"], body["languages"]) == ("En kall vinter", "sv", ["sv", "en"])
    assert body["ground"] == {"code": "work", "label": "Arbete"}  # labels in the chosen language
    assert body["display_name"] == "Amira (fiktiv)" and "Amira (fiktiv)" in page
    assert body["url"] == f"http://testserver/stories/{the_story.slug}/"
    assert body["organisation"] == the_story.organisation.name
    assert body["published_at"] and body["is_fictional"] is False

    en = client.get(f"{API}/{the_story.slug}").json()  # the request's language (en)
    assert (en["title"], en["language"], en["html"]) == (
        "A cold winter",
        "en",
        "<p>I came <strong>one winter</strong>.</p>\n",
    )
    assert en["ground"] == {"code": "work", "label": "Work"}

    # The photo: its public address while the story is public; gone when it is taken down.
    assert body["photo_url"] == f"http://testserver/stories/{the_story.slug}/photo.jpg"
    assert body["photo_alt"] == "Vid en sjö"
    assert client.get(body["photo_url"]).status_code == 200
    services.person_remove_photo(actor=PERSON, link=issued.link, base_number=2)
    after = client.get(f"{API}/{the_story.slug}").json()
    assert after["photo_url"] is None and after["photo_alt"] == ""

    # Nothing but the page's fields: never the link, comments, editors or the interview date.
    assert set(body) == {
        "slug", "url", "language", "languages", "title", "summary", "display_name", "photo_url",
        "photo_alt", "ground", "origin_region", "municipality_type", "arrival_year", "tags",
        "organisation", "published_at", "updated_at", "is_fictional", "html", "text",
    }  # fmt: skip
    raw = sv.content.decode()
    assert issued.token not in raw and issued.link.token_hash not in raw
    assert the_story.editor.email not in raw


def test_the_list_items_are_the_cards_of_the_page(client):
    the_story = _public("En kall vinter", photo=True)
    item = _api(client)["items"][0]
    page = client.get("/stories/").content.decode()
    assert item["summary"] in page and item["title"] in page
    assert "html" not in item and "text" not in item
    assert item["photo_url"] == f"http://testserver/stories/{the_story.slug}/photo.jpg"


# --- Refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("ground=war", "ground"),
        ("origin_region=mars", "origin_region"),
        ("municipality_type=village", "municipality_type"),
        ("arrival_year=99", "arrival_year"),
        ("arrival_year=twenty", "arrival_year"),
        ("arrival_year=20190", "arrival_year"),
        ("tag=%3Cscript%3E", "tag"),
        ("tag=" + "a" * 41, "tag"),
        ("tag=a%00b", "tag"),
        ("lang=de", "lang"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("offset=-1", "offset"),
    ],
)
def test_a_bad_parameter_is_refused_naming_it(client, query, parameter):
    _public("Offentlig")
    response = client.get(f"{API}?{query}")
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", parameter]]


def test_a_bad_language_for_one_story_is_refused_and_odd_slugs_are_404(client):
    public = _public("Offentlig")
    response = client.get(f"{API}/{public.slug}?lang=xx")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "lang"]
    for slug in ("a%00b", "%C3%A5%C3%A4", "x" * 81):
        assert client.get(f"{API}/{slug}").status_code == 404


def test_the_stories_operations_are_public_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/stories", "/api/v1/stories/{slug}"):
        operation = document["paths"][path]["get"]
        assert {} in operation["security"] and operation["tags"] == ["stories"]
    names = {p["name"] for p in document["paths"]["/api/v1/stories"]["get"]["parameters"]}
    assert names == {
        "ground", "origin_region", "municipality_type", "arrival_year", "tag", "lang", "limit", "offset"
    }  # fmt: skip
