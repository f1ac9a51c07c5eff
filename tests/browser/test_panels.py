"""The panel selection journey in the browser: an organiser uploads a pool of (fictional) volunteers,
derives the quotas from a statistics dataset, runs the selection, sees the report with its charts and
tables, publishes the public report, and replaces one member who withdrew (the public report's next
version)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member
from samverkan.core.models import AuditEvent
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.panels import services
from samverkan.panels.lottery import is_feasible_panel
from samverkan.panels.models import PanelMember, SelectionRun
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

    # Publishing makes the report's first version (after the question: it cannot be taken back);
    # the public sees it without logging in.
    main.get_by_role("button", name=translate("Publish the report")).click()
    main.get_by_role("button", name=translate("Yes, publish the report")).click()
    main.get_by_role("link", name=translate("See the public report")).click()
    expect(main.locator("[data-release]")).to_have_attribute("data-release", "1")
    # kön 6 and 4 in a panel of 10: the 4 is withheld and with it the 6, so the page says why in
    # words instead of a table of x.
    expect(main.locator("table[data-table^=report-]")).to_have_count(0)
    expect(main.locator("[data-report-too-small]")).to_contain_text("kön")
    page.goto(f"/panels/runs/{run.pk}/")

    first = members.first.get_attribute("data-member")
    assert first is not None
    main.get_by_role("button", name=re.compile(re.escape(first) + "$")).click()
    main.get_by_role(
        "button", name=re.compile(re.escape(translate("Yes, replace %(id)s").split("%")[0]))
    ).click()
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


REGIONS = ("Asien", "Afrika", "Europa", "Amerika")


def _published_panel_of_12(organisation: Any, organiser: Any) -> SelectionRun:
    """A panel of 12 (fictional volunteers) with target shares: kön half and half, Asien half the
    panel and the three other origins under 5 members each."""
    actor = actor_for_user(organiser)
    lines = ["id,kön,ursprung"] + [
        f"F{i:02d},{('kvinna', 'man')[i % 2]},{REGIONS[(i // 2) % 4]}" for i in range(48)
    ]
    pool = services.pool_create(
        actor=actor,
        owner_id=organisation.pk,
        name="Fiktiv panel om tolv",
        panel_size=12,
        data=("\n".join(lines) + "\n").encode(),
        filename="people.csv",
        id_column="id",
    )
    shares = (
        "feature,value,share\nkön,kvinna,50\nkön,man,50\n"
        "ursprung,Asien,50\nursprung,Afrika,30\nursprung,Europa,15\nursprung,Amerika,5\n"
    )
    services.pool_quotas_from_csv(actor=actor, pool=pool, data=shares.encode(), filename="shares.csv")
    run = services.run_start(actor=actor, pool=pool, seed="12")
    services.run_execute(run_id=run.pk)  # done already when the tasks run at once
    run.refresh_from_db()
    services.run_publish(actor=actor, run=run)
    return run


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_replacing_a_member_asks_first_and_a_small_panels_report_says_what_it_can(
    pages: Any, transactional_db: Any, language: str
) -> None:
    organisation = OrganisationFactory(name="Fiktiva kommunen")
    organiser = member("coordinator", organisation)
    device = confirmed_totp_device(organiser)
    run = _published_panel_of_12(organisation, organiser)
    first = members_of(run, active_only=True).first()
    assert first is not None
    name = first.volunteer.external_id

    # The public report of the 12-person panel shows counts, not a table of x: kön 6 and 6, and
    # the origins expected to be small counted together beside Asien.
    visitor = pages.new(language)
    visitor.goto(f"/panels/reports/{run.pk}/")
    report = visitor.get_by_role("main")
    expect(report.locator("[data-release]")).to_have_attribute("data-release", "1")
    tables = report.locator("table[data-table^=report-]")
    expect(tables).to_have_count(2)
    for i in range(2):
        counts = tables.nth(i).locator("tbody td.sv-num:not([data-share]):not([data-target-share])")
        assert any(text.strip() != "x" for text in counts.all_inner_texts()), f"table {i} shows only x"
    expect(report.locator("[data-together] th")).to_contain_text("Europa")
    expect(report.locator("[data-together-note]")).to_be_visible()
    snap(visitor, f"panels-report-12-{language}")
    failing = [v for v in run_axe(visitor) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations on the report:\n" + _format(failing)

    page = pages.new(language)
    log_in(page, organiser, device, language)
    page.goto(f"/panels/runs/{run.pk}/")
    main = page.get_by_role("main")
    replace = main.get_by_role("button", name=re.compile(re.escape(name) + "$"))
    # The first click only asks, in the page's language, and says what will happen.
    replace.click()
    question = translate("Replace %(id)s on the panel?", language).split("%(id)s")
    expect(main.get_by_role("heading", level=1)).to_contain_text(question[0].strip())
    expect(main.get_by_role("heading", level=1)).to_contain_text(name)
    expect(main.locator("[data-confirm-consequence]")).to_be_visible()
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, "axe: serious or critical violations on the question:\n" + _format(failing)
    assert PanelMember.objects.get(pk=first.pk).status == "active"
    # "No, go back" changes nothing.
    main.get_by_role("link", name=translate("No, go back", language)).click()
    expect(main.locator(f'[data-member="{name}"]')).to_have_attribute("data-status", "active")
    assert not AuditEvent.objects.filter(code="panels.member.replaced").exists()
    # Asked again and confirmed, the member is replaced.
    replace.click()
    yes = translate("Yes, replace %(id)s", language).split("%(id)s")[0].strip()
    main.get_by_role("button", name=re.compile(re.escape(yes))).click()
    expect(main.locator(f'[data-member="{name}"]')).to_have_attribute("data-status", "withdrawn")
    assert AuditEvent.objects.filter(code="panels.member.replaced").count() == 1
    snap(page, f"panels-replaced-{language}")

    # The replacement made the report's next version. Compared with the first, any count would
    # say something about the one who left and the one who joined: the page says so in words.
    visitor.reload()
    expect(report.locator("[data-release]")).to_have_attribute("data-release", "2")
    expect(report.locator("table[data-table^=report-]")).to_have_count(0)
    expect(report.locator("[data-report-too-small]")).to_contain_text("ursprung")
    lead = translate(
        "Members have left or joined the panel since an earlier version of this report. Showing how "
        "its members are spread by %(features)s now would let anyone compare the two versions and "
        "learn something about those few people, so nothing is shown rather than a table of withheld "
        "figures.",
        language,
    ).split("%(features)s")[0]
    expect(report.locator("[data-report-too-small]")).to_contain_text(lead.split(".")[0])
