"""MIG Talks: an editor writes a story and sends the personal link; the person, without an account
and on a phone, changes a sentence and approves; the editor publishes; a later editor change stays
private until the person approves it again; withdrawal through the link unpublishes at once. And
stored script never runs: not past the sanitiser, nor past the Content Security Policy alone."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from samverkan.accounts.tests.factories import member
from samverkan.core.actor import Actor
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.stories import services
from samverkan.stories import views as story_views
from samverkan.stories.models import Story
from samverkan.stories.tests.factories import story
from tests.browser.support import log_in, snap
from tests.browser.support import t as translate
from tests.browser.test_accessibility import FAILING_IMPACTS, _format, run_axe

pytestmark = pytest.mark.browser

FIRST = "Jag kom till Sverige en kall vinter."
SECOND = "Det första året lärde jag mig svenska på kvällarna."


def _public_text(pages: Any, slug: str) -> str:
    reader = pages.new("sv")
    response = reader.goto(f"/stories/{slug}/")
    assert response is not None and response.status == 200
    text = reader.locator("[data-story-text]").inner_text()
    reader.context.close()
    return text


def test_a_story_goes_from_interview_to_publication_with_the_persons_approval(
    pages: Any, transactional_db: Any
) -> None:
    org = OrganisationFactory(name="Fiktiva MIG Talks-redaktionen", slug="fiktiv-redaktion", kind="agency")
    editor = member("editor", org)

    # The editor writes the story and creates the person's link.
    page = pages.new("sv")
    log_in(page, editor, None)
    main = page.get_by_role("main")
    page.goto("/stories/manage/new/")
    main.get_by_label(translate("Name shown")).fill("Leila (fiktiv)")
    main.get_by_label(translate("Ground for settlement")).select_option("family")
    main.get_by_label(translate("Region of origin")).select_option("asia")
    main.get_by_label(translate("Year of arrival in Sweden")).fill("2020")
    main.get_by_label(translate("Type of home municipality")).select_option("cities")
    main.get_by_label(translate("Title (Swedish)")).fill("Kvällar med svenska")
    main.get_by_label(translate("Text (Swedish)")).fill(f"{FIRST}\n\n{SECOND}")
    main.get_by_role("button", name=translate("Save the story")).click()
    expect(main.locator("[data-person]")).to_have_attribute("data-person", "pending")
    expect(main.locator("[data-cannot-publish]")).to_be_visible()
    editor_url = page.url
    main.locator("[data-send-link]").click()
    link = urlsplit(main.locator("[data-link-url]").input_value())
    assert link.path.startswith("/stories/p/")
    link_url = link.path  # the address is built from SITE_URL; the test server has its own

    # The person opens the link on a phone, changes one sentence and approves.
    phone = pages.new("sv")
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(link_url)
    person = phone.get_by_role("main")
    expect(person.locator("[data-story-text]")).to_contain_text(FIRST)
    body = person.get_by_label(translate("Your text"))
    body.fill(body.input_value().replace("en kall vinter", "en mörk och kall vinter"))
    snap(phone, "stories-person-phone")
    person.locator("[data-save-approve]").click()
    expect(person.locator("[data-status]")).to_have_attribute("data-status", "approved")
    failing = [v for v in run_axe(phone) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations on the person's page:\n" + _format(failing)

    # The editor sees the change and publishes; the public sees the approved revision.
    page.goto(editor_url)
    expect(main.locator("[data-current]")).to_have_attribute("data-current", "2")
    expect(main.locator("ins").first).to_contain_text("mörk och kall")
    main.locator("[data-publish]").click()
    expect(main.locator("[data-public]")).to_have_attribute("data-public", "2")
    the_story = Story.objects.get()
    assert "en mörk och kall vinter" in _public_text(pages, the_story.slug)

    # A later change by the editor is not public until the person approves it again.
    page.goto(f"/stories/manage/{the_story.pk}/edit/")
    text = main.get_by_label(translate("Text (Swedish)"))
    text.fill(text.input_value() + "\n\nNu arbetar jag som tolk.")
    main.get_by_role("button", name=translate("Save")).click()
    expect(main.locator("[data-current]")).to_have_attribute("data-current", "3")
    expect(main.locator("[data-public]")).to_have_attribute("data-public", "2")
    assert "tolk" not in _public_text(pages, the_story.slug)
    phone.goto(link_url)
    expect(person.locator("[data-story-text]")).to_contain_text("Nu arbetar jag som tolk.")
    person.locator("[data-approve]").click()
    expect(person.locator("[data-status]")).to_have_attribute("data-status", "approved")
    assert "Nu arbetar jag som tolk." in _public_text(pages, the_story.slug)

    # Withdrawal through the same link unpublishes at once, and the link is dead afterwards.
    person.get_by_label(translate("Yes, remove my story and withdraw my consent")).check()
    person.locator("[data-withdraw]").click()
    expect(person.locator("[data-withdrawn]")).to_be_visible()
    reader = pages.new("sv")
    response = reader.goto(f"/stories/{the_story.slug}/")
    assert response is not None and response.status == 404
    response = phone.goto(link_url)
    assert response is not None and response.status == 404
    page.goto(editor_url)
    expect(main.locator("[data-public]")).to_have_attribute("data-public", "")


def _published_story(body: str) -> Story:
    org = OrganisationFactory(name="Fiktiv redaktion", slug="fiktiv-redaktion-2")
    the_story = story(org=org, sv={"title": "Fiktiv berättelse", "body": body})
    issued = services.link_issue(actor=Actor.system(), story=the_story, language="sv")
    services.person_decide(actor=Actor.anonymous(), link=issued.link, base_number=1, approve=True)
    return services.story_publish(actor=Actor.system(), story=the_story, base_number=1)


ATTACK = 'Text.\n\n<script>window.pwned = 1</script>\n\n<img src=x onerror="window.pwned = 2">'


def test_stored_script_in_a_story_never_runs(pages: Any, transactional_db: Any) -> None:
    the_story = _published_story(ATTACK)
    page = pages.new("sv")
    page.goto(f"/stories/{the_story.slug}/")
    expect(page.locator("[data-story-text]")).to_contain_text("<script>window.pwned = 1</script>")
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("[data-story-text] script, [data-story-text] img").count() == 0


def test_the_content_security_policy_alone_stops_a_script_that_got_past_the_sanitiser(
    pages: Any, transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulate a sanitiser bug: the story's markup goes to the page unchanged.
    monkeypatch.setattr(story_views, "render_text", lambda source: source)
    the_story = _published_story(ATTACK)
    page = pages.new("sv")
    page.goto(f"/stories/{the_story.slug}/")
    assert page.locator("[data-story-text] script").count() == 1  # the element is there ...
    # ... but neither script runs. The inline handler is tried when the broken image's error event
    # is dispatched, whenever that is: wait for that event itself. A listener added now runs after
    # the handler in the same dispatch; an image that failed already is `complete` with no pixels,
    # and its event (the handler's one chance) is over.
    after_the_handler = page.evaluate(AFTER_THE_ERROR_EVENT)
    assert after_the_handler == {"broken": True, "pwned": None}
    assert page.evaluate("() => window.pwned ?? null") is None
    # The policy reported blocking both: the inline script element and the inline handler.
    both = {"script-src-elem", "script-src-attr"}
    _wait_for(lambda: _blocked(pages) >= both, page, lambda: pages.violations)
    pages.violations.clear()  # the violations were the point of this test


AFTER_THE_ERROR_EVENT = """() => new Promise((resolve) => {
  const img = document.querySelector('[data-story-text] img[onerror]');
  const done = () => resolve({broken: img.complete && img.naturalWidth === 0, pwned: window.pwned ?? null});
  if (img.complete) { done(); } else { img.addEventListener('error', done, {once: true}); }
})"""


def _blocked(pages: Any) -> set[str]:
    """The directives the page's own reports (``CSP_RECORDER``) say blocked something."""
    return {v.split(" ", 1)[0] for v in pages.violations if " blocked " in v}


def _wait_for(condition: Any, page: Any, describe: Any, seconds: float = 10.0) -> None:
    """Wait until ``condition()`` holds (the page's events are delivered meanwhile), or fail."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not so after {seconds} s: {describe()}")
        page.wait_for_timeout(20)
