"""The content-review journey in the browser, in Swedish and in Arabic: an NGO submits material
for its session, the agency's reviewer requests a change, the NGO edits, the reviewer approves;
the submitter is never offered the decision; a participant then registers in Arabic and sees who
stands behind the session and the reviewed material, right to left."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from samverkan.accounts.tests.factories import member
from samverkan.core.actor import Actor
from samverkan.meetingplace import services
from samverkan.meetingplace.models import Material
from samverkan.meetingplace.tests.factories import activity, session
from samverkan.organisations.models import Organisation
from samverkan.organisations.tests.factories import OrganisationFactory
from tests.browser.support import confirmed_totp_device, log_in, snap
from tests.browser.support import t as translate
from tests.browser.test_accessibility import FAILING_IMPACTS, _format, run_axe

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_material_is_reviewed_changed_and_approved_and_participants_see_it_in_arabic(
    pages: Any, transactional_db: Any, language: str
) -> None:
    agency = Organisation.objects.create(name="Migrationsverket", slug="migrationsverket", kind="agency")
    services.fact_save(
        actor=Actor.system(),
        key="sarskilt-bidrag",
        topic="benefits",
        text_sv="Särskilt bidrag kan beviljas bara om ett särskilt behov prövas och konstateras (testfakta).",
        text_en="A special allowance is granted only when a particular need is established (test fact).",
        valid_from=dt.date(2020, 1, 1),
    )
    ngo = OrganisationFactory(name="Föreningen Fiktiva Grannar", slug="fiktiva-grannar")
    the_session = session(activity(ngo), capacity=10)
    ngo_editor = member("editor", ngo)
    reviewer = member("case_officer", agency)

    page = pages.new(language)
    log_in(page, ngo_editor, None, language)
    main = page.get_by_role("main")
    page.goto(f"/meetingplace/sessions/{the_session.pk}/")
    main.get_by_role("link", name=translate("Submit material for review", language)).click()
    main.locator("#id_title").fill("Om bidrag (fiktiv)")
    main.locator("#id_text").fill("Alla asylsökande får särskilt bidrag. Välkommen på fika!")
    main.get_by_role("button", name=translate("Send for review", language)).click()
    expect(main.locator("[data-flagged]")).to_have_count(1)
    expect(main.locator('[data-flagged] [data-fact="sarskilt-bidrag"]')).to_be_visible()
    expect(main.locator("[data-review-submit]")).to_have_count(0)  # the submitter cannot decide
    material_url = page.url

    page.context.clear_cookies()
    log_in(page, reviewer, confirmed_totp_device(reviewer), language)
    page.goto("/meetingplace/")  # the reviewer finds the queue from the meeting places
    main.get_by_role("link", name=translate("Material waiting for review", language)).click()
    main.get_by_role("link", name="Om bidrag (fiktiv)").click()
    main.get_by_label(translate("Request changes", language)).check()
    main.get_by_label(translate("Comment to the organisation", language)).fill(
        "Bidraget prövas efter behov; skriv om."
    )
    main.locator("[data-review-submit]").click()
    expect(main.locator("[data-revision-status]")).to_have_attribute("data-revision-status", "changes")

    page.context.clear_cookies()
    log_in(page, ngo_editor, None, language)
    page.goto(material_url)
    expect(main.locator("[data-review-comment]")).to_contain_text("skriv om")
    main.locator("#id_text").fill("Särskilt bidrag kan ges om ett särskilt behov konstateras.")
    main.locator("[data-revise-submit]").click()
    expect(main.locator("[data-revision-status]")).to_have_attribute("data-revision-status", "submitted")
    expect(main.locator("[data-participants-see]")).to_contain_text(
        translate("nothing yet: no version is approved", language)
    )

    page.context.clear_cookies()
    log_in(page, reviewer, confirmed_totp_device(reviewer), language)
    page.goto(material_url)
    main.get_by_label(translate("Approve", language)).check()
    main.locator("[data-review-submit]").click()
    expect(main.locator("[data-revision-status]")).to_have_attribute("data-revision-status", "approved")
    assert Material.objects.get().approved_revision.number == 2

    # a participant, in Arabic, without an account
    participant = pages.new("ar")
    participant.goto(f"/meetingplace/sessions/{the_session.pk}/")
    assert participant.locator("html").get_attribute("dir") == "rtl"
    p_main = participant.get_by_role("main")
    expect(p_main.locator("[data-attribution]").first).to_contain_text("Föreningen Fiktiva Grannar")
    material = p_main.locator("[data-material]")
    expect(material).to_contain_text("Särskilt bidrag kan ges om ett särskilt behov konstateras.")
    expect(material).not_to_contain_text("Alla asylsökande")
    expect(material.locator("[data-attribution]")).to_have_attribute("data-reviewed", "reviewed")
    p_main.get_by_label(translate("Your name", "ar")).fill("أمينة (خيالية)")
    p_main.get_by_label(translate("Phone number", "ar")).fill("070-000 00 01")
    with translation.override("ar"):
        register = translation.pgettext("participant", "Register")
    p_main.get_by_role("button", name=register, exact=True).click()
    expect(p_main.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "confirmed"
    )
    expect(p_main.locator("[data-attribution]")).to_be_visible()
    snap(participant, "meetingplace-review-participant-ar")
    failing = [v for v in run_axe(participant) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations:\n" + _format(failing)
