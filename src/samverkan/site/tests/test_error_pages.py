"""The site's own 404, 403 and 500 pages: in the site's look and the reader's language, never a
bare unstyled answer; and no "New agreement" link for someone the page would refuse."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from samverkan.accounts.tests.factories import member
from samverkan.accounts.tests.helpers import verified_login

pytestmark = pytest.mark.django_db


def _client(language: str) -> Client:
    client = Client()
    client.cookies["samverkan_language"] = language
    return client


def _is_site_page(body: str, language: str) -> None:
    assert f'<html lang="{language}"' in body, "not in the reader's language"
    assert 'class="sv-header"' in body, "not in the site's look (header missing)"
    assert 'role="contentinfo"' in body, "not in the site's look (footer missing)"


@pytest.mark.parametrize("language", ["sv", "ar", "en"])
def test_missing_page_is_the_sites_own_404_in_the_readers_language(language: str) -> None:
    response = _client(language).get("/no-such-page/at-all/")
    assert response.status_code == 404
    body = response.content.decode()
    _is_site_page(body, language)
    assert 'data-error-page="404"' in body
    if language == "sv":
        assert "Sidan hittades inte" in body
    if language == "ar":
        assert 'dir="rtl"' in body
        assert "Page not found" not in body


def test_a_refused_page_is_the_sites_own_403(client: Client) -> None:
    """A reader (no writer role) opening "new agreement" by address: styled 403, in Swedish."""
    verified_login(client, member("reader"))
    response = client.get("/agreements/new/")
    assert response.status_code == 403
    body = response.content.decode()
    _is_site_page(body, "sv")
    assert 'data-error-page="403"' in body
    assert "Du kan inte göra detta" in body


@override_settings(ROOT_URLCONF="samverkan.site.tests.error_urls")
@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_failing_page_is_the_sites_own_500(language: str) -> None:
    client = _client(language)
    client.raise_request_exception = False
    response = client.get("/__boom__/")
    assert response.status_code == 500
    body = response.content.decode()
    _is_site_page(body, language)
    assert 'data-error-page="500"' in body
    assert "a bug in a page" not in body, "the error's details must not reach the reader"


@override_settings(ROOT_URLCONF="samverkan.site.tests.error_urls")
def test_the_500_page_still_answers_when_the_site_template_cannot_render(monkeypatch: Any) -> None:
    from samverkan.site import context_processors

    def broken(request: Any) -> dict[str, Any]:
        raise RuntimeError("database is down")

    monkeypatch.setattr(context_processors, "site", broken)
    client = _client("sv")
    client.raise_request_exception = False
    response = client.get("/__boom__/")
    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "shown"), [("reader", False), ("case_officer", False), ("coordinator", True), ("editor", True)]
)
def test_new_agreement_is_offered_only_to_those_who_may_start_one(
    client: Client, role: str, shown: bool
) -> None:
    verified_login(client, member(role))
    for page in ("/dashboard/", "/agreements/"):
        body = client.get(page).content.decode()
        assert ('href="/agreements/new/"' in body) is shown, page
    assert client.get("/agreements/new/").status_code == (200 if shown else 403)


@pytest.mark.parametrize(("role", "agency", "shown"), [("editor", True, True), ("editor", False, False)])
def test_reviewers_find_the_review_queue_on_their_dashboard(
    client: Client, settings: Any, role: str, agency: bool, shown: bool
) -> None:
    from samverkan.accounts.tests.factories import organisation

    home = organisation(slug=settings.MEETINGPLACE_AGENCY if agency else "nya-grannar-test")
    verified_login(client, member(role, home))
    body = client.get("/dashboard/").content.decode()
    assert ('href="/meetingplace/review/"' in body) is shown
    assert client.get("/meetingplace/review/").status_code == (200 if shown else 404)


def test_the_home_and_statistics_pages_link_only_to_themes_that_have_data(client: Client) -> None:
    """A new platform has no datasets until they are imported: no link to a theme page that is
    a 404; once the shipped figures are loaded, both links are there and answer."""
    from samverkan.statistics import demo

    themes = ('href="/statistics/asylum-seekers/"', 'href="/statistics/forecasts/"')
    for page in ("/", "/statistics/"):
        body = client.get(page).content.decode()
        assert not any(link in body for link in themes), page
    assert client.get("/statistics/asylum-seekers/").status_code == 404

    demo.load_demo()
    for page in ("/", "/statistics/"):
        body = client.get(page).content.decode()
        assert all(link in body for link in themes), page
    assert client.get("/statistics/asylum-seekers/").status_code == 200
    assert client.get("/statistics/forecasts/").status_code == 200


def test_the_404_page_does_not_echo_the_address_asked_for(client: Client) -> None:
    """A refused id and a missing one must read the same: the page shows nothing of the address."""
    body = client.get("/no-such-page/K-4711/").content.decode()
    assert "K-4711" not in body
