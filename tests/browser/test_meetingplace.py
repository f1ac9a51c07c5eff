"""A newcomer registers for an information session in Arabic: the page runs right to left, the
attribution banner says in Arabic which organisation stands behind the session and that the agency
has not reviewed it, and the confirmation page shows the code to show at the door."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from samverkan.meetingplace.models import Registration
from samverkan.meetingplace.tests.factories import activity, session
from samverkan.organisations.tests.factories import OrganisationFactory
from tests.browser.support import snap
from tests.browser.support import t as translate
from tests.browser.test_accessibility import FAILING_IMPACTS, _format, run_axe

pytestmark = pytest.mark.browser


def test_a_participant_registers_in_arabic_and_sees_who_stands_behind_the_session(
    pages: Any, transactional_db: Any
) -> None:
    ngo = OrganisationFactory(name="Föreningen Fiktiva Grannar", slug="fiktiva-grannar")
    the_session = session(activity(ngo), capacity=1)

    page = pages.new("ar")
    page.goto("/meetingplace/")
    main = page.get_by_role("main")
    main.get_by_role("link", name=the_session.activity.title["sv"]).click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    banner = main.locator("[data-attribution]")
    expect(banner).to_have_attribute("data-reviewed", "not-reviewed")
    expect(banner).to_contain_text("Föreningen Fiktiva Grannar")
    expect(banner.get_by_role("heading")).to_have_text(translate("Who stands behind this", "ar"))
    # the banner comes before the registration form, at the top of the page
    banner_box, form_box = banner.bounding_box(), main.locator("form").bounding_box()
    assert banner_box is not None and form_box is not None and banner_box["y"] < form_box["y"]

    main.get_by_label(translate("Your name", "ar")).fill("أمينة (وهمية)")
    main.get_by_label(translate("Phone number", "ar")).fill("070-000 00 00")
    main.get_by_role("button", name=translate("Register", "ar")).click()
    expect(main.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "confirmed"
    )
    registration = Registration.objects.get()
    expect(main.locator("[data-code]")).to_have_text(registration.code)
    expect(main.locator("[data-attribution]")).to_be_visible()
    snap(page, "meetingplace-registered-ar")
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations on the registration page:\n" + _format(failing)

    main.get_by_role("button", name=translate("Cancel my registration", "ar")).click()
    expect(main.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "cancelled"
    )
