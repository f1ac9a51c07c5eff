"""The issue's acceptance journey, in Swedish and in Arabic, through the pages a person actually uses.

An administrator of organisation A logs in with password and TOTP code, creates a public,
active agreement and invites organisation B; an administrator of B logs in, accepts the
invitation from the dashboard; an anonymous visitor then sees the agreement with both
parties on the public partners page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from samverkan.accounts.tests.factories import member
from samverkan.organisations.models import Agreement, AgreementInvitation
from samverkan.organisations.tests.factories import OrganisationFactory
from tests.browser.support import confirmed_totp_device, log_in, snap
from tests.browser.support import t as translate

pytestmark = pytest.mark.browser

TITLE = "Fiktivt IOP om läxhjälp för nyanlända"


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_administrators_create_invite_and_accept_a_public_agreement(pages: Any, language: str) -> None:
    def t(msgid: str) -> str:
        return translate(msgid, language)

    org_a = OrganisationFactory(name="Fiktiva kommunförbundet", slug="fiktiva-kommunforbundet", kind="agency")
    org_b = OrganisationFactory(name="Fiktiva läxhjälpsföreningen", slug="fiktiva-laxhjalpsforeningen")
    admin_a = member("administrator", org_a)
    admin_b = member("administrator", org_b)
    device_a = confirmed_totp_device(admin_a)
    device_b = confirmed_totp_device(admin_b)

    # --- The administrator of A logs in: password, then the code from the authenticator app.
    page_a = pages.new(language)
    page_a.goto("/accounts/login/")
    expect(page_a.get_by_role("heading", level=1)).to_have_text(t("Log in"))
    log_in(page_a, admin_a, device_a, language)
    expect(page_a.get_by_role("heading", level=1)).to_have_text(t("My work"))
    expect(page_a.get_by_role("main").get_by_role("link", name=org_a.name)).to_be_visible()

    # --- ... creates a public, active agreement.
    page_a.goto("/agreements/new/")
    main = page_a.get_by_role("main")
    expect(page_a.get_by_role("heading", level=1)).to_have_text(t("New agreement"))
    main.get_by_label(t("Initiating organisation")).select_option(label=org_a.name)
    main.get_by_label(t("Kind"), exact=True).select_option(label=t("IOP (idéburet offentligt partnerskap)"))
    main.get_by_label(t("Title"), exact=True).fill(TITLE)
    main.get_by_label(t("Purpose"), exact=True).fill("Läxhjälp två kvällar i veckan (fiktivt exempel).")
    main.get_by_label(t("Start date"), exact=True).fill("2026-01-15")
    main.get_by_label(t("Status"), exact=True).select_option(label=t("Active"))
    main.get_by_label(t("Visibility"), exact=True).select_option(label=t("Public"))
    _assert_checkbox_follows_direction(main.get_by_label(t("Open for other organisations to join")), language)
    snap(page_a, f"journey-1-agreement-form-{language}")
    main.get_by_role("button", name=t("Save")).click()

    expect(page_a).to_have_url(re.compile(r"/agreements/\d+/$"))
    expect(page_a.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page_a.get_by_role("alert")).to_contain_text(t("The agreement was created."))
    summary = page_a.locator(".govuk-summary-list")
    expect(summary).to_contain_text(t("Active"))
    expect(summary).to_contain_text(t("Public"))
    parties = page_a.get_by_role("table", name=t("Parties"))
    expect(parties.get_by_role("row")).to_have_count(2)  # header and A
    expect(parties).to_contain_text(org_a.name)
    header_align = parties.get_by_role("columnheader").first.evaluate("el => getComputedStyle(el).textAlign")
    assert header_align == ("right" if language == "ar" else "left")
    agreement = Agreement.objects.get(title=TITLE)
    assert (agreement.status, agreement.visibility, agreement.owner_id) == ("active", "public", org_a.pk)

    # --- ... and invites organisation B from the agreement page.
    page_a.get_by_role("link", name=t("Invite an organisation")).click()
    expect(page_a.get_by_role("heading", level=1)).to_have_text(t("Invite an organisation"))
    main.get_by_label(t("Organisation to invite")).select_option(label=org_b.name)
    snap(page_a, f"journey-2-invite-{language}")
    main.get_by_role("button", name=t("Send invitation")).click()
    expect(page_a).to_have_url(re.compile(rf"/agreements/{agreement.pk}/$"))
    expect(page_a.get_by_role("alert")).to_contain_text(t("%(org)s was invited.") % {"org": org_b.name})
    pending = page_a.get_by_role("heading", name=t("Invited, not yet answered"))
    expect(pending).to_be_visible()
    expect(page_a.get_by_role("main").get_by_role("listitem").filter(has_text=org_b.name)).to_be_visible()
    invitation = AgreementInvitation.objects.get(agreement=agreement, organisation=org_b)
    assert invitation.status == "pending"

    # B is not yet a party: the public page shows A only.
    anonymous = pages.new(language)
    anonymous.goto("/partners/")
    row = anonymous.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text(org_a.name)
    expect(row).not_to_contain_text(org_b.name)

    # --- The administrator of B logs in and accepts the invitation from the dashboard.
    page_b = pages.new(language)
    log_in(page_b, admin_b, device_b, language)
    page_b.goto("/dashboard/")
    expect(page_b.get_by_role("heading", name=t("Invitations to agreements"))).to_be_visible()
    snap(page_b, f"journey-3-dashboard-{language}")
    # The names are isolated with <bdi> for right-to-left text; the link's accessible name is plain.
    invitation_text = t("<bdi>%(org)s</bdi> is invited to “<bdi>%(title)s</bdi>”") % {
        "org": org_b.name,
        "title": TITLE,
    }
    invitation_text = invitation_text.replace("<bdi>", "").replace("</bdi>", "")
    page_b.get_by_role("link", name=invitation_text).click()
    expect(page_b.get_by_role("heading", level=1)).to_contain_text(TITLE)
    snap(page_b, f"journey-4-invitation-{language}")
    page_b.get_by_role("main").get_by_role("button", name=t("Accept")).click()

    expect(page_b).to_have_url(re.compile(rf"/agreements/{agreement.pk}/$"))
    expect(page_b.get_by_role("alert")).to_contain_text(
        t("%(org)s is now a party to the agreement.") % {"org": org_b.name}
    )
    snap(page_b, f"journey-5-accepted-{language}")
    parties_b = page_b.get_by_role("table", name=t("Parties"))
    expect(parties_b.get_by_role("row")).to_have_count(3)
    expect(parties_b).to_contain_text(org_a.name)
    expect(parties_b).to_contain_text(org_b.name)
    page_b.goto("/dashboard/")
    expect(page_b.get_by_role("link", name=invitation_text)).to_have_count(0)

    # --- An anonymous visitor sees the agreement with both parties on the public page.
    anonymous.goto("/partners/")
    expect(anonymous.get_by_role("heading", level=1)).to_have_text(t("Partners and agreements"))
    row = anonymous.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(t("IOP (idéburet offentligt partnerskap)"))
    expect(row).to_contain_text(org_a.name)
    expect(row).to_contain_text(org_b.name)
    snap(anonymous, f"journey-6-partners-{language}")
    row.get_by_role("link", name=TITLE).click()
    expect(anonymous.get_by_role("heading", level=1)).to_contain_text(TITLE)
    public_parties = anonymous.get_by_role("table", name=t("Parties"))
    expect(public_parties).to_contain_text(org_a.name)
    expect(public_parties).to_contain_text(org_b.name)
    # Contact details and actions are for the parties only.
    expect(anonymous.get_by_role("link", name=t("Invite an organisation"))).to_have_count(0)
    expect(public_parties.get_by_role("columnheader", name=t("Responsible contact"))).to_have_count(0)


def _assert_checkbox_follows_direction(checkbox: Any, language: str) -> None:
    """In Arabic the checkbox and its drawn box sit to the right of the label text, else to the left."""
    label = checkbox.locator("xpath=following-sibling::label[1]")
    box, text = checkbox.bounding_box(), label.bounding_box()
    assert box is not None and text is not None
    drawn_right = label.evaluate("el => getComputedStyle(el, '::before').right")
    if language == "ar":
        assert box["x"] > text["x"], (box, text)
        assert drawn_right in {"0px", "2px"}, drawn_right
    else:
        assert box["x"] < text["x"], (box, text)
