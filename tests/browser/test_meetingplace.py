"""Meeting places in the browser.

A newcomer on a phone registers for an information session, in Swedish and in Arabic: the page
runs in the language's direction, the attribution banner says which organisation stands behind
the session and that the agency has not reviewed its description, the confirmation shows the code,
the whole link to the page, and where the session is held; cancelling asks first, and afterwards
the page says the place is cancelled. An agency reviewer finds the review queue from the pages
they start on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member
from samverkan.meetingplace import services
from samverkan.meetingplace.models import Registration, Session
from samverkan.meetingplace.tests.factories import activity, session
from samverkan.organisations.models import Organisation
from samverkan.organisations.tests.factories import OrganisationFactory
from tests.browser.support import confirmed_totp_device, log_in, snap
from tests.browser.support import t as translate
from tests.browser.test_accessibility import FAILING_IMPACTS, _format, run_axe

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
NAMES = {"sv": "Amina Fiktiv", "ar": "أمينة (خيالية)"}


def _participant(msgid: str, language: str) -> str:
    """``msgid`` in its participant-facing wording ("Anmäl dig", not the staff's "Anmäl")."""
    with translation.override(language):
        return translation.pgettext("participant", msgid)


def _no_sideways_scrolling(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_participant_on_a_phone_registers_sees_where_and_the_link_and_cancels_when_asked(
    pages: Any, transactional_db: Any, language: str
) -> None:
    ngo = OrganisationFactory(name="Föreningen Fiktiva Grannar", slug="fiktiva-grannar")
    the_session = session(activity(ngo), capacity=1)
    starts = timezone.localtime(the_session.starts_at).replace(hour=14, minute=0)
    Session.objects.filter(pk=the_session.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))

    page = pages.new(language)
    page.set_viewport_size(PHONE)
    page.goto("/meetingplace/", timeout=30_000)  # the first page of a run can be slow on a busy machine
    main = page.get_by_role("main")
    main.get_by_role("link", name=the_session.activity.title["sv"]).click()
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    banner = main.locator("[data-attribution]")
    expect(banner).to_have_attribute("data-reviewed", "not-reviewed")
    expect(banner).to_contain_text("Föreningen Fiktiva Grannar")
    expect(banner.get_by_role("heading")).to_have_text(translate("Who stands behind this", language))
    # the banner comes before the registration form, at the top of the page
    banner_box, form_box = banner.bounding_box(), main.locator("form").last.bounding_box()
    assert banner_box is not None and form_box is not None and banner_box["y"] < form_box["y"]
    # languages by name, in the page's language
    expect(main.locator("[data-languages]")).to_contain_text({"sv": "tigrinska", "ar": "التغرينية"}[language])
    # the time range reads 14:00–16:00 on the screen, also right to left
    time_range = main.locator("[data-time-range]").first
    expect(time_range).to_have_text("14:00–16:00")
    assert time_range.evaluate("e => getComputedStyle(e).direction") == "ltr"

    main.get_by_label(translate("Your name", language)).fill(NAMES[language])
    main.get_by_label(translate("Phone number", language)).fill("070-000 00 00")
    main.get_by_role("button", name=_participant("Register", language), exact=True).click()
    expect(main.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "confirmed"
    )
    registration = Registration.objects.get()
    own_url = f"{page.url.split('/meetingplace/')[0]}/meetingplace/r/{registration.code}/"
    expect(main.locator("[data-code]")).to_have_text(registration.code)
    expect(main.locator("[data-own-link]")).to_have_text(own_url)
    expect(main.locator("[data-where]")).to_contain_text("Fiktiv gata 1, Exempelstad")
    expect(main.locator("[data-attribution]")).to_be_visible()
    _no_sideways_scrolling(page)
    snap(page, f"meetingplace-registered-phone-{language}")
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations on the registration page:\n" + _format(failing)

    # a code alone leads back to the page
    page.goto("/meetingplace/")
    main.locator("#find-code").fill(registration.code.lower())
    main.get_by_role("button", name=translate("Show my registration", language)).click()
    page.wait_for_url(f"**/meetingplace/r/{registration.code}/")

    # one tap asks first; going back keeps the place
    main.get_by_role("button", name=translate("Cancel my place", language)).click()
    expect(main.get_by_role("heading", level=1)).to_have_text(translate("Cancel your place?", language))
    _no_sideways_scrolling(page)
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    main.get_by_role("link", name=translate("No, keep my place", language)).click()
    expect(main.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "confirmed"
    )
    main.get_by_role("button", name=translate("Cancel my place", language)).click()
    main.get_by_role("button", name=translate("Yes, cancel my place", language)).click()
    expect(main.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "cancelled"
    )
    expect(main.locator("[data-registration-cancelled]")).to_be_visible()
    expect(main).not_to_contain_text(translate("Show the code at the door.", language))
    expect(main.locator("[data-cancel]")).to_have_count(0)
    snap(page, f"meetingplace-cancelled-phone-{language}")


def test_a_reviewer_finds_the_review_queue_from_the_page_they_start_on(
    pages: Any, transactional_db: Any
) -> None:
    agency = Organisation.objects.create(name="Migrationsverket", slug="migrationsverket", kind="agency")
    the_session = session()
    ngo = the_session.activity.organiser
    services.material_submit(
        actor=actor_for_user(member("editor", ngo)),
        session=the_session,
        organisation_id=ngo.pk,
        title="Om praktik (fiktiv)",
        text="Välkommen på fika.",
    )
    reviewer = member("case_officer", agency)

    page = pages.new()
    log_in(page, reviewer, confirmed_totp_device(reviewer))
    # wherever login leads, the meeting places are one click away and the queue one more
    menu = page.get_by_role("navigation", name=translate("Main menu"))
    menu.get_by_role("link", name=translate("Meeting places")).click()
    main = page.get_by_role("main")
    main.get_by_role("link", name=translate("Material waiting for review")).click()
    page.wait_for_url("**/meetingplace/review/")
    expect(main.get_by_role("link", name="Om praktik (fiktiv)")).to_be_visible()
    # the session's organisers without the reviewer's role are not shown the way to a 404
    page.context.clear_cookies()
    log_in(page, member("editor", ngo), None)
    page.goto("/meetingplace/")
    queue_link = page.get_by_role("main").get_by_role("link", name=translate("Material waiting for review"))
    expect(queue_link).to_have_count(0)
