"""The panel selection journey in the browser: an organiser uploads a pool of (fictional) volunteers,
derives the quotas from a statistics dataset, runs the selection, sees the report with its charts and
tables, publishes the public report, and replaces one member who withdrew (the public report's next
version)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from samverkan.accounts.tests.factories import member
from samverkan.core.models import AuditEvent
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.panels.lottery import is_feasible_panel
from samverkan.panels.models import SelectionRun
from samverkan.panels.selectors import members_of, run_instance
from samverkan.panels.tests.factories import people_csv
from samverkan.statistics.tests.factories import cube, store
from tests.browser.support import confirmed_totp_device, log_in, snap
from tests.browser.support import t as translate
from tests.browser.test_accessibility import FAILING_IMPACTS, _format, run_axe

pytestmark = pytest.mark.browser


def test_an_organiser_selects_a_panel_from_statistics_quotas_and_replaces_a_withdrawn_member(
    pages: Any, transactional_db: Any
) -> None:
    organisation = OrganisationFactory(name="Fiktiva kommunen")
    organiser = member("coordinator", organisation)
    device = confirmed_totp_device(organiser)
    # Illustrative figures, not official statistics: 60 % women, 40 % men.
    store(cube([[55, 45], [65, 35]], sexes=("kvinna", "man")), slug="fiktiv-befolkning")

    page = pages.new()
    log_in(page, organiser, device)
    page.goto("/panels/")
    main = page.get_by_role("main")
    main.get_by_role("link", name=translate("New pool")).click()
    main.get_by_label(translate("Name of the pool")).fill("Fiktiv panel 2026")
    main.get_by_label(translate("Panel size")).fill("10")
    main.get_by_label(translate("Volunteers (people.csv)")).set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": people_csv(40)}
    )
    main.get_by_label(translate("Feature columns")).fill("kön, grund")
    main.get_by_role("button", name=translate("Upload")).click()
    expect(main.locator("[data-volunteers]")).to_have_text("40")

    main.get_by_role("link", name=translate("Derive the quotas from a statistics dataset")).click()
    main.get_by_label(translate("Statistics dataset")).select_option("fiktiv-befolkning")
    main.get_by_role("button", name=translate("Choose")).click()
    main.get_by_label(translate("Feature “%(feature)s” mirrors") % {"feature": "kön"}).select_option("sex")
    main.get_by_label(translate("Tolerance (seats)")).fill("0")
    main.get_by_role("button", name=translate("Set the quotas")).click()
    expect(main.locator("[data-quota-source]")).to_contain_text("fiktiv-befolkning")
    expect(
        main.get_by_label(translate("Minimum for %(f)s %(v)s") % {"f": "kön", "v": "kvinna"})
    ).to_have_value("6")
    expect(main.get_by_label(translate("Maximum for %(f)s %(v)s") % {"f": "kön", "v": "man"})).to_have_value(
        "4"
    )

    main.get_by_label(translate("Seed")).fill("20261201")
    main.get_by_role("button", name=translate("Run the selection")).click()
    expect(main.locator("[data-run-status]")).to_have_attribute("data-run-status", "done")
    run = SelectionRun.objects.get()
    expect(main.locator("[data-input-hash]")).to_have_text(run.input_sha256)
    expect(main.locator("[data-seed]")).to_have_text("20261201")
    for chart in ("chart-composition-spec", "chart-probabilities-spec"):
        expect(page.locator(f'[data-chart="{chart}"]')).to_have_attribute("data-chart-rendered", "true")
    composition = main.locator('[data-table="composition"] tbody tr')
    expect(composition).to_have_count(2)
    expect(main.locator('[data-table="composition"] [data-within="false"]')).to_have_count(0)
    members = main.locator('[data-table="members"] tbody tr')
    expect(members).to_have_count(10)
    snap(page, "panels-run")
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations on the run page:\n" + _format(failing)

    # Publishing makes the report's first version; the public sees it without logging in.
    main.get_by_role("button", name=translate("Publish the report")).click()
    main.get_by_role("link", name=translate("See the public report")).click()
    expect(main.locator("[data-release]")).to_have_attribute("data-release", "1")
    expect(main.locator('[data-table="report-1"] tbody tr')).to_have_count(2)
    page.goto(f"/panels/runs/{run.pk}/")

    first = members.first.get_attribute("data-member")
    assert first is not None
    main.get_by_role("button", name=re.compile(re.escape(first) + "$")).click()
    expect(main.locator(f'[data-member="{first}"]')).to_have_attribute("data-status", "withdrawn")
    expect(main.locator('[data-table="members"] tbody tr[data-status="active"]')).to_have_count(10)
    panel = [m.volunteer.external_id for m in members_of(run, active_only=True)]
    assert first not in panel and is_feasible_panel(run_instance(run), panel)
    assert AuditEvent.objects.filter(code="panels.member.replaced").count() == 1
    # The withdrawal made the report's next version, which the public page now shows.
    visitor = pages.new()
    visitor.goto(f"/panels/reports/{run.pk}/")
    expect(visitor.locator("[data-release]")).to_have_attribute("data-release", "2")
    expect(visitor.locator("[data-release]")).to_have_attribute("data-size", "10")
